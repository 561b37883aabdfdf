"""The results model: one tree that every reporter renders.

A run grades exercises; an exercise holds tests. Scores are derived here, never by a
reporter, so every output format agrees with every other one.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
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

    def to_dict(self) -> dict:
        return {
            "target": self.target,
            "score": _num(self.score),
            "max_score": _num(self.max_score),
            "duration": round(self.duration, 3),
            "exercises": [
                {
                    "id": e.id,
                    "score": _num(e.score),
                    "max_score": _num(e.max_score),
                    "status": e.status,
                    "problem": e.problem,
                    "duration": round(e.duration, 3),
                    "tests": [
                        {
                            "name": t.name,
                            "task": t.task,
                            "score": _num(t.score),
                            "max_score": _num(t.counted_max),
                            "status": t.status,
                            "visibility": t.visibility,
                            "message": t.message,
                            "hint": t.hint,
                            "duration": round(t.duration, 3),
                            **({"evidence": t.evidence} if t.evidence else {}),
                        }
                        for t in e.tests
                    ],
                }
                for e in self.exercises
            ],
        }

    @classmethod
    def from_dict(cls, data: dict) -> GradeReport:
        report = cls(target=data.get("target", ""), duration=data.get("duration", 0.0))
        for e in data["exercises"]:
            ex = ExerciseResult(id=e["id"], problem=e.get("problem", ""), duration=e.get("duration", 0.0))
            for t in e["tests"]:
                ex.tests.append(
                    TestResult(
                        name=t["name"],
                        max_score=t["max_score"],
                        task=t.get("task", 0),
                        hint=t.get("hint", ""),
                        visibility=t.get("visibility", "public"),
                        status=t["status"],
                        message=t.get("message", ""),
                        duration=t.get("duration", 0.0),
                        evidence=t.get("evidence") or {},
                    )
                )
            report.exercises.append(ex)
        return report


def record_of(result: TestResult) -> dict:
    """One test as a JSON line, the worker-to-parent wire format."""
    return asdict(result)


def _num(x: float) -> float | int:
    return int(x) if float(x).is_integer() else round(x, 2)
