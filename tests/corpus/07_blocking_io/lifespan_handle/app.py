"""Exercise 07: blocking file I/O inside async code. See README.md for the tasks.

Run it: uvicorn app:app --reload   (from this folder), open /items/42, then read access.log
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiofiles
from fastapi import FastAPI, Request

LOG_PATH = "access.log"  # the access log; graders point it at a file of their own



@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    async with aiofiles.open(LOG_PATH, "a", encoding="utf-8") as log:
        app.state.log = log
        yield


app = FastAPI(title="07 · blocking file I/O", lifespan=lifespan)


def write_log(line: str) -> None:
    # TODO(1): append `line` to the file at LOG_PATH (read LOG_PATH here, when the function
    # runs). Plain, blocking file code is right here: task 2 runs this function in a
    # worker thread, never on the event loop.
    with open(LOG_PATH, "a", encoding="utf-8") as log:
        log.write(line)
    # END TODO


@app.get("/items/{item_id}")
async def read_item(item_id: int, request: Request) -> dict:
    # TODO(2): write the line f"Access to item {item_id}\n" with write_log, without running it
    # on the event loop thread, and answer only once the line is in the file.
    log = request.app.state.log
    await log.write(f"Access to item {item_id}\n")
    await log.flush()
    # END TODO
    return {"item_id": item_id}
