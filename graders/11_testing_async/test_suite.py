"""Public graders for 11_testing_async. Your tests run, in a copy of your folder, against
the provided app (they must pass) and against faulty versions of app.py (each should make at
least one of your tests fail). The two faulty versions graded here are in mutants/."""

from pathlib import Path

import pytest

from grading import check, fail, graded
from grading import learner_suite as suite

# The learner's suite runs in the background, once per faulty app: a test may wait for its run
# (suite.RESULT_WAIT) longer than the default per-test limit on a loaded machine.
pytestmark = pytest.mark.timeout(suite.RESULT_WAIT + 5)

PUBLIC = suite.load_mutants(Path(__file__).parent / "mutants")
suite.plan(PUBLIC)


@graded(points=3, task=1, hint="Yield an httpx.AsyncClient over httpx.ASGITransport(app=...) from inside "
        "`async with LifespanManager(app)`, and assert on status codes AND bodies.")
def test_your_tests_pass_on_the_provided_app(exercise_dir):
    tests = sorted(p.name for p in exercise_dir.glob("test*.py")) if exercise_dir.is_dir() else []
    check(tests, f"no test file in {exercise_dir.name}/", "your tests in test_app.py")
    runner = suite.runner_for(exercise_dir)
    base = suite.baseline(runner)
    if base.failed:
        fail(f"{len(base.failed)} of your {len(base.outcomes)} tests failed against the provided (correct) app",
             "every test to pass on the provided app",
             suite.provided_app_hint(base),
             details=suite.listing(base.failed, base.messages))
    suite.expect_async_client(base)
    caught = [m.name for m in PUBLIC if suite.caught_by(base, runner.result(m.name))]
    check(caught, f"your {len(base.passed)} tests pass, and they also all pass on both faulty example apps "
          "(mutants/*.toml)", "tests that fail when the app is wrong",
          "A test that asserts nothing (or only that a request returned) passes whatever the app does.")


@pytest.mark.parametrize("mutant", [
    pytest.param(m, id=m.name, marks=graded(points=1, task=m.task, hint=m.hint)) for m in PUBLIC
])
def test_your_tests_catch_the_faulty_app(exercise_dir, mutant):
    suite.expect_caught(suite.runner_for(exercise_dir), mutant, reveal=True)
