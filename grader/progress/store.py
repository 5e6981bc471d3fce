"""Open a learner's SQLite store with a versioned schema: migrate older files, refuse newer, set damaged aside.

A damaged file (not SQLite, cut short, a corrupt page) is never deleted and never a traceback: it is renamed beside
itself (``progress.sqlite.damaged-20250101-120000``), the records that can still be read are copied into a fresh
database, and one line on stderr names the kept file.
"""

from __future__ import annotations

import sqlite3
import sys
import time
from pathlib import Path

from grader.errors import UsageError

SQLITE_CORRUPT = 11
SQLITE_NOTADB = 26
DAMAGE_WORDS = ("malformed", "not a database", "corrupt", "disk image")
SIDE_FILES = ("-journal", "-wal", "-shm")


class Damaged(Exception):
    """The file is not a healthy SQLite database."""


def is_damage(exc: sqlite3.DatabaseError) -> bool:
    """Whether an error means a damaged file (as opposed to a locked or read-only one)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None and code & 0xFF in (SQLITE_CORRUPT, SQLITE_NOTADB):
        return True
    return any(w in str(exc).lower() for w in DAMAGE_WORDS)


def _open_checked(path: Path) -> tuple[sqlite3.Connection, int]:
    """Connect and prove the file healthy: (connection, user_version). Raises Damaged."""
    db = sqlite3.connect(path)
    try:
        version = int(db.execute("PRAGMA user_version").fetchone()[0])
        problems = [r[0] for r in db.execute("PRAGMA quick_check").fetchall()]
    except sqlite3.DatabaseError as exc:
        db.close()
        if is_damage(exc):
            raise Damaged(str(exc)) from None
        raise
    if problems != ["ok"]:
        db.close()
        first = " ".join(str(problems[0]).split()) if problems else "the integrity check returned nothing"
        raise Damaged(first.removeprefix("*** in database main *** ")[:160])
    return db, version


def set_aside(path: Path) -> Path:
    """Rename ``path`` (and its journal files) to a free ``<name>.damaged-<time>`` beside it; return the new path."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    kept = path.with_name(f"{path.name}.damaged-{stamp}")
    n = 1
    while kept.exists():
        n += 1
        kept = path.with_name(f"{path.name}.damaged-{stamp}-{n}")
    path.rename(kept)
    for suffix in SIDE_FILES:
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.rename(kept.with_name(kept.name + suffix))
    return kept


def salvage(damaged: Path, db: sqlite3.Connection) -> int:
    """Copy the rows still readable in ``damaged`` into ``db``'s tables of the same name and columns."""
    copied = 0
    try:
        src = sqlite3.connect(f"file:{damaged}?mode=ro", uri=True)
    except sqlite3.Error:
        return 0
    try:
        tables = [r[0] for r in src.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    except sqlite3.Error:
        src.close()
        return 0
    for table in tables:
        if table.startswith("sqlite_"):
            continue
        quoted = '"' + table.replace('"', '""') + '"'
        try:
            ours = [r[1] for r in db.execute(f"PRAGMA table_info({quoted})")]
            theirs = [r[1] for r in src.execute(f"PRAGMA table_info({quoted})")]
        except sqlite3.Error:
            continue
        columns = [c for c in theirs if c in ours]
        if not columns:
            continue
        names = ", ".join('"' + c.replace('"', '""') + '"' for c in columns)
        insert = f"INSERT OR IGNORE INTO {quoted} ({names}) VALUES ({', '.join('?' * len(columns))})"
        try:
            cursor = src.execute(f"SELECT {names} FROM {quoted}")
            while True:  # row by row: a bad page ends the table, what came before it is kept
                row = cursor.fetchone()
                if row is None:
                    break
                try:
                    copied += db.execute(insert, row).rowcount
                except sqlite3.Error:
                    continue
        except sqlite3.Error:
            pass
    src.close()
    db.commit()
    return copied


def open_versioned(path: Path, migrations: dict[int, str], schema_version: int, what: str) -> sqlite3.Connection:
    """Connect to ``path``, applying ``migrations[v]`` for every version above the file's own.

    Each migration runs in a transaction with its version bump, so an interrupted upgrade leaves the
    file at the last complete version. ``what`` names the store in messages ("progress", "review").
    A damaged file is set aside and a fresh database started (see the module's docstring).
    """
    kept: Path | None = None
    reason = ""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            db, version = _open_checked(path)
        except Damaged as exc:
            reason = str(exc)
            try:
                kept = set_aside(path)
            except OSError as err:
                raise UsageError(
                    f"the {what} database is damaged ({reason}) and could not be moved aside ({err.strerror})",
                    file=str(path),
                    fix="move the damaged file away by hand; dlgrade then starts a fresh one",
                ) from None
            db, version = _open_checked(path)
    except (OSError, sqlite3.DatabaseError, Damaged) as exc:
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
    if kept is not None:
        recovered = salvage(kept, db)
        print(
            f"warning: the {what} database {path} was damaged ({reason}); it is kept as {kept} and a fresh one "
            f"was started ({recovered} record{'s' if recovered != 1 else ''} recovered from it)",
            file=sys.stderr,
        )
    return db
