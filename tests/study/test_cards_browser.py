"""The HTML deck in a real headless Chromium (system package, driven by Playwright).

It must load offline with no request beyond its own file and no script error; math is MathML that the browser lays
out itself; a click flips a card; the arrow keys move through the deck; it fits a phone screen. Where Chromium or
Playwright is missing this test is skipped locally (with the reason) but FAILS under CI=true, so a CI image without a
browser cannot pass silently.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

FIXTURES = Path(__file__).parents[1] / "fixtures"


@pytest.fixture(scope="module")
def deck(tmp_path_factory) -> Path:
    from grader.course.notes import parse_notes
    from grader.study.cards import render_html

    notes = FIXTURES / "study_course" / "exercises" / "lesson1" / "README.md"
    cards, problems = parse_notes(notes.read_text(encoding="utf-8"), "lesson1", notes)
    assert problems == [] and len(cards) == 5
    path = tmp_path_factory.mktemp("deck") / "lesson1-cards.html"
    path.write_text(render_html(cards, title="lesson1 — Softmax and embeddings"), encoding="utf-8")
    return path


@pytest.fixture()
def page(browser, deck) -> Iterator[Any]:
    context = browser.new_context(offline=True, viewport={"width": 1000, "height": 800})
    pg = context.new_page()
    pg.requests = []  # type: ignore[attr-defined]
    pg.errors = []  # type: ignore[attr-defined]
    pg.on("request", lambda r: pg.requests.append(r.url))
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.on("console", lambda m: pg.errors.append(m.text) if m.type == "error" else None)
    pg.goto(deck.as_uri())
    yield pg
    context.close()


def test_loads_offline_with_no_other_request_and_no_error(page, deck):
    from playwright.sync_api import expect

    expect(page.locator("#position")).to_have_text("1 / 5")
    assert page.requests == [deck.as_uri()]
    assert page.errors == []
    assert page.locator(".card").count() == 5
    assert page.locator(".card.current").count() == 1
    assert page.locator("#card-0 .back code").text_content() == "exp"  # code in <code>


def test_math_is_mathml_drawn_by_the_browser(page):
    from playwright.sync_api import expect

    page.keyboard.press("ArrowRight")
    page.keyboard.press("Space")  # the log-sum-exp card's answer holds $\log \sum_j e^{x_j}$
    back = page.locator("#card-1 .back")
    expect(back).to_be_visible()
    assert back.locator("math").count() == 2
    drawn = back.evaluate(
        """(back) => {
            const math = back.querySelector("math");
            const sup = math.querySelector("msup");
            const base = sup.children[0].getBoundingClientRect();
            const script = sup.children[1].getBoundingClientRect();
            return {
                ns: math.namespaceURI,
                mathml: math instanceof MathMLElement,
                display: getComputedStyle(math).display,
                raised: script.bottom < base.bottom - 1,
                smaller: parseFloat(getComputedStyle(sup.children[1]).fontSize)
                    < parseFloat(getComputedStyle(sup.children[0]).fontSize),
                text: math.textContent,
            };
        }"""
    )
    # A browser that did not know MathML would leave the exponent on the baseline, as large as the rest.
    assert drawn["ns"] == "http://www.w3.org/1998/Math/MathML" and drawn["mathml"]
    assert drawn["display"].startswith("math") or drawn["display"] == "inline", drawn
    assert drawn["raised"] and drawn["smaller"], drawn
    assert drawn["text"] == "log∑jexj"
    assert "$" not in back.inner_text()
    assert page.errors == []


def test_click_flips_the_card(page):
    from playwright.sync_api import expect

    card = page.locator(".card.current")
    front, back = card.locator(".front"), card.locator(".back")
    expect(front).to_be_visible()
    expect(back).to_be_hidden()
    card.click()
    expect(card).to_have_class("card current flipped")
    expect(back).to_be_visible()
    expect(front).to_be_hidden()
    expect(back).to_contain_text("keeps every exponent at or below zero")
    expect(page.locator("#seen")).to_have_text("1 flipped")
    card.click()
    expect(front).to_be_visible()


def test_arrow_keys_move_and_space_flips(page):
    from playwright.sync_api import expect

    page.keyboard.press("ArrowRight")
    expect(page.locator("#position")).to_have_text("2 / 5")
    expect(page.locator("#card-1")).to_have_class("card current")
    expect(page.locator("#card-0")).to_be_hidden()
    expect(page.locator("#card-1 .front")).to_contain_text("What does log-sum-exp compute?")
    page.keyboard.press("Space")
    expect(page.locator("#card-1")).to_have_class("card current flipped")
    page.keyboard.press("ArrowRight")  # moving on shows the next card's question
    expect(page.locator("#position")).to_have_text("3 / 5")
    expect(page.locator("#card-2 .front")).to_be_visible()
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")  # stops at the first card
    expect(page.locator("#position")).to_have_text("1 / 5")
    expect(page.locator("#prev")).to_be_disabled()
    page.keyboard.press("End")
    expect(page.locator("#position")).to_have_text("5 / 5")
    expect(page.locator("#next")).to_be_disabled()
    # the escaped card is shown as text, not markup
    expect(page.locator("#card-4 .front .q")).to_have_text('Which <tag> & "quotes" survive export?')
    assert page.errors == []


def test_fits_a_phone_screen(browser, deck):
    context = browser.new_context(offline=True, viewport={"width": 360, "height": 640}, is_mobile=True, has_touch=True)
    try:
        pg = context.new_page()
        pg.goto(deck.as_uri())
        assert pg.evaluate("document.documentElement.scrollWidth") <= 360
        box = pg.locator(".card.current").bounding_box()
        assert box is not None and box["width"] <= 360
        pg.locator("#next").tap()
        assert pg.locator("#position").inner_text() == "2 / 5"
        font = pg.evaluate("parseFloat(getComputedStyle(document.querySelector('.card.current .q')).fontSize)")
        assert font >= 16
    finally:
        context.close()
