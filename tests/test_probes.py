"""Each probe against a toy app, in-process and fast: a probe change is checked here in
seconds, before the corpus grades real submissions with it."""

from __future__ import annotations

import asyncio
import textwrap
import time
from pathlib import Path

import httpx
import pytest

from grading import (
    Feedback,
    LoopLagMonitor,
    SleepRecorder,
    app_client,
    close_all,
    expect_status,
    live_server,
    load_submission,
    record_clients,
    ws_connect,
    ws_recv,
    ws_silence,
)
from grading.probes.blocking import BlockingRecorder
from grading.probes.upstream import UPSTREAM_URL, mock_upstream

TOY = '''
import time

import httpx
from fastapi import FastAPI, WebSocket

CLIENT = httpx.AsyncClient(timeout=5)
app = FastAPI()


@app.get("/sleepy")
async def sleepy():
    time.sleep(0.01)
    return {"ok": True}


@app.get("/broken")
async def broken():
    return {}["missing"]


@app.get("/threaded")
def threaded():
    time.sleep(0.01)
    return {"ok": True}


@app.websocket("/echo")
async def echo(websocket: WebSocket):
    await websocket.accept()
    text = await websocket.receive_text()
    await websocket.send_text(f"echo: {text}")
    await websocket.close()
'''


def line_of(text: str, needle: str, after: str = "") -> int:
    """The number of the first line holding ``needle`` (after the first holding ``after``)."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if after in line) if after else 0
    return next(i for i, line in enumerate(lines[start:], start + 1) if needle in line)


@pytest.fixture
def toy(tmp_path: Path) -> tuple[Path, str]:
    folder = tmp_path / "01_toy"
    folder.mkdir()
    source = textwrap.dedent(TOY)
    (folder / "app.py").write_text(source)
    return folder, source


# --- upstream ----------------------------------------------------------------------------

async def test_upstream_counts_calls_in_flight():
    router, up = mock_upstream()
    with router:
        up.route("/a", {"n": 1}, delay=0.05)
        up.route("/b", {"n": 2}, delay=0.05)
        async with httpx.AsyncClient(base_url=UPSTREAM_URL) as http:
            together = await asyncio.gather(http.get("/a"), http.get("/b"), http.get("/a"))
            assert [r.json()["n"] for r in together] == [1, 2, 1]
            assert up.max_in_flight == 3 and up.in_flight == 0
            assert up.concurrency_summary().startswith("3 upstream calls overlapped, 3 in flight at most")
            up.max_in_flight = 0
            for path in ("/a", "/b"):
                await http.get(path)
    assert up.max_in_flight == 1
    assert [c.outcome for c in up.calls_to("/b")] == ["200", "200"]
    assert "GET /a" in up.timeline()


async def test_upstream_simulates_failures_and_a_flaky_start():
    router, up = mock_upstream()
    with router:
        up.route("/flaky", {"ok": True}, first=[{"status": 503}, {"error": httpx.ConnectError}])
        async with httpx.AsyncClient(base_url=UPSTREAM_URL) as http:
            assert (await http.get("/flaky")).status_code == 503
            with pytest.raises(httpx.ConnectError):
                await http.get("/flaky")
            assert (await http.get("/flaky")).json() == {"ok": True}
    assert [c.outcome for c in up.calls] == ["503", "ConnectError", "200"]


def test_upstream_records_a_sync_client_and_its_thread():
    router, up = mock_upstream()
    with router:
        up.route("/a", {"n": 1})
        with httpx.Client(base_url=UPSTREAM_URL) as http:
            assert http.get("/a").json() == {"n": 1}
    assert [(c.client, c.thread) for c in up.sync_calls] == [("sync", "worker")]


# --- blocking ----------------------------------------------------------------------------

async def test_blocking_recorder_names_the_call_and_the_learners_line(toy):
    folder, source = toy
    recorder = BlockingRecorder([folder])
    recorder.arm()
    try:
        module = load_submission(folder)
        async with app_client(module.app, [folder]) as client:
            recorder.start()
            expect_status(await client.get("/sleepy"), 200, client.errors)
            expect_status(await client.get("/threaded"), 200, client.errors)  # a worker thread: not the loop
            recorder.stop()
    finally:
        recorder.disarm()
    assert [c.function for c in recorder.calls] == ["time.sleep"]
    where = f"app.py, line {line_of(source, 'time.sleep(0.01)')}, in sleepy"
    assert recorder.calls[0].where == where
    with pytest.raises(Feedback, match=f"1 blocking call ran on the event-loop thread while serving: time.sleep "
                                       rf"\(0.01 s\) from {where}"):
        recorder.assert_none("while serving")


async def test_sleep_recorder_sees_sleeps_on_any_thread(toy):
    folder, source = toy
    module = load_submission(folder)
    with SleepRecorder([folder]) as sleeps:
        async with app_client(module.app, [folder]) as client:
            await client.get("/threaded")
        time.sleep(0)  # noqa: ASYNC251  # the grader's own sleep: not the learner's
    assert len(sleeps.calls) == 1
    call = sleeps.calls[0]
    assert call.where == f"app.py, line {line_of(source, 'time.sleep(0.01)', after='def threaded')}, in threaded"
    assert "a worker thread" in call.detail


async def test_loop_lag_monitor_sees_the_loop_held():
    async with LoopLagMonitor() as lag:
        await asyncio.sleep(0.03)
    free = lag.max_lag
    lag.reset()
    async with LoopLagMonitor() as lag:
        await asyncio.sleep(0.01)
        time.sleep(0.15)  # noqa: ASYNC251  # holds the loop thread, as inline CPU work would
        await asyncio.sleep(0.01)
    assert lag.max_lag >= 0.1 > free


# --- clients -----------------------------------------------------------------------------

def test_clients_recorder_tags_stage_place_and_timeout(toy):
    folder, source = toy
    with record_clients([folder]) as clients:
        module = load_submission(folder)
        clients.stage = "serving"
        httpx.AsyncClient()  # the grader's own client: not counted
    assert len(clients.built) == 1
    built = clients.built[0]
    assert (built.kind, built.stage, built.explicit_timeout, built.finite_timeout) == ("AsyncClient", "import",
                                                                                      True, True)
    assert built.where == f"app.py, line {line_of(source, 'CLIENT =')}, in <module>"
    assert clients.of_kind("AsyncClient", "import") == [built] and not built.is_closed
    asyncio.run(module.CLIENT.aclose())
    assert built.is_closed


# --- drivers -----------------------------------------------------------------------------

async def test_app_client_records_what_the_app_raised(toy):
    folder, source = toy
    module = load_submission(folder)
    async with app_client(module.app, [folder]) as client:
        response = await client.get("/broken")
        assert response.status_code == 500
        where = f"app.py, line {line_of(source, 'missing')}, in broken"
        assert client.errors.last() == f"KeyError: 'missing' ({where})"
        with pytest.raises(Feedback) as caught:
            expect_status(response, 200, client.errors, "hint")
    text = str(caught.value)
    assert "GET /broken answered 500" in text and f"Your app raised KeyError: 'missing' ({where})." in text


async def test_app_client_turns_a_hung_request_into_feedback(toy):
    folder, _ = toy
    module = load_submission(folder)

    @module.app.get("/hang")
    async def hang():
        await asyncio.sleep(10)

    async with app_client(module.app, [folder], timeout=0.2) as client:
        with pytest.raises(Feedback, match="GET /hang got no answer within 0 s"):
            await client.get("/hang")


# --- websockets --------------------------------------------------------------------------

async def test_wsclient_talks_to_a_live_server(toy):
    folder, _ = toy
    module = load_submission(folder)
    async with live_server(module.app, [folder]) as live:
        ws = await ws_connect(live, "/echo", "client A")
        await ws.send("hi")
        assert await ws_recv(ws, live, "client A", "an echo") == "echo: hi"
        assert await ws_silence(ws, 0.1) is None  # closed: nothing more comes
        with pytest.raises(Feedback, match="the server closed client A's connection"):
            await ws_recv(ws, live, "client A", "another echo", within=0.5)
        await close_all(ws)
        with pytest.raises(Feedback, match="refused with HTTP 403"):
            await ws_connect(live, "/nowhere", "client B")
