"""The course model: every course file validated once into typed objects, and where a learner's files live.

``files`` (the one loader: YAML, format_version, errors naming file, place and fix; the base model and
``Tolerance``), ``curriculum`` (Course, Lesson, Exercise, ExerciseRef), ``mutants``, ``notes`` / ``note_parser`` /
``card`` (lesson notes to flashcards), ``quiz`` (quiz files), ``workspace`` (init, reset), ``paths`` (every
``.dlgrade/`` path and the read-only fallback). May import ``grader.errors`` and the failure vocabulary
``grader.engine.problems``; nothing else of the grader, never torch.
"""
