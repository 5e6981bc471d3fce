"""Study commands: ``cards``, ``review``, ``quiz``.

Kept light at import (no markdown-it, genanki, fsrs or torch): each command imports its module when it runs.
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from grader.cli.context import CourseOpt, Format, app_context, console, default_workspace, load_course
from grader.errors import EXIT_FAILED, EXIT_OK, UsageError

if TYPE_CHECKING:
    from grader.course.curriculum import Course, Lesson
    from grader.course.notes import Card, NoteProblem
    from grader.course.quiz import Quiz
    from grader.study.quiz import QuizResult

app = typer.Typer()


class CardFormat(str, Enum):
    html = "html"
    md = "md"
    anki = "anki"
    csv = "csv"


def _problems(problems: list[NoteProblem], limit: int | None = None) -> None:
    if not problems:
        return
    from rich.markup import escape

    err = console(stderr=True)
    shown = problems if limit is None else problems[:limit]
    for p in shown:
        err.print(f"[yellow]warning:[/yellow] {escape(str(p))}")
    if len(shown) < len(problems):
        err.print(f"[yellow]warning:[/yellow] … and {len(problems) - len(shown)} more (see `dlgrade cards`)")


def _lesson_cards(course: Course, lesson: Lesson) -> tuple[list[Card], list[NoteProblem]]:
    from grader.course.notes import load_cards

    return load_cards(course, lesson)


# ---------------------------------------------------------------------- cards


@app.command()
def cards(
    lesson: Annotated[str, typer.Argument(help="lesson7 or 7, or one exercise: lesson7.softmax_ce")],
    fmt: Annotated[CardFormat, typer.Option("--format", "-f", help="html deck, md, anki (.apkg) or csv.")] = (
        CardFormat.html
    ),
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write here. Default: <lesson>-cards.html / <lesson>.apkg; md and csv go to standard output.",
        ),
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 1 when the notes have a malformed card.")] = False,
    course_dir: CourseOpt = None,
) -> None:
    """Export a lesson's flashcards (from its notes) as an HTML deck, Markdown, an Anki package or CSV.

    Examples: [bold]dlgrade cards lesson7[/bold] (writes lesson7-cards.html) ·
    [bold]dlgrade cards 7 --format anki -o lesson7.apkg[/bold] · [bold]dlgrade cards 7 -f md[/bold]
    """
    from grader.study import cards as ex

    course = load_course(course_dir)
    les = course.lesson(lesson.partition(".")[0])
    notes = course.notes_path(les)
    if not notes.is_file():
        raise UsageError(
            f"{les.id} has no notes yet",
            file=str(notes),
            fix="write the lesson's notes there (see CONTRIBUTING.md, Cards)",
        )
    found, problems = _lesson_cards(course, les)
    _problems(problems)
    title = f"{les.id} — {les.title}"
    if "." in lesson:  # one exercise: the cards it names (curriculum `cards:`), in that order
        from grader.grading.teaching import Teaching

        ref = course.find_exercise(lesson)
        found = Teaching(course).cards_for(ref)
        title = f"{ref.qualified_id} — {ref.ex.title}"
    subtitle = f"{course.data.title} · {len(found)} card{'s' if len(found) != 1 else ''}"
    out = console()
    if fmt is CardFormat.anki:
        apkg = output or Path(f"{les.id}.apkg")
        deck_name = f"dlgrade::{course.data.title}::{title}"
        ex.write_apkg(found, apkg, deck_name=deck_name, deck_id=ex.anki_deck_id(course.data.title, les.id))
        out.print(f"wrote {apkg} ({len(found)} cards); import it in Anki (File › Import): re-importing updates")
    else:
        if fmt is CardFormat.html:
            text = ex.render_html(found, title=title, subtitle=subtitle)
        elif fmt is CardFormat.md:
            text = ex.render_markdown(found, title=title, subtitle=subtitle)
        else:
            text = ex.render_csv(found)
        path = output or (Path(f"{les.id}-cards.html") if fmt is CardFormat.html else None)
        if path is None:
            sys.stdout.write(text)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            tip = "; open it in a browser" if fmt is CardFormat.html else ""
            out.print(f"wrote {path} ({len(found)} cards){tip}")
    if not found:
        console(stderr=True).print(f"[yellow]warning:[/yellow] no cards in {notes}")
    raise typer.Exit(EXIT_FAILED if strict and problems else EXIT_OK)


# ---------------------------------------------------------------------- review


@app.command()
def review(
    lesson: Annotated[str | None, typer.Argument(help="lesson7 or 7; every lesson when omitted")] = None,
    limit: Annotated[int | None, typer.Option("--limit", "-n", min=1, help="At most this many cards now.")] = None,
    new: Annotated[int, typer.Option("--new", min=0, help="At most this many new cards per session.")] = 20,
    db: Annotated[
        Path | None, typer.Option("--db", help="The review database (default: <workspace>/.dlgrade/review.sqlite).")
    ] = None,
    course_dir: CourseOpt = None,
) -> None:
    """Review the flashcards that are due, in the terminal, with spaced repetition (FSRS).

    One key per step, no Enter: any key shows the answer, then 1 again · 2 hard · 3 good · 4 easy (or a, h, g, e).
    Every rating is saved at once: q or Ctrl-C stops and keeps what you reviewed. When standard input is not a
    terminal, answers are read line by line.

    Examples: [bold]dlgrade review[/bold] · [bold]dlgrade review lesson7 --limit 10[/bold]
    """
    from grader.progress.schedule import ReviewStore
    from grader.study.review import run_session

    course = load_course(course_dir)
    lessons = [course.lesson(lesson)] if lesson else course.lessons
    deck: list[Card] = []
    problems: list[NoteProblem] = []
    for les in lessons:
        c, p = _lesson_cards(course, les)
        deck += c
        problems += p
    _problems(problems, limit=3)
    if not deck:
        where = course.notes_path(lessons[0]) if lesson else "the lesson notes"
        raise UsageError(
            f"no cards to review in {where}", fix="write Q:/A: cards in the notes (CONTRIBUTING.md, Cards)"
        )
    store = ReviewStore(db) if db else ReviewStore.for_workspace(default_workspace(course))
    title = f"review {lessons[0].id} — {lessons[0].title}" if lesson else f"review — {course.data.title}"
    try:
        run_session(deck, store, console(), title=title, limit=limit, new_limit=new)
    finally:
        store.close()


# ---------------------------------------------------------------------- quiz


@app.command()
def quiz(
    ctx: typer.Context,
    lesson: Annotated[str, typer.Argument(help="lesson7 or 7")],
    answers: Annotated[
        Path | None, typer.Option("--answers", "-a", help="Grade this filled answers file (no terminal needed).")
    ] = None,
    template: Annotated[bool, typer.Option("--template", help="Print (or -o write) an answers file to fill.")] = False,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Report format.")] = Format.text,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the report (or template) here.")] = (
        None
    ),
    seed: Annotated[int | None, typer.Option("--seed", help="Shuffle with this seed (to repeat an order).")] = None,
    restart: Annotated[
        bool, typer.Option("--restart", help="Start over, forgetting the answers saved from an unfinished try.")
    ] = False,
    course_dir: CourseOpt = None,
) -> None:
    """Take a lesson's quiz in the terminal, or grade a filled answers file.

    Answers are saved as you go: after Ctrl-C, [bold]dlgrade quiz LESSON[/bold] offers to resume (same order) and
    [bold]--restart[/bold] starts over.

    Examples: [bold]dlgrade quiz lesson7[/bold] ·
    [bold]dlgrade quiz 7 --template -o answers.yaml[/bold] then
    [bold]dlgrade quiz 7 --answers answers.yaml --format junit -o quiz.xml[/bold]

    Exit codes: 0 every answer right, 1 some wrong or missing, 2 bad input, 3 internal error, 130 stopped.
    """
    from grader.course.quiz import load_quiz
    from grader.study import answers as an
    from grader.study import quiz as qz

    course = load_course(course_dir)
    les = course.lesson(lesson)
    q = load_quiz(course, les)
    if restart and (template or answers is not None):
        raise UsageError("--restart is for a quiz taken in the terminal", fix="leave out --template and --answers")
    if template:
        if answers is not None:
            raise UsageError("--template and --answers cannot be used together")
        text = an.answers_template(q)
        if output is None:
            sys.stdout.write(text)
        else:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(text, encoding="utf-8")
            console().print(f"wrote {output}: fill it in, then `dlgrade quiz {les.id} --answers {output}`")
        raise typer.Exit(EXIT_OK)
    workspace = default_workspace(course)
    if answers is not None:
        given, file_seed = an.load_answers(answers, q)
        result = qz.grade(q, given, seed=seed if seed is not None else file_seed, mode="answers")
    else:
        result, given = _take_quiz(q, workspace, seed=seed, restart=restart)
    qz.record(result, workspace, given)
    if answers is None and fmt is Format.text and output is None:
        view = result.view()
        colour = "green" if result.passed else "red"
        console().print(
            f"\n[bold {colour}]{view['n_correct']} of {view['n_questions']} correct[/bold {colour}] — "
            f"score {result.score:g}/{result.max_score:g} [dim](seed {result.seed}; saved to your "
            "progress: dlgrade list)[/dim]"
        )
    else:
        from grader.reports.emit import emit

        emit(result, fmt, output, quiet=app_context(ctx).quiet)
    raise typer.Exit(EXIT_OK if result.passed else EXIT_FAILED)


def _take_quiz(q: Quiz, workspace: Path, *, seed: int | None, restart: bool) -> tuple[QuizResult, dict[str, Any]]:
    """The quiz in the terminal: resume a saved try (or start over), save after every answer, clear at the end."""
    from rich.markup import escape

    from grader.study import quiz as qz

    out, err = console(), console(stderr=True)
    saved: qz.SavedQuiz | None = None
    try:
        saved = qz.load_progress(q, workspace)
    except qz.StaleProgress as exc:
        err.print(f"[yellow]warning:[/yellow] {escape(str(exc))}; starting over")
        qz.clear_progress(q, workspace)
    if saved is not None and restart:
        qz.clear_progress(q, workspace)
        out.print(f"starting over: the {len(saved.answers)} saved answer(s) are forgotten")
        saved = None
    if saved is not None:
        n, total = len(saved.answers), len(q.questions)
        what = f"{n} of {total} questions answered in an unfinished try (seed {saved.seed})"
        if sys.stdin.isatty():
            try:
                reply = out.input(f"{what}. Resume? [bold][Y/n][/bold] ").strip().lower()
            except (KeyboardInterrupt, EOFError):
                err.print("\nquiz stopped; your saved answers are kept")
                raise typer.Exit(130) from None
            if reply in ("n", "no"):
                qz.clear_progress(q, workspace)
                saved = None
        else:
            out.print(f"{what}: resuming (--restart starts over)")
    if saved is not None and seed is not None and seed != saved.seed:
        out.print(f"[dim]--seed {seed} is not used: the resumed quiz keeps the order of seed {saved.seed}[/dim]")
    s = saved.seed if saved is not None else (seed if seed is not None else qz.new_seed())
    so_far: dict[str, Any] = dict(saved.answers) if saved is not None else {}
    unsaved = False

    def keep(answers: dict[str, Any]) -> None:
        nonlocal unsaved
        so_far.clear()
        so_far.update(answers)
        unsaved = qz.save_progress(q, workspace, s, answers) is None

    def stopped(why: str) -> str:
        if not so_far or unsaved:
            return f"{why}; nothing saved"
        n = len(so_far)
        return (
            f"{why}; {n} answer{'s' if n != 1 else ''} saved. Resume with `dlgrade quiz {q.lesson}` "
            f"(or start over with `dlgrade quiz {q.lesson} --restart`)"
        )

    try:
        result, given = qz.run_interactive(q, out, seed=s, answers=so_far, on_answer=keep)
    except KeyboardInterrupt:
        err.print("\n" + escape(stopped("quiz stopped")))
        raise typer.Exit(130) from None
    except EOFError:
        raise UsageError(
            stopped("the input ended before the quiz did"),
            fix=f"answer in a terminal, or grade a file: dlgrade quiz {q.lesson} --answers FILE "
            "(make one with --template)",
        ) from None
    qz.clear_progress(q, workspace)
    return result, given
