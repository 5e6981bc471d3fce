"""grader/notes.py: every card form, code that is never a card, ids, exercise tags, seed-style notes, bad notes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grader.course.card import CLOZE_BLANK, card_id, normalize_question
from grader.course.note_parser import mask_code
from grader.course.notes import load_cards, parse_notes

FIXTURES = Path(__file__).parents[1] / "fixtures"
NOTES = FIXTURES / "notes"


def parse(text: str, lesson: str = "lesson7"):
    return parse_notes(text, lesson, "notes.md")


def parse_file(name: str, lesson: str = "lesson7"):
    return parse_notes((NOTES / name).read_text(encoding="utf-8"), lesson, NOTES / name)


def by_question(cards):
    return {c.question: c for c in cards}


# ---------------------------------------------------------------------- the forms


def test_all_forms_in_one_file():
    cards, problems = parse_file("forms.md")
    assert problems == []
    qs = by_question(cards)
    assert len(cards) == 10

    c = qs["Why subtract the maximum logit before exponentiating?"]
    assert c.kind == "qa"
    assert c.answer == (
        "It leaves the softmax unchanged but keeps every exponent at or below zero,\nso exp cannot overflow."
    )
    assert c.line == 8
    assert c.heading_path == ("Lesson 7: softmax and embeddings", "Softmax cross-entropy")
    assert c.exercises == ["softmax_ce"]

    # Q: followed by bullets and no A: -- the bullets are the answer.
    c = qs["What does log-sum-exp compute?"]
    assert c.answer == "- the log of a sum of exponentials\n- stably, via a shift by the maximum"
    assert c.line == 12

    # Multi-line question; A: alone on its line with a bullet list answer.
    c = qs["Which two steps make up\ncross-entropy on logits?"]
    assert c.answer == "- a log-softmax\n- picking the true class's entry (then negating)"

    # question :: answer
    c = qs["What is an embedding, computationally?"]
    assert c.answer == "Indexing into a weight matrix, which equals a one-hot matmul."
    assert c.line == 22

    # question, '?', answer
    c = qs["Which loss pairs with a softmax output?"]
    assert c.answer == "Cross-entropy (negative log-likelihood of the true class)."
    assert c.line == 24

    # cloze with two deletions
    cloze = [c for c in cards if c.kind == "cloze"]
    assert len(cloze) == 1
    assert cloze[0].question == f"Softmax turns logits into {CLOZE_BLANK} that sum to {CLOZE_BLANK}."
    assert cloze[0].answer == "Softmax turns logits into ==probabilities== that sum to ==one==."
    assert cloze[0].line == 28

    # Math with '::'-free content and subsection heading path.
    c = qs["What is $\\log \\sum_j e^{x_j}$ bounded by?"]
    assert c.heading_path[-1] == "Numerical details"
    assert c.exercises == ["softmax_ce"]  # a section's tag covers its subsections

    # The answer continues into a fenced code block.
    c = qs["Show a lookup in code."]
    assert c.answer == "Index the weight matrix:\n```python\nout = weight[idx]\n```"
    assert c.exercises == []  # a new ## section: the tag of the previous one no longer applies


def test_contributing_example_parses_as_documented():
    text = (Path(__file__).parents[2] / "CONTRIBUTING.md").read_text(encoding="utf-8")
    block = text.split("## Cards")[1].split("```markdown\n")[1].split("```\n")[0]
    cards, problems = parse(block)
    assert problems == []
    assert [c.kind for c in cards] == ["qa", "qa", "qa", "qa", "cloze", "qa"]
    assert cards[-1].id == "my-stable-id"
    assert all(c.exercises == ["softmax_ce"] for c in cards)


def test_qa_answer_may_be_a_bullet_list_after_text():
    cards, problems = parse("Q: Name two optimizers.\nA: For example:\n- SGD\n- Adam\n")
    assert problems == []
    assert cards[0].answer == "For example:\n- SGD\n- Adam"


def test_qa_with_bold_markers_and_separate_answer_paragraph():
    cards, problems = parse("**Q:** What is a logit?\n\n**A:** An unnormalized log-probability.\n")
    assert problems == []
    assert cards[0].question == "What is a logit?"
    assert cards[0].answer == "An unnormalized log-probability."


def test_several_qa_pairs_in_one_paragraph():
    cards, _ = parse("Q: one?\nA: 1\nQ: two?\nA: 2\n")
    assert [(c.question, c.answer, c.line) for c in cards] == [("one?", "1", 1), ("two?", "2", 3)]


def test_bullets_after_a_blank_line_are_not_the_answer():
    text = "Q: What comes next?\n- the answer\n\n- an unrelated bullet\n- Q: Is this its own card?\n  A: yes\n"
    cards, problems = parse(text)
    assert problems == []
    assert by_question(cards)["What comes next?"].answer == "- the answer"
    assert by_question(cards)["Is this its own card?"].answer == "yes"


def test_one_line_cards_on_consecutive_lines():
    cards, _ = parse("What is 2+2? :: 4\nWhat is 3+3? :: 6\n")
    assert [(c.question, c.answer) for c in cards] == [("What is 2+2?", "4"), ("What is 3+3?", "6")]
    assert [c.line for c in cards] == [1, 2]


def test_cloze_in_a_list_item():
    cards, _ = parse("- Cross-entropy is the ==negative log-likelihood== of the true class.\n")
    assert cards[0].kind == "cloze"
    assert cards[0].question == f"Cross-entropy is the {CLOZE_BLANK} of the true class."


# ---------------------------------------------------------------------- code is never a card


def test_code_spans_and_fences_are_never_cards():
    cards, problems = parse_file("code.md")
    assert cards == []
    assert problems == []


@pytest.mark.parametrize(
    "text",
    [
        "Slicing: `x[::2]` keeps every other element.",
        "C++ has `std::vector`.",
        "```\nQ: in a fence\nA: still code\n```",
        "Use ``a :: b`` in Haskell.",
        "Every other: x[::2] and std::vector, written without spaces.",
        "A comparison a == b and c == d.",
        "Math $x :: y$ and $$a == b$$.",
    ],
)
def test_separators_in_code_or_without_spaces_are_not_cards(text):
    assert parse(text) == ([], [])


def test_mask_code_keeps_length_and_lines():
    text = "a `b :: c` $d$ \\== e\n``x ` y``"
    masked = mask_code(text)
    assert len(masked) == len(text)
    assert masked.count("\n") == 1
    assert "::" not in masked and "==" not in masked and "`" not in masked


# ---------------------------------------------------------------------- ids and tags


def test_ids_survive_answer_edits_and_formatting_changes():
    a = parse("Q: Why shift by the max?\nA: overflow\n")[0][0]
    b = parse("Q: Why shift by the max?\nA: It prevents overflow, entirely rewritten.\n")[0][0]
    c = parse("Q:   why  *shift* by the **MAX**?\nA: x\n")[0][0]
    assert a.id == b.id == c.id == card_id("lesson7", "Why shift by the max?")
    d = parse("Q: Why shift by the maximum?\nA: overflow\n")[0][0]
    assert d.id != a.id
    other_lesson = parse("Q: Why shift by the max?\nA: overflow\n", lesson="lesson3")[0][0]
    assert other_lesson.id != a.id
    assert normalize_question("A  **bold**\n_word_ log_softmax") == "a bold word log_softmax"


def test_explicit_id_keeps_history_when_question_is_reworded():
    a = parse("<!-- id: shift-why -->\nQ: Why shift?\nA: x\n")[0][0]
    b = parse("<!-- id: shift-why -->\nQ: Why do we shift logits by their max?\nA: x\n")[0][0]
    assert a.id == b.id == "shift-why"
    assert a.explicit_id


def test_inline_id_comment_in_the_card_text():
    cards, _ = parse("What is a tensor? :: An n-dimensional array. <!-- id: tensor-def -->\n")
    assert cards[0].id == "tensor-def"
    assert cards[0].answer == "An n-dimensional array."


def test_exercise_tags_section_subsection_and_card():
    text = (
        "## A\n<!-- exercises: ex_a -->\n\nQ: a1?\nA: x\n\n### A.1\n\nQ: a2?\nA: x\n\n"
        "<!-- exercises: ex_c, lesson7.ex_d -->\nQ: a3?\nA: x\n\nQ: a4?\nA: x\n\n## B\n\nQ: b1?\nA: x\n"
    )
    cards, problems = parse(text)
    assert problems == []
    got = {c.question: c.exercises for c in cards}
    assert got == {"a1?": ["ex_a"], "a2?": ["ex_a"], "a3?": ["ex_a", "ex_c", "ex_d"], "a4?": ["ex_a"], "b1?": []}


def test_tag_above_a_list_reaches_its_first_card():
    cards, problems = parse("<!-- id: first-item -->\n- Q: in a list?\n  A: yes\n- Q: second?\n  A: yes\n")
    assert problems == []
    assert [c.id for c in cards][0] == "first-item"


def test_front_matter_and_crlf():
    text = "---\ntitle: x\nQ: not a card\n---\n\nQ: real?\r\nA: yes\r\n"
    cards, problems = parse(text)
    assert problems == []
    assert [(c.question, c.line) for c in cards] == [("real?", 6)]


def test_front_matter_closed_by_dots_and_a_rule_later_is_not_front_matter():
    cards, problems = parse("---\ntitle: x\nQ: not a card\n...\nQ: real?\nA: yes\n")
    assert problems == [] and [(c.question, c.line) for c in cards] == [("real?", 5)]
    cards, _ = parse("intro\n\n---\nQ: after a rule?\nA: yes\n\n---\n")  # only the first line opens it
    assert [c.question for c in cards] == ["after a rule?"]
    cards, _ = parse("---\nQ: unclosed, so not front matter?\nA: yes\n")
    assert [c.question for c in cards] == ["unclosed, so not front matter?"]


def test_dollars_around_money_are_not_math():
    cards, _ = parse("What costs $5? :: a coffee, not $10\n")
    assert [(c.question, c.answer) for c in cards] == [("What costs $5?", "a coffee, not $10")]
    assert mask_code("$x :: y$ and $$a == b$$ but $5 :: $10") == "\x00" * 8 + " and " + "\x00" * 10 + " but $5 :: $10"
    assert mask_code("$x$ costs 2$y$3 or 4") == "\x00" * 3 + " costs 2$y$3 or 4"  # a digit on either side: not math


# ---------------------------------------------------------------------- notes in the seeds' styles


def test_seed_style_key_points():
    cards, problems = parse_file("seed_key_points.md")
    assert problems == []
    qs = by_question(cards)
    assert len(cards) == 4
    assert cards[0].kind == "cloze" and "indexing" in cards[0].answer
    assert qs["What does momentum do to the update?"].answer.startswith("It keeps a running average")
    assert qs["What does ReLU do to a negative input?"].answer.startswith("It returns zero")
    assert qs["What is the default ==beta2== value in Adam?"].answer == "0.999"
    assert all(c.heading_path == ("Key Points",) for c in cards)


def test_seed_style_week_outline():
    cards, problems = parse_file("seed_week_outline.md")
    qs = by_question(cards)
    assert len(cards) == 8
    assert qs["Why does a stack of linear layers need a nonlinearity?"].answer.startswith("- without one")
    # "Q: question?" with the answer on the next line and no A:
    assert qs["How does gradient descent update the parameters?"].answer.startswith("theta <- theta")
    # A Q: written as a lazy continuation of a bullet takes the bullets below as its answer.
    assert qs["What is a safe first choice of optimizer?"].answer.splitlines() == [
        "- Adam with a learning rate between 1e-4 and 1e-3",
        "- SGD with momentum if Adam does not converge",
    ]
    assert qs["What happens to momentum's velocity when gradients keep the same sign?"].heading_path == (
        "Week 1",
        "Optimizers",
        "Momentum",
    )
    assert qs["what is weight decay?"].answer.startswith("shrinking every weight")
    assert qs["What are the properties of a sequence-to-sequence layer"].answer.startswith("- handles")
    assert qs["What is an RNN?"].heading_path == ("Week 6", "Self attention")
    # The one malformed card in that style (a Q: cut off by a heading) is reported with its line.
    assert [(p.line, p.message) for p in problems] == [(34, "a Q: with no answer")]


def test_seed_style_lecture_outline():
    cards, problems = parse_file("seed_lecture.md")
    assert problems == []
    assert [(c.kind, c.line) for c in cards] == [("qa", 10), ("cloze", 19)]
    assert cards[0].answer == "The negative log-likelihood loss."  # not the next bullet


def test_seed_style_questions_without_answers_are_prose():
    cards, problems = parse_file("seed_questions.md")
    assert cards == [] and problems == []


# ---------------------------------------------------------------------- malformed notes


def test_malformed_notes_report_file_and_line_and_still_load():
    cards, problems = parse_file("malformed.md")
    assert [c.question for c in cards] == [
        "Good one?",
        "Repeated question?",
        "repeated   *question*?",
        "Card with a bad id comment.",
        "The last good card?",
    ]
    assert cards[2].id == cards[1].id + "-2"
    got = {p.line: p.message for p in problems}
    assert got[3] == "a Q: with no answer"
    assert got[7] == "an empty cloze"
    assert got[9] == "a Q: with no question text"
    assert "'?'" in got[13]
    assert "no question before the '::'" in got[15]
    assert "not directly above a card" in got[17]
    assert "two cards share the id" in got[24]
    assert "invalid card id" in got[27]
    assert "reads as a heading" in got[31]
    assert all(p.file.endswith("malformed.md") and p.fix for p in problems)
    assert str(problems[0]).startswith(f"{NOTES / 'malformed.md'}:3: a Q: with no answer")


@pytest.mark.parametrize(
    ("text", "line", "needle"),
    [
        ("intro\n\nQ: unanswered\n", 3, "no answer"),
        ("x\n\nAn empty ==== cloze.\n", 3, "empty cloze"),
        ("question ::\n", 1, "no answer after"),
        ("Q: What?\n-\n", 1, "heading"),
        ("Q: empty?\nA:\n", 2, "empty answer"),
        ("Which?\n?\n", 2, "no answer"),
    ],
)
def test_each_malformed_form(text, line, needle):
    cards, problems = parse(text)
    assert cards == []
    assert len(problems) == 1
    assert problems[0].line == line and needle in problems[0].message


# ---------------------------------------------------------------------- a lesson in a course


@pytest.fixture()
def course(tmp_path, monkeypatch):
    from grader.course.curriculum import load

    root = tmp_path / "course"
    shutil.copytree(FIXTURES / "study_course", root)
    monkeypatch.delenv("DLGRADE_COURSE", raising=False)
    return load(root)


def test_cards_for_lesson_match_exercises_by_heading_and_tag(course):
    from grader.course.notes import cards_for_lesson

    lesson = course.lesson("lesson1")
    cards = cards_for_lesson(course, lesson)
    assert len(cards) == 5
    # "## Softmax cross-entropy from logits" is the exercise's title: its cards belong to softmax_ce.
    assert [c.exercises for c in cards] == [["softmax_ce"]] * 3 + [["embedding"]] * 2
    assert cards_for_lesson(course, course.lesson("lesson2")) == []  # no notes file: no cards


def test_unknown_exercise_tag_is_reported(course):
    notes = course.notes_path(course.lesson("lesson1"))
    notes.write_text("## X\n<!-- exercises: no_such_exercise -->\n\nQ: q?\nA: a\n", encoding="utf-8")
    cards, problems = load_cards(course, course.lesson("lesson1"))
    assert len(cards) == 1
    assert len(problems) == 1 and problems[0].line == 4 and "no_such_exercise" in problems[0].message
    assert "softmax_ce" in problems[0].fix


def test_exercises_matched_by_heading_follow_the_curriculum_order_whatever_the_hash_seed(course):
    import os
    import subprocess
    import sys

    notes = course.notes_path(course.lesson("lesson1"))
    notes.write_text("## embedding and softmax_ce\n\nQ: both?\nA: yes\n", encoding="utf-8")
    code = (
        "import sys, pathlib; from grader.course.curriculum import load; from grader.course.notes import load_cards; "
        "c = load(pathlib.Path(sys.argv[1])); print(load_cards(c, c.lesson('lesson1'))[0][0].exercises)"
    )
    seen = set()
    for seed in ("0", "1", "2", "3", "4"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        env.pop("DLGRADE_COURSE", None)
        out = subprocess.run(
            [sys.executable, "-c", code, str(course.root)], env=env, capture_output=True, text=True, check=True
        )
        seen.add(out.stdout.strip())
    assert seen == {"['softmax_ce', 'embedding']"}  # as in curriculum.yaml
