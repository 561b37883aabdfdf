"""Public graders for 07_blocking_io.

LOG_PATH always points at a file in the test's own temporary folder. Evidence:
- the file's content read at the very moment the app sends the end of its response (a
  spy wrapped around the ASGI `send`): what "the line is in the file when the 200 is sent"
  means, with no timing involved;
- the loop's default thread pool replaced by one whose jobs start 0.1 s late, so work
  handed to a thread and not awaited is plainly not done when the response goes out;
- blocking file calls on the event loop thread, named by blockbuster (`blocking`).
"""

import asyncio
import re
from pathlib import Path

from grading import app_client, check, expect_status, fail, graded

from conftest import LateThreads, read, settled

LINE = re.compile(r"^Access to item (-?\d+)$")


def spy_on_response_end(app, path: Path, seen: list[str]):
    """Wrap an ASGI app: record the log file's content when each response's last body part is sent."""

    async def wrapped(scope, receive, send):
        if scope["type"] != "http":
            return await app(scope, receive, send)

        async def spy(message):
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                seen.append(read(path))
            await send(message)

        await app(scope, receive, spy)

    return wrapped


def show(text: str) -> str:
    return repr(text) if len(text) < 160 else repr(text[:160]) + "…"


@graded(points=2, task=1, hint='Open LOG_PATH in append mode ("a") and write the whole line, newline included: '
        'f"Access to item {item_id}\\n".')
async def test_each_request_appends_its_line(log_path, client):
    ids = [5, 12, 5]
    for item_id in ids:
        response = await client.get(f"/items/{item_id}")
        expect_status(response, 200, client.errors)
        check(response.json() == {"item_id": item_id}, f"GET /items/{item_id} returned {response.json()}",
              f'{{"item_id": {item_id}}}')
    content = await settled(log_path, len(ids))
    want = "".join(f"Access to item {i}\n" for i in ids)
    check(sorted(content.splitlines(keepends=True)) == sorted(want.splitlines(keepends=True)),
          f"after GET /items/5, /items/12 and /items/5 the log file holds {show(content)}",
          f"exactly {show(want)} (its lines in any order)",
          "Append (mode \"a\"), never overwrite (\"w\"), and end each line with \\n.")


@graded(points=2, task=2, hint="`await` the write before returning. A write started but not awaited "
        "(a task, an executor future, a BackgroundTasks job) may happen after the response is sent.")
async def test_line_is_in_the_file_when_the_response_is_sent(submission, log_path, exercise_dir):
    asyncio.get_running_loop().set_default_executor(LateThreads(0.1))
    seen: list[str] = []
    async with app_client(spy_on_response_end(submission.app, log_path, seen), [exercise_dir]) as client:
        for n, item_id in enumerate([3, 14, 15]):
            response = await client.get(f"/items/{item_id}")
            expect_status(response, 200, client.errors)
            check(len(seen) == n + 1, "the response was not sent through the app's ASGI `send`",
                  "a normal HTTP response")
            line = f"Access to item {item_id}"
            if line not in seen[-1].splitlines():
                fail(f"when the response to GET /items/{item_id} was sent, the log file held {show(seen[-1])}",
                     f"the line {line!r} already in the file when the response is sent",
                     "The write must be finished, not just started, before the endpoint returns: await it. "
                     "BackgroundTasks and create_task both run after (or beside) the response.")


@graded(points=3, task=2, hint="open() and write() block the thread that calls them. Run write_log in a "
        "thread: `await asyncio.to_thread(write_log, line)`, or use aiofiles.")
async def test_writing_does_not_block_the_event_loop(log_path, client, blocking):
    for item_id in (1, 2):
        response = await client.get(f"/items/{item_id}")
        expect_status(response, 200, client.errors)
    await asyncio.gather(*(client.get(f"/items/{i}") for i in range(3, 8)))
    blocking.assert_none("while serving GET /items/...",
                         "File calls look instant on your laptop, but a slow or busy disk (or a network drive) "
                         "freezes every request while they run: run the write in a thread, `await "
                         "asyncio.to_thread(write_log, line)`, or write with aiofiles.")


@graded(points=3, task=1, hint="Each request appends one whole line with a single write in append mode; "
        "never read the file and write it back (two requests doing that at once lose one line).")
async def test_100_concurrent_requests_write_100_whole_lines(log_path, client):
    ids = list(range(100))
    responses = await asyncio.gather(*(client.get(f"/items/{i}") for i in ids))
    for item_id, response in zip(ids, responses, strict=True):
        expect_status(response, 200, client.errors)
        check(response.json() == {"item_id": item_id}, f"GET /items/{item_id} returned {response.json()}",
              f'{{"item_id": {item_id}}}')
    content = await settled(log_path, len(ids))
    lines = content.splitlines()
    bad = [ln for ln in lines if not LINE.match(ln)]
    found = sorted(int(m.group(1)) for ln in lines if (m := LINE.match(ln)))
    missing = sorted(set(ids) - set(found))
    check(not bad and found == ids and content.endswith("\n"),
          f"after 100 concurrent requests (items 0..99) the log file holds {len(lines)} lines: "
          f"{len(missing)} items missing{' (e.g. ' + str(missing[:5]) + ')' if missing else ''}, "
          f"{len(bad)} malformed{' (e.g. ' + show(bad[0]) + ')' if bad else ''}",
          "exactly 100 whole lines 'Access to item N', one per request",
          "Lines get lost when requests overwrite each other's work, and get mixed when one line is written "
          "in several pieces.")
