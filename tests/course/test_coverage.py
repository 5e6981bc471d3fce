"""docs/coverage.tsv: every concept of the source notes is recorded once, and every reference still points somewhere.

The record and how a row is judged are described in docs/coverage.md. These checks keep the references true as the
notes, cards, quizzes and curriculum change; whether a section really teaches its concept is a reviewer's judgement
that no test can make.
"""

from __future__ import annotations

import difflib
import re
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from markdown_it import MarkdownIt

from grader.course.curriculum import Course, load_course
from grader.course.notes import load_cards
from grader.course.quiz import load_quiz

REPO = Path(__file__).resolve().parents[2]
RECORD = REPO / "docs" / "coverage.tsv"
CONCEPTS = REPO / "tests" / "fixtures" / "coverage" / "concepts.tsv"
HEADER = ["seed", "concept", "status", "where"]
STATUSES = ("C", "P", "M")
MIN_COVERED = 0.95
SEP = "; "

_LESSON = r"(?P<lesson>lesson\d+[a-z]?)"
_ID = r"(?P<id>[A-Za-z0-9][A-Za-z0-9_.:-]*)"
REF_FORMS = {
    "card": re.compile(rf"card:{_LESSON}/{_ID}"),
    "quiz": re.compile(rf"quiz:{_LESSON}/{_ID}"),
    "ex": re.compile(rf"ex:{_LESSON}\.(?P<id>[A-Za-z_][A-Za-z0-9_]*)"),
    "notes": re.compile(rf"{_LESSON}#(?P<id>\S.*)"),
}
REF_HELP = "write lesson7#Heading text, card:lesson7/card-id, quiz:lesson7/question_id or ex:lesson7.exercise_id"


@dataclass(frozen=True)
class Ref:
    kind: str  # notes, card, quiz or ex
    lesson: str
    target: str  # heading text, card id, question id or exercise id
    text: str


@dataclass
class Row:
    line: int
    seed: str
    concept: str
    status: str
    where: str
    refs: list[Ref] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str]:
        return (self.seed, self.concept)


def parse_ref(text: str) -> Ref | None:
    """One reference of a ``where`` field, or None when it has none of the four forms."""
    for kind in ("card", "quiz", "ex", "notes"):  # notes last: a heading may contain anything
        m = REF_FORMS[kind].fullmatch(text)
        if m:
            return Ref(kind, m["lesson"], m["id"], text)
    return None


def read_tsv(path: Path) -> list[tuple[int, list[str]]]:
    """``(line number, fields)`` of every non-empty line, header included."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [(n, line.split("\t")) for n, line in enumerate(lines, 1) if line.strip()]


def parse_record(path: Path = RECORD) -> tuple[list[Row], list[str]]:
    """The rows of the coverage record, and every problem of form found on the way."""
    problems: list[str] = []
    rows: list[Row] = []
    lines = read_tsv(path)
    if not lines or lines[0][1] != HEADER:
        got = "\t".join(lines[0][1]) if lines else "nothing"
        return [], [f"{path.name}:1: the header must be {chr(9).join(HEADER)!r} (tab-separated), not {got!r}"]
    for n, fields in lines[1:]:
        where = f"{path.name}:{n}"
        if len(fields) != len(HEADER):
            expected = f"{len(HEADER)} ({', '.join(HEADER)})"
            problems.append(f"{where}: {len(fields)} tab-separated fields, expected {expected}")
            continue
        row = Row(n, *fields)
        rows.append(row)
        if row.status not in STATUSES:
            problems.append(f"{where}: status {row.status!r} is not one of {', '.join(STATUSES)}")
        if not row.where.strip():
            continue
        for text in row.where.split(SEP):
            ref = parse_ref(text)
            if ref is None:
                problems.append(f"{where}: {text!r} is not a reference ({REF_HELP}, separated by {SEP!r})")
            elif ref in row.refs:
                problems.append(f"{where}: {text!r} is listed twice")
            else:
                row.refs.append(ref)
    return rows, problems


def headings(markdown: str) -> set[str]:
    """The text of every ``#``, ``##`` and ``###`` heading of a notes file (never a ``#`` line inside code)."""
    tokens = MarkdownIt("commonmark").parse(markdown)
    return {
        tokens[i + 1].content.strip()
        for i, tok in enumerate(tokens)
        if tok.type == "heading_open" and tok.tag in ("h1", "h2", "h3")
    }


@dataclass
class LessonIndex:
    headings: set[str]
    cards: set[str]
    questions: set[str]
    exercises: set[str]

    def targets(self, kind: str) -> set[str]:
        return {"notes": self.headings, "card": self.cards, "quiz": self.questions, "ex": self.exercises}[kind]


@cache
def course_index() -> dict[str, LessonIndex]:
    """What each lesson of the built-in course holds: headings, card ids, question ids, exercise ids."""
    course: Course = load_course(REPO)
    index: dict[str, LessonIndex] = {}
    for lesson in course.lessons:
        notes = course.notes_path(lesson)
        text = notes.read_text(encoding="utf-8") if notes.is_file() else ""
        cards, _ = load_cards(course, lesson)
        quiz = load_quiz(course, lesson) if course.quiz_path(lesson).is_file() else None
        questions = {q.id for q in quiz.questions} if quiz else set()
        exercises = {e.id for e in lesson.exercises}
        index[lesson.id] = LessonIndex(headings(text), {c.id for c in cards}, questions, exercises)
    return index


NAMES = {"notes": "heading", "card": "card", "quiz": "quiz question", "ex": "exercise"}


def missing_target(ref: Ref, index: dict[str, LessonIndex]) -> str | None:
    """Why ``ref`` points at nothing, with the nearest existing names; None when it exists."""
    lesson = index.get(ref.lesson)
    if lesson is None:
        close = difflib.get_close_matches(ref.lesson, list(index), n=1)
        return f"there is no {ref.lesson}" + (f" (did you mean {close[0]}?)" if close else "")
    known = lesson.targets(ref.kind)
    if ref.target in known:
        return None
    close = difflib.get_close_matches(ref.target, sorted(known), n=2, cutoff=0.5)
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    return f"{ref.lesson} has no {NAMES[ref.kind]} {ref.target!r}{hint}"


def reference_problems(rows: list[Row]) -> list[str]:
    index = course_index()
    problems = []
    for row in rows:
        for ref in row.refs:
            why = missing_target(ref, index)
            if why:
                problems.append(f"{RECORD.name}:{row.line}: {ref.text}: {why}")
    return problems


def concept_keys() -> list[tuple[str, str]]:
    lines = read_tsv(CONCEPTS)
    assert lines[0][1] == ["seed", "concept"], f"{CONCEPTS}: the header must be 'seed<TAB>concept'"
    return [(fields[0], fields[1]) for _, fields in lines[1:]]


# ---------------------------------------------------------------------- the tests


def test_record_is_well_formed() -> None:
    rows, problems = parse_record()
    assert rows, f"{RECORD} holds no rows"
    assert not problems, "\n".join(problems)


def test_every_concept_is_recorded_exactly_once() -> None:
    rows, _ = parse_record()
    expected = concept_keys()
    assert len(set(expected)) == len(expected), f"{CONCEPTS} lists a concept twice"
    counts = Counter(row.key for row in rows)
    missing = [key for key in expected if not counts[key]]
    problems = [f"missing from {RECORD.name}: {seed}\t{concept}" for seed, concept in missing]
    problems += [f"{RECORD.name} lists {key[0]}\t{key[1]} {n} times" for key, n in counts.items() if n > 1]
    problems += [
        f"{RECORD.name}:{row.line}: {row.seed}\t{row.concept} is not a concept of {CONCEPTS.name} "
        "(the first two columns must be copied exactly)"
        for row in rows
        if row.key not in set(expected)
    ]
    assert not problems, "\n".join(problems)


def test_every_reference_exists() -> None:
    rows, _ = parse_record()
    problems = reference_problems(rows)
    assert not problems, "\n".join(problems)


def test_covered_rows_have_notes_and_a_card_or_question() -> None:
    rows, _ = parse_record()
    problems = []
    for row in rows:
        kinds = {ref.kind for ref in row.refs}
        if row.status == "C" and ("notes" not in kinds or not kinds & {"card", "quiz"}):
            problems.append(
                f"{RECORD.name}:{row.line}: {row.concept!r} is marked C but lacks "
                + ("a notes section" if "notes" not in kinds else "a card or quiz question")
            )
        if row.status == "M" and row.refs:
            problems.append(f"{RECORD.name}:{row.line}: {row.concept!r} is marked M (missing) but has references")
    assert not problems, "\n".join(problems)


def test_at_least_95_percent_covered() -> None:
    rows, _ = parse_record()
    covered = sum(row.status == "C" for row in rows)
    share = covered / len(concept_keys())
    not_covered = "\n".join(f"  {row.status} {row.seed} {row.concept}" for row in rows if row.status != "C")
    assert share >= MIN_COVERED, f"{covered} rows covered, {share:.1%} < {MIN_COVERED:.0%}; not covered:\n{not_covered}"


def test_checking_the_record_does_not_import_torch() -> None:
    code = (
        "import sys\n"
        "from tests.course import test_coverage as t\n"
        "rows, problems = t.parse_record()\n"
        "problems += t.reference_problems(rows)\n"
        "print('TORCH' if 'torch' in sys.modules else 'NO-TORCH', len(rows), len(problems))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split()[0] == "NO-TORCH", proc.stdout


# ---------------------------------------------------------------------- the checker itself


def test_parse_ref_forms() -> None:
    assert parse_ref("lesson7#Weight decay") == Ref("notes", "lesson7", "Weight decay", "lesson7#Weight decay")
    assert parse_ref("lesson6#Why not a fully connected layer?").target == "Why not a fully connected layer?"
    assert parse_ref("card:lesson5b/grad-none-vs-zero") == Ref(
        "card", "lesson5b", "grad-none-vs-zero", "card:lesson5b/grad-none-vs-zero"
    )
    assert parse_ref("quiz:lesson4/ema_is_lerp").kind == "quiz"
    assert parse_ref("ex:lesson10b.position_wise_ffn") == Ref(
        "ex", "lesson10b", "position_wise_ffn", "ex:lesson10b.position_wise_ffn"
    )
    for bad in ("L7 Weight decay", "card:lesson7", "ex:lesson7/softmax_ce", "quiz: lesson7/x", "lesson7#", "#Heading"):
        assert parse_ref(bad) is None, bad


def test_headings_ignore_code_and_deep_levels() -> None:
    text = "# Title\n\n## Section: one\n\n```python\n# not a heading\n```\n\n### Sub\n\n#### Too deep\n"
    assert headings(text) == {"Title", "Section: one", "Sub"}


def test_problems_name_the_line_and_a_fix(tmp_path: Path) -> None:
    bad = tmp_path / "coverage.tsv"
    bad.write_text(
        "seed\tconcept\tstatus\twhere\n"
        "S0\tA concept\tX\tlesson7#Weight decay; lesson7#Weight decay\n"
        "S0\tAnother\tC\tL7 somewhere\n"
        "S0\tShort row\n",
        encoding="utf-8",
    )
    rows, problems = parse_record(bad)
    assert [r.line for r in rows] == [2, 3]
    assert any("coverage.tsv:2: status 'X'" in p for p in problems)
    assert any("coverage.tsv:2:" in p and "listed twice" in p for p in problems)
    assert any("coverage.tsv:3: 'L7 somewhere' is not a reference" in p and "quiz:lesson7/" in p for p in problems)
    assert any("coverage.tsv:4: 2 tab-separated fields" in p for p in problems)

    index = course_index()
    why = missing_target(Ref("card", "lesson7", "wd-tunin", "card:lesson7/wd-tunin"), index) or ""
    assert why.startswith("lesson7 has no card 'wd-tunin'; did you mean 'wd-tuning'"), why
    assert "there is no lesson77" in (missing_target(Ref("ex", "lesson77", "x", "ex:lesson77.x"), index) or "")
    assert missing_target(Ref("notes", "lesson7", "Weight decay", "lesson7#Weight decay"), index) is None
    assert missing_target(Ref("notes", "lesson7", "Weight Decay", "lesson7#Weight Decay"), index) is not None
