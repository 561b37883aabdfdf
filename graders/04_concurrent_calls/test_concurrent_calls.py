"""Public graders for 04_concurrent_calls. The upstream API is mocked (respx) and every call
is recorded with its start and end, so the graders count how many calls were in flight at
once. Under looptime the loop's clock is exact and the mock's latency costs no real time."""

import asyncio

import httpx
import pytest

from grading import check, detail_of, expect_status, graded

pytestmark = pytest.mark.looptime

USERS = [{"id": 1, "name": "Ada"}, {"id": 2, "name": "Linus"}]
PRODUCTS = [{"sku": "A-1", "price": 9.5}]
SALES = {"total": 42, "currency": "EUR"}


def serve(upstream, delays=(0.0, 0.0, 0.0), **override) -> None:
    """Mock /users, /products and /sales; override={"products": {"status": 503}}..."""
    bodies = {"users": USERS, "products": PRODUCTS, "sales": SALES}
    for (name, body), delay in zip(bodies.items(), delays, strict=True):
        upstream.route(f"/{name}", body, **{"delay": delay, **override.get(name, {})})


@graded(points=2, task=1, hint="fetch_resource returns `response.json()`; the dashboard maps each name to "
        "its own upstream's JSON.")
async def test_dashboard_combines_three_upstreams(submission, upstream, client):
    serve(upstream)
    response = await client.get("/dashboard")
    expect_status(response, 200, client.errors)
    want = {"users": USERS, "products": PRODUCTS, "sales": SALES}
    check(response.json() == want, f"GET /dashboard returned {str(response.json())[:200]}", f"{want}")
    paths = sorted(c.path for c in upstream.calls)
    check(paths == ["/products", "/sales", "/users"], f"upstream calls: {paths}",
          "exactly one call each to /users, /products and /sales, in any order")


@graded(points=3, task=2, hint="Start all three requests before awaiting any: asyncio.gather(...) or "
        "tasks in an asyncio.TaskGroup. `a = await f(); b = await g()` waits for a before even starting b.")
async def test_dashboard_calls_upstreams_concurrently(submission, upstream, client):
    serve(upstream, delays=(0.3, 0.2, 0.1))
    loop = asyncio.get_running_loop()
    start = loop.time()
    response = await client.get("/dashboard")
    took = loop.time() - start
    expect_status(response, 200, client.errors)
    # The request's own time only when it says more than the calls' span.
    extra = f"; the request took {took:.2f} s" if abs(took - upstream.span) >= 0.05 else ""
    check(upstream.max_in_flight == 3 and took < 0.4,
          f"{upstream.concurrency_summary()}{extra}",
          "the 3 calls in flight together: about 0.3 s (the slowest upstream), not 0.6 s (the sum)",
          details="Upstream calls (time since the first started):\n" + upstream.timeline())


@graded(points=2, task=3, hint="Catch the failure (an httpx.HTTPError, or an ExceptionGroup of them from a "
        "TaskGroup) and raise HTTPException(status_code=502, detail=...) naming the upstream: users, products, sales.")
async def test_failed_upstream_gives_502_naming_it(submission, upstream, client):
    serve(upstream, products={"status": 503})
    response = await client.get("/dashboard")
    expect_status(response, 502, client.errors, "/products answered 503: the dashboard cannot be built, and it "
                  "is the upstream's fault, so 502 Bad Gateway.")
    detail = detail_of(response)
    check("products" in detail, f"502 with detail {detail!r}", "a detail naming the failed upstream: 'products'",
          "Say which upstream failed, e.g. 'Upstream failed: products'.")


@graded(points=1, task=3, hint="A network error is an httpx.HTTPError too (httpx.ConnectError): "
        "the same 502, naming the upstream.")
async def test_connection_error_gives_502_naming_it(submission, upstream, client):
    serve(upstream, sales={"error": httpx.ConnectError})
    response = await client.get("/dashboard")
    expect_status(response, 502, client.errors, "/sales could not be reached (httpx.ConnectError): answer 502.")
    detail = detail_of(response)
    check("sales" in detail, f"502 with detail {detail!r}", "a detail naming the failed upstream: 'sales'")


@graded(points=2, task=2, hint="asyncio.gather stops waiting at the first exception but does NOT cancel the "
        "other awaitables: they run on after your 502. A TaskGroup cancels them; with gather, pass "
        "return_exceptions=True (it waits for all) or cancel the leftover tasks yourself.")
async def test_no_request_left_running_after_502(submission, upstream, client):
    # /users fails fast, /products is slow: by the time of the 502, /products is still in flight.
    serve(upstream, delays=(0.05, 1.0, 0.05), users={"status": 500})
    response = await client.get("/dashboard")
    expect_status(response, 502, client.errors)
    running = upstream.still_running
    check(not running, f"after the 502 was sent, {len(running)} upstream call(s) still running: "
          f"{', '.join(c.path for c in running)}",
          "no upstream request left running after the response (cancelled, or awaited before answering)",
          "A request nobody waits for still holds a connection and keeps working for nothing: run the calls "
          "in an `asyncio.TaskGroup` (it cancels the others when one fails), or pass `return_exceptions=True` "
          "to gather (it waits for every call).",
          details="Upstream calls:\n" + upstream.timeline())
