"""What 06's public and hidden graders share: the pool's worker processes, seen as children of
this process, and a wait for them to exit."""

import asyncio
import multiprocessing


def children() -> set[int]:
    return {p.pid for p in multiprocessing.active_children()}


async def gone(pids: set[int], limit: float = 2.0) -> set[int]:
    """The pids in ``pids`` still alive after waiting up to ``limit`` s for them to exit."""
    for _ in range(int(limit / 0.05)):
        if not pids & children():
            break
        await asyncio.sleep(0.05)
    return pids & children()
