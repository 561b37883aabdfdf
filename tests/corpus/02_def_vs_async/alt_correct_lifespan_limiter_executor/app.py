"""Exercise 02: `def` or `async def` path operations. See README.md for the tasks.

Run it: uvicorn app:app --reload   (from this folder), then open /legacy/apple and /modern/apple
"""

import asyncio
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from functools import partial

from fastapi import FastAPI, HTTPException, Request
from inventory import lookup, lookup_blocking


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    # A dedicated pool for the sync-only inventory library, tied to the app's life.
    with ThreadPoolExecutor(max_workers=64, thread_name_prefix="inventory") as pool:
        app.state.inventory_pool = pool
        yield


app = FastAPI(title="02 · def vs async def", lifespan=lifespan)


# TODO(1): GET /legacy/{sku} returns lookup_blocking(sku), a sync-only call that blocks for
# a while, WITHOUT blocking the event loop. Either declare the endpoint with plain `def`
# (FastAPI then runs it in a worker thread) or keep `async def` and offload the call with
# `await asyncio.to_thread(...)`. An unknown sku (KeyError) is a 404 (task 3).
@app.get("/legacy/{sku}")
async def read_legacy(sku: str, request: Request) -> dict:
    loop = asyncio.get_running_loop()
    try:
        return await loop.run_in_executor(request.app.state.inventory_pool, partial(lookup_blocking, sku))
    except KeyError:
        raise HTTPException(status_code=404, detail="Unknown sku") from None
# END TODO


# TODO(2): GET /modern/{sku} returns the result of the async lookup(sku): an `async def`
# endpoint that awaits it. An unknown sku (KeyError) is a 404 (task 3).
@app.get("/modern/{sku}")
async def read_modern(sku: str) -> dict:
    try:
        return await lookup(sku)
    except KeyError:
        raise HTTPException(status_code=404, detail="Unknown sku") from None
# END TODO
