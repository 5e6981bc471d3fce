"""The kernel's side of ``%%dlgrade``: hand the cell to a grading process, show its report under the cell.

``%%dlgrade lesson7.softmax_ce`` on a cell's first line grades the rest of the cell: the code is written to a
temporary file and graded by ``python -m grader.notebook.grade`` (a separate process, which runs the learner's code
only in its forked, limited worker, as ``dlgrade check`` does), under a time limit. The kernel never imports or
executes that code, and never imports torch. The report comes back as one display bundle: ``text/html`` (the HTML
report in an ``iframe``, so its styles stay out of the notebook's page) and ``text/plain``, plus a short summary in
the output's metadata (``{"dlgrade": {"status": ..., "score": ...}}``).

``%dlgrade ARGS`` (one ``%``) runs any other command of the command line, e.g. ``%dlgrade hint lesson7.softmax_ce``.
"""

from __future__ import annotations

import html
import json
import os
import shlex
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from grader.course.notebooks import MAGIC_USAGE, cell_module, parse_magic_line
from grader.errors import DlgradeError

DEFAULT_TIMEOUT_S = 600.0  # the grader's own limits (per call, per exercise) end a looping cell well before this


def load_ipython_extension(ipython: Any) -> None:
    ipython.register_magic_function(dlgrade_magic, magic_kind="line_cell", magic_name="dlgrade")


def unload_ipython_extension(ipython: Any) -> None:
    for kind in ("line", "cell"):
        ipython.magics_manager.magics[kind].pop("dlgrade", None)


def dlgrade_magic(line: str, cell: str | None = None) -> None:
    """``%%dlgrade EXERCISE [--course DIR] [--workspace DIR] [--timeout S] [--device cpu] [--sandbox strict]``
    grades the cell below in a separate, limited process and shows the report; ``%dlgrade ARGS`` runs
    ``dlgrade ARGS``."""
    if cell is None:
        run_command(line)
    else:
        grade(line, cell)


# ---------------------------------------------------------------------- grading a cell


def grade(line: str, cell: str) -> dict[str, Any]:
    """Grade one cell and show the report; return the summary that was shown (also in the output's metadata)."""
    try:
        m = parse_magic_line(line)
    except DlgradeError as exc:
        return _problem(exc.render())
    limit = m.timeout_s or DEFAULT_TIMEOUT_S
    with tempfile.TemporaryDirectory(prefix="dlgrade-cell-") as tmp_s:
        tmp = Path(tmp_s)
        cell_path = tmp / "cell.py"
        cell_path.write_text(cell_module(m.exercise, cell), encoding="utf-8")
        cmd = [sys.executable, "-m", "grader.notebook.grade", m.exercise, "--cell", str(cell_path)]
        cmd += ["--out", str(tmp), "--device", m.device, "--sandbox", m.sandbox]
        if m.course is not None:
            cmd += ["--course", str(m.course.expanduser().resolve())]
        if m.workspace is not None:
            cmd += ["--workspace", str(m.workspace.expanduser().resolve())]
        rc, err, stopped = _run(cmd, limit)
        if stopped:
            return _problem(stopped, exercise=m.exercise)
        if rc in (0, 1) and (tmp / "report.json").is_file():
            summary = json.loads((tmp / "report.json").read_text(encoding="utf-8"))["summary"]
            page = (tmp / "report.html").read_text(encoding="utf-8")
            text = (tmp / "report.txt").read_text(encoding="utf-8")
            _display({"text/html": _iframe(page), "text/plain": text}, summary)
            return dict(summary)
        why = err.strip() or f"the grading process ended with code {rc} and no report"
        return _problem(why, exercise=m.exercise)


def _run(cmd: list[str], limit: float) -> tuple[int, str, str | None]:
    """Run the grading process in its own session; (exit code, standard error, why it was stopped or None)."""
    proc = subprocess.Popen(
        cmd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
        start_new_session=True,
    )
    try:
        _, err = proc.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        _kill(proc)
        return (
            -1,
            "",
            (
                f"grading took longer than {limit:g} s and was stopped; nothing was scored "
                "(give the magic more time with --timeout SECONDS)"
            ),
        )
    except KeyboardInterrupt:
        _kill(proc)
        return -1, "", "grading was interrupted; nothing was scored"
    return proc.returncode, err, None


def _kill(proc: subprocess.Popen[str]) -> None:
    """Stop the grading process: first as Ctrl-C does, so it stops the grader it started, then for good."""
    for sig, wait in ((signal.SIGINT, 10.0), (signal.SIGKILL, None)):
        try:
            os.killpg(proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            proc.communicate(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def _iframe(page: str) -> str:
    # The report is a whole page with its own styles and script: an iframe keeps them out of the notebook's page.
    fit = (
        "var f=this,d=f.contentDocument;if(!d)return;"
        "var h=function(){f.style.height=(d.documentElement.scrollHeight+4)+'px'};h();"
        "if(window.ResizeObserver){new ResizeObserver(h).observe(d.body)}"
    )
    return (
        f'<iframe class="dlgrade-report" title="dlgrade report" srcdoc="{html.escape(page, quote=True)}" '
        f'style="width:100%;height:32rem;border:0" onload="{html.escape(fit, quote=True)}"></iframe>'
    )


def _problem(message: str, exercise: str | None = None) -> dict[str, Any]:
    """A problem to fix (or a stopped run): shown as text, in red, with nothing scored."""
    summary: dict[str, Any] = {"exercise": exercise, "status": "error", "score": 0, "problem": message}
    if "%%dlgrade" in message and "fix:" not in message:
        message += f"\n  usage: {MAGIC_USAGE}"
    page = f'<pre style="color:#cf222e;white-space:pre-wrap">dlgrade: {html.escape(message)}</pre>'
    _display({"text/html": page, "text/plain": f"dlgrade: {message}"}, summary)
    return summary


def _display(bundle: dict[str, str], summary: dict[str, Any]) -> None:
    from IPython.display import display

    display(bundle, raw=True, metadata={"dlgrade": summary})


# ---------------------------------------------------------------------- other commands


def run_command(line: str) -> None:
    """``%dlgrade hint lesson7.softmax_ce``: run a command of the command line and print what it prints."""
    try:
        words = shlex.split(line)
    except ValueError as exc:
        print(f"dlgrade: {exc}", file=sys.stderr)
        return
    if not words:
        words = ["--help"]
    env = dict(os.environ, NO_COLOR="1", COLUMNS=os.environ.get("COLUMNS", "100"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "grader", *words],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
        env=env,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=DEFAULT_TIMEOUT_S)
    except (subprocess.TimeoutExpired, KeyboardInterrupt):
        _kill(proc)
        print(f"dlgrade {line}: stopped", file=sys.stderr)
        return
    if out:
        print(out, end="")
    if err:
        print(err, end="", file=sys.stderr)
