"""Public graders for 09_async_dependencies. The provided `resources` module records every
pool and every connection it handed out; the graders read that record (the submission's
own copy of the module) and never look inside app.py."""



from grading import check, expect_status, graded

from conftest import leak_report, settled

ITEMS = [{"id": 1, "name": "keyboard"}, {"id": 2, "name": "mouse"}, {"id": 3, "name": "monitor"}]




@graded(points=2, task=3, hint='Declare the dependency on the endpoint, `conn = Depends(get_connection)`, and '
        'return {"items": await conn.fetch_items()}.')
async def test_items_returns_rows_from_a_connection(resources, client):
    response = await client.get("/items")
    expect_status(response, 200, client.errors)
    check(response.json() == {"items": ITEMS}, f"GET /items returned {response.json()}", f'{{"items": {ITEMS}}}',
          "Did you forget `await`? conn.fetch_items() is a coroutine function.")
    got = len(resources.acquired())
    check(got == 1, f"GET /items acquired {got} connection(s) from the pool", "exactly one connection per request",
          "Let the dependency acquire the connection; the endpoint only uses it.")


@graded(points=2, task=2, hint="Release in a `finally:` around the `yield`, and `await pool.release(conn)`: "
        "without await the release never runs.")
async def test_connection_released_after_each_request(resources, client, blocking):
    for n in range(3):
        response = await client.get("/items")
        expect_status(response, 200, client.errors)
        await settled(resources)
        s = resources.summary()
        check(s["acquired"] == n + 1 and s["in_use"] == 0, f"after {n + 1} GET /items: {leak_report(resources)}",
              f"{n + 1} acquired, {n + 1} released, none left in use",
              "Every connection acquired for a request goes back to the pool when the request is done.")
    blocking.assert_none("while serving GET /items")


@graded(points=3, task=2, hint="Code after `yield` is skipped when the endpoint raises, unless it sits in "
        "`finally:` (the exception is thrown into your generator at the yield).")
async def test_failing_request_still_releases_its_connection(resources, client):
    response = await client.get("/items/fail")
    expect_status(response, 500, client.errors)
    await settled(resources)
    s = resources.summary()
    check(s["acquired"] == 1, f"GET /items/fail acquired {s['acquired']} connection(s)",
          "one connection, acquired by get_connection")
    check(s["in_use"] == 0, f"after GET /items/fail answered 500: {leak_report(resources)}",
          "the connection released even though the endpoint raised",
          "Put `await pool.release(conn)` in a `finally:` around `yield conn`.")


@graded(points=2, task=1, hint="Create resources.Pool() once, at import or in lifespan, and let "
        "get_connection use that one pool; a pool per request defeats pooling.")
async def test_one_pool_serves_every_request(resources, client):
    for _ in range(3):
        await client.get("/items")
    await settled(resources)
    pools = resources.POOLS
    served = [len(p.acquired) for p in pools]
    check(len(pools) == 1, f"{len(pools)} pools were created while serving 3 requests (connections per pool: "
          f"{served})", "exactly one pool for the app, created once")
    check(served[0] >= 3, f"the pool handed out {served[0]} connection(s) for 3 requests",
          "one connection per request, from that pool")
