"""Every path dlgrade keeps for a learner, in one place.

A workspace (made by ``dlgrade init``) holds the learner's files and a ``.dlgrade/`` folder of dlgrade's own:

    .dlgrade/workspace.json      which course this workspace belongs to
    .dlgrade/backup/             files replaced by ``dlgrade reset``
    .dlgrade/progress.sqlite     attempts, best scores, hints seen, quiz scores
    .dlgrade/review.sqlite       the flashcard schedule
    .dlgrade/quiz-<lesson>.json  answers of a quiz left before the end (resumed next time)
    .dlgrade/quiz_log.jsonl      every quiz answered, one line each

When the workspace cannot be written (a course installed read-only), the stores live in the user data folder
instead (``$DLGRADE_DATA_DIR``, ``$XDG_DATA_HOME/dlgrade`` or ``~/.local/share/dlgrade``), one set per workspace.
No torch, no other grader module but the errors.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

from grader.errors import UsageError

DOT = ".dlgrade"
MARKER = Path(DOT) / "workspace.json"
BACKUP_DIR = Path(DOT) / "backup"
PROGRESS_DB = "progress.sqlite"
REVIEW_DB = "review.sqlite"
QUIZ_LOG = "quiz_log.jsonl"


def quiz_state(lesson_id: str) -> str:
    """The file name of a quiz in progress."""
    return f"quiz-{lesson_id}.json"


def find_workspace(start: Path | None = None) -> Path | None:
    """The workspace that holds ``start`` (default: the working folder), if any."""
    here = (start or Path.cwd()).resolve()
    for d in (here, *here.parents):
        if (d / MARKER).is_file():
            return d
    return None


def is_workspace(path: Path) -> bool:
    return (path / MARKER).is_file()


def course_of_workspace(ws: Path) -> Path | None:
    """The course a workspace belongs to; None when ``ws`` is not a workspace."""
    marker = ws / MARKER
    if not marker.is_file():
        return None
    try:
        data = json.loads(marker.read_text(encoding="utf-8"))
        root = Path(data["course"])
    except (OSError, ValueError, KeyError, TypeError):
        raise UsageError(f"{marker} is damaged", fix="run `dlgrade init` again in a new folder") from None
    if not (root / "curriculum.yaml").is_file():
        raise UsageError(f"the course of this workspace ({root}) is gone", file=str(marker), fix="pass --course DIR")
    return root


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


def _fallback(workspace: Path, name: str) -> Path:
    ws = workspace.resolve()
    digest = hashlib.sha1(str(ws).encode()).hexdigest()[:12]
    stem, dot, ext = name.rpartition(".")
    return user_data_dir() / (stem or ext) / f"{ws.name or 'root'}-{digest}{dot}{ext if stem else ''}"


def _writable(workspace: Path) -> bool:
    d = workspace / DOT
    if d.is_dir():
        return os.access(d, os.W_OK | os.X_OK)
    return workspace.is_dir() and os.access(workspace, os.W_OK | os.X_OK)


def store_path(workspace: Path, name: str) -> Path:
    """Where the workspace's file ``name`` (``progress.sqlite``...) is, or will be, kept."""
    local = workspace / DOT / name
    if local.is_file() or _writable(workspace):
        return local
    return _fallback(workspace, name)


def existing_store(workspace: Path, name: str) -> Path | None:
    """The workspace's file ``name`` if it has been written (in the workspace or in the fallback folder)."""
    for p in (workspace / DOT / name, _fallback(workspace, name)):
        if p.is_file():
            return p
    return None
