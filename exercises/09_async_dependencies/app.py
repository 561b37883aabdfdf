"""Exercise 09: async dependencies with `yield`. See README.md for the tasks.

Run it: nox -s serve -- 09   (from the kit's root), then open /items and /items/fail
"""

from collections.abc import AsyncIterator
from typing import Annotated

import resources
from fastapi import Depends, FastAPI

# TODO(1): create the app's one connection pool with resources.Pool() (no arguments).
# Here at import is fine; a lifespan that sets this module's `pool` is fine too.
pool: resources.Pool | None = None
# END TODO

app = FastAPI(title="09 · async dependencies")


async def get_connection() -> AsyncIterator[resources.Connection]:
    # TODO(2): acquire one connection from `pool`, yield it to the endpoint, and release it
    # in a `finally:` so that it goes back to the pool even when the endpoint raises.
    raise NotImplementedError("task 2: get_connection")
    yield  # makes this an async generator, as a yield dependency is
    # END TODO


Connection = Annotated[resources.Connection, Depends(get_connection)]


@app.get("/items")
async def read_items(conn: Connection) -> dict:
    # TODO(3): return {"items": <the rows from conn.fetch_items()>}.
    raise NotImplementedError("task 3: GET /items")
    # END TODO


@app.get("/items/fail")
async def read_items_fail(conn: Connection) -> dict:
    """Provided: a query that fails halfway. The client gets a 500; the connection must
    still go back to the pool (that is your `finally` at work)."""
    await conn.fetch_items()
    raise RuntimeError("the query failed halfway")
