"""The forgotten-await probe names the call and the learner's line, and nothing of a library's."""

from __future__ import annotations

import asyncio
import importlib.util
import sys
from pathlib import Path

from grading.probes.unawaited import UnawaitedRecorder, diagnosis

LEARNER = '''\
import asyncio


class Pool:
    async def release(self, conn):
        pass


pool = Pool()


async def handler(conn):
    pool.release(conn)
    return conn
'''


def _load(folder: Path):
    (folder / "learner_app.py").write_text(LEARNER, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("learner_app", folder / "learner_app.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["learner_app"] = module
    spec.loader.exec_module(module)
    return module


def test_a_dropped_coroutine_is_named_with_its_line(tmp_path: Path):
    app = _load(tmp_path)
    recorder = UnawaitedRecorder([tmp_path])
    recorder.start()
    try:
        asyncio.run(app.handler("c1"))
    finally:
        found = recorder.stop()
    assert [(f.call, f.file, f.line) for f in found] == [("pool.release(conn)", "learner_app.py", 13)]
    assert diagnosis(found) == ("Never awaited: `pool.release(conn)` (learner_app.py, line 13, in handler) "
                                "made a coroutine that never ran: put `await` before it.")


def test_coroutines_dropped_outside_the_learner_folder_are_not_reported(tmp_path: Path):
    app = _load(tmp_path)  # the learner folder below is another one
    recorder = UnawaitedRecorder([tmp_path / "learner"])
    recorder.start()
    try:
        asyncio.run(app.handler("c1"))
    finally:
        assert recorder.stop() == []
