"""The attack corpus through the warm paths: ``dlgrade watch`` (one session, its engine kept warm across every
attack) and the ``%%dlgrade`` magic (one Jupyter kernel for every attack), held exactly as ``check`` holds them
(tests/e2e/test_attacks.py): 0 points, a message naming what happened, bounded time, nothing left running, the
course unchanged, nothing written outside the run's copy, no secret shown.

The notebook cannot carry ``symlink_to_solution``: a cell is text that takes the place of the exercise's file, so
there is no link to follow (the attack's other files, conftest.py and the like, are written into the workspace).
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import IN_CI, REPO, make_course, run_cli
from tests.e2e.attack_cases import (
    EXERCISE,
    EXERCISE_FILE,
    NAMES,
    NEEDS_STRICT,
    SECRET,
    Attack,
    Listener,
    attack,
    kernel_children_cell,
    reaped,
    strict_available,
    subreaper_cell,
    tree_hash,
)

pytestmark = pytest.mark.slow

PER_ATTACK_S = 60  # one save or cell, whatever the code does: per-call timeout 2 s, exercise budget 8 s here
NOT_IN_A_CELL = frozenset({"symlink_to_solution"})


@pytest.fixture(scope="module")
def mode() -> str:
    if strict_available():
        return "strict"
    if IN_CI:
        pytest.fail("CI must offer the strict sandbox (run as root on Linux); `dlgrade doctor` says why not")
    return "portable"


def _names(mode: str, exclude: frozenset[str] = frozenset()) -> list[str]:
    return [n for n in NAMES if n not in exclude and (mode == "strict" or n not in NEEDS_STRICT)]


def _extras(a: Attack, subst: dict[str, str]) -> dict[str, str]:
    return {rel: text for rel, text in a.files(subst).items() if rel != EXERCISE_FILE}


def _clear(ws: Path, baseline: dict[str, str]) -> None:
    """Remove what an attack added to the workspace (its exercise file aside: the next save replaces it)."""
    for p in sorted(ws.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        rel = p.relative_to(ws)
        if ".dlgrade" in rel.parts or rel.as_posix() == EXERCISE_FILE or str(rel) in baseline:
            continue
        if p.is_symlink() or p.is_file():
            p.unlink()
        elif p.is_dir() and not any(p.iterdir()):
            p.rmdir()


def _assert_held(a: Attack, text: str) -> None:
    assert SECRET not in text, a.name
    assert "def test_" not in text and "expect_close" not in text, a.name  # no hidden test's source


def test_every_attack_through_watch(tmp_path: Path, mode: str) -> None:
    import pexpect

    course = make_course(tmp_path / "course", [EXERCISE], timeout_s=2, budget_s=8)
    ws = tmp_path / "work"
    assert run_cli("init", str(ws), "--course", str(course)).code == 0
    (tmp_path / "reaped.json").unlink(missing_ok=True)
    baseline = tree_hash(ws)
    course_before = tree_hash(course)
    outside_before = {p.name for p in tmp_path.iterdir()} | {"reaped.json"}
    listener = Listener()
    subst = {"{COURSE}": str(course), "{PORT}": str(listener.port)}
    env = dict(os.environ, NO_COLOR="1", COLUMNS="200", PYTHONPATH=str(REPO), DLGRADE_TEST_SECRET=SECRET)
    env.pop("DLGRADE_COURSE", None)
    argv = reaped([sys.executable, "-m", "grader", "watch", "lesson7", "--sandbox", mode], tmp_path / "reaped.json")
    child = pexpect.spawn(argv[0], argv[1:], cwd=str(ws), env=env, encoding="utf-8", timeout=PER_ATTACK_S)
    seen: dict[str, float] = {}
    try:
        child.expect("ready: save an exercise file", timeout=120)
        for name in _names(mode):
            a = attack(name)
            _clear(ws, baseline)
            for rel, text in _extras(a, subst).items():  # not exercise files: the watcher ignores them
                (ws / rel).parent.mkdir(parents=True, exist_ok=True)
                (ws / rel).write_text(text)
            start = time.monotonic()
            target = ws / EXERCISE_FILE
            links = a.symlinks(subst)
            if EXERCISE_FILE in links:
                target.unlink()
                os.symlink(links[EXERCISE_FILE], target)
            else:  # saved the way editors save: a new file put in place
                tmp = target.with_name(".softmax_ce.py.swp")
                tmp.write_text(a.files(subst)[EXERCISE_FILE])
                os.replace(tmp, target)
            child.expect(r"lesson7\.softmax_ce (passed|not passed yet)")
            elapsed = time.monotonic() - start
            said = child.before + child.after
            scores = re.findall(r"score ([\d.]+)/10", said)
            seen[name] = elapsed
            assert child.match.group(1) == "not passed yet", (name, said[-3000:])
            assert scores and float(scores[-1]) == 0, (name, said[-3000:])
            assert any(w in said for w in a.words()), (name, a.words(), said[-3000:])
            assert elapsed < PER_ATTACK_S, (name, elapsed)
            _assert_held(a, said)
            child.expect("waiting for the next save")
        _clear(ws, baseline)
        child.sendintr()
        child.expect(pexpect.EOF, timeout=60)
    finally:
        child.close(force=True)
        listener.close()
    left = json.loads((tmp_path / "reaped.json").read_text())
    assert left["left"] == [], left  # no process of any attack outlived the session
    assert len(seen) == len(_names(mode))
    assert tree_hash(course) == course_before
    assert {p.name for p in tmp_path.iterdir()} == outside_before
    assert listener.received == []


def test_every_attack_through_the_notebook_magic(tmp_path: Path, mode: str) -> None:
    from tests.notebook.helpers import code_cell, execute, graded, new_notebook, printed, require

    require("nbclient")
    course = make_course(tmp_path / "course", [EXERCISE], timeout_s=2, budget_s=8)
    ws = tmp_path / "ws"
    assert run_cli("init", str(ws), "--notebooks", "--course", str(course)).code == 0
    baseline = tree_hash(ws)
    course_before = tree_hash(course)
    outside_before = {p.name for p in tmp_path.iterdir()}
    listener = Listener()
    subst = {"{COURSE}": str(course), "{PORT}": str(listener.port)}
    names = _names(mode, NOT_IN_A_CELL)
    cells = [code_cell("%load_ext dlgrade"), code_cell(subreaper_cell())]
    for name in names:
        a = attack(name)
        keep = sorted(baseline)
        # A plain cell clears what the last attack added, then writes this one's other files; the graded cell
        # holds its exercise file's code.
        cells.append(
            code_cell(
                "import json as _j, pathlib as _p\n"
                f"_ws, _keep = _p.Path({str(ws)!r}), set(_j.loads({json.dumps(keep)!r}))\n"
                "for _f in sorted(_ws.rglob('*'), key=lambda f: len(f.parts), reverse=True):\n"
                "    _r = _f.relative_to(_ws)\n"
                "    if '.dlgrade' in _r.parts or str(_r) in _keep or _r.suffix == '.ipynb':\n"
                "        continue\n"
                "    if _f.is_symlink() or _f.is_file():\n"
                "        _f.unlink()\n"
                "    elif not any(_f.iterdir()):\n"
                "        _f.rmdir()\n"
                f"for _r, _t in _j.loads({json.dumps(_extras(a, subst))!r}).items():\n"
                "    (_ws / _r).parent.mkdir(parents=True, exist_ok=True)\n"
                "    (_ws / _r).write_text(_t)\n"
            )
        )
        cells.append(code_cell(f"%%dlgrade {EXERCISE} --sandbox {mode}\n" + a.files(subst)[EXERCISE_FILE]))
        cells.append(code_cell(kernel_children_cell()))
    cells.append(code_cell("import sys\nprint('torch in the kernel:', 'torch' in sys.modules)"))
    nb = new_notebook(cells)
    env_before = os.environ.get("DLGRADE_TEST_SECRET")
    os.environ["DLGRADE_TEST_SECRET"] = SECRET  # the kernel, and so every graded cell's process, sees it
    start = time.monotonic()
    try:
        execute(nb, cwd=ws, timeout=PER_ATTACK_S * 3)
    finally:
        listener.close()
        if env_before is None:
            os.environ.pop("DLGRADE_TEST_SECRET", None)
        else:
            os.environ["DLGRADE_TEST_SECRET"] = env_before
    elapsed = time.monotonic() - start
    outcomes: dict[str, dict[str, Any]] = {}
    for i, name in enumerate(names):
        a = attack(name)
        graded_cell, after = nb.cells[2 + 3 * i + 1], nb.cells[2 + 3 * i + 2]
        summary, bundle = graded(graded_cell)
        outcomes[name] = summary
        assert summary["score"] == 0 and summary["status"] != "passed", (name, summary)
        if a.meta.get("expect_error"):
            assert a.meta["expect_error"] in (summary["error"] or ""), (name, summary)
        else:
            assert set(summary["failed_kinds"]) & set(a.meta["expect_kinds"]), (name, summary)
        _assert_held(a, bundle["text/plain"] + bundle["text/html"])
        left = printed(after)
        assert "LEFT []" in left, (name, left)  # nothing of the cell's run outlived it
    assert "torch in the kernel: False" in printed(nb.cells[-1])  # no graded cell ran in the kernel
    assert elapsed < PER_ATTACK_S * len(names)
    assert tree_hash(course) == course_before
    assert {p.name for p in tmp_path.iterdir()} == outside_before
    assert listener.received == []
