"""The pytest plugin of the trusted process.

It parametrizes every hidden suite over the runs in the spec (a learner workspace, the solution, a mutant ...),
gives each test module a ``learner`` proxy backed by one worker per (run, exercise), and writes one JSON line per
check to the record pipe. The record pipe is the only source of scores: the worker never holds it.

State lives on the :class:`TrustedPlugin` instance (reached by fixtures through ``config.stash``); each check runs
inside its own ``grader.testing.session.Session``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Generator, Iterator
from typing import Any

import pytest

from grader.engine.problems import CheckFailure
from grader.engine.trusted.client import Clock, Worker, Zygote
from grader.testing.learner import Learner
from grader.testing.session import Session, active

PLUGIN_KEY = pytest.StashKey["TrustedPlugin"]()


class TrustedPlugin:
    """Parametrizes suites over runs, owns the workers, records every check."""

    def __init__(self, spec: dict[str, Any], zygote: Zygote, emit: Callable[[dict[str, Any]], None]) -> None:
        self.spec = spec
        self.zygote = zygote
        self.emit = emit
        self.workers: dict[tuple[str, str], Worker] = {}
        self.by_suite = {os.path.realpath(f): key for key, f in spec["suite_of"].items()}
        self.keys: dict[str, str | None] = {}
        self.runs = {r["id"]: r for r in spec["runs"]}
        # One clock per (run, lesson): a lesson's checks of one run share its time budget, whatever the code does.
        self.clocks: dict[tuple[str, str], Clock] = {}

    def clock(self, run_id: str, key: str) -> Clock:
        lesson = key.split(".", 1)[0]
        if (run_id, lesson) not in self.clocks:
            self.clocks[(run_id, lesson)] = Clock(float(self.spec.get("lesson_budget_s", 60.0)))
        return self.clocks[(run_id, lesson)]

    # ------------------------------------------------------------------ helpers

    def exercise_key(self, path: Any) -> str | None:
        name = str(path)
        if name not in self.keys:  # asked in every hook of every check: resolve each path once
            self.keys[name] = self.by_suite.get(os.path.realpath(name))
        return self.keys[name]

    def exercise(self, key: str, run_id: str | None = None) -> dict[str, Any]:
        ex = dict(self.spec["exercises"][key])
        if run_id is not None:
            ex.update(self.runs[run_id]["exercises"][key])
        return ex

    def close(self) -> None:
        for worker in self.workers.values():
            worker.stop()
        self.workers.clear()

    # ------------------------------------------------------------------ hooks

    def pytest_configure(self, config: pytest.Config) -> None:
        config.stash[PLUGIN_KEY] = self

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        key = self.exercise_key(metafunc.definition.path)
        if key is None:
            return
        runs = [r["id"] for r in self.spec["runs"] if key in r["exercises"]]
        if "_run" not in metafunc.fixturenames:
            metafunc.fixturenames.append("_run")
        metafunc.parametrize("_run", runs, ids=[f"run:{r}" for r in runs], scope="module", indirect=True)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
        key = self.exercise_key(item.path)
        session = Session(self.exercise(key) if key else {}, str(self.spec["device"]))
        item.stash[SESSION_KEY] = session
        with active(session):
            return (yield)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        key = self.exercise_key(item.path)
        callspec = getattr(item, "callspec", None)
        run_id = callspec.params.get("_run") if callspec else None
        if key is None or run_id is None:
            return report
        passed_call = report.when == "call" and report.passed
        if not (passed_call or report.failed or (report.when == "call" and report.skipped)):
            return report
        session = item.stash.get(SESSION_KEY, None) or Session()
        rec: dict[str, Any] = {
            "run": run_id,
            "exercise": key,
            "name": check_name(item.name),
            "title": title_of(item),
            "duration_s": round(report.duration, 4),
        }
        if session.gate:
            rec["gate"] = True
        if session.learner is not None and report.when == "call":
            # CPU time the learner's code took in this check: beside the solution's, it tells slow code apart.
            rec["learner_s"] = round(session.learner.worker_time_s - session.learner_start_s, 4)
        if passed_call:
            rec["status"] = "passed"
        elif report.skipped:
            rec["status"] = "skipped"
            rec["message"] = str(report.longrepr[2]) if isinstance(report.longrepr, tuple) else "skipped"
        else:
            exc = call.excinfo.value if call.excinfo else None
            if isinstance(exc, CheckFailure):
                rec.update(status="failed", kind=exc.kind, message=exc.message, details=plain(exc.details))
            else:
                # An exception that is not a check result: a bug in the suite, or the grader.
                name = type(exc).__name__ if exc else "error"
                rec.update(
                    status="error",
                    kind="internal",
                    message=f"the check itself failed ({name}: {str(exc)[:300]}) in the {report.when} phase",
                )
            learner = session.learner
            if learner is not None:
                if learner.last_call:
                    rec["call"] = learner.last_call
                if learner.last_output:
                    rec["output"] = learner.last_output[:4096]
        self.emit(rec)
        return report

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            key = self.exercise_key(report.fspath) if report.fspath else None
            self.emit({"collect_error": key, "message": str(report.longrepr)[-2000:]})


SESSION_KEY = pytest.StashKey[Session]()


def check_name(item_name: str) -> str:
    """``test_x[run:s0-float32]`` -> ``test_x[float32]``: the run is not part of a check's name."""
    base, _, params = item_name.partition("[")
    kept = [p for p in params.rstrip("]").split("-") if p and not p.startswith("run:")]
    return base + (f"[{'-'.join(kept)}]" if kept else "")


def title_of(item: pytest.Item) -> str:
    """The check's title: its docstring's first line (else its name), with its parameters."""
    fn = getattr(item, "function", None)
    doc = (getattr(fn, "__doc__", None) or "").strip().splitlines()
    base = doc[0].strip() if doc else item.name.split("[")[0].removeprefix("test_").replace("_", " ")
    params = item.name.partition("[")[2].rstrip("]")
    params = "-".join(p for p in params.split("-") if not p.startswith("run:"))
    return f"{base} [{params}]" if params else base


def plain(obj: Any) -> Any:
    """Details must be JSON: drop anything else."""
    try:
        json.dumps(obj)
        return obj
    except (TypeError, ValueError):
        if isinstance(obj, dict):
            return {str(k): plain(v) for k, v in obj.items()}
        if isinstance(obj, (list, tuple)):
            return [plain(v) for v in obj]
        return repr(obj)[:200]


# ---------------------------------------------------------------------- fixtures (this module is a plugin too)


def _plugin(request: pytest.FixtureRequest) -> TrustedPlugin:
    return request.config.stash[PLUGIN_KEY]


@pytest.fixture(scope="module")
def _run(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def _worker(request: pytest.FixtureRequest, _run: str) -> Iterator[Worker]:
    plugin = _plugin(request)
    key = plugin.exercise_key(request.module.__file__)
    assert key is not None
    ex = plugin.spec["exercises"][key]
    spec = plugin.spec
    worker_spec = dict(spec["worker_limits"])
    worker_spec.update(plugin.runs[_run]["exercises"][key])
    worker_spec.update(
        forbid=ex.get("forbid", []),
        device=spec["device"],
        sandbox=spec.get("sandbox", "portable"),
        env=spec["learner_env"],
        hidden_trees=spec["hidden_trees"],
        hidden_exact=spec["hidden_exact"],
    )
    worker = Worker(plugin.zygote, worker_spec, ex["timeout_s"], ex["budget_s"], plugin.clock(_run, key))
    plugin.workers[(_run, key)] = worker
    yield worker
    worker.stop()
    plugin.workers.pop((_run, key), None)


@pytest.fixture
def learner(request: pytest.FixtureRequest, _worker: Worker, _run: str) -> Learner:
    """The learner's module for this exercise, reached through the worker."""
    plugin = _plugin(request)
    key = plugin.exercise_key(request.module.__file__)
    assert key is not None
    proxy = Learner(_worker, plugin.exercise(key, _run))
    session = request.node.stash.get(SESSION_KEY, None)
    if session is not None:
        session.learner = proxy
        session.learner_start_s = _worker.cpu_s
    return proxy


@pytest.fixture
def device(request: pytest.FixtureRequest) -> Any:
    """The device the suite runs on (``--device``): references and inputs live there."""
    import torch

    return torch.device(_plugin(request).spec["device"])
