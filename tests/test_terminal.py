"""grader/terminal.py: single keys from a real terminal (pexpect), and the terminal given back as it was."""

from __future__ import annotations

import os
import sys

import pytest

from tests.conftest import REPO

SCRIPT = """
import termios
from grader.terminal import has_keys, read_key
before = termios.tcgetattr(0)
print("has keys", has_keys(), flush=True)
for _ in range(4):
    print("press:", flush=True)
    try:
        key = read_key()
    except KeyboardInterrupt:
        key = "<ctrl-c>"
    except EOFError:
        key = "<eof>"
    print("got", ascii(key), "restored", termios.tcgetattr(0) == before, flush=True)
"""


def test_read_key_one_key_at_a_time_and_restores_the_terminal() -> None:
    import pexpect

    env = dict(os.environ, PYTHONPATH=str(REPO), PYTHONIOENCODING="utf-8")
    child = pexpect.spawn(sys.executable, ["-c", SCRIPT], env=env, encoding="utf-8", timeout=30)
    try:
        child.expect("has keys True")
        child.expect("press:")
        child.send("3")  # no Enter
        child.expect(r"got '3' restored True")
        child.expect("press:")
        child.send("é")  # two bytes, one key
        child.expect(r"got '\\xe9' restored True")
        child.expect("press:")
        child.send("\x1b[A")  # an arrow key is one key too
        child.expect(r"got '\\x1b\[A' restored True")
        child.expect("press:")
        child.sendintr()
        child.expect(r"got '<ctrl-c>' restored True")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0


def test_no_keys_without_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from grader import terminal

    monkeypatch.setattr(sys, "stdin", io.StringIO("piped\n"))
    assert terminal.has_keys() is False
    terminal.discard_typeahead()  # harmless without a terminal
