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
    rows += layer_rows()
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


PORTABLE_ALWAYS = [
    ("process", "learner code runs in a forked worker that only answers requests; the score stays outside"),
    ("replies", "plain data only: JSON and raw tensor bytes, checked, never unpickled"),
    ("limits", "memory, CPU seconds, file size, open files, time per call and per exercise, output cap"),
    ("copy", "a temporary copy of the lesson folder, a minimal environment, no course or grader on the import path"),
]


def layer_rows() -> list[tuple[str, str, str]]:
    """One row per isolation layer, portable then strict, each probed on this machine."""
    rows = [(f"portable: {name}", "active", detail) for name, detail in PORTABLE_ALWAYS]
    for mode in ("portable", "strict"):
        layers = sandbox.probe(mode)
        if "error" in layers:
            rows.append((f"{mode}: namespaces", "unavailable", layers["error"]))
            continue
        order = sandbox.STRICT_LAYERS if mode == "strict" else sandbox.PORTABLE_LAYERS
        for name, state in sorted(layers.items(), key=lambda kv: (order + (kv[0],)).index(kv[0])):
            active = str(state).startswith("active")
            detail = str(state).removeprefix("active").strip()
            if active and detail.startswith("(") and detail.endswith(")"):
                detail = detail[1:-1]
            rows.append((f"{mode}: {name}", "active" if active else "inactive", detail or str(state)))
        if mode == "portable" and not str(layers.get("filesystem", "")).startswith("active"):
            rows.append(
                (
                    "portable: consequence",
                    "inactive",
                    "learner code can write wherever you can and read the course's solutions",
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
