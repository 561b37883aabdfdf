"""Correct: the client travels in lifespan state (yield a dict), read from request.state."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, TypedDict

import httpx
from fastapi import FastAPI, HTTPException, Request

UPSTREAM_URL = "https://api.example.com"
TIMEOUT = 5.0


class State(TypedDict):
    client: httpx.AsyncClient


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[State]:
    async with httpx.AsyncClient(timeout=httpx.Timeout(TIMEOUT, connect=2.0)) as client:
        yield {"client": client}


app = FastAPI(lifespan=lifespan)


@app.get("/proxy/items/{item_id}")
async def proxy_item(item_id: int, request: Request) -> Any:
    try:
        response = await request.state.client.get(f"{UPSTREAM_URL}/items/{item_id}")
    except httpx.TimeoutException as exc:
        raise HTTPException(504, "Upstream timed out") from exc
    except httpx.RequestError as exc:
        raise HTTPException(502, "Upstream unreachable") from exc
    match response.status_code:
        case 200:
            return response.json()
        case 404:
            raise HTTPException(404, "Item not found")
        case code:
            raise HTTPException(502, f"Upstream answered {code}")
