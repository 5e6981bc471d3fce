"""The diagnosis corpus: learner-style attempts at the exercises, graded through the real CLI.

Each case under ``corpus/<case_id>/`` is a learner workspace holding one exercise file.
``corpus/manifest.yaml`` says what each case is: ``correct`` (a valid solution written in another
style than the obvious one) or ``buggy`` (exactly one plausible learner mistake). Every correct
case must pass with full marks and every buggy case must not pass. A case whose grading is known
to disagree with that (a suite that over-fits, or one that misses a bug) carries ``known_issue``
in the manifest and is a strict xfail here, so fixing the suite turns it into a failure that
asks for the note to be removed.

Grading one case per CLI call would take many minutes, so the cases of a lesson are graded in
rounds: each round copies at most one case per exercise into a fresh workspace and runs
``python -m grader check <lesson> --workspace <ws> --format json`` once; exercises of the
lesson without a case in that round are reported missing and ignored.
"""

from __future__ import annotations

import shutil
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from itertools import zip_longest
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import run_cli

CORPUS = Path(__file__).resolve().parent / "corpus"
MANIFEST: list[dict[str, Any]] = yaml.safe_load((CORPUS / "manifest.yaml").read_text(encoding="utf-8"))


def _case_file(entry: dict[str, Any]) -> Path:
    lesson, _, exercise = entry["exercise"].partition(".")
    return CORPUS / entry["id"] / lesson / f"{exercise}.py"


def _rounds() -> list[tuple[str, list[dict[str, Any]]]]:
    """(lesson, cases) pairs; within a pair every case belongs to a different exercise."""
    by_lesson: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for entry in MANIFEST:
        lesson = entry["exercise"].partition(".")[0]
        by_lesson[lesson][entry["exercise"]].append(entry)
    rounds = []
    for lesson in sorted(by_lesson):
        per_exercise = [by_lesson[lesson][ex] for ex in sorted(by_lesson[lesson])]
        for group in zip_longest(*per_exercise):
            rounds.append((lesson, [entry for entry in group if entry is not None]))
    return rounds


def _grade_round(root: Path, index: int, lesson: str, cases: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    ws = root / f"round{index:02d}"
    for entry in cases:
        src = _case_file(entry)
        dest = ws / src.relative_to(CORPUS / entry["id"])
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(src, dest)
    res = run_cli("check", lesson, "--workspace", str(ws), "--format", "json", timeout=600)
    assert res.code in (0, 1), f"round {index} ({lesson}) exited {res.code}: {res.stderr[-2000:]}"
    by_exercise = {ex["id"]: ex for ex in res.json["exercises"]}
    return {entry["id"]: by_exercise[entry["exercise"]] for entry in cases}


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Every case's exercise result from the JSON report, keyed by case id."""
    root = tmp_path_factory.mktemp("corpus")
    results: dict[str, dict[str, Any]] = {}
    # two CLI runs at a time: each is mostly one process busy, and the machine has two cores
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(_grade_round, root, i, lesson, cases) for i, (lesson, cases) in enumerate(_rounds())]
        for future in futures:
            results.update(future.result())
    return results


def test_manifest_describes_every_case() -> None:
    folders = {p.name for p in CORPUS.iterdir() if p.is_dir()}
    ids = [entry["id"] for entry in MANIFEST]
    assert len(ids) == len(set(ids)), "duplicate ids in manifest.yaml"
    assert folders == set(ids), (
        f"folders without an entry: {folders - set(ids)}; entries without a folder: {set(ids) - folders}"
    )
    for entry in MANIFEST:
        lesson, _, exercise = entry["exercise"].partition(".")
        assert entry["id"].startswith(f"{lesson}_{exercise}_"), entry["id"]
        files = [p for p in (CORPUS / entry["id"]).rglob("*") if p.is_file() and "__pycache__" not in p.parts]
        assert files == [_case_file(entry)], f"{entry['id']} must hold exactly {lesson}/{exercise}.py"
        assert entry["kind"] in ("buggy", "correct"), entry["id"]
        text_key = "mistake" if entry["kind"] == "buggy" else "style"
        assert str(entry.get(text_key, "")).strip(), f"{entry['id']} needs a {text_key!r} sentence"
        assert {"score", "max_score", "status", "kinds"} <= set(entry["graded"]), entry["id"]


def _params() -> list[Any]:
    params = []
    for entry in MANIFEST:
        marks = []
        if entry.get("known_issue"):
            marks.append(pytest.mark.xfail(strict=True, reason=entry["known_issue"]))
        params.append(pytest.param(entry, id=entry["id"], marks=marks))
    return params


@pytest.mark.slow
@pytest.mark.parametrize("entry", _params())
def test_case_is_graded_as_its_kind(entry: dict[str, Any], graded: dict[str, dict[str, Any]]) -> None:
    result = graded[entry["id"]]
    failed = [f"{c['name']}: {c['kind']}: {c['message']}" for c in result["checks"] if c["status"] != "passed"]
    if entry["kind"] == "correct":
        assert result["status"] == "passed", f"a correct case failed: {result['error'] or failed}"
        assert result["score"] == result["max_score"], f"a correct case lost points: {failed}"
    else:
        assert result["status"] != "passed", f"a buggy case passed every check ({entry['mistake']})"


# ---------------------------------------------------------------------- naming the mistake

LABELS: dict[str, list[str]] = yaml.safe_load((Path(__file__).resolve().parent / "labels.yaml").read_text())


def diagnosis_rate(graded: dict[str, dict[str, Any]]) -> dict[str, list[str]]:
    """Buggy cases sorted by what the feedback did: named the right mistake, a wrong one, or none."""
    out: dict[str, list[str]] = {"right": [], "wrong": [], "none": []}
    for entry in MANIFEST:
        if entry["kind"] != "buggy":
            continue
        named = graded[entry["id"]].get("diagnosis")
        if named is None:
            out["none"].append(entry["id"])
        elif named["id"] in LABELS[entry["id"]]:
            out["right"].append(entry["id"])
        else:
            out["wrong"].append(f"{entry['id']} -> {named['id']}")
    return out


def test_every_buggy_case_is_labelled() -> None:
    buggy = {e["id"] for e in MANIFEST if e["kind"] == "buggy"}
    assert set(LABELS) == buggy


@pytest.mark.slow
def test_correct_code_is_never_named_a_mistake(graded: dict[str, dict[str, Any]]) -> None:
    named = [f"{e['id']}: {graded[e['id']].get('diagnosis')}" for e in MANIFEST if e["kind"] == "correct"]
    assert not [n for n in named if not n.endswith(": None")]


@pytest.mark.slow
def test_most_mistakes_are_named_right(graded: dict[str, dict[str, Any]]) -> None:
    rate = diagnosis_rate(graded)
    total = sum(len(v) for v in rate.values())
    print(f"\ndiagnosis of {total} buggy cases: {len(rate['right'])} right, {len(rate['wrong'])} wrong, "
          f"{len(rate['none'])} none")  # fmt: skip
    for key in ("wrong", "none"):
        for item in rate[key]:
            print(f"  {key}: {item}")
    assert len(rate["right"]) >= 0.7 * total
