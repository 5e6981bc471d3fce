"""``dlgrade grade``: batch grading, resumable, zips, formats for other systems, a cluster backend."""

from __future__ import annotations

import csv
import json
import shutil
import zipfile
from pathlib import Path

import pytest

from tests.conftest import run_cli

pytestmark = pytest.mark.slow


def _submissions(course: Path, root: Path) -> Path:
    subs = root / "subs"
    subs.mkdir()
    shutil.copytree(course / "solutions", subs / "alice")
    shutil.copytree(course / "exercises", subs / "bob")
    with zipfile.ZipFile(subs / "carol.zip", "w") as zf:
        for p in (course / "solutions").rglob("*.py"):
            zf.write(p, "carol/" + p.relative_to(course / "solutions").as_posix())
    with zipfile.ZipFile(subs / "mallory.zip", "w") as zf:
        zf.writestr("../../escape.py", "x = 1\n")
    (subs / "=cmd").mkdir()
    shutil.copytree(course / "exercises" / "lesson7", subs / "=cmd" / "lesson7")
    return subs


def test_grade_writes_gradebook_and_feedback_and_resumes(small_course: Path, tmp_path: Path) -> None:
    subs = _submissions(small_course, tmp_path)
    out = tmp_path / "grades"
    res = run_cli(
        "grade",
        str(subs),
        "--lesson",
        "lesson7",
        "--out",
        str(out),
        "--jobs",
        "2",
        "--course",
        str(small_course),
        "--format",
        "gradescope",
    )
    assert res.code == 1, res.stderr  # mallory's zip is not gradable
    rows = {r["learner"]: r for r in csv.DictReader((out / "gradebook.csv").open())}
    assert set(rows) == {"alice", "bob", "carol", "mallory", "'=cmd"}
    assert rows["alice"]["status"] == "passed" and float(rows["alice"]["total"]) == 10.0
    assert rows["carol"]["status"] == "passed"
    assert rows["bob"]["status"] == "failed" and float(rows["bob"]["total"]) == 0.0
    assert rows["mallory"]["status"] == "not gradable"
    assert not (tmp_path / "escape.py").exists()
    book = json.loads((out / "gradebook.json").read_text())
    assert len(book["learners"]) == 5
    assert "Not started" in (out / "feedback" / "bob.md").read_text()
    assert "<html" in (out / "feedback" / "bob.html").read_text()
    klass = json.loads((out / "class.json").read_text())
    assert (klass["learners"], klass["graded"], klass["not_gradable"]) == (5, 4, ["mallory"])
    assert klass["failed_checks"][0]["count"] == 2  # bob and '=cmd left the stub
    assert sorted(klass["failed_checks"][0]["learners"]) == ["=cmd", "bob"]
    assert klass["mistakes"] == []  # no diagnoses yet: nothing said about mistakes
    page = (out / "class.html").read_text()
    assert "<svg" in page and "mistake" not in page.split("</style>")[1].lower()
    gs = json.loads((out / "feedback" / "alice.gradescope.json").read_text())
    assert gs["score"] == 10.0 and gs["tests"][0]["status"] == "passed"
    assert {"name", "score", "max_score", "status", "output", "visibility"} <= set(gs["tests"][0])

    again = run_cli("grade", str(subs), "--lesson", "lesson7", "--out", str(out), "--course", str(small_course))
    assert "already graded, skipped" in again.stderr

    before = (out / "results" / "alice.json").stat().st_mtime_ns
    only = run_cli(
        "grade", str(subs), "--lesson", "lesson7", "--out", str(out), "--only", "bob", "--course", str(small_course)
    )
    assert only.code == 1  # mallory is still not gradable in the gradebook
    assert (out / "results" / "alice.json").stat().st_mtime_ns == before


def test_gradescope_results_for_one_workspace(small_course: Path, tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    res = run_cli(
        "check", "lesson7", "--solutions", "--format", "gradescope", "-o", str(out), "--course", str(small_course)
    )
    assert res.code == 0
    data = json.loads(out.read_text())
    assert data["score"] == 10.0 and isinstance(data["execution_time"], float)
    assert all(t["visibility"] == "visible" for t in data["tests"])


def test_junit_is_valid_for_a_junit_parser(small_course: Path, tmp_path: Path) -> None:
    import junitparser  # a dev dependency: missing is a failure, not a skip

    out = tmp_path / "report.xml"
    res = run_cli("check", "lesson7", "--course", str(small_course), "--format", "junit", "-o", str(out))
    assert res.code == 1
    checks = run_cli("check", "lesson7", "--course", str(small_course), "-f", "json").json["exercises"][0]["checks"]
    n_checks = len(checks)
    n_failed = sum(c["status"] == "failed" for c in checks)  # a stub calls no forbidden built-in: that gate passes
    xml = junitparser.JUnitXml.fromfile(str(out))
    suites = list(xml)
    assert [s.name for s in suites] == ["lesson7.softmax_ce"]
    cases = list(suites[0])
    assert len(cases) == n_checks > 5
    failed = [c for c in cases if c.result and isinstance(c.result[0], junitparser.Failure)]
    assert len(failed) == n_failed >= n_checks - 1
    assert "not implemented" in failed[0].result[0].message


def test_dev_new_scaffolds_a_checkable_exercise(small_course: Path) -> None:
    res = run_cli("dev", "new", "lesson7", "fresh_one", "--course", str(small_course))
    assert res.code == 0, res.stderr
    for rel in (
        "exercises/lesson7/fresh_one.py",
        "solutions/lesson7/fresh_one.py",
        "grader/suites/lesson7/test_fresh_one.py",
        "mutants/lesson7/fresh_one.yaml",
    ):
        assert (small_course / rel).is_file()
    check = run_cli("dev", "check", "lesson7.fresh_one", "--course", str(small_course), "--jobs", "1")
    assert check.code == 1  # runs at once, and fails until the instructor writes it
    assert "at least 3 are required" in check.stdout


def test_public_suite_only_says_public(small_course: Path, tmp_path: Path) -> None:
    import yaml

    hidden = small_course / "grader" / "suites" / "lesson7" / "test_softmax_ce.py"
    public = small_course / "public" / "lesson7" / "test_softmax_ce.py"
    public.parent.mkdir(parents=True)
    shutil.copy(hidden, public)
    private = tmp_path / "private"
    (private / "lesson7").mkdir(parents=True)
    hidden.rename(private / "lesson7" / "test_softmax_ce.py")
    cur = small_course / "curriculum.yaml"
    data = yaml.safe_load(cur.read_text())
    data["paths"]["hidden"] = "private-suites"  # only exists where grading happens
    data["lessons"][0]["exercises"][0]["public_suite"] = "public/lesson7/test_softmax_ce.py"
    cur.write_text(yaml.safe_dump(data, sort_keys=False))

    res = run_cli("check", "lesson7", "--solutions", "--course", str(small_course))
    assert res.code == 0, res.stdout + res.stderr
    assert "public checks passed" in res.stdout and "all checks passed" not in res.stdout
    full = run_cli("check", "lesson7", "--solutions", "--course", str(small_course), "--hidden", str(private))
    assert full.code == 0 and "all checks passed" in full.stdout


def test_a_submission_that_never_returns_costs_its_budget_and_grading_moves_on(tmp_path: Path) -> None:
    import time

    from tests.conftest import make_course

    course = make_course(tmp_path / "course", ["lesson7.softmax_ce"], timeout_s=2, budget_s=60)
    subs = tmp_path / "subs"
    shutil.copytree(course / "solutions", subs / "alice")
    shutil.copytree(course / "solutions", subs / "hangs")
    (subs / "hangs" / "lesson7" / "softmax_ce.py").write_text(
        "import time\n\ndef log_softmax(x, dim=-1):\n    time.sleep(3600)\n\n"
        "def softmax_cross_entropy(logits, target, reduction='mean'):\n    time.sleep(3600)\n"
    )
    out = tmp_path / "out"
    start = time.monotonic()
    res = run_cli(
        "grade", str(subs), "--lesson", "lesson7", "--out", str(out), "--jobs", "1", "--budget", "6",
        "--course", str(course),
    )  # fmt: skip
    elapsed = time.monotonic() - start
    assert res.code == 0, res.stdout + res.stderr
    with (out / "gradebook.csv").open(newline="") as fh:
        rows = {r["learner"]: r for r in csv.DictReader(fh)}
    assert rows["alice"]["status"] == "passed" and rows["hangs"]["status"] == "failed"
    hangs = json.loads((out / "results" / "hangs.json").read_text())["report"]["exercises"][0]
    messages = " ".join(c["message"] for c in hangs["checks"])
    assert "6 s time budget" in messages or "did not return on an earlier call" in messages, messages
    assert elapsed < 60, f"grading took {elapsed:.0f} s with a 6 s budget"
