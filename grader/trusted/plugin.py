"""The pytest plugin of the trusted process.

It parametrizes every hidden suite over the runs in the spec (a learner workspace, the
solution, a mutant ...), gives each test module a ``learner`` proxy backed by one worker
per (run, exercise), and writes one JSON line per check to the record pipe. The record
pipe is the only source of scores: the worker never holds it.
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest

from grader import protocol, testing
from grader.problems import CheckFailure
from grader.trusted.client import Worker, Zygote

STATE: dict[str, Any] = {}


def configure(spec: dict, zygote: Zygote, record_fd: int) -> None:
    STATE["spec"] = spec
    STATE["zygote"] = zygote
    STATE["record"] = os.fdopen(record_fd, "w", buffering=1, encoding="utf-8")
    STATE["workers"] = {}
    # suite file -> exercise key
    STATE["by_suite"] = {os.path.realpath(f): key for key, f in spec["suite_of"].items()}


def shutdown() -> None:
    for worker in STATE.get("workers", {}).values():
        worker.stop()
    STATE["workers"] = {}
    rec = STATE.get("record")
    if rec is not None:
        rec.close()


def _emit(obj: dict) -> None:
    STATE["record"].write(json.dumps(obj) + "\n")


def _exercise_key(path: Any) -> str | None:
    return STATE["by_suite"].get(os.path.realpath(str(path)))


def _title(item: pytest.Item) -> str:
    fn = getattr(item, "function", None)
    doc = (getattr(fn, "__doc__", None) or "").strip().splitlines()
    base = doc[0].strip() if doc else item.name.split("[")[0].removeprefix("test_").replace("_", " ")
    params = item.name.partition("[")[2].rstrip("]")
    params = "-".join(p for p in params.split("-") if not p.startswith("run:"))
    return f"{base} [{params}]" if params else base


class Plugin:
    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        key = _exercise_key(metafunc.definition.path)
        if key is None:
            return
        runs = [r for r in STATE["spec"]["runs"] if key in r["exercises"]]
        ids = [f"run:{r['id']}" for r in runs]
        if "_run" not in metafunc.fixturenames:
            metafunc.fixturenames.append("_run")
        metafunc.parametrize("_run", [r["id"] for r in runs], ids=ids, scope="module", indirect=True)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
        report = yield
        key = _exercise_key(item.path)
        callspec = getattr(item, "callspec", None)
        run_id = callspec.params.get("_run") if callspec else None
        if key is None or run_id is None:
            return report
        passed_call = report.when == "call" and report.passed
        failed = report.failed
        if not (passed_call or failed or (report.when == "call" and report.skipped)):
            return report
        check = item.name.split("[")[0]
        params = [p for p in item.name.partition("[")[2].rstrip("]").split("-") if p and not p.startswith("run:")]
        if params:
            check += "[" + "-".join(params) + "]"
        learner = STATE.get("current_learner")
        rec: dict[str, Any] = {
            "run": run_id,
            "exercise": key,
            "name": check,
            "title": _title(item),
            "duration_s": round(report.duration, 4),
        }
        if testing.CURRENT.get("gate"):
            rec["gate"] = True
        if passed_call:
            rec["status"] = "passed"
        elif report.skipped:
            rec["status"] = "skipped"
            rec["message"] = str(report.longrepr[2]) if isinstance(report.longrepr, tuple) else "skipped"
        else:
            exc = call.excinfo.value if call.excinfo else None
            if isinstance(exc, CheckFailure):
                rec["status"] = "failed"
                rec["kind"] = exc.kind
                rec["message"] = exc.message
                rec["details"] = _plain(exc.details)
            else:
                # An exception that is not a check result: a bug in the suite, or the grader.
                rec["status"] = "error"
                rec["kind"] = "internal"
                name = type(exc).__name__ if exc else "error"
                rec["message"] = f"the check itself failed ({name}: {str(exc)[:300]}) in the {report.when} phase"
            if learner is not None:
                if learner.last_call:
                    rec["call"] = learner.last_call
                if learner.last_output:
                    rec["output"] = learner.last_output[:4096]
        _emit(rec)
        return report

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        STATE["current_learner"] = None
        testing.CURRENT["gate"] = False  # set again by the check that is a gate, for its own report
        protocol.forget_tensors()

    def pytest_runtest_teardown(self, item: pytest.Item) -> None:
        protocol.forget_tensors()

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            key = _exercise_key(report.fspath) if report.fspath else None
            _emit({"collect_error": key, "message": str(report.longrepr)[-2000:]})


PLUGIN = Plugin()


@pytest.fixture(scope="module")
def _run(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def _worker(request: pytest.FixtureRequest, _run: str) -> Any:
    key = _exercise_key(request.module.__file__)
    spec = STATE["spec"]
    run = next(r for r in spec["runs"] if r["id"] == _run)
    ex = spec["exercises"][key]
    worker_spec = dict(spec["worker_limits"])
    worker_spec.update(run["exercises"][key])
    worker_spec["forbid"] = ex.get("forbid", [])
    worker_spec["device"] = spec["device"]
    worker_spec["sandbox"] = spec.get("sandbox", "portable")
    worker_spec["env"] = spec["learner_env"]
    worker_spec["hidden_trees"] = spec["hidden_trees"]
    worker_spec["hidden_exact"] = spec["hidden_exact"]
    worker = Worker(STATE["zygote"], worker_spec, ex["timeout_s"], ex["budget_s"])
    STATE["workers"][(_run, key)] = worker
    yield worker
    worker.stop()
    STATE["workers"].pop((_run, key), None)


@pytest.fixture
def learner(request: pytest.FixtureRequest, _worker: Worker, _run: str) -> testing.Learner:
    """The learner's module for this exercise, reached through the worker."""
    key = _exercise_key(request.module.__file__)
    ex = dict(STATE["spec"]["exercises"][key])
    ex.update(next(r for r in STATE["spec"]["runs"] if r["id"] == _run)["exercises"][key])
    proxy = testing.Learner(_worker, ex)
    STATE["current_learner"] = proxy
    testing.CURRENT["exercise"] = ex
    testing.CURRENT["learner"] = proxy
    return proxy


@pytest.fixture
def device() -> Any:
    """The device the suite runs on (``--device``): references and inputs live there."""
    import torch

    return torch.device(STATE["spec"]["device"])


@pytest.fixture(autouse=True)
def _current(request: pytest.FixtureRequest) -> None:
    key = _exercise_key(request.module.__file__)
    if key is not None:
        testing.CURRENT["exercise"] = STATE["spec"]["exercises"][key]
        testing.CURRENT["device"] = STATE["spec"]["device"]


def _plain(obj: Any) -> Any:
    """Details must be JSON: drop anything else."""
    try:
        json.dumps(obj)
        return obj
    except (TypeError, ValueError):
        if isinstance(obj, dict):
            return {str(k): _plain(v) for k, v in obj.items()}
        if isinstance(obj, (list, tuple)):
            return [_plain(v) for v in obj]
        return repr(obj)[:200]
