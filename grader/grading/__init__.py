"""From a target to a report: grade with the engine, attach the teaching (cards, and later diagnoses), record
progress, emit the report. Used by ``check``, ``watch`` and notebooks. May import course, engine, reports, progress.
"""
