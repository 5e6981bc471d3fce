"""grader/engine/trusted/plugin.py under pytester: one record per check, from the right phase, with its title."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from grader.engine.trusted import plugin as fixtures
from grader.engine.trusted.plugin import TrustedPlugin, check_name

pytestmark = pytest.mark.slow

SUITE = '''
import pytest
from grader.testing import expect, expect_close

@pytest.mark.parametrize("n", [1, 2])
def test_values(learner, n):
    """doubles its input"""
    import torch
    expect_close(learner.double(torch.tensor(float(n))), torch.tensor(2.0 * n))

def test_wrong(learner):
    import torch
    expect_close(learner.double(torch.tensor(1.0)), torch.tensor(3.0), name="double(1)")

def test_gate(learner):
    """does not call the built-in"""
    learner.check_forbidden()

def test_broken_suite():
    raise KeyError("oops")

def test_skipped():
    pytest.skip("not here")
'''

LEARNER = "def double(x):\n    return x * 2\n"


def test_records(pytester: pytest.Pytester, tmp_path: Path) -> None:
    from grader.engine.trusted.client import Zygote

    suite = pytester.makepyfile(test_double=SUITE)
    run = tmp_path / "run" / "lesson1"
    run.mkdir(parents=True)
    (run / "ex.py").write_text(LEARNER)
    pkg_parent = str(Path(__file__).resolve().parents[2])
    spec = {
        "device": "cpu",
        "suite_of": {"lesson1.ex": str(suite)},
        "exercises": {
            "lesson1.ex": {
                "id": "lesson1.ex",
                "file": "lesson1/ex.py",
                "names": ["double"],
                "forbid": [],
                "timeout_s": 10,
                "budget_s": 60,
                "tolerance": {},
                "cuda_tolerance": {},
            }
        },
        "runs": [
            {
                "id": "r0",
                "exercises": {
                    "lesson1.ex": {
                        "workdir": str(tmp_path / "run"),
                        "module_path": str(run / "ex.py"),
                        "module_name": "ex",
                        "tmpdir": str(tmp_path / "run"),
                    }
                },
            }
        ],
        "worker_limits": {"memory_bytes": 2 * 1024**3, "cpu_seconds": 60, "file_bytes": 1 << 20, "max_files": 64},
        "learner_env": {"PATH": os.environ.get("PATH", "")},
        "hidden_trees": [],
        "hidden_exact": [],
    }
    zygote = Zygote({"PATH": os.environ.get("PATH", ""), "PYTHONPATH": pkg_parent, "OMP_NUM_THREADS": "1"})
    records: list[dict] = []
    plugin = TrustedPlugin(spec, zygote, records.append)
    try:
        pytester.runpytest_inprocess("-p", "no:cacheprovider", plugins=[plugin, fixtures])
    finally:
        plugin.close()
        zygote.close()
    recs = {r["name"]: r for r in records}
    assert recs["test_values[1]"]["status"] == "passed" and recs["test_values[1]"]["title"] == "doubles its input [1]"
    assert recs["test_values[2]"]["run"] == "r0" and recs["test_values[2]"]["exercise"] == "lesson1.ex"
    wrong = recs["test_wrong"]
    assert wrong["status"] == "failed" and wrong["kind"] == "wrong_values" and "double(1)" in wrong["message"]
    assert wrong["call"].startswith("double(")
    assert recs["test_gate"]["gate"] is True and recs["test_gate"]["status"] == "passed"
    assert "gate" not in recs["test_wrong"]  # a gate never marks the checks after it
    assert recs["test_broken_suite"]["status"] == "error" and recs["test_broken_suite"]["kind"] == "internal"
    assert recs["test_skipped"]["status"] == "skipped"


def test_check_names_drop_the_run() -> None:
    assert check_name("test_x[run:s0-float32]") == "test_x[float32]"
    assert check_name("test_x[run:s0]") == "test_x"
