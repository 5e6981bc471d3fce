"""The process behind ``%%dlgrade`` and the kernel-side pieces that need no kernel: errors, and the report's frame."""

from __future__ import annotations

import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

from grader.notebook.magic import _iframe
from tests.conftest import make_course


def test_a_wrong_exercise_is_a_usage_error_with_a_suggestion(tmp_path: Path) -> None:
    course = make_course(tmp_path / "course", ["lesson7.softmax_ce"])
    cell = tmp_path / "cell.py"
    cell.write_text("x = 1\n")
    proc = subprocess.run(
        [sys.executable, "-m", "grader.notebook.grade", "lesson7.softmx_ce", "--cell", str(cell)]
        + ["--out", str(tmp_path), "--course", str(course)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2, proc.stderr
    assert "no exercise 'softmx_ce'" in proc.stderr and "did you mean lesson7.softmax_ce" in proc.stderr
    assert not (tmp_path / "report.json").exists()


class _Frames(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.frames: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "iframe":
            self.frames.append(dict(attrs))


def test_the_report_page_travels_whole_inside_one_iframe() -> None:
    page = (
        '<!DOCTYPE html><html><body><p title="a &quot;b&quot;">x & y</p></iframe><script>1 < 2</script></body></html>'
    )
    p = _Frames()
    p.feed(_iframe(page))
    (frame,) = p.frames
    assert frame["srcdoc"] == page  # nothing of the page escapes into the notebook's own page
    assert frame["onload"] and "scrollHeight" in frame["onload"]
