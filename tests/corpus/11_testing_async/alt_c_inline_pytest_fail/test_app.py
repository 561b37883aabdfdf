"""Tests for app.py: async tests over httpx.ASGITransport, with the app's lifespan running.

This suite needs no fixture: each test opens its own started app with `async with running() as client`,
and reports failures with pytest.fail(...) instead of bare asserts.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from asgi_lifespan import LifespanManager

from app import API_TOKEN, app

TOKEN = {"X-Token": API_TOKEN}
SEED = [{"id": 1, "name": "keyboard", "price": 49.5}, {"id": 2, "name": "mouse", "price": 19.0}]


@asynccontextmanager
async def running() -> AsyncIterator[httpx.AsyncClient]:
    """A freshly started app (lifespan run) and a client talking to it in-process."""
    async with LifespanManager(app) as manager:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=manager.app), base_url="http://app") as client:
            yield client


def expect(response: httpx.Response, status: int, body=...) -> None:
    if response.status_code != status:
        pytest.fail(f"{response.request.method} {response.request.url.path}: status {response.status_code}, "
                    f"expected {status} ({response.text[:200]})")
    if body is not ... and response.json() != body:
        pytest.fail(f"{response.request.method} {response.request.url.path}: body {response.json()!r}, expected {body!r}")


async def test_reads():
    async with running() as client:
        expect(await client.get("/health"), 200, {"status": "ok"})
        expect(await client.get("/items"), 200, {"items": SEED})
        expect(await client.get("/items/1"), 200, SEED[0])
        expect(await client.get("/items/2"), 200, SEED[1])
        expect(await client.get("/items/3"), 404, {"detail": "Item not found"})
        expect(await client.get("/items/one"), 422)


async def test_create_then_read_back():
    async with running() as client:
        new = {"id": 3, "name": "webcam", "price": 35.25}
        expect(await client.post("/items", json={"name": "webcam", "price": 35.25}, headers=TOKEN), 201, new)
        expect(await client.get("/items/3"), 200, new)
        expect(await client.get("/items"), 200, {"items": [*SEED, new]})
        expect(await client.post("/items", json={"name": "dock", "price": 80}, headers=TOKEN), 201,
               {"id": 4, "name": "dock", "price": 80.0})


async def test_tokens():
    async with running() as client:
        denied = {"detail": "Invalid or missing token"}
        expect(await client.post("/items", json={"name": "webcam", "price": 1}), 401, denied)
        expect(await client.post("/items", json={"name": "webcam", "price": 1}, headers={"X-Token": "guess"}), 401, denied)
        expect(await client.post("/items", json={"name": "webcam", "price": 1}, headers={"X-Token": ""}), 401, denied)
        expect(await client.get("/items"), 200, {"items": SEED})


async def test_invalid_bodies():
    async with running() as client:
        for body in ({"name": "", "price": 1}, {"name": "x", "price": 0}, {"name": "x", "price": -0.5},
                     {"price": 3}, {"name": "x"}, {"name": "x", "price": "cheap"}):
            expect(await client.post("/items", json=body, headers=TOKEN), 422)
        expect(await client.get("/items"), 200, {"items": SEED})


async def test_totals():
    async with running() as client:
        expect(await client.get("/items/1/total?quantity=2"), 200, {"item_id": 1, "quantity": 2, "total": 99.0})
        expect(await client.get("/items/2/total"), 200, {"item_id": 2, "quantity": 1, "total": 19.0})
        expect(await client.get("/items/2/total?quantity=1"), 200, {"item_id": 2, "quantity": 1, "total": 19.0})
        expect(await client.get("/items/1/total?quantity=100"), 200, {"item_id": 1, "quantity": 100, "total": 4950.0})
        expect(await client.get("/items/7/total?quantity=2"), 404, {"detail": "Item not found"})
        for quantity in (0, -1, 101, 1000):
            expect(await client.get(f"/items/1/total?quantity={quantity}"), 422)


async def test_each_start_is_fresh():
    async with running() as client:
        expect(await client.post("/items", json={"name": "temp", "price": 2}, headers=TOKEN), 201)
    async with running() as client:
        expect(await client.get("/items"), 200, {"items": SEED})
