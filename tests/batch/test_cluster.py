"""``dlgrade grade --cluster`` against a real Dask scheduler and two workers started with Dask's own command line,
as docs/cluster.md says: the gradebook, the results and the feedback are a local run's, apart from timings."""

from __future__ import annotations

import csv
import html
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.conftest import run_cli

pytestmark = pytest.mark.slow


def _mutant(course: Path, exercise: str, mutant_id: str) -> str:
    """The solution of ``lesson7.<exercise>`` with one of its mutants' edits: a learner's plausible bug."""
    source = (course / "solutions" / "lesson7" / f"{exercise}.py").read_text()
    for m in yaml.safe_load((course / "mutants" / "lesson7" / f"{exercise}.yaml").read_text()):
        if m["id"] == mutant_id:
            assert source.count(m["replace"]) == 1
            return source.replace(m["replace"], m["with"])
    raise AssertionError(f"no mutant {mutant_id}")


def _class(course: Path, root: Path) -> Path:
    subs = root / "subs"
    subs.mkdir()
    shutil.copytree(course / "solutions", subs / "alice")  # nested, passes
    shutil.copytree(course / "exercises", subs / "bob")  # the stub: not implemented
    (subs / "dora" / "lesson7").mkdir(parents=True)  # a bug: failing values, pictures, a hint
    (subs / "dora" / "lesson7" / "softmax_ce.py").write_text(_mutant(course, "softmax_ce", "sum_instead_of_mean"))
    (subs / "erin").mkdir()  # flat: the file at the root of her folder, with the max-shift bug
    (subs / "erin" / "softmax_ce.py").write_text(_mutant(course, "softmax_ce", "no_max_shift"))
    with zipfile.ZipFile(subs / "carol.zip", "w") as zf:  # a zip of a folder holding the bare file
        zf.write(course / "solutions" / "lesson7" / "softmax_ce.py", "carol-work/softmax_ce.py")
    return subs


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def dask_cluster(tmp_path: Path) -> Iterator[str]:
    """``dask scheduler`` and ``dask worker ... --nworkers 2 --nthreads 1``, real processes, as the docs run them."""
    pytest.importorskip("distributed", reason="the cluster extra (part of the dev extra) is not installed")
    dask = Path(sys.executable).with_name("dask")
    assert dask.is_file(), f"the dask command is missing beside {sys.executable}"
    address = f"tcp://127.0.0.1:{_free_port()}"
    logs = tmp_path / "dask-logs"
    logs.mkdir()
    procs: list[subprocess.Popen[bytes]] = []

    def start(name: str, *args: str) -> None:
        with (logs / f"{name}.log").open("wb") as log:
            procs.append(
                subprocess.Popen(
                    [str(dask), *args], stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path, start_new_session=True
                )
            )

    port = address.rsplit(":", 1)[1]
    start("scheduler", "scheduler", "--host", "127.0.0.1", "--port", port, "--no-dashboard")
    start("worker", "worker", address, "--nworkers", "2", "--nthreads", "1", "--no-dashboard")
    try:
        from distributed import Client

        with Client(address, timeout="60s") as client:
            client.wait_for_workers(2, timeout=120)
            assert len(client.scheduler_info()["workers"]) == 2
        yield address
    except Exception:
        for log in sorted(logs.iterdir()):
            print(f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}")
        raise
    finally:
        for p in reversed(procs):
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for p in procs:
            try:
                p.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()


# Timings differ between any two runs; everything else must not.
TIMINGS = [
    (re.compile(r'"(wall_s|duration_s|learner_s|execution_time)": [0-9.e-]+'), r'"\1": T'),
    (re.compile(r"<span>[0-9.]+ s</span>"), "<span>T s</span>"),
    (re.compile(r">[0-9.]+ s</div>"), ">T s</div>"),
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"), "TIMESTAMP"),
    (re.compile(r"\b[0-9]+\.[0-9]+ ?s\b"), "T s"),
]


def _untimed(text: str) -> str:
    for pattern, repl in TIMINGS:
        text = pattern.sub(repl, text)
    return text


def test_cluster_gradebook_and_feedback_are_a_local_runs(small_course: Path, tmp_path: Path, dask_cluster: str):
    subs = _class(small_course, tmp_path)
    args = ("grade", str(subs), "--lesson", "lesson7", "--course", str(small_course))
    remote = run_cli(*args, "--out", str(tmp_path / "remote"), "--cluster", dask_cluster, timeout=600)
    local = run_cli(*args, "--out", str(tmp_path / "local"), "--jobs", "2", timeout=600)
    assert remote.code == local.code == 0, remote.stderr + local.stderr

    rows = {r["learner"]: r for r in csv.DictReader((tmp_path / "remote" / "gradebook.csv").open())}
    assert {n: (r["status"], float(r["total"])) for n, r in rows.items()} == {
        "alice": ("passed", 10.0),
        "bob": ("failed", 0.0),
        "carol": ("passed", 10.0),  # the bare file, inside one folder of a zip
        "dora": ("failed", float(rows["dora"]["total"])),
        "erin": ("failed", float(rows["erin"]["total"])),  # the bare file at the root of her folder
    }
    assert 0 < float(rows["dora"]["total"]) < 10 and 0 < float(rows["erin"]["total"]) < 10

    compared = ["gradebook.csv", "gradebook.json", "class.json", "class.html"]
    for name in sorted(rows):
        compared += [f"feedback/{name}.md", f"feedback/{name}.html", f"results/{name}.json"]
    for rel in compared:
        a = (tmp_path / "local" / rel).read_text(encoding="utf-8")
        b = (tmp_path / "remote" / rel).read_text(encoding="utf-8")
        if rel == "gradebook.csv":  # the last column is the wall time
            a, b = (re.sub(r",[0-9.]+$", ",T", t, flags=re.M) for t in (a, b))
        assert _untimed(b) == _untimed(a), rel

    # What was missing before: the hint that fits (the exercise's first, or a diagnosed mistake's own), and the
    # pictures of a failed check's values.
    curriculum = yaml.safe_load((small_course / "curriculum.yaml").read_text())
    first_hint = curriculum["lessons"][0]["exercises"][0]["hints"][0]
    for name in ("bob", "dora", "erin"):
        record = json.loads((tmp_path / "remote" / "results" / f"{name}.json").read_text())
        ex = record["exercises"][0]
        own = (ex["diagnosis"] or {}).get("hint")
        assert ex["hint"] == (own or first_hint)
        assert ex["hint"][:50] in html.unescape((tmp_path / "remote" / "feedback" / f"{name}.html").read_text())
        assert "hint" in (tmp_path / "remote" / "feedback" / f"{name}.md").read_text().lower()
    assert 'class="picture heatmap"' in (tmp_path / "remote" / "feedback" / "dora.html").read_text()
