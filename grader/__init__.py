"""dlgrade: auto-graded exercises and quizzes for deep-learning fundamentals, in PyTorch.

The package map (each subpackage's ``__init__`` says what lives there and what it may import):

    cli/         the command line: one module per command group (thin: parse, call, map errors to exit codes)
    course/      the course model: curriculum, mutants, notes and cards, quizzes, workspaces, every .dlgrade/ path
    engine/      the grading engine: runner, wire protocol, results, the trusted pytest process (trusted/) and
                 the untrusted side, the only place learner code runs (untrusted/: zygote, worker, sandbox)
    testing/     the suite API that hidden suites import (expect_close, the learner proxy)
    grading/     a target to a report: grade, attach teaching, record progress, emit (check, watch, notebooks)
    reports/     every report in every format: one renderer table, one emitter, templates, pictures
    progress/    the learner's stores: attempts and scores, and the list/progress views
    study/       flashcards out (HTML, Anki), spaced review, taking quizzes
    watch/       re-check on save
    batch/       grading a class: submissions, gradebook, Dask cluster
    instructor/  dev check (prove the course), dev new (scaffold), doctor
    suites/      the built-in course's hidden suites (course content, not code of the grader)
"""

__version__ = "0.2.0"
