"""The fixtures every grader shares. Registered by the plugin; graders just name them.

- ``exercise_dir``: the submission's folder for the exercise this grader file belongs to.
- ``knobs``: module settings the app must have before it starts (``LOG_PATH``,
  ``PROCESS_DELAY``...): ``@pytest.mark.knobs(NAME=value)`` on a test, or an exercise's
  conftest.py overriding this fixture. ``submission`` sets them right after the import, so
  no fixture order matters. (Settings read per request may also be set in the test body.)
- ``submission``: that folder's ``app.py``, imported afresh for this test, knobs set.
- ``upstream``: the mocked ``UPSTREAM_URL`` API (respx), recording every call.
- ``blocking``: blocking calls on the loop thread made from the learner's code.
- ``client``: the app running in-process with lifespan; blocking is recorded while it runs.
- ``live``: the app behind a real uvicorn server on 127.0.0.1.

Under ``@pytest.mark.looptime`` the loop's virtual clock also waits for FastAPI's worker
threads (``def`` endpoints, dependencies, background tasks), see ``probes.threads``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from types import ModuleType

import pytest

from grading.probes.blocking import BlockingRecorder
from grading.probes.drivers import AppClient, LiveServer, app_client, live_server
from grading.probes.threads import threads_seen_by_loop_clock
from grading.probes.upstream import Upstream, mock_upstream
from grading.target import load_submission


def target_root(config: pytest.Config) -> Path:
    return Path(config.getoption("grading_target")).resolve()


@pytest.fixture(autouse=True)
def loop_clock_sees_threads(request: pytest.FixtureRequest) -> Iterator[None]:
    if request.node.get_closest_marker("looptime") is None:
        yield
        return
    with threads_seen_by_loop_clock():
        yield


@pytest.fixture
def exercise_dir(request: pytest.FixtureRequest) -> Path:
    exercise = request.path.parent.name
    return target_root(request.config) / exercise


@pytest.fixture
def knobs(request: pytest.FixtureRequest) -> dict[str, object]:
    """The ``knobs`` markers' settings, the test's own marker over its module's."""
    values: dict[str, object] = {}
    for marker in reversed(list(request.node.iter_markers("knobs"))):
        values.update(marker.kwargs)
    return values


@pytest.fixture
def submission(exercise_dir: Path, blocking: BlockingRecorder, knobs: dict[str, object]) -> ModuleType:
    blocking.arm()  # before the import: `from time import sleep` must bind the watched function
    module = load_submission(exercise_dir)
    for name, value in knobs.items():  # before anything can start the app
        setattr(module, name, value)
    return module


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    router, up = mock_upstream()
    with router:
        yield up


@pytest.fixture
def blocking(exercise_dir: Path) -> Iterator[BlockingRecorder]:
    recorder = BlockingRecorder([exercise_dir])
    yield recorder
    recorder.disarm()


@pytest.fixture
async def client(submission: ModuleType, exercise_dir: Path, blocking: BlockingRecorder) -> AsyncIterator[AppClient]:
    async with app_client(submission.app, [exercise_dir]) as c:
        blocking.start()  # lifespan start-up and shut-down may block briefly; requests may not
        try:
            yield c
        finally:
            blocking.stop()


@pytest.fixture
async def live(submission: ModuleType, exercise_dir: Path, blocking: BlockingRecorder) -> AsyncIterator[LiveServer]:
    async with live_server(submission.app, [exercise_dir]) as server:
        blocking.start()
        try:
            yield server
        finally:
            blocking.stop()
