"""``dlgrade dev check``: prove each suite passes the solution and rejects the stub and every mutant."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from grader.course.curriculum import Course, ExerciseRef
from grader.course.mutants import Mutant, load_mutants, mutate
from grader.engine.results import ExerciseResult, Status
from grader.engine.runner import GradeOptions, Grader, RunInput
from grader.grading import diagnosis
from grader.instructor.lint import stub_problems, teaching_problems, unowned_files


@dataclass
class Verdict:
    ok: bool
    text: str
    checks: int = 0  # for a mutant: how many checks caught it


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
    return Verdict(True, f"killed by {n} check(s): {', '.join(sorted(k for k in kinds if k))}", n)


@dataclass
class CourseProof:
    exercises: list[ExerciseProof]
    unowned: list[str] = field(default_factory=list)  # files no curriculum entry owns
    signatures_written: list[str] = field(default_factory=list)  # mutant signature files recorded anew

    @property
    def ok(self) -> bool:
        return all(p.ok for p in self.exercises) and not self.unowned


def count_runs(refs: list[ExerciseRef]) -> int:
    """How many (run, exercise) pairs ``prove`` grades: solution and stub of each exercise, and every mutant."""
    return sum(2 + len(load_mutants(ref)) for ref in refs)


def prove(
    course: Course,
    refs: list[ExerciseRef],
    device: str = "cpu",
    jobs: int = 1,
    progress: Callable[[str, str], None] | None = None,
) -> CourseProof:
    runs = [
        RunInput("solution", course.root / course.data.paths.solutions),
        RunInput("stub", course.root / course.data.paths.exercises),
    ]
    mutant_runs: dict[str, list[tuple[str, Mutant]]] = {}
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
            mutant_runs[ref.qualified_id].append((rid, m))
    results = Grader(course, refs, GradeOptions(device=device, jobs=jobs), progress=progress).grade(runs)
    teaching = teaching_problems(course, refs)
    proofs = []
    written: list[str] = []
    for i, ref in enumerate(refs):
        sol = results["solution"][i]
        stub = results["stub"][i]
        proof = ExerciseProof(
            ref, judge_solution(sol), judge_stub(stub), teaching=teaching[ref.qualified_id] + stub_problems(ref)
        )
        ran = [
            (m, next(r for r in results[rid] if r.id == ref.qualified_id)) for rid, m in mutant_runs[ref.qualified_id]
        ]
        for m, res in ran:
            proof.mutants.append((m.id, judge_mutant(res, m.expect)))
        if proof.solution.ok and all(v.ok for _, v in proof.mutants):
            # What each mutant returns is the error model diagnosis names mistakes from: record it, then make sure
            # every mutant is named as itself (two that fail alike could not be told apart in feedback).
            sigs, changed = diagnosis.record_signatures(ref, sol, ran)
            if changed:
                written.append(str(diagnosis.signatures_path(ref).relative_to(course.root)))
            proof.teaching += diagnosed_as_itself(ref, sigs, ran)
        proof.duration_s = sum(c.duration_s for c in sol.checks)
        proofs.append(proof)
    lessons = sorted({ref.lesson.id for ref in refs})
    return CourseProof(proofs, unowned_files(course, lessons), written)


def diagnosed_as_itself(
    ref: ExerciseRef, sigs: diagnosis.Signatures, ran: list[tuple[Mutant, ExerciseResult]]
) -> list[str]:
    problems = []
    for m, res in ran:
        named = diagnosis.from_mutants(res, sigs, ref.lesson.id)
        if not named or named[0].id != f"mutant:{m.id}":
            what = named[0].id.removeprefix("mutant:") if named else "no known mistake"
            problems.append(
                f"mutant {m.id}: its feedback names {what}, not itself (make it fail some check in its own way)"
            )
    return problems


def show_proofs(proof: CourseProof, out: object) -> bool:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    assert isinstance(out, Console)
    table = Table(title="dev check: solution passes, stub not implemented, every mutant fails")
    table.add_column("exercise", no_wrap=True)
    table.add_column("solution")
    table.add_column("stub")
    table.add_column("mutants")
    table.add_column("caught by", justify="right")
    table.add_column("suite time", justify="right")
    proofs = proof.exercises
    for p in proofs:
        killed = sum(1 for _, v in p.mutants if v.ok)
        mut = f"{killed}/{len(p.mutants)} killed"
        fewest = min((v.checks for _, v in p.mutants if v.ok), default=0)
        table.add_row(
            p.ref.qualified_id,
            "[green]passes[/green]" if p.solution.ok else "[red]FAILS[/red]",
            "[green]not impl.[/green]" if p.stub.ok else "[red]BREACH[/red]",
            f"[green]{mut}[/green]" if killed == len(p.mutants) and len(p.mutants) >= 3 else f"[red]{mut}[/red]",
            f"≥{fewest} checks" if fewest > 1 else f"[yellow]{fewest} check[/yellow]",
            f"{p.duration_s:.2f} s",
        )
    out.print(table)
    bad = [p for p in proofs if not p.ok]
    for p in bad:
        for line in p.problems:
            out.print(f"[red]✘ {p.ref.qualified_id}[/red] {escape(line)}")
    for path in proof.signatures_written:
        out.print(f"[cyan]recorded[/cyan] {escape(path)} (what each mutant returns, for diagnosis; commit it)")
    for path in proof.unowned:
        out.print(f"[red]✘ {escape(path)}[/red] no curriculum entry owns this file (remove it, or add its entry)")
    if not bad and not proof.unowned:
        out.print(f"[green]all {len(proofs)} exercise(s) proven[/green]")
    return proof.ok
