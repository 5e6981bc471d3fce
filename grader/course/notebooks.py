"""Notebooks: another way to write the exercise files. Reads marked cells, writes lesson notebooks.

A code cell is *marked* for an exercise by its first line, ``# dlgrade: lesson7.softmax_ce`` or the cell magic
``%%dlgrade lesson7.softmax_ce``, or, when its first line carries neither, by its metadata
``{"dlgrade": {"exercise": "lesson7.softmax_ce"}}``. A marked cell's code becomes the exercise's module
(``lesson7/softmax_ce.py``) in the run's temporary copy, in place of the workspace's file; its marker line stays as a
comment, so line numbers in feedback are the cell's own. Unmarked cells are ignored.

dlgrade reads the notebooks at the top of a workspace (``init --notebooks`` writes ``lesson7.ipynb`` there) and in
its lesson folders, never in hidden folders such as ``.ipynb_checkpoints``. The format is nbformat 4 JSON, read and
written here without a dependency (tests validate what is written against nbformat's own schema).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grader.errors import DlgradeError, UsageError

if TYPE_CHECKING:
    from grader.course.curriculum import Course, ExerciseRef, Lesson

SUFFIX = ".ipynb"
MAX_NOTEBOOK_BYTES = 64 * 1024 * 1024
NBFORMAT_MINOR = 5  # cells carry ids from 4.5 on
_COMMENT = re.compile(r"#\s*dlgrade\s*:\s*(?P<id>\S+)\s*")
_MAGIC = re.compile(r"%%dlgrade(?:\s+(?P<args>.*))?")
_CELL_ID = re.compile(r"[^a-zA-Z0-9_-]+")


# ---------------------------------------------------------------------- the %%dlgrade line


@dataclass(frozen=True)
class MagicLine:
    """What follows ``%%dlgrade``: the exercise and the options of the cell magic."""

    exercise: str
    course: Path | None = None
    workspace: Path | None = None
    timeout_s: float | None = None
    device: str = "cpu"
    sandbox: str = "portable"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"%%dlgrade: {message}", fix=f"write it as: {MAGIC_USAGE}")


MAGIC_USAGE = (
    "%%dlgrade lesson7.softmax_ce [--course DIR] [--workspace DIR] [--timeout SECONDS] [--device cpu] "
    "[--sandbox portable|strict]"
)


def parse_magic_line(line: str) -> MagicLine:
    """Parse the arguments of ``%%dlgrade`` (the text after it on the cell's first line)."""
    p = _Parser(prog="%%dlgrade", add_help=False)
    p.add_argument("exercise")
    p.add_argument("--course", type=Path)
    p.add_argument("--workspace", "-w", type=Path)
    p.add_argument("--timeout", type=float)
    p.add_argument("--device", choices=["cpu", "cuda", "auto"], default="cpu")
    p.add_argument("--sandbox", choices=["portable", "strict"], default="portable")
    try:
        words = shlex.split(line)
    except ValueError as exc:
        raise UsageError(f"%%dlgrade: {exc}", fix=f"write it as: {MAGIC_USAGE}") from None
    if not words:
        raise UsageError("%%dlgrade needs the exercise the cell is for", fix=f"write it as: {MAGIC_USAGE}")
    ns = p.parse_args(words)
    if ns.timeout is not None and ns.timeout <= 0:
        raise UsageError("%%dlgrade: --timeout must be a positive number of seconds", fix=f"e.g. {MAGIC_USAGE}")
    return MagicLine(ns.exercise, ns.course, ns.workspace, ns.timeout, ns.device, ns.sandbox)


def magic_exercise(args: str) -> str | None:
    """The exercise named on a ``%%dlgrade`` line (its first word that is not an option), or None."""
    try:
        return parse_magic_line(args).exercise
    except DlgradeError:
        try:
            words = shlex.split(args)
        except ValueError:
            words = args.split()
        return next((w for w in words if not w.startswith("-")), None)


def cell_module(exercise: str, body: str) -> str:
    """The module a ``%%dlgrade`` cell becomes: its marker line as a comment, then the code below it."""
    return f"# dlgrade: {exercise}\n{body}"


# ---------------------------------------------------------------------- reading


@dataclass(frozen=True)
class MarkedCell:
    notebook: Path
    number: int  # 1-based, counting every cell (Markdown included)
    exercise: str  # as written in the marker
    code: str  # the module text

    @property
    def where(self) -> str:
        return f"{self.notebook.name}, cell {self.number}"


def _source(cell: dict[str, Any], path: Path, number: int) -> str:
    src = cell.get("source", "")
    if isinstance(src, list) and all(isinstance(s, str) for s in src):
        return "".join(src)
    if isinstance(src, str):
        return src
    raise UsageError(
        "this cell's source is neither text nor a list of lines",
        file=str(path),
        place=f"cell {number}",
        fix="open the notebook in Jupyter and save it again, or delete the cell",
    )


def read_notebook(path: Path) -> dict[str, Any]:
    """A notebook's JSON, checked enough to find its cells; a clear error for anything else."""
    try:
        size = path.stat().st_size
        if size > MAX_NOTEBOOK_BYTES:
            raise UsageError(
                f"this notebook is {size // (1024 * 1024)} MiB, more than dlgrade reads "
                f"({MAX_NOTEBOOK_BYTES // (1024 * 1024)} MiB)",
                file=str(path),
                fix="clear its outputs (in Jupyter: Edit > Clear Outputs of All Cells) and save it",
            )
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read this notebook: {exc.strerror or exc}", file=str(path)) from None
    except UnicodeDecodeError:
        raise UsageError(
            "this notebook is not UTF-8 text", file=str(path), fix="save it again from Jupyter, or restore it"
        ) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"this is not a notebook: invalid JSON ({exc.msg})",
            file=str(path),
            place=f"line {exc.lineno}, column {exc.colno}",
            fix="restore it from a backup or Jupyter's checkpoint (File > Revert), or delete it and run "
            "`dlgrade init` in the workspace to add a fresh one",
        ) from None
    if isinstance(data, dict) and "worksheets" in data:
        raise UsageError(
            f"this notebook is in the old format {data.get('nbformat', 3)}",
            file=str(path),
            fix="open it in a current Jupyter and save it (it is converted to format 4)",
        )
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise UsageError(
            "this is not a notebook: no list of cells",
            file=str(path),
            fix="dlgrade reads Jupyter notebooks (nbformat 4); rename or move any other .ipynb file",
        )
    for n, cell in enumerate(data["cells"], 1):
        if not isinstance(cell, dict):
            raise UsageError("this cell is not an object", file=str(path), place=f"cell {n}", fix="delete the cell")
    return data


def _marker(cell: dict[str, Any], source: str) -> tuple[str | None, int | None]:
    """(the exercise a code cell is marked for, the index of its marker line), or (None, None)."""
    lines = source.splitlines()
    first = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    if first is not None:
        line = lines[first].strip()
        if m := _COMMENT.fullmatch(line):
            return m["id"], first
        if m := _MAGIC.fullmatch(line):
            return (magic_exercise(m["args"] or "") or ""), first
    meta = cell.get("metadata")
    mark = meta.get("dlgrade") if isinstance(meta, dict) else None
    if isinstance(mark, dict) and isinstance(mark.get("exercise"), str):
        return mark["exercise"], None
    return None, None


def _mentions_dlgrade(path: Path) -> bool:
    """Whether the file holds the word at all: a notebook that does not cannot hold a marked cell, and is not read
    (a broken or huge notebook of the learner's own stays as invisible to grading as it always was)."""
    try:
        with open(path, "rb") as fh:
            tail = b""
            while chunk := fh.read(1 << 20):
                if b"dlgrade" in tail + chunk:
                    return True
                tail = chunk[-6:]
    except OSError:
        return True  # read_notebook says why it cannot be read
    return False


def marked_cells(path: Path) -> list[MarkedCell]:
    """The marked code cells of one notebook, in order."""
    if not _mentions_dlgrade(path):
        return []
    out = []
    for n, cell in enumerate(read_notebook(path)["cells"], 1):
        if cell.get("cell_type") != "code":
            continue
        source = _source(cell, path, n)
        exercise, line = _marker(cell, source)
        if exercise is None:
            continue
        if not exercise:
            raise UsageError(
                "this cell starts with %%dlgrade but names no exercise",
                file=str(path),
                place=f"cell {n}",
                fix=f"write the exercise after it: {MAGIC_USAGE}",
            )
        if line is not None:
            lines = source.splitlines(keepends=True)
            lines[line] = f"# dlgrade: {exercise}\n"  # a magic line is not Python; line numbers stay the cell's
            source = "".join(lines)
        out.append(MarkedCell(path, n, exercise, source))
    return out


def lesson_folders(course: Course) -> list[str]:
    """The lesson folders of a workspace (``lesson7``), where notebooks may live besides its top."""
    return sorted({Path(ref.filename).parent.as_posix() for ref in course.all_exercises()} - {"."})


def find_notebooks(ws: Path, folders: Iterable[str]) -> list[Path]:
    """The notebooks dlgrade reads: at the top of ``ws`` and in the given folders, not hidden, not links out."""
    root = ws.resolve()
    out: list[Path] = []
    for d in [ws, *(ws / f for f in folders)]:
        if not d.is_dir():
            continue
        for p in sorted(d.glob(f"*{SUFFIX}")):
            if p.name.startswith(".") or not p.is_file():  # Jupyter's `.~name.ipynb` while it saves
                continue
            if p.is_symlink() and not p.resolve().is_relative_to(root):
                continue
            out.append(p)
    return out


def workspace_cells(course: Course, ws: Path) -> dict[str, MarkedCell]:
    """Every marked cell of a workspace by exercise (qualified id). A marker naming no exercise of the course, or
    two cells for one exercise, is an error that names the notebook, the cell and the fix."""
    found: dict[str, MarkedCell] = {}
    for nb in find_notebooks(ws, lesson_folders(course)):
        for cell in marked_cells(nb):
            ref = _resolve(course, cell)
            key = ref.qualified_id
            if key in found:
                raise _duplicate(found[key], cell, key)
            found[key] = cell
    return found


def _resolve(course: Course, cell: MarkedCell) -> ExerciseRef:
    try:
        return course.find_exercise(cell.exercise)
    except UsageError as exc:
        suggestion = f"{exc.fix} " if exc.fix and "did you mean" in exc.fix else ""
        raise UsageError(
            f"this cell is marked for {cell.exercise!r}, which is not an exercise of the course ({exc.message})",
            file=str(cell.notebook),
            place=f"cell {cell.number}",
            fix=f"{suggestion}correct the cell's first line (`# dlgrade: lessonN.exercise`; `dlgrade list` shows "
            "the ids), or, if it is not an exercise, remove the marker and the cell's dlgrade metadata",
        ) from None


def _duplicate(a: MarkedCell, b: MarkedCell, key: str) -> UsageError:
    if a.notebook == b.notebook:
        msg, place = "both are marked for", f"cells {a.number} and {b.number}"
    else:
        msg, place = f"this cell and {b.where} ({b.notebook.parent}) are both marked for", f"cell {a.number}"
    return UsageError(
        f"{msg} {key}: dlgrade cannot tell which one to grade",
        file=str(a.notebook),
        place=place,
        fix="keep one: delete the other cell (or notebook), or change its first line and clear its dlgrade metadata",
    )


def notebook_modules(
    course: Course, refs: list[ExerciseRef], ws: Path, cells: dict[str, str] | None = None
) -> dict[str, str]:
    """The exercise modules that come from notebooks, as ``RunInput.overrides`` (relative path -> text).

    ``cells`` maps an exercise (qualified id) to code handed over directly (the ``%%dlgrade`` magic); it wins over
    the workspace. The workspace's notebooks are read only for the exercises it does not cover."""
    given = cells or {}
    out = {ref.filename: given[ref.qualified_id] for ref in refs if ref.qualified_id in given}
    if len(out) == len(refs):
        return out
    found = workspace_cells(course, ws)
    for ref in refs:
        if ref.qualified_id not in given and ref.qualified_id in found:
            out[ref.filename] = found[ref.qualified_id].code
    return out


# ---------------------------------------------------------------------- writing


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def _cell_id(base: str, taken: set[str]) -> str:
    stem = _CELL_ID.sub("-", base).strip("-")[:56] or "cell"
    cid, n = stem, 1
    while cid in taken:
        n += 1
        cid = f"{stem}-{n}"
    taken.add(cid)
    return cid


def _markdown(text: str, base: str, taken: set[str] | None) -> dict[str, Any]:
    cell: dict[str, Any] = {"cell_type": "markdown", "metadata": {}, "source": _lines(text)}
    if taken is not None:
        cell["id"] = _cell_id(base, taken)
    return cell


def _code(text: str, base: str, taken: set[str] | None, metadata: dict[str, Any] | None = None) -> dict[str, Any]:
    cell: dict[str, Any] = {
        "cell_type": "code",
        "execution_count": None,
        "metadata": metadata or {},
        "outputs": [],
        "source": _lines(text),
    }
    if taken is not None:
        cell["id"] = _cell_id(base, taken)
    return cell


def split_notes(text: str) -> list[str]:
    """Lesson notes as Markdown cells: one per ``#``/``##`` section (headings inside fenced code do not count)."""
    parts: list[list[str]] = [[]]
    fence: str | None = None
    for line in text.splitlines(keepends=True):
        stripped = line.lstrip()
        if fence is None and stripped[:3] in ("```", "~~~"):
            fence = stripped[:3]
        elif fence is not None and stripped.startswith(fence):
            fence = None
        elif fence is None and re.match(r"#{1,2} ", line) and any(s.strip() for s in parts[-1]):
            parts.append([])
        parts[-1].append(line)
    return ["".join(p).strip("\n") + "\n" for p in parts if "".join(p).strip()]


def exercise_cells(ref: ExerciseRef, taken: set[str] | None) -> list[dict[str, Any]]:
    """The two cells of one exercise: a heading that says what to do, and the stub under ``%%dlgrade``."""
    qid = ref.qualified_id
    stub = ref.stub_path.read_text(encoding="utf-8")
    intro = (
        f"## {qid}: {ref.ex.title}\n\n"
        f"Write your code in the cell below and run it: the `%%dlgrade {qid}` line sends the cell to the grader "
        "(a separate, limited process; this notebook's kernel does not run it) and shows the report here. "
        f"Stuck? `%dlgrade hint {qid}`."
    )
    return [
        _markdown(intro, f"{qid}-intro", taken),
        _code(f"%%dlgrade {qid}\n" + stub, qid, taken, {"dlgrade": {"exercise": qid}}),
    ]


def lesson_notebook(course: Course, lesson: Lesson, refs: list[ExerciseRef]) -> dict[str, Any]:
    """A new notebook for ``lesson``: how to use it, the lesson notes, then one cell per exercise in ``refs``."""
    taken: set[str] = set()
    head = (
        f"# {lesson.id}: {lesson.title}\n\n"
        "Run the next cell first: it loads dlgrade's `%%dlgrade` magic. Each exercise cell below starts with "
        "`%%dlgrade <exercise>`; running it checks your code in a separate, limited process (never in this "
        "notebook's kernel) and shows the report under the cell. `dlgrade check "
        f"{lesson.id}` in a terminal grades the saved notebook the same way. See dlgrade's docs/notebooks.md."
    )
    cells = [
        _markdown(head, f"{lesson.id}-start", taken),
        _code("%load_ext dlgrade", "load-dlgrade", taken),
    ]
    notes = course.notes_path(lesson)
    if notes.is_file():
        for i, part in enumerate(split_notes(notes.read_text(encoding="utf-8")), 1):
            cells.append(_markdown(part, f"notes-{i}", taken))
    for ref in refs:
        cells.extend(exercise_cells(ref, taken))
    return {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
            "dlgrade": {"lesson": lesson.id, "course": course.data.title},
        },
        "nbformat": 4,
        "nbformat_minor": NBFORMAT_MINOR,
    }


def append_exercises(path: Path, refs: list[ExerciseRef]) -> None:
    """Add the cells of ``refs`` at the end of an existing notebook; every cell already there stays as it is."""
    nb = read_notebook(path)
    minor = nb.get("nbformat_minor")
    with_ids = nb.get("nbformat") == 4 and isinstance(minor, int) and minor >= 5
    taken = {c["id"] for c in nb["cells"] if isinstance(c.get("id"), str)} if with_ids else None
    for ref in refs:
        nb["cells"].extend(exercise_cells(ref, taken))
    write_notebook(path, nb)


def write_notebook(path: Path, nb: dict[str, Any]) -> None:
    """Write as Jupyter does (one-space indent, a final newline), through a rename: never half a notebook."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")  # hidden: never read as a notebook
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
