"""Public graders for 13_capstone.

Two drivers, each for what it shows without depending on machine speed:
- in-process (`client`, under looptime): the mocked upstream counts the calls in flight at
  once, so concurrency and "nothing left running after a 502" are exact. (httpx's
  ASGITransport returns only once a request's background tasks have run, so it cannot show
  "response first".)
- a real uvicorn server (`live`) with real WebSocket clients on /ws/updates: the update must
  not have arrived when the HTTP response has, every client receives it, a dead client is
  a killed TCP connection or a zombie (still registered, its sends fail: ws_zombie), and
  uvicorn's error log must stay empty.

PROCESS_DELAY is set before the app starts (a solution may read it in lifespan): see conftest.py.
"""


import pytest

from grading import (
    WAIT,
    assert_quiet,
    check,
    close_all,
    detail_of,
    expect_status,
    graded,
    kill,
    settle,
    ws_connect,
    ws_recv,
    ws_silence,
    ws_zombie,
)

from conftest import QUICK, SLOW, receive_event, report_id_of

USERS = [{"id": 1, "name": "Ada"}, {"id": 2, "name": "Linus"}, {"id": 3, "name": "Grace"}]
ORDERS = [{"id": n, "user": n % 3 + 1, "total": 10.0 * n} for n in range(1, 6)]
INVENTORY = [{"sku": "A-1", "stock": 4}, {"sku": "B-2", "stock": 0}]
SUMMARY = {"users": 3, "orders": 5, "inventory": 2}
QUIET_HINT = ("A client leaving is normal: receive_text() raises WebSocketDisconnect; catch it, "
              "manager.disconnect(websocket), and return. A failed send in broadcast must be caught too.")


def serve(upstream, delays=(0.0, 0.0, 0.0), **override) -> None:
    """Mock /users, /orders and /inventory; override={"orders": {"status": 503}}..."""
    bodies = {"users": USERS, "orders": ORDERS, "inventory": INVENTORY}
    for (name, body), delay in zip(bodies.items(), delays, strict=True):
        upstream.route(f"/{name}", body, **{"delay": delay, **override.get(name, {})})


@pytest.mark.looptime
@graded(points=2, task=1, hint="fetch_resource returns `response.json()`; /aggregate maps each name to its own "
        "upstream's JSON and adds a report_id string.")
async def test_aggregate_returns_the_three_upstreams_and_a_report_id(submission, upstream, client):
    serve(upstream)
    response = await client.get("/aggregate")
    expect_status(response, 200, client.errors)
    body = response.json()
    want = {"users": USERS, "orders": ORDERS, "inventory": INVENTORY}
    got = {k: body.get(k) for k in want} if isinstance(body, dict) else body
    check(got == want, f"GET /aggregate returned {str(body)[:300]}", f"{want} (and a report_id)")
    report_id_of(response)
    paths = sorted(c.path for c in upstream.calls)
    check(paths == ["/inventory", "/orders", "/users"], f"upstream calls: {paths}",
          "exactly one call each to /users, /orders and /inventory, in any order")


@pytest.mark.looptime
@graded(points=3, task=2, hint="Start all three requests before awaiting any: tasks in an asyncio.TaskGroup, or "
        "asyncio.gather(...). `a = await f(); b = await g()` waits for a before even starting b.")
async def test_aggregate_calls_upstreams_concurrently(submission, upstream, client):
    serve(upstream, delays=(0.3, 0.2, 0.1))
    response = await client.get("/aggregate")
    expect_status(response, 200, client.errors)
    check(upstream.max_in_flight == 3, upstream.concurrency_summary(),
          "the 3 calls in flight together: about 0.3 s (the slowest upstream), not 0.6 s (the sum)",
          details="Upstream calls (time since the first started):\n" + upstream.timeline())


@pytest.mark.looptime
@graded(points=2, task=3, hint="Catch the UpstreamError (or the httpx.HTTPError) and raise "
        "HTTPException(status_code=502, detail=...) naming the upstream: users, orders, inventory.")
async def test_failed_upstream_gives_502_naming_it(submission, upstream, client):
    serve(upstream, orders={"status": 503})
    response = await client.get("/aggregate")
    expect_status(response, 502, client.errors, "/orders answered 503: no report can be built, and it is the "
                  "upstream's fault, so 502 Bad Gateway.")
    detail = detail_of(response)
    check("orders" in detail, f"502 with detail {detail!r}", "a detail naming the failed upstream: 'orders'",
          "Say which upstream failed, e.g. 'Upstream failed: orders'.")


@graded(points=3, task=3, hint="Return right after scheduling the work: background_tasks.add_task(process_report, "
        "report_id, data) runs it after the response is sent. Awaiting process_report in the handler makes the "
        "client wait, and time.sleep in an async function freezes the server while it runs.")
@pytest.mark.knobs(PROCESS_DELAY=SLOW)
async def test_response_is_sent_before_processing(submission, upstream, live):
    serve(upstream)
    ws = await ws_connect(live, "/ws/updates", "a WebSocket client")
    try:
        await settle()
        async with live.client() as http:
            response = await http.get("/aggregate")
        expect_status(response, 200, live.errors)
        early = await ws_silence(ws, 0.1)
        check(early is None, f"the update {str(early)[:160]!r} had already reached the WebSocket client when the "
              "response to GET /aggregate arrived",
              f"the response first, the update about {SLOW:.1f} s later (PROCESS_DELAY = {SLOW})")
        await ws_recv(ws, live, "the WebSocket client", "the update, after the response", within=SLOW + WAIT)
    finally:
        await close_all(ws)


@graded(points=3, task=4, hint="After the simulated work, broadcast {\"event\": \"report_ready\", \"report_id\": "
        "<the response's id>, \"summary\": {\"users\": len(users), \"orders\": len(orders), \"inventory\": "
        "len(inventory)}} to every client of /ws/updates.")
async def test_every_connected_client_gets_the_report(submission, upstream, live):
    serve(upstream)
    names = ["client A", "client B", "client C"]
    clients = [await ws_connect(live, "/ws/updates", n) for n in names]
    try:
        await settle()
        async with live.client() as http:
            response = await http.get("/aggregate")
        expect_status(response, 200, live.errors)
        report_id = report_id_of(response)
        want = {"event": "report_ready", "report_id": report_id, "summary": SUMMARY}
        for ws, name in zip(clients, names, strict=True):
            event = await receive_event(ws, live, name, QUICK + WAIT)
            got = {k: event.get(k) for k in want}
            check(got == want, f"{name} received {event}",
                  f"{want}: this response's report_id, and the length of each list (3 users, 5 orders, "
                  "2 inventory items)")
        extra = [await ws_silence(ws, 0.2) for ws in clients]
        check(not any(extra), f"after one GET /aggregate, clients also received {[e for e in extra if e]}",
              "one update per report, delivered once to each client")
    finally:
        await close_all(*clients)


@graded(points=2, task=3, hint="Raise the 502 before scheduling anything: with no report there is nothing to "
        "process, and nothing to push.")
async def test_failed_aggregate_pushes_no_update(submission, upstream, live):
    serve(upstream, inventory={"status": 500})
    ws = await ws_connect(live, "/ws/updates", "a WebSocket client")
    try:
        await settle()
        async with live.client() as http:
            failed = await http.get("/aggregate")
            expect_status(failed, 502, live.errors, "/inventory answered 500: answer 502.")
            pushed = await ws_silence(ws, QUICK + 0.5)
            check(pushed is None, f"after GET /aggregate answered 502, the WebSocket client received "
                  f"{str(pushed)[:160]!r}", "no update at all: when an upstream fails there is no report")
            serve(upstream)  # the upstream is back: now a report is made, and it is the first update
            response = await http.get("/aggregate")
        expect_status(response, 200, live.errors)
        report_id = report_id_of(response)
        event = await receive_event(ws, live, "the WebSocket client", QUICK + WAIT)
        check(event.get("report_id") == report_id, f"after a 502 then a 200 with report_id {report_id!r}, the first "
              f"update received was {event}", f"the update of report {report_id!r}, and nothing for the 502")
    finally:
        await close_all(ws)


@graded(points=3, task=5, hint="Sending to a client that is gone raises. Loop over a copy of the connections, "
        "catch the error of each send on its own, drop that client and go on with the others.")
async def test_dead_client_does_not_stop_delivery(submission, upstream, live):
    serve(upstream)
    # The dead clients join first so that a broadcast loop meets them before the living. A
    # killed one is noticed by the app's receive loop before the report is pushed; a zombie
    # (its network gone, the app not told) stays registered until a send to it fails.
    dead = [await ws_connect(live, "/ws/updates", f"client D{i}") for i in range(1, 4)]
    zombies = [await ws_zombie(live, "/ws/updates", f"client Z{i}") for i in range(1, 7)]
    names = [f"client L{i}" for i in range(1, 4)]
    living = [await ws_connect(live, "/ws/updates", n) for n in names]
    try:
        await settle()
        for ws in dead:
            kill(ws)
        async with live.client() as http:
            for _ in range(2):  # and the next report reaches them too
                response = await http.get("/aggregate")
                expect_status(response, 200, live.errors)
                report_id = report_id_of(response)
                for ws, name in zip(living, names, strict=True):
                    event = await receive_event(ws, live, name, QUICK + WAIT)
                    check(event.get("report_id") == report_id, f"{name} received {event}",
                          f"the update of report {report_id!r}")
    finally:
        await close_all(*living)
        for zombie in zombies:
            await zombie.close()
    await settle()
    assert_quiet(live, "when clients of /ws/updates dropped their connection", QUIET_HINT)


@graded(points=2, task=6, hint="Loop on `await websocket.receive_text()` inside try/except WebSocketDisconnect; "
        "in the except, manager.disconnect(websocket) and return.")
async def test_clients_leaving_are_handled_quietly(submission, upstream, live):
    serve(upstream)
    polite = await ws_connect(live, "/ws/updates", "a first client")
    dropped = await ws_connect(live, "/ws/updates", "a second client")
    await settle()
    await polite.close()  # a polite goodbye (close frame)
    kill(dropped)  # a crash: the connection just drops
    await settle()
    third = await ws_connect(live, "/ws/updates", "a third client")
    try:
        await settle()
        async with live.client() as http:
            response = await http.get("/aggregate")
        expect_status(response, 200, live.errors)
        report_id = report_id_of(response)
        event = await receive_event(third, live, "a third client", QUICK + WAIT)
        check(event.get("report_id") == report_id, f"the third client received {event}",
              f"the update of report {report_id!r}")
    finally:
        await close_all(third)
    await settle()
    assert_quiet(live, "when clients of /ws/updates closed their connection or dropped it", QUIET_HINT)
