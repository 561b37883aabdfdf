"""Hidden graders for 04_concurrent_calls: the same contract, probed harder."""

import asyncio

import httpx
import pytest

from grading import check, detail_of, expect_status, graded


@pytest.mark.looptime
@graded(points=2, task=3, hidden=True, hint="Name every upstream that had failed when you answer, not only the "
        "first exception: look at each task (or each gather result), not at the one exception that reached you.")
async def test_every_failed_upstream_is_named(submission, upstream, client):
    upstream.route("/users", status=500, delay=0.05)
    upstream.route("/products", [], delay=0.3)
    upstream.route("/sales", error=httpx.ConnectError, delay=0.05)
    response = await client.get("/dashboard")
    expect_status(response, 502, client.errors)
    detail = detail_of(response)
    # Those that had failed when the response came back (a solution that stops at the first
    # failure before starting the others is judged on what it started).
    failed = sorted({c.path.strip("/") for c in upstream.calls if c.end is not None and c.outcome not in
                     ("200", "cancelled")})
    missing = [n for n in failed if n not in detail]
    check(not missing, f"502 with detail {detail!r}, but {' and '.join(failed)} had failed by then "
          "(/users answered 500 and /sales raised ConnectError, both at 0.05 s)",
          f"a detail naming every failed upstream: {', '.join(failed)}")


@pytest.mark.looptime
@graded(points=1, task=1, hidden=True, hint="Keep each result tied to its name (gather returns results in the order "
        "you passed the awaitables), whatever order they finish in.")
async def test_each_upstream_lands_under_its_own_key(submission, upstream, client):
    bodies = {"users": {"count": 3, "page": [1, 2, 3]}, "products": ["p1", "p2"], "sales": {"total": 0.0}}
    upstream.route("/users", bodies["users"], delay=0.3)  # finishes last
    upstream.route("/products", bodies["products"], delay=0.2)
    upstream.route("/sales", bodies["sales"], delay=0.1)  # finishes first
    response = await client.get("/dashboard")
    expect_status(response, 200, client.errors)
    check(response.json() == bodies, f"GET /dashboard returned {response.json()}",
          f"{bodies} (here /sales finished first and /users last)")


@pytest.mark.looptime
@graded(points=1, task=3, hidden=True, hint="Any non-2xx answer is a failure of that upstream, 404 included: "
        "raise_for_status() raises for all of them.")
async def test_upstream_404_also_gives_502(submission, upstream, client):
    upstream.route("/users", [])
    upstream.route("/products", [])
    upstream.route("/sales", status=404)
    response = await client.get("/dashboard")
    expect_status(response, 502, client.errors, "/sales answered 404: the dashboard cannot be built, answer 502.")
    check("sales" in detail_of(response), f"502 with detail {detail_of(response)!r}", "a detail naming 'sales'")


@pytest.mark.looptime
@graded(points=1, task=3, hidden=True, hint="Here every failure is a 502, a timeout included: httpx.TimeoutException "
        "is an httpx.HTTPError (exercise 03's 504 does not apply to the dashboard).")
async def test_upstream_timeout_also_gives_502(submission, upstream, client):
    upstream.route("/users", [])
    upstream.route("/products", error=httpx.ReadTimeout)
    upstream.route("/sales", {})
    response = await client.get("/dashboard")
    expect_status(response, 502, client.errors, "/products timed out (httpx.ReadTimeout, an httpx.HTTPError): "
                  "the dashboard cannot be built, answer 502.")
    check("products" in detail_of(response), f"502 with detail {detail_of(response)!r}",
          "a detail naming 'products'")


@pytest.mark.looptime
@graded(points=1, task=2, hidden=True, hint="Each request runs its own three calls; concurrent requests must not "
        "wait for each other.")
async def test_concurrent_dashboards_stay_concurrent(submission, upstream, client):
    for name in ("users", "products", "sales"):
        upstream.route(f"/{name}", [name], delay=0.2)
    loop = asyncio.get_running_loop()
    start = loop.time()
    responses = await asyncio.gather(*(client.get("/dashboard") for _ in range(4)))
    took = loop.time() - start
    for response in responses:
        expect_status(response, 200, client.errors)
    check(upstream.max_in_flight == 12 and took < 0.3, f"4 dashboards at once: {upstream.concurrency_summary()}, "
          f"{took:.2f} s", "12 calls in flight together, about 0.2 s in all")


@graded(points=1, task=2, hidden=True, hint="Only awaitable, non-blocking calls inside async def: httpx.AsyncClient "
        "with await, never a sync client or time.sleep.")
async def test_no_blocking_call_while_serving_dashboard(submission, upstream, client, blocking):
    upstream.route("/users", [], delay=0.02)
    upstream.route("/products", [], delay=0.02)
    upstream.route("/sales", {}, delay=0.02)
    expect_status(await client.get("/dashboard"), 200, client.errors)
    upstream.route("/products", status=503, delay=0.01)
    await client.get("/dashboard")  # the failure path must not block either; its status is graded elsewhere
    blocking.assert_none("while serving GET /dashboard")
    check(not upstream.sync_calls, f"{len(upstream.sync_calls)} upstream call(s) made through a synchronous "
          "httpx.Client", "every upstream call made with httpx.AsyncClient and awaited")
