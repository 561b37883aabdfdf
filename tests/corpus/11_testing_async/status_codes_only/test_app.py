"""Checks every status code, error cases included, but never a body."""

import httpx
import pytest
from asgi_lifespan import LifespanManager

from app import API_TOKEN, app


@pytest.fixture
async def client():
    async with LifespanManager(app) as manager:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=manager.app), base_url="http://t") as c:
            yield c


async def test_reads(client):
    assert (await client.get("/health")).status_code == 200
    assert (await client.get("/items")).status_code == 200
    assert (await client.get("/items/1")).status_code == 200
    assert (await client.get("/items/999")).status_code == 404
    assert (await client.get("/items/1/total", params={"quantity": 3})).status_code == 200


async def test_errors(client):
    assert (await client.get("/items/1/total", params={"quantity": 0})).status_code == 422
    assert (await client.get("/items/1/total", params={"quantity": 101})).status_code == 422
    assert (await client.post("/items", json={"name": "pad", "price": 5.0})).status_code == 401
    assert (await client.post("/items", json={"name": "pad", "price": 5.0}, headers={"X-Token": "x"})).status_code == 401
    assert (await client.post("/items", json={"name": "pad", "price": 0}, headers={"X-Token": API_TOKEN})).status_code == 422


async def test_create(client):
    assert (await client.post("/items", json={"name": "pad", "price": 5.0}, headers={"X-Token": API_TOKEN})).status_code == 201
