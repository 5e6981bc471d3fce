"""``dlgrade list``: the course at a glance, with the learner's status. No torch."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from grader.curriculum import Course


def show_list(course: Course, workspace: Path, out: Console) -> None:
    from grader.progress import Progress

    summary: dict[str, dict] = {}
    quizzes: dict[str, dict] = {}
    db = workspace / ".dlgrade" / "progress.sqlite"
    if db.is_file():
        prog = Progress(db)
        summary = prog.summary()
        quizzes = prog.quiz_summary()
        prog.close()
    table = Table(title=escape(course.data.title), show_lines=False)
    table.add_column("exercise")
    table.add_column("title")
    table.add_column("status")
    table.add_column("best", justify="right")
    next_up = None
    for lesson in course.lessons:
        quiz = quizzes.get(lesson.id)
        qtext = f"quiz {quiz['best']:g}/{quiz['max']:g}" if quiz else ""
        table.add_row(f"[bold]{lesson.id}[/bold]", f"[bold]{escape(lesson.title)}[/bold]", qtext, "")
        for ref in course.exercises(lesson):
            s = summary.get(ref.qualified_id)
            if s is None:
                status = "[dim]not started[/dim]"
                best = ""
            elif s["passed"]:
                status = "[green]✔ passed[/green]"
                best = f"{s['best']:g}/{s['max']:g}"
            else:
                status = f"[yellow]✘ {s['last_status']}[/yellow] ({s['attempts']} tries)"
                best = f"{s['best']:g}/{s['max']:g}"
            if next_up is None and not (s and s["passed"]):
                next_up = ref.qualified_id
                status += "  [cyan]← next up[/cyan]"
            table.add_row(f"  {ref.qualified_id}", escape(ref.ex.title), status, best)
    out.print(table)
    if next_up:
        out.print(f"next up: [bold]dlgrade check {next_up}[/bold]")
    else:
        out.print("[green]every exercise has passed[/green]")
