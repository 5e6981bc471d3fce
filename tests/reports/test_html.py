"""The HTML report (``dlgrade check ... --format html``) and the SVG pictures in it (``grader/pictures.py``).

Unit tests of the pictures, a rendering test on a LessonResult built by hand, and a test in a real headless
Chromium (system package, driven by Playwright). Where Chromium or Playwright is missing the browser test is
skipped locally (with the reason) but FAILS under CI=true, so a CI image without a browser cannot pass silently.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from markupsafe import Markup

from grader.engine.results import CheckResult, ExerciseResult, LessonResult, Status
from grader.reports import pictures
from grader.reports.emit import render

SVG = "{http://www.w3.org/2000/svg}"


def _xml(svg: Markup | None) -> ET.Element:
    assert isinstance(svg, Markup)
    return ET.fromstring(str(svg))  # well-formed XML or this raises


def _all(root: ET.Element, tag: str) -> list[ET.Element]:
    return list(root.iter(SVG + tag))


def _texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in _all(root, "text")]


# ---------------------------------------------------------------------- pictures


def test_grid_keeps_numbers_only_cuts_and_pads():
    assert pictures.grid([1, 2, 3]) == [[1.0, 2.0, 3.0]]
    g = pictures.grid([[1, True], ["<b>", None, 2.5], [float("inf")]])
    assert g is not None and len(g) == 3 and all(len(r) == 3 for r in g)
    assert g[0][0] == 1.0 and math.isnan(g[0][1]) and math.isnan(g[1][0]) and g[1][2] == 2.5
    assert g[2][0] == 1e300 and math.isnan(g[2][1])
    big = pictures.grid([[0.0] * 50 for _ in range(40)])
    assert big is not None and len(big) == 32 and len(big[0]) == 32
    for junk in (None, "abc", [], [[]], {"a": 1}, 3.0, [[1], "x"]):
        assert pictures.grid(junk) is None, junk


def test_heatmap_has_a_cell_per_value_marks_the_worst_and_labels_min_max():
    data = [[0.0, 0.1, 0.2], [0.3, 0.9, 0.4]]
    root = _xml(pictures.heatmap_svg(data))
    assert root.get("class") == "picture heatmap" and root.get("role") == "img"
    cells = [r for r in _all(root, "rect") if r.find(SVG + "title") is not None and r.get("class") != "worst"]
    assert len(cells) == 6
    fills = {c.find(SVG + "title").text: c.get("fill") for c in cells}  # type: ignore[union-attr]
    assert fills["error [1, 1]: 0.9"] == pictures.heat_color(1.0)  # the largest is the darkest
    assert fills["error [0, 0]: 0"] == pictures.heat_color(0.0)
    worst = [r for r in _all(root, "rect") if r.get("class") == "worst"]
    assert len(worst) == 1
    cell = float(worst[0].get("width", 0))
    assert (float(worst[0].get("x", 0)), float(worst[0].get("y", 0))) == (8 + cell, 22 + cell)
    texts = _texts(root)
    assert "0" in texts and "0.9" in texts and "worst [1, 1]" in texts
    assert "largest at [1, 1]" in (root.get("aria-label") or "")


def test_heatmap_shows_inf_and_nan_and_escapes_text():
    root = _xml(pictures.heatmap_svg([[1e300, float("nan"), "<script>"]], title='<b a="1">&'))
    assert "inf" in _texts(root)
    grey = [r for r in _all(root, "rect") if r.get("fill") == pictures.NAN_FILL]
    assert len(grey) == 2
    svg = str(pictures.heatmap_svg([["<script>", 1.0]], title='<b a="1">&'))
    assert "<script>" not in svg and "<b " not in svg
    assert "&lt;b a=&#34;1&#34;&gt;&amp;" in svg
    assert pictures.heatmap_svg("<svg onload=alert(1)>") is None


def test_trajectory_draws_expected_dashed_and_got_solid_per_parameter():
    traj = {
        "expected": [[1.0, -1.0], [0.8, -0.8], [0.6, -0.6], [0.4, -0.4]],
        "got": [[1.0, -1.0], [0.9, -0.9], [0.8, -0.8], [0.7, -0.7]],
    }
    root = _xml(pictures.trajectory_svg(traj))
    lines = _all(root, "polyline")
    expected = [p for p in lines if p.get("class") == "expected"]
    got = [p for p in lines if p.get("class") == "got"]
    assert len(expected) == 2 and len(got) == 2
    assert all(p.get("stroke-dasharray") for p in expected) and not any(p.get("stroke-dasharray") for p in got)
    assert [p.get("stroke") for p in expected] == [p.get("stroke") for p in got] == list(pictures.SERIES[:2])
    assert all(len((p.get("points") or "").split()) == 4 for p in lines)
    texts = _texts(root)
    for label in ("step", "value", "got", "expected", "p0", "p1", "0", "3", "1", "-1"):
        assert label in texts, label
    # the first point of both curves is the same place: (step 0, value 1)
    assert expected[0].get("points", "").split()[0] == got[0].get("points", "").split()[0]


def test_trajectory_breaks_at_non_finite_values_and_handles_one_step_and_one_column():
    root = _xml(pictures.trajectory_svg({"expected": [1.0, 2.0, 3.0, 4.0], "got": [1.0, float("nan"), 3.0, 4.0]}))
    got = [p for p in _all(root, "polyline") + _all(root, "circle") if p.get("class") == "got"]
    assert sorted(p.tag.removeprefix(SVG) for p in got) == ["circle", "polyline"]  # [1], then [3, 4]
    assert any("non-finite" in t for t in _texts(root))
    one = _xml(pictures.trajectory_svg({"expected": [[0.5, 1.5]], "got": [[0.5, 2.5]]}))
    assert len(_all(one, "circle")) == 4
    assert pictures.trajectory_svg({"expected": "x", "got": None}) is None
    assert pictures.trajectory_svg([[1.0]]) is None


def test_feature_maps_are_three_grayscale_panels_with_one_scale_for_expected_and_got():
    maps = {
        "input": [[0.0, 1.0], [2.0, 3.0]],
        "expected": [[0.0, 10.0], [10.0, 0.0]],
        "got": [[0.0, 10.0], [4.0, 0.0]],
    }
    root = _xml(pictures.feature_maps_svg(maps))
    assert root.get("class") == "picture feature-maps"
    texts = _texts(root)
    assert [t for t in texts if t in ("input", "expected", "got")] == ["input", "expected", "got"]
    fills = {
        r.find(SVG + "title").text: r.get("fill")  # type: ignore[union-attr]
        for r in _all(root, "rect")
        if r.find(SVG + "title") is not None and r.get("class") != "worst"
    }
    assert fills["input [1, 1]: 3"] == fills["expected [0, 1]: 10"] == "rgb(255,255,255)"
    assert fills["got [1, 0]: 4"] == "rgb(102,102,102)"  # 4 on the 0..10 scale shared with expected
    worst = [r for r in _all(root, "rect") if r.get("class") == "worst"]
    assert len(worst) == 1  # on the got panel, where |expected - got| is largest
    no_input = _xml(pictures.feature_maps_svg({"expected": maps["expected"], "got": maps["got"]}))
    assert [t for t in _texts(no_input) if t in ("input", "expected", "got")] == ["expected", "got"]
    assert pictures.feature_maps_svg({"input": [[1.0]]}) is None


def test_for_details_picks_the_pictures_and_never_raises():
    d = {
        "heatmap": [[0.0, 1.0]],
        "trajectory": {"expected": [[1.0], [2.0]], "got": [[1.0], [3.0]]},
        "feature_maps": {"expected": [[1.0]], "got": [[2.0]]},
        "index": [0, 1],
    }
    got = pictures.for_details(d)
    assert [p["kind"] for p in got] == ["feature_maps", "trajectory", "heatmap"]
    assert all(isinstance(p["svg"], Markup) and p["title"] for p in got)
    assert pictures.for_details({"index": [1]}) == []
    assert pictures.for_details(None) == []
    assert pictures.for_details({"heatmap": {"a": 1}, "trajectory": [1], "feature_maps": "<x>"}) == []


def test_expect_close_details_become_pictures():
    import torch

    from grader.engine.problems import CheckFailure
    from grader.testing import expect_close

    e = torch.arange(12, dtype=torch.float64).reshape(4, 3)
    with pytest.raises(CheckFailure) as info:
        expect_close(e + torch.eye(4, 3), e, picture="trajectory")
    assert [p["kind"] for p in pictures.for_details(info.value.details)] == ["trajectory", "heatmap"]
    x = torch.rand(1, 1, 6, 6, dtype=torch.float64)
    with pytest.raises(CheckFailure) as info:
        expect_close(x * 2, x, picture="feature_maps", picture_input=x)
    assert [p["kind"] for p in pictures.for_details(info.value.details)] == ["feature_maps", "heatmap"]


def test_a_single_value_gets_no_heatmap():
    assert pictures.heatmap_svg([[0.5]]) is None and pictures.heatmap_svg([0.5]) is None
    assert pictures.for_details({"heatmap": [[0.5]], "index": []}) == []  # a record written before this rule


@pytest.mark.parametrize("shape", [(), (1,), (1, 1)])
def test_a_scalar_mismatch_reads_the_same_in_message_and_pictures(shape):
    """A 0-d (or one-element) result: no 1x1 heatmap whose "worst [0, 0]" would contradict the message."""
    import torch

    from grader.engine.problems import CheckFailure
    from grader.testing import expect_close

    expected = torch.full(shape, 2.0, dtype=torch.float64)
    with pytest.raises(CheckFailure) as info:
        expect_close(expected + 0.5, expected, name="loss")
    failure = info.value
    assert "heatmap" not in failure.details and pictures.for_details(failure.details) == []
    if shape == ():
        assert failure.message == "loss: expected 2, got 2.5; error 0.5 (relative 0.25; rtol=1e-07, atol=1e-09)"
    else:
        assert f"at index {[0] * len(shape)}" in failure.message
    check = _check("test_loss", Status.FAILED, kind=failure.kind, message=failure.message, details=failure.details)
    ex = ExerciseResult(id="lesson2.mse", title="MSE", status=Status.FAILED, score=0, max_score=10, checks=[check])
    page = render(
        LessonResult(lesson="lesson2", title="t", status=Status.FAILED, score=0, max_score=10, exercises=[ex]), "html"
    )
    assert "picture heatmap" not in page and "worst [" not in page
    assert ("at index" in page) == (shape != ())  # a scalar has no index row: "[]" would say nothing
    assert "index []" not in page
    assert ">2.5<" in page and ">2<" in page  # expected and got are in the table


# ---------------------------------------------------------------------- the page


def _check(name: str, status: Status, **kw: Any) -> CheckResult:
    return CheckResult(name=name, title=kw.pop("title", name.replace("_", " ")), status=status, **kw)


def lesson_result() -> LessonResult:
    heat = [[0.0, 0.0, 0.002], [0.0, 0.03, 0.0], [0.001, 0.0, 0.0]]
    wrong = _check(
        "test_values",
        Status.FAILED,
        title="log_softmax matches torch's <along> the last dimension",
        kind="wrong_values",
        message="log_softmax(x): 3 of 9 values differ; largest error 0.03 at index [1, 1] <script>alert(1)</script>",
        call="log_softmax(float64[3, 3] cpu, -1)",
        output="debug: shapes torch.Size([3, 3]) <b>",
        details={
            "index": [1, 1],
            "expected_value": -1.25,
            "got_value": -1.22,
            "max_abs_err": 0.03,
            "max_rel_err": 0.024,
            "mismatched": 3,
            "numel": 9,
            "rtol": 1e-7,
            "atol": 1e-9,
            "expected": [[-1.0, -1.1, -1.2], [-1.3, -1.25, -1.0], [-2.0, -0.5, -3.0]],
            "got": [[-1.0, -1.1, -1.198], [-1.3, -1.22, -1.0], [-1.999, -0.5, -3.0]],
            "heatmap": heat,
        },
    )
    steps = [[1.0 - 0.1 * k, -1.0 + 0.15 * k] for k in range(10)]
    adam = _check(
        "test_trajectory",
        Status.FAILED,
        title="ten Adam steps follow torch.optim.Adam",
        kind="wrong_values",
        message="the parameters after 10 steps: 2 of 2 values differ",
        call="adam_step(params, grads, lr=0.1)",
        details={
            "max_abs_err": 0.2,
            "heatmap": [[0.1, 0.2]],
            "trajectory": {"expected": steps, "got": [[a * 0.9, b * 1.1] for a, b in steps]},
        },
    )
    img = [[float((i * j) % 5) for j in range(8)] for i in range(8)]
    conv = _check(
        "test_conv",
        Status.FAILED,
        title="conv2d matches F.conv2d",
        kind="wrong_values",
        message="conv2d(x, w): 12 of 36 values differ",
        call="conv2d(float32[1, 1, 8, 8] cpu, float32[1, 1, 3, 3] cpu)",
        details={
            "heatmap": [[abs(i - j) / 6 for j in range(6)] for i in range(6)],
            "feature_maps": {
                "input": img,
                "expected": [[float(i + j) for j in range(6)] for i in range(6)],
                "got": [[float(i + j) * (1.2 if i == j else 1.0) for j in range(6)] for i in range(6)],
            },
        },
    )
    ok = _check("test_shape", Status.PASSED, title="keeps the shape", message="", call="log_softmax(float32[2, 3] cpu)")
    ex1 = ExerciseResult(
        id="lesson9.adam",
        title="Adam & friends",
        status=Status.FAILED,
        score=4.5,
        max_score=10.0,
        checks=[ok, wrong, adam, conv],
        file="lesson9/adam.py",
        n_hints=3,
        hint="Keep the first moment m and the second moment v per parameter.",
        hint_level=1,
        cards=["What does Adam's bias correction fix?", "Why <epsilon> in the denominator?"],
    )
    ex2 = ExerciseResult(
        id="lesson9.sgd",
        title="Plain SGD",
        status=Status.PASSED,
        score=10.0,
        max_score=10.0,
        checks=[_check("test_step", Status.PASSED, title="one SGD step", call="sgd_step(p, g, 0.1)")],
        file="lesson9/sgd.py",
    )
    return LessonResult(
        lesson="lesson9",
        title="Optimizers",
        status=Status.FAILED,
        score=14.5,
        max_score=20.0,
        exercises=[ex1, ex2],
        duration_s=3.21,
    )


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


@pytest.fixture(scope="module")
def page_html() -> str:
    return render(lesson_result(), "html")


def test_page_shows_score_exercises_checks_and_pictures(page_html):
    html = page_html
    parser = _Tags()
    parser.feed(html)
    tags = parser.tags
    checks = [a for t, a in tags if t == "details" and "check" in (a.get("class") or "")]
    assert [a["data-status"] for a in checks] == ["passed", "failed", "failed", "failed", "passed"]
    assert ["open" in a for a in checks] == [False, True, True, True, False]
    assert len([a for t, a in tags if t == "section"]) == 2
    assert "14.5 / 20" in html and 'style="width: 72.5%"' in html and 'style="width: 45.0%"' in html
    svgs = [a["class"] for t, a in tags if t == "svg"]
    assert svgs == [
        "picture heatmap",
        "picture trajectory",
        "picture heatmap",
        "picture feature-maps",
        "picture heatmap",
    ]
    # expected vs got, the call, printed output, the hint and the cards
    assert "-1.25" in html and "-1.22" in html and "rtol=1e-07" in html and "3 of 9" in html
    assert "log_softmax(float64[3, 3] cpu, -1)" in html
    assert "debug: shapes torch.Size([3, 3]) &lt;b&gt;" in html
    assert "Keep the first moment m" in html and "Why &lt;epsilon&gt; in the denominator?" in html


def test_page_escapes_learner_text_and_loads_nothing_from_outside(page_html):
    html = page_html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "torch&#39;s &lt;along&gt; the last" in html
    assert html.count("<script>") == 1  # the page's own
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "@import" not in html and "url(" not in html
    assert set(re.findall(r"https?://[^\s\"'<]+", html)) == {"http://www.w3.org/2000/svg"}  # xmlns only


def test_other_formats_still_render_with_pictures_in_the_view():
    result = lesson_result()
    assert "log_softmax matches" in render(result, "text")
    assert "<svg" not in render(result, "markdown")


# ---------------------------------------------------------------------- in a browser


@pytest.fixture(scope="module")
def report(tmp_path_factory, page_html) -> Path:
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(page_html, encoding="utf-8")
    return path


def _open(browser: Any, report: Path, **context_kw: Any) -> tuple[Any, Any]:
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
    pg.goto(report.as_uri())
    return context, pg


@pytest.mark.browser
def test_in_chromium_the_page_renders_offline_with_pictures_and_expandable_checks(browser, report):
    from playwright.sync_api import expect

    context, page = _open(browser, report, viewport={"width": 1100, "height": 900})
    try:
        expect(page.locator("#score")).to_have_text("14.5 / 20")
        assert page.blocked == [] and page.requests == [report.as_uri()]
        assert page.errors == []
        # the pictures are drawn, with a size, inside the open failed checks
        for kind, n in (("heatmap", 3), ("trajectory", 1), ("feature-maps", 1)):
            svgs = page.locator(f"details.check[open] svg.picture.{kind}")
            expect(svgs).to_have_count(n)
            expect(svgs.first).to_be_visible()
            box = svgs.first.bounding_box()
            assert box is not None and box["width"] > 100 and box["height"] > 50
        expect(page.locator("svg.trajectory polyline.expected")).to_have_count(2)
        expect(page.locator("svg.feature-maps rect.worst")).to_have_count(1)
        # a failed check is open and shows its details; a passed one opens on a click
        failed = page.locator("details.check.failed").first
        expect(failed).to_have_attribute("open", "")
        expect(failed.locator("pre.message")).to_be_visible()
        expect(failed.locator("pre.message")).to_contain_text("<script>alert(1)</script>")
        expect(failed.locator("td.got")).to_have_text("-1.22")
        passed = page.locator("details.check.passed").first
        assert passed.evaluate("d => d.open") is False
        expect(passed.locator("code")).to_be_hidden()
        passed.locator("summary").click()
        assert passed.evaluate("d => d.open") is True
        expect(passed.locator("code")).to_have_text("log_softmax(float32[2, 3] cpu)")
        # the buttons and the filter
        page.get_by_role("button", name="Collapse all").click()
        assert page.locator("details.check[open]").count() == 0
        page.get_by_role("button", name="Expand failed").click()
        assert page.locator("details.check[open]").count() == 3
        page.get_by_label("only failed checks").check()
        expect(page.locator("details.check.passed").first).to_be_hidden()
        expect(failed).to_be_visible()
        assert page.errors == [] and page.blocked == []
    finally:
        context.close()


@pytest.mark.browser
def test_in_chromium_the_page_fits_a_phone(browser, report):
    context, page = _open(browser, report, viewport={"width": 360, "height": 640}, is_mobile=True, has_touch=True)
    try:
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        box = page.locator("svg.picture.feature-maps").bounding_box()
        assert box is not None and 0 < box["width"] <= 360
        assert page.blocked == [] and page.errors == []
    finally:
        context.close()


@pytest.mark.parametrize("fmt", ["html", "text", "markdown", "json", "junit", "gradescope"])
def test_a_check_with_bare_numbers_renders_in_every_format(fmt: str) -> None:
    """Details are whatever the suite recorded: a scalar with no index (a loss) must not break a template."""
    loss = _check(
        "test_loss",
        Status.FAILED,
        title="the loss matches",
        kind="wrong_values",
        message="the loss: expected 3.86109, got 61.7775",
        details={"expected": 3.86109, "got": 61.7775},
    )
    ex = ExerciseResult(
        id="lesson7.softmax_ce", title="Softmax", status=Status.FAILED, score=0.0, max_score=10.0, checks=[loss]
    )
    result = LessonResult(
        lesson="lesson7", title="CF", status=Status.FAILED, score=0.0, max_score=10.0, exercises=[ex], duration_s=1.0
    )
    out = render(result, fmt)
    assert "61.7775" in out
