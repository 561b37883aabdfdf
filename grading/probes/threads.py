"""Make looptime's virtual clock wait for FastAPI's worker threads.

looptime moves its clock on as soon as the loop has nothing to run, waiting in real time
only while a ``loop.run_in_executor`` future is pending. FastAPI runs ``def`` endpoints,
``def`` dependencies and sync background tasks through ``anyio.to_thread.run_sync``, whose
threads it does not see: a grader's ``asyncio.timeout(10)`` then "expires" after no real time
at all, and a correct solution fails at random.

``threads_seen_by_loop_clock`` wraps ``anyio.to_thread.run_sync`` so that, while a call runs
in anyio's thread, a watcher future from ``run_in_executor`` stays pending beside it. anyio
itself still runs the call (its limiter, cancellation and ``anyio.from_thread`` keep working);
the watcher only tells the clock that something outside the loop is still working.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import anyio.to_thread

WATCH_LIMIT = 60.0  # seconds a watcher waits at most
# Watchers only wait on an Event; anyio's own default limit is 40 threads.
_watchers = ThreadPoolExecutor(max_workers=48, thread_name_prefix="grading-thread-watch")


@contextmanager
def threads_seen_by_loop_clock() -> Iterator[None]:
    original = anyio.to_thread.run_sync

    async def run_sync(func, *args, **kwargs):
        done = threading.Event()
        # Bounded, so that a call abandoned mid-way never keeps a watcher (or the exit) waiting.
        asyncio.get_running_loop().run_in_executor(_watchers, done.wait, WATCH_LIMIT)
        try:
            return await original(func, *args, **kwargs)
        finally:
            done.set()

    run_sync.__wrapped__ = original
    anyio.to_thread.run_sync = run_sync
    try:
        yield
    finally:
        anyio.to_thread.run_sync = original
