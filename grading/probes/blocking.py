"""Blocking detection: blocking calls named by blockbuster, CPU work seen as event-loop lag.

blockbuster patches time.sleep, file, socket and sqlite3 calls. We never let it raise:
each blocking call made on the event-loop thread from a stack that passes through the
learner's files is *recorded* and allowed to proceed. A learner's ``except Exception``
therefore cannot hide it, and functional tests keep measuring function.
"""

from __future__ import annotations

import asyncio
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from blockbuster import BlockBuster

from grading import evidence
from grading.feedback import Feedback
from grading.probes.frames import frame_place, learner_frames, relative, resolved
from grading.probes.paths import norm

# Library internals that legitimately touch files or pipes when the learner's code calls
# them from the loop: process-pool start-up/shut-down, SQLAlchemy engine creation,
# FastAPI's one-off source inspection. (path fragment, function names or None for any)
ALLOWED: list[tuple[str, set[str] | None]] = [
    ("concurrent/futures/process.py", None),
    ("multiprocessing/", None),
    ("sqlalchemy/", None),
    ("/inspect.py", {"getsourcefile", "getfile", "getmodule", "getabsfile", "findsource"}),
    ("/linecache.py", None),
    ("importlib/", None),  # a lazy import at first use reads .py files once
    ("/logging/__init__.py", None),  # log handlers write to stderr
    ("/traceback.py", None),
]
_ALLOWED = [(norm(fragment), funcs) for fragment, funcs in ALLOWED]  # matched against norm(file name)


@dataclass
class BlockingCall:
    function: str
    where: str
    detail: str = ""

    def describe(self) -> str:
        extra = f" ({self.detail})" if self.detail else ""
        return f"{self.function}{extra} from {self.where}"


@dataclass
class BlockingRecorder:
    roots: list[Path]
    calls: list[BlockingCall] = field(default_factory=list)
    recording: bool = False
    _bb: BlockBuster | None = None

    def __post_init__(self) -> None:
        evidence.register(self)

    def _predicate_for(self, name: str, own=None):
        roots = resolved(self.roots)
        # blockbuster's own exclusions for this function (e.g. an uncontended lock, the short
        # wait in Thread.start or ThreadPoolExecutor.submit): replacing its predicate must keep them.
        own_predicate = own.can_block_predicate if own is not None else None
        own_functions = [(norm(suffix), funcs) for suffix, funcs in own.can_block_functions] if own is not None else []

        def predicate(*args, **kwargs) -> bool:
            if not self.recording:
                return True
            if own_predicate is not None and own_predicate(*args, **kwargs):
                return True
            frame = sys._getframe(2)  # skip the predicate and blockbuster's wrapper
            learner = None
            while frame is not None:
                filename = norm(frame.f_code.co_filename)
                for fragment, funcs in _ALLOWED:
                    if fragment in filename and (funcs is None or frame.f_code.co_name in funcs):
                        return True
                for suffix, funcs in own_functions:
                    if filename.endswith(suffix) and frame.f_code.co_name in funcs:
                        return True
                if learner is None and relative(frame.f_code.co_filename, roots) is not None:
                    learner = frame
                frame = frame.f_back
            if learner is not None:
                detail = f"{args[0]} s" if name == "time.sleep" and args else ""
                self.calls.append(BlockingCall(name, frame_place(learner, roots), detail))
            return True  # record, never raise: see module docstring

        return predicate

    def arm(self) -> None:
        """Patch the blocking functions without recording yet. Done before the submission is
        imported, so that `from time import sleep` binds the patched function too."""
        if self._bb is not None:
            return
        bb = BlockBuster()
        for name, fn in bb.functions.items():
            fn.can_block_predicate = self._predicate_for(name, fn)
        bb.activate()
        self._bb = bb

    def start(self) -> None:
        self.arm()
        self.recording = True

    def stop(self) -> None:
        self.recording = False

    def disarm(self) -> None:
        self.recording = False
        if self._bb is not None:
            self._bb.deactivate()
            self._bb = None

    def clear(self) -> None:
        self.calls.clear()

    def assert_none(self, during: str, hint: str = "") -> None:
        """Fail with feedback naming each blocking call seen ``during`` something."""
        if self.calls:
            n = len(self.calls)
            raise Feedback(
                f"{n} blocking call{'s' if n > 1 else ''} ran on the event-loop thread {during}: {self.summary()}",
                "no blocking call inside async code (while one runs, every other request waits)",
                hint,
            )

    def evidence(self) -> dict:
        return {"blocking": [{"function": c.function, "where": c.where, "detail": c.detail} for c in self.calls[:100]]}

    def summary(self, limit: int = 3) -> str:
        seen: dict[str, int] = {}
        for c in self.calls:
            seen[c.describe()] = seen.get(c.describe(), 0) + 1
        parts = [f"{k} ×{n}" if n > 1 else k for k, n in list(seen.items())[:limit]]
        more = len(seen) - limit
        return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")


class SleepRecorder:
    """Records ``time.sleep`` calls made from the learner's files on *any* thread.

    blockbuster sees only the loop thread; a sync ``def`` endpoint's sleep runs in a worker
    thread, where it does not block the loop but does hold one of the server's few threads
    for nothing. Used where code is converted to async (a pause should be ``asyncio.sleep``).
    """

    def __init__(self, roots: list[Path]) -> None:
        self.roots = resolved(roots)
        self.calls: list[BlockingCall] = []
        self._original = None

    def _sleep(self, seconds: float) -> None:
        import threading

        frame = next(learner_frames(self.roots), None)
        if frame is not None:
            thread = ("the event-loop thread" if _on_loop()
                      else f"a worker thread ({threading.current_thread().name})")
            self.calls.append(BlockingCall("time.sleep", frame_place(frame, self.roots), f"{seconds} s, on {thread}"))
        self._original(seconds)

    def __enter__(self) -> SleepRecorder:
        self._original = time.sleep
        time.sleep = self._sleep
        # `from time import sleep` in the learner's modules bound the function before this.
        self._rebound = [(vars(m), k) for m in list(sys.modules.values())
                         if relative(str(getattr(m, "__file__", None) or ""), self.roots) is not None
                         for k, v in list(vars(m).items()) if v is self._original]
        for namespace, key in self._rebound:
            namespace[key] = self._sleep
        return self

    def __exit__(self, *exc) -> None:
        time.sleep = self._original
        for namespace, key in self._rebound:
            namespace[key] = self._original

    def summary(self) -> str:
        return "; ".join(c.describe() for c in self.calls[:3]) + (" ..." if len(self.calls) > 3 else "")


def _on_loop() -> bool:
    try:
        asyncio.get_running_loop()
        return True
    except RuntimeError:
        return False


class LoopLagMonitor:
    """Ticks every ``interval`` s on the running loop and records how late each tick was.

    A tick that arrives 140 ms late means something held the loop thread for ~140 ms
    (CPU work inline, or a blocking call). Measured from inside the loop, so it does not
    depend on how fast the machine is, only on how long the loop was held.
    """

    def __init__(self, interval: float = 0.005) -> None:
        self.interval = interval
        self.gaps: list[float] = []
        self.ticks: list[float] = []  # when each gap ended, from the monitor's start
        self._task: asyncio.Task | None = None
        self._t0 = 0.0
        evidence.register(self)

    async def _run(self) -> None:
        self._t0 = time.perf_counter()
        while True:
            before = time.perf_counter()
            await asyncio.sleep(self.interval)
            now = time.perf_counter()
            self.gaps.append(now - before - self.interval)
            self.ticks.append(now - self._t0)

    def evidence(self) -> dict:
        if not self.gaps:
            return {}
        points = [[round(t, 4), round(max(g, 0.0), 4)] for t, g in zip(self.ticks, self.gaps, strict=False)]
        return {"loop_lag": {"interval": self.interval, "max": round(self.max_lag, 4),
                             "points": evidence.downsample(points)}}

    async def __aenter__(self) -> LoopLagMonitor:
        self._task = asyncio.create_task(self._run())
        await asyncio.sleep(0)
        return self

    async def __aexit__(self, *exc) -> None:
        assert self._task is not None
        self._task.cancel()
        try:
            await self._task
        except asyncio.CancelledError:
            pass

    @property
    def max_lag(self) -> float:
        return max(self.gaps, default=0.0)

    def reset(self) -> None:
        self.gaps.clear()
        self.ticks.clear()
