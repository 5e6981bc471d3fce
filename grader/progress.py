"""The learner's progress: a small SQLite database, schema versioned.

Kept in ``<workspace>/.dlgrade/progress.sqlite``; when the workspace cannot be written (a course installed
read-only), in the user data dir instead (``$DLGRADE_DATA_DIR``, ``$XDG_DATA_HOME/dlgrade`` or
``~/.local/share/dlgrade``), one file per workspace. No torch here: ``dlgrade list`` reads it.

The schema is versioned with ``PRAGMA user_version`` and migrated forward on open; a database from a newer dlgrade
is refused with a message, never damaged.
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from pathlib import Path

from grader.store import open_versioned

SCHEMA_VERSION = 2
DB_NAME = "progress.sqlite"

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


def user_data_dir() -> Path:
    env = os.environ.get("DLGRADE_DATA_DIR")
    if env:
        return Path(env).expanduser()
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local")) / "dlgrade"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "dlgrade"
    xdg = os.environ.get("XDG_DATA_HOME")
    return (Path(xdg) if xdg else Path.home() / ".local" / "share") / "dlgrade"


def _fallback_path(workspace: Path) -> Path:
    ws = workspace.resolve()
    digest = hashlib.sha1(str(ws).encode()).hexdigest()[:12]
    return user_data_dir() / "progress" / f"{ws.name or 'root'}-{digest}.sqlite"


def _writable(workspace: Path) -> bool:
    d = workspace / ".dlgrade"
    if d.is_dir():
        return os.access(d, os.W_OK | os.X_OK)
    return workspace.is_dir() and os.access(workspace, os.W_OK | os.X_OK)


def progress_path(workspace: Path) -> Path:
    """Where this workspace's progress is (or will be) kept."""
    local = workspace / ".dlgrade" / DB_NAME
    if local.is_file() or _writable(workspace):
        return local
    return _fallback_path(workspace)


def existing_progress_path(workspace: Path) -> Path | None:
    """The progress database of this workspace, if one has been written."""
    for p in (workspace / ".dlgrade" / DB_NAME, _fallback_path(workspace)):
        if p.is_file():
            return p
    return None


class Progress:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.db = open_versioned(path, MIGRATIONS, SCHEMA_VERSION, "progress")

    @classmethod
    def for_workspace(cls, workspace: Path) -> Progress:
        return cls(progress_path(workspace))

    @classmethod
    def read(cls, workspace: Path) -> Progress | None:
        """The workspace's progress when there is some; None when nothing has been recorded yet."""
        path = existing_progress_path(workspace)
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

    def failures_in_a_row(self, exercise: str) -> int:
        """Failed attempts since the last pass (or since the start)."""
        row = self.db.execute(
            "SELECT COUNT(*) FROM attempts WHERE exercise = ? AND status != 'passed' AND at > "
            "COALESCE((SELECT MAX(at) FROM attempts WHERE exercise = ? AND status = 'passed'), -1)",
            (exercise, exercise),
        ).fetchone()
        return int(row[0])

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
