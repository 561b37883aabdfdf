"""Worker processes: one small interface, two interchangeable backends.

A :class:`Task` names a function (``"module:function"``, called with ``args``, returning an
exit code) and where its worker writes (``log``) and works (``cwd``). A backend starts it
and returns a :class:`Handle`: ``poll()`` gives its :class:`Exit` once it ended, ``stop()``
ends its whole process tree. :func:`run` is the pool: at most N at once, each under a time
limit.

- ``fork`` (Linux): the worker is a fork of the grading process, which has imported
  FastAPI, httpx and pytest already: milliseconds to start. Never from a multi-threaded
  parent (a fork copies locks other threads hold).
- ``spawn`` (the default on Windows and macOS, or where fork is missing or unsafe): a fresh
  interpreter running ``grading.workers.worker``. Spare workers are started ahead and
  import the heavy modules while they wait, so a job starts warm.

Which one: ``--backend`` / ``GRADING_BACKEND`` (``fork`` or ``spawn``), else :func:`choose`.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Protocol, TypeVar

BACKENDS = ("fork", "spawn")
STARTUP_GRACE = 60.0  # seconds a spawned worker may take to start, beyond the job's time limit
ENV = "GRADING_BACKEND"
T = TypeVar("T")

# What every grading worker imports: the spawn backend's spares import it ahead of a job,
# and the fork backend's parent imports it once before forking.
PRELOAD = ("pytest", "fastapi", "httpx", "respx", "uvicorn", "asgi_lifespan", "blockbuster",
           "pytest_asyncio", "pytest_timeout", "looptime", "grading.plugin",
           "sqlalchemy.ext.asyncio", "aiosqlite", "aiofiles", "websockets")
# Imported once by the fork backend's parent (free for every child), but not by each spawned
# worker: SQLAlchemy alone costs ~0.7 s of CPU an interpreter, and only a submission that
# uses it (08, 12) needs it; that worker imports it when the submission does.
SPAWN_SKIPS = ("sqlalchemy.ext.asyncio",)


@dataclass
class Task:
    target: str  # "module:function"; the function takes ``args`` and returns an exit code
    args: dict
    log: Path  # the worker's stdout and stderr
    cwd: Path
    env: dict[str, str] = field(default_factory=dict)  # set in the worker's environment

    def to_json(self) -> dict:
        return {**asdict(self), "log": str(self.log), "cwd": str(self.cwd)}

    @classmethod
    def from_json(cls, data: dict) -> Task:
        return cls(data["target"], data["args"], Path(data["log"]), Path(data["cwd"]), data.get("env", {}))


@dataclass(frozen=True)
class Exit:
    """How a worker ended: an exit code, or the signal that killed it (POSIX)."""

    code: int | None = None
    signal: int | None = None
    timed_out: bool = False

    @classmethod
    def of_returncode(cls, rc: int) -> Exit:
        return cls(signal=-rc) if rc < 0 else cls(code=rc)

    @property
    def normal(self) -> bool:
        return not self.timed_out and self.code in (0, 1)

    def short(self) -> str:
        if self.timed_out:
            return "time limit"
        return f"signal {self.signal}" if self.signal is not None else f"exit code {self.code}"

    def why(self) -> str:
        """What this exit means, for the result's problem text."""
        if self.timed_out:
            return "stopped at the time limit"
        if self.signal is not None:
            import signal as _signal

            try:
                name = _signal.Signals(self.signal).name
            except ValueError:
                name = ""
            why = {"SIGKILL": "killed, by the out-of-memory killer or from outside",
                   "SIGSEGV": "a crash in native code", "SIGABRT": "aborted (a failed check in native code)",
                   "SIGTERM": "terminated from outside", "SIGBUS": "a crash in native code",
                   "SIGINT": "interrupted (Ctrl-C)"}.get(name, "killed by a signal")
            return f"{name + ': ' if name else ''}{why}"
        code = self.code if self.code is not None else -1
        known = {
            0: "pytest finished", 1: "some tests failed",
            2: "pytest was interrupted (KeyboardInterrupt, or SystemExit raised while collecting)",
            3: "pytest hit an internal error (often a plugin or a hook failing)",
            4: "pytest was given a bad option", 5: "pytest collected no tests",
            70: "the worker itself failed (see the output)",
            75: "the grading process that started it went away",
            77: "it could not give up root rights",
            0xC00000FD: "a stack overflow (Windows), probably endless recursion",
            0xC0000005: "an access violation in native code (Windows)",
            0xC000013A: "interrupted (Ctrl-C, Windows)",
            0xC0000409: "a crash in native code (Windows)",
        }
        if code in known:
            return known[code]
        if 128 < code < 128 + 65:
            return f"as after signal {code - 128}"
        return f"probably sys.exit({code}) or os._exit({code}) in the submission's code"

    def describe(self) -> str:
        return f"{self.short()}: {self.why()}"


class Handle(Protocol):
    pid: int

    def poll(self) -> Exit | None: ...

    def stop(self) -> Exit: ...


class Backend(Protocol):
    name: str

    def start(self, task: Task) -> Handle: ...

    def close(self) -> None: ...


def fork_is_safe() -> bool:
    """Fork only where the OS has it, on Linux, and from a single-threaded process."""
    return hasattr(os, "fork") and sys.platform.startswith("linux") and threading.active_count() == 1


def choose(name: str | None = None) -> str:
    name = name or os.environ.get(ENV) or ""
    if name in BACKENDS:
        if name == "fork" and not hasattr(os, "fork"):
            return "spawn"  # forced, but this OS cannot: say so in the exit records, never crash
        return name
    return "fork" if fork_is_safe() else "spawn"


def backend(name: str | None = None, *, preload: tuple[str, ...] = PRELOAD, spares: int = 1) -> Backend:
    chosen = choose(name)
    if chosen == "fork":
        from grading.workers.fork import ForkBackend

        return ForkBackend(preload)
    from grading.workers.spawn import SpawnBackend

    return SpawnBackend(tuple(m for m in preload if m not in SPAWN_SKIPS), spares=spares)


def resolve(target: str) -> Callable[[dict], int]:
    module, _, func = target.partition(":")
    return getattr(importlib.import_module(module), func)


def import_quietly(names: tuple[str, ...]) -> None:
    for name in names:
        with contextlib.suppress(Exception):
            importlib.import_module(name)


def run(items: list[T], task_of: Callable[[T], Task], limit_of: Callable[[T], float], parallel: int,
        chosen: Backend, on_start: Callable[[T], None] | None = None,
        on_tick: Callable[[], None] | None = None) -> Iterator[tuple[T, Exit, float]]:
    """Run ``items`` (a list the caller may append to meanwhile) at most ``parallel`` at
    once, in order, each killed (its whole tree) at its time limit; yield (item, exit,
    seconds it ran) as each one ends. Every process is ended when this returns or is
    closed, orphans adopted on the way included."""
    from grading.workers import contain

    contain.become_subreaper()
    before = contain.children()  # the caller's own children are never ours to end
    pending = items
    ready_by: dict[int, float] = {}
    running: list[tuple[T, Handle, float]] = []
    try:
        while pending or running:
            while pending and len(running) < max(1, parallel):
                item = pending.pop(0)
                getattr(chosen, "plan", lambda left: None)(len(pending))  # spares only for jobs to come
                if on_start:
                    on_start(item)
                running.append((item, chosen.start(task_of(item)), time.monotonic()))
            time.sleep(0.02)
            if on_tick:
                on_tick()
            for entry in list(running):
                item, handle, started = entry
                now = time.monotonic()
                if not getattr(handle, "ready", lambda: True)():
                    # A spare still importing: the time limit counts from when it is ready
                    # (but a worker that never gets there is stopped all the same).
                    running[running.index(entry)] = (item, handle, now)
                    if now - ready_by.setdefault(id(handle), now) < limit_of(item) + STARTUP_GRACE:
                        continue
                ended = handle.poll()
                if ended is None and now - started >= limit_of(item):
                    handle.stop()
                    ended = Exit(timed_out=True)
                if ended is None:
                    continue
                handle.stop()  # a process pool or server the worker left behind
                running.remove(entry)
                # Orphans re-parented to us come from workers that ended: end them too.
                contain.reap_adopted(before | {h.pid for _, h, _ in running} | spare_pids(chosen))
                yield item, ended, time.monotonic() - started
    finally:
        for _, handle, _ in running:
            handle.stop()
        chosen.close()
        contain.reap_adopted(before)


def spare_pids(chosen: Backend) -> set[int]:
    return set(getattr(chosen, "spare_pids", lambda: set())())
