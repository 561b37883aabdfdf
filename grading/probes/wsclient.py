"""WebSocket clients for graders, over the real socket of a ``live`` server.

Built on the ``websockets`` library's asyncio client. Every wait has a bound, and every
way a connection can go wrong (handshake refused, connection closed by the app, nothing
received) becomes feedback naming the client and what it saw, never a traceback.

    alice = await ws_connect(live, "/ws/chat", "client A")
    await alice.send("hi")
    text = await ws_recv(alice, live, "client A", expected='"hi"')
    kill(carol)  # the TCP connection dies at once, without a WebSocket close
    ghost = await ws_zombie(live, "/ws/updates")  # the app thinks it is connected; sends to it fail
"""

from __future__ import annotations

import asyncio
import socket

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from grading.feedback import Feedback
from grading.probes.drivers import LiveServer

WAIT = 2.0  # seconds a reply may take on loopback; replies take milliseconds


def _app_raised(live: LiveServer) -> str:
    return f"Your app raised {live.errors.last()}." if live.errors.exceptions else ""


async def ws_connect(live: LiveServer, path: str, who: str = "a client", within: float = 5.0) -> ClientConnection:
    """Open a WebSocket to ``path`` on the live server, or fail saying why not."""
    url = live.ws_url + path
    try:
        async with asyncio.timeout(within):
            return await connect(url, open_timeout=within, close_timeout=1, max_queue=None)
    except InvalidStatus as exc:
        status = exc.response.status_code
        raise Feedback(f"{who}'s WebSocket handshake to {path} was refused with HTTP {status}",
                       f"the app to accept WebSocket connections on {path}",
                       "A WebSocket endpoint starts with `await websocket.accept()`.",
                       _app_raised(live)) from None
    except TimeoutError:
        raise Feedback(f"{who} could not open a WebSocket to {path} within {within:.0f} s",
                       "the connection accepted at once",
                       "Does the endpoint reach `await websocket.accept()`?") from None
    except (InvalidHandshake, OSError, ConnectionClosed) as exc:
        raise Feedback(f"{who} could not open a WebSocket to {path}: {type(exc).__name__}: {exc}",
                       f"the app to accept WebSocket connections on {path}", "", _app_raised(live)) from None


async def ws_recv(ws: ClientConnection, live: LiveServer, who: str, expected: str, within: float = WAIT) -> str:
    """The next text message ``ws`` receives, or fail saying nothing (or a close) came."""
    try:
        async with asyncio.timeout(within):
            message = await ws.recv()
    except TimeoutError:
        raise Feedback(f"{who} received nothing within {within:.0f} s", f"{who} to receive {expected}",
                       "", _app_raised(live)) from None
    except ConnectionClosed as exc:
        code = exc.rcvd.code if exc.rcvd is not None else "none: the connection just dropped"
        raise Feedback(f"the server closed {who}'s connection (close code {code}) instead of sending {expected}",
                       f"{who} to stay connected and receive {expected}",
                       "An exception in your handler ends the connection.", _app_raised(live)) from None
    if isinstance(message, bytes):
        raise Feedback(f"{who} received a binary message {message[:60]!r}", f"a text message: {expected}",
                       "Use websocket.send_text(...).")
    return message


async def ws_silence(ws: ClientConnection, within: float = 0.2) -> str | None:
    """A message that arrives within ``within`` s (None if none): to check nothing extra came."""
    try:
        async with asyncio.timeout(within):
            message = await ws.recv()
    except (TimeoutError, ConnectionClosed):
        return None
    return message if isinstance(message, str) else repr(message)


def kill(ws: ClientConnection) -> None:
    """End the client's TCP connection at once, as a crashed browser or a dropped network would.

    The FIN leaves now (``shutdown``), not at the loop's next turn as with
    ``transport.abort()`` alone, so a message another client sends right after this call
    reaches the server in the same loop iteration as the news of this client's death: the
    server learns of the death first, but the dead client's handler has not run yet, so it
    is still registered when the other client's message is broadcast.
    """
    sock = ws.transport.get_extra_info("socket")
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
    ws.transport.abort()


class Zombie:
    """A WebSocket connection whose network is gone while the app has not heard yet: the app
    accepted it and still waits on its ``receive``, but every send to it fails, as uvicorn's
    does once the peer has vanished (``ClientDisconnected``, an ``OSError``, which Starlette
    turns into ``WebSocketDisconnect(1006)``). A killed TCP connection is noticed by the app's
    receive loop within a loop turn; a zombie stays registered until a send meets it, so a
    broadcast that stops at the first failed send is caught every time, not by a race."""

    def __init__(self, app, scope: dict, errors=None) -> None:  # noqa: ANN001
        self.errors = errors  # the live server's AppErrors
        self.accepted = asyncio.Event()
        self.sends = 0  # sends the app tried (each one failed)
        self._gone = asyncio.Event()
        self._connected = False
        self.task = asyncio.create_task(app(scope, self._receive, self._send))

    async def _receive(self) -> dict:
        if not self._connected:
            self._connected = True
            return {"type": "websocket.connect"}
        await self._gone.wait()
        return {"type": "websocket.disconnect", "code": 1006, "reason": ""}

    async def _send(self, message: dict) -> None:
        if message["type"] == "websocket.accept":
            self.accepted.set()
            return
        if message["type"] in ("websocket.send", "websocket.close"):
            self.sends += message["type"] == "websocket.send"
            raise _peer_gone()  # its receive still waits: the app hears of the loss only at close()

    async def close(self) -> None:
        """Let the app's handler see the disconnect and end. What it raises or logs now is not
        held against the app: a manager that dropped the zombie at the failed send and drops
        it again on the disconnect (``list.remove`` twice) meets a case that real clients
        reach only by a race, and that is not what a zombie is for."""
        before = (len(self.errors.exceptions), len(self.errors.logs), len(self.errors.escaped)) if self.errors else None
        self._gone.set()
        try:
            async with asyncio.timeout(2):
                await asyncio.shield(self.task)
        except TimeoutError:
            self.task.cancel()
        except Exception:  # noqa: BLE001, S110  # it escaped the app: AppErrors recorded it
            pass
        if before is not None:
            del self.errors.exceptions[before[0]:], self.errors.logs[before[1]:], self.errors.escaped[before[2]:]


def _peer_gone() -> OSError:
    try:
        from uvicorn.protocols.utils import ClientDisconnected
    except ImportError:  # pragma: no cover - an older uvicorn
        return ConnectionResetError("the client's connection is gone")
    return ClientDisconnected()


async def ws_zombie(live: LiveServer, path: str, who: str = "a vanished client", within: float = 5.0) -> Zombie:
    """Connect a ``Zombie`` to ``path`` of the live server's app, in the server's own loop and
    with its lifespan state, as uvicorn would have connected it."""
    host, port = live.base_url.removeprefix("http://").split(":")
    state = getattr(getattr(live.server, "lifespan", None), "state", {})
    scope = {"type": "websocket", "asgi": {"version": "3.0", "spec_version": "2.4"}, "http_version": "1.1",
             "scheme": "ws", "server": (host, int(port)), "client": ("127.0.0.1", 9), "root_path": "",
             "path": path, "raw_path": path.encode(), "query_string": b"", "subprotocols": [],
             "headers": [(b"host", f"{host}:{port}".encode()), (b"connection", b"upgrade"), (b"upgrade", b"websocket"),
                         (b"sec-websocket-version", b"13")],
             "state": dict(state)}
    zombie = Zombie(live.server.config.app, scope, live.errors)
    try:
        async with asyncio.timeout(within):
            await zombie.accepted.wait()
    except TimeoutError:
        await zombie.close()
        raise Feedback(f"{who} could not open a WebSocket to {path} within {within:.0f} s",
                       "the connection accepted at once",
                       "Does the endpoint reach `await websocket.accept()`?", _app_raised(live)) from None
    return zombie


async def close_all(*clients: ClientConnection) -> None:
    """Close clients politely, ignoring any that are already gone."""
    for ws in clients:
        try:
            async with asyncio.timeout(1.5):
                await ws.close()
        except Exception:  # noqa: BLE001  # already closed, killed or stuck: abort it
            ws.transport.abort()


async def settle() -> None:
    """Let the server's handlers run: accept and register new clients, notice closed ones."""
    await asyncio.sleep(0.1)


def assert_quiet(live: LiveServer, during: str, hint: str) -> None:
    """Feedback unless the server stayed quiet: nothing in uvicorn's error log, no exception
    escaped the app (a client leaving is normal, not an error)."""
    from grading.feedback import check

    problems = [*live.errors.logs, *(f"{type(e).__name__}: {e}" for e in live.errors.exceptions)]
    check(not problems, f"the server logged errors {during}: {'; '.join(problems)[:400]}",
          "clients leaving to be handled quietly: no exception, nothing in the error log", hint)
