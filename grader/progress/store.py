"""Open a learner's SQLite store with a versioned schema: migrate older files, refuse newer ones."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from grader.errors import UsageError


def open_versioned(path: Path, migrations: dict[int, str], schema_version: int, what: str) -> sqlite3.Connection:
    """Connect to ``path``, applying ``migrations[v]`` for every version above the file's own.

    Each migration runs in a transaction with its version bump, so an interrupted upgrade leaves the
    file at the last complete version. ``what`` names the store in messages ("progress", "review").
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(path)
        version = db.execute("PRAGMA user_version").fetchone()[0]
    except (OSError, sqlite3.DatabaseError) as exc:
        raise UsageError(
            f"cannot open the {what} database: {exc}",
            file=str(path),
            fix="check the folder is writable, or move the damaged file away",
        ) from None
    if version > schema_version:
        db.close()
        raise UsageError(
            f"the {what} database has schema version {version}, newer than this dlgrade understands ({schema_version})",
            file=str(path),
            fix="upgrade dlgrade (pip install -U dlgrade)",
        )
    for step in range(version + 1, schema_version + 1):
        try:
            with db:
                db.executescript("BEGIN;" + migrations[step] + f"PRAGMA user_version = {step};COMMIT;")
        except sqlite3.DatabaseError as exc:
            db.close()
            raise UsageError(
                f"cannot upgrade the {what} database to version {step}: {exc}",
                file=str(path),
                fix="check the file is writable, or move it away to start afresh",
            ) from None
    return db
