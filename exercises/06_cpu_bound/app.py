"""Exercise 06: CPU-bound work without freezing the server. See README.md for the tasks.

Run it: nox -s serve -- 06   (from the kit's root), then open /fibonacci/32 and, meanwhile, /health
"""

import asyncio
from collections.abc import AsyncIterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import FastAPI, Path, Request
from work import fib


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    # TODO(1): create a ProcessPoolExecutor, keep it where the endpoint can find it
    # (app.state.pool), and shut it down when the app stops (after the yield).
    yield  # task 1: create the pool before this line, shut it down after it
    # END TODO


app = FastAPI(title="06 · CPU-bound work", lifespan=lifespan)

# TODO(3): n must be between 0 and 35: make FibN an int that FastAPI validates, so that
# anything else is rejected with a 422 before your endpoint runs.
FibN = int  # task 3: limit it to 0..35
# END TODO


@app.get("/health")
async def health() -> dict:
    return {"status": "ok"}


@app.get("/fibonacci/{n}")
async def fibonacci(n: FibN, request: Request) -> dict:
    # TODO(2): compute fib(n) in the process pool, without blocking the event loop, and
    # return {"n": n, "result": ...}.
    raise NotImplementedError("task 2: GET /fibonacci/{n}")
    # END TODO
