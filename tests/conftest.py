"""Shared fixtures: a small copy of the built-in course, and a runner for the real CLI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

pytest_plugins = ["pytester"]

REPO = Path(__file__).resolve().parent.parent


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str

    @property
    def json(self) -> dict:
        return json.loads(self.stdout)


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 300) -> CliResult:
    full_env = dict(os.environ)
    full_env.update(env or {})
    full_env.pop("GITHUB_STEP_SUMMARY", None) if "GITHUB_STEP_SUMMARY" not in (env or {}) else None
    full_env["NO_COLOR"] = "1"
    full_env["COLUMNS"] = "200"
    proc = subprocess.run(
        [sys.executable, "-m", "grader", *args],
        cwd=cwd or REPO,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


def process_tree(pid: int) -> set[int]:
    """Every process below ``pid`` now (children, their children...)."""
    from grader.engine.untrusted.reaper import children

    out, todo = set(), [pid]
    while todo:
        kids = children(todo.pop())
        out |= kids
        todo += list(kids)
    return out


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie does not)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.fixture
def cli():
    return run_cli


def make_course(dest: Path, exercises: list[str], *, timeout_s: float = 3, budget_s: float = 12) -> Path:
    """Copy some of the built-in course's exercises (``lesson7.softmax_ce``...) into ``dest``."""
    import yaml

    data = yaml.safe_load((REPO / "curriculum.yaml").read_text())
    wanted: dict[str, set[str]] = {}
    for q in exercises:
        lesson, _, ex = q.partition(".")
        wanted.setdefault(lesson, set()).add(ex)
    lessons = []
    for lesson in data["lessons"]:
        if lesson["id"] not in wanted:
            continue
        exs = [e for e in lesson["exercises"] if e["id"] in wanted[lesson["id"]]]
        lessons.append(dict(lesson, exercises=exs))
        for e in exs:
            for sub, name in (
                ("exercises", f"{e['id']}.py"),
                ("solutions", f"{e['id']}.py"),
                ("grader/suites", f"test_{e['id']}.py"),
                ("mutants", f"{e['id']}.yaml"),
                ("mutants", f"{e['id']}.signatures.json"),
            ):
                src = REPO / sub / lesson["id"] / name
                if src.exists():
                    out = dest / sub / lesson["id"] / name
                    out.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy(src, out)
        notes = REPO / "exercises" / lesson["id"] / "README.md"
        if notes.exists():
            shutil.copy(notes, dest / "exercises" / lesson["id"] / "README.md")
    data["lessons"] = lessons
    data["defaults"] = dict(data.get("defaults", {}), timeout_s=timeout_s, exercise_timeout_s=budget_s)
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "curriculum.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    return dest


@pytest.fixture
def small_course(tmp_path: Path) -> Path:
    return make_course(tmp_path / "course", ["lesson7.softmax_ce"])


def workspace_with(tmp_path: Path, course: Path, files: dict[str, str], base: str = "solutions") -> Path:
    """A learner workspace: the course's ``base`` folder with some files replaced or added."""
    ws = tmp_path / "ws"
    shutil.copytree(course / base, ws)
    for rel, text in files.items():
        p = ws / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return ws


# ---------------------------------------------------------------------- a real browser

IN_CI = os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason}; CI=true, so the browser test must run (install chromium and playwright)")
    pytest.skip(f"{reason} (a failure under CI=true)")


def _chromium_path() -> str | None:
    for candidate in (
        os.environ.get("DLGRADE_CHROMIUM"),
        "/usr/bin/chromium",
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
        shutil.which("google-chrome"),
    ):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed")
    exe = _chromium_path()
    if exe is None:
        _unavailable("no Chromium found (looked for DLGRADE_CHROMIUM, /usr/bin/chromium, chromium on PATH)")
    with sync_playwright() as p:
        try:
            b = p.chromium.launch(executable_path=exe, headless=True, args=["--no-sandbox"])
        except Error as exc:
            _unavailable(f"Chromium at {exe} did not start: {str(exc).splitlines()[0]}")
        yield b
        b.close()
