"""Exercise 01: coroutines. See README.md for the tasks.

Run it: uvicorn app:app --reload   (from this folder), then open /items?ids=3&ids=1&ids=2
"""

import asyncio

from fastapi import FastAPI, Query

IO_DELAY = 0.2  # seconds of simulated I/O per fetch; graders change it

app = FastAPI(title="01 · coroutines")

_items: list[dict] = []  # reused result buffer


async def fetch_data(item_id: int) -> dict:
    # TODO(1): simulate I/O by *awaiting* a sleep of IO_DELAY seconds (read IO_DELAY here,
    # at call time), then return {"item_id": item_id, "value": item_id * 10}.
    await asyncio.sleep(IO_DELAY)
    return {"item_id": item_id, "value": item_id * 10}
    # END TODO


@app.get("/items/{item_id}")
async def read_item(item_id: int) -> dict:
    # TODO(2): return the result of fetch_data(item_id).
    return await fetch_data(item_id)
    # END TODO


@app.get("/items")
async def read_items(ids: list[int] = Query(default=[])) -> dict:
    # TODO(3): fetch every id *concurrently* (total time ≈ one IO_DELAY, not one per id)
    # and return {"items": [...]} with the results in the same order as `ids`.
    _items.clear()
    _items.extend(await asyncio.gather(*(fetch_data(i) for i in ids)))
    return {"items": list(_items)}
    # END TODO
