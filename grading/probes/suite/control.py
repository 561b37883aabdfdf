"""The driver process, from the grader's side: start it on the engine's worker backend with
every planned run, wait for one run's result, stop it (its whole tree) at the end.

Nothing is ever written into the submission: each run works on a copy of the submission's
folder in a scratch directory (in the system's temp folder), with the mutant's files laid
over the copy.
"""

from __future__ import annotations

import atexit
import json
import tempfile
import time
from pathlib import Path

from grading.probes.suite.mutants import Mutant, MutantDefect
from grading.probes.suite.records import BASELINE, SuiteResult, slug

PARALLEL = 3  # runs at once: each mostly waits on its app, so one more than 2 cores
RUN_TIME_LIMIT = 30.0  # seconds one run of the learner's suite may take
TEST_TIME_LIMIT = 10  # seconds one learner test may take (pytest-timeout)
# Seconds a grader test waits for its run's result: the runs go three at a time, so on a loaded
# machine a later mutant's result may take several runs' time.
RESULT_WAIT = 45.0
# What the driver imports before its first run, so that every run starts warm.
DRIVER_PRELOAD = ("pytest", "pytest_asyncio", "pytest_timeout", "anyio", "httpx", "fastapi", "pydantic",
                  "asgi_lifespan", "starlette.testclient")


class SuiteRunner:
    def __init__(self, folder: Path, mutants: list[Mutant]) -> None:
        self.folder = folder
        self.mutants = {m.name: m for m in mutants}
        # In the system's temp folder, never the current one (the kit, or a submission), and
        # removed with the driver when the grading process ends.
        self.scratch = Path(tempfile.mkdtemp(prefix="learner-suite-"))
        atexit.register(self.close)
        self.out = self.scratch / "results"
        self.out.mkdir()
        self.not_built: dict[str, SuiteResult] = {}
        self.handle = None

    def start(self) -> None:
        from grading.workers import Task
        from grading.workers.spawn import SpawnBackend

        runs = [{"label": BASELINE, "files": {}}]
        for name, m in self.mutants.items():
            try:
                runs.append({"label": name, "files": m.apply(self.folder)})
            except ValueError as exc:
                self.not_built[name] = SuiteResult(name, "not built", output=str(exc))
            except MutantDefect as exc:
                self.not_built[name] = SuiteResult(name, "defect", output=str(exc))
        spec = {"folder": str(self.folder), "runs": runs, "out": str(self.out), "scratch": str(self.scratch),
                "parallel": PARALLEL, "run_time_limit": RUN_TIME_LIMIT, "test_time_limit": TEST_TIME_LIMIT}
        # Spawned, never forked: the grader's process is inside a pytest session, and the
        # driver must start clean. The driver itself forks or spawns its runs (workers.run).
        self.handle = SpawnBackend(DRIVER_PRELOAD, spares=0).start(
            Task("grading.probes.suite.driver:main", spec, self.scratch / "driver.log", self.scratch,
                 {"PYTHONDONTWRITEBYTECODE": "1"}))

    def close(self) -> None:
        import shutil

        if self.handle is not None:  # the driver and its runs: a grader may stop waiting before they end
            self.handle.stop()
            self.handle = None
        shutil.rmtree(self.scratch, ignore_errors=True)

    def result(self, label: str, wait: float = RESULT_WAIT) -> SuiteResult:
        """The run's result, waiting for it (polling) at most ``wait`` seconds."""
        if label in self.not_built:
            return self.not_built[label]
        path = self.out / f"{slug(label)}.json"
        end = time.monotonic() + wait
        while not path.exists():
            if self.handle is not None and self.handle.poll() is not None and not path.exists():
                log = _tail(self.scratch / "driver.log")
                return SuiteResult(label, "crashed", output=log or "the test runner stopped")
            if time.monotonic() > end:
                return SuiteResult(label, "timeout", output=f"still running after {wait:.0f} s of waiting")
            time.sleep(0.05)
        return SuiteResult(**json.loads(path.read_text()))


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").rstrip().splitlines()[-lines:])
    except OSError:
        return ""
