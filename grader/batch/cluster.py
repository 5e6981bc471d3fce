"""Grade past one machine: one Dask task per submission, same isolation, same result records.

Each task receives the submission as zip bytes and grades it on the worker machine with the same
``Grader`` as a local run, on a warm engine each Dask worker keeps (a worker plugin holds it and closes
it with the worker), forking a fresh learner worker per exercise. The course must be present at the
same path on every worker (a shared folder, or the same checkout).
"""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from grader.batch.gradebook import Graded, graded_from
from grader.batch.submissions import Submission, extract_zip
from grader.course.curriculum import Course, ExerciseRef
from grader.engine.runner import GradeOptions
from grader.errors import UsageError


def _zip_folder(path: Path) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(path.rglob("*")):
            if p.is_file() and not p.is_symlink() and "__pycache__" not in p.parts:
                zf.write(p, p.relative_to(path).as_posix())
    return buf.getvalue()


ENGINES = "dlgrade-engines"


def engine_holder() -> Any:
    """A Dask worker plugin: the warm grading engines of one Dask worker, one per device, closed on teardown.

    Made here because ``distributed`` is an optional dependency (the class travels to the workers by value)."""
    from distributed import WorkerPlugin

    class EngineHolder(WorkerPlugin):  # type: ignore[misc]
        idempotent = True

        def __init__(self) -> None:
            self.engines: dict[str, Any] = {}

        def teardown(self, worker: Any) -> None:
            for engine in self.engines.values():
                engine.close()
            self.engines.clear()

        def engine(self, device: str) -> Any:
            from grader.engine.engine import Engine

            if device not in self.engines:
                self.engines[device] = Engine(device=device).start()
            return self.engines[device]

    return EngineHolder()


def _worker_engine(device: str) -> Any:
    """This Dask worker's engine for ``device`` (None outside a worker that holds the plugin: a cold one is used)."""
    try:
        from distributed import get_worker

        holder = get_worker().plugins.get(ENGINES)
    except (ImportError, ValueError):
        return None
    return holder.engine(device) if holder is not None and hasattr(holder, "engine") else None


def grade_task(
    course_root: str, lesson_id: str, target: str, name: str, fingerprint: str, payload: bytes, opts: dict[str, Any]
) -> dict[str, Any]:
    """Runs on a Dask worker: grade with the local grader, return the full record as plain data (``Graded.to_json``:
    hints, cards, diagnoses and check details included), so the feedback written from it is a local run's."""
    from grader.batch.gradebook import BatchGrader
    from grader.course.curriculum import load_course

    course = load_course(Path(course_root))
    _, refs = course.select(target)
    with tempfile.TemporaryDirectory(prefix="dlgrade-task-") as tmp_s:
        tmp = Path(tmp_s)
        src = tmp / "submission.zip"
        src.write_bytes(payload)
        batch = BatchGrader(course, lesson_id, refs, tmp / "out", GradeOptions(**opts))
        engine = _worker_engine(batch.opts.device)
        graded = batch.grade_chunk([Submission(name, src, fingerprint)], engine)[0]
        # Through JSON: what crosses the wire is plain data, exactly what a results file holds.
        return json.loads(json.dumps(graded.to_json()))  # type: ignore[no-any-return]


class ClusterGrader:
    def __init__(
        self, address: str, course: Course, lesson_id: str, refs: list[ExerciseRef], opts: GradeOptions
    ) -> None:
        try:
            from distributed import Client
        except ImportError:
            raise UsageError("--cluster needs Dask", fix="pip install 'dlgrade[cluster]'") from None
        try:
            self.client = Client(address, timeout="10s")
        except OSError as exc:
            raise UsageError(
                f"cannot reach the Dask scheduler at {address} ({exc})",
                fix="start one with `dask scheduler` and pass its tcp:// address",
            ) from None
        self.client.register_plugin(engine_holder(), name=ENGINES)
        self.course = course
        self.lesson_id = lesson_id
        self.target = lesson_id if len(refs) == len(course.lesson(lesson_id).exercises) else refs[0].qualified_id
        self.opts = {**opts.__dict__, "jobs": 1}

    def grade_chunk(self, subs: list[Submission]) -> list[Graded]:
        futures = []
        for sub in subs:
            payload = sub.path.read_bytes() if sub.path.is_file() else _zip_folder(sub.path)
            futures.append(
                self.client.submit(
                    grade_task,
                    str(self.course.root),
                    self.lesson_id,
                    self.target,
                    sub.name,
                    sub.fingerprint,
                    payload,
                    self.opts,
                    pure=False,
                )
            )
        return [graded_from(f.result()) for f in futures]


__all__ = ["ClusterGrader", "grade_task", "extract_zip"]
