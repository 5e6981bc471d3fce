"""The teaching a result gets: the mistake by name, the hint that fits, the cards that teach it, advice.

Everything here is explicit: an exercise names its cards in ``curriculum.yaml`` (``cards:``), a mutant names the card
that teaches what it gets wrong, and a diagnosis (``grader.grading.diagnosis``) names the mutant. Hints come one level
at a time: a diagnosed mistake's own hint, else the next level the learner has not seen yet.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from grader.course.card import Card
from grader.course.curriculum import Course, ExerciseRef
from grader.engine.results import ExerciseResult, Status
from grader.grading import diagnosis, numerics


@dataclass
class Teaching:
    """What a course teaches, read once: cards by reference, mutant signatures by exercise (cached per instance)."""

    course: Course
    _cards: dict[str, dict[str, Card]] = field(default_factory=dict)
    _signatures: dict[str, tuple[str, diagnosis.Signatures | None]] = field(default_factory=dict)

    def cards_of(self, lesson_id: str) -> dict[str, Card]:
        if lesson_id not in self._cards:
            from grader.course.notes import cards_for_lesson

            try:
                cards = cards_for_lesson(self.course, self.course.lesson(lesson_id))
            except Exception:  # notes that do not parse teach nothing here; `dlgrade cards` reports them
                cards = []
            self._cards[lesson_id] = {c.id: c for c in cards}
        return self._cards[lesson_id]

    def card(self, lesson_id: str, ref: str) -> Card | None:
        """A card by reference: ``id`` in ``lesson_id``'s notes, or ``lesson9/id``."""
        other, _, cid = ref.rpartition("/")
        return self.cards_of(other or lesson_id).get(cid)

    def cards_for(self, ref: ExerciseRef) -> list[Card]:
        """The cards an exercise names (``cards:`` in the curriculum), in that order."""
        found = (self.card(ref.lesson.id, c) for c in ref.ex.cards)
        return [c for c in found if c is not None]

    def signatures(self, ref: ExerciseRef) -> diagnosis.Signatures | None:
        key = diagnosis.signatures_key(ref)
        cached = self._signatures.get(ref.qualified_id)
        if cached is None or cached[0] != key:
            cached = (key, diagnosis.load_signatures(ref))
            self._signatures[ref.qualified_id] = cached
        return cached[1]

    def teach(self, refs: list[ExerciseRef], results: list[ExerciseResult], seen: dict[str, int] | None = None) -> None:
        """Fill each result's diagnoses, hint, cards and advice. ``seen``: the highest hint level seen so far."""
        by_id = {r.qualified_id: r for r in refs}
        for res in results:
            ref = by_id.get(res.id)
            if ref is not None:
                self._teach_one(ref, res, (seen or {}).get(res.id, 0))

    def _teach_one(self, ref: ExerciseRef, res: ExerciseResult, seen: int) -> None:
        lesson = ref.lesson.id
        sigs = self.signatures(ref)
        if sigs is not None:
            res.advice = numerics.speed_advice(res, sigs.solution_learner_s)
        if res.status is Status.PASSED:
            return
        failing = {c.kind for c in res.checks if c.status is not Status.PASSED}
        if res.error is not None or (failing and failing <= {"syntax_error", "import_error"}):
            return  # not graded, or the code does not load: the error is the feedback, a maths hint would not fit
        started = any(c.kind != "not_implemented" for c in res.checks if c.status is not Status.PASSED)
        if started and res.error is None:
            res.diagnoses = diagnosis.from_mutants(res, sigs, lesson) or numerics.diagnose(res)
        hints = list(ref.ex.hints)
        own = next((d.hint for d in res.diagnoses if d.hint), None)
        if own:
            res.hint, res.hint_level = own, 0
        elif hints:
            level = min(seen + 1, len(hints)) if started else 1
            res.hint, res.hint_level = hints[level - 1], level
        refs = [d.card for d in res.diagnoses if d.card] + [c if "/" in c else f"{lesson}/{c}" for c in ref.ex.cards]
        questions: list[str] = []
        for card_ref in dict.fromkeys(refs):
            card = self.card(lesson, card_ref)
            if card is not None and card.question not in questions:
                questions.append(card.question)
        res.cards = questions


def attach_cards(course: Course, refs: list[ExerciseRef], results: list[ExerciseResult]) -> None:
    """Teach ``results`` with a fresh :class:`Teaching` (one-off callers; keep a Teaching to reuse its caches)."""
    Teaching(course).teach(refs, results)
