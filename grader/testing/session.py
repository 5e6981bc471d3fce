"""The context of the check being run, as an explicit object: which exercise, which device, which learner.

The trusted plugin makes one :class:`Session` per check and activates it for the duration of that check (setup,
call and teardown); the suite helpers read it with :func:`current`. Nothing carries over from one check to the next.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Session:
    """One check: its exercise (ids, names, tolerances, file), the device, and what the check turned out to be."""

    exercise: dict[str, Any] = field(default_factory=dict)
    device: str = "cpu"
    learner: Any = None  # the check's ``Learner`` proxy, once the fixture made it
    learner_start_s: float = 0.0  # the worker's CPU seconds when the check began: the check's own are the rest
    gate: bool = False  # the check is a gate: no points of its own; failing it zeroes the exercise


_ACTIVE: ContextVar[Session | None] = ContextVar("dlgrade_session", default=None)


def current() -> Session:
    """The session of the check being run (a default one outside a check, e.g. in a unit test of a helper)."""
    return _ACTIVE.get() or Session()


@contextmanager
def active(session: Session) -> Iterator[Session]:
    token = _ACTIVE.set(session)
    try:
        yield session
    finally:
        _ACTIVE.reset(token)


def sibling(suite_file: str, name: str) -> Any:
    """Import ``name.py`` from the suite's own folder: helpers shared by several suites of a lesson.

    Name it without the ``test_`` prefix so it is not collected. Scenarios defined there can be
    passed to ``learner.run`` like those of the suite itself.
    """
    import importlib.util
    import sys
    from pathlib import Path

    path = Path(suite_file).with_name(f"{name}.py")
    key = f"dlgrade_suite_support.{path.parent.name}.{name}"
    if key in sys.modules:
        return sys.modules[key]
    spec = importlib.util.spec_from_file_location(key, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"no suite helper {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[key] = module
    spec.loader.exec_module(module)
    return module
