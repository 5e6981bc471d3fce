"""The learner's progress: a small SQLite database, schema versioned.

Kept in ``<workspace>/.dlgrade/progress.sqlite`` (or the read-only fallback of ``grader.course.paths``). No torch
here: ``dlgrade list`` reads it.

The schema is versioned with ``PRAGMA user_version`` and migrated forward on open; a database from a newer dlgrade
is refused with a message, never damaged.
"""

from __future__ import annotations

import time
from pathlib import Path

from grader.course import paths
from grader.progress.store import open_versioned

SCHEMA_VERSION = 2

# Migration n brings a database from user_version n-1 to n. Never edit a released step: add the next one.
# Step 1 is written with IF NOT EXISTS because the first release created its tables that way.
MIGRATIONS: dict[int, str] = {
    1: """
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
    """,
    2: """
    CREATE INDEX IF NOT EXISTS quiz_attempts_lesson ON quiz_attempts(lesson);
    CREATE TABLE hints_seen (
        id INTEGER PRIMARY KEY,
        exercise TEXT NOT NULL,
        level INTEGER NOT NULL,
        at REAL NOT NULL
    );
    CREATE INDEX hints_seen_exercise ON hints_seen(exercise);
    """,
}


class Progress:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.db = open_versioned(path, MIGRATIONS, SCHEMA_VERSION, "progress")

    @classmethod
    def for_workspace(cls, workspace: Path) -> Progress:
        return cls(paths.store_path(workspace, paths.PROGRESS_DB))

    @classmethod
    def read(cls, workspace: Path) -> Progress | None:
        """The workspace's progress when there is some; None when nothing has been recorded yet."""
        path = paths.existing_store(workspace, paths.PROGRESS_DB)
        return cls(path) if path is not None else None

    @property
    def version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    # ------------------------------------------------------------------ writing

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

    def record_hint(self, exercise: str, level: int) -> None:
        self.db.execute("INSERT INTO hints_seen (exercise, at, level) VALUES (?, ?, ?)", (exercise, time.time(), level))
        self.db.commit()

    # ------------------------------------------------------------------ reading

    def summary(self) -> dict[str, dict]:
        """exercise -> {attempts, best, max, passed, last_status, first_pass, first_attempt, fails_since_pass}"""
        rows = self.db.execute(
            "SELECT exercise, COUNT(*), MAX(score), MAX(max_score), "
            "MIN(CASE WHEN status = 'passed' THEN at END), MIN(at), "
            "(SELECT status FROM attempts a2 WHERE a2.exercise = a.exercise ORDER BY at DESC, id DESC LIMIT 1) "
            "FROM attempts a GROUP BY exercise"
        ).fetchall()
        return {
            r[0]: {
                "attempts": r[1],
                "best": r[2],
                "max": r[3],
                "first_pass": r[4],
                "first_attempt": r[5],
                "last_status": r[6],
                "passed": r[4] is not None,
            }
            for r in rows
        }

    def hint_levels(self) -> dict[str, int]:
        """exercise -> the highest hint level seen."""
        rows = self.db.execute("SELECT exercise, MAX(level) FROM hints_seen GROUP BY exercise").fetchall()
        return {r[0]: int(r[1]) for r in rows}

    def quiz_summary(self) -> dict[str, dict]:
        rows = self.db.execute(
            "SELECT lesson, COUNT(*), MAX(score), MAX(max_score) FROM quiz_attempts GROUP BY lesson"
        ).fetchall()
        return {r[0]: {"attempts": r[1], "best": r[2], "max": r[3]} for r in rows}

    def close(self) -> None:
        self.db.close()
