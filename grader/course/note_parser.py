"""The notes parser: lesson notes (Markdown) to cards, structurally, with markdown-it.

Headings, paragraphs, lists, fences and HTML comments are blocks, so nothing inside fenced code or a code span ever
becomes a card (``x[::2]`` and ``std::vector`` are not separators). The dialect is markdown-it's CommonMark with
tables, plus two mdit-py-plugins: YAML front matter and dollar math (``$...$``, ``$$...$$``), whose rules say what
is math, here and in every rendering of a card (``grader.study.cards``). What stays ours is the card grammar itself
(``Q:``/``A:``, ``::``, ``?``, ``==cloze==``, id and exercise comments), which no plugin knows: one cohesive state
machine over the block stream, which is why this module is longer than most: splitting it would scatter one grammar
over several files.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from grader.course.card import CLOZE, CLOZE_BLANK, EMPTY_CLOZE, ID_OK, Card, NoteProblem, card_id

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_inline import StateInline

_Q = re.compile(r"^(?:\*\*|__)?Q(?::(?:\*\*|__)?|(?:\*\*|__):)[ \t]*")
_A = re.compile(r"^(?:\*\*|__)?A(?::(?:\*\*|__)?|(?:\*\*|__):)[ \t]*")
# "::" counts only with whitespace on at least one side, and not as part of ":::".
_SEP = re.compile(r"(?<!:)(?:[ \t]+::[ \t]*|::[ \t]+)(?!:)")
_COMMENT = re.compile(r"<!--\s*(id|exercises)\s*:\s*(.*?)\s*-->", re.S)
_MASK = "\x00"

# Dollar math as pandoc reads it: no space just inside the dollars, no digit right after the closing one (so
# "$5 and $10" is money), $$...$$ inside a paragraph is display math, no labels.
MATH_OPTIONS: dict[str, Any] = {
    "allow_labels": False,
    "allow_space": False,
    "allow_digits": False,
    "allow_blank_lines": False,
    "double_inline": True,
}


def _math_rule() -> Callable[[StateInline, bool], bool]:
    """The plugin's inline math rule, with the digit checks done here.

    The plugin's own ``allow_digits=False`` looks at ``src[pos - 1]`` even at position 0, where Python reads the
    last character: a paragraph that starts with ``$x$`` and ends with a digit would lose its math. So the plugin
    allows digits and this wrapper refuses a digit right before the opening or right after the closing dollar.
    """
    from mdit_py_plugins.dollarmath.index import math_inline_dollar

    rule = math_inline_dollar(MATH_OPTIONS["allow_space"], True, MATH_OPTIONS["double_inline"])

    def math(state: StateInline, silent: bool) -> bool:
        start = state.pos
        if start > 0 and state.src[start - 1].isdigit():
            return False
        if not rule(state, True):  # where would it end?
            return False
        end, state.pos = state.pos, start
        if end < len(state.src) and state.src[end].isdigit():
            return False
        return rule(state, silent)

    return math


def dollar_math(md: MarkdownIt) -> MarkdownIt:
    """Add the notes' math to a markdown-it parser: ``$...$`` and ``$$...$$`` (mdit-py-plugins' dollarmath)."""
    from mdit_py_plugins.dollarmath import dollarmath_plugin

    dollarmath_plugin(md, **MATH_OPTIONS)
    md.inline.ruler.at("math_inline", _math_rule())
    return md


def notes_syntax(md: MarkdownIt) -> MarkdownIt:
    """Add the notes' extensions to a markdown-it parser: YAML front matter and dollar math (mdit-py-plugins)."""
    from mdit_py_plugins.front_matter import front_matter_plugin

    front_matter_plugin(md)
    return dollar_math(md)


def _recording(kind: str, rule: Callable[[StateInline, bool], bool]) -> Callable[[StateInline, bool], bool]:
    """``rule``, also noting in ``env["spans"]`` where each code span, math span or escape it parsed lies."""
    types = {"code": ("code_inline",), "math": ("math_inline", "math_inline_double"), "escape": ("text_special",)}

    def record(state: StateInline, silent: bool) -> bool:
        start, n = state.pos, len(state.tokens)
        if not rule(state, silent):
            return False
        if not silent and len(state.tokens) > n:
            tok = state.tokens[-1]
            # an escape of a non-punctuation character ("\\a") stays text, as CommonMark says
            if tok.type in types[kind] and not (kind == "escape" and tok.content == tok.markup):
                state.env["spans"].append((kind, start, state.pos))
        return True

    return record


@lru_cache(maxsize=1)
def _span_parser() -> MarkdownIt:
    from markdown_it import MarkdownIt
    from markdown_it.rules_inline import backtick, escape

    md = notes_syntax(MarkdownIt("commonmark"))
    md.inline.ruler.at("math_inline", _recording("math", _math_rule()))
    md.inline.ruler.at("backticks", _recording("code", backtick))
    md.inline.ruler.at("escape", _recording("escape", escape))
    return md


def special_spans(text: str) -> list[tuple[str, int, int]]:
    """``(kind, start, end)`` of the code spans, ``$math$`` spans and backslash escapes in ``text``, in order.

    markdown-it's inline parser finds them (CommonMark code spans and escapes, the dollar-math plugin's math), so
    they are exactly what a rendering of the text treats as code, math and escapes.
    """
    md = _span_parser()
    env: dict[str, Any] = {"spans": []}
    md.inline.parse(text, md, env, [])
    return sorted(env["spans"], key=lambda s: s[1])


def mask_code(text: str) -> str:
    """``text`` with code spans, ``$math$`` and backslash escapes blanked out (same length, newlines kept).

    Separators (``Q:``, ``::``, ``?``, ``==``) are searched for in the masked text and sliced from the original.
    """
    out = list(text)
    for _, a, b in special_spans(text):
        for k in range(a, b):
            if out[k] != "\n":
                out[k] = _MASK
    return "".join(out)


def _split_ids(value: str, lesson_id: str) -> list[str]:
    out = []
    for part in re.split(r"[,\s]+", value.strip()):
        if not part:
            continue
        if "." in part:
            head, _, tail = part.partition(".")
            if head == lesson_id or head.isdigit() and f"lesson{int(head)}" == lesson_id:
                part = tail
        out.append(part)
    return out


def _dedupe(items: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for it in items:
        seen.setdefault(it, None)
    return list(seen)


@dataclass
class _Section:
    level: int
    title: str
    exercises: list[str] = field(default_factory=list)


@dataclass
class _Pending:
    """Tags from HTML comments waiting for the card on the next line."""

    end: int  # 0-based line after the comment
    line: int  # 1-based line of the comment, for problems
    id: str | None = None
    exercises: list[str] = field(default_factory=list)


class _Parser:
    def __init__(self, text: str, lesson_id: str, path: str) -> None:
        self.lesson_id = lesson_id
        self.path = path
        self.text = text
        self.lines = self.text.splitlines()
        self.cards: list[Card] = []
        self.problems: list[NoteProblem] = []
        self.sections: list[_Section] = []
        self.consumed: set[int] = set()
        self.pending: _Pending | None = None
        self.after_heading = False

    # ------------------------------------------------------------------ driving

    def run(self) -> tuple[list[Card], list[NoteProblem]]:
        from markdown_it import MarkdownIt
        from markdown_it.tree import SyntaxTreeNode

        md = notes_syntax(MarkdownIt("commonmark").enable("table"))  # table rows and front matter are never cards
        root = SyntaxTreeNode(md.parse(self.text))
        self.walk(root.children)
        self._flush_pending()
        self._dedupe_ids()
        return self.cards, self.problems

    def walk(self, nodes: list[Any]) -> None:
        for node in nodes:
            if id(node) in self.consumed:
                continue
            kind = node.type
            if kind == "heading":
                self._flush_pending()
                self._heading(node)
                self.after_heading = True
                continue
            if kind == "html_block":
                self._comment(node)
                continue
            self.after_heading = False
            if kind == "paragraph":
                before = len(self.cards)
                self._paragraph(node)
                self._apply_pending(node, before)
            elif kind in ("bullet_list", "ordered_list", "blockquote"):
                if self.pending is not None and self.pending.end != node.map[0]:
                    self._flush_pending()  # an adjacent comment waits for the first card inside
                if kind == "blockquote":
                    self.walk(node.children)
                else:
                    for item in node.children:
                        if id(item) not in self.consumed:
                            self.walk(item.children)
            else:
                self._flush_pending()

    # ------------------------------------------------------------------ headings and tags

    def _heading(self, node: Any) -> None:
        level = int(node.tag[1:])
        title = node.children[0].content.strip() if node.children else ""
        title = title.rstrip(":").strip() or title
        if _Q.match(mask_code(title)):
            self.problem(
                node.map[0] + 1,
                "a Q: line that Markdown reads as a heading (the line below it is only '-' or '=')",
                "write the answer after the '-' (as '- answer') or add an 'A:' line",
            )
            return
        while self.sections and self.sections[-1].level >= level:
            self.sections.pop()
        self.sections.append(_Section(level, title))

    def _comment(self, node: Any) -> None:
        found = _COMMENT.findall(node.content)
        if not found:
            return
        start, end = node.map
        if self.pending is not None and self.pending.end == start:
            pending = self.pending  # consecutive comment lines build one set of tags
        else:
            self._flush_pending()
            pending = _Pending(end=end, line=start + 1)
        pending.end = end
        for key, value in found:
            if key == "id":
                value = value.strip()
                if not ID_OK.match(value):
                    self.problem(
                        start + 1, f"invalid card id {value!r}", "use letters, digits, '-', '_', '.' or ':' (no spaces)"
                    )
                    continue
                pending.id = value
            else:
                ids = _split_ids(value, self.lesson_id)
                if not ids:
                    self.problem(
                        start + 1,
                        "an exercises comment names no exercise",
                        "write <!-- exercises: exercise_id, other_id -->",
                    )
                if self.after_heading and self.sections:
                    self.sections[-1].exercises.extend(ids)  # right under a heading: the whole section
                else:
                    pending.exercises.extend(ids)
        self.pending = pending if (pending.id or pending.exercises) else None

    def _apply_pending(self, node: Any, before: int) -> None:
        pending = self.pending
        if pending is None:
            return
        new = self.cards[before:]
        if new and node.map[0] == pending.end:
            card = new[0]
            if pending.id:
                card.id = pending.id
                card.explicit_id = True
            card.exercises = _dedupe(card.exercises + pending.exercises)
            self.pending = None
        else:
            self._flush_pending()

    def _flush_pending(self) -> None:
        """Tags that reached no card: an exercises tag covers the rest of its section; an id is an error."""
        pending, self.pending = self.pending, None
        if pending is None:
            return
        if pending.exercises and self.sections:
            self.sections[-1].exercises.extend(pending.exercises)
        elif pending.exercises:
            self.problem(
                pending.line,
                "an exercises comment outside any section and not above a card",
                "put it on the line right under a heading, or right above a card",
            )
        if pending.id:
            self.problem(
                pending.line,
                f"the id comment {pending.id!r} is not directly above a card",
                "put <!-- id: ... --> on the line right before the card's first line",
            )

    # ------------------------------------------------------------------ cards

    def problem(self, line: int, message: str, fix: str = "") -> None:
        self.problems.append(NoteProblem(self.path, line, message, fix))

    def add(self, question: str, answer: str, line: int, kind: str = "qa") -> None:
        question, q_tags = _inline_tags(question, self.lesson_id)
        answer, a_tags = _inline_tags(answer, self.lesson_id)
        question, answer = question.strip(), answer.strip()
        explicit = q_tags.get("id") or a_tags.get("id")
        exercises: list[str] = []
        for s in self.sections:
            exercises.extend(s.exercises)
        exercises.extend(q_tags.get("exercises", []))
        exercises.extend(a_tags.get("exercises", []))
        cid = explicit[0] if explicit else card_id(self.lesson_id, question)
        self.cards.append(
            Card(
                id=cid,
                lesson=self.lesson_id,
                question=question,
                answer=answer,
                kind=kind,
                heading_path=tuple(s.title for s in self.sections),
                exercises=_dedupe(exercises),
                line=line,
                path=self.path,
                explicit_id=bool(explicit),
            )
        )

    def _source(self, nodes: list[Any]) -> str:
        """The Markdown source of consecutive blocks, dedented, trailing blank lines dropped."""
        start = nodes[0].map[0]
        end = nodes[-1].map[1]
        chunk = self.lines[start:end]
        while chunk and not chunk[-1].strip():
            chunk.pop()
        return textwrap.dedent("\n".join(chunk).expandtabs(4))

    def _adjacent_answer(self, node: Any, q_line: int | None = None) -> str | None:
        """A list (its first run of items with no blank line between them) or a code block right below ``node``.

        ``q_line`` (0-based) is where the question starts: a ``Q:`` written as a lazy continuation of a list item
        (not indented under it) takes the list's next items as its answer.
        """
        nxt = node.next_sibling
        if nxt is None and q_line is not None:
            return self._lazy_items(node, q_line)
        if nxt is None or nxt.map is None or nxt.map[0] != node.map[1]:
            return None
        if nxt.type in ("bullet_list", "ordered_list"):
            return self._take_items(nxt, list(nxt.children))
        if nxt.type in ("fence", "code_block"):
            self.consumed.add(id(nxt))
            return self._source([nxt])
        return None

    def _take_items(self, lst: Any, candidates: list[Any]) -> str | None:
        items: list[Any] = []
        for item in candidates:
            if items and not self.lines[item.map[0] - 1].strip():
                break  # a blank line ends the answer even where Markdown continues the list
            items.append(item)
        if not items:
            return None
        for item in items:
            self.consumed.add(id(item))
        if len(items) == len(lst.children):
            self.consumed.add(id(lst))
        return self._source(items)

    def _lazy_items(self, node: Any, q_line: int) -> str | None:
        item = node.parent
        if item is None or item.type != "list_item" or item.next_sibling is None:
            return None
        nxt = item.next_sibling
        if nxt.map[0] != node.map[1]:
            return None

        def indent(line: str) -> int:
            return len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip())

        if q_line <= item.map[0] or indent(self.lines[q_line]) > indent(self.lines[item.map[0]]):
            return None  # the question is the item itself, or indented under it: the next item is not its answer
        siblings = item.parent.children
        return self._take_items(item.parent, siblings[siblings.index(item) + 1 :])

    def _answer_paragraph(self, node: Any) -> tuple[str, Any] | None:
        """A separate ``A:`` paragraph after a ``Q:`` (blank lines allowed), also in the next list item."""
        nxt = node.next_sibling
        if nxt is None and node.parent is not None and node.parent.type == "list_item":
            item = node.parent.next_sibling
            if item is not None and item.children and item.children[0].type == "paragraph":
                nxt = item.children[0]
        if nxt is None or nxt.type != "paragraph":
            return None
        content = nxt.children[0].content if nxt.children else ""
        masked = mask_code(content)
        m = _A.match(masked.lstrip())
        if not m:
            return None
        self.consumed.add(id(nxt))
        lead = len(masked) - len(masked.lstrip())
        answer = content[lead + m.end() :]
        more = self._adjacent_answer(nxt)
        if nxt.parent is not None and nxt.parent.type == "list_item" and nxt.parent is not node.parent:
            self.consumed.add(id(nxt.parent))
        return (answer + ("\n" + more if more else "")), nxt

    def _paragraph(self, node: Any) -> None:
        content = node.children[0].content if node.children else ""
        raw = content.split("\n")
        masked = mask_code(content).split("\n")
        lines = [r.lstrip() for r in raw]
        mlines = [m.lstrip() for m in masked]
        first = node.map[0]

        q_idx = [i for i, m in enumerate(mlines) if _Q.match(m)]
        if q_idx:
            for n, qi in enumerate(q_idx):
                end = q_idx[n + 1] if n + 1 < len(q_idx) else len(lines)
                is_last = end == len(lines)
                self._qa_segment(node, lines[qi:end], mlines[qi:end], first + qi, is_last)
            return

        marks = [i for i, m in enumerate(mlines) if m.strip() == "?"]
        if marks and len(lines) > 1:
            k = marks[0]
            question = "\n".join(lines[:k])
            answer = "\n".join(lines[k + 1 :])
            if not question.strip():
                self.problem(
                    first + k + 1, "a '?' line with no question above it", "write the question on the line above"
                )
                return
            more = self._adjacent_answer(node, first)
            if more:
                answer = (answer + "\n" + more) if answer.strip() else more
            if not _has_text(answer):
                self.problem(
                    first + k + 1,
                    "a question followed by '?' but no answer",
                    "write the answer on the lines after the '?'",
                )
                return
            self.add(question, answer, first + 1)
            return
        if marks:
            return  # a paragraph holding only '?' is not a card

        seps = [(i, _SEP.search(m)) for i, m in enumerate(mlines)]
        if any(s for _, s in seps):
            self._one_liners(node, lines, seps, first)
            return

        text = "\n".join(lines)
        mtext = "\n".join(mlines)
        if "==" in mtext:
            self._cloze(text, mtext, first)

    def _qa_segment(self, node: Any, lines: list[str], mlines: list[str], line0: int, is_last: bool) -> None:
        q_first = lines[0][_Q.match(mlines[0]).end() :]  # type: ignore[union-attr]
        a_at = next((i for i, m in enumerate(mlines) if i > 0 and _A.match(m)), None)
        if a_at is not None:
            question = "\n".join([q_first, *lines[1:a_at]])
            answer = "\n".join([lines[a_at][_A.match(mlines[a_at]).end() :], *lines[a_at + 1 :]])  # type: ignore[union-attr]
            if is_last:
                more = self._adjacent_answer(node, line0)
                if more:
                    answer = (answer + "\n" + more) if answer.strip() else more
            self._add_checked(question, answer, line0 + 1, line0 + a_at + 1)
            return
        # No A: line in this paragraph.
        marks = [i for i, m in enumerate(mlines) if i > 0 and m.strip() == "?"]
        if marks:
            k = marks[0]
            question = "\n".join([q_first, *lines[1:k]])
            answer = "\n".join(lines[k + 1 :])
            if is_last and not answer.strip():
                answer = self._adjacent_answer(node, line0) or ""
            self._add_checked(question, answer, line0 + 1, line0 + k + 1)
            return
        if len(lines) > 1 and _ends_question(lines[0]):
            # "Q: question?" then the answer on the next lines (no A:), as many notes are written.
            rest = "\n".join(lines[1:])
            more = self._adjacent_answer(node, line0) if is_last else None
            self._add_checked(q_first, rest + ("\n" + more if more else ""), line0 + 1, line0 + 2)
            return
        question = "\n".join([q_first, *lines[1:]])
        below: str | None = None
        if is_last:
            below = self._adjacent_answer(node, line0)
            if below is None:
                found = self._answer_paragraph(node)
                if found is not None:
                    below = found[0]
        if below is None:
            if question.strip():
                self.problem(
                    line0 + 1,
                    "a Q: with no answer",
                    "add an 'A:' line, or bullet lines right below the question (no blank line between)",
                )
            else:
                self.problem(line0 + 1, "a Q: with no question text", "write the question after 'Q:'")
            return
        self._add_checked(question, below, line0 + 1, line0 + 1)

    def _add_checked(self, question: str, answer: str, line: int, a_line: int, kind: str = "qa") -> None:
        if not question.strip():
            self.problem(line, "a Q: with no question text", "write the question after 'Q:'")
        elif not _has_text(answer):
            self.problem(a_line, "a card with an empty answer", "write the answer (text or bullets with text)")
        else:
            self.add(question, answer, line, kind)

    def _one_liners(self, node: Any, lines: list[str], seps: list[tuple[int, Any]], first: int) -> None:
        current: list[Any] | None = None  # [question, answer, line]
        done: list[list[Any]] = []
        for i, m in seps:
            if m is not None:
                if current is not None:
                    done.append(current)
                current = [lines[i][: m.start()], lines[i][m.end() :], first + i + 1]
            elif current is not None:
                current[1] += "\n" + lines[i]
        if current is not None:
            if not current[1].strip():
                more = self._adjacent_answer(node, current[2] - 1)
                if more:
                    current[1] = more
            done.append(current)
        for question, answer, line in done:
            if not question.strip():
                self.problem(line, "a '::' card with no question before the '::'", "write 'question :: answer'")
            elif not _has_text(answer):
                self.problem(line, "a '::' card with no answer after the '::'", "write 'question :: answer'")
            else:
                self.add(question, answer, line)

    def _cloze(self, text: str, mtext: str, first: int) -> None:
        empty = list(EMPTY_CLOZE.finditer(mtext))
        for m in empty:
            line = first + mtext.count("\n", 0, m.start()) + 1
            self.problem(line, "an empty cloze", "put the hidden term between the marks: ==term==")
        if empty:
            return
        real = list(CLOZE.finditer(mtext))
        if not real:
            return
        q_parts, a_parts, pos = [], [], 0
        for m in real:
            q_parts += [text[pos : m.start()], CLOZE_BLANK]
            a_parts += [text[pos : m.start()], "==" + text[m.start(1) : m.end(1)] + "=="]
            pos = m.end()
        q_parts.append(text[pos:])
        a_parts.append(text[pos:])
        self.add("".join(q_parts), "".join(a_parts), first + 1, kind="cloze")

    # ------------------------------------------------------------------ ids

    def _dedupe_ids(self) -> None:
        seen: dict[str, Card] = {}
        for card in self.cards:
            if card.id in seen:
                other = seen[card.id]
                n = 2
                while f"{card.id}-{n}" in seen:
                    n += 1
                self.problem(
                    card.line,
                    f"two cards share the id {card.id!r} (the other is at line {other.line}); this one is "
                    f"{card.id}-{n} for now",
                    "reword one question or give one an explicit <!-- id: ... --> on the line above it",
                )
                card.id = f"{card.id}-{n}"
            seen[card.id] = card


def _ends_question(line: str) -> bool:
    """Whether a question line is complete on its own: it ends with '?', ':' or a hard line break."""
    return line.endswith(("  ", "\\")) or line.rstrip().endswith(("?", ":"))


def _has_text(answer: str) -> bool:
    """An answer with something besides list markers and whitespace."""
    return bool(re.sub(r"(?m)^\s*(?:[-*+]|\d+[.)])(?=\s|$)", "", answer).strip())


def _inline_tags(text: str, lesson_id: str) -> tuple[str, dict[str, list[str]]]:
    """Take ``<!-- id: ... -->`` / ``<!-- exercises: ... -->`` written inside a card's own text."""
    tags: dict[str, list[str]] = {}

    def take(m: re.Match[str]) -> str:
        key, value = m.group(1), m.group(2)
        if key == "id":
            tags.setdefault("id", []).append(value.strip())
        else:
            tags.setdefault("exercises", []).extend(_split_ids(value, lesson_id))
        return ""

    return _COMMENT.sub(take, text), tags
