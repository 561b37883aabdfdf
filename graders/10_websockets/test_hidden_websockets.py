"""Hidden graders for 10_websockets: the same contract, probed harder."""

import asyncio

from grading import check, close_all, expect_status, graded, kill, settle, ws_connect, ws_recv, ws_silence

from conftest import receive


@graded(points=1, task=2, hidden=True, hint="One connection, one loop: each reply answers that client's message, "
        "in order.")
async def test_echo_keeps_order_and_clients_apart(submission, live):
    one = await ws_connect(live, "/ws", "client 1")
    two = await ws_connect(live, "/ws", "client 2")
    try:
        for i in range(30):
            await one.send(f"one-{i}")
            await two.send(f"two-{i}")
        for ws, name, tag in ((one, "client 1", "one"), (two, "client 2", "two")):
            got = [await ws_recv(ws, live, name, "30 replies") for _ in range(30)]
            want = [f"Message received: {tag}-{i}" for i in range(30)]
            check(got == want, f"{name} sent {tag}-0 … {tag}-29 and received {got[:3]} … {got[-1:]}",
                  f"{want[:3]} … {want[-1:]}: its own messages, in order")
    finally:
        await close_all(one, two)


@graded(points=2, task=3, hidden=True, hint="Iterate over a copy of the connections and catch the error of each "
        "send separately: one dead client must cost nothing to the others.")
async def test_chat_survives_many_dead_clients(submission, live):
    clients = [await ws_connect(live, "/ws/chat", f"client {i}") for i in range(10)]
    dead = clients[0::2]  # every other client dies: dead ones sit among the living
    living = clients[1::2]
    names = [f"client {i}" for i in range(1, 10, 2)]
    try:
        await asyncio.sleep(0.1)
        for ws in dead:
            kill(ws)
        for round_, sender in enumerate((living[0], living[-1], living[2])):
            text = f"round {round_}"
            await sender.send(text)
            for ws, name in zip(living, names, strict=True):
                if ws is not sender:
                    await receive(ws, live, name, text, tries=4)
    finally:
        await close_all(*living)


@graded(points=1, task=4, hidden=True, hint="The chat relays messages unchanged (no echo prefix), and only to "
        "/ws/chat clients.")
async def test_echo_and_chat_are_separate(submission, live):
    echo = await ws_connect(live, "/ws", "an echo client")
    chatter = await ws_connect(live, "/ws/chat", "a chat client")
    listener = await ws_connect(live, "/ws/chat", "another chat client")
    try:
        await asyncio.sleep(0.1)
        await chatter.send("for the room only")
        got = await ws_recv(listener, live, "the other chat client", "'for the room only'")
        check(got == "for the room only", f"the other chat client received {got!r}", "'for the room only', unchanged")
        leaked = await ws_silence(echo, 0.2)
        check(leaked is None, f"a client of /ws (the echo) received the chat message {leaked!r}",
              "chat messages to reach only /ws/chat clients")
        await echo.send("echo only")
        got = await ws_recv(echo, live, "the echo client", "'Message received: echo only'")
        check(got == "Message received: echo only", f"the echo client received {got!r}",
              "'Message received: echo only'")
        leaked = await ws_silence(listener, 0.2)
        check(leaked is None, f"a chat client received {leaked!r} when an echo client spoke",
              "the echo to answer only its own client")
    finally:
        await close_all(echo, chatter, listener)


@graded(points=1, task=4, hidden=True, hint="Only awaitable, non-blocking calls inside async def: no open()/write(), "
        "time.sleep or sqlite3 in a handler. To keep a chat log, write it from a thread (asyncio.to_thread) or "
        "with aiofiles.")
async def test_no_blocking_call_while_serving(submission, live, blocking):
    echo = await ws_connect(live, "/ws", "an echo client")
    alice = await ws_connect(live, "/ws/chat", "chat client A")
    bob = await ws_connect(live, "/ws/chat", "chat client B")
    carol = await ws_connect(live, "/ws/chat", "chat client C")
    try:
        async with live.client() as http:
            expect_status(await http.get("/"), 200, live.errors)
        await settle()
        await echo.send("ping")
        await ws_recv(echo, live, "the echo client", "'Message received: ping'")
        for text in ("hello", "anyone there?"):  # only the other client is awaited: this test is about blocking
            await alice.send(text)
            await receive(bob, live, "chat client B", text)
        await close_all(alice)  # a client leaving must not block either
        await settle()
        await bob.send("still here")
        await receive(carol, live, "chat client C", "still here", tries=4)
    finally:
        await close_all(echo, alice, bob, carol)
    await settle()
    blocking.assert_none("while serving GET /, /ws and /ws/chat")
