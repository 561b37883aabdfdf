"""App drivers: run the learner's app in-process (with lifespan) or behind a real server.

``AppClient`` speaks ASGI directly (``httpx.ASGITransport``) after running lifespan with
asgi-lifespan, because ASGITransport alone runs none. ``LiveServer`` runs uvicorn on
127.0.0.1 with an OS-chosen port, inside the test's own event loop, for what only a
server shows: a response sent before background work ends, WebSockets over a socket.
Both record exceptions the app raised so feedback can point at the learner's line.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import uvicorn
from asgi_lifespan import LifespanManager

from grading.feedback import Feedback, describe_exception

REQUEST_TIMEOUT = 10.0


@dataclass
class AppErrors:
    """Exceptions that escaped the app, and error logs uvicorn wrote."""

    roots: list[Path]
    exceptions: list[BaseException] = field(default_factory=list)
    logs: list[str] = field(default_factory=list)

    def wrap(self, app):
        async def recording_app(scope, receive, send):
            try:
                await app(scope, receive, send)
            except Exception as exc:
                self.exceptions.append(exc)
                raise

        return recording_app

    def last(self) -> str:
        if not self.exceptions:
            return ""
        return describe_exception(self.exceptions[-1], self.roots)


def expect_status(response: httpx.Response, status: int, errors: AppErrors | None = None,
                  hint: str = "") -> None:
    """Fail with a teaching message unless ``response`` has ``status``."""
    if response.status_code == status:
        return
    body = response.text[:200]
    url = response.request.url
    target = url.path + (f"?{url.query.decode()}" if url.query else "")  # the query may be what went wrong
    observed = f"{response.request.method} {target} answered {response.status_code} {body}"
    details = ""
    if errors is not None and response.status_code >= 500 and errors.exceptions:
        details = f"Your app raised {errors.last()}."
    raise Feedback(observed, f"status {status}", hint, details)


def detail_of(response: httpx.Response) -> str:
    """The ``detail`` of a JSON error body, or "" when there is none."""
    try:
        return str(response.json().get("detail", ""))
    except (ValueError, AttributeError):
        return ""


async def _timed(coro, what: str, timeout: float):
    try:
        async with asyncio.timeout(timeout):
            return await coro
    except TimeoutError:
        raise Feedback(
            f"{what} got no answer within {timeout:.0f} s",
            "an answer in well under a second",
            "Something waits forever or holds the event loop: a missing await, a lock never "
            "released, a loop that never yields, or a blocking call.",
        ) from None


@asynccontextmanager
async def lifespan_of(app, errors: AppErrors, timeout: float = REQUEST_TIMEOUT) -> AsyncIterator[object]:
    """Run the app's lifespan around the block, with feedback if start-up or shut-down fails."""
    manager = LifespanManager(app, startup_timeout=timeout, shutdown_timeout=timeout)
    try:
        await manager.__aenter__()
    except TimeoutError:
        raise Feedback(f"the app's lifespan start-up did not finish within {timeout:.0f} s",
                       "start-up to finish and yield", "Does your lifespan reach its `yield`?") from None
    except Exception as exc:
        raise Feedback(f"the app's lifespan start-up raised {describe_exception(exc, errors.roots)}",
                       "start-up to succeed") from None
    failed = True
    try:
        yield manager.app
        failed = False
    finally:
        try:
            await manager.__aexit__(None, None, None)
        except Exception as exc:
            if not failed:
                raise Feedback(f"the app's lifespan shut-down raised {describe_exception(exc, errors.roots)}",
                               "shut-down to close resources cleanly") from None


class AppClient(httpx.AsyncClient):
    """An httpx client talking to the app in-process. Requests time out with feedback."""

    def __init__(self, app, errors: AppErrors, timeout: float = REQUEST_TIMEOUT) -> None:
        transport = httpx.ASGITransport(app=errors.wrap(app), raise_app_exceptions=False)
        super().__init__(transport=transport, base_url="http://testserver", timeout=timeout)
        self.errors = errors
        self.request_timeout = timeout

    async def request(self, method, url, *args, **kwargs) -> httpx.Response:
        return await _timed(super().request(method, url, *args, **kwargs), f"{method} {url}", self.request_timeout)


@asynccontextmanager
async def app_client(app, roots: list[Path], timeout: float = REQUEST_TIMEOUT) -> AsyncIterator[AppClient]:
    errors = AppErrors(roots)
    async with lifespan_of(app, errors, timeout) as started:
        async with AppClient(started, errors, timeout) as client:
            yield client


class _LogCatcher(logging.Handler):
    def __init__(self, sink: list[str]) -> None:
        super().__init__(logging.WARNING)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        msg = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            msg += f" ({type(record.exc_info[1]).__name__}: {record.exc_info[1]})"
        self.sink.append(msg)


@dataclass
class LiveServer:
    base_url: str
    ws_url: str
    errors: AppErrors
    server: uvicorn.Server

    def client(self, timeout: float = REQUEST_TIMEOUT) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.base_url, timeout=timeout)


@asynccontextmanager
async def live_server(app, roots: list[Path], timeout: float = REQUEST_TIMEOUT) -> AsyncIterator[LiveServer]:
    """uvicorn on 127.0.0.1:<free port> in the running loop; stopped (and lifespan shut down) on exit."""
    errors = AppErrors(roots)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(errors.wrap(app), log_level="warning", lifespan="on", ws="websockets-sansio",
                            timeout_graceful_shutdown=2)
    server = uvicorn.Server(config)
    catcher = _LogCatcher(errors.logs)
    log = logging.getLogger("uvicorn.error")
    log.addHandler(catcher)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        async with asyncio.timeout(timeout):
            while not server.started:
                if task.done():
                    break
                await asyncio.sleep(0.01)
    except TimeoutError:
        pass
    if not server.started:
        server.should_exit = True
        task.cancel()
        sock.close()
        log.removeHandler(catcher)
        raise Feedback(f"uvicorn could not start the app ({'; '.join(errors.logs) or 'start-up did not finish'})",
                       "the app to start under uvicorn", "Check your lifespan start-up.")
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}", errors, server)
    finally:
        server.should_exit = True
        try:
            async with asyncio.timeout(timeout):
                await task
        except (TimeoutError, asyncio.CancelledError, Exception):
            task.cancel()
        sock.close()
        log.removeHandler(catcher)
