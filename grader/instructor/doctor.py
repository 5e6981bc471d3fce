"""``dlgrade doctor``: what this machine offers the grader, layer by layer. Does not import torch."""

from __future__ import annotations

import importlib.metadata
import os
import platform
import shutil
import sys

from grader.engine.untrusted import sandbox


def report() -> list[tuple[str, str, str]]:
    """(what, state, detail) rows."""
    rows: list[tuple[str, str, str]] = []
    rows.append(("python", "ok", f"{platform.python_version()} ({sys.executable})"))
    try:
        rows.append(("torch", "ok", importlib.metadata.version("torch")))
    except importlib.metadata.PackageNotFoundError:
        rows.append(("torch", "missing", "pip install torch"))
    gpu = os.path.exists("/proc/driver/nvidia/version") or shutil.which("nvidia-smi") is not None
    rows.append(
        (
            "cuda",
            "present" if gpu else "absent",
            "an NVIDIA driver is visible" if gpu else "no NVIDIA driver: --device cuda is refused, CUDA tests skip",
        )
    )
    rows.append(
        (
            "portable layer",
            "active",
            "separate worker process, rlimits (memory, CPU, file size, open files), "
            "time limits, output cap, plain-data replies",
        )
    )
    layers = sandbox.probe()
    if "error" in layers:
        rows.append(("strict layers", "unavailable", layers["error"]))
    for name in ("user", "network", "filesystem", "ipc"):
        state = layers.get(name, "")
        if not state:
            continue
        active = state.startswith("active")
        rows.append((f"strict: {name}", "active" if active else "inactive", state))
    bwrap = shutil.which("bwrap")
    rows.append(
        (
            "bubblewrap",
            "installed" if bwrap else "absent",
            (f"{bwrap}; " if bwrap else "")
            + "dlgrade enters the same kernel namespaces itself inside the forked worker, so it never launches bwrap",
        )
    )
    return rows


def show() -> int:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table(title="dlgrade doctor")
    table.add_column("layer")
    table.add_column("state")
    table.add_column("detail")
    for what, state, detail in report():
        color = "green" if state in ("ok", "active", "present", "installed") else "yellow"
        table.add_row(what, f"[{color}]{state}[/{color}]", escape(detail))
    Console(highlight=False).print(table)
    return 0
