"""grader/quiz.py and ``dlgrade quiz``: validation, grading, answers files, reports, interactive runs."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import sqlite3
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from grader.course.quiz import load_quiz_file
from grader.errors import CourseError, UsageError
from grader.reports.emit import render as render_report
from grader.study.answers import AnswerError, answers_template, is_correct, load_answers, parse_answer
from grader.study.quiz import grade, run_interactive, shuffle

FIXTURES = Path(__file__).parents[1] / "fixtures"
QUIZ = FIXTURES / "quiz"


@pytest.fixture()
def quiz():
    return load_quiz_file(QUIZ / "valid.yaml", "lesson1")


def q(quiz, qid):
    found = quiz.question(qid)
    assert found is not None
    return found


# ---------------------------------------------------------------------- loading and validation


def test_valid_quiz_loads_every_type(quiz):
    assert [x.type for x in quiz.questions] == ["single", "multiple", "true_false", "numeric", "numeric", "text"]
    assert quiz.title == "Every question type"
    assert quiz.max_score == 1 + 2 + 1 + 1.5 + 1 + 1
    assert q(quiz, "num_q").tolerance.rtol == 0.01 and q(quiz, "num_q").tolerance.atol == 0.0


@pytest.mark.parametrize(
    ("name", "place", "message", "fix"),
    [
        ("bad_index.yaml", "questions[0].answer (line 7)", "3 is not an index of choices", "counted from 0"),
        ("bad_type.yaml", "questions[0].type (line 4)", "unknown question type 'truefalse'", "true_false"),
        ("unknown_key.yaml", "questions[1].tolerence (line 12)", "unknown key 'tolerence'", "tolerance"),
        ("duplicate_id.yaml", "questions[1] (line 8)", "duplicate question id 'q1'", "its own id"),
        ("bad_regex.yaml", "questions[0].accept[1] (line 6)", "not a valid regular expression", "escape"),
        ("several_errors.yaml", "questions[0].answer[1] (line 7)", "listed twice (and 2 more problems)", "once"),
        ("newer_version.yaml", "format_version", "newer than this dlgrade", "upgrade"),
        ("broken_yaml.yaml", "line 5, column 1", "invalid YAML", "YAML syntax"),
    ],
)
def test_invalid_quizzes_name_file_place_and_fix(name, place, message, fix):
    with pytest.raises(CourseError) as exc:
        load_quiz_file(QUIZ / name, "lesson1")
    err = exc.value
    assert err.file == str(QUIZ / name)
    assert err.place == place
    assert message in err.message
    assert err.fix and fix in err.fix
    assert err.exit_code == 2


@pytest.mark.parametrize(
    ("yaml_text", "needle"),
    [
        ("format_version: 1\nquestions:\n  - {id: a, prompt: p, answer: true, explanation: e}\n", "no `type:`"),
        ("format_version: 1\nquestions:\n  - {id: a, type: numeric, prompt: p, answer: 1}\n", "'explanation'"),
        ("format_version: 1\nquestions: []\n", "at least 1"),
        ("- just\n- a list\n", "mapping"),
        (
            "format_version: 1\nquestions:\n  - {id: a b, type: true_false, prompt: p, answer: true, explanation: e}\n",
            "letters, digits",
        ),
        (
            "format_version: 1\nquestions:\n  - {id: a, type: single, prompt: p, choices: [x], answer: 0,"
            " explanation: e}\n",
            "at least 2",
        ),
        (
            "format_version: 1\nquestions:\n  - {id: a, type: numeric, prompt: p, answer: true, explanation: e}\n",
            "number",
        ),
    ],
)
def test_more_invalid_quizzes(tmp_path, yaml_text, needle):
    path = tmp_path / "quiz.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(CourseError) as exc:
        load_quiz_file(path, "lesson1")
    assert needle in exc.value.message


def test_missing_quiz_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="no quiz yet"):
        load_quiz_file(tmp_path / "quiz.yaml", "lesson4")


# ---------------------------------------------------------------------- grading


@pytest.mark.parametrize(
    ("qid", "value", "ok"),
    [
        ("single_q", 1, True),
        ("single_q", 0, False),
        ("single_q", "cross-entropy", True),  # a choice's text works too
        ("multi_q", [3, 0, 1], True),
        ("multi_q", [0, 1], False),
        ("multi_q", [0, 1, 2, 3], False),
        ("tf_q", False, True),
        ("tf_q", "no", True),
        ("tf_q", True, False),
        ("num_q", 1.39, True),  # within rtol 1%
        ("num_q", "1.3863", True),
        ("num_q", 1.42, False),
        ("num_abs", 0.0009, True),
        ("num_abs", -0.002, False),
        ("num_abs", "1/2000", True),
        ("text_q", "Cross-Entropy", True),
        ("text_q", "  negative   log likelihood ", True),
        ("text_q", "NLL", True),
        ("text_q", "cross entropy loss", False),  # full match only
        ("text_q", "mse", False),
        ("text_q", None, False),
    ],
)
def test_each_type_grades(quiz, qid, value, ok):
    question = q(quiz, qid)
    assert is_correct(question, parse_answer(question, value)) is ok


@pytest.mark.parametrize(
    ("qid", "value"),
    [
        ("single_q", 4),
        ("single_q", True),
        ("single_q", "nine"),
        ("multi_q", [0, 9]),
        ("tf_q", "maybe"),
        ("num_q", "lots"),
        ("num_q", True),
        ("text_q", ["a"]),
    ],
)
def test_malformed_answers_are_refused(quiz, qid, value):
    with pytest.raises(AnswerError):
        parse_answer(q(quiz, qid), value)


def test_one_based_input_for_the_terminal(quiz):
    assert parse_answer(q(quiz, "single_q"), "2", one_based=True) == 1
    assert parse_answer(q(quiz, "multi_q"), "1, 2 4", one_based=True) == frozenset({0, 1, 3})
    with pytest.raises(AnswerError):
        parse_answer(q(quiz, "single_q"), "0", one_based=True)
    assert parse_answer(q(quiz, "text_q"), "   ") is None


def test_score_points_and_unanswered(quiz):
    answers = {"single_q": 1, "multi_q": frozenset({0, 1, 3}), "num_q": 1.0}
    result = grade(quiz, answers)
    assert result.score == 1 + 2
    assert result.max_score == 7.5
    assert not result.passed
    view = result.view()
    assert view["n_correct"] == 2 and view["n_unanswered"] == 3 and view["n_wrong"] == 1
    full = grade(
        quiz,
        {
            "single_q": 1,
            "multi_q": frozenset({0, 1, 3}),
            "tf_q": False,
            "num_q": 1.3863,
            "num_abs": 0.0,
            "text_q": "nll",
        },
    )
    assert full.passed and full.score == full.max_score


# ---------------------------------------------------------------------- answers files and the template


@pytest.fixture()
def course_root(tmp_path, monkeypatch):
    root = tmp_path / "course"
    shutil.copytree(FIXTURES / "study_course", root)
    monkeypatch.chdir(root)
    for var in ("DLGRADE_COURSE", "GITHUB_STEP_SUMMARY"):
        monkeypatch.delenv(var, raising=False)
    return root


@pytest.fixture()
def course_quiz(course_root):
    from grader.course.curriculum import load
    from grader.course.quiz import load_quiz

    course = load(course_root)
    return load_quiz(course, course.lesson("lesson1"))


def test_answers_file_is_read(course_quiz):
    answers, seed = load_answers(QUIZ / "answers_all_right.yaml", course_quiz)
    assert seed == 7
    assert answers["stable_parts"] == frozenset({0, 1, 3})
    assert grade(course_quiz, answers).passed


@pytest.mark.parametrize(
    ("text", "place", "needle"),
    [
        (
            "quiz: lesson1\nanswers:\n  max_shift: 1\n  stable_part: [0]\n",
            "answers.stable_part (line 4)",
            "no question 'stable_part'",
        ),
        ("quiz: lesson2\nanswers: {}\n", "quiz (line 1)", "not lesson1"),
        ("quiz: lesson1\nanswers:\n  stable_parts: [0, 7]\n", "answers.stable_parts (line 3)", "7 is not a choice"),
        ("quiz: lesson1\nanwsers: {}\n", "anwsers (line 2)", "unknown key"),
        ("quiz: lesson1\nseed: abc\n", "seed (line 2)", "whole number"),
        ("quiz: lesson1\nanswers: [1, 2]\n", "answers (line 2)", "mapping"),
        ("quiz: [\n", "line 2, column 1", "invalid YAML"),
    ],
)
def test_bad_answers_files(tmp_path, course_quiz, text, place, needle):
    path = tmp_path / "answers.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UsageError) as exc:
        load_answers(path, course_quiz)
    assert exc.value.file == str(path)
    assert exc.value.place == place
    assert needle in exc.value.message


def test_template_lists_every_question_and_no_answer(course_quiz, tmp_path):
    import yaml

    text = answers_template(course_quiz)
    data = yaml.safe_load(text)
    assert data == {"quiz": "lesson1", "answers": {x.id: None for x in course_quiz.questions}}
    assert "It prevents overflow" in text  # the choices, to answer by index
    assert "cannot overflow" not in text and "cross[- ]?entropy" not in text  # no explanation, no pattern
    # Filled with the key, the template scores full marks.
    filled = text
    for x in course_quiz.questions:
        value = {
            "max_shift": "1",
            "stable_parts": "[0, 1, 3]",
            "softmax_sums": "true",
            "ce_uniform": "1.3863",
            "loss_name": "cross entropy",
        }[x.id]
        filled = filled.replace(f"  {x.id}: null", f"  {x.id}: {value}")
    path = tmp_path / "a.yaml"
    path.write_text(filled, encoding="utf-8")
    answers, _ = load_answers(path, course_quiz)
    assert grade(course_quiz, answers).passed


# ---------------------------------------------------------------------- reports


def test_reports_in_every_format(course_quiz):
    answers, _ = load_answers(QUIZ / "answers_some_wrong.yaml", course_quiz)
    result = grade(course_quiz, answers, seed=5)
    text = render_report(result, "text")
    assert "1 of 5 correct" in text and "(1 not answered)" in text and "seed 5" in text
    assert "the answer:  It prevents overflow" in text
    data = json.loads(render_report(result, "json"))
    assert data["score"] == 1 and data["max_score"] == 6 and data["seed"] == 5
    assert [x["correct"] for x in data["questions"]] == [False, False, True, False, False]
    assert data["questions"][1]["given_value"] == [0, 1]
    root = ET.fromstring(render_report(result, "junit"))
    cases = root.findall(".//testcase")
    assert len(cases) == 5 and len(root.findall(".//failure")) == 4
    assert root.find(".//failure").get("type") == "wrong_answer"
    md = render_report(result, "markdown")
    assert "| `max_shift`" in md and "❌ wrong" in md and "➖ not answered" in md
    page = render_report(result, "html")
    assert page.startswith("<!doctype html>") and "http:" not in page and "https:" not in page


def test_junit_escapes_markup(tmp_path):
    path = tmp_path / "quiz.yaml"
    path.write_text(
        "format_version: 1\nquestions:\n  - {id: a, type: text, prompt: 'Is <b> & \"x\" ok?', "
        "accept: ['yes'], explanation: '<i>see</i> & more'}\n",
        encoding="utf-8",
    )
    quiz = load_quiz_file(path, "lesson1")
    out = render_report(grade(quiz, {"a": '<no> & "no"'}), "junit")
    root = ET.fromstring(out)  # well-formed despite < & " everywhere
    assert "<b>" in root.find(".//failure").text


# ---------------------------------------------------------------------- interactive


def test_shuffle_is_reproducible_from_the_seed(quiz):
    a, b = shuffle(quiz, 123), shuffle(quiz, 123)
    assert a == b
    assert any(shuffle(quiz, s).order != a.order for s in range(1, 20))
    assert all(shuffle(quiz, s).choice_order["single_q"] == [0, 1, 2, 3] for s in range(10))  # shuffle: false


def test_run_interactive_maps_shown_numbers_back(quiz):
    from rich.console import Console

    seed = 99
    plan = shuffle(quiz, seed)
    right = {"single_q": None, "multi_q": None, "tf_q": "f", "num_q": "1.386", "num_abs": "0", "text_q": "nll"}
    replies = []
    for qi in plan.order:
        x = quiz.questions[qi]
        if x.id == "single_q":
            replies += ["9", str(plan.choice_order[x.id].index(x.answer) + 1)]  # 9 is refused, asked again
        elif x.id == "multi_q":
            replies.append(",".join(str(plan.choice_order[x.id].index(i) + 1) for i in x.answer))
        elif x.id == "text_q":
            replies.append("")  # skipped
        else:
            replies.append(right[x.id])
    it = iter(replies)
    out = Console(record=True, width=120)
    result, answers = run_interactive(quiz, out, seed=seed, ask=lambda prompt: next(it))
    text = out.export_text()
    assert "seed 99" in text and "is not a choice number" in text and "skipped" in text
    assert "Cross-entropy is the negative log-likelihood" in text  # explanations are shown after answering
    assert answers["text_q"] is None
    assert result.score == quiz.max_score - 1
    assert result.seed == seed and result.mode == "interactive"


# ---------------------------------------------------------------------- the command


def run_cli(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    from grader.cli import main

    monkeypatch.setattr(sys, "argv", ["dlgrade", *args])
    with pytest.raises(SystemExit) as exc:
        main()
    out = capsys.readouterr()
    return int(exc.value.code or 0), out.out, out.err


def test_quiz_command_grades_answers_files_with_check_exit_codes(course_root, monkeypatch, capsys):
    code, out, _ = run_cli(monkeypatch, capsys, "quiz", "lesson1", "--answers", str(QUIZ / "answers_all_right.yaml"))
    assert code == 0 and "all 5 correct" in out and "score 6/6" in out

    code, out, _ = run_cli(
        monkeypatch, capsys, "quiz", "1", "--answers", str(QUIZ / "answers_some_wrong.yaml"), "--format", "json"
    )
    assert code == 1 and json.loads(out)["score"] == 1

    code, out, _ = run_cli(
        monkeypatch,
        capsys,
        "quiz",
        "1",
        "-a",
        str(QUIZ / "answers_some_wrong.yaml"),
        "-f",
        "junit",
        "-o",
        "reports/quiz.xml",
    )
    assert code == 1
    assert ET.parse(course_root / "reports" / "quiz.xml").getroot().get("failures") == "4"
    assert "1 of 5 correct" in out  # a text summary on screen, as check does

    code, _, err = run_cli(monkeypatch, capsys, "quiz", "1", "--answers", str(QUIZ / "answers_bad.yaml"))
    assert code == 2 and "answers.stable_parts (line 4)" in err and "fix:" in err
    code, _, err = run_cli(monkeypatch, capsys, "quiz", "1", "--answers", "nope.yaml")
    assert code == 2 and "does not exist" in err
    code, _, err = run_cli(monkeypatch, capsys, "quiz", "lesson2", "--template")
    assert code == 2 and "lesson2 has no quiz yet" in err

    # Every graded run lands in the progress record that `dlgrade list` shows.
    db = course_root / "exercises" / ".dlgrade" / "progress.sqlite"
    rows = sqlite3.connect(db).execute("SELECT lesson, score, max_score FROM quiz_attempts ORDER BY id").fetchall()
    assert rows == [("lesson1", 6.0, 6.0), ("lesson1", 1.0, 6.0), ("lesson1", 1.0, 6.0)]
    log = [json.loads(line) for line in (db.parent / "quiz_log.jsonl").read_text().splitlines()]
    assert log[0]["seed"] == 7 and log[0]["answers"]["stable_parts"] == [0, 1, 3]
    code, out, _ = run_cli(monkeypatch, capsys, "list")
    assert code == 0 and "quiz 6/6" in out


def test_quiz_command_template(course_root, monkeypatch, capsys):
    code, out, _ = run_cli(monkeypatch, capsys, "quiz", "lesson1", "--template")
    assert code == 0 and "max_shift: null" in out
    code, out, _ = run_cli(monkeypatch, capsys, "quiz", "lesson1", "--template", "-o", "answers.yaml")
    assert code == 0 and (course_root / "answers.yaml").read_text(encoding="utf-8").count(": null") == 5
    code, _, err = run_cli(monkeypatch, capsys, "quiz", "lesson1", "--template", "--answers", "answers.yaml")
    assert code == 2 and "cannot be used together" in err


def test_quiz_in_a_terminal(course_root):
    import pexpect

    from grader.course.curriculum import load
    from grader.course.quiz import load_quiz

    course = load(course_root)
    quiz = load_quiz(course, course.lesson("lesson1"))
    seed = 2024
    plan = shuffle(quiz, seed)
    env = {k: v for k, v in os.environ.items() if not k.startswith("DLGRADE_")}
    env.update(NO_COLOR="1", TERM="dumb", COLUMNS="120", PYTHONIOENCODING="utf-8")
    child = pexpect.spawn(
        sys.executable,
        ["-m", "grader", "quiz", "lesson1", "--seed", str(seed)],
        cwd=str(course_root),
        env=env,
        encoding="utf-8",
        timeout=60,
        dimensions=(40, 120),
    )
    child.expect("seed 2024")
    for n, qi in enumerate(plan.order, 1):
        x = quiz.questions[qi]
        child.expect(f"{n}\\. ")
        child.expect(" > ")
        if x.type == "single":
            child.sendline(str(plan.choice_order[x.id].index(x.answer) + 1))
        elif x.type == "multiple":
            child.sendline(" ".join(str(plan.choice_order[x.id].index(i) + 1) for i in x.answer))
        else:
            child.sendline({"true_false": "t", "numeric": "1.386", "text": "cross entropy"}[x.type])
        child.expect("correct")
    child.expect("5 of 5 correct")
    child.expect("score 6/6")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    db = course_root / "exercises" / ".dlgrade" / "progress.sqlite"
    assert sqlite3.connect(db).execute("SELECT score FROM quiz_attempts").fetchall() == [(6.0,)]


# ---------------------------------------------------------------------- a quiz left before its end


def spawn_quiz(root: Path, *args: str):
    import pexpect

    env = {k: v for k, v in os.environ.items() if not k.startswith("DLGRADE_")}
    env.update(NO_COLOR="1", TERM="dumb", COLUMNS="120", PYTHONIOENCODING="utf-8")
    return pexpect.spawn(
        sys.executable,
        ["-m", "grader", "quiz", "lesson1", *args],
        cwd=str(root),
        env=env,
        encoding="utf-8",
        timeout=60,
        dimensions=(40, 120),
    )


def right_reply(x, plan) -> str:
    if x.type == "single":
        return str(plan.choice_order[x.id].index(x.answer) + 1)
    if x.type == "multiple":
        return " ".join(str(plan.choice_order[x.id].index(i) + 1) for i in x.answer)
    return {"true_false": "t", "numeric": "1.386", "text": "cross entropy"}[x.type]


def test_ctrl_c_keeps_the_answers_and_the_next_run_resumes(course_root, course_quiz):
    import pexpect

    seed = 77
    plan = shuffle(course_quiz, seed)
    asked = [course_quiz.questions[qi] for qi in plan.order]
    state = course_root / "exercises" / ".dlgrade" / "quiz-lesson1.json"

    child = spawn_quiz(course_root, "--seed", str(seed))
    child.expect("seed 77")
    for n, x in enumerate(asked[:2], 1):
        child.expect(f"{n}\\. ")
        child.expect(" > ")
        child.sendline(right_reply(x, plan))
        child.expect("correct")
    child.expect("3\\. ")
    child.expect(" > ")
    child.sendintr()
    child.expect("quiz stopped; 2 answers saved")
    child.expect("dlgrade quiz lesson1")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    saved = json.loads(state.read_text(encoding="utf-8"))
    assert saved["seed"] == seed and list(saved["answers"]) == [x.id for x in asked[:2]]
    assert not (course_root / "exercises" / ".dlgrade" / "progress.sqlite").exists()  # nothing graded yet

    # The next run offers to resume; yes (Enter) goes on with question 3 in the same order.
    child = spawn_quiz(course_root)
    child.expect("2 of 5 questions answered in an unfinished try \\(seed 77\\)")
    child.expect("Resume\\?")
    child.sendline("")
    child.expect("resuming with 2 answered")
    for n, x in enumerate(asked[2:], 3):
        child.expect(f"{n}\\. ")
        child.expect(" > ")
        child.sendline(right_reply(x, plan))
        child.expect("correct")
    child.expect("5 of 5 correct")
    child.expect("seed 77")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert not state.exists()  # a finished quiz leaves no saved state
    db = course_root / "exercises" / ".dlgrade" / "progress.sqlite"
    assert sqlite3.connect(db).execute("SELECT score FROM quiz_attempts").fetchall() == [(6.0,)]
    log = [json.loads(line) for line in (db.parent / "quiz_log.jsonl").read_text().splitlines()]
    assert log[-1]["seed"] == seed and len(log[-1]["answers"]) == 5

    # Stopped again after one answer; --restart starts over with question 1 and forgets the saved answer.
    child = spawn_quiz(course_root, "--seed", str(seed))
    child.expect("1\\. ")
    child.expect(" > ")
    child.sendline(right_reply(asked[0], plan))
    child.expect("2\\. ")
    child.expect(" > ")
    child.sendintr()
    child.expect("1 answer saved")
    child.expect(pexpect.EOF)
    child.close()
    assert state.exists()
    child = spawn_quiz(course_root, "--restart", "--seed", str(seed))
    child.expect("starting over")
    child.expect("1\\. ")
    child.expect(" > ")
    child.sendintr()
    child.expect("quiz stopped; nothing saved")
    child.expect(pexpect.EOF)
    child.close()
    assert not state.exists()

    # Declining the offer starts over as well.
    child = spawn_quiz(course_root, "--seed", str(seed))
    child.expect("1\\. ")
    child.expect(" > ")
    child.sendline(right_reply(asked[0], plan))
    child.expect("2\\. ")
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    child = spawn_quiz(course_root, "--seed", str(seed))
    child.expect("Resume\\?")
    child.sendline("n")
    child.expect("seed 77; Enter skips")  # not "resuming"
    child.expect("1\\. ")
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert not state.exists()


def test_saved_answers_live_in_the_user_data_dir_for_a_read_only_workspace(course_root, course_quiz, monkeypatch):
    from rich.console import Console

    from grader.course import paths
    from grader.study import quiz as qz

    monkeypatch.setenv("DLGRADE_DATA_DIR", str(course_root / "data"))
    monkeypatch.setattr(paths, "_writable", lambda _ws: False)
    ws = course_root / "exercises"
    plan = shuffle(course_quiz, 5)
    first = course_quiz.questions[plan.order[0]]
    replies = iter([right_reply(first, plan)])

    def ask(prompt: str) -> str:
        try:
            return next(replies)
        except StopIteration:
            raise KeyboardInterrupt from None

    out = Console(record=True, width=120)
    with pytest.raises(KeyboardInterrupt):
        qz.run_interactive(
            course_quiz, out, seed=5, ask=ask, on_answer=lambda a: qz.save_progress(course_quiz, ws, 5, a)
        )
    assert not (ws / ".dlgrade").exists()
    saved = qz.load_progress(course_quiz, ws)
    assert saved is not None and saved.seed == 5 and saved.path.is_relative_to(course_root / "data")
    assert list(saved.answers) == [first.id] and is_correct(first, saved.answers[first.id])  # as graded

    # Resumed: only the four other questions are asked, in the same order.
    rest = [course_quiz.questions[qi] for qi in plan.order[1:]]
    replies = iter([right_reply(x, plan) for x in rest])
    result, given = qz.run_interactive(course_quiz, out, seed=5, ask=lambda p: next(replies), answers=saved.answers)
    assert result.passed and list(given) == [first.id] + [x.id for x in rest]
    qz.clear_progress(course_quiz, ws)
    assert qz.load_progress(course_quiz, ws) is None


def test_a_saved_quiz_that_no_longer_fits_is_refused(course_root, course_quiz):
    from grader.study import quiz as qz

    ws = course_root / "exercises"
    path = qz.save_progress(course_quiz, ws, 3, {"max_shift": 1})
    assert path == ws / ".dlgrade" / "quiz-lesson1.json"
    assert qz.load_progress(course_quiz, ws).answers == {"max_shift": 1}  # type: ignore[union-attr]
    changed = dataclasses.replace(course_quiz, questions=course_quiz.questions[1:])
    with pytest.raises(qz.StaleProgress, match="has changed since"):
        qz.load_progress(changed, ws)
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(qz.StaleProgress, match="cannot be read"):
        qz.load_progress(course_quiz, ws)


def test_restart_only_applies_to_the_terminal(course_root, monkeypatch, capsys):
    code, _, err = run_cli(monkeypatch, capsys, "quiz", "1", "--restart", "--template")
    assert code == 2 and "--restart is for a quiz taken in the terminal" in err


def test_without_a_terminal_a_saved_quiz_is_resumed_and_said_so(course_root, course_quiz):
    import subprocess

    from grader.study import quiz as qz

    ws = course_root / "exercises"
    plan = shuffle(course_quiz, 11)
    asked = [course_quiz.questions[qi] for qi in plan.order]
    first = asked[0]
    qz.save_progress(course_quiz, ws, 11, {first.id: qz.parse_answer(first, right_reply(first, plan), one_based=True)})
    env = {k: v for k, v in os.environ.items() if not k.startswith("DLGRADE_")}
    env.update(NO_COLOR="1", COLUMNS="120", PYTHONIOENCODING="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "grader", "quiz", "lesson1"],
        cwd=str(course_root),
        env=env,
        input="".join(right_reply(x, plan) + "\n" for x in asked[1:]),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 of 5 questions answered in an unfinished try (seed 11): resuming (--restart starts over)" in proc.stdout
    assert "5 of 5 correct" in proc.stdout
    assert qz.load_progress(course_quiz, ws) is None
