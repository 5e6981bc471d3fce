"""The layout of ``dlgrade list``: columns that line up, long titles cut to the terminal, markup kept literal."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from grader.progress.listing import aligned, status_cell

ROWS = [
    [[("lesson1", "bold")], [("Tensors [and] broadcasting, a long lesson title", "bold")], [("", "")], []],
    [[("  lesson1.matmul", "")], [("Matrix multiplication", "")], status_cell(None), [("", "")]],
    [
        [("  lesson1.scaling", "")],
        [("Scaling", "")],
        status_cell({"passed": False, "attempts": 2, "last_status": "failed"}),
        [("3/10", "")],
    ],
]


def _plain(markup: str) -> list[str]:
    return Text.from_markup(markup).plain.splitlines()


def test_columns_line_up_and_nothing_is_cut_when_there_is_room() -> None:
    lines = _plain(aligned(["exercise", "title", "status", "best"], ROWS, width=10**6, shrink=1, right=3))
    assert lines[0].split() == ["exercise", "title", "status", "best"]
    assert "Tensors [and] broadcasting, a long lesson title" in lines[2]  # brackets stay text, not markup
    starts = {line.index(word) for line, word in zip(lines[3:], ["Matrix", "Scaling"])}
    assert starts == {lines[0].index("title")}
    assert lines[4].endswith("✘ failed (2 tries)  3/10")  # the points column is right-aligned


def test_a_narrow_terminal_cuts_the_title_column_only() -> None:
    lines = _plain(aligned(["exercise", "title", "status", "best"], ROWS, width=60, shrink=1, right=3))
    assert max(len(line) for line in lines) <= 60
    assert "…" in lines[2] and "lesson1" in lines[2]
    assert lines[4].endswith("3/10") and "lesson1.scaling" in lines[4]


def test_it_prints_as_markup_without_error() -> None:
    con = Console(width=70, record=True, color_system=None)
    con.print(aligned(["exercise", "title", "status", "best"], ROWS, width=70, shrink=1, right=3), soft_wrap=True)
    assert "not started" in con.export_text()
