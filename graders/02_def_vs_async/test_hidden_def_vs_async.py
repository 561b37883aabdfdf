"""Hidden graders for 02_def_vs_async: the same contract, probed under concurrency.

"In flight at once" is counted inside the provided `inventory` module, so the evidence
does not depend on how fast the machine is.
"""

import asyncio
import importlib
import sys

import pytest

from grading import check, expect_status, fail, graded


@pytest.fixture
def inventory(submission):
    return sys.modules.get("inventory") or importlib.import_module("inventory")


async def _until(predicate, limit: float = 3.0) -> bool:
    loop = asyncio.get_running_loop()
    end = loop.time() + limit
    while loop.time() < end:
        if predicate():
            return True
        await asyncio.sleep(0.005)
    return predicate()


@graded(points=2, task=1, hidden=True, hint="While a blocking call runs on the loop thread, even an async "
        "request cannot start. Run lookup_blocking in a thread (a `def` endpoint or asyncio.to_thread).")
async def test_modern_request_runs_while_a_legacy_lookup_waits(inventory, client):
    inventory.DELAY = 0.5
    legacy = asyncio.create_task(client.get("/legacy/apple"))
    try:
        started = await _until(lambda: inventory.started["blocking"] >= 1 or legacy.done())
        check(started, "GET /legacy/apple never started a lookup_blocking call", "/legacy to call lookup_blocking")
        legacy_running = inventory.in_flight["blocking"] >= 1
        modern = await client.get("/modern/plum")
        expect_status(modern, 200, client.errors)
    finally:
        response = await legacy
    expect_status(response, 200, client.errors)
    if not legacy_running or inventory.max_in_flight["both"] < 2:
        fail("GET /modern/plum could only start after the 0.5 s lookup_blocking of GET /legacy/apple had "
             "finished: the legacy lookup held the event loop the whole time",
             "the /modern request to be served while the /legacy lookup is still waiting",
             "Every request shares one event loop thread; a blocking call on it delays all of them.")


@graded(points=2, task=1, hidden=True, hint="FastAPI runs each `def` endpoint call in its own worker thread; "
        "asyncio.to_thread does the same. A single shared worker or a lock makes requests queue.")
async def test_concurrent_legacy_requests_overlap(inventory, client):
    inventory.DELAY = 0.3
    skus = ["apple", "banana", "cherry", "pear"]
    responses = await asyncio.gather(*(client.get(f"/legacy/{s}") for s in skus))
    for sku, response in zip(skus, responses, strict=True):
        expect_status(response, 200, client.errors)
        check(response.json() == {"sku": sku, "stock": inventory.STOCK[sku]},
              f"GET /legacy/{sku} returned {response.json()}", f'{{"sku": "{sku}", "stock": {inventory.STOCK[sku]}}}')
    check(inventory.max_in_flight["blocking"] >= len(skus),
          f"{len(skus)} concurrent GET /legacy requests ran their lookups {inventory.max_in_flight['blocking']} "
          "at a time at most",
          f"all {len(skus)} lookups waiting at the same time, each in its own thread")


@graded(points=1, task=2, hidden=True, hint="`await lookup(sku)` suspends only this request; the loop runs the "
        "others meanwhile.")
async def test_concurrent_modern_requests_overlap_without_blocking(inventory, client, blocking):
    inventory.DELAY = 0.3
    skus = ["apple", "banana", "cherry", "pear", "plum"]
    responses = await asyncio.gather(*(client.get(f"/modern/{s}") for s in skus))
    for sku, response in zip(skus, responses, strict=True):
        expect_status(response, 200, client.errors)
        check(response.json() == {"sku": sku, "stock": inventory.STOCK[sku]},
              f"GET /modern/{sku} returned {response.json()}", f'{{"sku": "{sku}", "stock": {inventory.STOCK[sku]}}}')
    blocking.assert_none("while serving 5 concurrent GET /modern requests")
    check(inventory.max_in_flight["async"] >= len(skus),
          f"{len(skus)} concurrent GET /modern requests ran their lookups {inventory.max_in_flight['async']} "
          "at a time at most",
          f"all {len(skus)} lookups awaited at the same time")
