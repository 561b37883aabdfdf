"""The pytest plugin that turns grader runs into results.

It registers the ``graded`` marker and the shared fixtures, rewrites whatever ended a test
into feedback (never a traceback), and streams one JSON line per event to the file named
by ``--grading-results`` so the parent process knows how far a worker got even if the
submission later hangs or kills the process.
"""

from __future__ import annotations

import json
import os
import sys

import pytest

from grading import evidence
from grading.feedback import explain, is_test_timeout
from grading.fixtures import *  # noqa: F403  # the shared fixtures
from grading.fixtures import target_root
from grading.probes.unawaited import UnawaitedRecorder, diagnosis
from grading.results import Event, TestResult, record_of
from grading.spec import MARKER, spec_of, spec_problem
from grading.target import KIT_ROOT

_STATE_KEY = pytest.StashKey[dict]()
_UNAWAITED_KEY = pytest.StashKey[UnawaitedRecorder]()

# Forces the multiprocessing start method graded code gets (fork, spawn, forkserver), to grade
# here as macOS and Windows (spawn) or Python 3.14's Linux (forkserver) would: `nox -s startmethods`.
START_METHOD_ENV = "GRADING_MP_START"


def force_start_method() -> None:
    method = os.environ.get(START_METHOD_ENV, "").strip()
    if not method:
        return
    import multiprocessing

    if method not in multiprocessing.get_all_start_methods():
        raise pytest.UsageError(f"{START_METHOD_ENV}={method!r}: this platform's start methods are "
                                f"{', '.join(multiprocessing.get_all_start_methods())}")
    multiprocessing.set_start_method(method, force=True)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("grading")
    group.addoption("--grading-target", default=os.environ.get("GRADING_TARGET", str(KIT_ROOT / "exercises")),
                    help="folder with NN_slug/ submissions to grade (default: exercises/)")
    group.addoption("--grading-results", default=None, help="write one JSON line per test event here")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{MARKER}(points, task, hint, hidden=False): a graded test")
    config.addinivalue_line("markers", "knobs(NAME=value, ...): set on the submission's module before its app starts")
    sys.dont_write_bytecode = True
    force_start_method()
    config.stash[_STATE_KEY] = {"results": {}, "sink": None}
    path = config.getoption("grading_results")
    if path:
        config.stash[_STATE_KEY]["sink"] = open(path, "a", buffering=1, encoding="utf-8")  # noqa: SIM115


def pytest_unconfigure(config: pytest.Config) -> None:
    suites = sys.modules.get("grading.probes.suite.planner")
    if suites is not None:
        suites.close_all()
    sink = config.stash.get(_STATE_KEY, {}).get("sink")
    if sink:
        _emit(config, {"event": Event.DONE})
        sink.close()


def _emit(config: pytest.Config, record: dict) -> None:
    sink = config.stash[_STATE_KEY]["sink"]
    if sink:
        sink.write(json.dumps(record) + "\n")
        sink.flush()
        os.fsync(sink.fileno())


def _name(item: pytest.Item) -> str:
    return item.name


def skipped_at_collection(item: pytest.Item) -> str | None:
    """The reason of a `skip` or true `skipif(<bool>, reason=...)` mark, decided before any
    submission code runs (say, no browser on this machine), else None."""
    for mark in item.iter_markers("skip"):
        return str(mark.kwargs.get("reason", mark.args[0] if mark.args else "skipped"))
    for mark in item.iter_markers("skipif"):
        condition = mark.args[0] if mark.args else mark.kwargs.get("condition")
        if isinstance(condition, bool) and condition:
            return str(mark.kwargs.get("reason", "skipped"))
    return None


def pytest_collection_finish(session: pytest.Session) -> None:
    for item in session.items:
        spec = spec_of(item)
        skip = skipped_at_collection(item)
        # A test skipped whatever the submission does is recorded as skipped from the start, so
        # the maximum is the same for every submission graded here, even one that stops the worker.
        result = TestResult(
            name=_name(item),
            max_score=spec.points if spec else 0,
            task=spec.task if spec else 0,
            hint=spec.hint if spec else "",
            visibility=spec.visibility if spec else "public",  # type: ignore[arg-type]
            status="skipped" if skip is not None else "error",
            message=skip if skip is not None else "not run",
            nodeid=item.nodeid,
        )
        session.config.stash[_STATE_KEY]["results"][item.nodeid] = result
        _emit(session.config, {"event": Event.COLLECTED, "test": record_of(result)})
    # Run as root, the worker gives up root here: the graders are imported, and the
    # submission, which runs only from now on, cannot read the hidden ones.
    from grading.workers import contain

    contain.drop_privileges()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem) -> None:  # noqa: ANN001
    _emit(item.config, {"event": Event.START, "nodeid": item.nodeid})
    # A forgotten `await` leaves only a warning: watch for it in every test of every exercise.
    recorder = UnawaitedRecorder([target_root(item.config) / item.path.parent.name])
    recorder.start()
    item.stash[_UNAWAITED_KEY] = recorder
    evidence.begin()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    result: TestResult = item.config.stash[_STATE_KEY]["results"].get(item.nodeid)
    if result is None:
        return report
    result.duration += call.duration
    if call.when == "setup":
        result.status, result.message = "passed", ""
        problem = spec_problem(item)
        if problem:
            result.status, result.message = "error", f"Grader defect: {problem}."
    if call.excinfo is not None and result.status == "passed":
        exc = call.excinfo.value
        if call.excinfo.errisinstance(pytest.skip.Exception):
            result.status, result.message = "skipped", str(exc)
        else:
            roots = [target_root(item.config) / item.path.parent.name]
            msg = explain(exc, roots, timeout=_timeout_of(item))
            failed = "failed" if isinstance(exc, AssertionError) else "error"
            result.status = "timeout" if is_test_timeout(exc) else failed
            result.message = msg
        # Keep pytest's own report short: the message is what learners read.
        report.longrepr = result.message
    if call.when == "teardown":
        result.evidence = evidence.collect()
        recorder = item.stash.get(_UNAWAITED_KEY, None)
        failing = result.status in ("failed", "error", "timeout")
        found = recorder.stop(thorough=failing) if recorder is not None else []
        if found and failing:
            # The cause goes first: the assertion that failed is only its consequence.
            result.message = f"{diagnosis(found)}\n{result.message}"
            report.longrepr = result.message
        _emit(item.config, {"event": Event.RESULT, "test": record_of(result)})
    return report


def _timeout_of(item: pytest.Item) -> float | None:
    marker = item.get_closest_marker("timeout")
    if marker and marker.args:
        return float(marker.args[0])
    try:
        return float(item.config.getini("timeout") or 0) or None
    except (ValueError, KeyError):
        return None
