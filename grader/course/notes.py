"""Lesson notes to flashcards: the entry points.

The forms recognised are described in CONTRIBUTING.md ("Cards"):

- ``Q:`` / ``A:`` blocks (each side may span lines; the answer may continue into a list or a code fence);
- ``Q:`` followed directly by bullet lines and no ``A:`` (the bullets are the answer);
- one-line ``question :: answer``;
- a question, a line holding only ``?``, then the answer;
- cloze deletions ``==term==`` inside a sentence.

A malformed card is reported as a :class:`NoteProblem` with its file and line; the rest of the notes still load.
No torch, no heavy imports: ``dlgrade check`` reads the cards of failed exercises.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from grader.course.card import Card, NoteProblem, normalize_question
from grader.course.note_parser import _dedupe, _Parser

if TYPE_CHECKING:
    from grader.course.curriculum import Course, Lesson

__all__ = ["Card", "NoteProblem", "cards_for_lesson", "load_cards", "parse_notes"]


def parse_notes(text: str, lesson_id: str, path: str | Path = "<notes>") -> tuple[list[Card], list[NoteProblem]]:
    """Every card in ``text`` (a lesson's notes) and every problem found, each with its line."""
    return _Parser(text.replace("\r\n", "\n").replace("\r", "\n"), lesson_id, str(path)).run()


def load_cards(course: Course, lesson: Lesson) -> tuple[list[Card], list[NoteProblem]]:
    """The cards of a lesson's notes, with exercises matched by heading and unknown exercise tags reported.

    A lesson without a notes file has no cards (and no problem).
    """
    path = course.notes_path(lesson)
    if not path.is_file():
        return [], []
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return [], [NoteProblem(str(path), 1, f"not UTF-8 text (byte {exc.start})", "save the file as UTF-8")]
    cards, problems = parse_notes(text, lesson.id, path)
    ordered = [ex.id for ex in lesson.exercises]  # curriculum order: the same tags in the same order every run
    known = set(ordered)
    titles = {normalize_question(ex.title): ex.id for ex in lesson.exercises}
    reported: set[tuple[str, int]] = set()
    for card in cards:
        by_heading = []
        for heading in card.heading_path:
            norm = normalize_question(heading.replace("`", ""))
            if norm in titles:
                by_heading.append(titles[norm])
            for ex_id in ordered:
                if re.search(rf"(?<![\w]){re.escape(ex_id)}(?![\w])", heading.lower()):
                    by_heading.append(ex_id)
        card.exercises = _dedupe(card.exercises + by_heading)
        for ex_id in card.exercises:
            if ex_id not in known and (ex_id, card.line) not in reported:
                reported.add((ex_id, card.line))
                hint = ", ".join(sorted(known)) or "none yet"
                problems.append(
                    NoteProblem(
                        str(path),
                        card.line,
                        f"the card is tagged with exercise {ex_id!r}, which {lesson.id} does not have",
                        f"use one of: {hint}",
                    )
                )
    return cards, problems


def cards_for_lesson(course: Course, lesson: Lesson) -> list[Card]:
    """The cards of a lesson (problems are left for ``dlgrade cards`` to report)."""
    return load_cards(course, lesson)[0]
