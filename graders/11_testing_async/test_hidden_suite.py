"""Hidden graders for 11_testing_async: more faulty versions of app.py (hidden_mutants/);
each is caught when at least one of your tests that pass on the provided app fails on it."""

from pathlib import Path

import pytest

from grading import graded
from grading import learner_suite as suite

# The learner's suite runs in the background, once per faulty app: a test may wait for its run
# (suite.RESULT_WAIT) longer than the default per-test limit on a loaded machine.
pytestmark = pytest.mark.timeout(suite.RESULT_WAIT + 5)

HIDDEN = suite.load_mutants(Path(__file__).parent / "hidden_mutants")
suite.plan(HIDDEN)


@pytest.mark.parametrize("mutant", [
    pytest.param(m, id=m.name, marks=graded(points=1, task=m.task, hint=m.hint, hidden=True)) for m in HIDDEN
])
def test_your_tests_catch_a_hidden_faulty_app(exercise_dir, mutant):
    suite.expect_caught(suite.runner_for(exercise_dir), mutant, reveal=False)
