"""Exercise 07: blocking file I/O inside async code. See README.md for the tasks.

Run it: nox -s serve -- 07   (from the kit's root), open /items/42, then read access.log
"""

import asyncio

from fastapi import FastAPI

LOG_PATH = "access.log"  # the access log; graders point it at a file of their own

app = FastAPI(title="07 · blocking file I/O")


def write_log(line: str) -> None:
    # TODO(1): append `line` to the file at LOG_PATH (read LOG_PATH here, when the function
    # runs). Plain, blocking file code is right here: task 2 runs this function in a
    # worker thread, never on the event loop.
    with open(LOG_PATH, "a", encoding="utf-8") as log:
        log.write(line)
    # END TODO


@app.get("/items/{item_id}")
async def read_item(item_id: int) -> dict:
    # TODO(2): write the line f"Access to item {item_id}\n" with write_log, without running it
    # on the event loop thread, and answer only once the line is in the file.
    await asyncio.to_thread(write_log, f"Access to item {item_id}\n")
    # END TODO
    return {"item_id": item_id}
