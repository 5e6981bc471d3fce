"""``dlgrade grade``: grade a folder of submissions, fast, resumable, one isolated worker per submission.

Speed comes from warm interpreters: one trusted process (and its torch-importing zygote) grades a chunk of
submissions, forking a fresh limited worker per (submission, exercise) instead of paying Python + torch
start-up for each learner. Results, feedback and the gradebook are written here.
"""

from __future__ import annotations

import csv
import io
import json
import queue
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.batch.submissions import Submission, arrange, extract_zip
from grader.course.curriculum import Course, ExerciseRef
from grader.engine.engine import Engine
from grader.engine.results import ExerciseResult, LessonResult, Status, summarize
from grader.engine.runner import GradeOptions, Grader, RunInput
from grader.errors import UsageError
from grader.grading.teaching import Teaching
from grader.reports.emit import render, write_atomically


@dataclass
class Graded:
    name: str
    status: str  # passed | failed | error | not gradable
    score: float
    max_score: float
    wall_s: float
    exercises: list[ExerciseResult] = field(default_factory=list)
    fingerprint: str = ""
    note: str = ""
    sandbox: str = ""  # the isolation layers of the machine that graded it

    def to_json(self) -> dict[str, Any]:
        """Everything a report needs, losslessly: exercise records with their hints, cards, diagnoses and check
        details (the pictures), so feedback rendered from it (after a resume, or from a cluster worker's record)
        is the feedback of the run that graded it."""
        return {
            "name": self.name,
            "status": self.status,
            "score": self.score,
            "max_score": self.max_score,
            "wall_s": round(self.wall_s, 3),
            "fingerprint": self.fingerprint,
            "note": self.note,
            "sandbox": self.sandbox,
            "exercises": [e.to_json() for e in self.exercises],
        }


class BatchGrader:
    def __init__(
        self,
        course: Course,
        lesson_id: str,
        refs: list[ExerciseRef],
        out_dir: Path,
        opts: GradeOptions,
        *,
        chunk: int | None = None,
    ) -> None:
        self.course = course
        self.lesson_id = lesson_id
        self.refs = refs
        self.out_dir = out_dir
        self.jobs = max(1, opts.jobs)
        # Parallelism is across chunks; each chunk is one trusted process.
        self.opts = GradeOptions(**{**opts.__dict__, "jobs": 1})
        self.chunk = chunk
        self.teaching = Teaching(course)
        self._sandbox_text: str | None = None
        (out_dir / "results").mkdir(parents=True, exist_ok=True)
        (out_dir / "feedback").mkdir(parents=True, exist_ok=True)

    # ------------------------------------------------------------------ state

    def result_path(self, name: str) -> Path:
        return self.out_dir / "results" / f"{name}.json"

    def already_graded(self, sub: Submission) -> bool:
        p = self.result_path(sub.name)
        if not p.is_file():
            return False
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        return bool(data.get("fingerprint") == sub.fingerprint and data.get("status") != "not gradable")

    # ------------------------------------------------------------------ grading

    def grade_chunk(self, subs: list[Submission], engine: Engine | None = None) -> list[Graded]:
        start = time.monotonic()
        with tempfile.TemporaryDirectory(prefix="dlgrade-subs-") as tmp_s:
            tmp = Path(tmp_s)
            runs: list[RunInput] = []
            bad: dict[str, str] = {}
            for i, sub in enumerate(subs):
                ws = sub.path
                if sub.path.is_file():
                    try:
                        ws = extract_zip(sub.path, tmp / f"z{i}")
                    except ValueError as exc:
                        bad[sub.name] = str(exc)
                        continue
                ws = arrange(ws, [r.filename for r in self.refs], tmp / f"a{i}")
                runs.append(RunInput(f"s{i}", ws, submission=True))
            try:
                engines = [engine] if engine is not None else None
                results = Grader(self.course, self.refs, self.opts, engines).grade(runs) if runs else {}
                crash = ""
            except Exception as exc:  # the grader itself failed on this chunk: mark, move on
                results, crash = {}, f"{type(exc).__name__}: {exc}"
        wall = (time.monotonic() - start) / max(len(subs), 1)
        sandbox = self.sandbox_text()
        out = []
        for i, sub in enumerate(subs):
            if sub.name in bad:
                out.append(
                    Graded(
                        sub.name,
                        "not gradable",
                        0.0,
                        self.max_score,
                        wall,
                        fingerprint=sub.fingerprint,
                        note=bad[sub.name],
                        sandbox=sandbox,
                    )
                )
                continue
            res = results.get(f"s{i}")
            if res is None or _grader_failed(res):
                note = crash or (res[0].error if res else "") or "the grader failed on this submission"
                out.append(
                    Graded(
                        sub.name, "not gradable", 0.0, self.max_score, wall, res or [], sub.fingerprint, note, sandbox
                    )
                )
                continue
            self.teaching.teach(self.refs, res)  # the same teaching a learner's own check gives (no hints seen yet)
            status, score, max_score = summarize(res)
            out.append(Graded(sub.name, status.value, score, max_score, wall, res, sub.fingerprint, sandbox=sandbox))
        return out

    @property
    def max_score(self) -> float:
        return float(sum(r.points for r in self.refs))

    def run(
        self,
        subs: list[Submission],
        *,
        force: bool = False,
        only: str | None = None,
        progress: Callable[[int], None] | None = None,
        grade_chunk: Callable[[list[Submission]], list[Graded]] | None = None,
    ) -> tuple[list[Graded], int]:
        if only is not None:
            picked = [s for s in subs if s.name == only]
            if not picked:
                raise UsageError(f"no submission named {only!r}", fix="use a folder or .zip name from the folder")
            todo = picked
        else:
            todo = [s for s in subs if force or not self.already_graded(s)]
        skipped = len(subs) - len(todo) if only is None else 0
        jobs = self.jobs
        size = self.chunk or 1
        chunks = [todo[i : i + size] for i in range(0, len(todo), size)]
        lock = threading.Lock()
        started: list[Engine] = []
        if grade_chunk is not None:  # another backend (a Dask cluster) grades the chunks
            work: Callable[[list[Submission]], list[Graded]] = grade_chunk
            engines: queue.Queue[Engine] | None = None
        else:
            # Warm engines, started here (the thread that owns them) and reused for every chunk.
            engines = queue.Queue()
            for _ in range(min(jobs, max(len(chunks), 1))):
                engine = Engine(device=self.opts.device).start()
                started.append(engine)
                engines.put(engine)

            def work(chunk: list[Submission]) -> list[Graded]:
                assert engines is not None
                engine = engines.get()
                try:
                    return self.grade_chunk(chunk, engine)
                finally:
                    engines.put(engine)

        stopping = threading.Event()
        pool = ThreadPoolExecutor(max_workers=jobs)
        try:
            futures = [pool.submit(work, c) for c in chunks]
            for fut in as_completed(futures):
                if stopping.is_set():
                    continue
                for g in fut.result():
                    with lock:
                        self.save(g)
                    if progress:
                        progress(1)
        except KeyboardInterrupt:
            # Stop now: what is in flight is dropped (it is graded again next time), what finished is kept.
            stopping.set()
            pool.shutdown(wait=False, cancel_futures=True)
            for e in started:
                e.kill()  # the jobs in flight end at once
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            for e in started:
                e.close()
        graded = [self.load(s.name) for s in subs]
        return [g for g in graded if g is not None], skipped

    # ------------------------------------------------------------------ outputs

    def save(self, g: Graded) -> None:
        lesson_result = self.lesson_result(g)
        data = {**g.to_json(), "report": lesson_result.to_json()}
        self.result_path(g.name).write_text(json.dumps(data, indent=2), encoding="utf-8")
        fb = self.out_dir / "feedback"
        (fb / f"{g.name}.md").write_text(render(lesson_result, "markdown"), encoding="utf-8")
        (fb / f"{g.name}.html").write_text(render(lesson_result, "html"), encoding="utf-8")

    def sandbox_text(self) -> str:
        """The isolation layers this machine gives a run with these options (``dlgrade doctor`` in one line)."""
        if self._sandbox_text is None:
            from grader.engine.untrusted.sandbox import describe

            self._sandbox_text = describe(self.opts.sandbox)
        return self._sandbox_text

    def lesson_result(self, g: Graded) -> LessonResult:
        lesson = self.course.lesson(self.lesson_id)
        status = Status.ERROR if g.status == "not gradable" else Status(g.status)
        return LessonResult(
            self.lesson_id,
            lesson.title,
            status,
            g.score,
            g.max_score,
            g.exercises,
            device=self.opts.device,
            duration_s=g.wall_s,
            sandbox=g.sandbox or self.sandbox_text(),
        )

    def load(self, name: str) -> Graded | None:
        p = self.result_path(name)
        if not p.is_file():
            return None
        try:
            return graded_from(json.loads(p.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def write_gradebook(self, graded: list[Graded]) -> tuple[Path, Path]:
        ex_ids = [r.qualified_id for r in self.refs]
        rows = []
        for g in graded:
            report = json.loads(self.result_path(g.name).read_text(encoding="utf-8"))["report"]
            per = {e["id"]: e["score"] for e in report["exercises"]}
            rows.append(
                {
                    "learner": g.name,
                    **{e: per.get(e, 0.0) for e in ex_ids},
                    "total": g.score,
                    "max": g.max_score,
                    "status": g.status,
                    "wall_s": round(g.wall_s, 3),
                }
            )
        csv_path = self.out_dir / "gradebook.csv"
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=["learner", *ex_ids, "total", "max", "status", "wall_s"])
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _csv_safe(v) for k, v in row.items()})
        csv_path.write_text(buf.getvalue(), encoding="utf-8")
        json_path = self.out_dir / "gradebook.json"
        json_path.write_text(json.dumps({"lesson": self.lesson_id, "learners": rows}, indent=2), encoding="utf-8")
        return csv_path, json_path

    def write_class_report(self, graded: list[Graded]) -> tuple[Path, Path]:
        """OUT/class.html and OUT/class.json: distributions, the checks failed most, the common mistakes."""
        from grader.reports import class_report

        view = class_report.class_view(
            self.lesson_id,
            self.course.lesson(self.lesson_id).title,
            [class_report.ExerciseInfo(r.qualified_id, r.ex.title, float(r.points)) for r in self.refs],
            [class_report.Learner(g.name, g.status, g.score, g.max_score, g.exercises) for g in graded],
        )
        html_path, json_path = self.out_dir / "class.html", self.out_dir / "class.json"
        write_atomically(json_path, class_report.to_json(view))
        write_atomically(html_path, class_report.render_html(view))
        return html_path, json_path


def _grader_failed(res: list[ExerciseResult]) -> bool:
    """Every exercise lacks a record: the grader (not the learner) failed."""
    return bool(res) and all(
        r.status is Status.ERROR and (r.error or "").startswith("no check result was recorded") for r in res
    )


def graded_from(data: dict[str, Any]) -> Graded:
    """A ``Graded`` back from ``Graded.to_json()``: its exercises carry what every report needs (hints, cards,
    diagnoses, check details), so feedback rendered from it is the feedback of the run that graded it."""
    exercises = [ExerciseResult.from_json(e) for e in data.get("exercises") or data["report"]["exercises"]]
    return Graded(
        data["name"],
        data["status"],
        data["score"],
        data["max_score"],
        data["wall_s"],
        exercises,
        data.get("fingerprint", ""),
        data.get("note", ""),
        data.get("sandbox", ""),
    )


def _csv_safe(v: Any) -> Any:
    # Learner-chosen folder names must not become spreadsheet formulas.
    if isinstance(v, str) and v[:1] in ("=", "+", "-", "@"):
        return "'" + v
    return v
