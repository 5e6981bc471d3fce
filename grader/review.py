"""``dlgrade review``: spaced repetition of the lesson cards in the terminal, scheduled with FSRS.

The schedule lives in a small SQLite database (``<workspace>/.dlgrade/review.sqlite``), versioned with
``PRAGMA user_version`` and migrated forward on open, so it survives restarts and upgrades. Each rating is committed
at once: Ctrl-C loses nothing that was rated. Times are UTC. The database keeps its own columns (not the ``fsrs``
package's JSON), so a new ``fsrs`` release cannot make old state unreadable.

Deck counts partition the cards: *new* (never reviewed), *due* (reviewed, due now) and *learned* (reviewed, due
later).
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grader.errors import UsageError
from grader.store import open_versioned

if TYPE_CHECKING:
    from rich.console import Console

    from grader.notes import Card

SCHEMA_VERSION = 1
DB_NAME = "review.sqlite"
NEW_PER_SESSION = 20

# Migration n brings a database from user_version n-1 to n. Never edit a released step: add the next one.
MIGRATIONS: dict[int, str] = {
    1: """
    CREATE TABLE cards (
        lesson TEXT NOT NULL,
        card_id TEXT NOT NULL,
        state INTEGER NOT NULL,          -- fsrs.State: 1 learning, 2 review, 3 relearning
        step INTEGER,
        stability REAL,
        difficulty REAL,
        due TEXT NOT NULL,               -- ISO 8601, UTC
        last_review TEXT,
        reps INTEGER NOT NULL DEFAULT 0,
        lapses INTEGER NOT NULL DEFAULT 0,
        question TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (lesson, card_id)
    );
    CREATE INDEX cards_due ON cards(due);
    CREATE TABLE reviews (
        id INTEGER PRIMARY KEY,
        lesson TEXT NOT NULL,
        card_id TEXT NOT NULL,
        rating INTEGER NOT NULL,         -- 1 again, 2 hard, 3 good, 4 easy
        reviewed_at TEXT NOT NULL,
        duration_ms INTEGER,
        state_before INTEGER,
        due_after TEXT NOT NULL
    );
    CREATE INDEX reviews_card ON reviews(lesson, card_id);
    """,
}

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


def utcnow() -> datetime:
    """Now, in UTC. ``DLGRADE_NOW`` (ISO 8601) overrides it, for tests and demonstrations."""
    env = os.environ.get("DLGRADE_NOW")
    if env:
        try:
            return _utc(datetime.fromisoformat(env.replace("Z", "+00:00")))
        except ValueError:
            raise UsageError(
                f"DLGRADE_NOW={env!r} is not an ISO 8601 time", fix="use e.g. 2030-01-01T12:00:00Z, or unset it"
            ) from None
    return datetime.now(timezone.utc)


def _utc(dt: datetime) -> datetime:
    return dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt.astimezone(timezone.utc)


def _iso(dt: datetime | None) -> str | None:
    return _utc(dt).isoformat() if dt is not None else None


def _parse(s: str | None) -> datetime | None:
    return _utc(datetime.fromisoformat(s)) if s else None


# ---------------------------------------------------------------------- the store


@dataclass
class CardState:
    lesson: str
    card_id: str
    state: int
    step: int | None
    stability: float | None
    difficulty: float | None
    due: datetime
    last_review: datetime | None
    reps: int
    lapses: int

    def to_fsrs(self) -> Any:
        import fsrs

        return fsrs.Card(
            state=fsrs.State(self.state),
            step=self.step,
            stability=self.stability,
            difficulty=self.difficulty,
            due=self.due,
            last_review=self.last_review,
        )


class ReviewStore:
    """The review schedule of one learner."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.db = open_versioned(path, MIGRATIONS, SCHEMA_VERSION, "review")

    @classmethod
    def for_workspace(cls, workspace: Path) -> ReviewStore:
        return cls(workspace / ".dlgrade" / DB_NAME)

    @property
    def version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def states(self, lessons: Iterable[str] | None = None) -> dict[tuple[str, str], CardState]:
        sql = "SELECT lesson, card_id, state, step, stability, difficulty, due, last_review, reps, lapses FROM cards"
        rows = self.db.execute(sql).fetchall()
        wanted = set(lessons) if lessons is not None else None
        out = {}
        for r in rows:
            if wanted is not None and r[0] not in wanted:
                continue
            due = _parse(r[6])
            assert due is not None
            out[(r[0], r[1])] = CardState(r[0], r[1], r[2], r[3], r[4], r[5], due, _parse(r[7]), r[8], r[9])
        return out

    def save(
        self,
        card: Card,
        before: CardState | None,
        after: Any,
        rating: int,
        at: datetime,
        duration_ms: int | None = None,
    ) -> None:
        """Store one review and the card's new schedule, in one transaction."""
        reps = (before.reps if before else 0) + 1
        lapses = (before.lapses if before else 0) + (1 if rating == 1 and before and before.state == 2 else 0)
        with self.db:
            self.db.execute(
                "INSERT INTO cards (lesson, card_id, state, step, stability, difficulty, due, last_review, reps, "
                "lapses, question) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(lesson, card_id) DO UPDATE SET state=excluded.state, step=excluded.step, "
                "stability=excluded.stability, difficulty=excluded.difficulty, due=excluded.due, "
                "last_review=excluded.last_review, reps=excluded.reps, lapses=excluded.lapses, "
                "question=excluded.question",
                (
                    card.lesson,
                    card.id,
                    int(after.state),
                    after.step,
                    after.stability,
                    after.difficulty,
                    _iso(after.due),
                    _iso(after.last_review),
                    reps,
                    lapses,
                    card.question[:500],
                ),
            )
            self.db.execute(
                "INSERT INTO reviews (lesson, card_id, rating, reviewed_at, duration_ms, state_before, due_after) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    card.lesson,
                    card.id,
                    rating,
                    _iso(at),
                    duration_ms,
                    before.state if before else None,
                    _iso(after.due),
                ),
            )

    def review_count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM reviews").fetchone()[0])

    def close(self) -> None:
        self.db.close()


# ---------------------------------------------------------------------- scheduling


@dataclass
class DeckCounts:
    due: int
    new: int
    learned: int

    @property
    def total(self) -> int:
        return self.due + self.new + self.learned


def deck_counts(cards: list[Card], states: dict[tuple[str, str], CardState], now: datetime) -> DeckCounts:
    due = new = learned = 0
    for c in cards:
        st = states.get((c.lesson, c.id))
        if st is None:
            new += 1
        elif st.due <= now:
            due += 1
        else:
            learned += 1
    return DeckCounts(due, new, learned)


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

    from grader.cards_export import common_headings

    ask = ask or (lambda prompt: out.input(prompt))
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
    out.print(
        f"This session: {len(queue)} card{'s' if len(queue) != 1 else ''} "
        "(Enter shows the answer; rate 1 again · 2 hard · 3 good · 4 easy; q quits; Ctrl-C saves and stops)"
    )
    sched = scheduler()
    done = 0
    try:
        for n, card in enumerate(queue, 1):
            context = " › ".join((card.lesson, *card.heading_path[skip[card.lesson] :]))
            out.print(Rule(f"{n}/{len(queue)} · {escape(context)}", style="dim"))
            out.print(Markdown(card.question))
            t0 = now()
            reply = ask("[dim]Enter: show answer · q: quit[/dim] > ").strip().lower()
            if reply in ("q", "quit"):
                raise _Quit
            out.print("[bold]Answer[/bold]")
            out.print(Markdown(_cloze_bold(card) if card.kind == "cloze" else card.answer))
            state = states.get((card.lesson, card.id))
            at = now()
            when = preview(sched, state, at)
            menu = "  ".join(f"{r} {RATINGS[r]} ({human_delta(when[r] - at)})" for r in RATINGS)
            while True:
                reply = ask(f"[dim]{menu} · q quit[/dim] > ").strip().lower()
                if reply in ("q", "quit"):
                    raise _Quit
                if reply in _RATING_KEYS:
                    break
                out.print("[yellow]type 1, 2, 3 or 4 (or again, hard, good, easy)[/yellow]")
            rating = _RATING_KEYS[reply]
            at = now()
            duration = int((at - t0).total_seconds() * 1000)
            rate(store, sched, card, state, rating, at, duration)
            done += 1
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


def _cloze_bold(card: Card) -> str:
    from grader.cards_export import _CLOZE_MARK

    return _CLOZE_MARK.sub(lambda m: f"**{m.group(1)}**", card.answer)


def _next_due_text(cards: list[Card], states: dict[tuple[str, str], CardState], now: datetime) -> str:
    later = [states[(c.lesson, c.id)].due for c in cards if (c.lesson, c.id) in states]
    later = [d for d in later if d > now]
    if not later:
        return ""
    return f"Next card due in {human_delta(min(later) - now)}."
