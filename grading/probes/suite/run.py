"""One run of the learner's suite, in a worker of the driver's pool: pytest on a copy of the
learner's folder with the kit's pytest settings (asyncio_mode = auto), the copy as rootdir
and confcutdir (so no conftest.py or ini file outside the learner's folder is used), and a
per-test timeout. Each test's outcome is read by a tiny in-process plugin."""

from __future__ import annotations

import inspect
import json
import sys
import time
from pathlib import Path

import pytest


class _Outcomes:
    """A pytest plugin that records each test's outcome and first failure line."""

    def __init__(self) -> None:
        self.outcomes: dict[str, str] = {}
        self.messages: dict[str, str] = {}
        self.asserts: dict[str, int] = {}
        # test id -> how it reached the app: "asgi" (httpx.ASGITransport), "testclient"
        # (Starlette's sync TestClient), and "sync test" when an ASGITransport request came
        # from a plain `def` test (asyncio.run inside it): the contract asks for async tests.
        self.transports: dict[str, list[str]] = {}
        self.current: pytest.Item | None = None
        self.calling = False  # in the test's body (not its fixtures)
        self.async_test = False

    def note(self, how: str) -> None:
        if self.current is None:
            return
        seen = self.transports.setdefault(self.current.nodeid, [])
        if how == "asgi" and self.calling and not self.async_test:
            how = "sync test"
        if how not in seen:
            seen.append(how)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item, nextitem):  # noqa: ANN001, ANN201
        self.current = item
        # Read before the test runs: pytest-asyncio swaps an async test's function for a sync wrapper.
        self.async_test = inspect.iscoroutinefunction(getattr(item, "obj", None))
        try:
            return (yield)
        finally:
            self.current = None

    def pytest_assertion_pass(self, item, lineno, orig, expl) -> None:  # noqa: ANN001
        self.asserts[item.nodeid] = self.asserts.get(item.nodeid, 0) + 1

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item):  # noqa: ANN001, ANN201
        """A check that did not fire leaves no trace at run time (`if bad: pytest.fail(...)`),
        so also count the learner's functions this test ran that contain one."""
        seen: set = set()
        previous = sys.getprofile()
        sys.setprofile(lambda frame, event, arg: seen.add(frame.f_code) if event == "call" else None)
        self.calling = True
        try:
            return (yield)
        finally:
            self.calling = False
            sys.setprofile(previous)
            root = str(item.config.rootpath)
            checks = sum(1 for code in seen if code.co_filename.startswith(root) and _checks_in(code))
            if checks:
                self.asserts[item.nodeid] = self.asserts.get(item.nodeid, 0) + checks

    def pytest_runtest_logreport(self, report) -> None:  # noqa: ANN001
        name = report.nodeid
        if report.failed:
            self.outcomes[name] = "failed" if report.when == "call" else "error"
            if name not in self.messages:
                self.messages[name] = _first_line(report)
        elif report.skipped and name not in self.outcomes:
            self.outcomes[name] = "skipped"
        elif report.passed and report.when == "call" and name not in self.outcomes:
            self.outcomes[name] = "passed"

    def pytest_collectreport(self, report) -> None:  # noqa: ANN001
        if report.failed:
            self.outcomes[f"collecting {report.nodeid or 'tests'}"] = "error"
            self.messages[f"collecting {report.nodeid or 'tests'}"] = _first_line(report)


_CHECK_CALLS = {"fail", "raises"}  # pytest.fail(...), pytest.raises(...), and their bare imports


def _checks_in(code, _trees: dict = {}) -> bool:  # noqa: B006  # a cache of parsed files
    """Whether the function of ``code`` can fail a test: an `assert`, pytest.fail(...),
    pytest.raises(...), or a `raise AssertionError...`."""
    import ast

    if code.co_filename not in _trees:
        try:
            _trees[code.co_filename] = ast.parse(Path(code.co_filename).read_text(encoding="utf-8"))
        except (OSError, SyntaxError, ValueError):
            _trees[code.co_filename] = None
    tree = _trees[code.co_filename]
    if tree is None:
        return False
    for node in ast.walk(tree):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or node.name != code.co_name:
            continue
        if code.co_firstlineno not in {node.lineno, *(d.lineno for d in node.decorator_list)}:
            continue
        for inner in ast.walk(node):
            if isinstance(inner, ast.Assert):
                return True
            if isinstance(inner, ast.Call):
                func = inner.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name in _CHECK_CALLS:
                    return True
            if isinstance(inner, ast.Raise) and inner.exc is not None:
                raised = inner.exc.func if isinstance(inner.exc, ast.Call) else inner.exc
                if getattr(raised, "id", getattr(raised, "attr", "")) == "AssertionError":
                    return True
        return False
    return False


def _count_transports(recorder: _Outcomes) -> None:
    """Note, per test, which client sent its requests to the app."""
    import httpx

    asgi = httpx.ASGITransport.handle_async_request

    async def counted_asgi(self, request):  # noqa: ANN001, ANN202
        recorder.note("asgi")
        return await asgi(self, request)

    httpx.ASGITransport.handle_async_request = counted_asgi
    try:
        from starlette import testclient
    except ImportError:  # pragma: no cover - starlette ships it
        return
    sync = testclient._TestClientTransport.handle_request

    def counted_sync(self, request):  # noqa: ANN001, ANN202
        recorder.note("testclient")
        return sync(self, request)

    testclient._TestClientTransport.handle_request = counted_sync


def _first_line(report) -> str:  # noqa: ANN001
    crash = getattr(report.longrepr, "reprcrash", None)
    if crash is not None and getattr(crash, "message", None):
        text = crash.message
    else:
        text = str(report.longrepr)
    lines = [line for line in text.strip().splitlines() if line.strip()]
    first = lines[0].strip() if lines else "failed"
    if first.startswith("assert ") or first.startswith("AssertionError"):
        return first[:300]
    errors = [line.strip() for line in lines if line.lstrip().startswith("E ")]
    return (errors[-1][1:].strip() if errors else first)[:300]


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").rstrip().splitlines()[-lines:])
    except OSError:
        return ""


def run_one(args: dict) -> int:
    """In the run's worker (its cwd is the copy): run pytest, write the result record."""
    import signal

    import pytest

    copy, ini, result_path = Path(args["copy"]), Path(args["ini"]), Path(args["result"])
    method = "signal" if hasattr(signal, "SIGALRM") else "thread"
    recorder = _Outcomes()
    _count_transports(recorder)
    t0 = time.monotonic()
    code = int(pytest.main([
        str(copy), "-q", "-p", "no:cacheprovider", "-p", "no:randomly", "-p", "no:xdist",
        "-c", str(ini), "--rootdir", str(copy), "--confcutdir", str(copy),
        "-o", f"timeout={args['test_time_limit']}", "-o", f"timeout_method={method}", "--no-header",
    ], plugins=[recorder]))
    sys.stdout.flush()
    sys.stderr.flush()
    data = {"label": args["label"], "status": "ran", "outcomes": recorder.outcomes, "messages": recorder.messages,
            "asserts": recorder.asserts, "transports": recorder.transports,
            "output": _tail(Path(args["log"])), "duration": time.monotonic() - t0, "exit_code": code}
    tmp = result_path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data))
    tmp.replace(result_path)
    return code
