"""What 09's public and hidden graders share: the submission's own `resources` module (it
records every pool and connection) and a wait for clean-up that runs after the response."""

import asyncio
import sys
from pathlib import Path
from types import ModuleType

import pytest

from grading import fail


@pytest.fixture
def resources(submission, exercise_dir: Path) -> ModuleType:
    """The `resources` module app.py imported (the submission's copy)."""
    mod = sys.modules.get("resources")
    where = Path(getattr(mod, "__file__", "") or "").resolve()
    if mod is None or where.parent != exercise_dir.resolve():
        fail("app.py did not import the provided resources.py", "`import resources` in app.py",
             "Create the pool with resources.Pool() from the provided module.")
    return mod


async def settled(resources: ModuleType) -> None:
    """Give clean-up that runs after the response (FastAPI may do that) a moment to finish."""
    for _ in range(100):  # up to ~1 s
        if not resources.in_use():
            return
        await asyncio.sleep(0.01)


def leak_report(resources: ModuleType) -> str:
    s = resources.summary()
    return (f"{s['acquired']} connection(s) acquired, {s['released']} released, "
            f"{s['in_use']} still in use after the requests ended")
