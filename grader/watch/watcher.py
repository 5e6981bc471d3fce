"""``dlgrade watch``: re-check an exercise each time its file is saved.

One loop in the main thread owns the screen: it waits for file changes (watchfiles; native events, or polling where
events do not arrive, such as network and VM-shared folders) and for keys, which a small thread reads from the
terminal in cbreak mode. A save grades only the exercise whose file changed. Repeated failures bring the next hint
level. Nothing moves on by itself: ``n`` goes to the next exercise when the learner asks.
"""

from __future__ import annotations

import hashlib
import os
import queue
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.markup import escape

from grader.engine.engine import Engine
from grader.errors import DlgradeError, UsageError
from grader.grading.teaching import Teaching
from grader.terminal import KeyReader
from grader.watch.fs import needs_polling

if TYPE_CHECKING:
    from rich.console import Console

    from grader.course.curriculum import Course, ExerciseRef, Lesson

KEYS_HELP = "h hint · n next exercise · l list · c check again · q quit"

# ---------------------------------------------------------------------- the watcher


class Watcher:
    def __init__(
        self,
        course: Course,
        workspace: Path,
        lessons: list[Lesson],
        out: Console,
        *,
        device: str = "cpu",
        sandbox: str = "portable",
        poll: bool | None = None,
        quiet: bool = False,
        debounce_ms: int = 1000,
        step_ms: int = 30,
    ) -> None:
        self.course = course
        self.workspace = workspace.resolve()
        self.lessons = lessons
        self.out = out
        self.device = device
        self.sandbox = sandbox
        self.quiet = quiet
        self.debounce_ms = debounce_ms
        self.step_ms = step_ms
        self.refs: list[ExerciseRef] = [r for les in lessons for r in course.exercises(les)]
        if not self.refs:
            raise UsageError("there is no exercise to watch here", fix="name a lesson that has exercises")
        self.by_path: dict[Path, ExerciseRef] = {}
        dirs: list[Path] = []
        missing: list[str] = []
        for ref in self.refs:
            path = _where(self.workspace / ref.filename)
            self.by_path[path] = ref
            if path.parent.is_dir():
                if path.parent not in dirs:
                    dirs.append(path.parent)
            elif str(Path(ref.filename).parent) not in missing:
                missing.append(str(Path(ref.filename).parent))
        if not dirs:
            raise UsageError(
                f"{self.workspace} has none of the folders to watch ({', '.join(missing)})",
                fix="run inside your workspace (or pass --workspace DIR); `dlgrade init DIR` makes one",
            )
        self.missing = missing
        self.dirs = dirs
        env = os.environ.get("WATCHFILES_FORCE_POLLING", "")
        if poll is None and env and env.lower() not in {"false", "disable", "disabled"}:
            self.poll, self.poll_why = True, "WATCHFILES_FORCE_POLLING is set"
        elif poll is None:
            self.poll = any(needs_polling(d) for d in dirs)
            self.poll_why = "this folder is on a file system that may not report changes" if self.poll else ""
        else:
            self.poll = poll
            self.poll_why = "asked for with --poll" if poll else ""
        self.no_poll = poll is False
        self.stop_event = threading.Event()
        self.engine: Engine | None = None  # started by run(), kept between saves
        self.teaching = Teaching(course)  # cards and mutant signatures, read once
        self.keys: queue.Queue[str] = queue.Queue()
        self.fails: dict[str, int] = {}
        self.last_hash: dict[str, str] = {}
        self.hints_shown: dict[str, int] = {}
        self.passed: set[str] = set()
        self._load_progress()
        self.current: ExerciseRef = next((r for r in self.refs if r.qualified_id not in self.passed), self.refs[0])

    # ------------------------------------------------------------------ progress

    def _load_progress(self) -> None:
        try:
            from grader.progress.listing import read_progress

            snap = read_progress(self.workspace)
        except DlgradeError:
            return
        self.passed = {k for k, v in snap.exercises.items() if v["passed"]}
        self.hints_shown = dict(snap.hints)

    def _record_hint(self, ref: ExerciseRef, level: int) -> None:
        try:
            from grader.progress.tracker import Progress

            prog = Progress.for_workspace(self.workspace)
        except Exception:  # progress is a convenience: never stop watching for it
            return
        try:
            prog.record_hint(ref.qualified_id, level)
        finally:
            prog.close()

    # ------------------------------------------------------------------ the loop

    def run(self) -> int:
        where = ", ".join(les.id for les in self.lessons) if len(self.lessons) <= 3 else "every lesson"
        how = f"polling ({self.poll_why})" if self.poll else "file events"
        self.out.print(f"[bold]dlgrade watch[/bold] {where} in {escape(str(self.workspace))} [dim]({how})[/dim]")
        for m in self.missing:
            self.out.print(f"[yellow]warning:[/yellow] {m}/ is not in the workspace; run `dlgrade init` again")
        # The engine warms up (pytest, torch, the zygote) while the learner reads and edits: every save after that
        # costs one job on a warm engine, not a cold start.
        self.engine = Engine(device=self.device).start()
        reader = KeyReader(self.keys)
        has_keys = reader.start()
        try:
            self.out.print(f"current: [bold]{self.current.qualified_id}[/bold] — {escape(self.current.ex.title)}")
            keys = f"keys: {KEYS_HELP}" if has_keys else "no terminal for keys: Ctrl-C stops"
            ready = False
            for changes in self._changes():
                if not ready:  # the first yield comes once the watcher is in place: from here no save is missed
                    ready = True
                    self.out.print(f"ready: save an exercise file to check it · {keys}")
                if self._handle_keys():
                    break
                if changes:
                    self._on_changes(changes)
                    if self._handle_keys():
                        break
        finally:
            reader.stop()
            self.engine.close()
        self.out.print("stopped watching")
        return 0

    def _changes(self) -> Iterator[set[tuple[Any, str]]]:
        """File changes in the watched folders (an empty set every ~200 ms, so that keys are served)."""
        import watchfiles

        # --no-poll is False; auto-detected "no" is None, which lets WATCHFILES_FORCE_POLLING and WSL still decide.
        poll: bool | None = True if self.poll else (False if self.no_poll else None)
        while True:
            started = False
            try:
                for changes in watchfiles.watch(
                    *self.dirs,
                    watch_filter=_only_python,
                    debounce=self.debounce_ms,
                    step=self.step_ms,
                    stop_event=self.stop_event,
                    rust_timeout=200,
                    yield_on_timeout=True,
                    force_polling=poll,
                    recursive=False,
                ):
                    started = True
                    yield changes
                return
            except (OSError, RuntimeError) as exc:
                if started or poll is not None:
                    raise
                self.out.print(f"[yellow]file events are not available ({escape(str(exc))}); polling instead[/yellow]")
                poll = True
                self.poll = True

    def _on_changes(self, changes: set[tuple[Any, str]]) -> None:
        seen: list[ExerciseRef] = []
        for _, raw in sorted(changes, key=lambda c: c[1]):
            ref = self.by_path.get(_where(Path(raw)))
            if ref is not None and ref not in seen:
                seen.append(ref)
        for ref in seen:
            self.check(ref, reason="saved")

    def _handle_keys(self) -> bool:
        """Serve the keys pressed so far; True to quit."""
        while True:
            try:
                key = self.keys.get_nowait()
            except queue.Empty:
                return self.stop_event.is_set()
            k = key.lower()
            if k in ("q", "\x04"):
                self.stop_event.set()
                return True
            if k == "h":
                self.show_hint(self.current)
            elif k == "n":
                self.next_exercise()
            elif k == "l":
                self.show_list()
            elif k == "c":
                self.check(self.current, reason="check again", force=True)
            elif k in ("?", "\r", "\n"):
                self.out.print(f"[dim]keys: {KEYS_HELP}[/dim]")

    # ------------------------------------------------------------------ actions

    def check(self, ref: ExerciseRef, *, reason: str, force: bool = False) -> bool | None:
        path = self.workspace / ref.filename
        qid = ref.qualified_id
        self.current = ref
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            self.out.print(
                f"[yellow]{escape(ref.filename)} is gone[/yellow]: `dlgrade reset {qid}` brings back the stub"
            )
            return None
        except OSError as exc:
            self.out.print(f"[yellow]cannot read {escape(ref.filename)}: {escape(str(exc))}[/yellow]")
            return None
        digest = hashlib.sha256(data).hexdigest()
        if not force and self.last_hash.get(qid) == digest:
            return None  # saved without a change (or a second event for the same save)
        self.last_hash[qid] = digest
        self.out.rule(f"{qid} ({reason})", style="dim")
        from grader.engine.results import Status
        from grader.engine.runner import GradeOptions
        from grader.grading.check import grade_target
        from grader.reports.emit import render, show_text

        try:
            opts = GradeOptions(device=self.device, sandbox=self.sandbox)
            result = grade_target(self.course, qid, self.workspace, opts, engine=self.engine, teaching=self.teaching)
            show_text(render(result, "text"), self.quiet, self.out)
        except DlgradeError as exc:
            self.out.print(f"[red]error:[/red] {escape(exc.render())}")
            return None
        except Exception as exc:  # keep watching: the next save may work
            self.out.print(f"[red]internal error:[/red] {escape(type(exc).__name__)}: {escape(str(exc))}")
            return None
        passed = result.status is Status.PASSED
        if passed:
            self.fails[qid] = 0
            self.passed.add(qid)
            nxt = self._next_ref(ref)
            more = "press n for the next exercise" if nxt is not None else "that was the last one here"
            self.out.print(f"[bold green]{qid} passed[/bold green] — {more}")
        else:
            n = self.fails.get(qid, 0) + 1
            self.fails[qid] = n
            times = f" ({n} failures in a row)" if n > 1 else ""
            self.out.print(f"[bold yellow]{qid} not passed yet[/bold yellow]{times}")
            # The report showed the hint that fits this failure (and recorded it): h brings the next level.
            level = result.exercises[0].hint_level if result.exercises else 0
            self.hints_shown[qid] = max(self.hints_shown.get(qid, 0), level)
            self.out.print("[dim]press h for the next hint[/dim]")
        self.out.print(f"[dim]waiting for the next save · {KEYS_HELP}[/dim]")
        return passed

    def show_hint(self, ref: ExerciseRef) -> None:
        qid = ref.qualified_id
        hints = ref.ex.hints
        shown = self.hints_shown.get(qid, 0)
        level = min(shown + 1, len(hints))
        self.hints_shown[qid] = max(shown, level)
        last = " (the last)" if level == len(hints) else ""
        self.out.print(f"[bold]hint {level} of {len(hints)}[/bold]{last} for {qid}:")
        self.out.print(escape(hints[level - 1]))
        if level > shown:
            self._record_hint(ref, level)

    def _next_ref(self, ref: ExerciseRef) -> ExerciseRef | None:
        i = next(i for i, r in enumerate(self.refs) if r.qualified_id == ref.qualified_id)
        return self.refs[i + 1] if i + 1 < len(self.refs) else None

    def next_exercise(self) -> None:
        nxt = self._next_ref(self.current)
        if nxt is None:
            self.out.print(f"{self.current.qualified_id} is the last exercise watched here; press l for the list")
            return
        self.current = nxt
        status = "passed" if nxt.qualified_id in self.passed else "not passed yet"
        self.out.rule(f"next: {nxt.qualified_id}", style="cyan")
        self.out.print(f"[bold]{nxt.qualified_id}[/bold] — {escape(nxt.ex.title)} ({nxt.points} points, {status})")
        self.out.print(f"edit [bold]{escape(str(self.workspace / nxt.filename))}[/bold] and save it to check it")
        self.out.print("[dim]press h for a hint[/dim]")

    def show_list(self) -> None:
        from grader.progress.listing import show_list

        try:
            show_list(self.course, self.workspace, self.out, self.lessons)
        except DlgradeError as exc:
            self.out.print(f"[red]error:[/red] {escape(exc.render())}")


def _only_python(change: Any, path: str) -> bool:
    name = os.path.basename(path)
    return name.endswith(".py") and not name.startswith((".", "#")) and "__pycache__" not in path


def _where(path: Path) -> Path:
    """A file's place with its folders resolved but not the file itself: an exercise file replaced by a link is
    still that exercise's file (and grading then says why a link is not accepted)."""
    return path.parent.resolve() / path.name
