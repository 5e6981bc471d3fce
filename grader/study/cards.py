"""Cards out: a self-contained HTML deck, Markdown, CSV, and an Anki package.

Card text is Markdown. It becomes HTML safely: markdown-it with raw HTML off (so every ``<`` from a note is
escaped), images off (a deck never fetches anything), and the notes' dollar math (``grader.course.note_parser``,
mdit-py-plugins). Math becomes MathML with latex2mathml for the HTML deck (browsers draw MathML natively, offline,
with no script or font to fetch) and stays TeX, as ``\\(...\\)``, for Anki's own MathJax.

latex2mathml writes its output as a string without escaping text it copies from the TeX (``\\text{<b>}``) and
passes some commands through as attributes (``\\href``, ``\\style``), so its element tree is rebuilt here: MathML
elements and presentation attributes only, every text escaped. The ``==cloze==`` marks are ours (no plugin reads
that syntax): they are swapped for placeholders outside code, math and escapes before markdown-it runs.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grader.course.card import CLOZE, CLOZE_BLANK, Card, cloze_bold

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

    from markdown_it import MarkdownIt

FORMATS = ("html", "md", "anki", "csv")

# Fixed forever: Anki recognises the note type by this id, so re-importing updates notes instead of duplicating.
ANKI_MODEL_ID = 1_788_142_301
ANKI_MODEL_NAME = "dlgrade card"

_MARK_OPEN, _MARK_CLOSE = "\ue002", "\ue003"

# MathML Core's elements, and the presentation attributes kept from latex2mathml's output (no href, style, class,
# id or event handler ever reaches the page).
# fmt: off
MATHML_TAGS = frozenset({
    "math", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace", "mfrac", "msqrt", "mroot", "mstyle", "merror",
    "mpadded", "mphantom", "msub", "msup", "msubsup", "munder", "mover", "munderover", "mmultiscripts", "mprescripts",
    "none", "mtable", "mtr", "mtd", "menclose", "semantics", "annotation",
})
MATHML_ATTRIBUTES = frozenset({
    "display", "mathvariant", "mathcolor", "mathbackground", "mathsize", "displaystyle", "scriptlevel", "stretchy",
    "fence", "separator", "accent", "accentunder", "largeop", "movablelimits", "symmetric", "form", "lspace", "rspace",
    "minsize", "maxsize", "linethickness", "width", "height", "depth", "voffset", "columnalign", "rowalign",
    "columnlines", "rowlines", "columnspacing", "rowspacing", "columnspan", "rowspan", "frame", "framespacing",
    "equalrows", "equalcolumns", "notation",
})
# fmt: on


# ---------------------------------------------------------------------- TeX to MathML


def tex_to_mathml(tex: str, *, display: bool = False) -> str:
    """TeX as a MathML ``<math>`` element, safe to put in a page; TeX latex2mathml cannot read stays as code."""
    from latex2mathml.converter import convert_to_element

    try:
        root = convert_to_element(tex, display="block" if display else "inline")
    except Exception:  # the library raises many kinds of errors on TeX it cannot read; the card still shows
        return f'<code class="tex">{html.escape(tex)}</code>'
    return _mathml(root, tex, display)


def _mathml(root: Element, tex: str, display: bool) -> str:
    """Rebuild latex2mathml's tree: allowed elements and attributes only, entities resolved, text escaped."""
    from xml.etree.ElementTree import Element, SubElement, tostring

    def copy(src: Element, dst: Element) -> None:
        dst.text = html.unescape(src.text) if src.text else None
        for child in src:
            tag = child.tag if child.tag in MATHML_TAGS and child.tag != "math" else "mrow"
            attrs = {k: html.unescape(v) for k, v in child.attrib.items() if k in MATHML_ATTRIBUTES}
            out = SubElement(dst, tag, attrs)
            copy(child, out)
            out.tail = html.unescape(child.tail) if child.tail else None

    math = Element("math", {"display": "block" if display else "inline", "alttext": tex})
    copy(root, math)
    return tostring(math, encoding="unicode", short_empty_elements=False)


def _anki_math(tex: str, *, display: bool = False) -> str:
    tex = html.escape(tex, quote=False)
    return f"\\[{tex}\\]" if display else f"\\({tex}\\)"


# ---------------------------------------------------------------------- Markdown to HTML


@lru_cache(maxsize=2)
def _md(math: str) -> MarkdownIt:
    from markdown_it import MarkdownIt

    from grader.course.note_parser import dollar_math

    md = dollar_math(MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}))
    md.disable("image")
    md.enable("table")
    draw = tex_to_mathml if math == "html" else _anki_math
    for token, display in (("math_inline", False), ("math_inline_double", True), ("math_block", True)):

        def render(self: Any, tokens: Any, idx: int, options: Any, env: Any, display: bool = display) -> str:
            return draw(tokens[idx].content.strip(), display=display)

        md.add_render_rule(token, render)
    return md


def _protect(text: str) -> str:
    """``==term==`` swapped for mark characters, outside code spans, math and escapes."""
    from grader.course.note_parser import special_spans

    out: list[str] = []
    pos = 0

    def plain(chunk: str) -> str:
        return CLOZE.sub(lambda m: _MARK_OPEN + m.group(1) + _MARK_CLOSE, chunk)

    for _, a, b in special_spans(text):
        out.append(plain(text[pos:a]))
        out.append(text[a:b])
        pos = b
    out.append(plain(text[pos:]))
    return "".join(out)


def md_to_html(text: str, *, math: str = "html") -> str:
    """Safe HTML for a card side. ``math="html"`` draws TeX as MathML; ``"anki"`` keeps ``\\(...\\)`` for
    Anki's MathJax."""
    out = _md(math).render(_protect(text)).strip()
    out = out.replace(_MARK_OPEN, '<mark class="cloze">').replace(_MARK_CLOSE, "</mark>")
    out = out.replace(html.escape(CLOZE_BLANK), CLOZE_BLANK)
    out = out.replace(CLOZE_BLANK, f'<span class="blank">{CLOZE_BLANK}</span>')
    # A one-paragraph side needs no <p> margin.
    if out.startswith("<p>") and out.endswith("</p>") and out.count("<p>") == 1:
        out = out[3:-4]
    return out


# ---------------------------------------------------------------------- views


def common_headings(cards: list[Card]) -> int:
    """How many leading headings every card shares (a notes file's title): left out of the shown context."""
    if len(cards) < 2:
        return 0
    n = min(len(c.heading_path) for c in cards)
    k = 0
    while k < n and all(c.heading_path[k] == cards[0].heading_path[k] for c in cards):
        k += 1
    return k


def card_view(card: Card, math: str = "html", skip_headings: int = 0) -> dict[str, Any]:
    from markupsafe import Markup

    return {
        "id": card.id,
        "kind": card.kind,
        "lesson": card.lesson,
        "context": " › ".join((card.lesson, *card.heading_path[skip_headings:])),
        "heading_path": list(card.heading_path),
        "exercises": list(card.exercises),
        "line": card.line,
        "question": card.question,
        "answer": card.answer,
        "question_html": Markup(md_to_html(card.question, math=math)),
        "answer_html": Markup(md_to_html(card.answer, math=math)),
    }


def render_html(cards: list[Card], *, title: str, subtitle: str = "") -> str:
    from grader.reports.environment import environment

    skip = common_headings(cards)
    return (
        environment()
        .get_template("cards.html.j2")
        .render(title=title, subtitle=subtitle, cards=[card_view(c, skip_headings=skip) for c in cards])
    )


def render_markdown(cards: list[Card], *, title: str, subtitle: str = "") -> str:
    from grader.reports.environment import environment

    sections: list[dict[str, Any]] = []
    skip = common_headings(cards)
    for c in cards:
        heading = " › ".join(c.heading_path[skip:])
        if not sections or sections[-1]["heading"] != heading:
            sections.append({"heading": heading, "cards": []})
        view = card_view(c, skip_headings=skip)
        if c.kind == "cloze":  # **bold** reads everywhere; ==mark== only in some renderers
            view["answer"] = cloze_bold(c.answer)
        sections[-1]["cards"].append(view)
    return (
        environment()
        .get_template("cards.md.j2")
        .render(title=title, subtitle=subtitle, sections=sections, n_cards=len(cards))
    )


def render_csv(cards: list[Card]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["id", "lesson", "kind", "question", "answer", "heading", "exercises", "line"])
    for c in cards:
        writer.writerow(
            [c.id, c.lesson, c.kind, c.question, c.answer, " > ".join(c.heading_path), " ".join(c.exercises), c.line]
        )
    return buf.getvalue()


# ---------------------------------------------------------------------- Anki


def stable_int(*parts: str, bits: int = 31) -> int:
    """A deterministic id in [2**(bits-1), 2**bits) from strings (Anki ids must be stable across exports)."""
    digest = hashlib.sha1("\x1f".join(parts).encode()).digest()
    return (1 << (bits - 1)) + int.from_bytes(digest[:8], "big") % (1 << (bits - 1))


def anki_deck_id(course_key: str, lesson_id: str) -> int:
    return stable_int("dlgrade deck", course_key, lesson_id)


def anki_guid(card: Card) -> str:
    import genanki

    return str(genanki.guid_for("dlgrade", card.lesson, card.id))


_ANKI_CSS = """
.card { font-family: system-ui, sans-serif; font-size: 20px; line-height: 1.45; text-align: left;
        color: #1d232b; background: #fff; max-width: 40em; margin: 0 auto; padding: 0.5em; }
.context { font-size: 0.7em; color: #68707c; margin-bottom: 0.6em; }
code, pre { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 0.9em; background: #f2f4f7;
            border-radius: 4px; }
code { padding: 0.05em 0.3em; } pre { padding: 0.6em; overflow-x: auto; } pre code { padding: 0; }
mark.cloze { background: #ffe58a; padding: 0 0.15em; } .blank { color: #1f6feb; font-weight: 600; }
.nightMode .card, .card.nightMode { color: #e6e6e6; background: #1e1e1e; }
.nightMode code, .nightMode pre { background: #2b2b2b; }
"""


def _anki_model() -> Any:
    import genanki

    return genanki.Model(
        ANKI_MODEL_ID,
        ANKI_MODEL_NAME,
        fields=[{"name": "Question"}, {"name": "Answer"}, {"name": "Context"}, {"name": "CardId"}],
        templates=[
            {
                "name": "Card 1",
                "qfmt": '<div class="context">{{Context}}</div>\n<div class="question">{{Question}}</div>',
                "afmt": '{{FrontSide}}\n<hr id="answer">\n<div class="answer">{{Answer}}</div>',
            }
        ],
        css=_ANKI_CSS,
        sort_field_index=0,
    )


def write_apkg(cards: list[Card], path: Path, *, deck_name: str, deck_id: int) -> None:
    """An Anki package: fixed model and deck ids, note GUIDs from the card ids, HTML-escaped fields."""
    import genanki

    model = _anki_model()
    deck = genanki.Deck(deck_id, deck_name)
    skip = common_headings(cards)
    for c in cards:
        tags = [_anki_tag(c.lesson)] + [_anki_tag(e) for e in c.exercises]
        deck.add_note(
            genanki.Note(
                model=model,
                fields=[
                    md_to_html(c.question, math="anki"),
                    md_to_html(c.answer, math="anki"),
                    html.escape(" › ".join((c.lesson, *c.heading_path[skip:]))),
                    html.escape(c.id),
                ],
                guid=anki_guid(c),
                tags=tags,
            )
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    genanki.Package(deck).write_to_file(str(path))


def _anki_tag(s: str) -> str:
    return re.sub(r"\s+", "_", s.strip()) or "_"
