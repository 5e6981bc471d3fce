"""The CLI end to end: exit codes, report formats, no torch where nothing is graded."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.conftest import REPO, run_cli


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["list"],
        ["hint", "lesson7.softmax_ce"],
        ["dev", "--help"],
        ["cards", "lesson7", "--format", "md"],
        ["progress"],
        ["quiz", "lesson7", "--template"],
    ],
)
def test_commands_that_do_not_grade_never_import_torch(args: list[str]) -> None:
    code = (
        "import sys\n"
        f"sys.argv = ['dlgrade', *{args!r}]\n"
        "from grader.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('TORCH' if 'torch' in sys.modules else 'NO-TORCH', file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert "NO-TORCH" in proc.stderr, proc.stderr


def test_version_and_help() -> None:
    res = run_cli("--version")
    assert res.code == 0 and res.stdout.startswith("dlgrade ")
    res = run_cli("check", "--help")
    assert res.code == 0 and "Exit codes" in res.stdout


def test_hint_levels() -> None:
    one = run_cli("hint", "lesson7.softmax_ce")
    three = run_cli("hint", "softmax_ce", "--level", "3")
    assert one.code == 0 and "hint 1 of" in one.stdout
    assert three.code == 0 and "hint 3 of" in three.stdout and one.stdout != three.stdout


def test_unknown_exercise_suggests(small_course: Path) -> None:
    res = run_cli("check", "lesson7.sofmax_ce", "--course", str(small_course))
    assert res.code == 2
    assert "did you mean lesson7.softmax_ce?" in res.stderr


def test_cuda_asked_but_absent(small_course: Path) -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("a GPU is present here")
    res = run_cli("check", "lesson7", "--device", "cuda", "--course", str(small_course))
    assert res.code == 2 and "no CUDA GPU" in res.stderr


@pytest.mark.slow
def test_solutions_pass_and_reports_are_valid(small_course: Path, tmp_path: Path) -> None:
    res = run_cli("check", "lesson7", "--solutions", "--course", str(small_course), "--format", "json")
    assert res.code == 0, res.stdout + res.stderr
    report = res.json
    assert set(report) >= {"lesson", "status", "score", "max_score", "exercises"}
    assert report["status"] == "passed" and report["score"] == report["max_score"]
    ex = report["exercises"][0]
    assert set(ex) >= {"id", "status", "score", "max_score", "checks"}
    assert all(set(c) >= {"name", "status", "message", "duration_s"} for c in ex["checks"])

    out = tmp_path / "report.xml"
    summary = tmp_path / "summary.md"
    res = run_cli(
        "check",
        "lesson7",
        "--course",
        str(small_course),
        "--format",
        "junit",
        "-o",
        str(out),
        env={"GITHUB_STEP_SUMMARY": str(summary)},
    )
    assert res.code == 1
    root = ET.parse(out).getroot()
    assert root.tag == "testsuites"
    cases = root.findall("./testsuite/testcase")
    assert cases and all(c.find("failure") is not None for c in cases if "does_not_use" not in c.get("name", ""))
    assert "Not started: write log_softmax and softmax_cross_entropy" in summary.read_text()


def test_a_report_path_that_cannot_be_written_loses_nothing(small_course: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder\n")
    out = blocker / "report.json"  # a path below a file: no user can write it
    res = run_cli("check", "lesson7", "--solutions", "--course", str(small_course), "-f", "json", "-o", str(out))
    assert res.code == 2, res.stdout + res.stderr
    assert f"cannot write the report to {out}" in res.stderr and "folder you can write to" in res.stderr
    shown = res.stdout[res.stdout.index("{") :]
    assert json.loads(shown)["status"] == "passed"  # the whole report, on standard output
    assert "Traceback" not in res.stderr and not out.exists()


@pytest.mark.slow
def test_stub_feedback_says_not_started_in_one_line(small_course: Path) -> None:
    res = run_cli("check", "lesson7", "--course", str(small_course))
    assert res.code == 1
    line = r"not started: write log_softmax and softmax_cross_entropy; \d+ checks wait; "
    line += r"dlgrade hint lesson7\.softmax_ce"
    assert re.search(line, res.stdout), res.stdout
    assert len(res.stdout.strip().splitlines()) <= 6  # nothing to teach yet: no list of failures
    assert "def test_" not in res.stdout and "expect_close" not in res.stdout


@pytest.mark.slow
def test_dev_check_proves_the_exercise(small_course: Path) -> None:
    res = run_cli("dev", "check", "--course", str(small_course), "--jobs", "1")
    assert res.code == 0, res.stdout
    killed = re.search(r"(\d+)/(\d+) killed", res.stdout)
    assert killed and killed.group(1) == killed.group(2) and int(killed.group(1)) >= 3


@pytest.mark.slow
def test_dev_check_catches_a_surviving_mutant(small_course: Path) -> None:
    mutants = small_course / "mutants" / "lesson7" / "softmax_ce.yaml"
    mutants.write_text(
        mutants.read_text() + '- id: harmless\n  description: a comment only\n  replace: "    losses = -picked\\n"\n'
        '  with: "    losses = -picked  # same\\n"\n'
    )
    res = run_cli("dev", "check", "--course", str(small_course), "--jobs", "1")
    assert res.code == 1
    assert "SURVIVED" in res.stdout


@pytest.mark.slow
def test_partial_credit_and_gates_across_exercises(tmp_path: Path) -> None:
    """A gate check of one exercise must not turn the next exercise's checks into gates."""
    import shutil

    from tests.conftest import make_course

    course = make_course(tmp_path / "c", ["lesson7.softmax_ce", "lesson7.weight_decay"])
    ws = tmp_path / "ws"
    shutil.copytree(course / "solutions", ws)
    wd = ws / "lesson7" / "weight_decay.py"
    text = wd.read_text()
    wd.write_text(
        text.replace("def l2_penalty(", "def _unused_l2_penalty(", 1)
        + "\n\ndef l2_penalty(params, wd):\n    return 0.0\n"
    )
    res = run_cli("check", "lesson7", "--course", str(course), "--workspace", str(ws), "--format", "json")
    assert res.code == 1, res.stdout + res.stderr
    by_id = {e["id"]: e for e in res.json["exercises"]}
    assert by_id["lesson7.softmax_ce"]["score"] == 10
    wd_res = by_id["lesson7.weight_decay"]
    assert 0 < wd_res["score"] < 10, wd_res
    gates = [c["name"] for e in res.json["exercises"] for c in e["checks"] if c["gate"]]
    assert all(name.startswith("test_does_not_use_builtin") for name in gates), gates
