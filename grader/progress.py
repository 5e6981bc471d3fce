"""The learner's progress: a small SQLite database, schema versioned.

Kept in ``<workspace>/.dlgrade/progress.sqlite``. No torch here: ``dlgrade list`` reads it.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

SCHEMA_VERSION = 1

SCHEMA = """
CREATE TABLE IF NOT EXISTS attempts (
    id INTEGER PRIMARY KEY,
    exercise TEXT NOT NULL,
    at REAL NOT NULL,
    status TEXT NOT NULL,
    score REAL NOT NULL,
    max_score REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS attempts_exercise ON attempts(exercise);
CREATE TABLE IF NOT EXISTS quiz_attempts (
    id INTEGER PRIMARY KEY,
    lesson TEXT NOT NULL,
    at REAL NOT NULL,
    score REAL NOT NULL,
    max_score REAL NOT NULL
);
"""


class Progress:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.db = sqlite3.connect(path)
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            from grader.errors import UsageError

            raise UsageError(f"{path} was written by a newer dlgrade", fix="upgrade dlgrade")
        self.db.executescript(SCHEMA)
        self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        self.db.commit()

    @classmethod
    def for_workspace(cls, workspace: Path) -> Progress:
        return cls(workspace / ".dlgrade" / "progress.sqlite")

    def record(self, exercise: str, status: str, score: float, max_score: float) -> None:
        self.db.execute(
            "INSERT INTO attempts (exercise, at, status, score, max_score) VALUES (?, ?, ?, ?, ?)",
            (exercise, time.time(), status, score, max_score),
        )
        self.db.commit()

    def record_quiz(self, lesson: str, score: float, max_score: float) -> None:
        self.db.execute(
            "INSERT INTO quiz_attempts (lesson, at, score, max_score) VALUES (?, ?, ?, ?)",
            (lesson, time.time(), score, max_score),
        )
        self.db.commit()

    def summary(self) -> dict[str, dict]:
        """exercise -> {attempts, best, max, passed, last_status, first_pass}"""
        rows = self.db.execute(
            "SELECT exercise, COUNT(*), MAX(score), MAX(max_score), "
            "MIN(CASE WHEN status = 'passed' THEN at END), "
            "(SELECT status FROM attempts a2 WHERE a2.exercise = a.exercise ORDER BY at DESC LIMIT 1) "
            "FROM attempts a GROUP BY exercise"
        ).fetchall()
        return {
            r[0]: {"attempts": r[1], "best": r[2], "max": r[3], "first_pass": r[4], "last_status": r[5],
                   "passed": r[4] is not None}
            for r in rows
        }

    def quiz_summary(self) -> dict[str, dict]:
        rows = self.db.execute(
            "SELECT lesson, COUNT(*), MAX(score), MAX(max_score) FROM quiz_attempts GROUP BY lesson"
        ).fetchall()
        return {r[0]: {"attempts": r[1], "best": r[2], "max": r[3]} for r in rows}

    def close(self) -> None:
        self.db.close()
