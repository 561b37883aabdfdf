"""What one run of the learner's suite gave, and which tests caught a mutant."""

from __future__ import annotations

from dataclasses import dataclass, field

BASELINE = "provided app"


@dataclass
class SuiteResult:
    label: str
    status: str  # "ran", "timeout", "crashed", "not built", "defect"
    outcomes: dict[str, str] = field(default_factory=dict)  # test id -> passed/failed/error/skipped
    messages: dict[str, str] = field(default_factory=dict)  # test id -> first line of its failure
    asserts: dict[str, int] = field(default_factory=dict)  # test id -> assertions it ran (passed or not)
    transports: dict[str, list[str]] = field(default_factory=dict)  # test id -> how it reached the app
    output: str = ""  # the run's last lines (collection errors...)
    duration: float = 0.0
    exit_code: int | None = None

    @property
    def passed(self) -> list[str]:
        return [t for t, o in self.outcomes.items() if o == "passed"]

    @property
    def failed(self) -> list[str]:
        return [t for t, o in self.outcomes.items() if o in ("failed", "error")]

    @property
    def asserting(self) -> list[str]:
        """Passing tests that ran at least one assertion: only these can catch a fault."""
        return [t for t in self.passed if self.asserts.get(t, 0) > 0]


def caught_by(baseline: SuiteResult, mutant: SuiteResult) -> list[str]:
    """Tests that pass on the provided app, asserting something, and fail on the mutant.

    A test that asserts nothing proves nothing, even when the mutant makes it crash."""
    good = set(baseline.asserting)
    return [t for t in mutant.failed if t in good]


def slug(label: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in label)
