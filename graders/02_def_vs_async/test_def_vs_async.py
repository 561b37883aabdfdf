"""Public graders for 02_def_vs_async.

Evidence: the provided `inventory` module counts lookups by flavour and how many run at
once; blocking calls on the loop thread are named by blockbuster (`blocking`); a frozen
loop shows up as lag measured from inside the loop (LoopLagMonitor), not as wall time.
The submission's own copy of `inventory` is the one its app.py imported.
"""

import importlib
import sys
import threading

import pytest

from grading import LoopLagMonitor, check, expect_status, graded


@pytest.fixture
def inventory(submission):
    """The `inventory` module the submission's app.py uses (fresh for every test), which also
    notes the threads each flavour of lookup ran in (its `_track` is looked up at each call)."""
    module = sys.modules.get("inventory") or importlib.import_module("inventory")
    module.threads = {"blocking": set(), "async": set()}
    track = getattr(module, "_track", None)
    if isinstance(track, type):
        class _Tracked(track):
            def __enter__(self) -> None:
                module.threads[self.kind].add(threading.get_ident())
                return super().__enter__()

        module._track = _Tracked
    return module


@graded(points=1, task=1, hint="Return what lookup_blocking(sku) returns: FastAPI turns the dict into JSON.")
async def test_legacy_returns_the_blocking_lookup_result(inventory, client):
    inventory.DELAY = 0.05
    response = await client.get("/legacy/apple")
    expect_status(response, 200, client.errors)
    check(response.json() == {"sku": "apple", "stock": 12}, f"GET /legacy/apple returned {response.json()}",
          '{"sku": "apple", "stock": 12}')
    check(inventory.started["blocking"] >= 1,
          "GET /legacy/apple never called inventory.lookup_blocking",
          "/legacy to call the sync-only lookup_blocking(sku)",
          "This route is about calling a blocking library safely: keep lookup_blocking, run it off the loop.")


@graded(points=3, task=1, hint="A plain `def` endpoint runs in FastAPI's thread pool; in an `async def` one, "
        "offload the call: `await asyncio.to_thread(lookup_blocking, sku)`.")
async def test_legacy_does_not_block_the_event_loop(inventory, client, blocking):
    inventory.DELAY = 0.3
    async with LoopLagMonitor() as lag:
        response = await client.get("/legacy/plum")
    expect_status(response, 200, client.errors)
    check(lag.max_lag < 0.15,
          f"while GET /legacy/plum ran (lookup DELAY = 0.3 s), the event loop was frozen for "
          f"{lag.max_lag:.2f} s at once: no other request could even start meanwhile",
          "the loop free while the lookup waits (frozen for well under 0.15 s)",
          "lookup_blocking() sleeps in whatever thread calls it. Called inside `async def`, that thread is "
          "the event loop's.",
          details=f"Blocking calls seen: {blocking.summary()}." if blocking.calls else "")
    blocking.assert_none("while serving GET /legacy/plum",
                         "Declare the endpoint with `def`, or `await asyncio.to_thread(lookup_blocking, sku)`.")


@graded(points=1, task=2, hint="`return await lookup(sku)`: without `await` you hold a coroutine object, not a dict.")
async def test_modern_returns_the_async_lookup_result(inventory, client):
    inventory.DELAY = 0.05
    response = await client.get("/modern/cherry")
    expect_status(response, 200, client.errors)
    check(response.json() == {"sku": "cherry", "stock": 250}, f"GET /modern/cherry returned {response.json()}",
          '{"sku": "cherry", "stock": 250}')
    check(inventory.started["async"] >= 1, "GET /modern/cherry never awaited inventory.lookup",
          "/modern to await the async lookup(sku)")
    # The app's event loop runs in this thread (the in-process client): an async lookup that ran
    # elsewhere ran on an event loop of its own, e.g. asyncio.run() inside a `def` endpoint.
    elsewhere = inventory.threads["async"] - {threading.get_ident()}
    check(not elsewhere, "GET /modern/cherry ran the async lookup in another thread, on an event loop of its "
          "own (asyncio.run inside a `def` endpoint, or a thread that starts a loop)",
          "lookup(sku) awaited on the app's own event loop, inside an `async def` endpoint",
          "Make /modern `async def` and `return await lookup(sku)`: the app's loop then serves other requests "
          "while this one waits, with no thread and no second loop.")


@graded(points=2, task=3, hint="The helpers raise KeyError for an unknown sku: catch it and "
        "`raise HTTPException(status_code=404, detail=...)`.")
async def test_unknown_sku_is_404_on_both_routes(inventory, client):
    inventory.DELAY = 0.02
    for route in ("legacy", "modern"):
        response = await client.get(f"/{route}/pear")
        expect_status(response, 200, client.errors)  # a known sku works first
        response = await client.get(f"/{route}/durian")
        expect_status(response, 404, client.errors,
                      "An uncaught KeyError becomes a 500 Internal Server Error; an unknown sku is the "
                      "client's mistake: 404 Not Found.")
        body = response.json() if response.headers.get("content-type", "").startswith("application/json") else None
        check(isinstance(body, dict) and isinstance(body.get("detail"), str),
              f"GET /{route}/durian answered 404 with body {response.text[:120]!r}",
              'a JSON body {"detail": "..."}', "HTTPException(status_code=404, detail=...) produces that body.")
