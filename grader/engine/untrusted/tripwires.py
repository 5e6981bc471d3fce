"""Tripwires in the worker: forbidden built-ins that note a call made from learner code, and an import blocker.

The run-time half of the "does not call the built-in" check (the static half, a scan of the source, runs on the
trusted side). Runs only inside the forked worker.
"""

from __future__ import annotations

import importlib
import importlib.abc
import sys
from typing import Any


class Blocker(importlib.abc.MetaPathFinder):
    """Refuses imports of the grader package and the course's reference folders."""

    def __init__(self, blocked: list[str]) -> None:
        self.blocked = blocked

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> None:
        top = fullname.split(".")[0]
        if top in self.blocked:
            raise ImportError(f"{top} cannot be imported from learner code")
        return None


class Tripwires:
    """Wraps forbidden built-ins so a call made from learner code is recorded."""

    def __init__(self, names: list[str], roots: tuple[str, ...]) -> None:
        self.calls: list[str] = []
        self.roots = roots
        for dotted in names:
            self._wrap(dotted)

    def _wrap(self, dotted: str) -> None:
        parts = dotted.split(".")
        owner: Any = None
        # The longest importable module prefix (torch.nn.utils.prune is a module that
        # torch.nn.utils does not import by itself), then attributes for the rest.
        for i in range(len(parts) - 1, 0, -1):
            try:
                owner = importlib.import_module(".".join(parts[:i]))
                break
            except ImportError:
                continue
        if owner is None:
            return
        try:
            for p in parts[i:-1]:
                owner = getattr(owner, p)
            original = getattr(owner, parts[-1])
        except AttributeError:
            return
        calls, roots = self.calls, self.roots

        def note(depth: int) -> None:
            f = sys._getframe(depth)
            while f is not None:
                if f.f_code.co_filename.startswith(roots):
                    if dotted not in calls:
                        calls.append(dotted)
                    break
                f = f.f_back  # type: ignore[assignment]

        if isinstance(original, type):
            # A class stays a class (isinstance and subclassing keep working); building one is noted.
            def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
                note(2)
                original.__init__(self, *args, **kwargs)  # type: ignore[misc]

            try:
                tripped = type(
                    original.__name__,
                    (original,),
                    {"__init__": __init__, "__module__": original.__module__, "__qualname__": original.__qualname__},
                )
                setattr(owner, parts[-1], tripped)
            except (TypeError, AttributeError):
                pass
            return

        def tripwire(*args: Any, **kwargs: Any) -> Any:
            note(2)
            return original(*args, **kwargs)

        tripwire.__name__ = getattr(original, "__name__", parts[-1])
        tripwire.__doc__ = getattr(original, "__doc__", None)
        try:
            setattr(owner, parts[-1], tripwire)
        except (AttributeError, TypeError):
            pass

    def take(self) -> list[str]:
        out = list(self.calls)
        self.calls.clear()
        return out
