"""The attack corpus: every submission in tests/attacks/ earns nothing, through the real CLI.

For each attack: the exercise scores zero with a message naming what happened, the run ends within
its limit, no process of the submission outlives it, the course is byte-identical afterwards and
nothing is written outside the run's temporary folder.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from tests.conftest import make_course, run_cli
from tests.e2e.attack_cases import (
    NAMES,
    NEEDS_STRICT,
    SECRET,
    Listener,
    attack,
    sandbox_procs,
    strict_available,
    tree_hash,
)

pytestmark = pytest.mark.slow


def test_corpus_is_big_enough() -> None:
    classes = {attack(n).meta["class"] for n in NAMES}
    assert len(NAMES) >= 25
    assert classes == {"exits", "resources", "tampering", "pytest", "exfiltration", "honesty"}


@pytest.fixture(scope="module")
def strict() -> bool:
    ok = strict_available()
    if not ok and os.environ.get("CI") == "true":
        pytest.fail("CI must offer the strict sandbox (run as root on Linux); `dlgrade doctor` says why not")
    return ok


@pytest.mark.parametrize("name", NAMES)
def test_attack_earns_nothing(name: str, tmp_path: Path, strict: bool) -> None:
    if name in NEEDS_STRICT and not strict:
        pytest.skip("needs the strict sandbox (root on Linux); outside CI this machine does not offer it")
    a = attack(name)
    meta = a.meta
    course = make_course(tmp_path / "course", ["lesson7.softmax_ce"], timeout_s=2, budget_s=8)
    ws = tmp_path / "ws"
    shutil.copytree(course / "solutions", ws)
    listener = Listener()
    a.materialize(ws, {"{COURSE}": str(course), "{PORT}": str(listener.port)})
    procs_before = set(sandbox_procs())
    course_before = tree_hash(course)
    ws_before = tree_hash(ws)
    outside_before = {p.name for p in tmp_path.iterdir()}

    start = time.monotonic()
    try:
        res = run_cli(
            "check",
            "lesson7.softmax_ce",
            "--course",
            str(course),
            "--workspace",
            str(ws),
            "--format",
            "json",
            "--sandbox",
            "strict" if strict else "portable",
            env={"DLGRADE_TEST_SECRET": SECRET},
            timeout=240,
        )
    finally:
        listener.close()
    elapsed = time.monotonic() - start

    assert res.code == 1, res.stderr[-2000:]
    ex = res.json["exercises"][0]
    assert ex["score"] == 0, ex
    assert ex["status"] != "passed"
    if meta.get("expect_error"):
        assert meta["expect_error"] in (ex["error"] or ""), ex
    else:
        kinds = {c["kind"] for c in ex["checks"] if c["status"] != "passed"}
        assert kinds & set(meta["expect_kinds"]), (kinds, [c["message"] for c in ex["checks"]][:3])
        assert all(c["message"] for c in ex["checks"] if c["status"] != "passed")
    assert elapsed < 120

    if strict:
        # Sandboxed processes that were not there before the run must be gone (a grace period for the kernel
        # to finish reaping; processes of another grading run on the same machine were there before).
        deadline = time.monotonic() + 3
        while (left := set(sandbox_procs()) - procs_before) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not left, "a process of the submission outlived the run"
    assert tree_hash(course) == course_before
    assert tree_hash(ws) == ws_before
    assert {p.name for p in tmp_path.iterdir()} == outside_before
    everything = res.stdout + res.stderr
    assert SECRET not in everything
    assert "def test_" not in everything and "expect_close" not in everything
    assert listener.received == []
