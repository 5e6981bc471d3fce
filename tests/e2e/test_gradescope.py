"""docs/gradescope/, run as Gradescope runs it, in a fake ``/autograder`` (a temporary folder named by
``AUTOGRADER``): ``make_autograder.sh`` builds the zip, the zip is unpacked in ``source/``, ``setup.sh`` runs
there, ``run_autograder`` is copied to the top and run for each submission, ``results/results.json`` is read.

One stand-in, for what cannot be downloaded here (PyTorch's CPU wheel index is out of reach): ``/autograder/venv``
is made before ``setup.sh`` runs (``setup.sh`` keeps a venv that is there), with this environment's installed
packages visible to it (torch 2.13.0 and dlgrade's dependencies, dlgrade itself left out), so its
``pip install torch==2.13.0`` finds torch already installed. The dlgrade wheel from the zip is installed for real,
and every submission is graded by that installed copy, not by this checkout.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import REPO, make_course

pytestmark = pytest.mark.slow

DOCS = REPO / "docs" / "gradescope"
EXERCISES = ["lesson7.softmax_ce", "lesson7.embedding"]
TOP_KEYS = {
    "score",
    "execution_time",
    "output",
    "output_format",
    "test_output_format",
    "test_name_format",
    "visibility",
    "stdout_visibility",
    "extra_data",
    "tests",
    "leaderboard",
}
TEST_KEYS = {
    "score",
    "max_score",
    "status",
    "name",
    "name_format",
    "number",
    "output",
    "output_format",
    "tags",
    "visibility",
    "extra_data",
}
VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}


def _env(ag: Path) -> dict[str, str]:
    """Gradescope's environment: nothing of this test's virtual environment on PATH."""
    venv_bin = str(Path(sys.executable).parent)
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "GITHUB_STEP_SUMMARY")}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p != venv_bin)
    env["AUTOGRADER"] = str(ag)
    return env


def _unzip(zip_path: Path, dest: Path) -> None:
    """As unzip does: files with their permissions."""
    with zipfile.ZipFile(zip_path) as zf:
        for info in zf.infolist():
            zf.extract(info, dest)
            mode = (info.external_attr >> 16) & 0o777
            if mode and not info.is_dir():
                (dest / info.filename).chmod(mode)


def _present_packages(dest: Path) -> Path:
    """This environment's installed packages without dlgrade: links in a folder of their own."""
    dest.mkdir()
    site = Path(sysconfig.get_paths()["purelib"])
    for entry in site.iterdir():
        if entry.name.startswith(("__editable__", "dlgrade", "_dlgrade", "grader")) or entry.suffix == ".pth":
            continue
        (dest / entry.name).symlink_to(entry)
    return dest


@pytest.fixture(scope="module")
def autograder(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the course, /autograder after Gradescope built the image with setup.sh)."""
    root = tmp_path_factory.mktemp("gradescope")
    course = make_course(root / "course", EXERCISES)
    zip_path = root / "autograder.zip"
    env = {**os.environ, "PYTHON": sys.executable}
    made = subprocess.run(
        ["bash", str(DOCS / "make_autograder.sh"), str(course), "lesson7", str(zip_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert made.returncode == 0, made.stdout + made.stderr
    with zipfile.ZipFile(zip_path) as zf:
        names = zf.namelist()
    assert {"setup.sh", "run_autograder", "LESSON", "course/curriculum.yaml"} <= set(names)
    assert "course/grader/suites/lesson7/test_softmax_ce.py" in names
    assert len([n for n in names if re.fullmatch(r"dlgrade-[^/]+\.whl", n)]) == 1

    ag = root / "autograder"
    (ag / "source").mkdir(parents=True)
    _unzip(zip_path, ag / "source")
    # The stand-in (see the module's docstring): the venv setup.sh would make, with torch already in it.
    subprocess.run([sys.executable, "-m", "venv", str(ag / "venv")], check=True, env=_env(ag))
    pure = subprocess.run(
        [str(ag / "venv" / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (Path(pure) / "present_here.pth").write_text(str(_present_packages(root / "present")) + "\n")

    setup = subprocess.run(
        ["bash", "setup.sh"], cwd=ag / "source", env=_env(ag), capture_output=True, text=True, timeout=900
    )
    assert setup.returncode == 0, setup.stdout + setup.stderr
    assert "strict: network" in setup.stdout  # dlgrade doctor ran, from the installed wheel
    installed = subprocess.run(
        [str(ag / "venv" / "bin" / "python"), "-c", "import grader; print(grader.__file__)"],
        cwd=ag,
        capture_output=True,
        text=True,
    ).stdout
    assert installed.startswith(pure), installed  # the wheel's copy, not this checkout
    shutil.copy(ag / "source" / "run_autograder", ag / "run_autograder")  # where Gradescope runs it from
    return course, ag


def _grade(ag: Path, files: dict[str, str]) -> dict[str, Any]:
    for d in ("submission", "results"):
        shutil.rmtree(ag / d, ignore_errors=True)
    (ag / "submission").mkdir()
    for rel, text in files.items():
        p = ag / "submission" / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    proc = subprocess.run(
        [str(ag / "run_autograder")], cwd=ag, env=_env(ag), capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = json.loads((ag / "results" / "results.json").read_text())
    _valid(data)
    text = json.dumps(data)
    assert str(ag) not in text and "/autograder" not in text and "/tmp" not in text, text
    assert not re.search(r"(?<![\w.])/(?:[\w.-]+/)+[\w.-]+", _outputs(data)), _outputs(data)  # no absolute path
    assert "dlgrade" not in _outputs(data), _outputs(data)  # no command the learner cannot run there
    return data


def _outputs(data: dict[str, Any]) -> str:
    return "\n".join([data.get("output", "")] + [t.get("output", "") + t["name"] for t in data.get("tests", [])])


def _valid(data: dict[str, Any]) -> None:
    """Gradescope's results.json specification: known keys, their types, scores within bounds."""
    assert isinstance(data, dict) and set(data) <= TOP_KEYS, set(data) - TOP_KEYS
    assert "score" in data or all("score" in t for t in data.get("tests", []))
    assert isinstance(data.get("score", 0), (int, float)) and isinstance(data.get("output", ""), str)
    assert isinstance(data.get("execution_time", 0), (int, float))
    assert data.get("visibility", "visible") in VISIBILITY
    for t in data.get("tests", []):
        assert set(t) <= TEST_KEYS, set(t) - TEST_KEYS
        assert isinstance(t["name"], str) and isinstance(t.get("output", ""), str)
        assert t.get("status", "passed") in ("passed", "failed") and t.get("visibility", "visible") in VISIBILITY
        assert 0 <= t["score"] <= t["max_score"]
    if data.get("tests"):
        assert data["score"] == pytest.approx(sum(t["score"] for t in data["tests"]))


def _source(course: Path, kind: str, exercise: str) -> str:
    return (course / kind / "lesson7" / f"{exercise}.py").read_text()


def _mutant(course: Path, exercise: str, index: int = 0) -> str:
    m = yaml.safe_load((course / "mutants" / "lesson7" / f"{exercise}.yaml").read_text())[index]
    return _source(course, "solutions", exercise).replace(m["replace"], m["with"])


def _scores(data: dict[str, Any]) -> dict[str, float]:
    return {t["name"].split(":")[0]: t["score"] for t in data["tests"]}


def test_nested_submission_from_a_dlgrade_workspace(autograder: tuple[Path, Path]) -> None:
    course, ag = autograder
    data = _grade(
        ag,
        {
            "lesson7/softmax_ce.py": _source(course, "solutions", "softmax_ce"),
            "lesson7/embedding.py": _source(course, "exercises", "embedding"),
            "lesson7/README.md": "notes",
            ".dlgrade/workspace.json": json.dumps({"course": "/home/learner/course"}),
        },
    )
    assert _scores(data) == {"lesson7.softmax_ce": 10.0, "lesson7.embedding": 0.0}
    assert data["score"] == 10.0
    emb = next(t for t in data["tests"] if t["name"].startswith("lesson7.embedding"))
    assert emb["status"] == "failed" and "not implemented" in emb["output"] and "hint:" in emb["output"]


def test_flat_submission_at_the_top(autograder: tuple[Path, Path]) -> None:
    course, ag = autograder
    data = _grade(
        ag,
        {
            "softmax_ce.py": _source(course, "solutions", "softmax_ce"),
            "embedding.py": _source(course, "solutions", "embedding"),
        },
    )
    assert _scores(data) == {"lesson7.softmax_ce": 10.0, "lesson7.embedding": 10.0}
    assert data["score"] == 20.0 and all(t["status"] == "passed" for t in data["tests"])


def test_flat_submission_in_one_folder_with_a_bug_a_syntax_error_and_a_crash(autograder: tuple[Path, Path]) -> None:
    course, ag = autograder
    files = {"my-work/softmax_ce.py": _mutant(course, "softmax_ce"), "my-work/embedding.py": "def one_hot(:\n"}
    data = _grade(ag, files)
    scores = _scores(data)
    assert 0 < scores["lesson7.softmax_ce"] < 10 and scores["lesson7.embedding"] == 0.0
    assert "syntax error" in next(t for t in data["tests"] if t["name"].startswith("lesson7.embedding"))["output"]

    crash = "import torch\n\ndef one_hot(*a, **k):\n    raise RuntimeError('boom in one_hot')\n"
    data = _grade(ag, {"embedding.py": crash + "\nclass Embedding:\n    pass\n"})
    emb = next(t for t in data["tests"] if t["name"].startswith("lesson7.embedding"))
    assert "boom in" in emb["output"]


def test_missing_exercise_names_the_file_to_hand_in(autograder: tuple[Path, Path]) -> None:
    course, ag = autograder
    data = _grade(ag, {"lesson7/softmax_ce.py": _source(course, "solutions", "softmax_ce")})
    assert _scores(data) == {"lesson7.softmax_ce": 10.0, "lesson7.embedding": 0.0}
    emb = next(t for t in data["tests"] if t["name"].startswith("lesson7.embedding"))
    assert "embedding.py" in emb["output"] and "reset" not in emb["output"]


def test_nothing_gradable_still_writes_results(autograder: tuple[Path, Path]) -> None:
    _, ag = autograder
    data = _grade(ag, {"notes.txt": "I could not do it"})
    assert data["score"] == 0
    assert all(t["score"] == 0 for t in data.get("tests", []))
