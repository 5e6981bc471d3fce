"""Learner workspaces: where the learner's files are, and which course they belong to."""

from __future__ import annotations

import json
from pathlib import Path

from grader.errors import UsageError

MARKER = Path(".dlgrade") / "workspace.json"


def find_workspace(start: Path | None = None) -> Path | None:
    here = (start or Path.cwd()).resolve()
    for d in (here, *here.parents):
        if (d / MARKER).is_file():
            return d
    return None


def course_of_workspace(ws: Path) -> Path:
    try:
        data = json.loads((ws / MARKER).read_text(encoding="utf-8"))
        root = Path(data["course"])
    except (OSError, ValueError, KeyError, TypeError):
        raise UsageError(f"{ws / MARKER} is damaged", fix="run `dlgrade init` again in a new folder") from None
    if not (root / "curriculum.yaml").is_file():
        raise UsageError(
            f"the course of this workspace ({root}) is gone", file=str(ws / MARKER), fix="pass --course DIR"
        )
    return root
