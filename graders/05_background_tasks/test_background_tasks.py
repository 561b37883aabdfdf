"""Public graders for 05_background_tasks.

Two drivers show two different facts. Behind a real server (`live`), a response is sent
before FastAPI runs the request's background tasks, so "response first" is visible: the
202 arrives while the item is still pending. In-process (`client`), httpx's ASGITransport
returns only once the app's ASGI call has finished, background tasks included, so right
after the POST a job scheduled with BackgroundTasks is already done, while one started
with a bare asyncio.create_task is still pending. Neither depends on machine speed.
"""

import asyncio

import httpx

from grading import check, expect_status, fail, graded


def accepted(response: httpx.Response, errors) -> None:
    """Any 2xx will do here: the exact 202 is test_post_answers_202_item_received's job."""
    if not response.is_success:
        expect_status(response, 202, errors)


async def status_of(http: httpx.AsyncClient, item_id: int, errors) -> dict:
    response = await http.get(f"/items/{item_id}")
    expect_status(response, 200, errors, "GET /items/{item_id} answers 200 for an item that was posted.")
    body = response.json()
    check(isinstance(body, dict) and body.get("status") in ("pending", "done"),
          f"GET /items/{item_id} returned {response.text[:200]}",
          '{"item_id": ..., "status": "pending" or "done", "result": ...}')
    return body


async def wait_until_done(http: httpx.AsyncClient, item_id: int, errors, within: float = 5.0) -> tuple[dict, float]:
    """Poll every 20 ms; return the final body and the loop time it was first seen done."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        body = await status_of(http, item_id, errors)
        if body["status"] == "done":
            return body, loop.time()
        if loop.time() > deadline:
            fail(f"item {item_id} was still {body['status']!r} {within:.0f} s after it was posted",
                 '"status": "done" once the processing has run',
                 "Is process_item scheduled at all? It must be added to the request's background tasks.")
        await asyncio.sleep(0.02)


@graded(points=2, task=2, hint="Set the status code on the decorator: @app.post(..., status_code=202).")
async def test_post_answers_202_item_received(submission, client):
    submission.PROCESS_DELAY = 0.05
    response = await client.post("/items/5")
    expect_status(response, 202, client.errors,
                  "202 Accepted says: received, the work will be done later. FastAPI answers 200 unless told.")
    check(response.json() == {"message": "Item received", "item_id": 5}, f"POST /items/5 returned {response.json()}",
          '{"message": "Item received", "item_id": 5}')


@graded(points=3, task=2, hint="Return right after scheduling the work: background_tasks.add_task(process_item, "
        "item_id) runs it after the response is sent. Awaiting process_item in the handler makes the client wait.")
async def test_response_is_sent_before_processing(submission, live):
    submission.PROCESS_DELAY = 0.8
    loop = asyncio.get_running_loop()
    async with live.client() as http:
        start = loop.time()
        response = await http.post("/items/8")
        took = loop.time() - start
        accepted(response, live.errors)
        body = await status_of(http, 8, live.errors)
        check(body == {"item_id": 8, "status": "pending", "result": None},
              f"just after POST /items/8 returned (in {took:.2f} s), GET /items/8 gave {body}",
              '{"item_id": 8, "status": "pending", "result": null}: the response comes first, the 0.8 s of '
              "processing after it",
              "If the status is already done, either the handler waited for the processing before answering, "
              "or a blocking call (time.sleep in an async function) froze the whole server while it ran.")
        body, done_at = await wait_until_done(http, 8, live.errors)
    check(body == {"item_id": 8, "status": "done", "result": 16}, f"once done, GET /items/8 gave {body}",
          '{"item_id": 8, "status": "done", "result": 16}')
    check(done_at - start >= 0.75, f"with PROCESS_DELAY = 0.8, item 8 was done {done_at - start:.2f} s after the POST",
          "at least 0.8 s of processing",
          "Read PROCESS_DELAY inside process_item when it runs (the graders change it), not once at import.")


@graded(points=2, task=2, hint="Take a `background_tasks: BackgroundTasks` parameter and call "
        "background_tasks.add_task(...); a bare asyncio.create_task is not tied to the request.")
async def test_processing_runs_as_a_background_task(submission, client):
    submission.PROCESS_DELAY = 0.2
    response = await client.post("/items/11")
    accepted(response, client.errors)
    body = await status_of(client, 11, client.errors)
    check(body.get("status") == "done",
          f"in-process, right after POST /items/11 returned, GET /items/11 gave {body}",
          '"status": "done": the in-process test client returns the response only after the request\'s '
          "background tasks have run",
          "So the work was not a FastAPI background task. A bare asyncio.create_task is fire-and-forget: no one "
          "keeps a reference to it, its errors are lost and the server does not wait for it on shutdown. Use "
          "BackgroundTasks (or a response's background=).")


@graded(points=2, task=1, hint="After the simulated work, store the result: status \"done\", result item_id * 2.")
async def test_processed_item_is_done_with_result(submission, client):
    submission.PROCESS_DELAY = 0.05
    response = await client.post("/items/21")
    accepted(response, client.errors)
    body, _ = await wait_until_done(client, 21, client.errors)
    check(body == {"item_id": 21, "status": "done", "result": 42}, f"GET /items/21 gave {body}",
          '{"item_id": 21, "status": "done", "result": 42}')


@graded(points=2, task=3, hint="Look the item up; if it was never posted, raise HTTPException(status_code=404).")
async def test_unknown_item_is_404(submission, client):
    submission.PROCESS_DELAY = 0.05
    response = await client.post("/items/3")
    accepted(response, client.errors)
    await status_of(client, 3, client.errors)
    response = await client.get("/items/404404")
    expect_status(response, 404, client.errors, "An item that was never posted does not exist: 404, not a guess.")
