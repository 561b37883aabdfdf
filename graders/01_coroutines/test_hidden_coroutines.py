"""Hidden graders for 01_coroutines: the same contract, probed harder."""

import asyncio

import pytest

from grading import check, expect_status, graded

pytestmark = pytest.mark.looptime


@graded(points=2, task=3, hidden=True, hint="gather keeps order and runs everything at once, "
        "however many ids there are; a repeated id is fetched (and listed) once per time it is asked for.")
async def test_many_ids_stay_concurrent_and_ordered(submission, client):
    submission.IO_DELAY = 0.4
    ids = [9, 4, 17, 0, 3, 12, 8, 1, 5, 30, 2, 11, 6, 4, 10, 13, 15, 9, 16, 9]  # 4 and 9 repeat
    loop = asyncio.get_running_loop()
    start = loop.time()
    response = await client.get("/items", params={"ids": ids})
    took = loop.time() - start
    expect_status(response, 200, client.errors)
    want = [{"item_id": i, "value": i * 10} for i in ids]
    check(response.json() == {"items": want}, f"GET /items with 20 ids returned {str(response.json())[:120]}",
          "one {'item_id', 'value'} per id asked for (repeats included), in request order")
    check(0.4 - 1e-6 <= took < 0.6, f"20 fetches with IO_DELAY = 0.4 took {took:.2f} s of loop time",
          "about 0.4 s: concurrent fetches")


@graded(points=1, task=2, hidden=True, hint="Declare `item_id: int` and FastAPI validates it for you.")
async def test_item_path_is_validated(submission, client):
    response = await client.get("/items/12")
    expect_status(response, 200, client.errors)
    check(response.json() == {"item_id": 12, "value": 120}, f"GET /items/12 returned {response.json()}",
          '{"item_id": 12, "value": 120}')
    response = await client.get("/items/twelve")
    expect_status(response, 422, client.errors)


@graded(points=2, task=1, hidden=True, hint="time.sleep() freezes the whole server; `await asyncio.sleep()` "
        "only pauses this coroutine.")
async def test_no_blocking_call_while_serving(submission, client, blocking):
    submission.IO_DELAY = 0.2
    response = await client.get("/items", params={"ids": [1, 2]})
    expect_status(response, 200, client.errors)
    blocking.assert_none("while serving GET /items?ids=1&ids=2")


@graded(points=2, task=3, hidden=True, hint="Keep each request's results in a local variable: a module-level list "
        "is shared by every request in flight, so simultaneous requests mix their items.")
async def test_simultaneous_requests_each_get_their_own_items(submission, client):
    submission.IO_DELAY = 0.2
    for pair in (([3, 1, 2], [3, 1, 2]), ([1, 2], [5, 4, 3])):
        responses = await asyncio.gather(*(client.get("/items", params={"ids": ids}) for ids in pair))
        for ids, response in zip(pair, responses, strict=True):
            expect_status(response, 200, client.errors)
            want = [{"item_id": i, "value": i * 10} for i in ids]
            got = response.json().get("items")
            check(got == want,
                  f"of two simultaneous requests (ids {pair[0]} and {pair[1]}), the one for ids {ids} "
                  f"returned items {[i.get('item_id') for i in got or []]}",
                  f"exactly its own items {ids}, whatever else is in flight")
