"""Public graders for 10_websockets.

Every WebSocket test runs against a real uvicorn server (`live`) over loopback, with the
`websockets` library's asyncio client; the page is opened in a real headless Chromium, and
its script is also run under node with a fake DOM (pagescript.py), where node is installed,
so that a hard-coded host is caught without a browser.
"A client leaving is quiet" is checked in uvicorn's error log and in the exceptions that
escaped the app. A dead client is simulated by killing its TCP connection at once.
"""

from urllib.parse import urljoin

import pytest
from pagescript import PAGES, hard_coded_hosts, opened_sockets, scripts_of

from grading import (
    assert_quiet,
    check,
    close_all,
    fail,
    find_browser,
    graded,
    kill,
    settle,
    ws_connect,
    ws_recv,
    ws_silence,
    ws_zombie,
)

from conftest import receive

try:
    from playwright.async_api import Error as PlaywrightError
    from playwright.async_api import async_playwright
except ImportError:  # the browser test is then skipped
    async_playwright = None
    PlaywrightError = Exception

FOUND = find_browser()  # looked up once, at import: before any submission is loaded
NO_BROWSER = ("Playwright is not installed in this environment (`pip install playwright`)" if async_playwright is None
              else FOUND.note if FOUND.browser is None else "")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]
QUIET_HINT = ("A client leaving is normal: receive_text() raises WebSocketDisconnect; catch it and end the handler "
              "(for the chat, remove the client from the room).")


@pytest.fixture
async def browser():
    """A headless browser, started before the submission is loaded (name it first): whether the
    browser test runs depends on this machine only, never on what a submission holds."""
    if NO_BROWSER:
        pytest.skip(f"{NO_BROWSER}. The browser test was not run")
    async with async_playwright() as pw:
        try:
            started = await pw.chromium.launch(**FOUND.browser.launch_options(), args=CHROMIUM_ARGS, headless=True,
                                               timeout=15000)
        except PlaywrightError as exc:
            pytest.skip(f"the browser {FOUND.browser.describe()} did not start ({str(exc).splitlines()[0]}); set "
                        "GRADING_BROWSER to another one. The browser test was not run")
        try:
            yield started
        finally:
            await started.close()


# Skipped at collection when this machine has no browser: the test then counts neither for nor
# against, even for a submission whose grading stops before the test would run.
@pytest.mark.skipif(bool(NO_BROWSER), reason=f"{NO_BROWSER}. The browser test was not run")
@graded(points=4, task=1, hint="Build the WebSocket URL from window.location: ws: or wss: after the page's "
        "protocol, then window.location.host (host and port) and /ws. The app will not always run on localhost:8000.")
async def test_page_chats_in_a_real_browser(browser, submission, live):
    opened: list[str] = []
    page = await browser.new_page()
    page.on("websocket", lambda ws: opened.append(ws.url))
    try:
        response = await page.goto(live.base_url + "/", timeout=8000)
    except PlaywrightError as exc:
        fail(f"the browser could not load GET / ({str(exc).splitlines()[0]})", "the chat page")
    check(response is not None and response.ok, f"GET / answered {response.status if response else '?'}",
          "the chat page with status 200")
    field = page.locator("form input:not([type]), form input[type=text]").first
    try:
        await field.wait_for(timeout=3000)
    except PlaywrightError:
        fail("the page has no text <input> inside a <form>", "one text <input> in a <form>")
    seen, replied = "", False
    for attempt in range(1, 6):  # the socket may still be opening: retry the first sends
        text = f"hello from the browser {attempt}"
        await field.fill(text)
        await field.press("Enter")
        try:
            await page.wait_for_function("t => document.body.innerText.includes(t)",
                                         arg="Message received: hello from the browser", timeout=1200)
            replied = True
            break
        except PlaywrightError:
            seen = (await page.inner_text("body"))[-300:]
    if replied:  # every message received is *added*: send a few more, all must show
        first = f"Message received: hello from the browser {attempt}"
        more = [f"Message received: and then {k}" for k in (1, 2, 3)]
        for k in (1, 2, 3):
            await field.fill(f"and then {k}")
            await field.press("Enter")
        try:
            await page.wait_for_function("ts => ts.every(t => document.body.innerText.includes(t))",
                                         arg=[first, *more], timeout=3000)
        except PlaywrightError:
            text = await page.inner_text("body")
            shown = [t for t in (first, *more) if t in text]
            fail(f"after 4 messages were answered, the page shows {shown} (page text ends with "
                 f"{text[-200:]!r})", f"all 4 replies on the page: {[first, *more]}",
                 "Add each message received to the page (e.g. append a new <li> to the list); "
                 "setting the list's content replaces the earlier messages.")
    wrong = [u for u in opened if not u.startswith(live.ws_url + "/")]
    page_at = live.base_url + "/"
    if replied and not wrong:
        return
    if wrong:
        fail(f"the page, served from {page_at}, opened the WebSocket {wrong[0]}",
             f"a WebSocket to {live.ws_url}/ws: the page's own host and port, from window.location",
             "A hard-coded ws://localhost:8000/ws only works when the app runs on localhost:8000.")
    if not opened:
        fail(f"the page at {page_at} opened no WebSocket", f"new WebSocket(... {live.ws_url}/ws) in the page's script")
    fail(f"after typing a message and pressing Enter 5 times, the page showed no 'Message received: ...' "
         f"(page text ends with {seen!r}; it opened {opened})",
         "the echo's reply added to the page",
         "Submitting the form must send the input's value on the socket, and each message received must be "
         "added to the page. Does /ws answer (see the echo tests)?")


@graded(points=2, task=1, hint="Build the WebSocket URL from window.location: ws: or wss: after "
        "window.location.protocol, then window.location.host (host AND port) and /ws. A fixed host only works "
        "where the app happens to run.")
async def test_page_script_takes_its_socket_url_from_window_location(submission, client):
    response = await client.get("/")
    check(response.status_code == 200 and "<script" in response.text.lower(),
          f"GET / answered {response.status_code} with {response.text[:120]!r}", "the chat page, with its <script>")
    scripts, external = scripts_of(response.text)
    for src in external:  # the page may load its script from the app
        got = await client.get(urljoin("http://testserver/", src))
        if got.status_code == 200:
            scripts.append(got.text)
    check(scripts, "the page has no script the grader could read", "a <script> that opens the WebSocket")
    fixed = hard_coded_hosts(scripts)
    check(not fixed, f"the page's script hard-codes the WebSocket URL {fixed[0]!r}" if fixed else "",
          "a URL built from window.location (the page's own scheme, host and port)")
    runs = await opened_sockets(scripts)
    if runs is None:  # node is not installed: the static check above (and the browser test) is what there is
        return
    for name, want in (("http", "ws://grader.test:8123/ws"), ("https", "wss://grader.test:8443/ws")):
        run = runs[name]
        opened = [u.split("?")[0] for u in run["opened"]]
        errors = f"; the script raised {run['errors'][0][:200]}" if run["errors"] else ""
        check(want in opened, f"run as if served from {PAGES[name]}, the page's script opened "
              f"{run['opened'] or 'no WebSocket'}{errors}", f"a WebSocket to {want}")


@graded(points=3, task=2, hint="Loop: `message = await websocket.receive_text()`, then "
        "`await websocket.send_text(f\"Message received: {message}\")`.")
async def test_echo_replies_with_prefix(submission, live):
    ws = await ws_connect(live, "/ws", "the client")
    try:
        for text in ("hello", "second message", "ünïcødé ✓ {\"json\": true}"):
            await ws.send(text)
            want = f"Message received: {text}"
            got = await ws_recv(ws, live, "the client", repr(want))
            check(got == want, f"sent {text!r}, received {got!r}", repr(want))
    finally:
        await close_all(ws)


@graded(points=2, task=2, hint="receive_text() raises WebSocketDisconnect when the client leaves: catch it "
        "and return. Uncaught, it reaches uvicorn, which logs 'Exception in ASGI application'.")
async def test_echo_client_leaving_is_quiet(submission, live):
    first = await ws_connect(live, "/ws", "a first client")
    await first.send("ping")
    await ws_recv(first, live, "a first client", "'Message received: ping'")
    await first.close()  # a polite goodbye (close frame)
    second = await ws_connect(live, "/ws", "a second client")
    await second.send("ping")
    await ws_recv(second, live, "a second client", "'Message received: ping'")
    kill(second)  # a crash: the connection just drops
    await settle()
    third = await ws_connect(live, "/ws", "a third client")
    await third.send("still there?")
    await ws_recv(third, live, "a third client", "'Message received: still there?'")
    await close_all(third)
    await settle()
    assert_quiet(live, "when echo clients closed their connection or dropped it", QUIET_HINT)


@graded(points=3, task=4, hint="Every message goes to every connected client, the sender included, "
        "unchanged: manager.broadcast(message).")
async def test_chat_broadcasts_to_everyone_including_sender(submission, live):
    names = ["client A", "client B", "client C"]
    clients = [await ws_connect(live, "/ws/chat", n) for n in names]
    try:
        await settle()
        for sender, text in ((0, "hi from A"), (2, "C here ✓")):
            await clients[sender].send(text)
            for ws, name in zip(clients, names, strict=True):
                got = await ws_recv(ws, live, name, repr(text))
                check(got == text, f"{names[sender]} sent {text!r}; {name} received {got!r}",
                      f"{text!r}, unchanged, for every client (the sender too)")
        extra = [await ws_silence(ws, 0.1) for ws in clients]
        check(not any(extra), f"after two messages, clients also received {[e for e in extra if e]}",
              "each message delivered once to each client")
    finally:
        await close_all(*clients)


@graded(points=2, task=4, hint="Wrap the receive loop in try/except WebSocketDisconnect and call "
        "manager.disconnect(websocket) there: the client leaves the room without an error.")
async def test_chat_client_leaving_is_dropped_quietly(submission, live):
    alice = await ws_connect(live, "/ws/chat", "client A")
    bob = await ws_connect(live, "/ws/chat", "client B")
    carol = await ws_connect(live, "/ws/chat", "client C")
    dave = await ws_connect(live, "/ws/chat", "client D")
    try:
        await settle()
        await carol.close()  # leaves politely
        kill(dave)  # drops
        await settle()
        await alice.send("who is left?")
        await receive(bob, live, "client B", "who is left?")
    finally:
        await close_all(alice, bob)
    await settle()
    assert_quiet(live, "when chat clients closed their connection or dropped it", QUIET_HINT)


@graded(points=3, task=3, hint="Sending to a client that is gone raises. Catch the error for that one "
        "connection, drop it, and go on with the others (don't let it end the sender's handler either).")
async def test_chat_dead_client_does_not_stop_delivery(submission, live):
    # The dead clients join first so that a broadcast loop meets them before the living.
    dead = [await ws_connect(live, "/ws/chat", f"client D{i}") for i in range(1, 4)]
    # and zombies: still registered (the app was not told), every send to them fails
    zombies = [await ws_zombie(live, "/ws/chat", f"client Z{i}") for i in range(1, 4)]
    alice = await ws_connect(live, "/ws/chat", "client A")
    living = [await ws_connect(live, "/ws/chat", f"client B{i}") for i in range(1, 4)]
    names = ["client A"] + [f"client B{i}" for i in range(1, 4)]
    try:
        await settle()
        for ws in dead:
            kill(ws)
        await alice.send("still delivered?")  # reaches the server before it has dropped the dead
        for ws, name in zip(living, names[1:], strict=True):
            await receive(ws, live, name, "still delivered?")
        await living[0].send("and after?")  # the first sender is still in the room
        for ws, name in zip([alice, *living[1:]], [names[0], *names[2:]], strict=True):
            await receive(ws, live, name, "and after?")
    finally:
        await close_all(alice, *living)
        for zombie in zombies:
            await zombie.close()
