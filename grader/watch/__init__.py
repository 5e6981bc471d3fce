"""``dlgrade watch``: re-check the exercise whose file is saved.

``watcher`` (the loop: file changes and keys, one check per save, hints on repeated failures), ``keys`` (single keys
from the terminal), ``fs`` (file systems that need polling). May import the course, the engine, grading, reports, progress and errors.
"""
