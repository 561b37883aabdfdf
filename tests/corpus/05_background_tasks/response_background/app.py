"""05, another right answer: the background task rides on the response, and the store is two dicts."""

import anyio
from fastapi import FastAPI, HTTPException
from fastapi.responses import JSONResponse
from starlette.background import BackgroundTask

PROCESS_DELAY = 0.5

app = FastAPI()

statuses: dict[int, str] = {}
results: dict[int, int] = {}


async def process_item(item_id: int) -> None:
    await anyio.sleep(PROCESS_DELAY)
    results[item_id] = item_id * 2
    statuses[item_id] = "done"


@app.post("/items/{item_id}")
async def create_item(item_id: int) -> JSONResponse:
    statuses[item_id] = "pending"
    return JSONResponse({"message": "Item received", "item_id": item_id}, status_code=202,
                        background=BackgroundTask(process_item, item_id))


@app.get("/items/{item_id}")
async def read_item(item_id: int) -> dict:
    if item_id not in statuses:
        raise HTTPException(404, "Item not found")
    return {"item_id": item_id, "status": statuses[item_id], "result": results.get(item_id)}
