"""Hidden graders for 05_background_tasks: the same contract, probed harder."""

import asyncio

import httpx

from grading import check, expect_status, fail, graded


async def wait_all_done(http: httpx.AsyncClient, ids: list[int], errors, within: float = 5.0) -> dict[int, dict]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        bodies = {}
        for i in ids:
            response = await http.get(f"/items/{i}")
            expect_status(response, 200, errors)
            bodies[i] = response.json()
        if all(b.get("status") == "done" for b in bodies.values()):
            return bodies
        if loop.time() > deadline:
            fail(f"{within:.0f} s after posting, items were {bodies}", 'every item "done"')
        await asyncio.sleep(0.02)


@graded(points=2, task=1, hidden=True, hint="In an `async def` background function, `await asyncio.sleep(...)`; "
        "time.sleep there freezes the server. (A plain `def` function runs in a thread, where time.sleep is fine.)")
async def test_background_work_does_not_block_the_loop(submission, client, blocking):
    submission.PROCESS_DELAY = 0.15
    for i in (1, 2):
        response = await client.post(f"/items/{i}")
        if not response.is_success:
            expect_status(response, 202, client.errors)
    await wait_all_done(client, [1, 2], client.errors)
    blocking.assert_none("while processing items in the background")


@graded(points=2, task=1, hidden=True, hint="Each item gets its own background task and its own result.")
async def test_several_items_are_each_processed(submission, live):
    submission.PROCESS_DELAY = 0.3
    async with live.client() as http:
        for i in (31, 32, 33):
            response = await http.post(f"/items/{i}")
            if not response.is_success:
                expect_status(response, 202, live.errors)
        first = (await http.get("/items/31")).json()
        check(first.get("status") == "pending", f"right after three POSTs, GET /items/31 gave {first}",
              '"status": "pending" while its processing is still running')
        bodies = await wait_all_done(http, [31, 32, 33], live.errors)
        missing = await http.get("/items/34")
    want = {i: {"item_id": i, "status": "done", "result": i * 2} for i in (31, 32, 33)}
    check(bodies == want, f"after processing, items were {bodies}", f"{want}")
    expect_status(missing, 404, live.errors)


@graded(points=1, task=2, hidden=True, hint="Declare `item_id: int` and FastAPI answers 422 for anything else.")
async def test_bad_item_id_is_422(submission, client):
    submission.PROCESS_DELAY = 0.05
    response = await client.post("/items/7")
    if not response.is_success:
        expect_status(response, 202, client.errors)
    expect_status(await client.post("/items/seven"), 422, client.errors)
    expect_status(await client.get("/items/seven"), 422, client.errors)
