"""Tests for app.py: async tests over httpx.ASGITransport, with the app's lifespan running.

Grouped in classes; failures are raised as AssertionError by a small `check` helper, and error
statuses are also checked with pytest.raises around raise_for_status().
"""

from collections.abc import AsyncIterator

import httpx
import pytest
from asgi_lifespan import LifespanManager

from app import API_TOKEN, app

TOKEN = {"X-Token": API_TOKEN}


def check(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(message)


@pytest.fixture(name="api")
async def api_client() -> AsyncIterator[httpx.AsyncClient]:
    manager = LifespanManager(app)
    await manager.__aenter__()
    try:
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=manager.app), base_url="http://test")
        try:
            yield client
        finally:
            await client.aclose()
    finally:
        await manager.__aexit__(None, None, None)


class TestReads:
    async def test_health(self, api):
        r = await api.get("/health")
        check((r.status_code, r.json()) == (200, {"status": "ok"}), f"health: {r.status_code} {r.text}")

    async def test_list(self, api):
        r = await api.get("/items")
        r.raise_for_status()
        items = r.json()["items"]
        check(r.json() == {"items": items}, f"unexpected keys {r.json().keys()}")
        check(items == [{"id": 1, "name": "keyboard", "price": 49.5}, {"id": 2, "name": "mouse", "price": 19.0}],
              f"seed items: {items}")

    async def test_item(self, api):
        r = await api.get("/items/1")
        check(r.status_code == 200 and r.json() == {"id": 1, "name": "keyboard", "price": 49.5}, r.text)

    async def test_missing_item(self, api):
        r = await api.get("/items/12345")
        with pytest.raises(httpx.HTTPStatusError) as info:
            r.raise_for_status()
        check(info.value.response.status_code == 404, f"status {r.status_code}")
        check(r.json() == {"detail": "Item not found"}, r.text)


class TestCreate:
    async def test_created_and_stored(self, api):
        r = await api.post("/items", json={"name": "headset", "price": 59.9}, headers=TOKEN)
        check(r.status_code == 201, f"status {r.status_code}")
        check(r.json() == {"id": 3, "name": "headset", "price": 59.9}, r.text)
        check((await api.get("/items/3")).json() == r.json(), "not readable after create")
        ids = [i["id"] for i in (await api.get("/items")).json()["items"]]
        check(ids == [1, 2, 3], f"listing after create: {ids}")

    @pytest.mark.parametrize("headers", [{}, {"X-Token": "let-me-out"}, {"X-Token": ""}])
    async def test_bad_token(self, api, headers):
        r = await api.post("/items", json={"name": "headset", "price": 59.9}, headers=headers)
        with pytest.raises(httpx.HTTPStatusError):
            r.raise_for_status()
        check(r.status_code == 401 and r.json() == {"detail": "Invalid or missing token"}, r.text)
        check((await api.get("/items/3")).status_code == 404, "a rejected item was stored")

    @pytest.mark.parametrize("payload", [{"name": "", "price": 5}, {"name": "a", "price": 0},
                                         {"name": "a", "price": -3.5}, {"name": "a"}, {"price": 1}])
    async def test_invalid(self, api, payload):
        r = await api.post("/items", json=payload, headers=TOKEN)
        check(r.status_code == 422, f"{payload}: {r.status_code}")


class TestTotal:
    async def test_quantity(self, api):
        r = await api.get("/items/2/total", params={"quantity": 7})
        check(r.json() == {"item_id": 2, "quantity": 7, "total": 133.0}, r.text)

    async def test_default(self, api):
        r = await api.get("/items/1/total")
        check(r.status_code == 200 and r.json() == {"item_id": 1, "quantity": 1, "total": 49.5}, r.text)

    async def test_edges(self, api):
        check((await api.get("/items/1/total?quantity=1")).json()["total"] == 49.5, "quantity 1")
        check((await api.get("/items/1/total?quantity=100")).json()["total"] == 4950.0, "quantity 100")
        for q in (0, 101):
            r = await api.get(f"/items/1/total?quantity={q}")
            check(r.status_code == 422, f"quantity {q}: {r.status_code}")

    async def test_missing(self, api):
        r = await api.get("/items/3/total")
        check(r.status_code == 404 and r.json() == {"detail": "Item not found"}, r.text)
