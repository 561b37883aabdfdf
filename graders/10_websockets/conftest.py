"""What 10's public and hidden graders share."""

from grading import fail, ws_recv


async def receive(ws, live, name: str, text: str, tries: int = 3) -> None:
    """``name`` receives ``text`` among its next ``tries`` messages (a client's own earlier
    messages may come first)."""
    seen = []
    for _ in range(tries):
        got = await ws_recv(ws, live, name, repr(text))
        if got == text:
            return
        seen.append(got)
    fail(f"{name} received {seen}", repr(text))
