"""A forgotten ``await``, diagnosed: coroutines that never ran and tasks left pending.

``pool.release(conn)`` without ``await`` makes a coroutine object and drops it: nothing
runs, and the only trace is a RuntimeWarning ("coroutine 'Pool.release' was never
awaited") that a grader's assertion never sees. The plugin runs an
:class:`UnawaitedRecorder` around every test, so every exercise gets the diagnosis first in
a failing test's feedback, with the learner's file, line and the call itself.

Where: the coroutine's creation site (``sys.set_coroutine_origin_tracking_depth``, on the
test's thread, where the app runs), else the warning's own location (the frame that dropped
the coroutine, which for a discarded call is the line that made it). Only sites inside the
learner's folder are reported: a library's own coroutines are not the learner's mistake.
"""

from __future__ import annotations

import ast
import asyncio
import functools
import gc
import linecache
import re
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

_NEVER_AWAITED = re.compile(r"coroutine '([^']+)' was never awaited")
ORIGIN_DEPTH = 4  # the creating frame and a few callers: cheap enough for every coroutine


@dataclass(frozen=True)
class Unawaited:
    kind: str  # "coroutine" (never awaited) or "task" (destroyed while pending)
    call: str  # the call as written: "pool.release(conn)", or the coroutine's name
    file: str  # relative to the learner's folder
    line: int
    function: str = ""

    @property
    def where(self) -> str:
        return f"{self.file}, line {self.line}" + (f", in {self.function}" if self.function else "")

    def render(self) -> str:
        if self.kind == "task":
            return (f"Never awaited: the task started by `{self.call}` ({self.where}) was still pending when "
                    "the event loop closed: keep it and `await` it (or start it in an `async with "
                    "asyncio.TaskGroup()`), or hand the work to BackgroundTasks.")
        return f"Never awaited: `{self.call}` ({self.where}) made a coroutine that never ran: put `await` before it."


def _relative(filename: str, roots: list[Path]) -> str | None:
    try:
        path = Path(filename).resolve()
    except (OSError, ValueError):
        return None
    for root in roots:
        try:
            return path.relative_to(root.resolve()).as_posix()
        except ValueError:
            continue
    return None


@functools.lru_cache(maxsize=64)
def _calls_in(filename: str, mtime: float) -> list[tuple[int, int, str, str]]:
    """(first line, last line, callee name, source) of every call in a file."""
    try:
        source = Path(filename).read_text(encoding="utf-8")
        tree = ast.parse(source)
    except (OSError, SyntaxError, ValueError):
        return []
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            text = ast.get_source_segment(source, node) or ""
            found.append((node.lineno, node.end_lineno or node.lineno, name, " ".join(text.split())))
    return found


def call_at(filename: str, line: int, callee: str) -> str:
    """The call of ``callee`` written at ``filename:line`` ('pool.release(conn)'), else the line."""
    try:
        mtime = Path(filename).stat().st_mtime
    except OSError:
        mtime = 0.0
    calls = [c for c in _calls_in(filename, mtime) if c[0] <= line <= c[1]]
    named = [c for c in calls if c[2] == callee] or calls
    if named:
        best = min(named, key=lambda c: len(c[3]))  # the innermost call on that line
        if len(best[3]) <= 80:
            return best[3]
    text = linecache.getline(filename, line).strip()
    return text[:80] or f"{callee}()"


class UnawaitedRecorder:
    """Records, while a test runs, coroutines created in the learner's code and never awaited."""

    def __init__(self, roots: list[Path]) -> None:
        self.roots = roots
        self.found: list[Unawaited] = []
        self._catcher: warnings.catch_warnings | None = None
        self._log: list[warnings.WarningMessage] = []
        self._others: list[warnings.WarningMessage] = []
        self._depth = 0
        self._handler = None

    def start(self) -> None:
        self._depth = sys.get_coroutine_origin_tracking_depth()
        sys.set_coroutine_origin_tracking_depth(ORIGIN_DEPTH)
        self._catcher = warnings.catch_warnings(record=True)
        self._log = self._catcher.__enter__()
        warnings.filterwarnings("always", message=r"coroutine .* was never awaited", category=RuntimeWarning)
        # A task garbage-collected while pending reaches the loop's exception handler with the
        # task in its context (the log line asyncio then writes does not carry it).
        self._handler = original = asyncio.BaseEventLoop.default_exception_handler
        recorder = self

        def handler(loop: asyncio.AbstractEventLoop, context: dict) -> None:
            task = context.get("task")
            if "destroyed but it is pending" in str(context.get("message", "")) and hasattr(task, "get_coro"):
                recorder.note_task(task.get_coro())
            original(loop, context)

        asyncio.BaseEventLoop.default_exception_handler = handler  # type: ignore[method-assign]

    def collect(self, thorough: bool = True) -> list[Unawaited]:
        """What was found so far; ``thorough`` collects garbage first (a dropped coroutine in a
        reference cycle), worth its cost only when the diagnosis will be shown."""
        if self._catcher is not None:
            if thorough:
                gc.collect()
            for w in self._log:
                self._consider(w)
            self._log.clear()
        return list(self.found)

    def stop(self, thorough: bool = True) -> list[Unawaited]:
        found = self.collect(thorough)
        if self._catcher is not None:
            self._catcher.__exit__(None, None, None)
            self._catcher = None
            for w in self._others:
                # Other warnings go on to pytest's own record, as if never caught here.
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno, source=w.source)
            self._others = []
        sys.set_coroutine_origin_tracking_depth(self._depth)
        if self._handler is not None:
            asyncio.BaseEventLoop.default_exception_handler = self._handler  # type: ignore[method-assign]
            self._handler = None
        return found

    def _consider(self, w: warnings.WarningMessage) -> None:
        match = _NEVER_AWAITED.search(str(w.message)) if issubclass(w.category, RuntimeWarning) else None
        if not match:
            self._others.append(w)
            return
        coro = w.source
        callee = match.group(1).rsplit(".", 1)[-1]
        sites = [(f, ln, fn) for f, ln, fn in (getattr(coro, "cr_origin", None) or ())]
        sites.append((w.filename, w.lineno, ""))
        self._add("coroutine", sites, callee)

    def note_task(self, coro: object) -> None:
        if coro is None:
            return
        callee = getattr(getattr(coro, "cr_code", None), "co_name", "") or "a coroutine"
        sites = list(getattr(coro, "cr_origin", None) or ())
        self._add("task", sites, callee)

    def _add(self, kind: str, sites: list[tuple[str, int, str]], callee: str) -> None:
        for filename, line, function in sites:
            rel = _relative(filename, self.roots)
            if rel is None:
                continue
            call = call_at(filename, line, callee)
            item = Unawaited(kind, call, rel, line, function)
            if item not in self.found:
                self.found.append(item)
            return


def diagnosis(found: list[Unawaited]) -> str:
    """The lines that go first in a failing test's feedback."""
    return "\n".join(f.render() for f in found[:3])
