"""``dlgrade watch``: re-check the exercise whose file is saved.

``watcher`` (the loop: file changes and keys, one check per save, hints on repeated failures) and ``fs`` (file
systems that need polling); single keys come from the leaf module ``grader.terminal``. May import the course,
grading, progress and errors.
"""
