"""What 12's public and hidden graders share: the mocked catalogue, a fresh database, and
the evidence that a piece of the service was converted (and how it was not)."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
from fastapi.routing import APIRoute

from grading import fail

PRODUCT = {"id": 7, "name": "kettle", "price": 24.5}
STOCK = {"product_id": 7, "available": 12}


@pytest.fixture
def knobs(knobs, tmp_path: Path) -> dict[str, object]:
    """Every test's DATABASE_PATH is a fresh file in its own folder, set before the app starts."""
    return {"DATABASE_PATH": str(tmp_path / "orders.db"), **knobs}


@pytest.fixture
def database(knobs) -> Path:
    """The test's database file (DATABASE_PATH)."""
    return Path(knobs["DATABASE_PATH"])


def serve_product(upstream, product_id: int = 7, delay: float = 0.0, **kwargs) -> None:
    product = {**PRODUCT, "id": product_id}
    stock = {**STOCK, "product_id": product_id}
    upstream.route(f"/products/{product_id}", product, delay=delay, **kwargs.get("product", {}))
    upstream.route(f"/stock/{product_id}", stock, delay=delay, **kwargs.get("stock", {}))


def require_async_client(upstream, during: str) -> None:
    """Fail, saying where, if any upstream call came from the sync httpx.Client."""
    sync = upstream.sync_calls
    if sync:
        where = "the event-loop thread (blocking it)" if any(c.thread == "loop" for c in sync) else "a worker thread"
        fail(f"{len(sync)} of the {len(upstream.calls)} upstream calls {during} went through the sync "
             f"httpx.Client, on {where}",
             "every upstream call made with an httpx.AsyncClient and awaited",
             "Open one httpx.AsyncClient in lifespan (`async with httpx.AsyncClient(timeout=TIMEOUT) as client:`) "
             "and make get_json `async def`, with `await client.get(...)`.")


def require_async_endpoints(app, *paths: str) -> None:
    """Fail if an endpoint serving one of ``paths`` is still a ``def`` (run in a worker thread)."""
    still_sync = [f"{sorted(r.methods)[0]} {r.path}" for r in app.routes
                  if isinstance(r, APIRoute) and r.path in paths and not inspect.iscoroutinefunction(r.endpoint)]
    if still_sync:
        what = "is still a `def` endpoint" if len(still_sync) == 1 else "are still `def` endpoints"
        fail(f"{' and '.join(still_sync)} {what}: FastAPI runs each request of a `def` endpoint in one of its 40 "
             "worker threads, and holds that thread while the request waits",
             "`async def` endpoints that await async code (step 1 and 2)",
             "Make the endpoint `async def` and await what it calls; sync code you cannot replace goes to "
             "`await asyncio.to_thread(...)`.")
