"""A flashcard, and the one cloze syntax (``==term==``) every part of dlgrade reads and draws the same way."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

KINDS = ("qa", "cloze")
CLOZE_BLANK = "[…]"
ID_OK = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")
# A deletion: ``==term==`` on one line, no space just inside the marks ("a == b" is a comparison, not a cloze),
# not part of a longer run of "=" and not glued to a word.
CLOZE = re.compile(r"(?<![\w=])==(?![=\s])([^\n]*?)(?<![=\s])==(?![\w=])")
EMPTY_CLOZE = re.compile(r"(?<![\w=])==[ \t]*==(?![\w=])")


@dataclass
class Card:
    """One flashcard. ``question`` and ``answer`` are Markdown; ``line`` is 1-based in ``path``."""

    id: str
    lesson: str
    question: str
    answer: str
    kind: str = "qa"
    heading_path: tuple[str, ...] = ()
    exercises: list[str] = field(default_factory=list)
    line: int = 0
    path: str = ""
    explicit_id: bool = False

    @property
    def context(self) -> str:
        return " › ".join((self.lesson, *self.heading_path))

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "lesson": self.lesson,
            "kind": self.kind,
            "question": self.question,
            "answer": self.answer,
            "heading_path": list(self.heading_path),
            "exercises": list(self.exercises),
            "line": self.line,
        }


@dataclass
class NoteProblem:
    """A malformed card (or tag) in a notes file."""

    file: str
    line: int
    message: str
    fix: str = ""

    def __str__(self) -> str:
        text = f"{self.file}:{self.line}: {self.message}"
        return text + (f" (fix: {self.fix})" if self.fix else "")


def normalize_question(text: str) -> str:
    """Lowercase, emphasis markers stripped, whitespace collapsed: the part of a question its id depends on."""
    t = text.replace("**", "").replace("__", "")
    t = re.sub(r"(?<![\w*])\*(?!\s)|(?<!\s)\*(?![\w*])", "", t)
    t = re.sub(r"(?<!\w)_(?!\s)|(?<!\s)_(?!\w)", "", t)
    return " ".join(t.lower().split())


def card_id(lesson_id: str, question: str) -> str:
    """The stable id of a card without an explicit one: a short hash of lesson and normalized question."""
    digest = hashlib.sha1(f"{lesson_id}\n{normalize_question(question)}".encode()).hexdigest()
    return digest[:12]


def cloze_bold(text: str) -> str:
    """A cloze answer for plain Markdown: every deletion in bold."""
    return CLOZE.sub(lambda m: f"**{m.group(1)}**", text)
