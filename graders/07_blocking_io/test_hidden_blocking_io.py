"""Hidden graders for 07_blocking_io: old log lines, any item id, the line present when answering."""

import asyncio

from grading import app_client, check, expect_status, graded

from conftest import LateThreads, read, settled


@graded(points=1, task=1, hidden=True, hint="An access log is only ever appended to: open it with mode \"a\", "
        "at start-up too.")
async def test_existing_log_lines_are_kept(submission, exercise_dir, tmp_path):
    path = tmp_path / "access.log"
    path.write_text("Access to item 1\nAccess to item 2\n", encoding="utf-8")
    submission.LOG_PATH = str(path)
    async with app_client(submission.app, [exercise_dir]) as client:
        for item_id in (3, 4):
            response = await client.get(f"/items/{item_id}")
            expect_status(response, 200, client.errors)
        content = await settled(path, 4)
    want = "".join(f"Access to item {i}\n" for i in (1, 2, 3, 4))
    # The two old lines first, then the new ones in either order: awaiting each write (which
    # keeps them in order) is task 2, checked elsewhere.
    old, new = want[:34], content[34:]
    kept = content.startswith(old) and sorted(new.splitlines()) == ["Access to item 3", "Access to item 4"]
    check(kept, f"a log holding items 1 and 2, after GET /items/3 and /items/4, holds {content!r}",
          f"{want!r}: the old lines kept, the new ones appended")


@graded(points=1, task=1, hidden=True, hint='The line is exactly f"Access to item {item_id}\\n", for any int id.')
async def test_line_format_for_any_item_id(log_path, client):
    ids = [-7, 0, 123456789012]
    for item_id in ids:
        response = await client.get(f"/items/{item_id}")
        expect_status(response, 200, client.errors)
        check(response.json() == {"item_id": item_id}, f"GET /items/{item_id} returned {response.json()}",
              f'{{"item_id": {item_id}}}')
    content = await settled(log_path, len(ids))
    want = "".join(f"Access to item {i}\n" for i in ids)
    check(sorted(content.splitlines(keepends=True)) == sorted(want.splitlines(keepends=True)),
          f"after GET /items/-7, /items/0 and /items/123456789012 the log holds {content!r}", repr(want))


@graded(points=2, task=2, hidden=True, hint="Answer only after the write has finished: `await` it.")
async def test_each_concurrent_response_finds_its_line_written(submission, log_path, client):
    asyncio.get_running_loop().set_default_executor(LateThreads(0.1))
    missing: list[int] = []

    async def get(item_id: int) -> None:
        response = await client.get(f"/items/{item_id}")
        expect_status(response, 200, client.errors)
        if f"Access to item {item_id}" not in read(log_path).splitlines():  # read at once, no await between
            missing.append(item_id)

    await asyncio.gather(*(get(i) for i in range(200, 210)))
    check(not missing, f"{len(missing)} of 10 concurrent requests were answered before their line was in the "
          f"log (items {missing[:5]}...)", "every response sent only after its own line is written")
