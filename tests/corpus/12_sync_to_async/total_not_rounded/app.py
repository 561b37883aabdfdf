"""Exercise 12: a working synchronous service, to convert to async in place. See README.md.

Every endpoint here answers correctly. But each request holds one of the server's worker
threads for its whole life: while it waits for the upstream API, for the pause before a
retry, or for SQLite, that thread does nothing else, and FastAPI has only 40 of them.
Convert it, step by step, so that waiting costs nothing. Endpoints and answers stay exactly
as they are.

Run it: uvicorn app:app --reload   (from this folder), then open /docs
(api.example.com is a placeholder: without a real API behind UPSTREAM_URL you get 502s).
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI, HTTPException, Request
from pydantic import BaseModel, Field

# TODO(4): the sync sqlite3 driver: replace it with aiosqlite (step 3), or keep it and run its
# calls off the loop with asyncio.to_thread (step 4: for sync code you cannot replace).
import aiosqlite
# END TODO
# TODO(3): time.sleep holds its thread while it waits; the async pause is asyncio.sleep.
import asyncio
# END TODO

UPSTREAM_URL = "https://api.example.com"
DATABASE_PATH = "orders.db"  # the SQLite file; graders change it
ATTEMPTS = 3  # tries per upstream call when the upstream fails (5xx or a network error)
RETRY_DELAY = 0.2  # seconds to pause between two tries
TIMEOUT = 5.0

SCHEMA = """
CREATE TABLE IF NOT EXISTS orders (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    product_id INTEGER NOT NULL,
    quantity INTEGER NOT NULL,
    total REAL NOT NULL
)
"""
COLUMNS = ("id", "product_id", "quantity", "total")


class OrderIn(BaseModel):
    product_id: int
    quantity: int = Field(ge=1, le=100)


# --- the database ------------------------------------------------------------------------

# TODO(4): make these three functions async (aiosqlite, or asyncio.to_thread around the sync
# code). Read DATABASE_PATH when they run; keep the bound `?` parameters.
async def init_db() -> None:
    async with aiosqlite.connect(DATABASE_PATH) as db:
        await db.execute(SCHEMA)
        await db.commit()


async def insert_order(product_id: int, quantity: int, total: float) -> int:
    async with aiosqlite.connect(DATABASE_PATH) as db:
        cursor = await db.execute("INSERT INTO orders (product_id, quantity, total) VALUES (?, ?, ?)",
                                  (product_id, quantity, total))
        await db.commit()
        return cursor.lastrowid


async def fetch_order(order_id: int) -> dict | None:
    async with aiosqlite.connect(DATABASE_PATH) as db:
        async with db.execute("SELECT id, product_id, quantity, total FROM orders WHERE id = ?", (order_id,)) as cursor:
            row = await cursor.fetchone()
    return None if row is None else dict(zip(COLUMNS, row, strict=True))
# END TODO


# --- the upstream API --------------------------------------------------------------------

# TODO(3): the pause between two tries, without holding a thread.
async def pause() -> None:
    await asyncio.sleep(RETRY_DELAY)
# END TODO


# TODO(1): steps 1 to 3 for HTTP: `async def`, an httpx.AsyncClient, and `await` what is async
# (the request, and the pause).
async def get_json(client: httpx.AsyncClient, path: str) -> Any:
    """GET {UPSTREAM_URL}{path} and return its JSON. A 5xx answer or a network error is tried
    again, ATTEMPTS times in all, with a pause between tries; a 4xx is not."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            response = await client.get(f"{UPSTREAM_URL}{path}")
            response.raise_for_status()
            return response.json()
        except httpx.HTTPError as exc:
            retry = not isinstance(exc, httpx.HTTPStatusError) or exc.response.status_code >= 500
            if not retry or attempt == ATTEMPTS:
                raise
        await pause()
# END TODO


def upstream_error(exc: httpx.HTTPError, what: str) -> HTTPException:
    """An upstream 404 is ours too; any other failure (after the retries) is a 502."""
    if isinstance(exc, httpx.HTTPStatusError) and exc.response.status_code == 404:
        return HTTPException(status_code=404, detail=f"{what} not found")
    return HTTPException(status_code=502, detail=f"Upstream failed: {exc.request.url.path}")


# --- the app -----------------------------------------------------------------------------

@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    # TODO(1): open one httpx.AsyncClient for the app's life (`async with`), and create the
    # table with the async init_db.
    async with httpx.AsyncClient(timeout=TIMEOUT) as client:
        await init_db()
        app.state.http = client
        yield
    # END TODO


app = FastAPI(title="12 · from sync to async", lifespan=lifespan)


@app.get("/products/{product_id}")
# TODO(2): `async def`, and fetch the product and its stock concurrently: neither needs the
# other, so the request should take as long as the slower one, not the sum.
async def read_product(product_id: int, request: Request) -> dict:
    client = request.app.state.http
    product, stock = await asyncio.gather(get_json(client, f"/products/{product_id}"),
                                          get_json(client, f"/stock/{product_id}"),
                                          return_exceptions=True)
    for result in (product, stock):  # the same precedence as the sync version: product first
        if isinstance(result, httpx.HTTPError):
            raise upstream_error(result, "Product") from None
        if isinstance(result, BaseException):
            raise result
    return {"product": product, "stock": stock}
# END TODO


@app.post("/orders", status_code=201)
# TODO(1): `async def`, and await what became async.
async def create_order(order: OrderIn, request: Request) -> dict:
    try:
        product = await get_json(request.app.state.http, f"/products/{order.product_id}")
    except httpx.HTTPError as exc:
        raise upstream_error(exc, "Product") from None
    total = product["price"] * order.quantity
    order_id = await insert_order(order.product_id, order.quantity, total)
    return {"id": order_id, "product_id": order.product_id, "quantity": order.quantity, "total": total}
# END TODO


@app.get("/orders/{order_id}")
# TODO(4): `async def`, and await the async fetch_order.
async def read_order(order_id: int) -> dict:
    order = await fetch_order(order_id)
    if order is None:
        raise HTTPException(status_code=404, detail="Order not found")
    return order
# END TODO
