"""Submissions that try to cheat earn nothing, and say what happened (issue: core isolation)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_cli, workspace_with

pytestmark = pytest.mark.slow

FILE = "lesson7/softmax_ce.py"

WRONG = """
import torch

def log_softmax(x, dim=-1):
    return torch.zeros_like(x)

def softmax_cross_entropy(logits, target, reduction="mean"):
    return torch.zeros((), dtype=logits.dtype)
"""

ATTACKS = {
    "exit_at_import": ("import os\nos._exit(0)\n" + WRONG, {"exit"}),
    "patched_asserts": (
        WRONG
        + """
import torch.testing
torch.testing.assert_close = lambda *a, **k: None
torch.allclose = lambda *a, **k: True
torch.equal = lambda *a, **k: True
""",
        {"wrong_values"},
    ),
    "lying_subclass": (
        """
import torch

class Liar(torch.Tensor):
    def __eq__(self, other):
        return True
    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        return True

def log_softmax(x, dim=-1):
    return torch.zeros_like(x).as_subclass(Liar)

def softmax_cross_entropy(logits, target, reduction="mean"):
    return torch.zeros((), dtype=logits.dtype).as_subclass(Liar)
""",
        {"wrong_type"},
    ),
    "infinite_loop_in_call": (
        """
def log_softmax(x, dim=-1):
    while True:
        pass

def softmax_cross_entropy(logits, target, reduction="mean"):
    while True:
        pass
""",
        {"timeout"},
    ),
    "infinite_loop_at_import": ("while True:\n    pass\n" + WRONG, {"timeout"}),
    "fake_report": (
        """
import json, os
for name in ("report.json", "results.json", "report.xml", "record.jsonl"):
    with open(name, "w") as fh:
        fh.write(json.dumps({"status": "passed", "score": 10, "max_score": 10}))
try:
    with open(os.path.join("..", "..", "record.jsonl"), "w") as fh:
        fh.write('{"status": "passed"}')
except OSError:
    pass
"""
        + WRONG,
        {"wrong_values"},
    ),
    "gc_hook": (
        """
import gc
for obj in gc.get_objects():
    if type(obj).__name__ in ("Config", "PytestPluginManager"):
        try:
            obj.pluginmanager.register(object())
        except Exception:
            pass
"""
        + WRONG,
        {"wrong_values"},
    ),
    "output_flood": (
        """
import sys
def log_softmax(x, dim=-1):
    while True:
        sys.stdout.write("x" * 65536)

def softmax_cross_entropy(logits, target, reduction="mean"):
    while True:
        print("flood " * 10000)
""",
        {"output_flood"},
    ),
}


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_attack_earns_nothing(name: str, small_course: Path, tmp_path: Path) -> None:
    source, kinds = ATTACKS[name]
    ws = workspace_with(tmp_path, small_course, {FILE: source})
    res = run_cli(
        "check",
        "lesson7.softmax_ce",
        "--course",
        str(small_course),
        "--workspace",
        str(ws),
        "--format",
        "json",
        timeout=120,
    )
    assert res.code == 1, res.stderr
    report = res.json
    ex = report["exercises"][0]
    assert ex["score"] == 0, ex
    assert ex["status"] != "passed"
    scored = [c for c in ex["checks"] if not c["gate"]]
    failed = [c for c in scored if c["status"] != "passed"]
    assert failed and len(failed) == len(scored)
    assert kinds & {c["kind"] for c in failed}, [c["message"] for c in failed]


def test_dropped_conftest_changes_nothing(small_course: Path, tmp_path: Path) -> None:
    conftest = """
import pytest

@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    report.outcome = "passed"
    return report
"""
    ws = workspace_with(
        tmp_path, small_course, {"lesson7/conftest.py": conftest, "conftest.py": conftest}, base="exercises"
    )
    res = run_cli("check", "lesson7", "--course", str(small_course), "--workspace", str(ws), "--format", "json")
    assert res.code == 1
    ex = res.json["exercises"][0]
    assert ex["score"] == 0
    assert {c["kind"] for c in ex["checks"] if c["status"] != "passed"} == {"not_implemented"}


def test_fake_report_stays_in_the_sandbox_copy(small_course: Path, tmp_path: Path) -> None:
    source = ATTACKS["fake_report"][0]
    ws = workspace_with(tmp_path, small_course, {FILE: source})
    run_cli("check", "lesson7.softmax_ce", "--course", str(small_course), "--workspace", str(ws), "--format", "json")
    # The worker ran on a temporary copy: nothing was written into the learner's folder or the course.
    assert not (ws / "lesson7" / "report.json").exists()
    assert not list(small_course.rglob("report.json"))
