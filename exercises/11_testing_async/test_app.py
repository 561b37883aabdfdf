"""Tests for app.py: async tests over httpx.ASGITransport, with the app's lifespan running.

Run them from the kit's root with `nox -s pytest -- 11` (pytest in the grading
environment, from this folder). See README.md for the tasks.
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
    raise NotImplementedError("task 1: the client fixture")
    yield  # makes this an async generator fixture, as the real one will be
    # END TODO


# TODO(2): test the reads: GET /health, GET /items (the two items lifespan adds, in id
# order), GET /items/{item_id} for an item and for a missing one. Check status AND body.
# END TODO


# TODO(3): test POST /items: 201 with the new item, stored (readable and listed after),
# a missing or wrong X-Token is a 401, an invalid body (empty name, price <= 0) is a 422.
# END TODO


# TODO(4): test GET /items/{item_id}/total?quantity=n: the total for a quantity, the
# default quantity of 1, a missing item (404) and a quantity outside 1..100 (422).
# END TODO
