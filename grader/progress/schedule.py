"""The flashcard schedule of one learner: a small SQLite database, versioned like progress.

``<workspace>/.dlgrade/review.sqlite`` (or the read-only fallback of ``grader.course.paths``), migrated forward on
open, so it survives restarts and upgrades. It keeps its own columns (not the ``fsrs`` package's JSON), so a new
``fsrs`` release cannot make old state unreadable. Times are UTC. Deck counts partition the cards: *new* (never
reviewed), *due* (reviewed, due now) and *learned* (reviewed, due later).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grader.course import paths
from grader.errors import UsageError
from grader.progress.store import open_versioned

if TYPE_CHECKING:
    from grader.course.card import Card

SCHEMA_VERSION = 1

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
        return cls(paths.store_path(workspace, paths.REVIEW_DB))

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
