"""Exercise 10: WebSockets. See README.md for the tasks.

Run it: uvicorn app:app --reload   (from this folder), then open http://127.0.0.1:8000/
"""

import asyncio

from fastapi import FastAPI, WebSocket, WebSocketDisconnect
from fastapi.responses import HTMLResponse

app = FastAPI(title="10 · websockets")

# TODO(1): the page's script must open the WebSocket on the page's *own* host and port,
# with ws: or wss: following the page's scheme, both taken from window.location; a
# hard-coded "ws://localhost:8000/ws" breaks as soon as the app runs anywhere else.
PAGE = """<!DOCTYPE html>
<html>
    <head>
        <title>Chat</title>
    </head>
    <body>
        <h1>WebSocket Chat</h1>
        <form id="chat-form">
            <input type="text" id="messageText" autocomplete="off"/>
            <button type="submit">Send</button>
        </form>
        <ul id="messages"></ul>
        <script>
            const url = new URL("/ws", window.location.href);
            url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
            const socket = new WebSocket(url);
            const list = document.getElementById("messages");
            socket.addEventListener("message", (event) => {
                list.insertAdjacentHTML("beforeend", "<li></li>");
                list.lastElementChild.textContent = event.data;
            });
            document.getElementById("chat-form").addEventListener("submit", (event) => {
                event.preventDefault();
                const input = document.getElementById("messageText");
                socket.send(input.value);
                input.value = "";
            });
        </script>
    </body>
</html>
"""
# END TODO


@app.get("/", response_class=HTMLResponse)
async def page() -> str:
    return PAGE


@app.websocket("/ws")
async def echo(websocket: WebSocket) -> None:
    # TODO(2): accept the connection, then answer every text message m with
    # "Message received: m" until the client leaves; a client leaving is normal, not an
    # error: end quietly.
    await websocket.accept()
    async for message in websocket.iter_text():  # ends quietly when the client disconnects
        await websocket.send_text(f"Message received: {message}")
    # END TODO


class ConnectionManager:
    """The chat room: every connected WebSocket, and delivery of a message to all of them."""

    def __init__(self) -> None:
        self.connections: list[WebSocket] = []

    async def connect(self, websocket: WebSocket) -> None:
        await websocket.accept()
        self.connections.append(websocket)

    def disconnect(self, websocket: WebSocket) -> None:
        if websocket in self.connections:
            self.connections.remove(websocket)

    async def broadcast(self, message: str) -> None:
        # TODO(3): send `message` to every connection. A connection that fails (its client
        # is gone) is dropped, and the others still get the message.
        targets = list(self.connections)
        results = await asyncio.gather(*(ws.send_text(message) for ws in targets), return_exceptions=True)
        for ws, result in zip(targets, results):
            if isinstance(result, Exception):
                self.disconnect(ws)
        # END TODO


manager = ConnectionManager()


@app.websocket("/ws/chat")
async def chat(websocket: WebSocket) -> None:
    # TODO(4): join the room (manager.connect), then relay each text message, unchanged,
    # to everyone with manager.broadcast; when this client leaves, manager.disconnect it.
    await manager.connect(websocket)
    try:
        async for message in websocket.iter_text():
            await manager.broadcast(message)
    finally:
        manager.disconnect(websocket)
    # END TODO
