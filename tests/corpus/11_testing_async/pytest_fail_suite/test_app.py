"""A correct suite that never writes `assert`: it says what failed with pytest.fail,
pytest.raises and AssertionError.

Tests for app.py: async tests over httpx.ASGITransport, with the app's lifespan running.

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
async def test_health_is_ok(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")
    if not (response.status_code == 200):
        pytest.fail("check failed: response.status_code == 200")
    if not (response.json() == {"status": "ok"}):
        pytest.fail("check failed: response.json() == {'status': 'ok'}")


async def test_lifespan_adds_two_items_listed_in_id_order(client: httpx.AsyncClient) -> None:
    response = await client.get("/items")
    if not (response.status_code == 200):
        pytest.fail("check failed: response.status_code == 200")
    expected = {
        "items": [
            {"id": 1, "name": "keyboard", "price": 49.5},
            {"id": 2, "name": "mouse", "price": 19.0},
        ]
    }
    if response.json() != expected:
        raise AssertionError(f"listed {response.json()}, expected {expected}")


async def test_read_item(client: httpx.AsyncClient) -> None:
    response = await client.get("/items/2")
    if not (response.status_code == 200):
        pytest.fail("check failed: response.status_code == 200")
    if not (response.json() == {"id": 2, "name": "mouse", "price": 19.0}):
        pytest.fail("check failed: response.json() == {'id': 2, 'name': 'mouse', 'price': 19.0}")


async def test_missing_item_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/items/999")
    if not (response.status_code == 404):
        pytest.fail("check failed: response.status_code == 404")
    if not (response.json() == {"detail": "Item not found"}):
        pytest.fail("check failed: response.json() == {'detail': 'Item not found'}")


async def test_item_id_must_be_an_int(client: httpx.AsyncClient) -> None:
    response = await client.get("/items/abc")
    if not (response.status_code == 422):
        pytest.fail("check failed: response.status_code == 422")
# END TODO


# TODO(3): test POST /items: 201 with the new item, stored (readable and listed after),
# a missing or wrong X-Token is a 401, an invalid body (empty name, price <= 0) is a 422.
async def test_create_item_returns_201_and_stores_it(client: httpx.AsyncClient) -> None:
    response = await client.post("/items", json={"name": "monitor", "price": 120.0}, headers=TOKEN)
    if not (response.status_code == 201):
        pytest.fail("check failed: response.status_code == 201")
    created = response.json()
    if not (created == {"id": 3, "name": "monitor", "price": 120.0}):
        pytest.fail("check failed: created == {'id': 3, 'name': 'monitor', 'price': 120.0}")

    response = await client.get(f"/items/{created['id']}")
    if not (response.status_code == 200):
        pytest.fail("check failed: response.status_code == 200")
    if not (response.json() == created):
        pytest.fail("check failed: response.json() == created")

    listed = (await client.get("/items")).json()["items"]
    if not ([item["id"] for item in listed] == [1, 2, 3]):
        pytest.fail("check failed: [item['id'] for item in listed] == [1, 2, 3]")


async def test_each_created_item_gets_a_new_id(client: httpx.AsyncClient) -> None:
    first = await client.post("/items", json={"name": "desk", "price": 200.0}, headers=TOKEN)
    second = await client.post("/items", json={"name": "lamp", "price": 25.0}, headers=TOKEN)
    if not (first.status_code == second.status_code == 201):
        pytest.fail("check failed: first.status_code == second.status_code == 201")
    if not (first.json()["id"] != second.json()["id"]):
        pytest.fail("check failed: first.json()['id'] != second.json()['id']")


@pytest.mark.parametrize("headers", [{}, {"X-Token": "wrong"}], ids=["missing", "wrong"])
async def test_create_item_needs_the_token(client: httpx.AsyncClient, headers: dict) -> None:
    response = await client.post("/items", json={"name": "monitor", "price": 120.0}, headers=headers)
    if not (response.status_code == 401):
        pytest.fail("check failed: response.status_code == 401")
    if not (response.json() == {"detail": "Invalid or missing token"}):
        pytest.fail("check failed: response.json() == {'detail': 'Invalid or missing token'}")
    if not (len((await client.get("/items")).json()["items"]) == 2):
        pytest.fail("check failed: len((await client.get('/items')).json()['items']) == 2")


@pytest.mark.parametrize(
    "body",
    [{"name": "", "price": 1.0}, {"name": "free", "price": 0}, {"name": "refund", "price": -5.0}, {"name": "x"}],
    ids=["empty-name", "zero-price", "negative-price", "no-price"],
)
async def test_create_item_rejects_an_invalid_body(client: httpx.AsyncClient, body: dict) -> None:
    response = await client.post("/items", json=body, headers=TOKEN)
    if not (response.status_code == 422):
        pytest.fail("check failed: response.status_code == 422")
# END TODO


# TODO(4): test GET /items/{item_id}/total?quantity=n: the total for a quantity, the
# default quantity of 1, a missing item (404) and a quantity outside 1..100 (422).
async def test_total_multiplies_price_by_quantity(client: httpx.AsyncClient) -> None:
    response = await client.get("/items/1/total", params={"quantity": 3})
    if not (response.status_code == 200):
        pytest.fail("check failed: response.status_code == 200")
    if not (response.json() == {"item_id": 1, "quantity": 3, "total": 148.5}):
        pytest.fail("check failed: response.json() == {'item_id': 1, 'quantity': 3, 'total': 148.5}")


async def test_total_defaults_to_one(client: httpx.AsyncClient) -> None:
    response = await client.get("/items/2/total")
    if not (response.status_code == 200):
        pytest.fail("check failed: response.status_code == 200")
    if not (response.json() == {"item_id": 2, "quantity": 1, "total": 19.0}):
        pytest.fail("check failed: response.json() == {'item_id': 2, 'quantity': 1, 'total': 19.0}")


async def test_total_of_a_missing_item_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/items/999/total")
    with pytest.raises(httpx.HTTPStatusError):
        response.raise_for_status()
    if response.status_code != 404:
        pytest.fail(f"status {response.status_code}, expected 404")


@pytest.mark.parametrize("quantity", [0, 101, -1])
async def test_total_rejects_a_quantity_out_of_range(client: httpx.AsyncClient, quantity: int) -> None:
    response = await client.get("/items/1/total", params={"quantity": quantity})
    if not (response.status_code == 422):
        pytest.fail("check failed: response.status_code == 422")
# END TODO
