"""Running notebooks the way learners do: a real Jupyter kernel (ipykernel) driven by nbclient."""

from __future__ import annotations

import importlib
import json
import sys
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.conftest import IN_CI


def require(name: str) -> ModuleType:
    """Import a test-only package: a failure under CI=true, a skip with the reason elsewhere."""
    try:
        return importlib.import_module(name)
    except ImportError:
        reason = f"{name} is not installed (pip install -e '.[dev]')"
        if IN_CI:
            pytest.fail(f"{reason}; CI=true, so the notebook tests must run")
        pytest.skip(f"{reason} (a failure under CI=true)")


def code_cell(source: str) -> Any:
    return require("nbformat").v4.new_code_cell(source)


def new_notebook(cells: list[Any]) -> Any:
    nb = require("nbformat").v4.new_notebook()
    nb.cells = cells
    return nb


def execute(nb: Any, cwd: Path, timeout: float = 300) -> Any:
    """Run every cell in a fresh kernel of this Python (whatever kernels the machine has installed), started in
    ``cwd``, as Jupyter runs a notebook; an error in a cell fails the test."""
    require("ipykernel")
    nbclient = require("nbclient")
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    with tempfile.TemporaryDirectory(prefix="dlgrade-kernels-") as kernels:
        spec = Path(kernels) / "dlgrade-python"
        spec.mkdir()
        argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
        (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "Python", "language": "python"}))
        km = KernelManager(kernel_name="dlgrade-python", kernel_spec_manager=KernelSpecManager(kernel_dirs=[kernels]))
        client = nbclient.NotebookClient(nb, km=km, timeout=timeout, resources={"metadata": {"path": str(cwd)}})
        client.execute()
    return nb


def graded(cell: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """The summary (output metadata) and the display bundle a ``%%dlgrade`` cell showed."""
    shown = [o for o in cell.outputs if o.output_type == "display_data" and "dlgrade" in o.get("metadata", {})]
    assert len(shown) == 1, cell.outputs
    return dict(shown[0].metadata["dlgrade"]), dict(shown[0].data)


def printed(cell: Any) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
