"""``%%dlgrade`` in a real Jupyter kernel: cells are graded in the limited worker, never in the kernel, and the
kernel outlives every hostile cell.

One notebook runs every case in one kernel (as a learner's session would); the tests read its outputs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, make_course, run_cli
from tests.notebook.helpers import code_cell, execute, graded, new_notebook, printed, require

pytestmark = pytest.mark.slow

EX = "lesson7.softmax_ce"
SOLUTION = (REPO / "solutions" / "lesson7" / "softmax_ce.py").read_text()
# A plausible mistake (one of the course's mutants): always summing the per-row losses.
SUMS_ALWAYS = SOLUTION.replace('    if reduction == "sum":\n', "    if True:\n")
assert SUMS_ALWAYS != SOLUTION

WRONG = """
import torch

def log_softmax(x, dim=-1):
    return torch.zeros_like(x)

def softmax_cross_entropy(logits, target, reduction="mean"):
    return torch.zeros((), dtype=logits.dtype)
"""

CELLS = {
    "correct": f"%%dlgrade {EX}\n" + SOLUTION,
    "buggy": f"%%dlgrade {EX}\n" + SUMS_ALWAYS,
    "exits": f"%%dlgrade {EX}\nimport os\nos._exit(0)\n" + WRONG,
    "loops": f"""%%dlgrade {EX}
def log_softmax(x, dim=-1):
    while True:
        pass

def softmax_cross_entropy(logits, target, reduction="mean"):
    while True:
        pass
""",
    "patches": f"%%dlgrade {EX}\n"
    + WRONG
    + """
import torch.testing
torch.testing.assert_close = lambda *a, **k: None
torch.allclose = lambda *a, **k: True
torch.equal = lambda *a, **k: True
""",
    "stopped": f"%%dlgrade {EX} --timeout 4\nwhile True:\n    pass\n",
    "typo": "%%dlgrade lesson7.sofmax_ce\nx = 1\n",
    "no_exercise": "%%dlgrade\nx = 1\n",
    "after": """import sys
print("alive", 6 * 7)
print("torch in the kernel:", "torch" in sys.modules)
print("learner names in the kernel:", [n for n in ("log_softmax", "softmax_cross_entropy") if n in globals()])
""",
}


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A notebook workspace with one exercise, and one kernel that ran every cell in ``CELLS``, in order."""
    require("nbclient")
    tmp = tmp_path_factory.mktemp("magic")
    course = make_course(tmp / "course", [EX], timeout_s=3, budget_s=12)
    res = run_cli("init", str(tmp / "ws"), "--notebooks", "--course", str(course))
    assert res.code == 0, res.stderr
    nb = new_notebook([code_cell("%load_ext dlgrade"), *(code_cell(src) for src in CELLS.values())])
    execute(nb, cwd=tmp / "ws")  # the course is found through the workspace's marker, as the CLI finds it
    return {"cells": dict(zip(CELLS, nb.cells[1:])), "ws": tmp / "ws", "course": course}


def test_a_correct_cell_passes(session: dict[str, Any]) -> None:
    summary, bundle = graded(session["cells"]["correct"])
    assert summary["status"] == "passed" and summary["score"] == summary["max_score"] == 10
    assert "all checks passed" in bundle["text/plain"]


def test_a_buggy_cell_fails_with_feedback_inline(session: dict[str, Any]) -> None:
    summary, bundle = graded(session["cells"]["buggy"])
    assert summary["status"] == "failed" and 0 < summary["score"] < 10
    assert "wrong_values" in summary["failed_kinds"]
    text = bundle["text/plain"]
    assert "matches F.cross_entropy [mean-float32] (wrong values)" in text and "expected 3.86109" in text
    # The HTML report rides in an iframe, with the value heatmap of the failing checks.
    page = bundle["text/html"]
    assert page.startswith("<iframe") and "srcdoc=" in page and "&lt;svg" in page
    assert "<script" not in page.split("srcdoc=")[0]


@pytest.mark.parametrize(
    ("name", "kind", "words"),
    [("exits", "exit", "exit"), ("loops", "timeout", "timeout"), ("patches", "wrong_values", "wrong values")],
)
def test_hostile_cells_earn_nothing_and_say_what_happened(
    session: dict[str, Any], name: str, kind: str, words: str
) -> None:
    summary, bundle = graded(session["cells"][name])
    assert summary["score"] == 0 and summary["status"] != "passed"
    assert kind in summary["failed_kinds"], summary
    assert words in bundle["text/plain"].lower()


def test_the_kernel_survives_and_never_ran_the_cells(session: dict[str, Any]) -> None:
    out = printed(session["cells"]["after"])
    assert "alive 42" in out
    assert "torch in the kernel: False" in out  # every graded cell imports torch: none of them ran here
    assert "learner names in the kernel: []" in out


def test_the_magic_stops_a_run_at_its_own_time_limit(session: dict[str, Any]) -> None:
    summary, bundle = graded(session["cells"]["stopped"])
    assert summary["status"] == "error" and summary["score"] == 0
    assert "longer than 4 s and was stopped; nothing was scored" in bundle["text/plain"]


def test_mistakes_in_the_magic_line_are_clear_errors(session: dict[str, Any]) -> None:
    summary, bundle = graded(session["cells"]["typo"])
    assert summary["status"] == "error" and summary["score"] == 0
    assert "did you mean lesson7.softmax_ce" in bundle["text/plain"]
    summary, bundle = graded(session["cells"]["no_exercise"])
    assert summary["status"] == "error" and "needs the exercise" in bundle["text/plain"]


def test_the_magic_records_progress_in_the_workspace(session: dict[str, Any]) -> None:
    res = run_cli("progress", "lesson7", "--format", "json", cwd=session["ws"])
    assert res.code == 0, res.stderr
    (ex,) = res.json["lessons"][0]["exercises"]
    # Every graded cell was an attempt (the two with a wrong exercise name were not); the correct one passed.
    assert ex["id"] == EX and ex["status"] == "passed" and ex["best_score"] == 10 and ex["attempts"] == 5


# ---------------------------------------------------------------------- an init'd notebook


def _key(report: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (e["id"], e["status"], e["score"], [(c["name"], c["status"], c["kind"], c["message"]) for c in e["checks"]])
        for e in report["exercises"]
    ]


def test_an_initd_notebook_grades_as_the_stubs_do(tmp_path: Path) -> None:
    nbformat = require("nbformat")
    course = make_course(tmp_path / "course", [EX], timeout_s=3, budget_s=12)
    ws = tmp_path / "ws"
    assert run_cli("init", str(ws), "--notebooks", "--course", str(course)).code == 0
    stubs = run_cli("check", "lesson7", "--course", str(course), "--workspace", str(course / "exercises"), "-f", "json")
    saved = run_cli("check", "lesson7", "--format", "json", cwd=ws)  # the saved notebook, from a terminal
    assert stubs.code == saved.code == 1, saved.stderr
    assert _key(saved.json) == _key(stubs.json)
    assert stubs.json["exercises"][0]["checks"] and stubs.json["exercises"][0]["score"] == 0
    # Run in a kernel as a learner would: every exercise cell shows the same result.
    nb = execute(nbformat.read(ws / "lesson7.ipynb", as_version=4), cwd=ws)
    nbformat.validate(nb)  # with the reports in its outputs
    shown = [graded(c)[0] for c in nb.cells if c.metadata.get("dlgrade")]
    expected = stubs.json["exercises"]
    assert [(s["exercise"], s["status"], s["score"]) for s in shown] == [
        (e["id"], e["status"], e["score"]) for e in expected
    ]
    kinds = sorted({c["kind"] for c in expected[0]["checks"] if c["status"] != "passed"})
    assert shown[0]["failed_kinds"] == kinds == ["not_implemented"]


def test_a_solved_cell_passes_check_in_place_of_the_file(tmp_path: Path) -> None:
    course = make_course(tmp_path / "course", [EX], timeout_s=3, budget_s=12)
    ws = tmp_path / "ws"
    assert run_cli("init", str(ws), "--notebooks", "--course", str(course)).code == 0
    path = ws / "lesson7.ipynb"
    data = json.loads(path.read_text())
    for c in data["cells"]:
        if c["metadata"].get("dlgrade"):
            c["source"] = f"%%dlgrade {EX}\n" + SOLUTION
    path.write_text(json.dumps(data))
    (ws / "lesson7").mkdir()
    (ws / "lesson7" / "softmax_ce.py").write_text(WRONG)  # a stale file: the marked cell takes its place
    res = run_cli("check", EX, "--format", "json", cwd=ws)
    assert res.code == 0, res.stdout + res.stderr
    assert res.json["exercises"][0]["score"] == 10
