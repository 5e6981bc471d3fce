"""Cards out: a self-contained HTML deck, Markdown, CSV, and an Anki package.

Card text is Markdown. It becomes HTML safely: markdown-it with raw HTML off (so every ``<`` from a note is
escaped), images off (a deck never fetches anything), math kept out of the Markdown pass and drawn by a tiny TeX
renderer (HTML deck) or handed to Anki's own MathJax (``\\(...\\)``).
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
    from markdown_it import MarkdownIt

FORMATS = ("html", "md", "anki", "csv")

# Fixed forever: Anki recognises the note type by this id, so re-importing updates notes instead of duplicating.
ANKI_MODEL_ID = 1_788_142_301
ANKI_MODEL_NAME = "dlgrade card"

_MATH_OPEN, _MATH_CLOSE = "\ue000", "\ue001"
_MARK_OPEN, _MARK_CLOSE = "\ue002", "\ue003"


# ---------------------------------------------------------------------- Markdown to HTML


@lru_cache(maxsize=1)
def _md() -> MarkdownIt:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.disable("image")
    md.enable("table")
    return md


def _protect(text: str) -> tuple[str, list[tuple[str, bool]]]:
    """Swap math spans for placeholders and ``==term==`` for mark characters, leaving code untouched."""
    from grader.course.note_parser import special_spans

    out: list[str] = []
    maths: list[tuple[str, bool]] = []
    pos = 0

    def plain(chunk: str) -> str:
        return CLOZE.sub(lambda m: _MARK_OPEN + m.group(1) + _MARK_CLOSE, chunk)

    for kind, a, b in special_spans(text):
        out.append(plain(text[pos:a]))
        if kind == "math":
            display = text.startswith("$$", a)
            body = text[a + 2 : b - 2] if display else text[a + 1 : b - 1]
            out.append(f"{_MATH_OPEN}{len(maths)}{_MATH_CLOSE}")
            maths.append((body, display))
        else:
            out.append(text[a:b])
        pos = b
    out.append(plain(text[pos:]))
    return "".join(out), maths


def md_to_html(text: str, *, math: str = "html") -> str:
    """Safe HTML for a card side. ``math="html"`` draws TeX with the built-in renderer; ``"anki"`` keeps
    ``\\(...\\)`` for Anki's MathJax."""
    protected, maths = _protect(text)
    out = _md().render(protected).strip()

    def put_math(m: re.Match[str]) -> str:
        body, display = maths[int(m.group(1))]
        if math == "anki":
            tex = html.escape(body, quote=False)
            return f"\\[{tex}\\]" if display else f"\\({tex}\\)"
        cls = "math display" if display else "math"
        return f'<span class="{cls}" title="{html.escape(body)}">{tex_to_html(body)}</span>'

    out = re.sub(f"{_MATH_OPEN}(\\d+){_MATH_CLOSE}", put_math, out)
    out = out.replace(_MARK_OPEN, '<mark class="cloze">').replace(_MARK_CLOSE, "</mark>")
    out = out.replace(html.escape(CLOZE_BLANK), CLOZE_BLANK)
    out = out.replace(CLOZE_BLANK, f'<span class="blank">{CLOZE_BLANK}</span>')
    # A one-paragraph side needs no <p> margin.
    if out.startswith("<p>") and out.endswith("</p>") and out.count("<p>") == 1:
        out = out[3:-4]
    return out


# ---------------------------------------------------------------------- a tiny TeX renderer

# fmt: off
_GREEK = ("alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu", "nu",
          "xi", "omicron", "pi", "rho", "varsigma", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega")
_SYMBOLS = {
    **{g: chr(0x3B1 + k) for k, g in enumerate(_GREEK)},
    **{g.capitalize(): chr(0x391 + k) for k, g in enumerate(_GREEK)},
    "varepsilon": "ε", "epsilon": "ϵ", "vartheta": "ϑ", "varphi": "φ", "phi": "ϕ", "varsigma": "ς",
    "cdot": "·", "cdots": "⋯", "ldots": "…", "dots": "…", "times": "×", "div": "÷", "pm": "±", "mp": "∓",
    "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "ne": "≠", "neq": "≠", "approx": "≈", "sim": "∼", "equiv": "≡",
    "propto": "∝", "ll": "≪", "gg": "≫", "infty": "∞", "partial": "∂", "nabla": "∇", "sum": "∑", "prod": "∏",
    "int": "∫", "to": "→", "rightarrow": "→", "leftarrow": "←", "Rightarrow": "⇒", "Leftrightarrow": "⇔",
    "mapsto": "↦", "in": "∈", "notin": "∉", "subset": "⊂", "subseteq": "⊆", "cup": "∪", "cap": "∩",
    "forall": "∀", "exists": "∃", "odot": "⊙", "otimes": "⊗", "oplus": "⊕", "circ": "∘", "top": "⊤",
    "star": "⋆", "ast": "∗", "langle": "⟨", "rangle": "⟩", "lfloor": "⌊", "rfloor": "⌋", "lceil": "⌈",
    "rceil": "⌉", "|": "‖", "{": "{", "}": "}", "_": "_", "%": "%", "$": "$", "&": "&", "#": "#",
    "quad": "\u2003", "qquad": "\u2003\u2003", ",": "\u2009", ";": "\u2005", ":": "\u2005", "!": "", " ": " ",
    "lvert": "|", "rvert": "|", "vert": "|", "mid": " | ", "ell": "ℓ", "hbar": "ℏ", "emptyset": "∅",
}
_FUNCTIONS = {"log", "ln", "exp", "max", "min", "sin", "cos", "tan", "tanh", "sigmoid", "softmax", "argmax",
              "argmin", "arg", "lim", "sup", "inf", "det", "dim", "Var", "var", "Cov", "tr", "diag", "sign",
              "sgn", "relu", "ReLU", "mean", "std", "E", "Pr"}
_ACCENTS = {"hat": "\u0302", "bar": "\u0304", "tilde": "\u0303", "vec": "\u20d7", "dot": "\u0307", "ddot": "\u0308",
            "overline": "\u0305", "widehat": "\u0302", "widetilde": "\u0303"}
_BLACKBOARD = {"R": "ℝ", "N": "ℕ", "Z": "ℤ", "Q": "ℚ", "C": "ℂ", "E": "𝔼", "P": "ℙ"}
_SIZERS = {"left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "biggl", "biggr",
           "displaystyle", "textstyle", "limits", "nolimits"}
_SPACED = {"=", "<", ">", "+", "≤", "≥", "≠", "≈", "→", "←", "⇒", "⇔", "∈", "×", "±", "∼", "≡", "∝", "↦"}
# fmt: on


class _Tex:
    def __init__(self, src: str) -> None:
        self.s = src
        self.i = 0

    def seq(self, stop: str | None = None) -> str:
        out: list[str] = []
        while self.i < len(self.s):
            ch = self.s[self.i]
            if stop and ch == stop:
                self.i += 1
                return "".join(out)
            out.append(self.atom())
        return "".join(out)

    def arg(self) -> str:
        while self.i < len(self.s) and self.s[self.i].isspace():
            self.i += 1
        return self.atom()

    def raw_group(self) -> str:
        """The text of a ``{...}`` argument, unparsed (for ``\\text``)."""
        while self.i < len(self.s) and self.s[self.i].isspace():
            self.i += 1
        if self.i < len(self.s) and self.s[self.i] == "{":
            depth, start = 0, self.i
            while self.i < len(self.s):
                c = self.s[self.i]
                depth += c == "{"
                depth -= c == "}"
                self.i += 1
                if depth == 0:
                    return self.s[start + 1 : self.i - 1]
            return self.s[start + 1 :]
        if self.i < len(self.s):
            self.i += 1
            return self.s[self.i - 1]
        return ""

    def atom(self) -> str:
        s, i = self.s, self.i
        ch = s[i]
        if ch.isspace():
            self.i += 1
            return ""
        if ch == "{":
            self.i += 1
            return self.seq("}")
        if ch in "^_":
            self.i += 1
            tag = "sup" if ch == "^" else "sub"
            return f"<{tag}>{self.arg()}</{tag}>"
        if ch == "\\":
            return self.command()
        if ch.isalpha():
            self.i += 1
            return f"<i>{html.escape(ch)}</i>"
        self.i += 1
        if ch == "-":
            ch = "−"
        if ch == "'":
            return "′"
        if ch in _SPACED:
            return f"\u2009{html.escape(ch)}\u2009"
        return html.escape(ch)

    def command(self) -> str:
        s = self.s
        m = re.compile(r"\\([A-Za-z]+|.)").match(s, self.i)
        if m is None:
            self.i += 1
            return "\\"
        self.i = m.end()
        name = m.group(1)
        if name == "\\":
            return "<br>"
        if name in _SIZERS:
            return ""
        if name == "frac" or name in ("dfrac", "tfrac"):
            num, den = self.arg(), self.arg()
            return f'<span class="frac"><span class="num">{num}</span><span class="den">{den}</span></span>'
        if name == "sqrt":
            return f'√<span class="sqrt">{self.arg()}</span>'
        if name in ("mathbf", "boldsymbol", "bm"):
            return f"<b>{self.arg()}</b>"
        if name in ("text", "textrm", "mathrm", "operatorname", "textit", "mathit", "texttt"):
            return f'<span class="rm">{html.escape(self.raw_group())}</span>'
        if name == "mathbb":
            inner = self.raw_group().strip()
            return _BLACKBOARD.get(inner, html.escape(inner))
        if name in ("mathcal", "mathscr", "mathsf"):
            return self.arg()
        if name in _ACCENTS:
            return f"{self.arg()}{_ACCENTS[name]}"
        if name in _FUNCTIONS:
            return f'<span class="rm">{name}</span>\u2009'
        if name in _SYMBOLS:
            sym = _SYMBOLS[name]
            return f"\u2009{sym}\u2009" if sym in _SPACED else html.escape(sym)
        return html.escape("\\" + name)


def tex_to_html(tex: str) -> str:
    """Common TeX (Greek, operators, sub/superscripts, fractions, roots, accents) as plain HTML, no network."""
    try:
        return _Tex(tex).seq()
    except (IndexError, RecursionError):
        return html.escape(tex)


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
