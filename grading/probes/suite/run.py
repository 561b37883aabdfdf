"""One run of the learner's suite, in a worker of the driver's pool: pytest on a copy of the
learner's folder with the kit's pytest settings (asyncio_mode = auto), the copy as rootdir
and confcutdir (so no conftest.py or ini file outside the learner's folder is used), and a
per-test timeout. Each test's outcome is read by a tiny in-process plugin."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


class _Outcomes:
    """A pytest plugin that records each test's outcome and first failure line."""

    def __init__(self) -> None:
        self.outcomes: dict[str, str] = {}
        self.messages: dict[str, str] = {}
        self.asserts: dict[str, int] = {}

    def pytest_assertion_pass(self, item, lineno, orig, expl) -> None:  # noqa: ANN001
        self.asserts[item.nodeid] = self.asserts.get(item.nodeid, 0) + 1

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
    t0 = time.monotonic()
    code = int(pytest.main([
        str(copy), "-q", "-p", "no:cacheprovider", "-p", "no:randomly", "-p", "no:xdist",
        "-c", str(ini), "--rootdir", str(copy), "--confcutdir", str(copy),
        "-o", f"timeout={args['test_time_limit']}", "-o", f"timeout_method={method}", "--no-header",
    ], plugins=[recorder]))
    sys.stdout.flush()
    sys.stderr.flush()
    data = {"label": args["label"], "status": "ran", "outcomes": recorder.outcomes, "messages": recorder.messages,
            "asserts": recorder.asserts,
            "output": _tail(Path(args["log"])), "duration": time.monotonic() - t0, "exit_code": code}
    tmp = result_path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data))
    tmp.replace(result_path)
    return code
