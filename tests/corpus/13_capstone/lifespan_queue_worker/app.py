"""13_capstone, another correct solution: the shared client and a worker task both started
in lifespan; the endpoint puts each report on an asyncio.Queue, the worker processes them.
The worker reads PROCESS_DELAY when it takes a job."""

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any

import httpx
from fastapi import FastAPI, HTTPException, Request, WebSocket, WebSocketDisconnect

UPSTREAM_URL = "https://api.example.com"
RESOURCES = ("users", "orders", "inventory")
PROCESS_DELAY = 0.3


class Hub:
    def __init__(self) -> None:
        self.sockets: dict[int, WebSocket] = {}

    async def publish(self, message: dict) -> None:
        text = json.dumps(message)
        for key, ws in list(self.sockets.items()):
            try:
                await ws.send_text(text)
            except (WebSocketDisconnect, RuntimeError, OSError):
                self.sockets.pop(key, None)


hub = Hub()


async def worker(queue: asyncio.Queue) -> None:
    while True:
        report_id, data = await queue.get()
        try:
            await asyncio.sleep(PROCESS_DELAY)
            summary = {name: len(data[name]) for name in RESOURCES}
            await hub.publish({"event": "report_ready", "report_id": report_id, "summary": summary})
        finally:
            queue.task_done()


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[dict]:
    queue: asyncio.Queue = asyncio.Queue()
    async with httpx.AsyncClient(timeout=5.0) as client:
        task = asyncio.create_task(worker(queue))
        try:
            yield {"client": client, "queue": queue}
        finally:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task


app = FastAPI(title="13 · capstone", lifespan=lifespan)


@app.get("/aggregate")
async def aggregate(request: Request) -> dict:
    client: httpx.AsyncClient = request.state.client

    async def one(name: str) -> Any:
        response = await client.get(f"{UPSTREAM_URL}/{name}")
        response.raise_for_status()
        return response.json()

    tasks: dict[str, asyncio.Task] = {}
    try:
        async with asyncio.TaskGroup() as tg:
            for name in RESOURCES:
                tasks[name] = tg.create_task(one(name))
    except* httpx.HTTPError as group:
        names = sorted({exc.request.url.path.strip("/") for exc in group.exceptions})
        raise HTTPException(status_code=502, detail="upstream error: " + ", ".join(names)) from None
    data = {name: t.result() for name, t in tasks.items()}
    report_id = uuid.uuid4().hex
    request.state.queue.put_nowait((report_id, data))
    return {**data, "report_id": report_id}


@app.websocket("/ws/updates")
async def updates(websocket: WebSocket) -> None:
    await websocket.accept()
    hub.sockets[id(websocket)] = websocket
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
    finally:
        hub.sockets.pop(id(websocket), None)
