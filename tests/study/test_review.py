"""grader/review.py and ``dlgrade review``: FSRS scheduling, the SQLite store, and a scripted terminal session."""

from __future__ import annotations

import os
import shutil
import sqlite3
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from grader.course.notes import parse_notes
from grader.errors import UsageError
from grader.progress.schedule import SCHEMA_VERSION, ReviewStore, deck_counts, utcnow
from grader.study.review import human_delta, rate, run_session, scheduler, session_queue

FIXTURES = Path(__file__).parents[1] / "fixtures"
T0 = datetime(2030, 1, 1, 12, 0, tzinfo=timezone.utc)


def deck(n: int = 4, lesson: str = "lesson1"):
    text = "\n\n".join(f"Q: question {i}?\nA: answer {i}" for i in range(n))
    cards, problems = parse_notes(text, lesson, "notes.md")
    assert not problems
    return cards


@pytest.fixture()
def store(tmp_path):
    s = ReviewStore(tmp_path / ".dlgrade" / "review.sqlite")
    yield s
    s.close()


# ---------------------------------------------------------------------- the store


def test_schema_is_versioned_and_reopens(tmp_path):
    path = tmp_path / "r.sqlite"
    s = ReviewStore(path)
    assert s.version == SCHEMA_VERSION
    cards = deck(1)
    rate(s, scheduler(), cards[0], None, 3, T0)
    s.close()
    again = ReviewStore(path)  # a restart (or an upgrade with the same schema) keeps the state
    assert again.version == SCHEMA_VERSION
    assert list(again.states()) == [("lesson1", cards[0].id)]
    assert again.review_count() == 1
    again.close()


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "r.sqlite"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(UsageError, match="newer than this dlgrade"):
        ReviewStore(path)


def test_times_are_stored_in_utc(store):
    cards = deck(1)
    local = T0.astimezone(timezone(timedelta(hours=5)))
    rate(store, scheduler(), cards[0], None, 3, local)
    due, last = store.db.execute("SELECT due, last_review FROM cards").fetchone()
    assert due.endswith("+00:00") and last.endswith("+00:00")
    assert datetime.fromisoformat(last) == T0
    st = store.states()[("lesson1", cards[0].id)]
    assert st.due.tzinfo is not None and st.due > T0


# ---------------------------------------------------------------------- scheduling


def test_counts_and_queue_follow_the_schedule(store):
    cards = deck(4)
    sched = scheduler()
    assert deck_counts(cards, store.states(), T0) == deck_counts(cards, {}, T0)
    counts = deck_counts(cards, store.states(), T0)
    assert (counts.due, counts.new, counts.learned, counts.total) == (0, 4, 0, 4)
    rate(store, sched, cards[0], None, 1, T0)  # again: due in a minute
    rate(store, sched, cards[1], None, 4, T0)  # easy: due in days
    states = store.states()
    counts = deck_counts(cards, states, T0)
    assert (counts.due, counts.new, counts.learned) == (0, 2, 2)
    later = T0 + timedelta(minutes=5)
    counts = deck_counts(cards, states, later)
    assert (counts.due, counts.new, counts.learned) == (1, 2, 1)
    queue = session_queue(cards, states, later)
    assert [c.id for c in queue] == [cards[0].id, cards[2].id, cards[3].id]  # due first, then new in note order
    assert [c.id for c in session_queue(cards, states, later, limit=2)] == [cards[0].id, cards[2].id]
    assert [c.id for c in session_queue(cards, states, later, new_limit=1)] == [cards[0].id, cards[2].id]
    far = T0 + timedelta(days=365)
    assert deck_counts(cards, states, far).due == 2


def test_card_history_follows_its_id_not_its_answer(store):
    cards = deck(1)
    rate(store, scheduler(), cards[0], None, 3, T0)
    edited, _ = parse_notes("Q: question 0?\nA: a rewritten answer", "lesson1", "notes.md")
    assert deck_counts(edited, store.states(), T0).learned == 1


def test_run_session_with_scripted_answers(store):
    from rich.console import Console

    cards = deck(3)
    replies = iter(["", "zzz", "good", "", "1", "q"])
    out = Console(record=True, width=100)
    done = run_session(cards, store, out, title="t", ask=lambda prompt: next(replies), now=lambda: T0)
    text = out.export_text()
    assert done == 2
    assert "due 0 · new 3 · learned 0" in text
    assert "type 1, 2, 3 or 4" in text  # "zzz" is not a rating
    assert "stopped: 2 reviews saved" in text
    assert [r[0] for r in store.db.execute("SELECT rating FROM reviews ORDER BY id")] == [3, 1]


def test_run_session_saves_on_ctrl_c(store):
    from rich.console import Console

    cards = deck(3)
    replies = iter(["", "3"])

    def ask(prompt: str) -> str:
        try:
            return next(replies)
        except StopIteration:
            raise KeyboardInterrupt from None

    out = Console(record=True, width=100)
    assert run_session(cards, store, out, title="t", ask=ask, now=lambda: T0) == 1
    assert "stopped: 1 review saved" in out.export_text()
    assert store.review_count() == 1


def test_human_delta_and_now(monkeypatch):
    assert human_delta(timedelta(seconds=30)) == "30 s"
    assert human_delta(timedelta(minutes=10)) == "10 min"
    assert human_delta(timedelta(hours=5)) == "5 h"
    assert human_delta(timedelta(days=8)) == "8 d"
    monkeypatch.setenv("DLGRADE_NOW", "2030-01-01T12:00:00Z")
    assert utcnow() == T0
    monkeypatch.setenv("DLGRADE_NOW", "2030-01-01T12:00:00")  # naive means UTC
    assert utcnow() == T0
    monkeypatch.setenv("DLGRADE_NOW", "soon")
    with pytest.raises(UsageError):
        utcnow()


# ---------------------------------------------------------------------- the terminal session (pexpect)


@pytest.fixture()
def course_root(tmp_path):
    root = tmp_path / "course"
    shutil.copytree(FIXTURES / "study_course", root)
    return root


def spawn_review(root: Path, now: datetime, *args: str):
    import pexpect

    env = {k: v for k, v in os.environ.items() if not k.startswith("DLGRADE_")}
    env.update(
        NO_COLOR="1", TERM="dumb", COLUMNS="100", LINES="40", DLGRADE_NOW=now.isoformat(), PYTHONIOENCODING="utf-8"
    )
    child = pexpect.spawn(
        sys.executable,
        ["-m", "grader", "review", "lesson1", *args],
        cwd=str(root),
        env=env,
        encoding="utf-8",
        timeout=60,
        dimensions=(40, 100),
    )
    return child


def test_review_in_a_terminal_two_reviews_then_restart(course_root):
    import pexpect

    child = spawn_review(course_root, T0)
    child.expect("due 0 · new 5 · learned 0")
    child.expect("This session: 5 cards")
    child.expect("Why subtract the maximum logit")
    child.expect("show answer")
    child.send(" ")  # one key, no Enter
    child.expect("keeps every exponent")
    child.expect("4 easy")
    child.send("x")  # not a rating: asked again
    child.expect("press 1, 2, 3 or 4")
    child.expect("4 easy")
    child.send("3")  # good, at once
    child.expect("→ good")
    child.expect("What does log-sum-exp compute")
    child.expect("show answer")
    child.send("\r")
    child.expect("4 easy")
    child.send("e")  # easy, by its letter
    child.expect("→ easy")
    child.expect("show answer")  # the third card's question is up: Ctrl-C now
    child.sendintr()
    child.expect("stopped: 2 reviews saved")
    child.expect("now due 0 · new 3 · learned 2")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0

    db = course_root / "exercises" / ".dlgrade" / "review.sqlite"
    assert db.is_file()
    con = sqlite3.connect(db)
    assert con.execute("SELECT COUNT(*) FROM reviews").fetchone()[0] == 2
    assert sorted(r[0] for r in con.execute("SELECT rating FROM reviews")) == [3, 4]
    con.close()

    # Restart a minute later: nothing is due yet (good = 10 min, easy = days), three cards are new.
    child = spawn_review(course_root, T0 + timedelta(minutes=1))
    child.expect("due 0 · new 3 · learned 2")
    child.expect("show answer")
    child.send("q")
    child.expect("stopped: 0 reviews saved")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0

    # An hour later the "good" card is due; months later both are; --limit caps the session.
    child = spawn_review(course_root, T0 + timedelta(hours=1), "--limit", "1")
    child.expect("due 1 · new 3 · learned 1")
    child.expect("This session: 1 card ")
    child.expect("Why subtract the maximum logit")  # the due card comes before the new ones
    child.send(" ")
    child.expect("4 easy")
    child.send("g")
    child.expect("reviewed 1 · now due 0 · new 3 · learned 2")
    child.expect(pexpect.EOF)
    child.close()

    child = spawn_review(course_root, T0 + timedelta(days=400))
    child.expect("due 2 · new 3 · learned 0")
    child.expect("show answer")
    child.sendcontrol("d")  # end of input stops and saves too
    child.expect("stopped: 0 reviews saved")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_review_reads_lines_when_stdin_is_not_a_terminal(course_root):
    import subprocess

    env = {k: v for k, v in os.environ.items() if not k.startswith("DLGRADE_")}
    env.update(NO_COLOR="1", COLUMNS="100", DLGRADE_NOW=T0.isoformat(), PYTHONIOENCODING="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "grader", "review", "lesson1"],
        cwd=str(course_root),
        env=env,
        input="\ngood\n\n1\nq\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Enter shows the answer" in proc.stdout
    assert "→ good" in proc.stdout and "→ again" in proc.stdout
    assert "stopped: 2 reviews saved" in proc.stdout
    con = sqlite3.connect(course_root / "exercises" / ".dlgrade" / "review.sqlite")
    assert [r[0] for r in con.execute("SELECT rating FROM reviews ORDER BY id")] == [3, 1]
    con.close()
