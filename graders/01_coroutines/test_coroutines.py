"""Public graders for 01_coroutines. Under looptime, the event loop's clock is exact and
sleeps take no real time, so "concurrent" is measured in loop seconds, not wall seconds."""

import asyncio

import pytest

from grading import check, expect_status, graded

pytestmark = pytest.mark.looptime


def staggered(module, extra: dict[int, float]):
    """Make earlier ids finish later, so results in completion order show up as wrong."""
    original = module.fetch_data
    state = {"in_flight": 0, "max": 0}

    async def fetch_data(item_id: int) -> dict:
        state["in_flight"] += 1
        state["max"] = max(state["max"], state["in_flight"])
        try:
            await asyncio.sleep(extra.get(item_id, 0.0))
            return await original(item_id)
        finally:
            state["in_flight"] -= 1

    module.fetch_data = fetch_data
    return state


@graded(points=2, task=1, hint="`await asyncio.sleep(IO_DELAY)` suspends this coroutine and lets the loop run others.")
async def test_fetch_data_awaits_io_delay_and_returns_value(submission):
    submission.IO_DELAY = 0.3
    loop = asyncio.get_running_loop()
    start = loop.time()
    result = await submission.fetch_data(4)
    took = loop.time() - start
    check(result == {"item_id": 4, "value": 40}, f"fetch_data(4) returned {result!r}",
          "{'item_id': 4, 'value': 40}")
    check(abs(took - 0.3) < 0.05, f"with IO_DELAY = 0.3, fetch_data(4) spent {took:.2f} s awaiting",
          "0.30 s spent in an awaited sleep",
          "Read IO_DELAY when fetch_data runs, and await the sleep: time.sleep blocks instead of awaiting.")


@graded(points=1, task=2, hint="An async endpoint can `return await fetch_data(item_id)`.")
async def test_get_item_returns_fetch_data_result(submission, client):
    response = await client.get("/items/7")
    expect_status(response, 200, client.errors)
    check(response.json() == {"item_id": 7, "value": 70}, f"GET /items/7 returned {response.json()}",
          '{"item_id": 7, "value": 70}', "Did you forget `await`? A coroutine object is not a result.")


@graded(points=2, task=3, hint="asyncio.gather returns results in the order you passed the awaitables, "
        "whatever order they finish in.")
async def test_items_returned_in_request_order(submission, client):
    staggered(submission, {3: 0.3, 1: 0.2, 2: 0.1})  # 3 finishes last, 2 first
    response = await client.get("/items", params={"ids": [3, 1, 2]})
    expect_status(response, 200, client.errors)
    got = [i.get("item_id") for i in response.json().get("items", [])]
    check(got == [3, 1, 2], f"GET /items?ids=3&ids=1&ids=2 returned items in order {got}",
          "items in request order [3, 1, 2] (here 2 finished first and 3 last)")


@graded(points=3, task=3, hint="Create all the coroutines first and await them together "
        "(asyncio.gather or a TaskGroup), instead of awaiting each in a loop.")
async def test_items_fetched_concurrently(submission, client):
    submission.IO_DELAY = 0.2
    state = staggered(submission, {})
    loop = asyncio.get_running_loop()
    start = loop.time()
    response = await client.get("/items", params={"ids": [1, 2, 3, 4, 5]})
    took = loop.time() - start
    expect_status(response, 200, client.errors)
    check(took >= 0.2 - 1e-6,
          f"5 fetches with IO_DELAY = 0.2 took {took:.2f} s of loop time: nothing was awaited",
          "about 0.2 s spent awaiting the simulated I/O",
          "A sleep that is not awaited (time.sleep) blocks the loop instead of letting fetches overlap.")
    check(len(response.json().get("items", [])) == 5, f"{len(response.json().get('items', []))} items returned",
          "5 items")
    check(took < 0.3,
          f"5 fetches with IO_DELAY = 0.2 took {took:.2f} s of loop time, {state['max']} in flight at most "
          "(they ran one after another)",
          "about 0.2 s: all 5 fetches waiting at the same time")


@graded(points=1, task=3, hint="With no ids, gather() of nothing is an empty list.")
async def test_no_ids_gives_empty_list(submission, client):
    response = await client.get("/items")
    expect_status(response, 200, client.errors)
    check(response.json() == {"items": []}, f"GET /items returned {response.json()}", '{"items": []}')
