"""Instructor tools: ``devcheck`` (prove each exercise: solution passes, stub unfinished, every mutant caught,
teaching links complete), ``scaffold`` (``dev new``), ``doctor`` (what isolation this machine offers).
May import course, engine, grading (diagnosis), reports.
"""
