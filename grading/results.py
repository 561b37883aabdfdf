"""The results model: one tree that every reporter renders.

A run grades exercises; an exercise holds tests. Scores are derived here, never by a
reporter, so every output format agrees with every other one. (The kit's JSON form of this
model is grading.reporters.json_report's.)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Literal

Status = Literal["passed", "failed", "error", "timeout", "skipped"]
Visibility = Literal["public", "hidden"]


@dataclass
class TestResult:
    __test__ = False  # not a pytest test class

    name: str
    max_score: float
    task: int
    hint: str
    visibility: Visibility = "public"
    status: Status = "error"
    message: str = ""
    duration: float = 0.0
    nodeid: str = ""
    # What the probes measured, as data (see grading.evidence): upstream calls with their
    # times, blocking calls with the learner's line, the event loop's lag.
    evidence: dict = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    @property
    def score(self) -> float:
        return self.max_score if self.passed else 0.0

    @property
    def counted_max(self) -> float:
        """A skipped test (say, no browser installed here) counts neither for nor against."""
        return 0.0 if self.status == "skipped" else self.max_score


@dataclass
class ExerciseResult:
    id: str
    tests: list[TestResult] = field(default_factory=list)
    # Set when the exercise as a whole went wrong (time limit, crash, missing folder).
    problem: str = ""
    duration: float = 0.0
    output: str = ""  # tail of what the submission printed, for crash reports

    @property
    def score(self) -> float:
        return sum(t.score for t in self.tests)

    @property
    def max_score(self) -> float:
        return sum(t.counted_max for t in self.tests)

    @property
    def passed(self) -> bool:
        return bool(self.tests) and all(t.passed or t.status == "skipped" for t in self.tests) and not self.problem

    @property
    def status(self) -> str:
        if self.passed:
            return "passed"
        if self.problem and not any(t.passed for t in self.tests):
            return "error"
        return "partial" if self.score > 0 else "failed"

    def first_failure(self) -> TestResult | None:
        return next((t for t in self.tests if not t.passed and t.status != "skipped"), None)


@dataclass
class GradeReport:
    target: str
    exercises: list[ExerciseResult] = field(default_factory=list)
    duration: float = 0.0

    @property
    def score(self) -> float:
        return sum(e.score for e in self.exercises)

    @property
    def max_score(self) -> float:
        return sum(e.max_score for e in self.exercises)

    @property
    def all_passed(self) -> bool:
        return bool(self.exercises) and all(e.passed for e in self.exercises)

    def tests(self) -> list[tuple[ExerciseResult, TestResult]]:
        return [(e, t) for e in self.exercises for t in e.tests]


class Event(StrEnum):
    """The results stream: one JSON line per event, ``{"event": ..., ...}``, written by the
    plugin in the worker and read by grading.isolation.collect in the parent."""

    COLLECTED = "collected"  # {"test": <record_of(test)>}, status "error", message "not run"
    START = "start"  # {"nodeid": ...}: a test began (a worker that dies now is blamed on it)
    RESULT = "result"  # {"test": <record_of(test)>}, after its teardown
    DONE = "done"  # pytest ended normally


def record_of(result: TestResult) -> dict:
    """One test as a JSON line, the worker-to-parent wire format."""
    return asdict(result)
