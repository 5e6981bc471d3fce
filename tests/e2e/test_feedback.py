"""Feedback as a learner reads it: the mistake named in every format, short when nothing is started."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.conftest import REPO, make_course, run_cli, workspace_with

pytestmark = pytest.mark.slow

SUMS = "always sums the losses"


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_course(tmp_path_factory.mktemp("c"), ["lesson7.softmax_ce"])


@pytest.fixture(scope="module")
def summing(course: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A learner's version that sums where the mean is asked for, written differently from the course's mutant."""
    sol = (course / "solutions" / "lesson7" / "softmax_ce.py").read_text()
    assert "        return losses.mean()" in sol
    text = sol.replace(
        "        return losses.mean()",
        "        total = 0.0\n        for v in losses:\n            total = total + v\n        return total",
    )
    return workspace_with(tmp_path_factory.mktemp("w"), course, {"lesson7/softmax_ce.py": text})


@pytest.mark.parametrize("fmt", ["text", "markdown", "html", "gradescope"])
def test_a_known_mistake_is_named_in_every_format(course: Path, summing: Path, fmt: str) -> None:
    res = run_cli("check", "lesson7", "--course", str(course), "-w", str(summing), "-f", fmt)
    assert res.code == 1
    assert "looks like a known mistake" in res.stdout and SUMS in res.stdout


def test_the_json_and_junit_reports_carry_the_diagnosis(course: Path, summing: Path, tmp_path: Path) -> None:
    data = run_cli("check", "lesson7", "--course", str(course), "-w", str(summing), "-f", "json").json
    ex = data["exercises"][0]
    assert ex["diagnosis"]["id"] == "mutant:sum_instead_of_mean" and SUMS in ex["diagnosis"]["description"]
    assert ex["diagnosis"]["hint"] and ex["hint"] == ex["diagnosis"]["hint"]
    out = tmp_path / "r.xml"
    run_cli("check", "lesson7", "--course", str(course), "-w", str(summing), "-f", "junit", "-o", str(out))
    messages = [f.get("message", "") for f in ET.parse(out).iter("failure")]
    assert any(SUMS in m for m in messages)


def test_correct_code_in_another_style_gets_no_name(course: Path, tmp_path: Path) -> None:
    sol = (course / "solutions" / "lesson7" / "softmax_ce.py").read_text()
    other = sol.replace("        return losses.mean()", "        return losses.sum() / losses.numel()")
    ws = workspace_with(tmp_path, course, {"lesson7/softmax_ce.py": other})
    data = run_cli("check", "lesson7", "--course", str(course), "-w", str(ws), "-f", "json").json
    assert data["status"] == "passed" and data["exercises"][0]["diagnosis"] is None


def test_speed_advice_is_for_slow_code_only(course: Path, tmp_path: Path) -> None:
    """Advice compares the CPU time of the learner's code with the solution's, so a busy machine gives none."""
    sol = (course / "solutions" / "lesson7" / "softmax_ce.py").read_text()
    ws = workspace_with(tmp_path / "plain", course, {})
    plain = run_cli("check", "lesson7", "--course", str(course), "-w", str(ws), "-f", "json").json["exercises"][0]
    assert plain["status"] == "passed" and not plain["advice"]
    slow = sol + (
        "\n\n_fast = log_softmax\n\n\ndef log_softmax(x, dim=-1):  # right, and slow: a Python loop each call\n"
        "    n = 0\n    for i in range(2_000_000):\n        n += i\n    return _fast(x, dim)\n"
    )
    ws = workspace_with(tmp_path / "slow", course, {"lesson7/softmax_ce.py": slow})
    data = run_cli("check", "lesson7", "--course", str(course), "-w", str(ws), "-f", "json").json["exercises"][0]
    assert data["status"] == "passed", data
    assert data["advice"] and "the reference solution's time" in data["advice"], data["advice"]


def test_fresh_stubs_print_at_most_fifteen_lines() -> None:
    res = run_cli("check", "lesson7", cwd=REPO, timeout=600)
    lines = [ln for ln in res.stdout.splitlines() if ln.strip()]
    assert res.code == 1 and len(res.stdout.splitlines()) <= 15, res.stdout
    assert sum("not started: write" in ln for ln in lines) == 5
    assert "dlgrade hint lesson7.softmax_ce" in res.stdout


def test_a_missing_file_says_so(course: Path, tmp_path: Path) -> None:
    ws = tmp_path / "empty"
    (ws / "lesson7").mkdir(parents=True)
    res = run_cli("check", "lesson7", "--course", str(course), "-w", str(ws))
    assert res.code == 1
    assert "lesson7/softmax_ce.py is missing" in res.stdout and "0 of 0" not in res.stdout


def test_the_review_line_names_the_exercise_cards_and_the_command_works(course: Path, summing: Path) -> None:
    res = run_cli("check", "lesson7", "--course", str(course), "-w", str(summing))
    assert "dlgrade cards lesson7.softmax_ce" in res.stdout
    cards = run_cli("cards", "lesson7.softmax_ce", "--course", str(course), "-f", "md")
    assert cards.code == 0 and "maximum" in cards.stdout
    assert json.loads(run_cli("check", "lesson7", "--course", str(course), "-w", str(summing), "-f", "json").stdout)[
        "exercises"
    ][0]["cards"]
