"""13_capstone, another correct solution with no helper functions at all: everything inline in
the endpoint (a client per request, create_task + asyncio.wait for all of them), the
processing as a response's background= task, ids from a counter."""

import asyncio
import itertools

import httpx
from fastapi import FastAPI, WebSocket, WebSocketDisconnect
from fastapi.responses import JSONResponse
from starlette.background import BackgroundTask

UPSTREAM_URL = "https://api.example.com"
PROCESS_DELAY = 0.3

app = FastAPI(title="13 · capstone")
listeners: set[WebSocket] = set()
ids = itertools.count(1)


@app.get("/aggregate")
async def aggregate():
    async with httpx.AsyncClient() as client:
        tasks = {asyncio.create_task(client.get(f"{UPSTREAM_URL}/{name}")): name
                 for name in ("users", "orders", "inventory")}
        done, _ = await asyncio.wait(tasks)  # all of them: nothing is left running
        failed = [name for task, name in tasks.items() if task.exception() is not None
                  or not task.result().is_success]
        if failed:
            return JSONResponse({"detail": "Upstream failed: " + ", ".join(sorted(failed))}, status_code=502)
        data = {tasks[task]: task.result().json() for task in done}

    report_id = f"report-{next(ids)}"

    async def process() -> None:
        await asyncio.sleep(PROCESS_DELAY)
        message = {"event": "report_ready", "report_id": report_id,
                   "summary": {name: len(value) for name, value in data.items()}}
        for ws in list(listeners):
            try:
                await ws.send_json(message)
            except Exception:
                listeners.discard(ws)

    return JSONResponse({**data, "report_id": report_id}, background=BackgroundTask(process))


@app.websocket("/ws/updates")
async def updates(websocket: WebSocket) -> None:
    await websocket.accept()
    listeners.add(websocket)
    try:
        while True:
            await websocket.receive_text()
    except WebSocketDisconnect:
        listeners.discard(websocket)
