"""Notebooks as exercise files: marked cells, the errors a learner can make with them, and ``init --notebooks``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from grader.course import notebooks
from grader.course.curriculum import Course, load
from grader.course.notebooks import (
    cell_module,
    find_notebooks,
    marked_cells,
    notebook_modules,
    parse_magic_line,
    split_notes,
    workspace_cells,
)
from grader.course.paths import MARKER
from grader.course.workspace import init_workspace, layout_of
from grader.errors import UsageError
from tests.conftest import make_course, run_cli
from tests.notebook.helpers import require

SOFTMAX = "lesson7.softmax_ce"
DECAY = "lesson7.weight_decay"


@pytest.fixture
def course_dir(tmp_path: Path) -> Path:
    return make_course(tmp_path / "course", [SOFTMAX, DECAY, "lesson3.linear_backward"])


@pytest.fixture
def course(course_dir: Path) -> Course:
    return load(course_dir)


def cell(source: str, kind: str = "code", metadata: dict[str, Any] | None = None) -> dict[str, Any]:
    c: dict[str, Any] = {"cell_type": kind, "metadata": metadata or {}, "source": source.splitlines(keepends=True)}
    if kind == "code":
        c.update(outputs=[], execution_count=None)
    return c


def notebook(path: Path, *cells: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"cells": list(cells), "metadata": {}, "nbformat": 4, "nbformat_minor": 4}))
    return path


# ---------------------------------------------------------------------- markers


def test_the_three_markers_and_unmarked_cells(tmp_path: Path) -> None:
    nb = notebook(
        tmp_path / "mine.ipynb",
        cell("# dlgrade: lesson7.softmax_ce\nimport torch\n"),
        cell("# dlgrade: lesson7.softmax_ce\nnot a marker\n", kind="markdown"),
        cell("print('scratch')\n"),
        cell("\n%%dlgrade lesson7.weight_decay --timeout 30\nx = 1\ny = 2\n"),
        cell("def f():\n    pass\n", metadata={"dlgrade": {"exercise": "lesson3.linear_backward"}}),
    )
    cells = marked_cells(nb)
    assert [(c.number, c.exercise) for c in cells] == [
        (1, SOFTMAX),
        (4, DECAY),
        (5, "lesson3.linear_backward"),
    ]
    # A magic line is not Python: it becomes the comment marker, and every line keeps its number in the cell.
    assert cells[1].code == "\n# dlgrade: lesson7.weight_decay\nx = 1\ny = 2\n"
    assert cells[2].code == "def f():\n    pass\n"
    assert cells[1].where == "mine.ipynb, cell 4"


def test_the_first_line_wins_over_metadata(tmp_path: Path) -> None:
    nb = notebook(
        tmp_path / "a.ipynb", cell("# dlgrade: lesson7.weight_decay\n", metadata={"dlgrade": {"exercise": SOFTMAX}})
    )
    assert [c.exercise for c in marked_cells(nb)] == [DECAY]


def test_the_magic_and_a_saved_magic_cell_make_the_same_module(tmp_path: Path) -> None:
    body = "import torch\n\ndef log_softmax(x, dim=-1):\n    return x\n"
    nb = notebook(tmp_path / "a.ipynb", cell(f"%%dlgrade {SOFTMAX}\n" + body))
    assert marked_cells(nb)[0].code == cell_module(SOFTMAX, body)


def test_parse_magic_line() -> None:
    m = parse_magic_line("lesson7.softmax_ce --course /c --workspace 'my work' --timeout 20 --device auto")
    assert (m.exercise, m.course, m.workspace, m.timeout_s, m.device) == (
        SOFTMAX,
        Path("/c"),
        Path("my work"),
        20.0,
        "auto",
    )
    assert parse_magic_line(SOFTMAX).device == "cpu"
    for bad, words in (
        ("", "needs the exercise"),
        (f"{SOFTMAX} --bogus", "unrecognized"),
        (f"{SOFTMAX} --timeout 0", "positive"),
    ):
        with pytest.raises(UsageError, match=words) as exc:
            parse_magic_line(bad)
        assert exc.value.fix and "%%dlgrade lesson7.softmax_ce" in exc.value.fix


# ---------------------------------------------------------------------- a workspace's notebooks


def test_cells_become_modules_and_take_the_place_of_files(course: Course, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    (ws / "lesson7").mkdir(parents=True)
    (ws / "lesson7" / "softmax_ce.py").write_text("# my file\n")
    notebook(ws / "lesson7.ipynb", cell("# dlgrade: lesson7.softmax_ce\nfrom_the_cell = 1\n"))
    _, refs = course.select("lesson7")
    mods = notebook_modules(course, refs, ws)
    assert mods == {"lesson7/softmax_ce.py": "# dlgrade: lesson7.softmax_ce\nfrom_the_cell = 1\n"}
    # Code handed over directly (the magic) wins over the notebook; then the notebook is not even read.
    (ws / "lesson7.ipynb").write_text("{ broken")
    assert notebook_modules(course, refs[:1], ws, {SOFTMAX: "live = 1\n"}) == {"lesson7/softmax_ce.py": "live = 1\n"}


def test_workspaces_without_marked_cells_grade_as_before(course: Course, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    (ws / "lesson7").mkdir(parents=True)
    (ws / "lesson7" / "softmax_ce.py").write_text("# my file\n")
    _, refs = course.select("lesson7")
    assert notebook_modules(course, refs, ws) == {}
    notebook(ws / "scratch.ipynb", cell("import torch\nprint(torch.ones(2))\n"), cell("# notes", kind="markdown"))
    notebook(ws / "lesson7" / "plots.ipynb", cell("x = 1\n"))
    assert notebook_modules(course, refs, ws) == {}
    assert notebook_modules(course, refs, course.exercises_dir) == {}


def test_notebooks_are_read_at_the_top_and_in_lesson_folders_only(course: Course, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    marked = cell("# dlgrade: lesson7.softmax_ce\n")
    top = notebook(ws / "lesson7.ipynb", marked)
    inner = notebook(ws / "lesson3" / "work.ipynb", cell("# dlgrade: lesson3.linear_backward\n"))
    notebook(ws / ".ipynb_checkpoints" / "lesson7-checkpoint.ipynb", marked)  # Jupyter's copy
    notebook(ws / "lesson7" / ".ipynb_checkpoints" / "x-checkpoint.ipynb", marked)
    notebook(ws / ".~lesson7.ipynb", marked)  # Jupyter's file while it saves
    notebook(ws / "elsewhere" / "old.ipynb", marked)
    outside = notebook(tmp_path / "outside.ipynb", marked)
    (ws / "link.ipynb").symlink_to(outside)
    assert find_notebooks(ws, ["lesson3", "lesson7"]) == [top, inner]
    assert sorted(workspace_cells(course, ws)) == ["lesson3.linear_backward", SOFTMAX]


def test_a_marker_for_no_exercise_is_a_clear_error(course: Course, tmp_path: Path) -> None:
    nb = notebook(
        tmp_path / "ws" / "lesson7.ipynb",
        cell("# text", kind="markdown"),
        cell("x = 1"),
        cell("# dlgrade: lesson7.sofmax_ce\n"),
    )
    with pytest.raises(UsageError) as exc:
        workspace_cells(course, tmp_path / "ws")
    err = exc.value
    assert err.file == str(nb) and err.place == "cell 3"
    assert "lesson7.sofmax_ce" in err.message and "not an exercise" in err.message
    assert err.fix and err.fix.startswith("did you mean lesson7.softmax_ce? correct the cell's first line")


def test_two_cells_for_one_exercise_is_a_clear_error(course: Course, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    nb = notebook(
        ws / "lesson7.ipynb", cell("# dlgrade: lesson7.softmax_ce\n"), cell("y = 2"), cell(f"%%dlgrade {SOFTMAX}\n")
    )
    with pytest.raises(UsageError) as exc:
        workspace_cells(course, ws)
    assert exc.value.file == str(nb) and exc.value.place == "cells 1 and 3"
    assert SOFTMAX in exc.value.message and exc.value.fix and "delete the other" in exc.value.fix
    # The same across notebooks: a copy of a lesson's notebook next to it.
    notebook(ws / "lesson7.ipynb", cell("# dlgrade: lesson7.softmax_ce\n"))
    notebook(ws / "lesson7" / "Copy of lesson7.ipynb", cell("x = 0"), cell("# dlgrade: lesson7.softmax_ce\n"))
    with pytest.raises(UsageError, match=r"this cell and Copy of lesson7.ipynb, cell 2 \(.*lesson7\) are both marked"):
        workspace_cells(course, ws)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('{"cells": [\n  {"cell_type": "code",,}, "# dlgrade: lesson7.softmax_ce"\n]}', "invalid JSON"),
        ('{"nbformat": 3, "worksheets": [{"cells": [{"input": "# dlgrade: lesson7.softmax_ce"}]}]}', "old format 3"),
        ('{"nbformat": 4, "metadata": {"dlgrade": {}}}', "no list of cells"),
        ('{"cells": [{"cell_type": "code", "source": 7, "metadata": {"dlgrade": {}}}]}', "neither text"),
    ],
)
def test_a_broken_notebook_is_a_clear_error(course: Course, tmp_path: Path, text: str, words: str) -> None:
    (tmp_path / "ws").mkdir()
    nb = tmp_path / "ws" / "lesson7.ipynb"
    nb.write_text(text)
    with pytest.raises(UsageError, match=words) as exc:
        workspace_cells(course, tmp_path / "ws")
    assert exc.value.file == str(nb) and exc.value.fix
    if "JSON" in words:
        assert exc.value.place == "line 2, column 24"


def test_notebooks_that_never_mention_dlgrade_are_not_read(
    course: Course, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(notebooks, "MAX_NOTEBOOK_BYTES", 4096)
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "broken.ipynb").write_text('{"cells": [')
    (ws / "huge.ipynb").write_bytes(b'{"cells": [], "x": "' + b"y" * (4096 + 10) + b'"}')
    assert workspace_cells(course, ws) == {}
    (ws / "huge.ipynb").write_bytes(b'{"cells": [], "x": "dlgrade' + b"y" * (4096 + 10) + b'"}')
    with pytest.raises(UsageError, match="more than dlgrade reads") as exc:
        workspace_cells(course, ws)
    assert exc.value.fix and "Clear Outputs" in exc.value.fix


def test_check_names_the_notebook_the_cell_and_the_fix(course_dir: Path, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    notebook(ws / "lesson7.ipynb", cell("# dlgrade: lesson7.softmax\n"))
    res = run_cli("check", "lesson7", "--course", str(course_dir), "--workspace", str(ws))
    assert res.code == 2, res.stdout + res.stderr
    assert "lesson7.ipynb: cell 1:" in res.stderr and "fix:" in res.stderr and "lesson7.softmax_ce" in res.stderr


def test_split_notes_keeps_every_line_and_code_fences_whole() -> None:
    text = "# Lesson\n\nintro\n\n## One\n\n```python\n# not a heading\n## nor this\n```\n\n### sub stays\n## Two\nend\n"
    parts = split_notes(text)
    assert [p.splitlines()[0] for p in parts] == ["# Lesson", "## One", "## Two"]
    assert "".join(parts).replace("\n", "") == text.replace("\n", "")


# ---------------------------------------------------------------------- init --notebooks


def _code_cells(path: Path) -> list[dict[str, Any]]:
    return [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]


def test_init_notebooks_writes_one_valid_notebook_per_lesson(course: Course, course_dir: Path, tmp_path: Path) -> None:
    nbformat = require("nbformat")
    res = run_cli("init", str(tmp_path / "work"), "--notebooks", "--course", str(course_dir))
    assert res.code == 0, res.stderr
    ws = tmp_path / "work"
    assert "2 notebooks" in res.stdout and "%load_ext dlgrade" in res.stdout
    assert sorted(p.name for p in ws.iterdir()) == [".dlgrade", "lesson3.ipynb", "lesson7.ipynb"]
    assert layout_of(ws) == "notebooks" and json.loads((ws / MARKER).read_text())["layout"] == "notebooks"
    for lesson in course.lessons:
        path = ws / f"{lesson.id}.ipynb"
        nbformat.validate(nbformat.read(path, as_version=4))
        data = json.loads(path.read_text())
        md = [("".join(c["source"])) for c in data["cells"] if c["cell_type"] == "markdown"]
        notes = course.notes_path(lesson).read_text()
        assert "".join(md).replace("\n", "").find(notes.replace("\n", "")) >= 0  # the whole notes, in order
        code = _code_cells(path)
        assert "".join(code[0]["source"]) == "%load_ext dlgrade"
        refs = course.exercises(lesson)
        assert len(code) == 1 + len(refs)
        for c, ref in zip(code[1:], refs):
            src = "".join(c["source"])
            assert c["metadata"] == {"dlgrade": {"exercise": ref.qualified_id}}
            assert src == f"%%dlgrade {ref.qualified_id}\n" + ref.stub_path.read_text()
        # Notes first, then the exercises.
        kinds = [c["cell_type"] for c in data["cells"]]
        first_exercise = next(i for i, c in enumerate(data["cells"]) if c["metadata"].get("dlgrade"))
        assert "code" not in kinds[2 : first_exercise - 1]
    assert sorted(workspace_cells(course, ws)) == sorted(r.qualified_id for r in course.all_exercises())


def test_init_again_adds_only_what_is_missing(course: Course, course_dir: Path, tmp_path: Path) -> None:
    ws = tmp_path / "work"
    init_workspace(course, ws, notebooks=True)
    l7, l3 = ws / "lesson7.ipynb", ws / "lesson3.ipynb"
    data = json.loads(l7.read_text())
    # The learner works in a cell, deletes another exercise's cell, and deletes lesson 3's notebook.
    mine = next(c for c in data["cells"] if c["metadata"].get("dlgrade", {}).get("exercise") == SOFTMAX)
    mine["source"] = [f"%%dlgrade {SOFTMAX}\n", "# my answer\n"]
    data["cells"] = [c for c in data["cells"] if c["metadata"].get("dlgrade", {}).get("exercise") != DECAY]
    l7.write_text(json.dumps(data, indent=1))
    before = json.loads(l7.read_text())["cells"]
    l3.unlink()
    res = run_cli("init", ".", cwd=ws)  # the course and the layout come from the workspace's marker
    assert res.code == 0, res.stderr
    assert "+ lesson3.ipynb" in res.stdout and f"+ {DECAY}" in res.stdout
    after = json.loads(l7.read_text())["cells"]
    assert after[: len(before)] == before  # every cell the learner had is as it was
    assert [c["metadata"].get("dlgrade") for c in after[len(before) :]] == [None, {"exercise": DECAY}]
    assert l3.is_file() and not list(ws.glob("lesson*/"))  # no .py files in a notebook workspace
    require("nbformat").validate(require("nbformat").read(l7, as_version=4))
    res = run_cli("init", ".", cwd=ws)
    assert res.code == 0 and "up to date" in res.stdout and "no notebook was missing" in res.stdout


def test_init_leaves_a_renamed_notebook_alone(course: Course, tmp_path: Path) -> None:
    ws = tmp_path / "work"
    init_workspace(course, ws, notebooks=True)
    (ws / "lesson7.ipynb").rename(ws / "my lesson 7.ipynb")
    report = init_workspace(course, ws)
    assert report.created == [] and report.cells == [] and not (ws / "lesson7.ipynb").exists()


def test_init_appends_to_an_old_format_notebook_without_cell_ids(course: Course, tmp_path: Path) -> None:
    nbformat = require("nbformat")
    ws = tmp_path / "work"
    init_workspace(course, ws, notebooks=True)
    notebook(ws / "lesson7.ipynb", cell("# dlgrade: lesson7.softmax_ce\n"))  # nbformat 4.4: cells have no ids
    report = init_workspace(course, ws)
    assert report.cells == [DECAY]
    nbformat.validate(nbformat.read(ws / "lesson7.ipynb", as_version=4))


def test_init_notebooks_refuses_a_workspace_of_files(course: Course, course_dir: Path, tmp_path: Path) -> None:
    ws = tmp_path / "work"
    init_workspace(course, ws)
    res = run_cli("init", str(ws), "--notebooks", "--course", str(course_dir))
    assert res.code == 2 and "workspace of .py files" in res.stderr and "--notebooks" in res.stderr
    assert not list(ws.glob("*.ipynb")) and layout_of(ws) == "files"
