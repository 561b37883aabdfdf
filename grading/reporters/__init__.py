"""Reporters render one GradeReport; none computes a score of its own.

Each report format is one module here with a module-level ``FORMAT`` (its command-line
flag, help text, and whether it may show hidden tests) and the same writer::

    def write(report: GradeReport, dest: Path, warnings: Sequence[str] = ()) -> None

:func:`formats` finds them; ``grading.cli`` builds its options from that list and writes
every requested report through it. Adding a format is adding one file.

Helpers shared by the reporters: names, feedback text, and the hidden-test redaction that
learner-facing CI reports use.
"""

from __future__ import annotations

import copy
import functools
import importlib
import pkgutil
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from grading.results import ExerciseResult, GradeReport, TestResult


@dataclass(frozen=True)
class Format:
    """How a report format appears on the command line."""

    flag: str  # "--junit"
    help: str
    # False: a learner reads this report, so under --hide-hidden its hidden tests show only
    # task, status and hint. True: it keeps them whole (the kit's JSON; Gradescope hides them itself).
    shows_hidden: bool
    # Set when the report goes to the file an environment variable names (GitHub's
    # $GITHUB_OUTPUT): the flag then takes no PATH.
    env: str | None = None

    @property
    def dest(self) -> str:
        """The argparse attribute: "--junit" -> "junit"."""
        return self.flag.removeprefix("--").replace("-", "_")


@dataclass(frozen=True)
class Reporter:
    format: Format
    write: Callable[[GradeReport, Path, Sequence[str]], None]


@functools.cache
def formats() -> tuple[Reporter, ...]:
    """Every report format in this package, in the order of their flags. Imported once, by
    the command line before any submission runs: nothing graded can swap a reporter."""
    found = []
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        fmt = getattr(module, "FORMAT", None)
        if isinstance(fmt, Format):
            found.append(Reporter(fmt, module.write))
    return tuple(sorted(found, key=lambda r: r.format.flag))

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
