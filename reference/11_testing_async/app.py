"""Exercise 11: the app under test. Provided and correct: do not edit it.

Your work is test_app.py, next to this file. See README.md.
Run it: nox -s serve -- 11   (from the kit's root), then open /docs
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, Header, HTTPException, Query, Request
from pydantic import BaseModel, Field

API_TOKEN = "let-me-in"  # clients send it in the X-Token header to create items


class ItemIn(BaseModel):
    name: str = Field(min_length=1)
    price: float = Field(gt=0)


class Catalog:
    """An in-memory async store, standing in for a database."""

    def __init__(self) -> None:
        self._items: dict[int, dict] = {}
        self._next_id = 1

    async def add(self, name: str, price: float) -> dict:
        await asyncio.sleep(0)  # a real store would await I/O here
        item = {"id": self._next_id, "name": name, "price": price}
        self._items[item["id"]] = item
        self._next_id += 1
        return dict(item)

    async def get(self, item_id: int) -> dict | None:
        await asyncio.sleep(0)
        item = self._items.get(item_id)
        return dict(item) if item is not None else None

    async def all(self) -> list[dict]:
        await asyncio.sleep(0)
        return [dict(self._items[i]) for i in sorted(self._items)]


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    catalog = Catalog()
    await catalog.add("keyboard", 49.5)
    await catalog.add("mouse", 19.0)
    app.state.catalog = catalog
    yield
    del app.state.catalog


app = FastAPI(title="11 · the app under test", lifespan=lifespan)


async def get_catalog(request: Request) -> Catalog:
    """Async dependency: the catalog that lifespan created (none before start-up)."""
    return request.app.state.catalog


async def require_token(x_token: Annotated[str | None, Header()] = None) -> None:
    if x_token != API_TOKEN:
        raise HTTPException(status_code=401, detail="Invalid or missing token")


CatalogDep = Annotated[Catalog, Depends(get_catalog)]


@app.get("/health")
async def health() -> dict:
    return {"status": "ok"}


@app.get("/items")
async def list_items(catalog: CatalogDep) -> dict:
    return {"items": await catalog.all()}


@app.get("/items/{item_id}")
async def read_item(item_id: int, catalog: CatalogDep) -> dict:
    item = await catalog.get(item_id)
    if item is None:
        raise HTTPException(status_code=404, detail="Item not found")
    return item


@app.post("/items", status_code=201, dependencies=[Depends(require_token)])
async def create_item(item: ItemIn, catalog: CatalogDep) -> dict:
    return await catalog.add(item.name, item.price)


@app.get("/items/{item_id}/total")
async def item_total(item_id: int, catalog: CatalogDep, quantity: Annotated[int, Query(ge=1, le=100)] = 1) -> dict:
    item = await catalog.get(item_id)
    if item is None:
        raise HTTPException(status_code=404, detail="Item not found")
    return {"item_id": item_id, "quantity": quantity, "total": round(item["price"] * quantity, 2)}
