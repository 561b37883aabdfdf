"""05, another right answer: sync endpoints, a pydantic model, work offloaded with asyncio.to_thread."""

import asyncio
import time
from typing import Literal

from fastapi import BackgroundTasks, FastAPI, HTTPException
from pydantic import BaseModel

PROCESS_DELAY = 0.5

app = FastAPI()


class Item(BaseModel):
    item_id: int
    status: Literal["pending", "done"] = "pending"
    result: int | None = None


items: dict[int, Item] = {}


def slow_double(n: int) -> int:
    time.sleep(PROCESS_DELAY)
    return n * 2


async def process_item(item_id: int) -> None:
    result = await asyncio.to_thread(slow_double, item_id)
    items[item_id] = Item(item_id=item_id, status="done", result=result)


@app.post("/items/{item_id}", status_code=202)
def create_item(item_id: int, background_tasks: BackgroundTasks):
    items[item_id] = Item(item_id=item_id)
    background_tasks.add_task(process_item, item_id)
    return {"message": "Item received", "item_id": item_id}


@app.get("/items/{item_id}", response_model=Item)
def read_item(item_id: int):
    try:
        return items[item_id]
    except KeyError:
        raise HTTPException(status_code=404, detail="Item not found") from None
