"""``dlgrade watch``: re-check the exercise whose file is saved, on a warm engine.

``watcher`` (the loop: file changes and keys, one check per save, the hint that fits each failure) and ``fs``
(file systems that need polling); single keys come from the leaf module ``grader.terminal``. May import the
course, the engine, grading, reports, progress and errors.
"""
