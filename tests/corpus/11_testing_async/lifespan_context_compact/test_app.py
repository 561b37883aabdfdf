"""Another correct suite: the app's own lifespan_context instead of asgi-lifespan, and
parametrized checks."""

import httpx
import pytest

from app import API_TOKEN, app

SEED = [{"id": 1, "name": "keyboard", "price": 49.5}, {"id": 2, "name": "mouse", "price": 19.0}]


@pytest.fixture
async def client():
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
            yield c


@pytest.mark.parametrize("path, status, body", [
    ("/health", 200, {"status": "ok"}),
    ("/items", 200, {"items": SEED}),
    ("/items/1", 200, SEED[0]),
    ("/items/7", 404, {"detail": "Item not found"}),
    ("/items/2/total?quantity=4", 200, {"item_id": 2, "quantity": 4, "total": 76.0}),
    ("/items/1/total", 200, {"item_id": 1, "quantity": 1, "total": 49.5}),
])
async def test_reads(client, path, status, body):
    r = await client.get(path)
    assert (r.status_code, r.json()) == (status, body)


@pytest.mark.parametrize("path", ["/items/1/total?quantity=0", "/items/1/total?quantity=101", "/items/x"])
async def test_bad_input_is_422(client, path):
    assert (await client.get(path)).status_code == 422


async def test_missing_total_is_404(client):
    assert (await client.get("/items/9/total")).status_code == 404


async def test_create_then_read_back(client):
    r = await client.post("/items", json={"name": "pad", "price": 5.0}, headers={"X-Token": API_TOKEN})
    assert r.status_code == 201
    item = r.json()
    assert item == {"id": 3, "name": "pad", "price": 5.0}
    assert (await client.get("/items/3")).json() == item
    assert (await client.get("/items")).json() == {"items": [*SEED, item]}


@pytest.mark.parametrize("headers", [{}, {"X-Token": "nope"}])
async def test_create_needs_the_token(client, headers):
    r = await client.post("/items", json={"name": "pad", "price": 5.0}, headers=headers)
    assert r.status_code == 401


@pytest.mark.parametrize("body", [{"name": "", "price": 1}, {"name": "a", "price": 0}, {"name": "a", "price": -1}])
async def test_create_rejects_bad_bodies(client, body):
    r = await client.post("/items", json=body, headers={"X-Token": API_TOKEN})
    assert r.status_code == 422
