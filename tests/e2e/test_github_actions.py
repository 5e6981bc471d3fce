"""docs/github-actions/grade.yml, run step by step as GitHub's runner would, on a learner repository made with
``dlgrade init``.

The script reads the workflow, runs each ``run:`` step in order with ``bash --noprofile --norc -eo pipefail`` (the
runner's shell on Linux) in ``$GITHUB_WORKSPACE``, with the environment the runner gives (``CI``,
``GITHUB_ACTIONS``, ``GITHUB_WORKSPACE``, ``GITHUB_STEP_SUMMARY`` (a fresh file per step, the job summary being
their concatenation), ``GITHUB_ENV``, ``GITHUB_OUTPUT``, ``GITHUB_PATH``, ``RUNNER_OS``, ``RUNNER_TEMP`` and the
job's ``env:``), and honours ``if: always()`` after a failed step. ``uses:`` steps are stood in for as the runner
would do them:

- ``actions/checkout``: a ``git clone`` of the learner's repository (or, with ``repository:``, of the course's) into
  ``path:``;
- ``actions/setup-python``: this virtual environment's interpreter (its version must be the one asked for) first on
  ``PATH``;
- ``actions/upload-artifact``: the file named by ``path:`` must exist (what the runner would upload).

Skipped, because they install what is already here (and cannot run here: the CPU wheel index is out of reach,
and installing the course would replace this checkout's editable install):
- ``python -m pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu``: torch 2.13.0 is in
  this venv (checked);
- ``python -m pip install ./course``: dlgrade is in this venv, from this checkout (checked).
Any other line in an install step fails the test, so a new install cannot be skipped unseen.

``sudo``: the runner has a passwordless ``sudo``. Where the tests run as root without one, a stand-in on ``PATH``
does what sudo does to the environment (resets it to sudo's secure path and keeps only ``--preserve-env``
variables) and runs the command as the same root.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import IN_CI, REPO, make_course, run_cli

pytestmark = pytest.mark.slow

WORKFLOW = REPO / "docs" / "github-actions" / "grade.yml"
ALREADY_PRESENT = {
    "python -m pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu": "torch",
    "python -m pip install ./course": "dlgrade",
}
SUDO_STAND_IN = """#!/bin/bash
# Stands in for the runner's passwordless sudo, for a root user without sudo: sudo's environment reset.
keep=()
while [[ $# -gt 0 && $1 == -* ]]; do
  case $1 in
    --preserve-env=*)
      IFS=, read -ra names <<<"${1#--preserve-env=}"
      for n in "${names[@]}"; do [[ -v $n ]] && keep+=("$n=${!n}"); done ;;
    *) echo "sudo stand-in: option $1 is not supported" >&2; exit 1 ;;
  esac
  shift
done
exec env -i HOME=/root LOGNAME=root USER=root SHELL=/bin/bash \\
  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "${keep[@]}" "$@"
"""


@dataclass
class Step:
    name: str
    outcome: str  # success | failure | skipped
    code: int | None = None
    log: str = ""


def _git(*args: str, cwd: Path) -> None:
    subprocess.run(
        ["git", "-c", "user.name=dlgrade", "-c", "user.email=dlgrade@example.invalid", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def _repo(path: Path) -> Path:
    _git("init", "-q", "-b", "main", cwd=path)
    _git("add", "-A", cwd=path)
    _git("commit", "-q", "-m", "initial", cwd=path)
    return path


def _check_present(line: str) -> None:
    what = ALREADY_PRESENT.get(line)
    assert what is not None, f"an install line this test does not know: {line!r}; run it, or say why it is skipped"
    if what == "torch":
        import torch

        assert torch.__version__.split("+")[0] == "2.13.0", torch.__version__
    else:
        import grader

        assert Path(grader.__file__).resolve().parent == REPO / "grader"


def run_workflow(workflow: Path, root: Path, learner: Path, course: Path) -> tuple[list[Step], str]:
    """Run the workflow's only job; return its steps and the job summary."""
    job: dict[str, Any] = next(iter(yaml.safe_load(workflow.read_text())["jobs"].values()))
    assert job["runs-on"] == "ubuntu-latest"
    ws = root / "workspace"
    temp = root / "runner-temp"
    bin_dir = root / "runner-bin"
    for d in (ws, temp, bin_dir):
        d.mkdir(parents=True)
    path = [p for p in os.environ.get("PATH", "").split(os.pathsep) if Path(p).resolve() != Path(sys.executable).parent]
    if shutil.which("sudo") is None:
        if os.geteuid() != 0:
            if IN_CI:
                pytest.fail("neither sudo nor root here: the workflow's Grade step cannot run")
            pytest.skip("neither sudo nor root here (a failure under CI=true)")
        (bin_dir / "sudo").write_text(SUDO_STAND_IN)
        (bin_dir / "sudo").chmod(0o755)
        path.insert(0, str(bin_dir))
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "RUNNER_", "VIRTUAL_ENV"))}
    base_env.update(
        {
            "CI": "true",
            "GITHUB_ACTIONS": "true",
            "GITHUB_WORKSPACE": str(ws),
            "RUNNER_OS": "Linux",
            "RUNNER_TEMP": str(temp),
            **{k: str(v) for k, v in job.get("env", {}).items()},
        }
    )
    steps: list[Step] = []
    summary = ""
    failed = False
    for i, raw in enumerate(job["steps"]):
        name = raw.get("name") or raw.get("uses") or raw["run"].splitlines()[0]
        cond = raw.get("if")
        assert cond in (None, "always()"), f"step {name!r}: this script does not evaluate if: {cond}"
        if failed and cond != "always()":
            steps.append(Step(name, "skipped"))
            continue
        with_: dict[str, Any] = raw.get("with", {})
        uses = raw.get("uses", "")
        if uses.startswith("actions/checkout@"):
            src = course if "repository" in with_ else learner
            subprocess.run(["git", "clone", "-q", str(src), str(ws / with_.get("path", "."))], check=True)
            steps.append(Step(name, "success"))
        elif uses.startswith("actions/setup-python@"):
            want = str(with_["python-version"])
            assert f"{sys.version_info.major}.{sys.version_info.minor}" == want, f"setup-python asks for {want}"
            path.insert(0, str(Path(sys.executable).parent))
            steps.append(Step(name, "success"))
        elif uses.startswith("actions/upload-artifact@"):
            ok = (ws / with_["path"]).is_file()
            steps.append(Step(name, "success" if ok else "failure", log=f"{with_['path']} exists: {ok}"))
        elif uses:
            pytest.fail(f"step {name!r}: no stand-in for {uses}")
        elif name == "Install dlgrade":
            for line in raw["run"].strip().splitlines():
                _check_present(line.strip())
            steps.append(Step(name, "skipped", log="installs what is already here"))
        else:
            script = raw["run"]
            assert "${{" not in script, f"step {name!r}: expressions are not evaluated here"
            step_summary = temp / f"step_summary_{i}"
            step_summary.touch()
            env = {
                **base_env,
                **{k: str(v) for k, v in raw.get("env", {}).items()},
                "PATH": os.pathsep.join(path),
                "GITHUB_STEP_SUMMARY": str(step_summary),
                "GITHUB_ENV": str(temp / f"env_{i}"),
                "GITHUB_OUTPUT": str(temp / f"output_{i}"),
                "GITHUB_PATH": str(temp / f"path_{i}"),
            }
            file = temp / f"step_{i}.sh"
            file.write_text(script)
            file.chmod(file.stat().st_mode | stat.S_IXUSR)
            proc = subprocess.run(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(file)],
                cwd=ws / raw.get("working-directory", "."),
                env=env,
                capture_output=True,
                text=True,
                timeout=600,
            )
            summary += step_summary.read_text(encoding="utf-8")
            outcome = "success" if proc.returncode == 0 else "failure"
            steps.append(Step(name, outcome, proc.returncode, proc.stdout + proc.stderr))
        failed = failed or steps[-1].outcome == "failure"
    return steps, summary


@pytest.fixture
def repos(tmp_path: Path) -> tuple[Path, Path]:
    """The instructor's course repository, and a learner repository made with ``dlgrade init`` from it."""
    course = _repo(make_course(tmp_path / "course-repo", ["lesson7.softmax_ce"]))
    learner = tmp_path / "learner-repo"
    res = run_cli("init", str(learner), "--course", str(course))
    assert res.code == 0, res.stderr
    assert (learner / "lesson7" / "softmax_ce.py").is_file()  # the lesson folder at the top of the repository
    return course, learner


def _junit(path: Path) -> list[Any]:
    import junitparser  # a dev dependency: missing is a failure, not a skip

    suites = list(junitparser.JUnitXml.fromfile(str(path)))
    assert [s.name for s in suites] == ["lesson7.softmax_ce"]
    return list(suites[0])


def test_workflow_grades_a_passing_learner_repository(repos: tuple[Path, Path], tmp_path: Path) -> None:
    course, learner = repos
    shutil.copy(course / "solutions" / "lesson7" / "softmax_ce.py", learner / "lesson7" / "softmax_ce.py")
    _repo(learner)
    steps, summary = run_workflow(WORKFLOW, tmp_path / "runner", learner, course)
    outcomes = {s.name: s.outcome for s in steps}
    grade = next(s for s in steps if s.name == "Grade")
    assert grade.code == 0, grade.log
    assert outcomes == {
        "Learner's code": "success",
        "Instructor's course with hidden suites": "success",
        "actions/setup-python@v5": "success",
        "Install dlgrade": "skipped",
        "Grade": "success",
        "actions/upload-artifact@v4": "success",
    }
    cases = _junit(tmp_path / "runner" / "workspace" / "report.xml")
    assert len(cases) >= 10 and all(c.is_passed for c in cases)
    assert summary.startswith("## lesson7 — ")
    row = f"| `lesson7.softmax_ce` Softmax cross-entropy from logits | ✅ passed | {len(cases)}/{len(cases)} |"
    assert row in summary
    assert "**all checks passed** · score 10/10" in summary and "softmax_ce" in summary


def test_workflow_fails_the_job_for_a_failing_learner_and_still_reports(
    repos: tuple[Path, Path], tmp_path: Path
) -> None:
    course, learner = repos
    _repo(learner)  # the stubs as `dlgrade init` wrote them
    steps, summary = run_workflow(WORKFLOW, tmp_path / "runner", learner, course)
    grade = next(s for s in steps if s.name == "Grade")
    assert grade.code == 1, grade.log  # some check failed: the job is red, and the report is still there
    assert steps[-1].name == "actions/upload-artifact@v4" and steps[-1].outcome == "success"
    cases = _junit(tmp_path / "runner" / "workspace" / "report.xml")
    failures = [c for c in cases if not c.is_passed]
    # Every check of the stub fails but the one a stub keeps by doing nothing: it calls no forbidden built-in.
    assert len(cases) >= 10 and [c.name for c in cases if c.is_passed] == ["test_does_not_use_builtin"]
    assert "not implemented" in failures[0].result[0].message
    assert "**1 exercise not started yet** · score 0/10" in summary
    assert f"Not started: write log_softmax and softmax_cross_entropy; {len(cases)} checks wait" in summary
    assert not re.search(r"/(tmp|root|home)/", summary)  # no path of the runner's in what the learner reads
