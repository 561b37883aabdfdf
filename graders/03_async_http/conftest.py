"""What 03's public and hidden graders share: the record of every httpx client the submission
builds (from its import on, for every test), and the valid request an error case needs first."""

import pytest

from grading import expect_status, record_clients


@pytest.fixture(autouse=True)
def clients(exercise_dir):
    """Records httpx clients built by the submission, from its import on."""
    with record_clients([exercise_dir]) as recorder:
        yield recorder


async def get_ok(client, upstream, item_id: int = 1) -> None:
    """A valid request must work before an error case can earn points."""
    upstream.route(f"/items/{item_id}", {"id": item_id})
    response = await client.get(f"/proxy/items/{item_id}")
    expect_status(response, 200, client.errors, "A valid item must be proxied first (upstream answered 200).")
