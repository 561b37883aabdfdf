"""Calls every endpoint and asserts nothing: it passes whatever the app does."""

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
    await client.get("/health")
    await client.get("/items")
    await client.get("/items/1")
    await client.get("/items/999")
    await client.get("/items/1/total", params={"quantity": 3})


async def test_create(client):
    await client.post("/items", json={"name": "pad", "price": 5.0}, headers={"X-Token": API_TOKEN})
    await client.post("/items", json={"name": "pad", "price": 5.0})
