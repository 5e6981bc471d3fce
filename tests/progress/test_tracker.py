"""grader/progress/tracker.py: the progress database (versioned, migrated, read-only fallback)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from grader.course import paths
from grader.errors import UsageError
from grader.progress.tracker import SCHEMA_VERSION, Progress


def _record(ws: Path, *rows: tuple[str, str, float]) -> None:
    prog = Progress.for_workspace(ws)
    for exercise, status, score in rows:
        prog.record(exercise, status, score, 10)
    prog.close()


def test_progress_summary_best_score_and_first_pass(tmp_path: Path) -> None:
    prog = Progress(tmp_path / "p.sqlite")
    prog.record("l.a", "failed", 7, 10)
    prog.record("l.a", "passed", 10, 10)
    prog.record("l.a", "failed", 2, 10)
    s = prog.summary()["l.a"]
    assert s["attempts"] == 3 and s["best"] == 10 and s["passed"] and s["last_status"] == "failed"
    assert s["first_attempt"] <= s["first_pass"]
    prog.record_hint("l.a", 2)
    assert prog.hint_levels() == {"l.a": 2}
    prog.close()


V1_SCHEMA = """
CREATE TABLE attempts (id INTEGER PRIMARY KEY, exercise TEXT NOT NULL, at REAL NOT NULL, status TEXT NOT NULL,
                       score REAL NOT NULL, max_score REAL NOT NULL);
CREATE INDEX attempts_exercise ON attempts(exercise);
CREATE TABLE quiz_attempts (id INTEGER PRIMARY KEY, lesson TEXT NOT NULL, at REAL NOT NULL, score REAL NOT NULL,
                            max_score REAL NOT NULL);
INSERT INTO attempts (exercise, at, status, score, max_score) VALUES ('lesson7.softmax_ce', 1.0, 'passed', 10, 10);
INSERT INTO quiz_attempts (lesson, at, score, max_score) VALUES ('lesson7', 2.0, 4, 5);
PRAGMA user_version = 1;
"""


def test_a_version_1_database_is_migrated_and_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path)
    db.executescript(V1_SCHEMA)
    db.close()
    prog = Progress(path)
    assert prog.version == SCHEMA_VERSION == 2
    assert prog.summary()["lesson7.softmax_ce"]["passed"]
    assert prog.quiz_summary()["lesson7"]["best"] == 4
    prog.record_hint("lesson7.softmax_ce", 1)
    prog.close()
    assert Progress(path).hint_levels() == {"lesson7.softmax_ce": 1}  # reopening runs no migration twice


def test_a_newer_database_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite"
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 99")
    db.close()
    with pytest.raises(UsageError, match="newer than this dlgrade"):
        Progress(path)
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == 99


def test_an_unwritable_workspace_keeps_progress_in_the_user_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DLGRADE_DATA_DIR", str(tmp_path / "data"))
    ws = tmp_path / "readonly-course" / "exercises"
    ws.mkdir(parents=True)
    assert paths.store_path(ws, "progress.sqlite") == ws / ".dlgrade" / "progress.sqlite"
    monkeypatch.setattr(paths, "_writable", lambda _ws: False)
    path = paths.store_path(ws, "progress.sqlite")
    assert path.is_relative_to(tmp_path / "data") and path.name.startswith("exercises-")
    _record(ws, ("lesson7.softmax_ce", "passed", 10))
    assert path.is_file() and not (ws / ".dlgrade").exists()
    assert Progress.read(ws) is not None
