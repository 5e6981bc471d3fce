"""``dlgrade dev check``: prove each suite passes the solution and rejects the stub and every mutant."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from grader.course.curriculum import Course, ExerciseRef
from grader.course.mutants import load_mutants, mutate
from grader.engine.results import ExerciseResult, Status
from grader.engine.runner import GradeOptions, Grader, RunInput


@dataclass
class Verdict:
    ok: bool
    text: str


@dataclass
class ExerciseProof:
    ref: ExerciseRef
    solution: Verdict
    stub: Verdict
    mutants: list[tuple[str, Verdict]] = field(default_factory=list)
    duration_s: float = 0.0
    teaching: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            self.solution.ok
            and self.stub.ok
            and all(v.ok for _, v in self.mutants)
            and len(self.mutants) >= 3
            and not self.teaching
        )

    @property
    def problems(self) -> list[str]:
        out = []
        if not self.solution.ok:
            out.append(f"solution: {self.solution.text}")
        if not self.stub.ok:
            out.append(f"stub: {self.stub.text}")
        out += [f"mutant {mid}: {v.text}" for mid, v in self.mutants if not v.ok]
        if len(self.mutants) < 3:
            out.append(f"only {len(self.mutants)} mutant(s); at least 3 are required")
        out += self.teaching
        return out


def _first_failure(res: ExerciseResult) -> str:
    if res.error:
        return res.error
    for c in res.checks:
        if c.status is not Status.PASSED:
            return f"{c.name}: {c.message.splitlines()[0] if c.message else c.kind}"
    return ""


def judge_solution(res: ExerciseResult) -> Verdict:
    if res.status is Status.PASSED:
        return Verdict(True, f"passes {len(res.checks)} checks")
    return Verdict(False, "fails: " + _first_failure(res))


def judge_stub(res: ExerciseResult) -> Verdict:
    if res.status is Status.PASSED:
        return Verdict(False, "the stub passes every check")
    failed = [c for c in res.checks if c.status is not Status.PASSED]
    other = [c for c in failed if c.kind != "not_implemented"]
    if res.error or not failed:
        return Verdict(False, "fails without a 'not implemented' message: " + _first_failure(res))
    if other:
        return Verdict(False, f"{other[0].name} fails with {other[0].kind}, not 'not implemented': {other[0].message}")
    return Verdict(True, f"not implemented ({len(failed)} checks)")


def judge_mutant(res: ExerciseResult, expect: list[str]) -> Verdict:
    if res.status is Status.PASSED:
        return Verdict(False, "SURVIVED: every check passed")
    kinds = res.kinds
    if expect and not kinds & set(expect):
        return Verdict(False, f"failed, but with {sorted(kinds)} instead of {expect}")
    n = sum(1 for c in res.checks if c.status is not Status.PASSED)
    return Verdict(True, f"killed by {n} check(s): {', '.join(sorted(k for k in kinds if k))}")


def prove(course: Course, refs: list[ExerciseRef], device: str = "cpu", jobs: int = 1) -> list[ExerciseProof]:
    runs = [
        RunInput("solution", course.root / course.data.paths.solutions),
        RunInput("stub", course.root / course.data.paths.exercises),
    ]
    mutant_runs: dict[str, list[tuple[str, list[str]]]] = {}
    for ref in refs:
        mutant_runs[ref.qualified_id] = []
        for m in load_mutants(ref):
            rid = f"mutant:{ref.qualified_id}:{m.id}"
            runs.append(
                RunInput(
                    rid,
                    course.root / course.data.paths.solutions,
                    {ref.filename: mutate(ref, m)},
                    only={ref.qualified_id},
                )
            )
            mutant_runs[ref.qualified_id].append((rid, m.expect))
    results = Grader(course, refs, GradeOptions(device=device, jobs=jobs)).grade(runs)
    teaching = teaching_problems(course, refs)
    proofs = []
    for i, ref in enumerate(refs):
        sol = results["solution"][i]
        stub = results["stub"][i]
        proof = ExerciseProof(ref, judge_solution(sol), judge_stub(stub), teaching=teaching[ref.qualified_id])
        for rid, expect in mutant_runs[ref.qualified_id]:
            res = next(r for r in results[rid] if r.id == ref.qualified_id)
            proof.mutants.append((rid.rsplit(":", 1)[1], judge_mutant(res, expect)))
        proof.duration_s = sum(c.duration_s for c in sol.checks)
        proofs.append(proof)
    return proofs


def show_proofs(proofs: list[ExerciseProof], out: object) -> bool:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    assert isinstance(out, Console)
    table = Table(title="dev check: solution passes, stub not implemented, every mutant fails")
    table.add_column("exercise")
    table.add_column("solution")
    table.add_column("stub")
    table.add_column("mutants")
    table.add_column("suite time", justify="right")
    for p in proofs:
        killed = sum(1 for _, v in p.mutants if v.ok)
        mut = f"{killed}/{len(p.mutants)} killed"
        table.add_row(
            p.ref.qualified_id,
            "[green]passes[/green]" if p.solution.ok else "[red]FAILS[/red]",
            "[green]not impl.[/green]" if p.stub.ok else "[red]BREACH[/red]",
            f"[green]{mut}[/green]" if killed == len(p.mutants) and len(p.mutants) >= 3 else f"[red]{mut}[/red]",
            f"{p.duration_s:.2f} s",
        )
    out.print(table)
    bad = [p for p in proofs if not p.ok]
    for p in bad:
        for line in p.problems:
            out.print(f"[red]✘ {p.ref.qualified_id}[/red] {escape(line)}")
    if not bad:
        out.print(f"[green]all {len(proofs)} exercise(s) proven[/green]")
    return not bad


# ---------------------------------------------------------------------- teaching links

_CODE_IN_HINT = (
    re.compile(r"`"),  # a code span
    re.compile(r"\b(?!e\.g\b|i\.e\b)[A-Za-z_]\w*\.[A-Za-z_]\w*"),  # an attribute: x.grad, torch.eye, nn.Linear
    re.compile(r"\b[A-Za-z_]\w*\("),  # a call: log_softmax(x, min(600
    re.compile(r"\b\w+\s*(?:[-+*/]?=)\s*[\w(\[-]"),  # an assignment: grad = ..., x -= m
    re.compile(r"\s@\s|\*\*"),  # matmul and power operators
    re.compile(r"\[\s*:|:\s*\]|\.\.\.\]"),  # slicing
)


def code_in_hint(text: str) -> str | None:
    """The first piece of code in a hint, or None: level 1 is a nudge in words."""
    for pattern in _CODE_IN_HINT:
        m = pattern.search(text)
        if m:
            return m.group(0)
    return None


def resolve_card(course: Course, lesson_id: str, ref: str, cards: dict[str, set[str]]) -> bool:
    """Does ``ref`` (``id`` in ``lesson_id``'s notes, or ``lesson9/id``) name a card?"""
    lesson_part, _, card = ref.rpartition("/")
    return card in cards.get(lesson_part or lesson_id, set())


def teaching_problems(course: Course, refs: list[ExerciseRef]) -> dict[str, list[str]]:
    """Per exercise: card links that name no card, mutants without a hint or a card, code in hint 1."""
    from grader.course.notes import cards_for_lesson

    ids: dict[str, set[str]] = {}
    for lesson in course.lessons:
        try:
            ids[lesson.id] = {c.id for c in cards_for_lesson(course, lesson)}
        except Exception:
            ids[lesson.id] = set()
    out: dict[str, list[str]] = {}
    for ref in refs:
        problems = []
        lid = ref.lesson.id
        if not ref.ex.cards:
            problems.append("names no cards (add `cards: [...]` with the ids of the cards that teach it)")
        for c in ref.ex.cards:
            if not resolve_card(course, lid, c, ids):
                problems.append(f"cards: {c!r} is not a card id in {lid}'s notes")
        code = code_in_hint(ref.ex.hints[0])
        if code:
            problems.append(f"hint 1 gives code away ({code!r}); keep level 1 a nudge in words")
        for m in load_mutants(ref):
            if not m.hint:
                problems.append(f"mutant {m.id}: no `hint:` (where to look, not the fix)")
            if not m.card:
                problems.append(f"mutant {m.id}: no `card:` (the card that teaches what it gets wrong)")
            elif not resolve_card(course, lid, m.card, ids):
                problems.append(f"mutant {m.id}: card {m.card!r} is not a card id in {lid}'s notes")
        out[ref.qualified_id] = problems
    return out
