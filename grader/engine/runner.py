"""Grade runs of learner code: copy workspaces, hand a job to an engine, read its records, score.

A *run* is one set of learner files (a workspace, the reference solutions, a mutant...). One job grades many runs:
each (run, exercise) gets its own forked worker. This module does not import torch; the trusted process does.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.course.curriculum import Course, ExerciseRef
from grader.engine.engine import Engine, base_env, package_parent
from grader.engine.results import CheckResult, ExerciseResult, Status, check_from_json

MAX_COPY_BYTES = 64 * 1024 * 1024
MAX_COPY_FILES = 2000
SKIP_DIRS = {"__pycache__", ".git", ".dlgrade", ".hypothesis", ".pytest_cache", ".venv", "node_modules"}


@dataclass
class RunInput:
    """One set of learner files to grade. ``overrides`` replaces files (relative path -> text)."""

    id: str
    workspace: Path
    overrides: dict[str, str] = field(default_factory=dict)
    only: set[str] | None = None  # grade only these exercises (qualified ids)
    submission: bool = False  # a handed-in submission: no workspace commands to suggest, no server paths to show


@dataclass
class GradeOptions:
    device: str = "cpu"
    jobs: int = 1
    budget_s: float | None = None  # a lesson's time budget per run (None: the course's defaults.lesson_budget_s)
    memory_mib: int | None = None
    hidden_dir: Path | None = None
    public_only: bool = False
    sandbox: str = "portable"  # or "strict": every isolation layer the machine offers


def copy_lesson(src_root: Path, rel_dirs: set[str], dest: Path) -> dict[str, str]:
    """Copy the lesson folders of a workspace; return {relative path: why it was refused}."""
    refused: dict[str, str] = {}
    total = 0
    count = 0
    root_real = src_root.resolve()
    for rel in sorted(rel_dirs):
        src = src_root / rel
        if not src.is_dir():
            continue
        for dirpath, dirnames, filenames in os.walk(src, followlinks=False):
            dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS and not os.path.islink(os.path.join(dirpath, d))]
            for name in filenames:
                path = Path(dirpath) / name
                relpath = path.relative_to(src_root).as_posix()
                if path.is_symlink():
                    target = path.resolve()
                    if not target.is_relative_to(root_real) or not target.is_file():
                        refused[relpath] = "is a symbolic link to a file outside the workspace"
                        continue
                try:
                    size = path.stat().st_size
                except OSError:
                    refused[relpath] = "cannot be read"
                    continue
                total += size
                count += 1
                if total > MAX_COPY_BYTES or count > MAX_COPY_FILES:
                    refused[relpath] = "was not copied: the lesson folder is too large"
                    continue
                out = dest / relpath
                out.parent.mkdir(parents=True, exist_ok=True)
                try:
                    shutil.copyfile(path, out)
                except OSError as exc:
                    refused[relpath] = f"cannot be read ({exc.strerror})"
    return refused


def _exercise_spec(ref: ExerciseRef) -> dict[str, Any]:
    ex = ref.ex
    return {
        "id": ref.qualified_id,
        "file": ref.filename,
        "names": list(ex.names),
        "forbid": list(ex.forbid),
        "timeout_s": ref.timeout_s,
        "budget_s": ref.budget_s,
        "tolerance": {k: v.model_dump() for k, v in ex.tolerance.items()},
        "cuda_tolerance": {k: v.model_dump() for k, v in ex.cuda_tolerance.items()},
    }


def hidden_dir_of(course: Course, opts: GradeOptions) -> Path | None:
    """Where hidden suites live when kept out of the course: ``--hidden DIR`` or ``paths.hidden``."""
    if opts.hidden_dir is not None:
        return opts.hidden_dir
    if course.data.paths.hidden:
        return course.root / course.data.paths.hidden
    return None


def suite_for(ref: ExerciseRef, opts: GradeOptions) -> tuple[Path | None, bool]:
    """The suite file to run and whether it is only the public one."""
    hidden = ref.suite_path
    hidden_dir = hidden_dir_of(ref.course, opts)
    if hidden_dir is not None and not ref.ex.suite:
        hidden = hidden_dir / ref.lesson.id / f"test_{ref.id}.py"
    if not opts.public_only and hidden.is_file():
        return hidden, False
    public = ref.public_suite_path
    if public is not None and public.is_file():
        return public, True
    return None, False


class Grader:
    """Grades runs against exercises on warm engines: one job per engine per call, many runs per job.

    Without ``engines`` it starts its own (one per ``jobs``, in the calling thread) and closes them when done: the
    cold path of ``check``. ``watch``, ``dev check`` and ``grade`` hand in engines they keep.
    """

    def __init__(
        self,
        course: Course,
        refs: list[ExerciseRef],
        opts: GradeOptions,
        engines: list[Engine] | None = None,
        progress: Callable[[str, str], None] | None = None,
    ) -> None:
        self.course = course
        self.refs = refs
        self.opts = opts
        self.engines = engines
        self.public_only = False
        # Called with (run id, exercise id) when the checks of a (run, exercise) begin to arrive: for progress bars.
        self.progress = progress

    def grade(self, runs: list[RunInput]) -> dict[str, list[ExerciseResult]]:
        jobs = max(1, min(self.opts.jobs if self.engines is None else len(self.engines), len(runs)))
        own = self.engines is None
        engines = self.engines or [Engine(device=self.opts.device).start() for _ in range(jobs)]
        groups = [runs[i::jobs] for i in range(jobs)]
        out: dict[str, list[ExerciseResult]] = {}
        try:
            if jobs == 1:
                out.update(self._grade_group(engines[0], groups[0]))
                return out
            lock = threading.Lock()

            def work(engine: Engine, group: list[RunInput]) -> None:
                res = self._grade_group(engine, group)
                with lock:
                    out.update(res)

            threads = [threading.Thread(target=work, args=(e, g)) for e, g in zip(engines, groups)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            return out
        finally:
            if own:
                for e in engines:
                    e.close()

    def _grade_group(self, engine: Engine, runs: list[RunInput]) -> dict[str, list[ExerciseResult]]:
        with tempfile.TemporaryDirectory(prefix="dlgrade-run-") as tmp_s:
            return self._grade_in(engine, Path(tmp_s), runs)

    def _grade_in(self, engine: Engine, tmp: Path, runs: list[RunInput]) -> dict[str, list[ExerciseResult]]:
        suites: dict[str, Path] = {}
        public_only = False
        for ref in self.refs:
            suite, public = suite_for(ref, self.opts)
            if suite is not None:
                suites[ref.qualified_id] = suite
                public_only = public_only or public
        self.public_only = public_only
        lesson_dirs = {str(Path(ref.filename).parent) for ref in self.refs}
        spec_runs = []
        problems: dict[str, dict[str, str]] = {}
        for n, run in enumerate(runs):
            dest = tmp / "runs" / f"r{n}"
            dest.mkdir(parents=True)
            refused = copy_lesson(run.workspace, lesson_dirs, dest)
            for rel, text in run.overrides.items():
                (dest / rel).parent.mkdir(parents=True, exist_ok=True)
                (dest / rel).write_text(text, encoding="utf-8")
                refused.pop(rel, None)
            exercises = {}
            problems[run.id] = {}
            for ref in self.refs:
                if run.only is not None and ref.qualified_id not in run.only:
                    continue
                module_path = dest / ref.filename
                if ref.filename in refused:
                    problems[run.id][ref.qualified_id] = f"{ref.filename} {refused[ref.filename]}; it was not graded"
                    continue
                if not module_path.is_file():
                    problems[run.id][ref.qualified_id] = (
                        f"{ref.filename} is not in the submission: hand in {Path(ref.filename).name} (on its own, "
                        f"or in a folder {Path(ref.filename).parent}/)"
                        if run.submission
                        else f"{ref.filename} is missing from the workspace ({run.workspace}); "
                        f"restore it with `dlgrade reset {ref.qualified_id}`"
                    )
                    continue
                if ref.qualified_id not in suites:
                    problems[run.id][ref.qualified_id] = "no suite is available for this exercise here"
                    continue
                exercises[ref.qualified_id] = {
                    "workdir": str(dest),
                    "module_path": str(module_path),
                    "module_name": Path(ref.filename).stem,
                    "tmpdir": str(dest),
                }
            spec_runs.append({"id": run.id, "exercises": exercises})
        records: list[dict[str, Any]] = []
        if any(r["exercises"] for r in spec_runs):
            job = self.job(engine, suites, spec_runs)
            started: set[tuple[str, str]] = set()

            def on_record(rec: dict[str, Any]) -> None:
                pair = (str(rec.get("run")), str(rec.get("exercise")))
                if self.progress is not None and "run" in rec and pair not in started:
                    started.add(pair)
                    self.progress(*pair)

            records = engine.run(job, self.job_limit(spec_runs), on_record)
        return {run.id: self._collect(run, records, problems[run.id]) for run in runs}

    @property
    def lesson_budget_s(self) -> float:
        return self.opts.budget_s if self.opts.budget_s is not None else self.course.data.defaults.lesson_budget_s

    def job_limit(self, spec_runs: list[dict[str, Any]]) -> float:
        """How long a job may take before its engine is stopped: only a safety net under the lessons' budgets."""
        lessons = sum(len({key.split(".", 1)[0] for key in r["exercises"]}) for r in spec_runs)
        pairs = sum(len(r["exercises"]) for r in spec_runs)
        return 60.0 + lessons * self.lesson_budget_s + 5.0 * pairs

    def job(self, engine: Engine, suites: dict[str, Path], spec_runs: list[dict[str, Any]]) -> dict[str, Any]:
        """One job for the trusted process: what to run, on which copies, under which limits."""
        memory = (self.opts.memory_mib or self.course.data.defaults.memory_mib) * 1024 * 1024
        hidden = hidden_dir_of(self.course, self.opts)
        pkg_parent = package_parent()
        return {
            "device": self.opts.device,
            "sandbox": self.opts.sandbox,
            "lesson_budget_s": self.lesson_budget_s,
            "suite_files": sorted({str(p) for p in suites.values()}),
            "suite_of": {k: str(v) for k, v in suites.items()},
            "exercises": {ref.qualified_id: _exercise_spec(ref) for ref in self.refs},
            "runs": spec_runs,
            "worker_limits": {
                "memory_bytes": memory,
                "cpu_seconds": int(self.lesson_budget_s) + 10,
                "file_bytes": 64 * 1024 * 1024,
                "max_files": 256,
                # Processes and threads of the worker's own uid (strict sandbox; root ignores it).
                "max_procs": 64,
            },
            "learner_env": base_env(),
            # Import-path entries the worker drops: folders that hold references, and the
            # course root / grader parent themselves (which would expose them as packages).
            "hidden_trees": [
                str(self.course.root / d)
                for d in (
                    self.course.data.paths.solutions,
                    self.course.data.paths.suites,
                    self.course.data.paths.mutants,
                )
            ]
            + [str(engine.trusted_dir), str(Path(pkg_parent) / "grader" / "suites")]
            + ([str(hidden)] if hidden else []),
            "hidden_exact": [str(self.course.root), pkg_parent],
        }

    def _collect(self, run: RunInput, records: list[dict[str, Any]], problems: dict[str, str]) -> list[ExerciseResult]:
        run_id = run.id
        fatal = [r for r in records if "fatal" in r]
        collect_errors = {r.get("collect_error"): r.get("message", "") for r in records if "collect_error" in r}
        results = []
        for ref in self.refs:
            key = ref.qualified_id
            if run.only is not None and key not in run.only:
                continue
            checks = [
                check_from_json({k: v for k, v in r.items() if k not in {"run", "exercise"}})
                for r in records
                if r.get("run") == run_id and r.get("exercise") == key
            ]
            error = problems.get(key)
            if key in collect_errors:
                error = "the hidden suite could not be loaded: " + collect_errors[key][-500:]
            elif not checks and error is None:
                error = "no check result was recorded" + (f" ({fatal[0]['fatal']})" if fatal else "")
            results.append(exercise_result(ref, checks, error))
        return results


def exercise_result(ref: ExerciseRef, checks: list[CheckResult], error: str | None) -> ExerciseResult:
    """Score one exercise from its check records (or the problem that kept it from being graded)."""
    graded = [c for c in checks if c.status is not Status.SKIPPED]
    scored = [c for c in graded if not c.gate]
    passed = sum(1 for c in scored if c.status is Status.PASSED)
    # Failing a gate, or calling a forbidden built-in anywhere, zeroes the exercise.
    gate_failed = any((c.gate or c.kind == "forbidden_api") and c.status is not Status.PASSED for c in graded)
    if error is not None:
        status, score = Status.ERROR, 0.0
    elif graded and all(c.status is Status.PASSED for c in graded):
        status, score = Status.PASSED, float(ref.points)
    else:
        status = Status.FAILED
        score = round(ref.points * passed / len(scored), 2) if scored and not gate_failed else 0.0
        kinds = {c.kind for c in graded if c.status is not Status.PASSED}
        if kinds & {"syntax_error", "import_error"} and passed == 0:
            status = Status.ERROR
    note = None
    blocking = [c for c in graded if (c.gate or c.kind == "forbidden_api") and c.status is not Status.PASSED]
    if error is None and any(c.kind == "forbidden_api" for c in blocking):
        note = (
            f"0 points although {passed} of {len(scored)} checks passed: the code uses a built-in this exercise asks "
            "you to write yourself, and that zeroes the exercise until it is gone"
        )
    elif error is None and blocking and passed:
        note = (
            f'0 points although {passed} of {len(scored)} checks passed: "{blocking[0].title or blocking[0].name}" '
            "must pass before any point counts"
        )
    return ExerciseResult(
        id=ref.qualified_id,
        title=ref.ex.title,
        status=status,
        score=score,
        max_score=float(ref.points),
        checks=checks,
        file=ref.filename,
        n_hints=len(ref.ex.hints),
        error=error,
        note=note,
        names=list(ref.ex.names),
    )


def grade_workspace(
    course: Course,
    refs: list[ExerciseRef],
    workspace: Path,
    opts: GradeOptions,
    run_id: str = "learner",
    *,
    engine: Engine | None = None,
    overrides: dict[str, str] | None = None,
    progress: Callable[[str, str], None] | None = None,
) -> tuple[list[ExerciseResult], float, bool]:
    """Grade one workspace (with ``overrides``: relative path -> text replacing or adding files in its copy)."""
    start = time.monotonic()
    g = Grader(course, refs, opts, [engine] if engine is not None else None, progress)
    res = g.grade([RunInput(run_id, workspace, dict(overrides or {}))])
    return res[run_id], time.monotonic() - start, g.public_only
