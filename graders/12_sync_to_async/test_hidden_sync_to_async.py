"""Hidden graders for 12_sync_to_async: the answers kept exactly as they were, and the gain
measured under load."""

import asyncio
import sqlite3
from contextlib import closing
from pathlib import Path

from grading import app_client, check, expect_status, graded, load_submission

from conftest import PRODUCT, require_async_client, require_async_endpoints, serve_product


@graded(points=2, task=1, hidden=True, hint="With every request awaiting instead of holding a thread, 50 requests "
        "wait for the upstream together; a `def` endpoint or a sync client caps them at FastAPI's 40 threads.")
async def test_fifty_requests_wait_together_without_threads(submission, upstream, database, client):
    serve_product(upstream, product_id=99)
    expect_status(await client.get("/products/99"), 200, client.errors)
    require_async_client(upstream, "for GET /products/99")  # a sync client on the loop would take 50 s below
    for i in range(50):
        serve_product(upstream, product_id=100 + i, delay=1.0)
    responses = await asyncio.gather(*(client.get(f"/products/{100 + i}") for i in range(50)))
    for response in responses:
        expect_status(response, 200, client.errors)
    check(upstream.max_in_flight >= 50, f"for 50 concurrent requests, {upstream.concurrency_summary()}",
          "at least 50 upstream calls in flight at once (one per request, or 100 with product and stock together)",
          "Some requests waited for a free worker thread: an endpoint still `def`, or sync work in a thread.")


@graded(points=1, task=1, hidden=True, hint="Keep upstream_error: an upstream 404 stays a 404, and a 4xx is not "
        "worth retrying.")
async def test_unknown_product_is_still_a_404_without_retries(submission, upstream, database, client):
    upstream.route("/products/9", {"detail": "nope"}, status=404)
    upstream.route("/stock/9", {"product_id": 9, "available": 0})
    response = await client.get("/products/9")
    expect_status(response, 404, client.errors)
    check(response.json() == {"detail": "Product not found"}, f"GET /products/9 returned {response.text[:200]}",
          '{"detail": "Product not found"}, as before the conversion')
    tries = upstream.calls_to("/products/9")
    check(len(tries) == 1, f"{len(tries)} calls to /products/9, which answered 404", "1: a 404 is not retried")
    require_async_client(upstream, "for GET /products/9")


@graded(points=2, task=3, hidden=True, hint="Try ATTEMPTS times in all (read it when retrying), then let the error "
        "become a 502.")
async def test_a_failing_upstream_is_a_502_after_every_try(submission, upstream, database, client):
    submission.RETRY_DELAY = 0.05
    submission.ATTEMPTS = 4
    serve_product(upstream, stock={"status": 503})
    response = await client.get("/products/7")
    expect_status(response, 502, client.errors, "/stock/7 answered 503 every time: after the retries, a 502.")
    tries = upstream.calls_to("/stock/7")
    check(len(tries) == 4, f"{len(tries)} calls to /stock/7 with ATTEMPTS = 4", "4 tries, then the 502")
    require_async_client(upstream, "for GET /products/7")


@graded(points=1, task=1, hidden=True, hint="POST /orders awaits get_json: an unknown product is still a 404 and "
        "nothing is stored.")
async def test_ordering_an_unknown_product_is_still_a_404(submission, upstream, database, client):
    upstream.route("/products/9", {"detail": "nope"}, status=404)
    response = await client.post("/orders", json={"product_id": 9, "quantity": 1})
    expect_status(response, 404, client.errors)
    check(response.json() == {"detail": "Product not found"}, f"POST /orders returned {response.text[:200]}",
          '{"detail": "Product not found"}')
    require_async_client(upstream, "for POST /orders")


@graded(points=2, task=4, hidden=True, hint="Commit after the insert and read DATABASE_PATH when connecting: a "
        "restart on the same file finds the orders again; a missing order is still a 404.")
async def test_orders_survive_a_restart_and_missing_ones_are_404(submission, upstream, database, exercise_dir, client):
    upstream.route("/products/7", PRODUCT)
    response = await client.post("/orders", json={"product_id": 7, "quantity": 2})
    expect_status(response, 201, client.errors)
    created = response.json()
    again = load_submission(exercise_dir)  # a fresh import, as after a server restart
    again.DATABASE_PATH = str(database)
    async with app_client(again.app, [exercise_dir]) as restarted:
        response = await restarted.get(f"/orders/{created['id']}")
        expect_status(response, 200, restarted.errors, "The order was stored before the restart.")
        check(response.json() == created,
              f"after a restart, GET /orders/{created['id']} returned {response.text[:200]}", f"{created}")
        response = await restarted.get("/orders/999")
        expect_status(response, 404, restarted.errors)
        check(response.json() == {"detail": "Order not found"}, f"GET /orders/999 returned {response.text[:200]}",
              '{"detail": "Order not found"}')
    require_async_endpoints(submission.app, "/orders", "/orders/{order_id}")
    check(stored_at(database, created), f"order {created['id']} was not in the SQLite file at DATABASE_PATH "
          f"({database.name})", "the order stored in the file DATABASE_PATH names when the app runs",
          "Read DATABASE_PATH inside the function that connects: a default argument `path=DATABASE_PATH` is "
          "evaluated once, at import, before the graders set it.")


def stored_at(database: Path, order: dict) -> bool:
    """Whether a row of some table in the file holds the order's id, product and quantity."""
    if not database.exists():
        return False
    with closing(sqlite3.connect(f"{database.as_uri()}?mode=ro", uri=True)) as db:
        tables = [name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        want = {order.get("id"), order.get("product_id"), order.get("quantity")}
        return any(want <= set(row) for table in tables
                   for row in db.execute(f'SELECT * FROM "{table}"'))  # noqa: S608 - names from sqlite_master


@graded(points=1, task=1, hidden=True, hint="Keep `round(product[\"price\"] * order.quantity, 2)`: the total is "
        "rounded to cents, as the sync service answered.")
async def test_an_order_total_is_rounded_to_cents(submission, upstream, database, client):
    upstream.route("/products/7", {**PRODUCT, "price": 0.1})
    response = await client.post("/orders", json={"product_id": 7, "quantity": 3})
    expect_status(response, 201, client.errors)
    total = response.json().get("total") if isinstance(response.json(), dict) else None
    check(total == 0.3, f"POST /orders of 3 at 0.1 answered the total {total!r}",
          "0.3, as the sync service answers (round(0.1 * 3, 2))")
    # The provided sync service already rounds: the point is earned by the converted one.
    require_async_client(upstream, "during POST /orders")
    require_async_endpoints(submission.app, "/orders")
