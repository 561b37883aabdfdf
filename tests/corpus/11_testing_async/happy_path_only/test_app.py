"""Whole bodies checked, but only the happy path: no missing item, no bad token, no bad input."""

import httpx
import pytest
from asgi_lifespan import LifespanManager

from app import API_TOKEN, app

SEED = [{"id": 1, "name": "keyboard", "price": 49.5}, {"id": 2, "name": "mouse", "price": 19.0}]


@pytest.fixture
async def client():
    async with LifespanManager(app) as manager:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=manager.app), base_url="http://t") as c:
            yield c


async def test_reads(client):
    assert (await client.get("/items")).json() == {"items": SEED}
    assert (await client.get("/items/2")).json() == SEED[1]
    assert (await client.get("/items/1/total", params={"quantity": 2})).json() == {"item_id": 1, "quantity": 2,
                                                                                   "total": 99.0}


async def test_create(client):
    r = await client.post("/items", json={"name": "pad", "price": 5.0}, headers={"X-Token": API_TOKEN})
    assert r.status_code == 201
    assert (await client.get("/items/3")).json() == {"id": 3, "name": "pad", "price": 5.0}
