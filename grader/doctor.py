"""``dlgrade doctor``: what this machine offers the grader, layer by layer. Does not import torch."""

from __future__ import annotations

import importlib.metadata
import json
import os
import platform
import shutil
import sys
import tempfile


def probe_sandbox() -> dict[str, str]:
    """Apply the strict layers in a throwaway fork and report what took effect."""
    from grader import sandbox

    if not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return {k: f"not available on {sys.platform}" for k in ("user", "network", "filesystem", "ipc")}
    with tempfile.TemporaryDirectory(prefix="dlgrade-doctor-") as tmp:
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(r)
            try:
                status = sandbox.apply({"workdir": tmp, "hidden_trees": [], "cwd": tmp})
                # Prove the network layer: a connection to loopback must fail.
                import socket

                try:
                    socket.create_connection(("127.0.0.1", 9), timeout=0.5).close()
                    status["network"] = "NOT isolated: a loopback connection succeeded"
                except OSError:
                    pass
                os.write(w, json.dumps(status).encode())
            except BaseException as exc:  # report, never crash the doctor
                os.write(w, json.dumps({"error": str(exc)}).encode())
            os._exit(0)
        os.close(w)
        data = b""
        while chunk := os.read(r, 65536):
            data += chunk
        os.close(r)
        os.waitpid(pid, 0)
    try:
        result: dict[str, str] = json.loads(data or b"{}")
    except ValueError:
        result = {"error": "the probe returned nothing"}
    return result


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
    layers = probe_sandbox()
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
