"""Exercise 13: the capstone. See README.md for the tasks.

Run it: nox -s serve -- 13   (from the kit's root). Connect a WebSocket client to
ws://127.0.0.1:8000/ws/updates (e.g. `python -m websockets ws://127.0.0.1:8000/ws/updates`),
then open /aggregate (api.example.com is a placeholder: without a real API behind
UPSTREAM_URL you get a 502, and no update).
"""

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import BackgroundTasks, FastAPI, HTTPException, Request, WebSocket, WebSocketDisconnect

UPSTREAM_URL = "https://api.example.com"
RESOURCES = ("users", "orders", "inventory")  # GET {UPSTREAM_URL}/users, /orders, /inventory
PROCESS_DELAY = 0.3  # seconds of simulated processing per report; graders change it
TIMEOUT = 10.0


class UpstreamError(Exception):
    """Raised by fetch_all when upstreams failed; ``failed`` lists their names."""

    def __init__(self, failed: list[str]) -> None:
        super().__init__(f"Upstream failed: {', '.join(failed)}")
        self.failed = failed


class ConnectionManager:
    """The clients of WS /ws/updates, and delivery of an update to all of them."""

    def __init__(self) -> None:
        self.connections: set[WebSocket] = set()

    async def connect(self, websocket: WebSocket) -> None:
        await websocket.accept()
        self.connections.add(websocket)

    def disconnect(self, websocket: WebSocket) -> None:
        self.connections.discard(websocket)

    async def broadcast(self, message: dict) -> None:
        # TODO(5): send `message` as JSON (websocket.send_json) to every connection. A
        # connection that fails (its client is gone) is dropped, and the others still get it.
        raise NotImplementedError("task 5: ConnectionManager.broadcast")
        # END TODO


manager = ConnectionManager()


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    # TODO(1): open ONE httpx.AsyncClient(timeout=TIMEOUT) for the app's lifetime, reachable
    # from the endpoint as app.state.client, and close it on shut-down.
    yield  # replace this line: the app starts, but has no client yet
    # END TODO


app = FastAPI(title="13 · capstone", lifespan=lifespan)


async def fetch_resource(client: httpx.AsyncClient, name: str) -> Any:
    # TODO(1): GET {UPSTREAM_URL}/{name} and return its JSON. A non-2xx answer must raise
    # (response.raise_for_status() raises httpx.HTTPStatusError, an httpx.HTTPError).
    raise NotImplementedError("task 1: fetch_resource")
    # END TODO


async def fetch_all(client: httpx.AsyncClient) -> dict[str, Any]:
    # TODO(2): run fetch_resource(client, name) for every name in RESOURCES *concurrently* and
    # return {name: json}. If any failed, raise UpstreamError(<the names of every one that
    # failed>), leaving no request running (asyncio.TaskGroup cancels the others for you).
    raise NotImplementedError("task 2: fetch_all")
    # END TODO


async def process_report(report_id: str, data: dict[str, Any]) -> None:
    # TODO(4): simulate PROCESS_DELAY seconds of work without blocking the loop (read
    # PROCESS_DELAY here, when it runs), build the summary {name: len(data[name])} and push
    # {"event": "report_ready", "report_id": report_id, "summary": summary} with manager.broadcast.
    raise NotImplementedError("task 4: process_report")
    # END TODO


@app.get("/aggregate")
async def aggregate(request: Request, background_tasks: BackgroundTasks) -> dict:
    # TODO(3): fetch_all with the shared client; an UpstreamError becomes a 502 whose detail
    # names the failed upstreams (and nothing is scheduled). Otherwise give the report a new
    # unique id (str(uuid.uuid4())), schedule process_report to run *after* the response
    # (background_tasks.add_task), and return {"users": ..., "orders": ..., "inventory": ...,
    # "report_id": ...}.
    raise NotImplementedError("task 3: GET /aggregate")
    # END TODO


@app.websocket("/ws/updates")
async def updates(websocket: WebSocket) -> None:
    # TODO(6): join (manager.connect), then wait until the client leaves: receive in a loop
    # and ignore whatever it sends. Leaving is normal: on WebSocketDisconnect,
    # manager.disconnect it and end quietly.
    raise NotImplementedError("task 6: WS /ws/updates")
    # END TODO
