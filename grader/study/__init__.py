"""Study tools on top of the course's notes and quizzes: flashcards out (``cards``: HTML deck, Markdown, CSV,
Anki), spaced review in the terminal (``review``, FSRS), taking and grading quizzes (``quiz``, ``answers``).
May import ``grader.course``, ``grader.progress`` (to record), ``grader.reports`` (templates); never torch.
"""
