"""grader/cards_export.py and ``dlgrade cards``: safe HTML, the deck page, Markdown, CSV, and the Anki package."""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
import sys
import zipfile
from pathlib import Path

import pytest

from grader.course.notes import parse_notes
from grader.study.cards import (
    ANKI_MODEL_ID,
    anki_deck_id,
    md_to_html,
    render_csv,
    render_html,
    render_markdown,
    tex_to_mathml,
    write_apkg,
)

FIXTURES = Path(__file__).parents[1] / "fixtures"


def cards_of(text: str, lesson: str = "lesson1"):
    cards, problems = parse_notes(text, lesson, "notes.md")
    assert problems == []
    return cards


@pytest.fixture()
def course_dir(tmp_path, monkeypatch):
    root = tmp_path / "course"
    shutil.copytree(FIXTURES / "study_course", root)
    monkeypatch.chdir(root)
    monkeypatch.delenv("DLGRADE_COURSE", raising=False)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    return root


def run_cli(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    from grader.cli import main

    monkeypatch.setattr(sys, "argv", ["dlgrade", *args])
    with pytest.raises(SystemExit) as exc:
        main()
    out = capsys.readouterr()
    return int(exc.value.code or 0), out.out, out.err


# ---------------------------------------------------------------------- Markdown to safe HTML


def test_html_is_escaped_before_markdown():
    out = md_to_html('<script>alert(1)</script> & <b>x</b> "q"')
    assert "<script>" not in out and "<b>" not in out
    assert "&lt;script&gt;" in out and "&amp;" in out


def test_markdown_subset_code_lists_emphasis():
    out = md_to_html("**bold** and *it* and `a < b`\n\n- one\n- two\n\n```python\nx = y[::2]\n```")
    assert "<strong>bold</strong>" in out and "<em>it</em>" in out
    assert "<code>a &lt; b</code>" in out
    assert "<li>one</li>" in out
    assert '<pre><code class="language-python">x = y[::2]\n</code></pre>' in out


def test_no_images_and_no_script_links():
    out = md_to_html("![x](https://example.com/a.png) [y](javascript:alert(1))")
    assert "<img" not in out
    assert 'href="javascript' not in out


def test_math_is_mathml_in_the_deck_and_kept_for_anki():
    out = md_to_html(r"Softmax: $\frac{e^{x_i}}{\sum_j e^{x_j}}$ and $\alpha \le 1$")
    assert out.count('<math display="inline"') == 2
    assert "<mfrac>" in out and "<msup>" in out and "<msub>" in out and "<mo>∑</mo>" in out
    assert "<mi>α</mi>" in out and "<mo>≤</mo>" in out
    assert 'alttext="\\alpha \\le 1"' in out  # the TeX, for screen readers and copying
    assert "$" not in out and "xmlns" not in out and "http" not in out
    assert '<math display="block"' in md_to_html("$$x^2$$") and '<math display="block"' in md_to_html("$$\nx\n$$")
    anki = md_to_html(r"$a < b$ and $$x^2$$", math="anki")
    assert r"\(a &lt; b\)" in anki and r"\[x^2\]" in anki and "<math" not in anki


def test_math_underscores_are_not_emphasis_and_code_dollars_are_code():
    out = md_to_html(r"$x_i$ and $y_j$ and `cost = $5`")
    assert "<em>" not in out
    assert "<code>cost = $5</code>" in out
    assert "<math" not in md_to_html("It costs $5 and $10.")  # money, not math
    assert "<math" in md_to_html("$x$ is 4")  # a digit at the very end does not undo math at the very start
    assert "<math" not in md_to_html("```\n$x$\n```")


def test_cloze_marks_and_blank():
    assert '<mark class="cloze">probabilities</mark>' in md_to_html("into ==probabilities== that")
    assert '<span class="blank">[…]</span>' in md_to_html("into […] that")
    assert "<mark" not in md_to_html("`==x==` and a == b")
    assert "<mark" not in md_to_html("$a ==b== c$")  # inside math, == is TeX


@pytest.mark.parametrize(
    ("tex", "needle"),
    [
        (r"\sqrt{2}", "<msqrt><mrow><mn>2</mn></mrow></msqrt>"),
        (r"\hat{y}", '<mover accent="true">'),
        (r"\mathbb{R}^n", "<msup><mi>ℝ</mi><mi>n</mi></msup>"),
        (r"\text{loss} = -\log p", "<mtext>loss</mtext>"),
        (r"x <", "<mo>&lt;</mo>"),
        (r"a & b", "<mi>&amp;</mi>"),
    ],
)
def test_tex_to_mathml(tex, needle):
    out = tex_to_mathml(tex)
    assert out.startswith('<math display="inline" alttext=') and out.endswith("</math>")
    assert needle in out


@pytest.mark.parametrize(
    "tex",
    [
        r"\text{<script>alert(1)</script>}",
        r"\text{<img src=x onerror=alert(1)>}",
        r"\href{javascript:alert(1)}{x}",
        r"\style{background:url(https://example.com/x)}{x}",
        r'\color{red" onload="alert(1)}{x}',
        r"\class{c}{x} \id{i}{y}",
    ],
)
def test_mathml_carries_no_markup_link_or_style_from_the_tex(tex):
    import xml.etree.ElementTree as ET

    out = tex_to_mathml(tex)
    root = ET.fromstring(out)  # well-formed: every text and attribute escaped
    for el in root.iter():
        assert el.tag in {"math", "mrow", "mi", "mn", "mo", "mtext", "mstyle"}, el.tag
        assert set(el.attrib) <= {"display", "alttext", "mathcolor", "mathvariant", "stretchy"}, el.attrib
    body = out.split(">", 1)[1]  # the TeX itself, escaped, stays in alttext
    assert "<script" not in body and "<img" not in body and "href" not in body and "style=" not in body


def test_tex_latex2mathml_cannot_read_stays_readable():
    assert tex_to_mathml("x^") == '<code class="tex">x^</code>'
    assert md_to_html(r"broken $\left( x$ math") == 'broken <code class="tex">\\left( x</code> math'


# ---------------------------------------------------------------------- the deck page, Markdown, CSV


def test_html_deck_is_self_contained_and_escaped():
    cards = cards_of("Q: Which <tag> is this?\nA: A `<div>` & more\n\nWhat? :: $x^2$\n")
    page = render_html(cards, title="lesson1 <deck>")
    assert page.startswith("<!doctype html>")
    assert "http://" not in page and "https://" not in page
    assert "<link" not in page and " src=" not in page
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert 'name="viewport"' in page
    assert "lesson1 &lt;deck&gt;" in page
    assert "Which &lt;tag&gt; is this?" in page
    assert "<code>&lt;div&gt;</code> &amp; more" in page
    assert page.count('class="card') == 2
    for c in cards:
        assert f'data-id="{c.id}"' in page


def test_html_deck_without_cards():
    page = render_html([], title="empty")
    assert "No cards in these notes yet." in page


def test_markdown_export():
    cards = cards_of("# T\n## Sec\nQ: Why?\nA:\n- because\n\n## Other\nLogits become ==probabilities==.\n")
    md = render_markdown(cards, title="lesson1 cards")
    assert md.startswith("# lesson1 cards\n")
    assert "\n## Sec\n" in md and "\n## Other\n" in md
    assert "T ›" not in md  # the heading every card shares (the notes' title) is not repeated
    assert "**Q:** Why?" in md and "- because" in md
    assert "**Fill in:** Logits become […]." in md
    assert "**Answer:** Logits become **probabilities**." in md


def test_csv_export_round_trips():
    cards = cards_of('## H\nQ: A "quoted", comma question?\nA: line one\nline two\n\nx? :: y\n')
    rows = list(csv.DictReader(io.StringIO(render_csv(cards))))
    assert [r["id"] for r in rows] == [c.id for c in cards]
    assert rows[0]["question"] == 'A "quoted", comma question?'
    assert rows[0]["answer"] == "line one\nline two"
    assert rows[0]["heading"] == "H" and rows[1]["line"] == "6"


# ---------------------------------------------------------------------- Anki


def read_apkg(path: Path) -> dict:
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        assert "collection.anki2" in names
        data = z.read("collection.anki2")
    db_path = path.with_suffix(".anki2")
    db_path.write_bytes(data)
    db = sqlite3.connect(db_path)
    try:
        notes = db.execute("SELECT guid, mid, flds, tags FROM notes ORDER BY id").fetchall()
        models = json.loads(db.execute("SELECT models FROM col").fetchone()[0])
        decks = json.loads(db.execute("SELECT decks FROM col").fetchone()[0])
        n_cards = db.execute("SELECT COUNT(*) FROM cards").fetchone()[0]
    finally:
        db.close()
    return {"notes": notes, "models": models, "decks": decks, "n_cards": n_cards}


def test_apkg_notes_fields_and_stable_guids(tmp_path):
    text = "## Softmax\nQ: Which <tag> & why?\nA: first answer\n\n## Embeddings\nWhat is an embedding? :: a lookup\n"
    first = cards_of(text)
    deck_id = anki_deck_id("Course", "lesson1")
    write_apkg(first, tmp_path / "a.apkg", deck_name="dlgrade::lesson1", deck_id=deck_id)
    edited = cards_of(text.replace("first answer", "an edited answer, <i>still</i> escaped"))
    write_apkg(edited, tmp_path / "b.apkg", deck_name="dlgrade::lesson1", deck_id=deck_id)

    a, b = read_apkg(tmp_path / "a.apkg"), read_apkg(tmp_path / "b.apkg")
    assert len(a["notes"]) == 2 and a["n_cards"] == 2
    assert [n[0] for n in a["notes"]] == [n[0] for n in b["notes"]]  # same GUIDs: re-import updates
    assert len({n[0] for n in a["notes"]}) == 2
    assert {n[1] for n in a["notes"]} == {ANKI_MODEL_ID}
    assert str(ANKI_MODEL_ID) in a["models"]
    assert str(deck_id) in a["decks"] and a["decks"][str(deck_id)]["name"] == "dlgrade::lesson1"

    fields = a["notes"][0][2].split("\x1f")
    assert fields[0] == "Which &lt;tag&gt; &amp; why?"
    assert fields[1] == "first answer"
    assert fields[2] == "lesson1 › Softmax"
    assert fields[3] == first[0].id
    edited_fields = b["notes"][0][2].split("\x1f")
    assert edited_fields[1] == "an edited answer, &lt;i&gt;still&lt;/i&gt; escaped"
    assert "lesson1" in a["notes"][0][3]


def test_anki_ids_are_fixed():
    assert anki_deck_id("Course", "lesson1") == anki_deck_id("Course", "lesson1")
    assert anki_deck_id("Course", "lesson1") != anki_deck_id("Course", "lesson2")
    assert 1 << 30 <= anki_deck_id("Course", "lesson1") < 1 << 31


# ---------------------------------------------------------------------- the command


def test_cards_command_formats(course_dir, monkeypatch, capsys):
    code, out, _ = run_cli(monkeypatch, capsys, "cards", "lesson1", "--format", "md")
    assert code == 0
    assert out.startswith("# lesson1 — Softmax and embeddings")
    assert "**Q:** What is an embedding, computationally?" in out

    code, out, _ = run_cli(monkeypatch, capsys, "cards", "1")
    assert code == 0 and "wrote lesson1-cards.html (5 cards)" in out
    assert (course_dir / "lesson1-cards.html").read_text(encoding="utf-8").startswith("<!doctype html>")

    code, out, _ = run_cli(monkeypatch, capsys, "cards", "1", "-f", "anki", "-o", "out/deck.apkg")
    assert code == 0
    assert len(read_apkg(course_dir / "out" / "deck.apkg")["notes"]) == 5

    code, out, _ = run_cli(monkeypatch, capsys, "cards", "1", "-f", "csv")
    assert code == 0 and out.startswith("id,lesson,kind,question,answer")


def test_cards_command_reports_problems_and_missing_notes(course_dir, monkeypatch, capsys):
    notes = course_dir / "exercises" / "lesson1" / "README.md"
    notes.write_text(notes.read_text(encoding="utf-8") + "\nQ: unanswered\n", encoding="utf-8")
    code, out, err = run_cli(monkeypatch, capsys, "cards", "1", "-f", "md")
    assert code == 0
    assert "README.md:24: a Q: with no answer" in err
    code, _, _ = run_cli(monkeypatch, capsys, "cards", "1", "-f", "md", "--strict")
    assert code == 1

    code, _, err = run_cli(monkeypatch, capsys, "cards", "lesson2")
    assert code == 2
    assert "lesson2 has no notes yet" in err and "fix:" in err
    code, _, err = run_cli(monkeypatch, capsys, "cards", "lesson9")
    assert code == 2 and "no lesson 'lesson9'" in err
