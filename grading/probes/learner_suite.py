"""Running a learner's own test suite against the provided app and against faulty versions
of it ("mutants"), for exercises where the learner writes the tests.

The graders import this module; the work is in ``grading.probes.suite`` (one concern per
module: mutants, records, planner, control, feedback, driver, run). Each run of the suite
works on a copy of the learner's folder, in a worker of the engine's pool (fork or spawn,
with time limits), started by a driver process.
"""

from __future__ import annotations

from grading.probes.suite.control import PARALLEL, RESULT_WAIT, RUN_TIME_LIMIT, TEST_TIME_LIMIT, SuiteRunner
from grading.probes.suite.feedback import (
    _run_problem,
    baseline,
    expect_async_client,
    expect_caught,
    hold_back,
    listing,
    provided_app_hint,
)
from grading.probes.suite.mutants import Mutant, MutantDefect, load_mutants
from grading.probes.suite.planner import close_all, plan, runner_for
from grading.probes.suite.records import BASELINE, SuiteResult, caught_by

__all__ = [
    "BASELINE", "PARALLEL", "RESULT_WAIT", "RUN_TIME_LIMIT", "TEST_TIME_LIMIT", "Mutant", "MutantDefect",
    "SuiteResult", "SuiteRunner", "_run_problem", "baseline", "caught_by", "close_all", "expect_async_client",
    "expect_caught",
    "hold_back", "listing", "load_mutants", "plan", "provided_app_hint", "runner_for",
]
