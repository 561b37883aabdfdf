"""Correct: the pool lives on app.state (made in lifespan); endpoints use `= Depends(...)`."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import resources
from fastapi import Depends, FastAPI


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    app.state.pool = resources.Pool()
    yield


app = FastAPI(title="09 · async dependencies", lifespan=lifespan)


async def get_connection() -> AsyncIterator[resources.Connection]:
    pool: resources.Pool = app.state.pool
    conn = await pool.acquire()
    try:
        yield conn
    finally:
        await pool.release(conn)


@app.get("/items")
async def read_items(conn: resources.Connection = Depends(get_connection)) -> dict:
    return {"items": await conn.fetch_items()}


@app.get("/items/fail")
async def read_items_fail(conn: resources.Connection = Depends(get_connection)) -> dict:
    """Provided: a query that fails halfway. The client gets a 500; the connection must
    still go back to the pool (that is your `finally` at work)."""
    await conn.fetch_items()
    raise RuntimeError("the query failed halfway")
