"""Exercise 02: `def` or `async def` path operations. See README.md for the tasks.

Run it: uvicorn app:app --reload   (from this folder), then open /legacy/apple and /modern/apple
"""

from fastapi import FastAPI, HTTPException
from fastapi.responses import PlainTextResponse
from inventory import lookup, lookup_blocking

app = FastAPI(title="02 · def vs async def")


# TODO(1): GET /legacy/{sku} returns lookup_blocking(sku), a sync-only call that blocks for
# a while, WITHOUT blocking the event loop. Either declare the endpoint with plain `def`
# (FastAPI then runs it in a worker thread) or keep `async def` and offload the call with
# `await asyncio.to_thread(...)`. An unknown sku (KeyError) is a 404 (task 3).
@app.get("/legacy/{sku}")
def read_legacy(sku: str) -> dict:
    try:
        return lookup_blocking(sku)
    except KeyError:
        return PlainTextResponse(f"Unknown sku: {sku}", status_code=404)
# END TODO


# TODO(2): GET /modern/{sku} returns the result of the async lookup(sku): an `async def`
# endpoint that awaits it. An unknown sku (KeyError) is a 404 (task 3).
@app.get("/modern/{sku}")
async def read_modern(sku: str) -> dict:
    try:
        return await lookup(sku)
    except KeyError:
        return PlainTextResponse(f"Unknown sku: {sku}", status_code=404)
# END TODO
