"""A tiny async connection pool, standing in for a real driver's (asyncpg, aiomysql, ...).

Provided: do not edit. `app.py` creates one pool with `Pool()`; each request borrows a
connection with `await pool.acquire()` and must give it back with `await pool.release(conn)`.
A connection that is never released is a leak: a real pool runs out and the app hangs.

The module keeps a record of every pool created since it was imported (`POOLS`) and of
every connection each pool handed out, so you (and the graders) can see leaks:

    >>> import resources
    >>> resources.summary()
    {'pools': 1, 'acquired': 3, 'released': 3, 'in_use': 0}
"""

from __future__ import annotations

import asyncio
import itertools

QUERY_DELAY = 0.01  # seconds a query takes (simulated I/O)

ITEMS = [
    {"id": 1, "name": "keyboard"},
    {"id": 2, "name": "mouse"},
    {"id": 3, "name": "monitor"},
]

POOLS: list[Pool] = []  # every pool created since this module was imported
_numbers = itertools.count(1)


class Connection:
    """One borrowed connection. Use it between acquire() and release(), never after."""

    def __init__(self, pool: Pool) -> None:
        self.pool = pool
        self.number = next(_numbers)
        self.released = False
        self.queries = 0

    async def fetch_items(self) -> list:
        """The rows of the items table (a list of dicts)."""
        if self.released:
            raise RuntimeError(f"connection #{self.number} was used after it was released to the pool")
        self.queries += 1
        await asyncio.sleep(QUERY_DELAY)
        return [dict(item) for item in ITEMS]

    def __repr__(self) -> str:
        state = "released" if self.released else "in use"
        return f"<Connection #{self.number} ({state})>"


class Pool:
    """Hands out connections and takes them back; remembers every one it handed out."""

    def __init__(self) -> None:
        self.acquired: list[Connection] = []  # every connection handed out, in order
        self.released: list[Connection] = []  # every connection given back, in order
        self.max_in_use = 0
        POOLS.append(self)

    async def acquire(self) -> Connection:
        await asyncio.sleep(0)  # a real pool may wait for a free connection
        conn = Connection(self)
        self.acquired.append(conn)
        self.max_in_use = max(self.max_in_use, self.in_use)
        return conn

    async def release(self, conn: Connection) -> None:
        await asyncio.sleep(0)
        if conn.pool is not self:
            raise ValueError(f"{conn!r} belongs to another pool")
        if conn.released:
            raise RuntimeError(f"{conn!r} was released twice")
        conn.released = True
        self.released.append(conn)

    @property
    def in_use(self) -> int:
        """Connections handed out and not given back yet."""
        return len(self.acquired) - len(self.released)


def acquired() -> list[Connection]:
    """Every connection any pool handed out."""
    return [c for p in POOLS for c in p.acquired]


def in_use() -> list[Connection]:
    """Every connection handed out and not released yet (after a request ends: a leak)."""
    return [c for c in acquired() if not c.released]


def summary() -> dict:
    conns = acquired()
    released = sum(c.released for c in conns)
    return {"pools": len(POOLS), "acquired": len(conns), "released": released, "in_use": len(conns) - released}
