"""Reporters render one GradeReport; none computes a score of its own.

Helpers shared by the reporters: names, feedback text, and the hidden-test redaction that
learner-facing CI reports use.
"""

from __future__ import annotations

import copy
import re

from grading.results import ExerciseResult, GradeReport, TestResult

# Control characters (other than tab and newline) can break XML, terminals and Markdown;
# text that a submission influenced may contain them.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ufffe\uffff]")


def clean(text: str) -> str:
    return _CONTROL.sub("", text)


def num(x: float) -> float | int:
    """Scores as JSON numbers: 3 rather than 3.0."""
    return int(x) if float(x).is_integer() else round(x, 2)


def test_name(e: ExerciseResult, t: TestResult) -> str:
    return f"{e.id} › {t.name}"


def feedback(t: TestResult) -> str:
    """What a learner reads for a test: the message, then the declared hint if not already in it."""
    text = t.message.strip()
    if not t.passed and t.hint and "Hint:" not in text:
        text = f"{text}\nHint: {t.hint}" if text else f"Hint: {t.hint}"
    return clean(text)


def redact_hidden(report: GradeReport) -> GradeReport:
    """A copy in which hidden tests show only their task, status and hint.

    Learner-facing CI output (a GitHub Actions log, a step summary) would otherwise spell
    out what the hidden graders probe. Scores are untouched: only names and messages change.
    """
    redacted = copy.deepcopy(report)
    for e in redacted.exercises:
        n = 0
        for t in e.tests:
            if t.visibility == "hidden":
                n += 1
                t.name = f"hidden test {n} (task {t.task})"
                t.message = "" if t.passed else "A hidden test failed: it checks the same task harder."
                t.evidence = {}
    return redacted
