"""grader/progress/store.py: a damaged progress or review database is set aside, kept and named, never a traceback."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from grader.course import paths
from grader.progress.schedule import ReviewStore
from grader.progress.tracker import Progress
from tests.conftest import make_course, run_cli

N = 400  # attempts: enough rows for several pages


def _healthy(path: Path) -> bytes:
    prog = Progress(path)
    prog.record("lesson7.ex0", "failed", 0, 10)  # through the real writer once, then in bulk
    prog.db.executemany(
        "INSERT INTO attempts (exercise, at, status, score, max_score) VALUES (?, ?, 'failed', ?, 10)",
        [(f"lesson7.ex{i % 5}", 1.0 + i, i % 10) for i in range(1, N)],
    )
    prog.db.commit()
    prog.close()
    return path.read_bytes()


def truncated(path: Path) -> None:
    data = _healthy(path)
    path.write_bytes(data[: len(data) // 2 + 100])  # cut mid-page


def not_sqlite(path: Path) -> None:
    path.write_text("this is not a database\n" * 50)


def corrupt_page(path: Path) -> None:
    """Spoil the second page of attempt rows (a table b-tree leaf: type byte 0x0D, holding rows)."""
    data = bytearray(_healthy(path))
    size = int.from_bytes(data[16:18], "big") or 65536
    pages = [bytes(data[n * size : (n + 1) * size]) for n in range(len(data) // size)]
    leaves = [n for n, page in enumerate(pages) if n and page[0] == 0x0D and b"failed" in page]
    assert len(leaves) >= 3
    start = leaves[1] * size
    data[start : start + 200] = b"\xa5" * 200
    path.write_bytes(bytes(data))


DAMAGE = {"truncated": truncated, "not_sqlite": not_sqlite, "corrupt_page": corrupt_page}


def _kept(path: Path) -> list[Path]:
    return sorted(path.parent.glob(path.name + ".damaged-*"))


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_damaged_progress_database_is_kept_and_a_fresh_one_started(
    damage: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "progress.sqlite"
    DAMAGE[damage](path)
    before = path.read_bytes()

    prog = Progress(path)  # no exception
    prog.record("lesson7.softmax_ce", "passed", 10, 10)
    assert prog.summary()["lesson7.softmax_ce"]["passed"]
    prog.close()

    kept = _kept(path)
    assert len(kept) == 1 and kept[0].read_bytes() == before  # nothing lost: the damaged file, byte for byte
    err = capsys.readouterr().err
    assert str(kept[0]) in err and "progress database" in err and "damaged" in err
    assert err.count("\n") == 1
    # The fresh file is healthy: opening it again sets nothing else aside and says nothing.
    Progress(path).close()
    assert _kept(path) == kept and capsys.readouterr().err == ""


def test_readable_records_are_carried_over(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "progress.sqlite"
    corrupt_page(path)
    prog = Progress(path)
    rows = prog.db.execute("SELECT id, exercise, score FROM attempts").fetchall()
    prog.close()
    recovered = len(rows)
    assert 0 < recovered < N  # the rows on readable pages, not the spoiled one
    for rid, exercise, score in rows:  # and each as it was written
        assert (exercise, score) == (f"lesson7.ex{(rid - 1) % 5}", (rid - 1) % 10)
    assert f"{recovered} records recovered" in capsys.readouterr().err


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_damaged_review_database_too(damage: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "review.sqlite"
    if damage == "not_sqlite":
        not_sqlite(path)
    else:
        # Any healthy SQLite file of some pages will do: damage it the same way.
        db = sqlite3.connect(path)
        db.execute("CREATE TABLE filler (x TEXT)")
        db.executemany("INSERT INTO filler VALUES (?)", [("x" * 200,)] * 200)
        db.commit()
        db.close()
        data = bytearray(path.read_bytes())
        if damage == "truncated":
            data = data[: len(data) // 2 + 100]
        else:
            page = int.from_bytes(data[16:18], "big")
            data[2 * page : 2 * page + 200] = b"\xa5" * 200
        path.write_bytes(bytes(data))
    store = ReviewStore(path)
    assert store.states() == {}
    store.close()
    assert len(_kept(path)) == 1
    assert "review database" in capsys.readouterr().err


def test_a_locked_database_is_not_mistaken_for_a_damaged_one(tmp_path: Path) -> None:
    from grader.progress.store import is_damage

    assert not is_damage(sqlite3.OperationalError("database is locked"))
    assert is_damage(sqlite3.DatabaseError("file is not a database"))


def test_the_cli_keeps_going_and_names_the_kept_file(tmp_path: Path) -> None:
    course = make_course(tmp_path / "course", ["lesson7.softmax_ce"])
    ws = tmp_path / "ws"
    res = run_cli("init", str(ws), "--course", str(course))
    assert res.code == 0, res.stderr
    db = paths.store_path(ws, paths.PROGRESS_DB)
    db.parent.mkdir(parents=True, exist_ok=True)
    db.write_bytes(b"SQLite format 3\x00" + b"\xff" * 3000)  # a header, then garbage
    res = run_cli("list", cwd=ws)
    assert res.code == 0, res.stderr
    assert "Traceback" not in res.stderr
    kept = _kept(db)
    assert len(kept) == 1 and str(kept[0]) in res.stderr
