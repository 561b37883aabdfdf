"""Exercise 03: async HTTP requests. See README.md for the tasks.

Run it: nox -s serve -- 03   (from the kit's root), then open /proxy/items/1
(api.example.com is a placeholder: without a real API behind UPSTREAM_URL you get a 502).
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI, HTTPException, Request

UPSTREAM_URL = "https://api.example.com"
TIMEOUT = 5.0  # seconds: the longest we wait on the upstream API


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    # TODO(1): open ONE httpx.AsyncClient, built with an explicit timeout= (use TIMEOUT), keep
    # it where the endpoint can reach it (app.state.client), and close it on shut-down.
    yield  # replace this line: the app starts, but has no client yet
    # END TODO


app = FastAPI(title="03 · async HTTP", lifespan=lifespan)


@app.get("/proxy/items/{item_id}")
async def proxy_item(item_id: int, request: Request) -> Any:
    # TODO(2): GET {UPSTREAM_URL}/items/{item_id} with the shared client and return its JSON.
    # Turn upstream failures into clear statuses: upstream 404 -> 404, a timeout
    # (httpx.TimeoutException) -> 504, any other non-2xx status or network error -> 502.
    raise NotImplementedError("task 2: GET /proxy/items/{item_id}")
    # END TODO
