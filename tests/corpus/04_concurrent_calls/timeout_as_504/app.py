"""Exercise 04: several async operations at once. See README.md for the tasks.

Run it: uvicorn app:app --reload   (from this folder), then open /dashboard
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
    response = await client.get(f"{UPSTREAM_URL}/{name}")
    response.raise_for_status()
    return response.json()
    # END TODO


@app.get("/dashboard")
async def dashboard() -> dict:
    tasks: dict[str, asyncio.Task] = {}
    async with httpx.AsyncClient(timeout=TIMEOUT) as client:
        # TODO(2): run fetch_resource(client, name) for every name in RESOURCES *concurrently*,
        # one task each, kept in `tasks` (name -> task). When one fails, the others must not
        # keep running: asyncio.TaskGroup cancels them for you.
        try:
            async with asyncio.TaskGroup() as tg:
                for name in RESOURCES:
                    tasks[name] = tg.create_task(fetch_resource(client, name))
        except* httpx.HTTPError:
            pass  # every task is finished or cancelled here; we look at each below
        # END TODO
    # TODO(3): if any task failed, answer 502 with a detail naming every upstream that failed
    # (a cancelled task did not fail); else return {"users": ..., "products": ..., "sales": ...}.
    failed = [name for name, task in tasks.items() if not task.cancelled() and task.exception() is not None]
    if any(isinstance(tasks[n].exception(), httpx.TimeoutException) for n in failed):
        raise HTTPException(status_code=504, detail=f"Upstream timed out: {', '.join(failed)}")
    if failed:
        raise HTTPException(status_code=502, detail=f"Upstream failed: {', '.join(failed)}")
    return {name: task.result() for name, task in tasks.items()}
    # END TODO
