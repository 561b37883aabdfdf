"""A mistake: a thorough suite, but sync tests through Starlette's TestClient (which runs the
app in a thread with an event loop of its own), not async tests over httpx.ASGITransport."""

import pytest
from fastapi.testclient import TestClient

from app import API_TOKEN, app

SEED = [{"id": 1, "name": "keyboard", "price": 49.5}, {"id": 2, "name": "mouse", "price": 19.0}]


@pytest.fixture
def client():
    with TestClient(app) as c:  # runs the lifespan
        yield c


@pytest.mark.parametrize("path, status, body", [
    ("/health", 200, {"status": "ok"}),
    ("/items", 200, {"items": SEED}),
    ("/items/1", 200, SEED[0]),
    ("/items/7", 404, {"detail": "Item not found"}),
    ("/items/2/total?quantity=4", 200, {"item_id": 2, "quantity": 4, "total": 76.0}),
    ("/items/1/total", 200, {"item_id": 1, "quantity": 1, "total": 49.5}),
])
def test_reads(client, path, status, body):
    r = client.get(path)
    assert (r.status_code, r.json()) == (status, body)


@pytest.mark.parametrize("path", ["/items/1/total?quantity=0", "/items/1/total?quantity=101", "/items/x"])
def test_bad_input_is_422(client, path):
    assert client.get(path).status_code == 422


def test_missing_total_is_404(client):
    assert client.get("/items/9/total").status_code == 404


def test_create_then_read_back(client):
    r = client.post("/items", json={"name": "pad", "price": 5.0}, headers={"X-Token": API_TOKEN})
    assert r.status_code == 201
    item = r.json()
    assert item == {"id": 3, "name": "pad", "price": 5.0}
    assert client.get("/items/3").json() == item
    assert client.get("/items").json() == {"items": [*SEED, item]}


@pytest.mark.parametrize("headers", [{}, {"X-Token": "nope"}])
def test_create_needs_the_token(client, headers):
    r = client.post("/items", json={"name": "pad", "price": 5.0}, headers=headers)
    assert r.status_code == 401


@pytest.mark.parametrize("body", [{"name": "", "price": 1}, {"name": "a", "price": 0}, {"name": "a", "price": -1}])
def test_create_rejects_bad_bodies(client, body):
    r = client.post("/items", json=body, headers={"X-Token": API_TOKEN})
    assert r.status_code == 422
