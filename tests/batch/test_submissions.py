"""Submissions laid out as a workspace (``arrange``), and graded records kept whole (``Graded.to_json``): fast, no
grading."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from grader.batch.gradebook import Graded, graded_from
from grader.batch.submissions import arrange, extract_zip
from grader.engine.results import CheckResult, Diagnosis, ExerciseResult, Status

FILES = ["lesson7/softmax_ce.py", "lesson7/embedding.py"]


def _tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return root


@pytest.mark.parametrize(
    ("files", "where"),
    [
        ({"lesson7/softmax_ce.py": "a", "README.md": "x"}, ""),  # a workspace
        ({"work/lesson7/embedding.py": "b"}, "work"),  # a workspace inside one folder
        ({"__MACOSX/x": "", ".git/HEAD": "", "work/lesson7/embedding.py": "b"}, "work"),  # archive clutter ignored
    ],
)
def test_a_workspace_layout_is_graded_where_it_is(tmp_path: Path, files: dict[str, str], where: str) -> None:
    root = _tree(tmp_path / "sub", files)
    assert arrange(root, FILES, tmp_path / "staging") == root / where
    assert not (tmp_path / "staging").exists()


@pytest.mark.parametrize("top", ["", "my work/"])
def test_bare_files_are_copied_into_the_layout_with_their_helpers(tmp_path: Path, top: str) -> None:
    root = _tree(tmp_path / "sub", {f"{top}softmax_ce.py": "a", f"{top}helpers.py": "h", f"{top}__pycache__/x.pyc": ""})
    ws = arrange(root, FILES, tmp_path / "staging")
    assert ws == tmp_path / "staging"
    assert (ws / "lesson7" / "softmax_ce.py").read_text() == "a"
    assert (ws / "lesson7" / "helpers.py").read_text() == "h"  # imported by the learner's module
    assert not (ws / "lesson7" / "__pycache__").exists()


def test_nothing_recognisable_is_graded_as_it_is(tmp_path: Path) -> None:
    root = _tree(tmp_path / "sub", {"a/notes.txt": "", "b/other.py": ""})
    assert arrange(root, FILES, tmp_path / "staging") == root


def test_a_zip_of_a_folder_of_bare_files(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "s.zip", "w") as zf:
        zf.writestr("carol/embedding.py", "e")
    ws = arrange(extract_zip(tmp_path / "s.zip", tmp_path / "z"), FILES, tmp_path / "staging")
    assert (ws / "lesson7" / "embedding.py").read_text() == "e"


def test_records_keep_everything_feedback_needs() -> None:
    check = CheckResult(
        "test_values",
        "matches torch",
        Status.FAILED,
        kind="wrong_values",
        message="3 of 9 values differ",
        details={"heatmap": [[0.0, 0.5]], "index": [0, 1]},
        call="f(float32[2] cpu)",
        output="printed",
        duration_s=0.25,
    )
    diagnosis = Diagnosis("mutant:no_max_shift", "exponentiates the raw logits", "try 1e4", "lesson7/card", ["t"])
    ex = ExerciseResult(
        "lesson7.softmax_ce",
        "Softmax",
        Status.FAILED,
        4.5,
        10.0,
        [check],
        file="lesson7/softmax_ce.py",
        n_hints=2,
        hint="first",
        hint_level=1,
        cards=["Why shift by the max?"],
        diagnoses=[diagnosis],
    )
    g = Graded("alice", "failed", 4.5, 10.0, 1.25, [ex], "abc", "", "strict (network)")
    back = graded_from(json.loads(json.dumps(g.to_json())))
    assert back == Graded("alice", "failed", 4.5, 10.0, 1.25, [ex], "abc", "", "strict (network)")
    newer = g.to_json()
    newer["exercises"][0]["from_a_newer_dlgrade"] = 1
    newer["exercises"][0]["diagnoses"][0]["confidence"] = 0.9
    assert graded_from(newer).exercises == [ex]
