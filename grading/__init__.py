"""The grading engine of the FastAPI async exercise kit, and the one module graders import.

Everything a grader uses is exported here (and graders import nothing else of the kit):

    from grading import graded, check, expect_status

- declaring a test: ``graded``;
- failing with feedback: ``check``, ``fail``, ``Feedback``;
- HTTP: ``expect_status``, ``detail_of``; driving an app yourself: ``app_client``,
  ``live_server``, ``load_submission`` (the fixtures ``client`` and ``live`` do this for you);
- evidence: ``LoopLagMonitor`` (CPU work), ``SleepRecorder`` (time.sleep on any thread),
  ``record_clients`` (httpx clients built), ``Upstream`` (the ``upstream`` fixture);
- WebSockets on a ``live`` server: ``ws_connect``, ``ws_recv``, ``ws_silence``, ``close_all``,
  ``kill``, ``ws_zombie`` (a connection the app thinks alive, whose sends fail), ``settle``,
  ``assert_quiet``, ``WAIT``;
- a learner's own test suite (exercise 11): ``learner_suite``;
- this machine: ``find_browser`` (a browser Playwright can drive), ``open_handles`` and
  ``CannotTell`` (which processes hold a file open, portably).

docs/writing-graders.md lists each one's signature and what each driver can show.
"""

from grading.feedback import Feedback, check, fail
from grading.probes import learner_suite
from grading.probes.blocking import BlockingRecorder, LoopLagMonitor, SleepRecorder
from grading.probes.browser import find_browser
from grading.probes.clients import ClientRecorder, record_clients
from grading.probes.drivers import AppClient, LiveServer, app_client, detail_of, expect_status, live_server
from grading.probes.handles import CannotTell, open_handles
from grading.probes.upstream import UPSTREAM_URL, Upstream
from grading.probes.wsclient import (
    WAIT,
    Zombie,
    assert_quiet,
    close_all,
    kill,
    settle,
    ws_connect,
    ws_recv,
    ws_silence,
    ws_zombie,
)
from grading.spec import graded
from grading.target import load_submission

__all__ = [
    "UPSTREAM_URL", "WAIT", "AppClient", "BlockingRecorder", "CannotTell", "ClientRecorder", "Feedback",
    "LiveServer", "LoopLagMonitor", "SleepRecorder", "Upstream", "app_client", "assert_quiet", "check",
    "close_all", "detail_of", "expect_status", "fail", "find_browser", "graded", "kill", "learner_suite",
    "live_server", "load_submission", "open_handles", "record_clients", "settle", "ws_connect", "ws_recv",
    "ws_silence", "ws_zombie", "Zombie",
]
