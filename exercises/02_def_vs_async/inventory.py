"""A stock service client, given to you (not a task): leave this file as it is.

It comes in two flavours, as many libraries do:

- ``lookup_blocking(sku)``: a sync-only library call. It *blocks* the thread that calls it
  for about ``DELAY`` seconds (``time.sleep`` stands in for a blocking network call).
- ``lookup(sku)``: its async twin. It *awaits* the same delay, so the event loop serves
  other requests meanwhile.

Both return ``{"sku": sku, "stock": <int>}`` and raise ``KeyError`` for an unknown sku.
The counters at the bottom are bookkeeping the graders read; you do not need them.
"""

import asyncio
import threading
import time

DELAY = 0.2  # seconds per lookup; the graders change it

STOCK = {"apple": 12, "banana": 0, "cherry": 250, "plum": 7, "pear": 31}


def lookup_blocking(sku: str) -> dict:
    """Sync-only: blocks the calling thread for DELAY seconds."""
    with _track("blocking"):
        time.sleep(DELAY)
        if sku not in STOCK:
            raise KeyError(sku)
        return {"sku": sku, "stock": STOCK[sku]}


async def lookup(sku: str) -> dict:
    """Async: awaits DELAY seconds, leaving the event loop free."""
    with _track("async"):
        await asyncio.sleep(DELAY)
        if sku not in STOCK:
            raise KeyError(sku)
        return {"sku": sku, "stock": STOCK[sku]}


# --- bookkeeping for the graders ------------------------------------------------------

_lock = threading.Lock()
started = {"blocking": 0, "async": 0}  # lookups started so far, by flavour
in_flight = {"blocking": 0, "async": 0}  # lookups running right now
max_in_flight = {"blocking": 0, "async": 0, "both": 0}  # most at once ("both": of any flavour)


class _track:
    def __init__(self, kind: str) -> None:
        self.kind = kind

    def __enter__(self) -> None:
        with _lock:
            started[self.kind] += 1
            in_flight[self.kind] += 1
            max_in_flight[self.kind] = max(max_in_flight[self.kind], in_flight[self.kind])
            max_in_flight["both"] = max(max_in_flight["both"], sum(in_flight.values()))

    def __exit__(self, *exc: object) -> None:
        with _lock:
            in_flight[self.kind] -= 1
