"""Exercise 01: coroutines. See README.md for the tasks.

Run it: nox -s serve -- 01   (from the kit's root), then open /items?ids=3&ids=1&ids=2
"""

import asyncio

from fastapi import FastAPI, Query

IO_DELAY = 0.2  # seconds of simulated I/O per fetch; graders change it

app = FastAPI(title="01 · coroutines")


async def fetch_data(item_id: int) -> dict:
    # TODO(1): simulate I/O by *awaiting* a sleep of IO_DELAY seconds (read IO_DELAY here,
    # at call time), then return {"item_id": item_id, "value": item_id * 10}.
    raise NotImplementedError("task 1: fetch_data")
    # END TODO


@app.get("/items/{item_id}")
async def read_item(item_id: int) -> dict:
    # TODO(2): return the result of fetch_data(item_id).
    raise NotImplementedError("task 2: GET /items/{item_id}")
    # END TODO


@app.get("/items")
async def read_items(ids: list[int] = Query(default=[])) -> dict:
    # TODO(3): fetch every id *concurrently* (total time ≈ one IO_DELAY, not one per id)
    # and return {"items": [...]} with the results in the same order as `ids`.
    raise NotImplementedError("task 3: GET /items")
    # END TODO
