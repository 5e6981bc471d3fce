"""Tie failed checks to the flashcards of their exercise."""

from __future__ import annotations

from grader.course.curriculum import Course, Lesson
from grader.engine.results import ExerciseResult


def attach_cards(course: Course, lesson: Lesson, results: list[ExerciseResult]) -> None:
    """Give each exercise result the questions of its cards (shown when it fails)."""
    try:
        from grader.course.notes import cards_for_lesson
    except ImportError:
        return
    try:
        cards = cards_for_lesson(course, lesson)
    except Exception:
        return
    for res in results:
        ex_id = res.id.split(".", 1)[1]
        res.cards = [c.question for c in cards if ex_id in c.exercises]
