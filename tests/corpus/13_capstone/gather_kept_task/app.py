"""13_capstone, another correct solution: a client per request, gather(return_exceptions=True),
processing in an asyncio.create_task kept in a set until it is done, broadcast with gather."""

import asyncio
import secrets
from typing import Any

import httpx
from fastapi import FastAPI, HTTPException, WebSocket, WebSocketDisconnect

UPSTREAM_URL = "https://api.example.com"
RESOURCES = ("users", "orders", "inventory")
PROCESS_DELAY = 0.3

app = FastAPI(title="13 · capstone")

clients: list[WebSocket] = []
background: set[asyncio.Task] = set()  # strong references: the loop only keeps weak ones


async def fetch_resource(client: httpx.AsyncClient, name: str) -> Any:
    response = await client.get(f"{UPSTREAM_URL}/{name}")
    response.raise_for_status()
    return response.json()


async def push(message: dict) -> None:
    targets = list(clients)
    results = await asyncio.gather(*(ws.send_json(message) for ws in targets), return_exceptions=True)
    for ws, result in zip(targets, results, strict=True):
        if isinstance(result, Exception) and ws in clients:
            clients.remove(ws)


async def process_report(report_id: str, data: dict[str, Any]) -> None:
    await asyncio.sleep(PROCESS_DELAY)
    await push({"event": "report_ready", "report_id": report_id,
                "summary": {name: len(value) for name, value in data.items()}})


@app.get("/aggregate")
async def aggregate() -> dict:
    async with httpx.AsyncClient(timeout=10.0) as client:
        results = await asyncio.gather(*(fetch_resource(client, n) for n in RESOURCES), return_exceptions=True)
    failed = [name for name, r in zip(RESOURCES, results, strict=True) if isinstance(r, Exception)]
    if failed:
        raise HTTPException(status_code=502, detail=f"Upstream failed: {', '.join(failed)}")
    data = dict(zip(RESOURCES, results, strict=True))
    report_id = secrets.token_hex(8)
    task = asyncio.create_task(process_report(report_id, data))
    background.add(task)
    task.add_done_callback(background.discard)
    return {**data, "report_id": report_id}


@app.websocket("/ws/updates")
async def updates(websocket: WebSocket) -> None:
    await websocket.accept()
    clients.append(websocket)
    try:
        async for _ in websocket.iter_text():
            pass
    except WebSocketDisconnect:
        pass
    finally:
        if websocket in clients:
            clients.remove(websocket)
