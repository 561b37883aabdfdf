"""Exercise 05: background tasks. See README.md for the tasks.

Run it: nox -s serve -- 05   (from the kit's root), then POST /items/7 and GET /items/7
"""

import asyncio

from fastapi import BackgroundTasks, FastAPI, HTTPException, status

PROCESS_DELAY = 0.5  # seconds of simulated processing per item; graders change it

app = FastAPI(title="05 · background tasks")

# item_id -> {"item_id": ..., "status": "pending" | "done", "result": int | None}
items: dict[int, dict] = {}


async def process_item(item_id: int) -> None:
    # TODO(1): simulate PROCESS_DELAY seconds of work without blocking the event loop (read
    # PROCESS_DELAY here, at call time), then mark the item "done" with result item_id * 2.
    await asyncio.sleep(PROCESS_DELAY)
    items[item_id] = {"item_id": item_id, "status": "done", "result": item_id * 2}
    # END TODO


@app.post("/items/{item_id}", status_code=status.HTTP_202_ACCEPTED)
async def create_item(item_id: int, background_tasks: BackgroundTasks) -> dict:
    # TODO(2): record the item as "pending", schedule process_item(item_id) with
    # background_tasks so it runs *after* the response, and answer 202 with
    # {"message": "Item received", "item_id": item_id}.
    items[item_id] = {"item_id": item_id, "status": "pending", "result": None}
    background_tasks.add_task(process_item, item_id)
    return {"message": "Item received", "item_id": item_id}
    # END TODO


@app.get("/items/{item_id}")
async def read_item(item_id: int) -> dict:
    # TODO(3): return the item's {"item_id", "status", "result"}; an item never posted is a 404.
    if item_id not in items:
        raise HTTPException(status_code=404, detail="Item not found")
    return items[item_id]
    # END TODO
