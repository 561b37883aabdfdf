"""Hidden graders for 13_capstone: the same contract, probed harder."""

import asyncio

import httpx
import pytest

from grading import WAIT, check, close_all, detail_of, expect_status, graded, kill, settle, ws_connect, ws_zombie

from conftest import QUICK, receive_event, report_id_of

SLOWER = 1.0  # PROCESS_DELAY long enough to see that it is read when processing


def serve(upstream, users=2, orders=3, inventory=1, delay=0.0) -> dict:
    """Mock the three upstreams with lists of the given lengths; return the summary they make."""
    counts = {"users": users, "orders": orders, "inventory": inventory}
    for name, n in counts.items():
        upstream.route(f"/{name}", [{"n": i, "of": name} for i in range(n)], delay=delay)
    return counts


@pytest.mark.looptime
@graded(points=2, task=2, hidden=True, hint="Name every upstream that had failed, not only the first exception: "
        "look at each task (or each gather result), not at the one exception that reached you.")
async def test_every_failed_upstream_is_named(submission, upstream, client):
    upstream.route("/users", status=500, delay=0.05)
    upstream.route("/orders", [], delay=0.3)
    upstream.route("/inventory", error=httpx.ConnectError, delay=0.05)
    response = await client.get("/aggregate")
    expect_status(response, 502, client.errors)
    detail = detail_of(response)
    # Those that had failed when the response came back (a solution that stops at the first
    # failure before starting the others is judged on what it started).
    failed = sorted({c.path.strip("/") for c in upstream.calls if c.end is not None and c.outcome not in
                     ("200", "cancelled")})
    missing = [n for n in failed if n not in detail]
    check(not missing, f"502 with detail {detail!r}, but {' and '.join(failed)} had failed by then "
          "(/users answered 500 and /inventory raised ConnectError, both at 0.05 s)",
          f"a detail naming every failed upstream: {', '.join(failed)}")


@pytest.mark.looptime
@graded(points=1, task=2, hidden=True, hint="A plain asyncio.gather stops waiting at the first exception but does "
        "NOT cancel the other calls: they run on after your 502. A TaskGroup cancels them; with gather, pass "
        "return_exceptions=True or cancel the leftover tasks yourself.")
async def test_no_request_left_running_after_502(submission, upstream, client):
    upstream.route("/users", status=500, delay=0.05)  # fails fast
    upstream.route("/orders", [], delay=1.0)  # still in flight at the 502
    upstream.route("/inventory", [], delay=0.05)
    response = await client.get("/aggregate")
    expect_status(response, 502, client.errors)
    running = upstream.still_running
    check(not running, f"after the 502 was sent, {len(running)} upstream call(s) still running: "
          f"{', '.join(c.path for c in running)}",
          "no upstream request left running after the response (cancelled, or awaited before answering)",
          details="Upstream calls:\n" + upstream.timeline())


@pytest.mark.looptime
@graded(points=1, task=1, hidden=True, hint="Any non-2xx answer is a failure of that upstream, 404 included "
        "(raise_for_status() raises for all of them), and so is a network error (httpx.ConnectError).")
async def test_upstream_404_or_network_error_gives_502(submission, upstream, client):
    serve(upstream)
    upstream.route("/orders", status=404)
    response = await client.get("/aggregate")
    expect_status(response, 502, client.errors, "/orders answered 404: no report can be built, answer 502.")
    check("orders" in detail_of(response), f"502 with detail {detail_of(response)!r}", "a detail naming 'orders'")
    serve(upstream)
    upstream.route("/users", error=httpx.ConnectError)
    response = await client.get("/aggregate")
    expect_status(response, 502, client.errors, "/users could not be reached (httpx.ConnectError): answer 502.")
    check("users" in detail_of(response), f"502 with detail {detail_of(response)!r}", "a detail naming 'users'")


@graded(points=2, task=3, hidden=True, hint="Make a new id for every request (str(uuid.uuid4()) inside the "
        "handler) and hand that id, with that request's data, to its own background task.")
async def test_each_report_has_its_own_id_and_summary(submission, upstream, live):
    ws = await ws_connect(live, "/ws/updates", "the WebSocket client")
    want: dict[str, dict] = {}
    ids: list[str] = []
    try:
        await settle()
        async with live.client() as http:
            for counts in ((1, 2, 3), (4, 0, 1), (2, 2, 2)):
                summary = serve(upstream, *counts)
                response = await http.get("/aggregate")
                expect_status(response, 200, live.errors)
                ids.append(report_id_of(response))
                want[ids[-1]] = summary
        check(len(set(ids)) == 3, f"three successful GET /aggregate got the report_ids {ids}",
              "a new, unique report_id for each request")
        events = [await receive_event(ws, live, "the WebSocket client", QUICK + WAIT) for _ in range(3)]
    finally:
        await close_all(ws)
    got = {e.get("report_id"): e.get("summary") for e in events}
    check(got == want and all(e.get("event") == "report_ready" for e in events),
          f"after three reports the client received {events}",
          f"one report_ready update per report, each with its own report_id and summary: {want}")


@graded(points=1, task=3, hidden=True, hint="Each request, even one arriving while another is still waiting "
        "on the upstreams, gets its own new id: make it in one step, e.g. str(uuid.uuid4()), not from shared state "
        "read before an `await` and written after it.")
async def test_two_aggregates_at_once_get_their_own_reports(submission, upstream, live):
    serve(upstream, 2, 1, 3, delay=0.2)  # both requests wait on the upstreams at the same time
    ws = await ws_connect(live, "/ws/updates", "the WebSocket client")
    try:
        await settle()
        async with live.client() as http:
            responses = await asyncio.gather(http.get("/aggregate"), http.get("/aggregate"))
        for response in responses:
            expect_status(response, 200, live.errors)
        ids = [report_id_of(r) for r in responses]
        check(len(set(ids)) == 2, f"two GET /aggregate at once got the report_ids {ids}",
              "a new, unique report_id for each request")
        events = [await receive_event(ws, live, "the WebSocket client", QUICK + WAIT) for _ in range(2)]
    finally:
        await close_all(ws)
    got = sorted(str(e.get("report_id")) for e in events)
    check(got == sorted(ids), f"after two reports at once the client received updates for {got}",
          f"one report_ready update for each: {sorted(ids)}")


@graded(points=1, task=4, hidden=True, hint="Read PROCESS_DELAY inside process_report, when it runs (the graders "
        "change it), not once at import (a default argument, or a copy in another name).")
@pytest.mark.knobs(PROCESS_DELAY=SLOWER)
async def test_process_delay_is_read_when_processing(submission, upstream, live):
    serve(upstream)
    ws = await ws_connect(live, "/ws/updates", "the WebSocket client")
    loop = asyncio.get_running_loop()
    try:
        await settle()
        async with live.client() as http:
            start = loop.time()
            response = await http.get("/aggregate")
        expect_status(response, 200, live.errors)
        await receive_event(ws, live, "the WebSocket client", SLOWER + WAIT)
        took = loop.time() - start
    finally:
        await close_all(ws)
    check(took >= 0.8 * SLOWER, f"with PROCESS_DELAY = {SLOWER}, the update arrived {took:.2f} s after GET /aggregate "
          "was sent", f"at least {SLOWER:.1f} s: PROCESS_DELAY seconds of processing before the update")


@graded(points=1, task=4, hidden=True, hint="Only awaitable, non-blocking calls inside async def: asyncio.sleep, "
        "httpx.AsyncClient with await; never time.sleep or a sync client.")
async def test_no_blocking_call_while_aggregating(submission, upstream, live, blocking):
    serve(upstream, delay=0.02)
    ws = await ws_connect(live, "/ws/updates", "the WebSocket client")
    try:
        await settle()
        async with live.client() as http:
            response = await http.get("/aggregate")
            expect_status(response, 200, live.errors)
            await receive_event(ws, live, "the WebSocket client", QUICK + WAIT)
            upstream.route("/orders", status=503, delay=0.01)
            await http.get("/aggregate")  # the failure path must not block either; its status is graded elsewhere
    finally:
        await close_all(ws)
    await settle()
    blocking.assert_none("while serving GET /aggregate and processing the report")
    check(not upstream.sync_calls, f"{len(upstream.sync_calls)} upstream call(s) made through a synchronous "
          "httpx.Client", "every upstream call made with httpx.AsyncClient and awaited")


@graded(points=2, task=5, hidden=True, hint="Iterate over a copy of the connections and catch the error of each "
        "send separately: dead clients among the living must cost nothing to anyone.")
async def test_many_dead_clients_among_the_living(submission, upstream, live):
    serve(upstream)
    clients, zombies = [], []
    for i in range(12):  # every other client dies (killed, or a zombie): dead ones sit among the living
        clients.append(await ws_connect(live, "/ws/updates", f"client {i}"))
        if i % 4 == 0:
            zombies.append(await ws_zombie(live, "/ws/updates", f"client Z{i}"))
    dead, living = clients[0::2], clients[1::2]
    names = [f"client {i}" for i in range(1, 12, 2)]
    try:
        await settle()
        for ws in dead:
            kill(ws)
        async with live.client() as http:
            for _ in range(2):
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
