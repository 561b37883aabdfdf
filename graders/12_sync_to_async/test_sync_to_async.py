"""Public graders for 12_sync_to_async. The upstream API is mocked (respx): it records which
client made each call (async, or the sync httpx.Client on which thread) and how many calls
were in flight at once. blockbuster names blocking calls on the event-loop thread; time.sleep
is recorded on any thread. Each test has its own SQLite file."""

from grading import SleepRecorder, check, expect_status, graded

from conftest import PRODUCT, STOCK, require_async_client, require_async_endpoints, serve_product


@graded(points=3, task=1, hint="Open one httpx.AsyncClient in lifespan with `async with`, make get_json "
        "`async def`, and `await client.get(...)`.")
async def test_products_are_fetched_through_an_async_client(submission, upstream, database, client, blocking):
    serve_product(upstream)
    response = await client.get("/products/7")
    expect_status(response, 200, client.errors)
    check(response.json() == {"product": PRODUCT, "stock": STOCK}, f"GET /products/7 returned {response.text[:200]}",
          f"{ {'product': PRODUCT, 'stock': STOCK} } (the same answer as before the conversion)")
    require_async_client(upstream, "for GET /products/7")
    blocking.assert_none("while serving GET /products/7", "Every call inside `async def` that waits must be awaited.")


@graded(points=3, task=2, hint="The stock does not need the product: `product, stock = await asyncio.gather("
        "get_json(...), get_json(...))` (or two tasks in an asyncio.TaskGroup) waits for both at once.")
async def test_product_and_stock_are_fetched_concurrently(submission, upstream, database, client):
    serve_product(upstream, delay=0.3)
    response = await client.get("/products/7")
    expect_status(response, 200, client.errors)
    check(upstream.max_in_flight == 2, upstream.concurrency_summary(),
          "the /products and /stock calls in flight together: about 0.3 s, not 0.6 s",
          details="Upstream calls (time since the first started):\n" + upstream.timeline())
    require_async_client(upstream, "for GET /products/7")


@graded(points=3, task=3, hint="`await asyncio.sleep(RETRY_DELAY)` pauses this request only; time.sleep holds its "
        "thread (and, inside async def, the whole event loop). Read RETRY_DELAY when pausing.")
async def test_a_failed_try_is_retried_after_an_async_pause(submission, exercise_dir, upstream, database, client,
                                                            blocking):
    submission.RETRY_DELAY = 0.3
    serve_product(upstream, product={"first": [{"status": 503}]})
    with SleepRecorder([exercise_dir]) as sleeps:
        response = await client.get("/products/7")
    expect_status(response, 200, client.errors, "The upstream answered 503 once, then 200: the retry should succeed.")
    check(response.json() == {"product": PRODUCT, "stock": STOCK}, f"GET /products/7 returned {response.text[:200]}",
          "the product and its stock, after one retry")
    tries = upstream.calls_to("/products/7")
    check(len(tries) == 2, f"{len(tries)} call(s) to /products/7", "2: the 503, then one retry that succeeds")
    gap = tries[1].start - (tries[0].end or tries[0].start)
    check(not sleeps.calls, f"the pause was {sleeps.summary()}",
          "await asyncio.sleep(RETRY_DELAY): a pause that holds no thread")
    check(gap >= 0.25, f"the retry started {gap:.2f} s after the 503 (RETRY_DELAY = 0.3)",
          "a pause of RETRY_DELAY seconds between the tries",
          "asyncio.sleep(...) without `await` only makes a coroutine object and does not pause at all.",
          details="Upstream calls:\n" + upstream.timeline())
    require_async_client(upstream, "for GET /products/7")
    blocking.assert_none("while retrying GET /products/7")


@graded(points=3, task=4, hint="Make insert_order and fetch_order async (aiosqlite: `async with "
        "aiosqlite.connect(DATABASE_PATH) as db`, await execute, commit, fetchone) and the endpoints `async def`.")
async def test_orders_are_stored_and_read_back_asynchronously(submission, upstream, database, client, blocking):
    serve_product(upstream)
    response = await client.post("/orders", json={"product_id": 7, "quantity": 3})
    expect_status(response, 201, client.errors)
    created = response.json()
    want = {"product_id": 7, "quantity": 3, "total": 73.5}
    check(isinstance(created, dict) and isinstance(created.get("id"), int)
          and {k: created.get(k) for k in want} == want,
          f"POST /orders returned {response.text[:200]}", f'{{"id": <int>, **{want}}}')
    response = await client.get(f"/orders/{created['id']}")
    expect_status(response, 200, client.errors)
    check(response.json() == created, f"GET /orders/{created['id']} returned {response.text[:200]}", f"{created}")
    blocking.assert_none("while storing and reading an order",
                         "sqlite3 inside `async def` blocks the loop on every query: use aiosqlite, or "
                         "`await asyncio.to_thread(...)` around the sync function.")
    require_async_endpoints(submission.app, "/orders", "/orders/{order_id}")
