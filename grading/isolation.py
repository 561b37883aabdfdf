"""Running one exercise's graders in a process of its own, under a time limit.

Each job is a worker (``grading.workers``: a fork of the grading process on Linux, a warm
spawned interpreter elsewhere) that runs pytest on one exercise's graders with its output
sent to a log file, in a scratch working directory. Whatever the submission does (hang,
crash, exit, start servers or daemons), the pool ends the worker's whole tree at the time
limit and this module builds the exercise's results from what the worker streamed so far.
Run as root, the worker gives up root once the graders are collected (hidden graders stay
unreadable to the submission), and hidden grader lines are redacted from what it printed.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from grading import workers
from grading.results import Event, ExerciseResult, TestResult
from grading.spec import is_hidden_path
from grading.target import KIT_ROOT
from grading.workers import Exit, Task, contain, sizing

TEST_TIMEOUT = 20.0  # per test, pytest-timeout; the requests themselves time out sooner
EXERCISE_TIME_LIMIT = 90.0
# Graders spend much of their time waiting (simulated latency, servers, subprocesses), so one
# worker more than there are CPUs keeps them busy; within the memory limit (see sizing).
DEFAULT_JOBS = sizing.default_jobs()
HUNG = "+++ Timeout +++"  # what pytest-timeout's thread method prints before it ends the worker


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
    earlier: list[TestResult] = field(default_factory=list)  # a continuation: tests already graded
    scratch: Path | None = None
    spent: float = 0.0  # a continuation: seconds the earlier workers took


def preload() -> None:
    """Import what every worker needs once, in the parent (the fork backend starts warm)."""
    workers.import_quietly(workers.PRELOAD)


def _pytest_args(job: Job, results: Path) -> list[str]:
    files = sorted(str(p) for p in job.graders.glob("test_*.py")
                   if job.include_hidden or not is_hidden_path(p.name))
    # Options as single `--opt=value` tokens and the plugin named up front: pytest's early
    # argument scan would otherwise take the target folder for a test path and load a
    # conftest.py planted in the submission. conftest files load only under graders/.
    return [
        "-q", "--no-header", "-p", "no:cacheprovider", "-p", "grading.plugin",
        f"--rootdir={KIT_ROOT}", f"--confcutdir={job.graders.parent}", "-c", str(KIT_ROOT / "pyproject.toml"),
        "-o", f"timeout={job.test_timeout}",
        f"--grading-target={job.target}", f"--grading-results={results}",
        *[f"--deselect={t.nodeid}" for t in job.earlier], *job.pytest_args, *files,
    ]


def worker_main(args: dict) -> int:
    """In the worker: run pytest on the job's graders."""
    import signal

    import pytest

    # SIGALRM interrupts a hung test and the exercise goes on; where there is none (Windows)
    # pytest-timeout's thread method ends the worker and the pool runs the remaining tests.
    method = "signal" if hasattr(signal, "SIGALRM") and hasattr(signal, "setitimer") else "thread"
    return int(pytest.main([*args["pytest_args"], "-o", f"timeout_method={method}"]))


def _task(job: Job, drop: tuple[int, int] | None) -> Task:
    scratch = job.scratch = Path(tempfile.mkdtemp(prefix=f"grade-{job.exercise}-"))
    (scratch / "cwd").mkdir()
    (scratch / "tmp").mkdir()
    env = {"TMPDIR": str(scratch / "tmp"), "TEMP": str(scratch / "tmp"), "TMP": str(scratch / "tmp")}
    if drop and contain.can_drop(*drop, [job.target / job.exercise if (job.target / job.exercise).exists()
                                         else job.target, KIT_ROOT / "grading"]):
        env[contain.DROP_ENV] = f"{drop[0]}:{drop[1]}"
        scratch.chmod(0o711)  # the unprivileged worker reaches its folders, lists nothing
        contain.prepare_drop(env, [scratch / "cwd", scratch / "tmp"])
    return Task("grading.isolation:worker_main", {"pytest_args": _pytest_args(job, scratch / "results.jsonl")},
                scratch / "output.log", scratch / "cwd", env)


@functools.cache
def estimated_cost(graders: Path) -> float:
    """A guess, from the graders' text, of how long an exercise takes to grade: its tests,
    more for those behind a live server, much more for a learner's suite or a browser."""
    text = "".join(p.read_text(encoding="utf-8", errors="replace") for p in sorted(graders.glob("test_*.py")))
    tests = len(re.findall(r"^(?:async )?def test_", text, re.M))
    live = len(re.findall(r"^(?:async )?def test_\w+\([^)]*\blive\b", text, re.M))
    return 0.2 * tests + 0.8 * live + 5 * ("learner_suite" in text) + 2 * ("playwright" in text)


def run_jobs(jobs: list[Job], parallel: int = 1,
             on_start: Callable[[Job], None] | None = None,
             on_tick: Callable[[], None] | None = None,
             backend: str | None = None) -> Iterator[tuple[Job, ExerciseResult]]:
    """Run jobs, at most ``parallel`` at once, the longest first (so that no long one starts
    last and runs alone); yield (job, result) as each one finishes."""
    pending = sorted(jobs, key=lambda j: -estimated_cost(j.graders))
    drop = contain.unprivileged_ids()
    if drop:
        for graders in {j.graders.parent for j in jobs} | {KIT_ROOT / "graders"}:
            contain.protect_hidden(graders)
    chosen = workers.backend(backend, spares=min(sizing.spares_for(max(1, parallel)), len(pending)))

    def start(job: Job) -> None:
        if on_start and not job.earlier:
            on_start(job)

    for job, ended, seconds in workers.run(pending, lambda j: _task(j, drop), lambda j: j.time_limit,
                                           parallel, chosen, on_start=start, on_tick=on_tick):
        result = collect(job, ended, seconds)
        rest = job.time_limit - seconds
        if _continues(result) and rest > job.test_timeout:
            # The worker ended at a hung test (thread timeouts): grade the tests after it.
            done = [t for t in result.tests if not t.message.startswith("Not run:")]
            pending.insert(0, replace(job, time_limit=rest, earlier=done, scratch=None, spent=job.spent + seconds))
            continue
        yield job, result


def _continues(result: ExerciseResult) -> bool:
    return any(t.status == "timeout" and "hung" in t.message for t in result.tests) and \
        any(t.message.startswith("Not run:") for t in result.tests)


def _tail(path: Path, lines: int = 12) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.rstrip().splitlines()[-lines:])


def collect(job: Job, ended: Exit, seconds: float) -> ExerciseResult:
    """Build an exercise's results from the worker's stream, explaining any gap."""
    assert job.scratch is not None
    result = ExerciseResult(id=job.exercise, duration=job.spent + seconds)
    tests: dict[str, TestResult] = {t.nodeid: t for t in job.earlier}
    started: str | None = None
    done = False
    stream = job.scratch / "results.jsonl"
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
    log = _tail(job.scratch / "output.log", 40)
    hung = started is not None and HUNG in log and not ended.timed_out
    result.output = "\n".join(log.splitlines()[-12:])
    result.tests = list(tests.values())
    if ended.timed_out:
        result.problem = f"grading stopped at the exercise's time limit ({job.time_limit:.0f} s)"
    elif hung:
        result.problem = f"a test hung (no end after {job.test_timeout:g} s) and was stopped"
    elif not done:
        result.problem = (f"the grading process stopped unexpectedly ({ended.short()}): {ended.why()}")
    elif not ended.normal:
        result.problem = f"the grading process ended with {ended.describe()}"
    if not tests and (ended.timed_out or not done or not ended.normal):
        result.problem = result.problem or "the graders could not run"
        result.problem += (": " + result.output.splitlines()[-1]) if result.output else ""
    for t in result.tests:
        if t.message != "not run" or t.status != "error":
            continue
        if t.nodeid == started and hung:
            t.status = "timeout"
            t.message = (f"Observed: this test hung: it had not finished at its time limit ({job.test_timeout:g} s).\n"
                         "Expected: the test to finish.\n"
                         "Look for code that never yields (an endless loop, a blocking wait, an await "
                         "on something that never happens).")
        elif t.nodeid == started:
            t.status = "timeout" if ended.timed_out else "error"
            t.message = (f"Observed: {result.problem} while this test ran.\n"
                         "Expected: the test to finish.\n"
                         "Look for code that never yields (an endless loop, deep recursion, a blocking "
                         "wait) or that exits the process (sys.exit, os._exit).")
        else:
            t.message = f"Not run: {result.problem} before this test started."
    redact(result, job.graders)
    if not os.environ.get("GRADING_KEEP_SCRATCH"):  # for debugging the engine
        shutil.rmtree(job.scratch, ignore_errors=True)
    return result


@functools.cache
def hidden_lines(graders: Path) -> tuple[str, ...]:
    """Lines of an exercise's hidden graders long enough to give a test away (20+ characters)."""
    lines: set[str] = set()
    for p in graders.rglob("*"):
        if p.is_file() and any(part.startswith(("test_hidden", "hidden")) for part in p.relative_to(graders).parts):
            try:
                text = p.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            for line in text.splitlines():
                if len(line.strip()) >= 20:  # as printed, and as repr() or JSON would quote it
                    lines |= {line.strip(), repr(line.strip())[1:-1], json.dumps(line.strip())[1:-1]}
    return tuple(sorted(lines, key=len, reverse=True))


def redact(result: ExerciseResult, graders: Path) -> int:
    """Replace any hidden grader line a submission echoed into a message or its output (the
    second line of defence: an unprivileged worker cannot read them). Returns how many."""
    lines = hidden_lines(graders)
    n = 0

    def clean(text: str) -> str:
        nonlocal n
        if not text:
            return text
        for line in lines:
            if line in text:
                n += text.count(line)
                text = text.replace(line, "[hidden grader text]")
        return text

    result.output = clean(result.output)
    result.problem = clean(result.problem)
    for t in result.tests:
        t.message = clean(t.message)
    return n
