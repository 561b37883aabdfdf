"""Hidden graders for 06_cpu_bound: what only shows under concurrency or across restarts."""

import asyncio

from grading import app_client, check, expect_status, graded

import fastwork
from conftest import children, gone


@graded(points=2, task=2, hidden=True, hint="While fib runs on the loop thread, no other request is even "
        "read. Offload it, and /health answers at once.")
async def test_health_answers_while_fibonacci_is_in_flight(submission, client):
    fib = asyncio.create_task(client.get("/fibonacci/31"))
    try:
        await asyncio.sleep(0.05)  # the fib request is being served
        health = await client.get("/health")
        still_computing = not fib.done()
    finally:
        response = await fib
    expect_status(response, 200, client.errors)
    check(response.json() == {"n": 31, "result": 1346269}, f"GET /fibonacci/31 returned {response.json()}",
          '{"n": 31, "result": 1346269}')
    expect_status(health, 200, client.errors)
    check(health.json() == {"status": "ok"}, f"GET /health returned {health.json()}", '{"status": "ok"}')
    check(still_computing, "GET /health was answered only after GET /fibonacci/31 had finished",
          "GET /health answered while fib(31) is still being computed")


@graded(points=1, task=1, hidden=True, hint="A pool made at import time is gone after the first shut-down; "
        "one made in lifespan is new for every start.")
async def test_app_restarts_with_a_fresh_pool(submission, exercise_dir):
    earlier = children()
    for run in (1, 2):
        async with app_client(submission.app, [exercise_dir]) as client:
            response = await client.get("/fibonacci/12")
            expect_status(response, 200, client.errors,
                          "" if run == 1 else "The app was started a second time (as tests and reloaders do): "
                          "a pool shut down by the first run cannot take new work.")
            check(response.json() == {"n": 12, "result": 144}, f"GET /fibonacci/12 returned {response.json()}",
                  '{"n": 12, "result": 144}')
        alive = await gone(children() - earlier)
        check(not alive, f"after shut-down number {run}, {len(alive)} worker process(es) still alive",
              "every start-up creates a pool and every shut-down closes it",
              "The pool was never shut down: after the lifespan's `yield`, call `pool.shutdown()` (or put "
              "`with ProcessPoolExecutor() as pool:` around the yield).")


@graded(points=1, task=3, hidden=True, hint="Both ends of 0..35 are valid: `ge=0, le=35` (fib(0) = 0, fib(35) is "
        "allowed); -1 and 36 are one too many.")
async def test_limits_of_n(submission, client):
    fastwork.stand_in(submission)  # fib(35) in no time, where the pool can see the stand-in
    for n, want in ((0, 0), (1, 1), (2, 1), (35, 9227465)):
        response = await client.get(f"/fibonacci/{n}")
        expect_status(response, 200, client.errors)
        check(response.json() == {"n": n, "result": want}, f"GET /fibonacci/{n} returned {response.json()}",
              f'{{"n": {n}, "result": {want}}}')
    for bad in ("3.5", "-1", "-35", "36"):
        response = await client.get(f"/fibonacci/{bad}")
        expect_status(response, 422, client.errors)
