"""Exercise 04: several async operations at once. See README.md for the tasks.

Run it: nox -s serve -- 04   (from the kit's root), then open /dashboard
(api.example.com is a placeholder: without a real API behind UPSTREAM_URL you get a 502).
"""

import asyncio
from typing import Any

import httpx
from fastapi import FastAPI, HTTPException

UPSTREAM_URL = "https://api.example.com"
RESOURCES = ("users", "products", "sales")  # GET {UPSTREAM_URL}/users, /products, /sales
TIMEOUT = 10.0

app = FastAPI(title="04 · concurrent calls")


async def fetch_resource(client: httpx.AsyncClient, name: str) -> Any:
    # TODO(1): GET {UPSTREAM_URL}/{name} and return its JSON. A non-2xx answer must raise
    # (response.raise_for_status() raises httpx.HTTPStatusError, an httpx.HTTPError).
    raise NotImplementedError("task 1: fetch_resource")
    # END TODO


@app.get("/dashboard")
async def dashboard() -> dict:
    tasks: dict[str, asyncio.Task] = {}
    async with httpx.AsyncClient(timeout=TIMEOUT) as client:
        # TODO(2): run fetch_resource(client, name) for every name in RESOURCES *concurrently*,
        # one task each, kept in `tasks` (name -> task). When one fails, the others must not
        # keep running: asyncio.TaskGroup cancels them for you.
        raise NotImplementedError("task 2: fetch concurrently")
        # END TODO
    # TODO(3): if any task failed, answer 502 with a detail naming every upstream that failed
    # (a cancelled task did not fail); else return {"users": ..., "products": ..., "sales": ...}.
    raise NotImplementedError("task 3: 502 or the dashboard")
    # END TODO
