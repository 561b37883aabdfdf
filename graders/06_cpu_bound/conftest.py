"""What 06's public and hidden graders share (its conftest): which process pools the app builds and uses,
its worker processes, and what fib costs on this machine's CPU clock.

Evidence that holds under every multiprocessing start method: with fork a pool starts all
its workers at the first task, with spawn and forkserver (macOS, Windows, Linux from
Python 3.14) it starts them one at a time as tasks arrive, so counting new worker PIDs
cannot tell "one pool, reused" from "a pool per request". Counting the pools built can.
"""

import asyncio
import multiprocessing
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class PoolRecorder:
    """ProcessPoolExecutors built and given work while recording, each tagged with ``stage``."""

    stage: str = "start-up"
    built: list[tuple[str, ProcessPoolExecutor]] = field(default_factory=list)
    used: list[tuple[str, ProcessPoolExecutor]] = field(default_factory=list)

    def built_in(self, *stages: str) -> list[ProcessPoolExecutor]:
        return [pool for stage, pool in self.built if stage in stages]

    def used_in(self, *stages: str) -> list[ProcessPoolExecutor]:
        return [pool for stage, pool in self.used if stage in stages]


@contextmanager
def record_pools() -> Iterator[PoolRecorder]:
    """Record every ProcessPoolExecutor built and every task submitted to one (run_in_executor
    and asyncio.wrap_future(pool.submit(...)) both go through submit), subclasses included."""
    recorder = PoolRecorder()
    init, submit = ProcessPoolExecutor.__init__, ProcessPoolExecutor.submit

    def recording_init(self, *args, **kwargs):
        init(self, *args, **kwargs)
        recorder.built.append((recorder.stage, self))

    def recording_submit(self, fn, /, *args, **kwargs):
        recorder.used.append((recorder.stage, self))
        return submit(self, fn, *args, **kwargs)

    ProcessPoolExecutor.__init__, ProcessPoolExecutor.submit = recording_init, recording_submit
    try:
        yield recorder
    finally:
        ProcessPoolExecutor.__init__, ProcessPoolExecutor.submit = init, submit


def children() -> set[int]:
    return {p.pid for p in multiprocessing.active_children()}


async def gone(pids: set[int], limit: float = 2.0) -> set[int]:
    """The pids in ``pids`` still alive after waiting up to ``limit`` s for them to exit."""
    for _ in range(int(limit / 0.05)):
        if not pids & children():
            break
        await asyncio.sleep(0.05)
    return pids & children()


def fib(n: int) -> int:
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


def _fib(n: int) -> int:  # the exercise's naive fib: what the calibration times
    return n if n < 2 else _fib(n - 1) + _fib(n - 2)


def clock_tick(clock=time.thread_time) -> float:
    """The smallest step ``clock`` was seen to take: microseconds on Linux, 15.6 ms on Windows."""
    deadline = time.perf_counter() + 0.5
    steps: list[float] = []
    last = clock()
    while len(steps) < 3 and time.perf_counter() < deadline:
        now = clock()
        if now != last:
            steps.append(now - last)
            last = now
    return min(steps, default=0.5)


def fib_cpu_seconds(n: int) -> float:
    """CPU seconds fib(n) costs on this thread, extrapolated from repeating fib(20) until the
    thread's CPU clock has moved by 20 of its ticks (so a coarse clock is still 5 % exact)."""
    span = max(0.05, 20 * clock_tick())
    best = float("inf")
    for _ in range(2):
        calls, start = 0, time.thread_time()
        while (spent := time.thread_time() - start) < span:
            _fib(20)
            calls += 1
        best = min(best, spent / calls)
    return best * fib(n + 1) / fib(21)  # fib(n) makes about 2 fib(n + 1) calls
