"""Reports: every result dlgrade shows or writes, in every format.

``formats`` (the list of formats), ``emit`` (the one way out: render, write or show, job summary), ``lesson`` and
``quiz`` (view models and one renderer per format for each kind of result), ``environment`` (the Jinja
environment), ``pictures`` (inline SVG for the HTML report), ``templates/``. May import ``grader.engine.results``,
``grader.engine.problems`` and ``grader.errors``; never the engine's processes, never torch.
"""
