"""``dlgrade list`` and ``dlgrade progress``: the course at a glance, with the learner's status. No torch."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape

from grader.course import paths
from grader.course.curriculum import Course, ExerciseRef, Lesson
from grader.errors import DlgradeError


@dataclass
class Snapshot:
    """What the progress database says, read once."""

    exercises: dict[str, dict] = field(default_factory=dict)
    quizzes: dict[str, dict] = field(default_factory=dict)
    hints: dict[str, int] = field(default_factory=dict)


def read_progress(workspace: Path) -> Snapshot:
    from grader.progress.tracker import Progress

    prog = Progress.read(workspace)
    if prog is None:
        return Snapshot()
    try:
        return Snapshot(prog.summary(), prog.quiz_summary(), prog.hint_levels())
    finally:
        prog.close()


def next_up(course: Course, snap: Snapshot, refs: list[ExerciseRef] | None = None) -> ExerciseRef | None:
    """The first exercise, in course order, that has not passed yet."""
    for ref in refs if refs is not None else course.all_exercises():
        s = snap.exercises.get(ref.qualified_id)
        if not (s and s["passed"]):
            return ref
    return None


Cell = list[tuple[str, str]]  # (plain text, Rich style) pieces


def status_cell(s: dict | None) -> Cell:
    if s is None:
        return [("not started", "dim")]
    if s["passed"]:
        return [("✔ passed", "green")]
    tries = f"{s['attempts']} {'try' if s['attempts'] == 1 else 'tries'}"
    return [(f"✘ {s['last_status']}", "yellow"), (f" ({tries})", "")]


def status_text(s: dict | None) -> str:
    return markup(status_cell(s))


def markup(cell: Cell) -> str:
    return "".join(f"[{st}]{escape(t)}[/{st}]" if st else escape(t) for t, st in cell if t)


def show_list(course: Course, workspace: Path, out: Console, lessons: list[Lesson] | None = None) -> None:
    snap = read_progress(workspace)
    chosen = lessons if lessons is not None else course.lessons
    rows: list[list[Cell]] = []
    upcoming = next_up(course, snap, [r for les in chosen for r in course.exercises(les)])
    for lesson in chosen:
        quiz = snap.quizzes.get(lesson.id)
        qtext = f"quiz {quiz['best']:g}/{quiz['max']:g}" if quiz else ""
        rows.append([[(lesson.id, "bold")], [(lesson.title, "bold")], [(qtext, "")], []])
        for ref in course.exercises(lesson):
            s = snap.exercises.get(ref.qualified_id)
            status = status_cell(s)
            best = f"{s['best']:g}/{s['max']:g}" if s else ""
            if upcoming is not None and ref.qualified_id == upcoming.qualified_id:
                status = [*status, ("  ← next up", "bold cyan")]
            rows.append([[(f"  {ref.qualified_id}", "")], [(ref.ex.title, "")], status, [(best, "")]])
    width = out.width if out.is_terminal else 10**6  # piped: whole titles, one line per exercise
    table = aligned(["exercise", "title", "status", "best"], rows, width=width, shrink=1, right=3)
    out.print(f"[bold]{escape(course.data.title)}[/bold]\n{table}", soft_wrap=True, highlight=False)
    if upcoming is not None:
        out.print(
            f"next up: [bold]{upcoming.qualified_id}[/bold] — {escape(upcoming.ex.title)}: edit "
            f"[bold]{escape(display_path(workspace / upcoming.filename))}[/bold], then "
            f"[bold]dlgrade check {upcoming.qualified_id}[/bold]"
        )
    else:
        out.print("[green]every exercise has passed[/green]")


def aligned(header: list[str], rows: list[list[Cell]], *, width: int, shrink: int, right: int) -> str:
    """Rows laid out in columns under a header, as one string of Rich markup, at most ``width`` wide.

    Column ``shrink`` gives up room (its text cut with "…") when the rows are wider than ``width``; column ``right``
    is right-aligned. A plain layout rather than Rich's ``Table``: measuring every cell twice cost ``dlgrade list``
    a third of its time.
    """
    from rich.cells import cell_len, set_cell_size

    gap = 2
    widths = [max([cell_len(h)] + [sum(cell_len(t) for t, _ in row[i]) for row in rows]) for i, h in enumerate(header)]
    spare = width - (sum(widths) + gap * (len(widths) - 1))
    if spare < 0:
        widths[shrink] = max(widths[shrink] + spare, 12)

    def line(cells: list[Cell]) -> str:
        parts = []
        for i, cell in enumerate(cells):
            if i == shrink and sum(cell_len(t) for t, _ in cell) > widths[i]:
                text, style = cell[0]
                cell = [(set_cell_size(text, widths[i] - 1) + "…", style)]
            used = sum(cell_len(t) for t, _ in cell)
            body = markup(cell)
            pad = " " * (widths[i] - used)
            parts.append(pad + body if i == right else body + pad)
        return (" " * gap).join(parts).rstrip()

    head = line([[(h, "bold")] for h in header])
    rule = "[dim]" + (" " * gap).join("─" * w for w in widths) + "[/dim]"
    return "\n".join([head, rule, *(line(row) for row in rows)])


def display_path(path: Path) -> str:
    """``path`` relative to the working directory when it is below it, else as it is."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


# ---------------------------------------------------------------------- progress


def cards_status(course: Course, workspace: Path, lessons: list[Lesson]) -> dict[str, tuple[int, int]] | None:
    """lesson -> (cards due now, cards never reviewed), or None when the notes or the schedule cannot be read."""
    from grader.course.notes import load_cards
    from grader.progress.schedule import ReviewStore, deck_counts, utcnow

    try:
        states: dict = {}
        path = paths.existing_store(workspace, paths.REVIEW_DB)
        if path is not None:
            store = ReviewStore(path)
            try:
                states = store.states()
            finally:
                store.close()
        now = utcnow()
        out: dict[str, tuple[int, int]] = {}
        for lesson in lessons:
            cards, _ = load_cards(course, lesson)
            counts = deck_counts(cards, states, now)
            out[lesson.id] = (counts.due, counts.new)
        return out
    except (AttributeError, TypeError, ValueError, OSError, sqlite3.Error, DlgradeError):
        return None


def progress_data(course: Course, workspace: Path, lessons: list[Lesson] | None = None) -> dict[str, Any]:
    """The learner's progress as plain data (also the JSON of ``dlgrade progress --format json``)."""
    snap = read_progress(workspace)
    chosen = lessons if lessons is not None else course.lessons
    cards = cards_status(course, workspace, chosen)
    out_lessons = []
    for lesson in chosen:
        exercises: list[dict[str, Any]] = []
        for ref in course.exercises(lesson):
            s = snap.exercises.get(ref.qualified_id)
            best = min(float(s["best"]), float(ref.points)) if s else 0.0
            exercises.append(
                {
                    "id": ref.qualified_id,
                    "title": ref.ex.title,
                    "status": "passed" if s and s["passed"] else (s["last_status"] if s else "not_started"),
                    "attempts": s["attempts"] if s else 0,
                    "best_score": best,
                    "max_score": float(ref.points),
                    "first_attempt": _iso(s["first_attempt"]) if s else None,
                    "first_pass": _iso(s["first_pass"]) if s else None,
                    "hints_seen": snap.hints.get(ref.qualified_id, 0),
                }
            )
        quiz = snap.quizzes.get(lesson.id)
        due, new = cards.get(lesson.id, (0, 0)) if cards is not None else (None, None)
        out_lessons.append(
            {
                "id": lesson.id,
                "title": lesson.title,
                "passed": sum(e["status"] == "passed" for e in exercises),
                "total": len(exercises),
                "score": sum(e["best_score"] for e in exercises),
                "max_score": sum(e["max_score"] for e in exercises),
                "quiz_best": quiz["best"] if quiz else None,
                "quiz_max": quiz["max"] if quiz else None,
                "quiz_attempts": quiz["attempts"] if quiz else 0,
                "cards_due": due,
                "cards_new": new,
                "exercises": exercises,
            }
        )
    upcoming = next_up(course, snap, [r for les in chosen for r in course.exercises(les)])
    return {
        "course": course.data.title,
        "workspace": str(workspace),
        "lessons": out_lessons,
        "next_up": upcoming.qualified_id if upcoming else None,
    }


def _iso(ts: float | None) -> str | None:
    return datetime.fromtimestamp(ts).astimezone().isoformat(timespec="seconds") if ts else None


def _when(iso: str | None) -> str:
    return iso[:16].replace("T", " ") if iso else ""


def show_progress(data: dict[str, Any], out: Console, detail: bool = False) -> None:
    """A table with a row per lesson; with ``detail`` (one lesson asked for), a row per exercise instead."""
    if detail:
        _show_exercises(data, out)
    else:
        _show_lessons(data, out)
    if data["next_up"]:
        out.print(f"next up: [bold]dlgrade check {data['next_up']}[/bold]")
    elif any(les["total"] for les in data["lessons"]):
        out.print("[green]every exercise has passed[/green]")


def _quiz(les: dict[str, Any]) -> str:
    return f"{les['quiz_best']:g}/{les['quiz_max']:g}" if les["quiz_best"] is not None else "[dim]—[/dim]"


def _cards(les: dict[str, Any]) -> str:
    if les["cards_due"] is None:
        return "[dim]?[/dim]"
    return str(les["cards_due"]) + (f" [dim](+{les['cards_new']} new)[/dim]" if les["cards_new"] else "")


def _show_lessons(data: dict[str, Any], out: Console) -> None:
    from rich.table import Table

    table = Table(title=f"{escape(data['course'])} — your progress")
    table.add_column("lesson")
    table.add_column("title")
    table.add_column("passed", justify="right")
    table.add_column("points", justify="right")
    table.add_column("quiz best", justify="right")
    table.add_column("cards due", justify="right")
    tot_passed = tot_total = 0
    tot_score = tot_max = 0.0
    for les in data["lessons"]:
        tot_passed += les["passed"]
        tot_total += les["total"]
        tot_score += les["score"]
        tot_max += les["max_score"]
        passed = f"{les['passed']}/{les['total']}"
        if les["passed"] == les["total"] and les["total"] > 0:
            passed = f"[green]{passed}[/green]"
        table.add_row(
            f"[bold]{les['id']}[/bold]",
            escape(les["title"]),
            passed,
            f"{les['score']:g}/{les['max_score']:g}",
            _quiz(les),
            _cards(les),
        )
    if len(data["lessons"]) > 1:
        table.add_section()
        table.add_row("[bold]total[/bold]", "", f"{tot_passed}/{tot_total}", f"{tot_score:g}/{tot_max:g}", "", "")
    out.print(table)


def _show_exercises(data: dict[str, Any], out: Console) -> None:
    from rich.table import Table

    for les in data["lessons"]:
        table = Table(title=f"{les['id']} — {escape(les['title'])}")
        table.add_column("exercise", no_wrap=True)
        table.add_column("status")
        table.add_column("points", justify="right")
        table.add_column("tries", justify="right")
        table.add_column("hints", justify="right")
        table.add_column("first passed", no_wrap=True)
        for ex in les["exercises"]:
            s = {"passed": ex["status"] == "passed", "attempts": ex["attempts"], "last_status": ex["status"]}
            table.add_row(
                ex["id"],
                status_text(s if ex["attempts"] else None),
                f"{ex['best_score']:g}/{ex['max_score']:g}",
                str(ex["attempts"]) if ex["attempts"] else "",
                str(ex["hints_seen"]) if ex["hints_seen"] else "",
                _when(ex["first_pass"]),
            )
        out.print(table)
        out.print(
            f"passed {les['passed']}/{les['total']} · points {les['score']:g}/{les['max_score']:g} · "
            f"quiz best {_quiz(les)} · cards due {_cards(les)}"
        )
