"""The batch-grading benchmark runs end to end (a smoke run with a small N; figures go in notes)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow


def test_benchmark_smoke() -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "benchmarks/grade_speed.py",
            "--n",
            "3",
            "--jobs",
            "2",
            "--lesson",
            "lesson7.softmax_ce",
            "--sandbox",
            "portable",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "ratio:" in proc.stdout and "scores agree:                True" in proc.stdout
