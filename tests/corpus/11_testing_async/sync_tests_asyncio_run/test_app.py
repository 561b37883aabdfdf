"""A mistake: plain `def` tests that drive an httpx.AsyncClient with asyncio.run themselves,
instead of async tests run by pytest-asyncio."""

import asyncio

import httpx
import pytest
from asgi_lifespan import LifespanManager

from app import API_TOKEN, app

SEED = [{"id": 1, "name": "keyboard", "price": 49.5}, {"id": 2, "name": "mouse", "price": 19.0}]
TOKEN = {"X-Token": API_TOKEN}


def send(*requests):
    """The responses to (method, path, kwargs) requests, in one run of the app."""
    async def go():
        async with LifespanManager(app) as manager:
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
                return [await c.request(m, p, **kw) for m, p, kw in requests]
    return asyncio.run(go())


@pytest.mark.parametrize("path, status, body", [
    ("/health", 200, {"status": "ok"}),
    ("/items", 200, {"items": SEED}),
    ("/items/1", 200, SEED[0]),
    ("/items/7", 404, {"detail": "Item not found"}),
    ("/items/7/total", 404, {"detail": "Item not found"}),
    ("/items/2/total?quantity=4", 200, {"item_id": 2, "quantity": 4, "total": 76.0}),
    ("/items/1/total", 200, {"item_id": 1, "quantity": 1, "total": 49.5}),
])
def test_reads(path, status, body):
    [r] = send(("GET", path, {}))
    assert (r.status_code, r.json()) == (status, body)


@pytest.mark.parametrize("path", ["/items/1/total?quantity=0", "/items/1/total?quantity=101"])
def test_bad_quantity_is_422(path):
    assert send(("GET", path, {}))[0].status_code == 422


def test_create_then_read_back():
    created, read, listed = send(("POST", "/items", {"json": {"name": "pad", "price": 5.0}, "headers": TOKEN}),
                                 ("GET", "/items/3", {}), ("GET", "/items", {}))
    item = {"id": 3, "name": "pad", "price": 5.0}
    assert (created.status_code, created.json()) == (201, item)
    assert read.json() == item
    assert listed.json() == {"items": [*SEED, item]}


@pytest.mark.parametrize("headers, body, status", [
    ({}, {"name": "pad", "price": 5.0}, 401),
    ({"X-Token": "nope"}, {"name": "pad", "price": 5.0}, 401),
    (TOKEN, {"name": "", "price": 1}, 422),
    (TOKEN, {"name": "a", "price": 0}, 422),
])
def test_create_is_checked(headers, body, status):
    assert send(("POST", "/items", {"json": body, "headers": headers}))[0].status_code == status
