"""The learner's stores and the views over them.

``store`` (open a versioned SQLite file: migrate older, refuse newer), ``tracker`` (attempts, best scores, hints
seen, quiz scores), ``schedule`` (the flashcard schedule), ``listing`` (``dlgrade list`` and ``progress``). May
import ``grader.course`` and ``grader.errors``; never torch.
"""
