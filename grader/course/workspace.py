"""Learner workspaces: where the learner's files are, and which course they belong to.

A workspace is a folder made by ``dlgrade init``: the course's stubs and lesson notes, laid out like ``exercises/``
(``lesson7/softmax_ce.py``), plus ``.dlgrade/workspace.json`` naming the course. Course updates never touch it:
running ``init`` again only adds files that are missing.

``init --notebooks`` makes a notebook workspace instead: one ``<lesson>.ipynb`` per lesson at its top (the notes,
then one marked cell per exercise; see ``grader.course.notebooks``), and the marker says so, so a later ``init``
adds missing notebooks, and the cells of exercises no notebook holds, rather than ``.py`` files.
"""

from __future__ import annotations

import filecmp
import json
import os
import shutil
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from grader.course import notebooks
from grader.course.paths import BACKUP_DIR, MARKER, is_workspace
from grader.errors import UsageError

if TYPE_CHECKING:
    from grader.course.curriculum import Course, ExerciseRef

WORKSPACE_FORMAT = 1
FILES, NOTEBOOKS = "files", "notebooks"  # the layouts of a workspace


# ---------------------------------------------------------------------- init


@dataclass
class InitReport:
    workspace: Path
    created: list[Path] = field(default_factory=list)  # relative to the workspace
    kept: list[Path] = field(default_factory=list)  # already there: the learner's, left alone
    new: bool = True  # a new workspace (not an update of an existing one)
    layout: str = FILES
    cells: list[str] = field(default_factory=list)  # exercises whose cells were added to an existing notebook


def _files_for(course: Course) -> list[tuple[Path, Path]]:
    """(source in the course, destination relative to a workspace): every stub and every lesson's notes."""
    pairs: list[tuple[Path, Path]] = []
    for lesson in course.lessons:
        refs = course.exercises(lesson)
        for ref in refs:
            pairs.append((ref.stub_path, Path(ref.filename)))
        notes = course.notes_path(lesson)
        if notes.is_file():
            folder = Path(refs[0].filename).parent if refs else Path(lesson.id)
            pairs.append((notes, folder / "README.md"))
    return pairs


def init_workspace(course: Course, dest: Path, *, notebooks: bool = False) -> InitReport:
    """Make ``dest`` a workspace of ``course``, or add what is missing to one; never overwrite a file.

    ``notebooks``: one notebook per lesson instead of ``.py`` files. A notebook workspace stays one: ``init`` there
    adds notebooks (and cells) whether or not it is asked for them."""
    dest = dest.expanduser().resolve()
    if dest.exists() and not dest.is_dir():
        raise UsageError(f"{dest} is a file, not a folder", fix="choose a new folder name")
    existing = is_workspace(dest)
    layout = NOTEBOOKS if notebooks else FILES
    if existing:
        _check_same_course(dest, course)
        layout = _check_layout(dest, notebooks)
    elif dest.is_dir() and any(dest.iterdir()):
        raise UsageError(
            f"{dest} is not empty and is not a dlgrade workspace",
            fix="choose a new (or empty) folder, e.g. `dlgrade init ~/dlgrade-work`",
        )
    for inside in (course.root / course.data.paths.exercises, course.root / course.data.paths.solutions):
        if dest == inside.resolve() or dest.is_relative_to(inside.resolve()):
            raise UsageError(f"{dest} is inside the course's {inside.name}/ folder", fix="choose a folder outside it")
    report = InitReport(dest, new=not existing, layout=layout)
    dest.mkdir(parents=True, exist_ok=True)
    if layout == NOTEBOOKS:
        _add_notebooks(course, dest, report)
        _write_marker(dest, course, layout)
        return report
    for src, rel in _files_for(course):
        out = dest / rel
        if out.exists() or out.is_symlink():
            report.kept.append(rel)
            continue
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, out)
        report.created.append(rel)
    _write_marker(dest, course, layout)
    return report


def layout_of(ws: Path) -> str:
    """``files`` or ``notebooks``: how a workspace holds its exercises (``files`` when its marker does not say)."""
    try:
        data = json.loads((ws / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return FILES
    return NOTEBOOKS if isinstance(data, dict) and data.get("layout") == NOTEBOOKS else FILES


def _check_layout(ws: Path, notebooks: bool) -> str:
    layout = layout_of(ws)
    if notebooks and layout == FILES:
        raise UsageError(
            f"{ws} is a workspace of .py files: notebooks there would take the place of your files",
            file=str(ws / MARKER),
            fix="make a notebook workspace in a new folder: `dlgrade init DIR --notebooks`",
        )
    return layout


def _add_notebooks(course: Course, ws: Path, report: InitReport) -> None:
    """One notebook per lesson, ``<lesson>.ipynb``; in an existing workspace, only what is missing: a lesson's
    notebook when none is there, and the cells of exercises no notebook holds (added at the end of the lesson's)."""
    held = notebooks.workspace_cells(course, ws) if report.new is False else {}
    for lesson in course.lessons:
        refs = course.exercises(lesson)
        rel = Path(f"{lesson.id}{notebooks.SUFFIX}")
        path = ws / rel
        missing = [r for r in refs if r.qualified_id not in held]
        if path.exists() or path.is_symlink():
            report.kept.append(rel)
            if missing and path.is_file() and not path.is_symlink():
                notebooks.append_exercises(path, missing)
                report.cells.extend(r.qualified_id for r in missing)
            continue
        if refs and not missing:
            continue  # every exercise of the lesson has its cell in another notebook (a renamed copy)
        if not refs and not course.notes_path(lesson).is_file():
            continue
        notebooks.write_notebook(path, notebooks.lesson_notebook(course, lesson, missing))
        report.created.append(rel)


def _check_same_course(ws: Path, course: Course) -> None:
    try:
        old = Path(json.loads((ws / MARKER).read_text(encoding="utf-8"))["course"])
    except (OSError, ValueError, KeyError, TypeError):
        return  # damaged: rewritten below
    if old.resolve() != course.root.resolve() and (old / "curriculum.yaml").is_file():
        raise UsageError(
            f"{ws} is a workspace of another course ({old})",
            file=str(ws / MARKER),
            fix=f"run `dlgrade init` there with --course {old}, or choose a new folder",
        )


def _write_marker(ws: Path, course: Course, layout: str = FILES) -> None:
    from grader import __version__

    path = ws / MARKER
    data: dict[str, object] = {}
    if path.is_file():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        if not isinstance(data, dict):
            data = {}
    data.update(
        {
            "format": WORKSPACE_FORMAT,
            "course": str(course.root.resolve()),
            "title": course.data.title,
            "dlgrade": __version__,
            "layout": layout,
        }
    )
    data.setdefault("created", datetime.now(timezone.utc).isoformat(timespec="seconds"))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)


# ---------------------------------------------------------------------- reset


@dataclass
class ResetPlan:
    target: Path  # the learner's file
    stub: Path  # the course's stub
    exists: bool  # the learner's file exists
    unchanged: bool  # it is already the stub


def plan_reset(ref: ExerciseRef, ws: Path) -> ResetPlan:
    if not is_workspace(ws):
        raise UsageError(
            f"{ws} is not a workspace made by `dlgrade init`, so there is no separate stub to restore",
            fix="make one with `dlgrade init DIR` and work there "
            "(or, in a git checkout of the course, `git checkout -- <file>`)",
        )
    target = ws / ref.filename
    stub = ref.stub_path
    if not stub.is_file():
        raise UsageError(f"the stub of {ref.qualified_id} is missing from the course: {stub}")
    exists = target.is_file()
    unchanged = exists and filecmp.cmp(target, stub, shallow=False)
    return ResetPlan(target, stub, exists, unchanged)


def backup_path(ws: Path, ref: ExerciseRef, now: float | None = None) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now if now is not None else time.time()))
    base = ws / BACKUP_DIR / f"{ref.qualified_id}.{stamp}"
    path = base.with_name(base.name + ".py")
    n = 1
    while path.exists():
        path = base.with_name(f"{base.name}-{n}.py")
        n += 1
    return path


def reset_exercise(ref: ExerciseRef, ws: Path) -> Path | None:
    """Put a fresh copy of the stub in place; move the learner's file to the backup folder. Return the backup."""
    plan = plan_reset(ref, ws)
    backup = None
    if plan.exists and not plan.unchanged:
        backup = backup_path(ws, ref)
        backup.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(plan.target), backup)
    if not plan.unchanged:
        plan.target.parent.mkdir(parents=True, exist_ok=True)
        tmp = plan.target.with_name(plan.target.name + ".dlgrade-tmp")
        shutil.copyfile(plan.stub, tmp)
        os.replace(tmp, plan.target)
    return backup
