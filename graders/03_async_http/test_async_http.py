"""Public graders for 03_async_http. The upstream API is mocked (respx): the graders choose
what it answers. Every httpx client your code builds is recorded (when, where, with which
arguments), so "one client for the app's lifetime" is checked directly."""

import httpx

from grading import check, expect_status, graded

from conftest import get_ok

ITEM = {"id": 7, "name": "lamp", "price": 12.5, "tags": ["home", "light"]}


def built_summary(clients) -> str:
    if not clients.built:
        return "no httpx client was built"
    when = {"import": "at import", "start-up": "during start-up", "serving": "while serving"}
    return "; ".join(f"{b.kind} built {when.get(b.stage, b.stage)} ({b.where})" for b in clients.built)


@graded(points=3, task=1, hint="Build the client once in lifespan and read it in the endpoint "
        "(request.app.state.client); `async with httpx.AsyncClient()` inside the endpoint builds one per request.")
async def test_one_client_serves_every_request(clients, submission, upstream, client):
    clients.stage = "serving"
    for i in (1, 2, 3):
        upstream.route(f"/items/{i}", {"id": i})
        response = await client.get(f"/proxy/items/{i}")
        expect_status(response, 200, client.errors)
    per_request = clients.of_kind("AsyncClient", "serving")
    check(not per_request, f"{len(per_request)} httpx.AsyncClient built while serving 3 requests "
          f"({per_request[0].where if per_request else ''})",
          "no client built per request: one shared client, opened once in lifespan",
          "Each new client opens new connections (TCP + TLS handshakes); a shared one reuses its pool.")
    check(clients.of_kind("AsyncClient"), built_summary(clients), "an httpx.AsyncClient doing the upstream calls",
          "The contract asks for httpx.AsyncClient.")


@graded(points=2, task=1, hint="Open the client inside the lifespan function (before its `yield`), not at "
        "module level and not lazily on the first request.")
async def test_client_is_opened_in_lifespan(clients, submission, upstream, client):
    clients.stage = "serving"  # the app has started: what is built from now on is built per request
    await get_ok(client, upstream)
    at_import = clients.of_kind("AsyncClient", "import")
    where = at_import[0].where if at_import else ""
    check(not at_import, f"an httpx.AsyncClient was built when app.py was imported ({where})",
          "the client built in lifespan start-up",
          "A client built at import exists before any event loop runs the app and outlives it: "
          "open it in lifespan, where shut-down can close it.")
    check(clients.of_kind("AsyncClient", "start-up"), f"no httpx.AsyncClient built during lifespan start-up "
          f"({built_summary(clients)})", "an httpx.AsyncClient built during lifespan start-up, used by every request")


@graded(points=1, task=1, hint="httpx.AsyncClient(timeout=TIMEOUT): say how long you will wait for the upstream.")
async def test_client_has_explicit_timeout(clients, submission, upstream, client):
    await get_ok(client, upstream)
    built = clients.of_kind("AsyncClient")
    check(built, built_summary(clients), "an httpx.AsyncClient built by the app")
    implicit = [b for b in built if not b.explicit_timeout]
    where = implicit[0].where if implicit else ""
    check(not implicit, f"httpx.AsyncClient built without a timeout= argument ({where})",
          "an explicit timeout=..., e.g. httpx.AsyncClient(timeout=TIMEOUT)",
          "httpx's default (5 s) is a hidden choice; name the number so readers see how long a request may hang.")
    unbounded = [b for b in built if not b.finite_timeout]
    check(not unbounded, f"httpx.AsyncClient built with timeout=None ({unbounded[0].where if unbounded else ''})",
          "a finite timeout: with None, a stuck upstream holds the request forever")


@graded(points=2, task=2, hint="`response = await client.get(url)` then `return response.json()`.")
async def test_proxy_returns_upstream_json(submission, upstream, client):
    upstream.route("/items/7", ITEM)
    response = await client.get("/proxy/items/7")
    expect_status(response, 200, client.errors)
    check(response.json() == ITEM, f"GET /proxy/items/7 returned {response.json()}",
          f"the upstream JSON unchanged: {ITEM}")
    paths = [c.path for c in upstream.calls]
    check(paths == ["/items/7"], f"upstream calls: {paths}", "exactly one call to GET /items/7")


@graded(points=1, task=2, hint="Check `response.status_code == 404` and raise HTTPException(status_code=404).")
async def test_upstream_404_gives_404(submission, upstream, client):
    await get_ok(client, upstream)
    upstream.route("/items/404", {"detail": "no such item"}, status=404)
    response = await client.get("/proxy/items/404")
    expect_status(response, 404, client.errors, "An upstream 404 means the item does not exist: say so with a 404.")
    check("detail" in response.json(), f"body {response.text[:120]}", 'a JSON error body {"detail": "..."}')


@graded(points=2, task=2, hint="A non-2xx answer other than 404, or an httpx error such as ConnectError, is "
        "the upstream's fault: answer 502 Bad Gateway (HTTPException(status_code=502)).")
async def test_upstream_failure_gives_502(submission, upstream, client):
    await get_ok(client, upstream)
    upstream.route("/items/500", status=500)
    upstream.route("/items/13", error=httpx.ConnectError)
    for item_id, what in ((500, "answered 500"), (13, "refused the connection (httpx.ConnectError)")):
        response = await client.get(f"/proxy/items/{item_id}")
        expect_status(response, 502, client.errors, f"The upstream {what}: that is a bad gateway (502), "
                      "not an error of this app (500).")
        check("detail" in response.json(), f"body {response.text[:120]}", 'a JSON error body {"detail": "..."}')


@graded(points=2, task=2, hint="Catch httpx.TimeoutException (before the broader httpx.HTTPError) and answer "
        "504 Gateway Timeout.")
async def test_upstream_timeout_gives_504(submission, upstream, client):
    await get_ok(client, upstream)
    upstream.route("/items/99", error=httpx.ReadTimeout)
    response = await client.get("/proxy/items/99")
    expect_status(response, 504, client.errors, "The upstream did not answer in time (httpx.ReadTimeout): "
                  "that is a gateway timeout (504).")
    check("detail" in response.json(), f"body {response.text[:120]}", 'a JSON error body {"detail": "..."}')
