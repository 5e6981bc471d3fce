"""The class report (``grade`` writes ``class.html`` and ``class.json``): numbers, the page, and the page in a real
headless Chromium with the network blocked. Results are built by hand, with the diagnoses the engine attaches to
failing exercises, and without any (then the report says nothing about mistakes)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from grader.engine.results import CheckResult, Diagnosis, ExerciseResult, Status
from grader.reports.class_report import ExerciseInfo, Learner, class_view, histogram, render_html, to_json

SVG = "{http://www.w3.org/2000/svg}"
EVIL = "<script>alert(1)</script>"  # a learner-chosen folder name
BIAS_LEARNERS = sorted([EVIL] + [f"learner{i:02d}" for i in range(8)])
EXERCISES = [ExerciseInfo("lesson9.adam", "Adam", 10.0), ExerciseInfo("lesson9.sgd", "Plain SGD", 5.0)]
ADAM_CHECKS = ["test_first_step", "test_bias_correction", "test_trajectory", "test_no_builtin"]
BIAS = Diagnosis(
    "mutant:no_bias_correction",
    "left out Adam's bias correction",
    hint="Divide m and v by 1 - beta**t before the step.",
    card="lesson9/adam-bias-correction",
    checks=["test_bias_correction", "test_trajectory"],
)
BETAS = Diagnosis("mutant:swapped_betas", "swapped beta1 and beta2", checks=["test_trajectory"])


def _adam(failed: list[str], diagnoses: list[Diagnosis], kind: str = "wrong_values") -> ExerciseResult:
    checks = [
        CheckResult(
            name,
            name.removeprefix("test_").replace("_", " "),
            Status.FAILED if name in failed else Status.PASSED,
            kind=kind if name in failed else None,
        )
        for name in ADAM_CHECKS
    ]
    passed = len(ADAM_CHECKS) - len(failed)
    return ExerciseResult(
        "lesson9.adam",
        "Adam",
        Status.PASSED if not failed else Status.FAILED,
        round(10.0 * passed / len(ADAM_CHECKS), 2),
        10.0,
        checks,
        diagnoses=diagnoses,
    )


def _sgd(ok: bool) -> ExerciseResult:
    check = CheckResult("test_step", "one step", Status.PASSED if ok else Status.FAILED, kind=None if ok else "nan_inf")
    return ExerciseResult(
        "lesson9.sgd", "Plain SGD", Status.PASSED if ok else Status.FAILED, 5.0 if ok else 0.0, 5.0, [check]
    )


def learners(with_diagnoses: bool = True) -> list[Learner]:
    """22 graded learners and one not gradable: 9 left out the bias correction, 4 swapped the betas."""
    out = []
    for i in range(22):
        name = EVIL if i == 8 else f"learner{i:02d}"
        if i < 9:
            adam = _adam(["test_bias_correction", "test_trajectory"], [BIAS] if with_diagnoses else [])
        elif i < 13:
            adam = _adam(["test_trajectory"], [BETAS] if with_diagnoses else [])
        elif i < 15:
            adam = ExerciseResult("lesson9.adam", "Adam", Status.ERROR, 0.0, 10.0, [], error="adam.py is not in it")
        else:
            adam = _adam([], [])
        sgd = _sgd(ok=i % 4 != 0)
        exs = [adam, sgd]
        score = round(sum(e.score for e in exs), 2)
        status = "passed" if all(e.status is Status.PASSED for e in exs) else "failed"
        out.append(Learner(name, status, score, 15.0, exs))
    out.append(Learner("zed", "not gradable", 0.0, 15.0, []))
    return out


@pytest.fixture(scope="module")
def view() -> dict[str, Any]:
    return class_view("lesson9", "Optimizers", EXERCISES, learners())


def test_histogram_puts_every_score_in_one_bin_and_full_marks_apart():
    bins = histogram([0.0, 0.99, 1.0, 4.5, 9.99, 10.0, 10.0], 10.0)
    assert [(b["from"], b["to"]) for b in bins][:2] == [(0, 10), (10, 20)] and bins[-1] == {
        "from": 100,
        "to": 100,
        "count": 2,
    }
    assert [b["count"] for b in bins] == [2, 1, 0, 0, 1, 0, 0, 0, 0, 1, 2]
    assert sum(b["count"] for b in histogram([], 10.0)) == 0
    assert histogram([0.0], 0.0)[-1]["count"] == 1  # an exercise worth no points: everyone has them all


def test_view_counts_scores_failed_checks_and_mistakes(view):
    assert (view["learners"], view["graded"], view["not_gradable"]) == (23, 22, ["zed"])
    adam, sgd = view["exercises"]
    assert sum(b["count"] for b in adam["histogram"]) == 22 == sum(b["count"] for b in sgd["histogram"])
    assert adam["histogram"][5]["count"] == 9  # 2 of 4 checks: 5 points of 10
    assert adam["histogram"][7]["count"] == 4  # 3 of 4: 7.5
    assert adam["histogram"][0]["count"] == 2 and adam["histogram"][-1]["count"] == 7
    assert adam["not_graded"] == ["learner13", "learner14"] and adam["full_marks"] == 7
    assert sgd["zero"] == 6 and sgd["full_marks"] == 16
    assert view["total"]["mean"] == round(sum(le.score for le in learners()[:22]) / 22, 2)

    top = view["failed_checks"]
    assert [(f["exercise"], f["check"], f["count"]) for f in top] == [
        ("lesson9.adam", "test_trajectory", 13),
        ("lesson9.adam", "test_bias_correction", 9),
        ("lesson9.sgd", "test_step", 6),
    ]
    assert top[2]["kind"] == "nan_inf" and top[2]["kind_label"] == "NaN or inf"
    assert top[1]["learners"] == BIAS_LEARNERS

    bias, betas = view["mistakes"]
    assert (bias["id"], bias["count"], bias["description"]) == ("mutant:no_bias_correction", 9, BIAS.description)
    assert bias["learners"] == BIAS_LEARNERS
    assert bias["hint"] == BIAS.hint and bias["card"] == BIAS.card
    assert bias["checks"] == ["test_bias_correction", "test_trajectory"]
    assert (betas["count"], betas["learners"]) == (4, ["learner09", "learner10", "learner11", "learner12"])
    assert json.loads(to_json(view)) == view


@pytest.fixture(scope="module")
def page(view) -> str:
    return render_html(view)


def test_page_says_who_made_which_mistake_and_draws_the_distributions(page):
    assert "9 of 22 left out Adam&#39;s bias correction" in page
    assert "4 of 22 swapped beta1 and beta2" in page
    assert "Divide m and v by 1 - beta**t" in page and "lesson9/adam-bias-correction" in page
    svgs = re.findall(r"<svg .*?</svg>", page, flags=re.S)
    assert len(svgs) == 3  # the total and each exercise
    for svg in svgs:
        root = ET.fromstring(svg)  # well-formed
        bars = [r for r in root.iter(SVG + "rect") if r.get("class") == "bin"]
        assert len(bars) == 11 and sum(int(r.get("data-count", "")) for r in bars) == 22
        assert len([ln for ln in root.iter(SVG + "line") if ln.get("class") == "mean"]) == 1
    assert "13 of 22" in page and "not gradable" in page.lower() and "zed" in page


def test_page_escapes_learner_names_and_loads_or_runs_nothing(page):
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script" not in page.lower()
    assert not re.search(r"""(src|href)\s*=""", page)
    assert "@import" not in page and "url(" not in page and "@font-face" not in page
    assert set(re.findall(r"https?://[^\s\"'<]+", page)) == {"http://www.w3.org/2000/svg"}  # xmlns only


def test_without_diagnoses_the_report_says_nothing_about_mistakes():
    view = class_view("lesson9", "Optimizers", EXERCISES, learners(with_diagnoses=False))
    assert view["mistakes"] == []
    page = render_html(view)
    shown = re.sub(r"<style>.*?</style>", "", page, flags=re.S).lower()  # what a reader sees, and the markup
    assert "mistake" not in shown and "diagnos" not in shown
    assert "Checks failed most" in page and "13 of 22" in page


def test_nobody_graded_still_renders():
    view = class_view("lesson9", "Optimizers", EXERCISES, [Learner("zed", "not gradable", 0.0, 15.0, [])])
    assert view["graded"] == 0 and view["total"]["mean"] is None
    page = render_html(view)
    assert "No check failed" in page and "zed" in page


# ---------------------------------------------------------------------- in a browser


@pytest.fixture(scope="module")
def page_file(tmp_path_factory, page) -> Path:
    path = tmp_path_factory.mktemp("class") / "class.html"
    path.write_text(page, encoding="utf-8")
    return path


def _open(browser: Any, path: Path, **context_kw: Any) -> tuple[Any, Any]:
    context = browser.new_context(**context_kw)
    pg = context.new_page()
    pg.requests, pg.blocked, pg.errors = [], [], []

    def route(r: Any) -> None:
        if r.request.url.startswith("file://"):
            r.continue_()
        else:
            pg.blocked.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    pg.on("request", lambda r: pg.requests.append(r.url))
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.on("console", lambda m: pg.errors.append(m.text) if m.type == "error" else None)
    pg.goto(path.as_uri())
    return context, pg


@pytest.mark.browser
def test_in_chromium_the_class_report_renders_offline(browser, page_file):
    from playwright.sync_api import expect

    context, page = _open(browser, page_file, viewport={"width": 1100, "height": 900}, java_script_enabled=False)
    try:
        expect(page.locator("#learners")).to_have_text("23")
        assert page.requests == [page_file.as_uri()] and page.blocked == [] and page.errors == []
        charts = page.locator("figure svg.histogram")
        expect(charts).to_have_count(3)
        for i in range(3):
            box = charts.nth(i).bounding_box()
            assert box is not None and box["width"] > 200 and box["height"] > 80
        bars = page.locator("#chart-lesson9\\.adam rect.bin")
        expect(bars).to_have_count(11)
        tall = bars.nth(5).bounding_box()
        low = bars.nth(0).bounding_box()
        assert tall is not None and low is not None and tall["height"] > low["height"] > 0
        first = page.locator("li.mistake-item").first
        expect(first.locator("p.mistake")).to_have_text("9 of 22 left out Adam's bias correction")
        who = first.locator("details.who")
        expect(who.locator("p.names")).to_be_hidden()
        who.locator("summary").click()  # opens without a script
        expect(who.locator("p.names")).to_be_visible()
        expect(who.locator("p.names span")).to_have_count(9)
        rows = page.locator("tr.failed-check")
        expect(rows.first).to_contain_text("13 of 22")
        expect(who.locator("p.names span").first).to_have_text(EVIL)  # shown as text, not run
    finally:
        context.close()


@pytest.mark.browser
def test_in_chromium_the_class_report_fits_a_phone(browser, page_file):
    context, page = _open(browser, page_file, viewport={"width": 360, "height": 640}, is_mobile=True, has_touch=True)
    try:
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        box = page.locator("figure svg.histogram").first.bounding_box()
        assert box is not None and 0 < box["width"] <= 360
        assert page.blocked == [] and page.errors == []
    finally:
        context.close()
