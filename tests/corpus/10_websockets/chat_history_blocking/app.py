"""Exercise 10: WebSockets. See README.md for the tasks.

Run it: uvicorn app:app --reload   (from this folder), then open http://127.0.0.1:8000/
"""

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
        <form action="" onsubmit="sendMessage(event)">
            <input type="text" id="messageText" autocomplete="off"/>
            <button>Send</button>
        </form>
        <ul id="messages">
        </ul>
        <script>
            const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
            var ws = new WebSocket(`${scheme}//${window.location.host}/ws`);
            ws.onmessage = function(event) {
                var messages = document.getElementById("messages");
                var message = document.createElement("li");
                var content = document.createTextNode(event.data);
                message.appendChild(content);
                messages.appendChild(message);
            };
            function sendMessage(event) {
                var input = document.getElementById("messageText");
                ws.send(input.value);
                input.value = "";
                event.preventDefault();
            }
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
    try:
        while True:
            message = await websocket.receive_text()
            await websocket.send_text(f"Message received: {message}")
    except WebSocketDisconnect:
        pass  # the client left: nothing to report
    # END TODO


class ConnectionManager:
    """The chat room: every connected WebSocket, and delivery of a message to all of them."""

    def __init__(self) -> None:
        self.connections: set[WebSocket] = set()

    async def connect(self, websocket: WebSocket) -> None:
        await websocket.accept()
        self.connections.add(websocket)

    def disconnect(self, websocket: WebSocket) -> None:
        self.connections.discard(websocket)

    async def broadcast(self, message: str) -> None:
        # TODO(3): send `message` to every connection. A connection that fails (its client
        # is gone) is dropped, and the others still get the message.
        for connection in list(self.connections):  # a copy: failed ones are removed while we loop
            try:
                await connection.send_text(message)
            except Exception:  # WebSocketDisconnect, or RuntimeError once closed
                self.disconnect(connection)
        # END TODO


manager = ConnectionManager()


@app.websocket("/ws/chat")
async def chat(websocket: WebSocket) -> None:
    # TODO(4): join the room (manager.connect), then relay each text message, unchanged,
    # to everyone with manager.broadcast; when this client leaves, manager.disconnect it.
    await manager.connect(websocket)
    try:
        while True:
            message = await websocket.receive_text()
            with open("chat_history.log", "a", encoding="utf-8") as history:
                history.write(message + "\n")
            await manager.broadcast(message)
    except WebSocketDisconnect:
        pass
    finally:
        manager.disconnect(websocket)
    # END TODO
