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
class Escaped:
    """An exception that escaped the app, and the request it ended."""

    exc: BaseException
    request: str  # "GET /items" ("" outside HTTP)
    status: int | None  # the status of the response already started, if any
    sent: bool  # the whole response had been sent


@dataclass
class AppErrors:
    """Exceptions that escaped the app (with the request each ended), and error logs."""

    roots: list[Path]
    exceptions: list[BaseException] = field(default_factory=list)
    logs: list[str] = field(default_factory=list)
    escaped: list[Escaped] = field(default_factory=list)

    def wrap(self, app):
        async def recording_app(scope, receive, send):
            response: dict = {}

            async def watching_send(message):
                if message["type"] == "http.response.start":
                    response["status"] = message["status"]
                elif message["type"] == "http.response.body" and not message.get("more_body", False):
                    response["sent"] = True
                await send(message)

            try:
                await app(scope, receive, watching_send if scope["type"] == "http" else send)
            except Exception as exc:
                self.exceptions.append(exc)
                request = f"{scope.get('method', '')} {scope.get('path', '')}" if scope["type"] == "http" else ""
                self.escaped.append(Escaped(exc, request, response.get("status"), response.get("sent", False)))
                raise

        return recording_app

    def last(self) -> str:
        if not self.exceptions:
            return ""
        return describe_exception(self.exceptions[-1], self.roots)

    def check_none_after_success(self) -> None:
        """Fail when an exception escaped after a response that said the request succeeded.

        A 5xx already tells the grader (and the client) that something broke; a 2xx, 3xx or
        4xx followed by an exception hides a crash: a dependency's clean-up or a background
        task failed after the response was on its way, and its work was not done."""
        hidden = [e for e in self.escaped if e.status is not None and e.status < 500]
        if not hidden:
            return
        first = hidden[0]
        when = "after it was sent" if first.sent else "while it was being sent"
        more = f" ({len(hidden) - 1} more request(s) ended the same way)" if len(hidden) > 1 else ""
        raise Feedback(
            f"{first.request} answered {first.status}, then {when} your app raised "
            f"{describe_exception(first.exc, self.roots)}{more}",
            "a request that succeeds to end without an exception escaping the app",
            "Code that runs after the response still runs for this request: the clean-up after "
            "a dependency's `yield` (its `finally:`) and background tasks. The client saw success, "
            "but the server logged a crash and that code's work (releasing a connection, storing a "
            "result) was not finished. Make that code succeed, or handle the error where it happens.",
        )


def reject_on_event(app) -> None:
    """The common rules: start-up and shut-down work goes in a lifespan, never in on_event."""
    router = getattr(app, "router", None)
    handlers = [(kind, h) for kind in ("startup", "shutdown") for h in getattr(router, f"on_{kind}", None) or []]
    if not handlers:
        return
    named = []
    for kind, handler in handlers:
        code = getattr(handler, "__code__", None)
        where = f" ({Path(code.co_filename).name}, line {code.co_firstlineno})" if code else ""
        named.append(f"{kind}: {getattr(handler, '__name__', repr(handler))}{where}")
    raise Feedback(
        f"your app registers @app.on_event handlers ({'; '.join(named)})",
        "start-up and shut-down work in a lifespan, as the exercise rules ask",
        "on_event is deprecated. Write one function: `@asynccontextmanager async def lifespan(app): "
        "<start-up>; yield; <shut-down>` and pass it as `FastAPI(lifespan=lifespan)`. What start-up "
        "opens, shut-down closes in the same place (a `try/finally` or `async with` around the `yield`).",
    )


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
    reject_on_event(app)
    errors = AppErrors(roots)
    async with lifespan_of(app, errors, timeout) as started:
        async with AppClient(started, errors, timeout) as client:
            yield client
    errors.check_none_after_success()  # reached only when the block itself succeeded


class _LogCatcher(logging.Handler):
    """Every record at ERROR or above from any logger (the learner's own included, even one
    that does not propagate), and uvicorn's warnings too."""

    def __init__(self, sink: list[str]) -> None:
        super().__init__(logging.WARNING)
        self.sink = sink
        self._original = logging.Logger.callHandlers

    def emit(self, record: logging.LogRecord) -> None:
        msg = record.getMessage()
        if record.name != "uvicorn.error":
            msg = f"{record.levelname} from logger '{record.name}': {msg}"
        if record.exc_info and record.exc_info[1] is not None:
            msg += f" ({type(record.exc_info[1]).__name__}: {record.exc_info[1]})"
        self.sink.append(msg)

    def __enter__(self) -> _LogCatcher:
        catcher, original = self, self._original

        def call_handlers(logger: logging.Logger, record: logging.LogRecord) -> None:
            uvicorn_warning = record.name == "uvicorn.error" and record.levelno >= logging.WARNING
            if record.levelno >= logging.ERROR or uvicorn_warning:
                catcher.handle(record)
            original(logger, record)

        logging.Logger.callHandlers = call_handlers
        return self

    def __exit__(self, *exc: object) -> None:
        logging.Logger.callHandlers = self._original


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
    reject_on_event(app)
    errors = AppErrors(roots)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(errors.wrap(app), log_level="warning", lifespan="on", ws="websockets-sansio",
                            timeout_graceful_shutdown=2)
    server = uvicorn.Server(config)
    catcher = _LogCatcher(errors.logs).__enter__()
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
        catcher.__exit__()
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
        catcher.__exit__()
    errors.check_none_after_success()  # reached only when the block itself succeeded
