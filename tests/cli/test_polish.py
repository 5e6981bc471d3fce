"""Polish, as a learner meets it: --version, --help with examples everywhere, completion, NO_COLOR, typo hints."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from grader import __version__
from grader.cli import app
from tests.conftest import REPO, make_course, run_cli

SGR = re.compile(r"\x1b\[([0-9;]*)m")


def _colour_codes(text: str) -> list[str]:
    """The SGR sequences that set a colour (30-37, 38, 39-47, 48, 49, 90-97, 100-107), not bold or dim."""
    found = []
    for params in SGR.findall(text):
        for p in params.split(";"):
            if p.isdigit() and (30 <= int(p) <= 49 or 90 <= int(p) <= 107):
                found.append(params)
                break
    return found


def test_version() -> None:
    res = run_cli("--version")
    assert res.code == 0 and res.stdout.strip() == f"dlgrade {__version__}"


def _all_commands() -> list[list[str]]:
    root = typer.main.get_command(app)  # typer may bundle its own click: duck-type the groups
    out: list[list[str]] = []

    def walk(group: Any, prefix: list[str]) -> None:
        for name, cmd in group.commands.items():
            if hasattr(cmd, "commands"):
                walk(cmd, [*prefix, name])
            else:
                out.append([*prefix, name])

    walk(root, [])
    return out


def test_every_command_has_help_with_an_example() -> None:
    commands = _all_commands()
    names = {" ".join(c) for c in commands}
    assert {"init", "reset", "progress", "solution", "watch", "list", "check", "hint"} <= names
    runner = CliRunner()
    for cmd in commands:
        res = runner.invoke(app, [*cmd, "--help"], env={"NO_COLOR": "1", "COLUMNS": "200"})
        assert res.exit_code == 0, (cmd, res.output)
        assert "Example" in res.output, f"`dlgrade {' '.join(cmd)} --help` shows no example"
        assert f"dlgrade {' '.join(cmd)}" in res.output, f"the example of {cmd} does not show the command"


def test_no_help_shows_a_type_after_a_flag() -> None:
    """A flag takes no value: `--quiet <bool>` would read as if it wanted one (Typer 0.29 prints that)."""
    runner = CliRunner()
    for cmd in [[], ["dev"], *_all_commands()]:
        res = runner.invoke(app, [*cmd, "--help"], env={"NO_COLOR": "1", "COLUMNS": "200"})
        assert res.exit_code == 0, (cmd, res.output)
        assert "--help" in res.output and "Show this message and exit." in res.output
        assert "<bool>" not in res.output, f"`dlgrade {' '.join(cmd)} --help`:\n{res.output}"
        flag_lines = [line for line in res.output.splitlines() if re.search(r"--(help|quiet|strict|version)\b", line)]
        assert all(not re.search(r"<\w+>", line) for line in flag_lines), flag_lines


def _dlgrade() -> str:
    exe = Path(sys.executable).parent / "dlgrade"
    if not exe.exists():
        found = shutil.which("dlgrade")
        if not found:
            pytest.skip("the dlgrade script is not installed (pip install -e .)")
        return found
    return str(exe)


def _complete(words: str, cwd: Path) -> list[str]:
    env = dict(os.environ, _DLGRADE_COMPLETE="complete_bash", COMP_WORDS=words, COMP_CWORD=str(len(words.split()) - 1))
    if words.endswith(" "):
        env["COMP_CWORD"] = str(len(words.split()))
    proc = subprocess.run([_dlgrade()], env=env, cwd=cwd, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.split()


def test_shell_completion(small_course: Path) -> None:
    proc = subprocess.run([_dlgrade(), "--show-completion", "bash"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and "_DLGRADE_COMPLETE=complete_bash" in proc.stdout
    assert _complete("dlgrade wat", REPO) == ["watch"]
    assert set(_complete("dlgrade p", REPO)) == {"progress"}
    assert _complete(f"dlgrade --quiet solution --course {small_course} lesson7.so", REPO) == ["lesson7.softmax_ce"]


def _terminal_output(args: list[str], env_extra: dict[str, str]) -> str:
    import pexpect

    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env.update(TERM="xterm-256color", PYTHONPATH=str(REPO), **env_extra)
    out = pexpect.run(f"{sys.executable} -m grader " + " ".join(args), env=env, encoding="utf-8", timeout=60)
    assert isinstance(out, str)
    return out


def test_no_color_is_respected_in_a_terminal(small_course: Path) -> None:
    args = ["check", "lesson7.sofmax_ce", "--course", str(small_course)]  # an error: printed in red
    coloured = _terminal_output(args, {})
    assert "did you mean lesson7.softmax_ce?" in coloured and _colour_codes(coloured)
    plain = _terminal_output(args, {"NO_COLOR": "1"})
    assert "did you mean lesson7.softmax_ce?" in plain and _colour_codes(plain) == []
    helped = _terminal_output(["--help"], {"NO_COLOR": "1"})
    assert "Commands" in helped and _colour_codes(helped) == []


def test_no_escapes_at_all_when_piped_unless_forced(small_course: Path) -> None:
    args = ["list", "--course", str(small_course)]
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    piped = subprocess.run([sys.executable, "-m", "grader", *args], env=env, cwd=REPO, capture_output=True, text=True)
    assert piped.returncode == 0 and "\x1b[" not in piped.stdout
    env["NO_COLOR"] = "1"
    plain = subprocess.run([sys.executable, "-m", "grader", *args], env=env, cwd=REPO, capture_output=True, text=True)
    assert "\x1b[" not in plain.stdout and "lesson7.softmax_ce" in plain.stdout
    del env["NO_COLOR"]
    env["FORCE_COLOR"] = "1"
    forced = subprocess.run([sys.executable, "-m", "grader", *args], env=env, cwd=REPO, capture_output=True, text=True)
    assert forced.returncode == 0 and "\x1b[" in forced.stdout


@pytest.mark.parametrize(
    ("args", "suggestion"),
    [
        (["check", "lesson7.sofmax_ce"], "did you mean lesson7.softmax_ce?"),
        (["watch", "lesso7"], "did you mean lesson7?"),
        (["progress", "lesson77"], "did you mean lesson7?"),
        (["solution", "lesson7.softmax_cee"], "did you mean lesson7.softmax_ce?"),
        (["reset", "lesson7.sotfmax_ce", "--yes"], "did you mean lesson7.softmax_ce?"),
        (["hint", "sofmax_ce"], "did you mean lesson7.softmax_ce?"),
    ],
)
def test_typos_in_ids_get_a_suggestion(small_course: Path, args: list[str], suggestion: str) -> None:
    res = run_cli(*args, "--course", str(small_course))
    assert res.code == 2, res.stdout + res.stderr
    assert suggestion in res.stderr and "Traceback" not in res.stderr


def test_quiet_option_is_global() -> None:
    res = run_cli("--help")
    assert "--quiet" in res.stdout and "--version" in res.stdout and "--install-completion" in res.stdout


@pytest.mark.parametrize(
    "args", [["progress"], ["watch", "--help"], ["init", "--help"], ["solution", "lesson7.softmax_ce"]]
)
def test_learner_commands_that_do_not_grade_never_import_torch(args: list[str], small_course: Path) -> None:
    code = (
        "import sys\n"
        f"sys.argv = ['dlgrade', *{args!r}, '--course', {str(small_course)!r}]\n"
        "from grader.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('TORCH' if 'torch' in sys.modules else 'NO-TORCH', file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert "NO-TORCH" in proc.stderr, proc.stderr


@pytest.mark.slow
def test_long_runs_show_progress_on_a_terminal_and_nothing_when_piped(tmp_path: Path) -> None:
    import pexpect

    course = make_course(tmp_path / "course", ["lesson7.softmax_ce", "lesson7.grad_accumulation"])
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "GITHUB_STEP_SUMMARY")}
    env.update(TERM="xterm-256color", PYTHONPATH=str(REPO), COLUMNS="160")
    runs = [
        (["dev", "check", "lesson7", "--jobs", "1"], r"dev check: lesson7\.\w+ \(mutant \w+\)", "proven"),
        (["check", "lesson7", "--solutions"], r"check: lesson7\.\w+", "all checks passed"),
    ]
    for args, live, done in runs:
        args = [*args, "--course", str(course)]
        seen = pexpect.run(
            f"{sys.executable} -m grader " + " ".join(args), env=env, encoding="utf-8", codec_errors="replace",
            timeout=600,
        )  # fmt: skip
        assert isinstance(seen, str) and re.search(live, seen) and done in seen, seen[-2000:]
        piped = subprocess.run(
            [sys.executable, "-m", "grader", *args], env=env, cwd=REPO, capture_output=True, text=True, timeout=600
        )
        assert done in piped.stdout, piped.stdout[-2000:] + piped.stderr[-2000:]
        said = piped.stdout + piped.stderr
        assert not re.search(live, said) and "\x1b[?25l" not in said  # no bar (it hides the cursor), no frame
