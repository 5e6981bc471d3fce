"""Grading a class: ``submissions`` (find, fingerprint, unpack safely), ``gradebook`` (grade in warm chunks, save
results and feedback, write the gradebook), ``cluster`` (the same over Dask), ``run`` (the ``grade`` command's
progress bar and summary). May import course, engine, grading (teaching), reports.
"""
