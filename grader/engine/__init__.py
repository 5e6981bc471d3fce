"""The grading engine: learner files in, typed results out.

``runner`` (the CLI side: copy workspaces, start the trusted process, read its record), ``protocol`` (the wire,
both ends: frames, plain-data replies), ``results`` (Status, CheckResult, ExerciseResult, LessonResult),
``problems`` (the failure vocabulary), ``trusted/`` (the pytest process that holds the suites, references and
assertions) and ``untrusted/`` (the zygote and the forked worker: the only place learner code runs).
May import ``grader.course`` and ``grader.errors``; the trusted process also imports ``grader.testing``.
"""
