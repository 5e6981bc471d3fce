"""Jupyter and Colab: the ``%%dlgrade`` cell magic (``magic``, the kernel's side) and the grading process it starts
(``grade``). The kernel never imports or runs the code under test, nor torch: ``magic`` hands the cell to a
separate process that grades it as ``dlgrade check`` does and returns the report as HTML and text.

Loaded with ``%load_ext dlgrade`` (the top-level ``dlgrade`` module forwards here).
"""
