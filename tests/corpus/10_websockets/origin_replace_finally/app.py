"""10, another right answer: a dict registry, catching WebSocketDisconnect per send, try/finally."""

import itertools

from fastapi import FastAPI, WebSocket, WebSocketDisconnect
from fastapi.responses import HTMLResponse

app = FastAPI()

HTML = """<html><body>
<ul id="messages"></ul>
<form onsubmit="send(event)"><input type="text" id="text"><button>Send</button></form>
<script>
var socket = new WebSocket(location.origin.replace(/^http/, "ws") + "/ws");
socket.onmessage = function (event) {
  var li = document.createElement("li");
  li.innerText = event.data;
  document.getElementById("messages").appendChild(li);
};
function send(event) {
  event.preventDefault();
  var input = document.getElementById("text");
  socket.send(input.value);
  input.value = "";
}
</script>
</body></html>"""


@app.get("/", response_class=HTMLResponse)
def index():
    return HTML


@app.websocket("/ws")
async def echo(websocket: WebSocket):
    await websocket.accept()
    while True:
        try:
            text = await websocket.receive_text()
        except WebSocketDisconnect:
            return
        await websocket.send_text("Message received: " + text)


ids = itertools.count()
clients: dict[int, WebSocket] = {}


@app.websocket("/ws/chat")
async def chat(websocket: WebSocket):
    await websocket.accept()
    me = next(ids)
    clients[me] = websocket
    try:
        while True:
            text = await websocket.receive_text()
            for cid, other in list(clients.items()):
                try:
                    await other.send_text(text)
                except WebSocketDisconnect:
                    clients.pop(cid, None)
    except WebSocketDisconnect:
        pass
    finally:
        clients.pop(me, None)
