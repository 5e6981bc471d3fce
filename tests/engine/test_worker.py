"""grader/engine/trusted/client.py with the real zygote: a worker's life from spawn to stop, seen from outside."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.engine.problems import LearnerProblem
from grader.engine.trusted.client import Worker, Zygote

pytestmark = pytest.mark.slow

LEARNER = """
import os, time
import torch

def double(x):
    return x * 2

def slow():
    time.sleep(30)

def leave():
    os._exit(3)

def where():
    return os.getcwd()
"""


@pytest.fixture(scope="module")
def zygote() -> Iterator[Zygote]:
    pkg_parent = str(Path(__file__).resolve().parents[2])
    z = Zygote({"PATH": os.environ.get("PATH", ""), "PYTHONPATH": pkg_parent, "OMP_NUM_THREADS": "1"})
    yield z
    z.close()


def _worker(zygote: Zygote, tmp_path: Path, timeout: float = 2.0, budget: float = 30.0) -> Worker:
    d = tmp_path / "run" / "lesson1"
    d.mkdir(parents=True)
    (d / "mod.py").write_text(LEARNER)
    spec = {
        "workdir": str(tmp_path / "run"),
        "module_path": str(d / "mod.py"),
        "module_name": "mod",
        "tmpdir": str(tmp_path / "run"),
        "env": {"PATH": os.environ.get("PATH", "")},
        "memory_bytes": 2 * 1024**3,
        "cpu_seconds": 60,
        "file_bytes": 1 << 20,
        "max_files": 64,
        "device": "cpu",
        "hidden_trees": [],
        "hidden_exact": [],
    }
    return Worker(zygote, spec, timeout, budget)


def test_a_worker_answers_then_stops_and_its_process_is_gone(zygote: Zygote, tmp_path: Path) -> None:
    import torch

    w = _worker(zygote, tmp_path)
    reply = w.start()
    assert reply["ok"] and "double" in reply["value"]["names"]
    got = w.request({"op": "call", "name": "double", "args": (torch.arange(3.0),), "kwargs": {}}, "double")
    assert torch.equal(got["value"], torch.tensor([0.0, 2.0, 4.0]))
    cwd = w.request({"op": "call", "name": "where", "args": (), "kwargs": {}}, "where")["value"]
    assert cwd == str(tmp_path / "run" / "lesson1")  # the worker works in the run's copy
    pid = w.pid
    assert pid is not None
    w.stop()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_a_hung_call_times_out_and_the_next_call_gets_a_fresh_worker(zygote: Zygote, tmp_path: Path) -> None:
    w = _worker(zygote, tmp_path, timeout=0.5)
    w.start()
    first = w.pid
    start = time.monotonic()
    with pytest.raises(LearnerProblem) as info:
        w.request({"op": "call", "name": "slow", "args": (), "kwargs": {}}, "slow()")
    assert info.value.kind == "timeout" and time.monotonic() - start < 5
    again = w.request({"op": "call", "name": "where", "args": (), "kwargs": {}}, "where")
    assert again["ok"] and w.pid != first  # restarted by itself
    w.stop()


def test_an_exit_in_learner_code_is_named_and_costs_only_that_call(zygote: Zygote, tmp_path: Path) -> None:
    w = _worker(zygote, tmp_path)
    w.start()
    with pytest.raises(LearnerProblem) as info:
        w.request({"op": "call", "name": "leave", "args": (), "kwargs": {}}, "leave()")
    assert info.value.kind == "exit" and "code 3" in info.value.message
    assert w.request({"op": "call", "name": "where", "args": (), "kwargs": {}}, "where")["ok"]
    w.stop()


def test_the_budget_ends_an_exercise(zygote: Zygote, tmp_path: Path) -> None:
    w = _worker(zygote, tmp_path, timeout=0.3, budget=0.5)
    w.start()
    with pytest.raises(LearnerProblem):
        w.request({"op": "call", "name": "slow", "args": (), "kwargs": {}}, "slow()")
    w.used_s = max(w.used_s, 0.5)
    with pytest.raises(LearnerProblem, match="time budget"):
        w.request({"op": "call", "name": "where", "args": (), "kwargs": {}}, "where")
    w.stop()
