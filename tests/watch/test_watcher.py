"""``dlgrade watch``: file events and polling, one exercise graded per save, hint levels, keys, a real terminal."""

from __future__ import annotations

import io
import os
import shutil
import sys
import threading
import time
from pathlib import Path

import pytest
from rich.console import Console

from grader.course.curriculum import load
from grader.errors import UsageError
from grader.grading import check as checking
from grader.watch.fs import fs_type, needs_polling
from grader.watch.watcher import Watcher
from tests.conftest import REPO, make_course, run_cli

MOUNTS = """\
/dev/sda1 / ext4 rw,relatime 0 0
server:/export /home/me/nfs nfs4 rw 0 0
drvfs /mnt/c 9p rw 0 0
sshfs#me@host: /home/me/remote fuse.sshfs rw 0 0
/dev/sdb1 /home/me/my\\040disk ext4 rw 0 0
"""


def test_polling_is_chosen_for_shared_and_network_folders() -> None:
    assert fs_type(Path("/home/me/nfs/course"), MOUNTS) == "nfs4"
    assert fs_type(Path("/home/me/nfsnot"), MOUNTS) == "ext4"  # a prefix of the name is not a parent
    assert fs_type(Path("/home/me/my disk/x"), MOUNTS) == "ext4"
    assert needs_polling(Path("/home/me/nfs/course"), MOUNTS)
    assert needs_polling(Path("/mnt/c/Users/me/work"), MOUNTS)
    assert needs_polling(Path("/home/me/remote/work"), MOUNTS)
    assert not needs_polling(Path("/home/me/work"), MOUNTS)


@pytest.fixture
def course2(tmp_path: Path) -> Path:
    return make_course(tmp_path / "course", ["lesson7.softmax_ce", "lesson7.weight_decay"])


@pytest.fixture
def ws(course2: Path, tmp_path: Path) -> Path:
    res = run_cli("init", str(tmp_path / "work"), "--course", str(course2))
    assert res.code == 0, res.stderr
    return tmp_path / "work"


def _watcher(course2: Path, ws: Path, **kw) -> tuple[Watcher, io.StringIO]:
    buf = io.StringIO()
    course = load(course2)
    out = Console(file=buf, no_color=True, width=120)
    return Watcher(course, ws, [course.lesson("lesson7")], out, **kw), buf


@pytest.mark.parametrize("poll", [False, True])
def test_a_save_is_seen_and_mapped_to_its_exercise(course2: Path, ws: Path, poll: bool) -> None:
    w, _ = _watcher(course2, ws, poll=poll, debounce_ms=300, step_ms=50)
    target = ws / "lesson7" / "weight_decay.py"
    seen: list = []

    def save() -> None:
        # Save again every so often until the watcher reports: a loaded machine may start the
        # watcher (its first polling snapshot) after the first save.
        n = 0
        while not w.stop_event.is_set() and n < 20:
            time.sleep(0.8)
            (ws / "lesson7" / "README.md").write_text(f"not an exercise {n}")
            tmp = target.with_name(".weight_decay.py.swp")
            tmp.write_text(target.read_text() + f"\n# edited {n}\n")
            os.replace(tmp, target)  # how many editors save
            n += 1

    threading.Thread(target=save, daemon=True).start()
    deadline = time.monotonic() + 20
    for changes in w._changes():
        refs = {w.by_path.get(Path(p).resolve()) for _, p in changes}
        seen += [r.qualified_id for r in refs if r is not None]
        if seen or time.monotonic() > deadline:
            w.stop_event.set()
    assert seen == ["lesson7.weight_decay"]


def test_each_failure_shows_the_next_hint_and_a_pass_does_not_move_on(
    course2: Path, ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from grader.engine.results import ExerciseResult, LessonResult, Status

    statuses = iter([Status.FAILED, Status.FAILED, Status.PASSED])
    graded: list[str] = []

    def fake_grade_target(course, target, workspace, opts, **kw) -> LessonResult:
        graded.append(target)
        status = next(statuses)
        level = len(graded) if status is Status.FAILED else 0
        ex = ExerciseResult(target, "t", status, 10.0 if status is Status.PASSED else 0.0, 10.0, n_hints=3,
                            hint=f"hint text {level}" if level else None, hint_level=level)  # fmt: skip
        return LessonResult("lesson7", "t", status, ex.score, 10.0, [ex])

    monkeypatch.setattr(checking, "grade_target", fake_grade_target)
    w, buf = _watcher(course2, ws)
    path = ws / "lesson7" / "softmax_ce.py"
    for i in range(3):
        path.write_text(f"# attempt {i}\n")
        w._on_changes({(2, str(path))})
    path.write_text("# attempt 2\n")  # saved again without a change: not graded again
    w._on_changes({(2, str(path))})
    text = buf.getvalue()
    assert graded == ["lesson7.softmax_ce"] * 3
    assert "hint text 1" in text and "hint text 2" in text  # each failure's report carries the next level
    assert "press h for the next hint" in text
    w.show_hint(w.current)  # h after the second failure brings level 3, the last
    assert "hint 3 of 3 (the last)" in buf.getvalue()
    assert "lesson7.softmax_ce passed — press n for the next exercise" in text
    assert w.current.qualified_id == "lesson7.softmax_ce"  # never advances on its own
    w.next_exercise()
    assert w.current.qualified_id == "lesson7.weight_decay"
    assert "lesson7/weight_decay.py" in buf.getvalue()


def test_keys_hint_next_list_quit(course2: Path, ws: Path) -> None:
    w, buf = _watcher(course2, ws)
    for k in "hhln":
        w.keys.put(k)
    assert w._handle_keys() is False
    text = buf.getvalue()
    assert "hint 1 of 3" in text and "hint 2 of 3" in text and "← next up" in text
    assert w.current.qualified_id == "lesson7.weight_decay"
    w.keys.put("q")
    assert w._handle_keys() is True and w.stop_event.is_set()


def test_watch_needs_the_lesson_folders(course2: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(UsageError, match="none of the folders"):
        _watcher(course2, empty)


# ---------------------------------------------------------------------- in a real terminal


@pytest.mark.slow
def test_watch_in_a_terminal(course2: Path, ws: Path) -> None:
    import pexpect

    env = dict(os.environ, NO_COLOR="1", COLUMNS="160", PYTHONPATH=str(REPO))
    env.pop("DLGRADE_COURSE", None)
    child = pexpect.spawn(
        sys.executable,
        ["-m", "grader", "watch", "lesson7"],
        cwd=str(ws),  # the workspace names its course: no --course needed
        env=env,
        encoding="utf-8",
        timeout=180,
        dimensions=(50, 160),
    )
    try:
        child.expect("ready: save an exercise file")
        exercise = ws / "lesson7" / "softmax_ce.py"
        with exercise.open("a") as fh:
            fh.write("\n# still working on it\n")
        child.expect("lesson7.softmax_ce not passed yet")
        child.expect("waiting for the next save")
        child.send("h")
        child.expect("hint 2 of 3")
        tmp = exercise.with_name(".softmax_ce.py.tmp")
        shutil.copy(course2 / "solutions" / "lesson7" / "softmax_ce.py", tmp)
        os.replace(tmp, exercise)
        child.expect("lesson7.softmax_ce passed")
        child.expect("waiting for the next save")
        child.send("n")
        child.expect("next: lesson7.weight_decay")
        child.send("q")
        child.expect("stopped watching")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0
    res = run_cli("progress", "lesson7", "--format", "json", cwd=ws)
    attempts = res.json["lessons"][0]["exercises"][0]
    assert attempts["attempts"] == 2 and attempts["status"] == "passed" and attempts["hints_seen"] == 2
    assert res.json["lessons"][0]["exercises"][1]["attempts"] == 0  # only the saved exercise was graded
