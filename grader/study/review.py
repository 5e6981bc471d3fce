"""``dlgrade review``: spaced repetition of the lesson cards in the terminal, scheduled with FSRS.

The schedule is kept by ``grader.progress.schedule``. Each rating is committed at once: Ctrl-C loses nothing that
was rated. In a terminal every step is one key, no Enter (``grader.terminal``); when standard input is not a
terminal the same session reads lines instead.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from grader.course.card import cloze_bold
from grader.progress.schedule import CardState, ReviewStore, _utc, deck_counts, utcnow

if TYPE_CHECKING:
    from rich.console import Console

    from grader.course.card import Card

NEW_PER_SESSION = 20
RATINGS = {1: "again", 2: "hard", 3: "good", 4: "easy"}
_RATING_KEYS = {
    "1": 1,
    "a": 1,
    "again": 1,
    "2": 2,
    "h": 2,
    "hard": 2,
    "3": 3,
    "g": 3,
    "good": 3,
    "4": 4,
    "e": 4,
    "easy": 4,
}


# ---------------------------------------------------------------------- scheduling


def session_queue(
    cards: list[Card],
    states: dict[tuple[str, str], CardState],
    now: datetime,
    limit: int | None = None,
    new_limit: int = NEW_PER_SESSION,
) -> list[Card]:
    """Due cards first (most overdue first), then new ones in the order of the notes."""
    due = sorted(
        (c for c in cards if (c.lesson, c.id) in states and states[(c.lesson, c.id)].due <= now),
        key=lambda c: states[(c.lesson, c.id)].due,
    )
    new = [c for c in cards if (c.lesson, c.id) not in states][: max(new_limit, 0)]
    queue = due + new
    return queue[:limit] if limit is not None else queue


def scheduler() -> Any:
    import fsrs

    return fsrs.Scheduler()


def preview(sched: Any, state: CardState | None, now: datetime) -> dict[int, datetime]:
    """When the card would next be due, for each rating."""
    import fsrs

    now = _utc(now)
    base = state.to_fsrs() if state else fsrs.Card(due=now)
    out = {}
    for r in RATINGS:
        after, _ = sched.review_card(copy.deepcopy(base), fsrs.Rating(r), review_datetime=now)
        out[r] = _utc(after.due)
    return out


def rate(
    store: ReviewStore,
    sched: Any,
    card: Card,
    state: CardState | None,
    rating: int,
    now: datetime,
    duration_ms: int | None = None,
) -> Any:
    """Schedule ``card`` after ``rating`` at ``now``, store it, and return the new fsrs card."""
    import fsrs

    now = _utc(now)  # fsrs insists on UTC
    base = state.to_fsrs() if state else fsrs.Card(due=now)
    after, _ = sched.review_card(base, fsrs.Rating(rating), review_datetime=now)
    store.save(card, state, after, rating, now, duration_ms)
    return after


def human_delta(delta: timedelta) -> str:
    s = max(int(delta.total_seconds()), 0)
    if s < 60:
        return "now" if s < 1 else f"{s} s"
    if s < 3600:
        return f"{round(s / 60)} min"
    if s < 86400:
        return f"{round(s / 3600)} h"
    if s < 86400 * 60:
        return f"{round(s / 86400)} d"
    if s < 86400 * 365:
        return f"{round(s / 86400 / 30)} mo"
    return f"{s / 86400 / 365:.1f} y"


# ---------------------------------------------------------------------- the session


class _Quit(Exception):
    pass


def key_asker(out: Console) -> Callable[[str], str]:
    """Show a prompt and return the one key pressed (no Enter); keys typed before the prompt are dropped."""
    from grader.terminal import discard_typeahead, read_key

    def ask(prompt: str) -> str:
        discard_typeahead()
        out.print(prompt, end="")
        key = read_key()
        out.print()
        return key

    return ask


def run_session(
    cards: list[Card],
    store: ReviewStore,
    out: Console,
    *,
    title: str,
    limit: int | None = None,
    new_limit: int = NEW_PER_SESSION,
    ask: Callable[[str], str] | None = None,
    now: Callable[[], datetime] = utcnow,
) -> int:
    """Review the cards due (then new ones) until done, ``q``, end of input or Ctrl-C. Returns how many were rated."""
    from rich.markdown import Markdown
    from rich.markup import escape
    from rich.rule import Rule

    from grader.study.cards import common_headings
    from grader.terminal import has_keys

    single = ask is None and has_keys()
    if ask is None:
        ask = key_asker(out) if single else (lambda prompt: out.input(prompt))
    show_prompt = (
        "[dim]any key: show answer · q: quit[/dim] " if single else "[dim]Enter: show answer · q: quit[/dim] > "
    )
    lessons = {c.lesson for c in cards}
    skip = {les: common_headings([c for c in cards if c.lesson == les]) for les in lessons}
    states = store.states(lessons)
    start = now()
    counts = deck_counts(cards, states, start)
    out.print(f"[bold]{escape(title)}[/bold]")
    out.print(f"due {counts.due} · new {counts.new} · learned {counts.learned}")
    queue = session_queue(cards, states, start, limit, new_limit)
    if not queue:
        out.print("Nothing to review now. " + _next_due_text(cards, states, start))
        return 0
    how = (
        "any key shows the answer, then 1 again · 2 hard · 3 good · 4 easy, or a/h/g/e; no Enter needed"
        if single
        else "Enter shows the answer; rate 1 again · 2 hard · 3 good · 4 easy"
    )
    out.print(
        f"This session: {len(queue)} card{'s' if len(queue) != 1 else ''} ({how}; q quits; Ctrl-C saves and stops)"
    )
    sched = scheduler()
    done = 0
    try:
        for n, card in enumerate(queue, 1):
            context = " › ".join((card.lesson, *card.heading_path[skip[card.lesson] :]))
            out.print(Rule(f"{n}/{len(queue)} · {escape(context)}", style="dim"))
            out.print(Markdown(card.question))
            t0 = now()
            reply = ask(show_prompt).strip().lower()
            if reply in ("q", "quit"):
                raise _Quit
            out.print("[bold]Answer[/bold]")
            out.print(Markdown(cloze_bold(card.answer) if card.kind == "cloze" else card.answer))
            state = states.get((card.lesson, card.id))
            at = now()
            when = preview(sched, state, at)
            menu = "  ".join(f"{r} {RATINGS[r]} ({human_delta(when[r] - at)})" for r in RATINGS)
            while True:
                reply = ask(f"[dim]{menu} · q quit[/dim]" + (" " if single else " > ")).strip().lower()
                if reply in ("q", "quit"):
                    raise _Quit
                if reply in _RATING_KEYS:
                    break
                if single:
                    out.print("[yellow]press 1, 2, 3 or 4 (or a, h, g, e)[/yellow]")
                else:
                    out.print("[yellow]type 1, 2, 3 or 4 (or again, hard, good, easy)[/yellow]")
            rating = _RATING_KEYS[reply]
            at = now()
            duration = int((at - t0).total_seconds() * 1000)
            rate(store, sched, card, state, rating, at, duration)
            done += 1
            out.print(f"[dim]→ {RATINGS[rating]}[/dim]")  # a key is not echoed: say which rating was taken
    except _Quit:
        out.print(f"stopped: {done} review{'s' if done != 1 else ''} saved")
    except (KeyboardInterrupt, EOFError):
        out.print(f"\nstopped: {done} review{'s' if done != 1 else ''} saved")
    states = store.states(lessons)
    end = now()
    counts = deck_counts(cards, states, end)
    out.print(f"[green]reviewed {done}[/green] · now due {counts.due} · new {counts.new} · learned {counts.learned}")
    text = _next_due_text(cards, states, end)
    if text:
        out.print(text)
    return done


def _next_due_text(cards: list[Card], states: dict[tuple[str, str], CardState], now: datetime) -> str:
    later = [states[(c.lesson, c.id)].due for c in cards if (c.lesson, c.id) in states]
    later = [d for d in later if d > now]
    if not later:
        return ""
    return f"Next card due in {human_delta(min(later) - now)}."
