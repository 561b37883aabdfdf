"""Hidden graders for 03_async_http: the same contract, probed harder."""

import httpx

from grading import app_client, check, expect_status, graded

from conftest import get_ok


@graded(points=2, task=1, hidden=True, hint="`async with httpx.AsyncClient(...) as client:` around the lifespan's "
        "`yield` closes it on shut-down (or `await client.aclose()` after the yield).")
async def test_client_closed_on_shutdown(clients, submission, upstream, exercise_dir):
    async with app_client(submission.app, [exercise_dir]) as client:
        clients.stage = "serving"
        await get_ok(client, upstream)
        await get_ok(client, upstream, 2)
    built = clients.of_kind("AsyncClient")
    check(built, "no httpx.AsyncClient was built by the app", "an httpx.AsyncClient doing the upstream calls")
    still_open = [b for b in built if not b.is_closed]
    check(not still_open, f"after shut-down, {len(still_open)} httpx.AsyncClient still open "
          f"(built at {still_open[0].stage}, {still_open[0].where})" if still_open else "",
          "every client the app opened closed when the app shut down",
          "An open client keeps its connections (sockets) until the process dies.")


@graded(points=1, task=2, hidden=True, hint="Every non-2xx status except 404 (a 3xx redirect too: the client does "
        "not follow it), and every httpx.HTTPError that is not a timeout, is a 502. `response.is_success` says 2xx.")
async def test_other_upstream_failures_give_502(submission, upstream, client):
    await get_ok(client, upstream)
    upstream.route("/items/503", status=503)
    upstream.route("/items/401", status=401)
    upstream.route("/items/400", status=400)
    upstream.route("/items/302", {"moved": True}, status=302)
    upstream.route("/items/77", error=httpx.ReadError)
    for item_id, what in ((503, "answered 503"), (401, "answered 401"), (400, "answered 400"),
                          (302, "answered 302 (a redirect, not followed)"),
                          (77, "dropped the connection (httpx.ReadError)")):
        response = await client.get(f"/proxy/items/{item_id}")
        expect_status(response, 502, client.errors, f"The upstream {what}: answer 502.")


@graded(points=1, task=2, hidden=True, hint="Catch httpx.TimeoutException, the base class of every httpx timeout, "
        "not only ReadTimeout.")
async def test_every_timeout_gives_504(submission, upstream, client):
    await get_ok(client, upstream)
    upstream.route("/items/91", error=httpx.WriteTimeout)
    upstream.route("/items/92", error=httpx.PoolTimeout)
    for item_id, name in ((91, "httpx.WriteTimeout"), (92, "httpx.PoolTimeout")):
        response = await client.get(f"/proxy/items/{item_id}")
        expect_status(response, 504, client.errors, f"The upstream call raised {name}: answer 504.")


@graded(points=1, task=2, hidden=True, hint="Declare `item_id: int`: FastAPI answers 422 before your code runs.")
async def test_non_int_item_id_is_422(submission, upstream, client):
    await get_ok(client, upstream, 5)
    response = await client.get("/proxy/items/five")
    expect_status(response, 422, client.errors)
    check([c.path for c in upstream.calls] == ["/items/5"], f"upstream calls: {[c.path for c in upstream.calls]}",
          "no upstream call for an invalid id")


@graded(points=1, task=2, hidden=True, hint="Return `response.json()` as it is: no re-shaping.")
async def test_upstream_json_passed_unchanged(submission, upstream, client):
    body = {"id": 31, "name": "Café crème ☕", "price": 3.75, "stock": None, "ok": True,
            "sizes": [{"ml": 200}, {"ml": 350}], "meta": {}}
    upstream.route("/items/31", body)
    response = await client.get("/proxy/items/31")
    expect_status(response, 200, client.errors)
    check(response.json() == body, f"GET /proxy/items/31 returned {response.json()}", f"unchanged: {body}")


@graded(points=1, task=2, hidden=True, hint="Use the AsyncClient with `await`: a sync call (or time.sleep) "
        "inside `async def` freezes every other request.")
async def test_no_blocking_call_while_proxying(submission, upstream, client, blocking):
    await get_ok(client, upstream)
    # Every path of the status mapping: an error path may block where the 200 path does not.
    upstream.route("/items/404", status=404)
    upstream.route("/items/500", status=500)
    upstream.route("/items/13", error=httpx.ConnectError)
    upstream.route("/items/99", error=httpx.ReadTimeout)
    for item_id in (404, 500, 13, 99):
        await client.get(f"/proxy/items/{item_id}")
    blocking.assert_none("while proxying GET /proxy/items/1 (200), /404 (404), /500 (upstream 500), "
                         "/13 (httpx.ConnectError) and /99 (httpx.ReadTimeout)")
    sync = upstream.sync_calls
    check(not sync, f"{len(sync)} upstream call(s) made through a synchronous httpx.Client",
          "every upstream call made with httpx.AsyncClient and awaited")
