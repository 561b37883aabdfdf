"""Upstream API mocks: respx routes with set latency and failures, and a record of every call.

Each call is recorded with its start and end on the loop clock, so a grader can say how
many calls were in flight at once, which is evidence of concurrency that does not depend
on how fast the machine is.

Calls made through a synchronous ``httpx.Client`` are answered too (respx calls side
effects synchronously for those) and recorded with ``client="sync"`` and the thread they
ran on (``"loop"``: the event-loop thread, blocked meanwhile; ``"worker"``: a thread pool),
so a grader can say "your app still uses a sync client" instead of seeing a crash. Their
times come from ``time.monotonic()``, the loop clock's source outside looptime.
"""

from __future__ import annotations

import asyncio
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import respx

from grading import evidence
from grading.probes.paths import ends_with

UPSTREAM_URL = "https://api.example.com"


@dataclass
class Call:
    method: str
    path: str
    start: float
    end: float | None = None
    outcome: str = "pending"  # "200", "503", "ConnectError", "cancelled", ...
    client: str = "async"  # "async" (httpx.AsyncClient) or "sync" (httpx.Client)
    thread: str = "loop"  # "loop" (the event-loop thread) or "worker" (no running loop there)


@dataclass
class Behaviour:
    json: Any = None
    status: int = 200
    delay: float = 0.0
    error: type[Exception] | Exception | None = None


@dataclass
class Upstream:
    """The mocked API under ``UPSTREAM_URL``. Use inside a grader via the ``upstream`` fixture."""

    router: respx.MockRouter
    base_url: str = UPSTREAM_URL
    calls: list[Call] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0

    def route(self, path: str, json: Any = None, *, status: int = 200, delay: float = 0.0,
              error: type[Exception] | Exception | None = None, method: str = "GET",
              first: list[dict] | None = None) -> Behaviour:
        """Serve ``path``: after ``delay`` s answer ``status``/``json``, or raise ``error``.

        ``error=httpx.ReadTimeout`` is how a timeout is simulated: respx does not enforce
        client timeouts, so the mock raises what the client would have raised.
        ``first=[{"status": 503}, {"error": httpx.ConnectError}]``: the first calls answer
        with these overrides, in order (a flaky upstream, for retries); later calls as above.
        """
        behaviour = Behaviour(json=json, status=status, delay=delay, error=error)
        overrides = [Behaviour(**{**vars(behaviour), **o}) for o in first or []]
        self.router.route(method=method, url=f"{self.base_url}{path}").mock(
            side_effect=self._responder(behaviour, overrides)
        )
        return behaviour

    def _responder(self, steady: Behaviour, first: list[Behaviour] | None = None):
        served = [0]  # calls to this route so far

        def behaviour_now() -> Behaviour:
            n = served[0]
            served[0] += 1
            return first[n] if first and n < len(first) else steady

        async def respond(request: httpx.Request) -> httpx.Response:
            b = behaviour_now()
            loop = asyncio.get_running_loop()
            call = Call(request.method, request.url.path, loop.time())
            self._enter(call)
            try:
                if b.delay:
                    await asyncio.sleep(b.delay)
                return self._answer(b, call, request)
            except asyncio.CancelledError:
                call.outcome = "cancelled"
                raise
            finally:
                self._leave(call, loop.time())

        def respond_sync(request: httpx.Request) -> httpx.Response:
            b = behaviour_now()
            try:
                asyncio.get_running_loop()
                thread = "loop"
            except RuntimeError:
                thread = "worker"
            call = Call(request.method, request.url.path, time.monotonic(), client="sync", thread=thread)
            self._enter(call)
            try:
                if b.delay:
                    threading.Event().wait(b.delay)  # a real wait, as a sync client's would be
                return self._answer(b, call, request)
            finally:
                self._leave(call, time.monotonic())

        def side_effect(request: httpx.Request):
            # respx awaits what an async client's side effect returns, and takes a sync
            # client's answer as it is.
            return respond_sync(request) if _from_sync_client() else respond(request)

        return side_effect

    # Counted from the calls themselves, without a lock: a sync client's calls may come from
    # worker threads, and a lock taken on the loop thread would itself look like blocking.
    def _enter(self, call: Call) -> None:
        self.calls.append(call)
        self.in_flight = sum(1 for c in list(self.calls) if c.end is None)
        self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def _leave(self, call: Call, end: float) -> None:
        call.end = end
        self.in_flight = sum(1 for c in list(self.calls) if c.end is None)

    @staticmethod
    def _answer(b: Behaviour, call: Call, request: httpx.Request) -> httpx.Response:
        if b.error is not None:
            err = b.error(f"simulated {getattr(b.error, '__name__', 'error')}", request=request) \
                if isinstance(b.error, type) else b.error
            call.outcome = type(err).__name__
            raise err
        call.outcome = str(b.status)
        return httpx.Response(b.status, json=b.json if b.json is not None else {}, request=request)

    # --- evidence ----------------------------------------------------------------------

    def calls_to(self, path: str) -> list[Call]:
        return [c for c in self.calls if c.path == path]

    @property
    def span(self) -> float:
        """Loop time from the first call's start to the last call's end."""
        if not self.calls:
            return 0.0
        ends = [c.end for c in self.calls if c.end is not None]
        return (max(ends) if ends else self.calls[0].start) - min(c.start for c in self.calls)

    @property
    def sync_calls(self) -> list[Call]:
        """Calls made through a synchronous ``httpx.Client``."""
        return [c for c in self.calls if c.client == "sync"]

    @property
    def still_running(self) -> list[Call]:
        return [c for c in self.calls if c.end is None]

    def timeline(self) -> str:
        """Text picture of the calls: which overlapped and which ran one after another."""
        if not self.calls:
            return "  (no upstream calls were made)"
        t0 = min(c.start for c in self.calls)
        t1 = max((c.end if c.end is not None else c.start) for c in self.calls)
        width = 28  # with the labels, a line fits 80 columns
        scale = width / (t1 - t0) if t1 > t0 else 0
        lines = []
        for c in self.calls:
            start = c.start - t0
            end = (c.end if c.end is not None else t1) - t0
            a = int(start * scale)
            z = max(a + 1, int(end * scale))
            bar = " " * a + "█" * (z - a)
            done = f"{end:5.2f}s" if c.end is not None else "  ... "
            lines.append(f"  {c.method} {c.path[:14]:<14} {start:5.2f}s→{done} |{bar:<{width}}| {c.outcome[:12]}")
        return "\n".join(lines)

    def evidence(self) -> dict:
        """The calls as data (see grading.evidence), for reporters that draw a timeline."""
        if not self.calls:
            return {}
        t0 = min(c.start for c in self.calls)
        calls = [{"method": c.method, "path": c.path, "start": round(c.start - t0, 4),
                  "end": None if c.end is None else round(c.end - t0, 4), "outcome": c.outcome,
                  "client": c.client, "thread": c.thread} for c in self.calls[:200]]
        return {"upstream": {"calls": calls, "max_in_flight": self.max_in_flight}}

    def concurrency_summary(self) -> str:
        n = len(self.calls)
        shape = "overlapped" if self.max_in_flight > 1 else "ran one after another"
        return (f"{n} upstream call{'s' if n != 1 else ''} {shape}, {self.max_in_flight} in flight at most, "
                f"{self.span:.2f} s in all")


def _from_sync_client() -> bool:
    """Whether respx is resolving this request for a sync client (``resolve``, not ``aresolve``)."""
    frame = sys._getframe(2)
    while frame is not None:
        code = frame.f_code
        if ends_with(code.co_filename, "respx/router.py"):
            if code.co_name == "aresolve":
                return False
            if code.co_name == "resolve":
                return True
        frame = frame.f_back
    return False


def mock_upstream(*, pass_local: bool = True) -> tuple[respx.MockRouter, Upstream]:
    """A started respx router that lets loopback through (for a live server) and records
    any request to an unmocked URL instead of letting it reach the network."""
    router = respx.mock(assert_all_called=False, assert_all_mocked=True)
    upstream = evidence.register(Upstream(router))
    if pass_local:
        router.route(host="127.0.0.1").pass_through()
        router.route(host="localhost").pass_through()
    return router, upstream
