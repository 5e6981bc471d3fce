"""Single keys from the terminal (cbreak mode), read in a thread; the terminal is restored on stop."""

from __future__ import annotations

import os
import queue
import select
import sys
import threading
from typing import Any


class KeyReader:
    """Reads single keys from the terminal (cbreak mode) in a thread; restores the terminal on stop."""

    def __init__(self, keys: queue.Queue[str]) -> None:
        self.keys = keys
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._fd: int | None = None
        self._saved: Any = None

    def start(self) -> bool:
        try:
            import termios
            import tty
        except ImportError:  # not a POSIX terminal
            return False
        if not sys.stdin.isatty():
            return False
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
