"""What the learner reads about their suite: a run that did not run, a baseline that does
not pass, a mutant no test caught."""

from __future__ import annotations

from grading.probes.suite.control import SuiteRunner
from grading.probes.suite.mutants import Mutant
from grading.probes.suite.records import BASELINE, SuiteResult, caught_by


def listing(names: list[str], messages: dict[str, str], limit: int = 5) -> str:
    lines = [f"  {n}: {messages[n]}" if n in messages else f"  {n}" for n in names[:limit]]
    if len(names) > limit:
        lines.append(f"  ... and {len(names) - limit} more")
    return "\n".join(lines)


def _run_problem(result: SuiteResult, what: str) -> None:
    from grading.feedback import fail

    if result.status == "ran":
        return
    if result.status == "defect":
        raise RuntimeError(result.output)  # an error, not a failure: the kit is wrong here
    if result.status == "not built":
        fail(f"the faulty app could not be built: {result.output}", "the provided app.py, unchanged",
             "Write your tests in test_app.py and leave app.py as it was given.")
    if result.status == "timeout":
        fail(f"running your tests against {what} did not finish ({result.output})",
             "your whole test file to run in a few seconds",
             "A test that waits forever (an un-awaited event, a server never started) stops the run.")
    fail(f"running your tests against {what} stopped unexpectedly", "pytest to run your tests to the end",
         "Do your tests exit the process (sys.exit, os._exit)?", details=result.output[-800:])


def provided_app_hint(base: SuiteResult) -> str:
    """How to fix tests that fail on the provided (correct) app, from what their failures say."""
    messages = [base.messages.get(t, "") for t in base.failed]
    if messages and len(base.failed) == len(base.outcomes):
        said = " ".join(messages)
        if any(word in said for word in ("state", "catalog", "lifespan", "Lifespan")):
            return ("Every test fails because the app was never started: httpx.ASGITransport runs no lifespan. "
                    "In your `client` fixture, `async with LifespanManager(app) as manager:` and give "
                    "`httpx.ASGITransport(app=manager.app)` to the client (task 1).")
        return ("Every test fails: the cause is in what they all share, your `client` fixture (task 1). Run "
                "`nox -s pytest -- 11` and read the first error.")
    return ("A test that fails on correct code expects the wrong thing: compare its assertion with what the "
            "app really answers (`nox -s pytest -- 11` shows the whole error), and fix the test.")


def hold_back(base: SuiteResult) -> None:
    """Mutants are judged once the suite passes on the provided app: until then, say only that."""
    from grading.feedback import fail

    fail(f"not judged yet: {len(base.failed)} of your {len(base.outcomes)} tests fail on the provided (correct) "
         "app", "your tests to pass on the provided app first; then each faulty version is judged",
         "Fix the failures on the provided app first: test_your_tests_pass_on_the_provided_app says what they are.")


def baseline(runner: SuiteRunner) -> SuiteResult:
    """The run against the provided app, with feedback unless at least one test passed."""
    from grading.feedback import fail

    base = runner.result(BASELINE)
    _run_problem(base, "the provided app")
    if not base.outcomes:
        fail("pytest collected no tests in your folder", "test functions named test_* in test_app.py",
             details=base.output[-800:])
    if not base.passed:
        fail(f"none of your {len(base.outcomes)} tests passed against the provided (correct) app",
             "your tests to pass on the provided app; only then can a failure point at a fault",
             provided_app_hint(base), details=listing(base.failed, base.messages))
    if not base.asserting:
        fail(f"your {len(base.passed)} passing tests ran no assertion at all", "tests that assert what the app answers",
             "A test without `assert` passes whatever the app does: assert on status codes AND bodies.")
    return base


def expect_async_client(base: SuiteResult) -> None:
    """The contract's way of testing: async tests whose requests go through httpx.ASGITransport
    (task 1), not Starlette's sync TestClient, nor asyncio.run inside a plain `def` test."""
    from grading.feedback import fail

    def tests_that(how: str) -> list[str]:
        return [t for t, ways in base.transports.items() if how in ways]

    if tests_that("testclient"):
        fail(f"{len(tests_that('testclient'))} of your tests send their requests with Starlette's sync TestClient",
             "async tests whose client is an httpx.AsyncClient over httpx.ASGITransport",
             "TestClient runs the app in a thread with its own event loop, so it cannot test async code as it runs "
             "in production. Write `async def test_...(client)` and make `client` an async fixture yielding "
             "`httpx.AsyncClient(transport=httpx.ASGITransport(app=manager.app), base_url=\"http://test\")`.",
             details=listing(tests_that("testclient"), {}))
    if tests_that("sync test"):
        fail(f"{len(tests_that('sync test'))} of your tests are plain `def` functions that run the client "
             "themselves (asyncio.run)", "`async def` tests, run by pytest-asyncio",
             "Make each test `async def test_...(client)` and await the client: pytest-asyncio runs it on its "
             "event loop (auto mode), with the fixture's client.", details=listing(tests_that("sync test"), {}))
    if not tests_that("asgi"):
        fail("none of your tests sent a request to the app through httpx.ASGITransport",
             "an httpx.AsyncClient over httpx.ASGITransport, with lifespan run (task 1)",
             "Yield `httpx.AsyncClient(transport=httpx.ASGITransport(app=manager.app), base_url=\"http://test\")` "
             "from inside `async with LifespanManager(app) as manager:`.")


def expect_caught(runner: SuiteRunner, mutant: Mutant, reveal: bool) -> list[str]:
    """Feedback unless some test that passes on the provided app fails on ``mutant``."""
    from grading.feedback import fail

    first = runner.result(BASELINE)
    if first.status in ("timeout", "crashed"):
        # Said once, by the provided-app test: repeating it per mutant would bury it.
        fail("not judged yet: your tests did not run to the end on the provided (correct) app",
             "your tests to run and pass on the provided app first; then each faulty version is judged",
             "Fix that first: test_your_tests_pass_on_the_provided_app says what happened.")
    _run_problem(first, "the provided app")
    if first.outcomes and not first.passed:
        hold_back(first)
    base = baseline(runner)
    result = runner.result(mutant.name)
    _run_problem(result, "a faulty version of app.py")
    caught = caught_by(base, result)
    if not caught:
        if base.failed:
            hold_back(base)
        fault = f" in which {mutant.why}" if reveal else ""
        silent = len(base.passed) - len(base.asserting)
        note = f" ({silent} of them assert nothing, so they cannot catch anything)" if silent else ""
        fail(f"all {len(base.passed)} of your tests that pass on the provided app{note} also passed on a faulty "
             f"version of app.py{fault}",
             "at least one test to fail on the faulty app",
             mutant.hint or "A test catches a fault only if it checks the behaviour that changed: status AND "
             "body, the error cases, and what was stored.")
    return caught
