"""dlgrade's IPython extension: ``%load_ext dlgrade`` in Jupyter or Colab adds the ``%%dlgrade`` cell magic.

The command line and everything else live in the ``grader`` package; see docs/notebooks.md.
"""

from __future__ import annotations

from typing import Any


def load_ipython_extension(ipython: Any) -> None:
    from grader.notebook.magic import load_ipython_extension as load

    load(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    from grader.notebook.magic import unload_ipython_extension as unload

    unload(ipython)
