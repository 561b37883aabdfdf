"""Running one exercise's graders in a process of its own, under a time limit.

The parent has already imported FastAPI, httpx, pytest and the probes; each worker is a
``fork`` of it, so isolation costs milliseconds, not a fresh interpreter. A worker runs
pytest on one exercise's graders with its output sent to a log file, in a scratch working
directory, as its own process group. Whatever the submission does (hang, crash, exit, fork
children), the parent kills the group at the time limit and builds the exercise's results
from what the worker streamed so far.
"""

from __future__ import annotations

import functools
import json
import os
import re
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from grading.results import Event, ExerciseResult, TestResult
from grading.spec import is_hidden_path
from grading.target import KIT_ROOT

TEST_TIMEOUT = 20.0  # per test, pytest-timeout; the requests themselves time out sooner
EXERCISE_TIME_LIMIT = 90.0
# Graders spend much of their time waiting (simulated latency, servers, subprocesses), so one
# worker more than there are cores keeps the cores busy.
DEFAULT_JOBS = (os.cpu_count() or 1) + 1


@dataclass
class Job:
    exercise: str
    graders: Path  # graders/NN_slug
    target: Path  # the folder holding NN_slug/
    time_limit: float = EXERCISE_TIME_LIMIT
    test_timeout: float = TEST_TIMEOUT
    include_hidden: bool = True
    pytest_args: list[str] = field(default_factory=list)
    label: str = ""  # which submission, when a batch grades several


@dataclass
class _Running:
    job: Job
    pid: int
    scratch: Path
    started: float


def preload() -> None:
    """Import what every worker needs once, in the parent, before any fork."""
    import importlib

    for name in ("pytest", "fastapi", "httpx", "respx", "uvicorn", "asgi_lifespan", "blockbuster",
                 "pytest_asyncio", "pytest_timeout", "looptime", "grading.plugin",
                 "sqlalchemy.ext.asyncio", "aiosqlite", "aiofiles", "websockets"):
        try:
            importlib.import_module(name)
        except ImportError:
            pass


def _pytest_args(job: Job, results: Path) -> list[str]:
    files = sorted(str(p) for p in job.graders.glob("test_*.py")
                   if job.include_hidden or not is_hidden_path(p.name))
    # Options as single `--opt=value` tokens and the plugin named up front: pytest's early
    # argument scan would otherwise take the target folder for a test path and load a
    # conftest.py planted in the submission. conftest files load only under graders/.
    return [
        "-q", "--no-header", "-p", "no:cacheprovider", "-p", "grading.plugin",
        f"--rootdir={KIT_ROOT}", f"--confcutdir={job.graders.parent}", "-c", str(KIT_ROOT / "pyproject.toml"),
        "-o", f"timeout={job.test_timeout}", "-o", "timeout_method=signal",
        f"--grading-target={job.target}", f"--grading-results={results}",
        *job.pytest_args, *files,
    ]


def _child(job: Job, scratch: Path) -> None:
    """In the forked worker: never returns."""
    code = 70
    try:
        os.setpgid(0, 0)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        log = os.open(scratch / "output.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(log, 1)
        os.dup2(log, 2)
        work = scratch / "cwd"
        work.mkdir()
        os.chdir(work)  # relative paths a submission writes land here, never in the submission
        os.environ["PYTHONDONTWRITEBYTECODE"] = "1"
        sys.dont_write_bytecode = True
        import pytest

        code = int(pytest.main(_pytest_args(job, scratch / "results.jsonl")))
    except BaseException:  # noqa: BLE001  # report through the exit code, never return
        import traceback

        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def _start(job: Job) -> _Running:
    scratch = Path(tempfile.mkdtemp(prefix=f"grade-{job.exercise}-"))
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        _child(job, scratch)
    return _Running(job, pid, scratch, time.monotonic())


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


@functools.cache
def estimated_cost(graders: Path) -> float:
    """A guess, from the graders' text, of how long an exercise takes to grade: its tests,
    more for those behind a live server, much more for a learner's suite or a browser."""
    text = "".join(p.read_text(encoding="utf-8", errors="replace") for p in sorted(graders.glob("test_*.py")))
    tests = len(re.findall(r"^(?:async )?def test_", text, re.M))
    live = len(re.findall(r"^(?:async )?def test_\w+\([^)]*\blive\b", text, re.M))
    return 0.2 * tests + 0.8 * live + 5 * ("learner_suite" in text) + 2 * ("playwright" in text)


def run_jobs(jobs: list[Job], parallel: int = 1,
             on_start: Callable[[Job], None] | None = None) -> Iterator[tuple[Job, ExerciseResult]]:
    """Run jobs, at most ``parallel`` at once, the longest first (so that no long one starts
    last and runs alone); yield (job, result) as each one finishes."""
    pending = sorted(jobs, key=lambda j: -estimated_cost(j.graders))
    running: list[_Running] = []
    try:
        while pending or running:
            while pending and len(running) < max(1, parallel):
                job = pending.pop(0)
                if on_start:
                    on_start(job)
                running.append(_start(job))
            time.sleep(0.02)
            for r in list(running):
                pid, status = os.waitpid(r.pid, os.WNOHANG)
                timed_out = False
                if pid == 0:
                    if time.monotonic() - r.started < r.job.time_limit:
                        continue
                    timed_out = True
                    _kill_group(r.pid)
                    _, status = os.waitpid(r.pid, 0)
                _kill_group(r.pid)  # a process pool or server the submission left behind
                running.remove(r)
                yield r.job, collect(r, status, timed_out)
    finally:
        for r in running:
            _kill_group(r.pid)
            os.waitpid(r.pid, 0)


def _tail(path: Path, lines: int = 12) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.rstrip().splitlines()[-lines:])


def collect(r: _Running, status: int, timed_out: bool) -> ExerciseResult:
    """Build an exercise's results from the worker's stream, explaining any gap."""
    job = r.job
    result = ExerciseResult(id=job.exercise, duration=time.monotonic() - r.started)
    tests: dict[str, TestResult] = {}
    started: str | None = None
    done = False
    stream = r.scratch / "results.jsonl"
    if stream.exists():
        for line in stream.read_text().splitlines():
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                continue  # a torn last line from a killed worker
            if rec["event"] in (Event.COLLECTED, Event.RESULT):
                t = TestResult(**rec["test"])
                tests[t.nodeid] = t
                if rec["event"] == Event.RESULT and started == t.nodeid:
                    started = None
            elif rec["event"] == Event.START:
                started = rec["nodeid"]
            elif rec["event"] == Event.DONE:
                done = True
    result.output = _tail(r.scratch / "output.log")
    result.tests = list(tests.values())
    if timed_out:
        result.problem = f"grading stopped at the exercise's time limit ({job.time_limit:.0f} s)"
    elif not done:
        how = f"signal {-os.waitstatus_to_exitcode(status)}" if os.WIFSIGNALED(status) \
            else f"exit code {os.waitstatus_to_exitcode(status)}"
        result.problem = f"the grading process stopped unexpectedly ({how}), probably from the submission's code"
    if not tests and (timed_out or not done or os.waitstatus_to_exitcode(status) not in (0, 1)):
        result.problem = result.problem or "the graders could not run"
        result.problem += (": " + result.output.splitlines()[-1]) if result.output else ""
    for t in result.tests:
        if t.message != "not run" or t.status != "error":
            continue
        if t.nodeid == started:
            t.status = "timeout" if timed_out else "error"
            t.message = (f"Observed: {result.problem} while this test ran.\n"
                         "Expected: the test to finish.\n"
                         "Look for code that never yields (an endless loop, deep recursion, a blocking "
                         "wait) or that exits the process (sys.exit, os._exit).")
        else:
            t.message = f"Not run: {result.problem} before this test started."
    import shutil

    shutil.rmtree(r.scratch, ignore_errors=True)
    return result
