"""What 07's public and hidden graders share: a fresh LOG_PATH for every test, reading it, and a
thread pool whose jobs start late (so work handed to a thread and not awaited is plainly not done)."""

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest


@pytest.fixture
def knobs(knobs, tmp_path) -> dict[str, object]:
    """Every test's LOG_PATH is a fresh file in its own folder, set before the app starts (a
    solution may read it in lifespan)."""
    return {"LOG_PATH": str(tmp_path / "access.log"), **knobs}


@pytest.fixture
def log_path(knobs) -> Path:
    """The test's log file (LOG_PATH)."""
    return Path(knobs["LOG_PATH"])


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.exists() else ""


async def settled(path: Path, lines: int, limit: float = 1.0) -> str:
    """The file's content once it holds ``lines`` lines, or after ``limit`` s."""
    for _ in range(int(limit / 0.02)):
        if read(path).count("\n") >= lines:
            break
        await asyncio.sleep(0.02)
    return read(path)


class LateThreads(ThreadPoolExecutor):
    """A default executor whose jobs start ``delay`` s late (in the worker thread)."""

    def __init__(self, delay: float) -> None:
        super().__init__(max_workers=32, thread_name_prefix="late")
        self.delay = delay

    def submit(self, fn, /, *args, **kwargs):
        def late():
            time.sleep(self.delay)
            return fn(*args, **kwargs)

        return super().submit(late)
