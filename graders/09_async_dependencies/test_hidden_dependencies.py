"""Hidden graders for 09_async_dependencies: concurrency, and the dependency driven directly."""

import asyncio
import inspect

from grading import check, expect_status, fail, graded

from conftest import settled


@graded(points=2, task=2, hidden=True, hint="Acquire inside get_connection, so that each request borrows its "
        "own connection and gives it back; never share one connection between requests.")
async def test_concurrent_requests_each_hold_their_own_connection(resources, client):
    responses = await asyncio.gather(*(client.get("/items") for _ in range(10)))
    for response in responses:
        expect_status(response, 200, client.errors)
    await settled(resources)
    s = resources.summary()
    check(s["acquired"] == 10, f"10 concurrent GET /items acquired {s['acquired']} connection(s)",
          "10 connections: one per request")
    check(s["in_use"] == 0, f"after 10 concurrent requests, {s['in_use']} connection(s) were still in use",
          "all 10 released")
    used = [c for c in resources.acquired() if c.queries]
    check(len(used) == 10, f"{len(used)} distinct connection(s) ran the 10 queries", "10: each request its own")


@graded(points=2, task=2, hidden=True, hint="get_connection is an async generator: acquire, then "
        "`try: yield conn` / `finally: await pool.release(conn)`.")
async def test_get_connection_releases_when_the_endpoint_raises(submission, resources, client):
    func = getattr(submission, "get_connection", None)
    check(inspect.isasyncgenfunction(func), f"app.get_connection is {func!r}",
          "an `async def get_connection()` that yields the connection")
    gen = func()
    conn = await gen.__anext__()
    check(isinstance(conn, resources.Connection) and not conn.released,
          f"get_connection() yielded {conn!r}", "a connection acquired from the pool, still in use",
          "Release the connection after the yield, not before.")
    try:
        await gen.athrow(RuntimeError("the endpoint failed"))
    except (RuntimeError, StopAsyncIteration):
        pass
    except Exception as exc:  # noqa: BLE001
        fail(f"get_connection() raised {type(exc).__name__}: {exc} while cleaning up",
             "the endpoint's exception to pass through after the release")
    check(conn.released, f"after the endpoint raised into get_connection(), {conn!r} was not released",
          "the connection released in `finally:`")
