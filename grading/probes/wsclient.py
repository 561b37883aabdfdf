"""WebSocket clients for graders, over the real socket of a ``live`` server.

Built on the ``websockets`` library's asyncio client. Every wait has a bound, and every
way a connection can go wrong (handshake refused, connection closed by the app, nothing
received) becomes feedback naming the client and what it saw, never a traceback.

    alice = await ws_connect(live, "/ws/chat", "client A")
    await alice.send("hi")
    text = await ws_recv(alice, live, "client A", expected='"hi"')
    kill(carol)  # the TCP connection dies at once, without a WebSocket close
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
