"""Single keys from the terminal, for ``watch`` (keys read in a thread) and ``review`` (one key per answer).

A leaf module: it imports no other grader module, so every package may use it. The terminal goes into cbreak mode
(keys arrive one at a time, without Enter, and Ctrl-C still interrupts) only while keys are read, and is always put
back as it was. Where standard input is not a terminal (a pipe, a file, Windows without termios), callers fall back
to reading lines.
"""

from __future__ import annotations

import os
import queue
import select
import sys
import threading
from typing import Any

_ESC = b"\x1b"
_CTRL_C, _CTRL_D = "\x03", "\x04"


def has_keys() -> bool:
    """Whether single keys can be read from standard input: a POSIX terminal."""
    try:
        import termios  # noqa: F401
        import tty  # noqa: F401
    except ImportError:
        return False
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):  # replaced or closed stdin
        return False


def discard_typeahead() -> None:
    """Drop keys typed before the prompt, so that an Enter typed out of habit after a key is not the next answer."""
    try:
        import termios

        termios.tcflush(sys.stdin.fileno(), termios.TCIFLUSH)
    except (ImportError, OSError, ValueError):
        pass


def read_key() -> str:
    """One key from the terminal, without Enter: a character, or an escape sequence for arrows and the like.

    Raises ``KeyboardInterrupt`` on Ctrl-C and ``EOFError`` on Ctrl-D or when the terminal goes away.
    """
    import termios
    import tty

    fd = sys.stdin.fileno()
    saved = termios.tcgetattr(fd)
    try:
        tty.setcbreak(fd)  # ISIG stays on: Ctrl-C raises KeyboardInterrupt while we wait
        data = os.read(fd, 1)
        if not data:
            raise EOFError
        if data == _ESC:  # an arrow or function key sends a sequence: take the rest of it
            while select.select([fd], [], [], 0.02)[0]:
                more = os.read(fd, 16)
                if not more:
                    break
                data += more
        elif data[0] >= 0xC0:  # the lead byte of a UTF-8 character: read its continuation bytes
            need = 1 if data[0] < 0xE0 else 2 if data[0] < 0xF0 else 3
            data += os.read(fd, need)
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)
    key = data.decode("utf-8", errors="replace")
    if key == _CTRL_C:
        raise KeyboardInterrupt
    if key == _CTRL_D:
        raise EOFError
    return key


class KeyReader:
    """Reads single keys from the terminal (cbreak mode) in a thread; restores the terminal on stop."""

    def __init__(self, keys: queue.Queue[str]) -> None:
        self.keys = keys
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._fd: int | None = None
        self._saved: Any = None

    def start(self) -> bool:
        if not has_keys():
            return False
        import termios
        import tty

        fd = sys.stdin.fileno()
        try:
            self._saved = termios.tcgetattr(fd)
            tty.setcbreak(fd)
        except termios.error:
            return False
        self._fd = fd
        self._thread = threading.Thread(target=self._run, name="dlgrade-keys", daemon=True)
        self._thread.start()
        return True

    def _run(self) -> None:
        assert self._fd is not None
        while not self._stop.is_set():
            try:
                ready, _, _ = select.select([self._fd], [], [], 0.1)
                if not ready:
                    continue
                data = os.read(self._fd, 32)
            except (OSError, ValueError):
                break
            if not data:  # the terminal went away
                self.keys.put("q")
                break
            for ch in data.decode("utf-8", errors="ignore"):
                self.keys.put(ch)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=1)
        if self._fd is not None and self._saved is not None:
            import termios

            try:
                termios.tcsetattr(self._fd, termios.TCSADRAIN, self._saved)
            except termios.error:
                pass
