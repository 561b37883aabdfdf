"""10, another right answer: iter_text loops, a gather broadcast, the page's URL from new URL()."""

import asyncio

from fastapi import FastAPI, WebSocket
from fastapi.responses import HTMLResponse

app = FastAPI()

PAGE = """<!doctype html>
<title>Chat</title>
<form id="f"><input id="msg" autocomplete="off"><button type="submit">Send</button></form>
<div id="log"></div>
<script>
  const url = new URL("/ws", window.location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  const socket = new WebSocket(url);
  socket.addEventListener("message", (e) => {
    const p = document.createElement("p");
    p.textContent = e.data;
    document.getElementById("log").append(p);
  });
  document.getElementById("f").addEventListener("submit", (e) => {
    e.preventDefault();
    socket.send(document.getElementById("msg").value);
  });
</script>
"""


@app.get("/")
async def page() -> HTMLResponse:
    return HTMLResponse(PAGE)


@app.websocket("/ws")
async def echo(websocket: WebSocket) -> None:
    await websocket.accept()
    async for message in websocket.iter_text():  # ends quietly when the client leaves
        await websocket.send_text(f"Message received: {message}")


room: list[WebSocket] = []


async def broadcast(message: str) -> None:
    targets = list(room)
    results = await asyncio.gather(*(ws.send_text(message) for ws in targets), return_exceptions=True)
    for ws, result in zip(targets, results, strict=True):
        if isinstance(result, Exception) and ws in room:
            room.remove(ws)


@app.websocket("/ws/chat")
async def chat(websocket: WebSocket) -> None:
    await websocket.accept()
    room.append(websocket)
    try:
        async for message in websocket.iter_text():
            await broadcast(message)
    finally:
        if websocket in room:
            room.remove(websocket)
