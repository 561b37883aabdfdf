"""Correct: an asynccontextmanager does acquire/release; the dependency yields inside `async with`."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

import resources
from fastapi import Depends, FastAPI

pool = resources.Pool()

app = FastAPI(title="09 · async dependencies")


@asynccontextmanager
async def borrowed() -> AsyncIterator[resources.Connection]:
    conn = await pool.acquire()
    try:
        yield conn
    finally:
        await pool.release(conn)


async def get_connection() -> AsyncIterator[resources.Connection]:
    async with borrowed() as conn:
        yield conn


Connection = Annotated[resources.Connection, Depends(get_connection)]


@app.get("/items")
async def read_items(conn: Connection) -> dict:
    return {"items": await conn.fetch_items()}


@app.get("/items/fail")
async def read_items_fail(conn: Connection) -> dict:
    """Provided: a query that fails halfway. The client gets a 500; the connection must
    still go back to the pool (that is your `finally` at work)."""
    await conn.fetch_items()
    raise RuntimeError("the query failed halfway")
