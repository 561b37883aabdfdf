"""Exercise 03: async HTTP requests. See README.md for the tasks.

Run it: uvicorn app:app --reload   (from this folder), then open /proxy/items/1
(api.example.com is a placeholder: without a real API behind UPSTREAM_URL you get a 502).
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
import time
from typing import Any

import httpx
from fastapi import FastAPI, HTTPException, Request

UPSTREAM_URL = "https://api.example.com"
TIMEOUT = 5.0  # seconds: the longest we wait on the upstream API


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    # TODO(1): open ONE httpx.AsyncClient, built with an explicit timeout= (use TIMEOUT), keep
    # it where the endpoint can reach it (app.state.client), and close it on shut-down.
    async with httpx.AsyncClient(timeout=TIMEOUT) as client:
        app.state.client = client
        yield
    # END TODO


app = FastAPI(title="03 · async HTTP", lifespan=lifespan)


@app.get("/proxy/items/{item_id}")
async def proxy_item(item_id: int, request: Request) -> Any:
    # TODO(2): GET {UPSTREAM_URL}/items/{item_id} with the shared client and return its JSON.
    # Turn upstream failures into clear statuses: upstream 404 -> 404, a timeout
    # (httpx.TimeoutException) -> 504, any other non-2xx status or network error -> 502.
    client: httpx.AsyncClient = request.app.state.client
    try:
        try:
            response = await client.get(f"{UPSTREAM_URL}/items/{item_id}")
        except httpx.ConnectError:
            time.sleep(0.25)  # back off, then retry once
            response = await client.get(f"{UPSTREAM_URL}/items/{item_id}")
        response.raise_for_status()
    except httpx.TimeoutException:
        raise HTTPException(status_code=504, detail="Upstream timed out") from None
    except httpx.HTTPStatusError as exc:
        if exc.response.status_code == 404:
            raise HTTPException(status_code=404, detail="Item not found") from None
        raise HTTPException(status_code=502, detail=f"Upstream answered {exc.response.status_code}") from None
    except httpx.HTTPError as exc:
        raise HTTPException(status_code=502, detail=f"Upstream unreachable: {type(exc).__name__}") from None
    return response.json()
    # END TODO
