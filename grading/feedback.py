"""Turning what a grader saw into words a learner can act on.

Graders raise :class:`Feedback` (via :func:`fail`) with what they observed and what they
expected. Anything else that escapes a test is explained here too, by pointing at the
learner's own line rather than dumping a traceback.
"""

from __future__ import annotations

import traceback
from pathlib import Path

from grading.probes.frames import place, relative, resolved


class Feedback(AssertionError):
    """A grader's verdict: observed vs expected, plus an optional extra hint."""

    def __init__(self, observed: str, expected: str, hint: str = "", details: str = "") -> None:
        self.observed = observed
        self.expected = expected
        self.hint = hint
        self.details = details
        super().__init__(self.render())

    def render(self) -> str:
        lines = [f"Observed: {self.observed}", f"Expected: {self.expected}"]
        if self.details:
            lines.append(self.details.rstrip())
        if self.hint:
            lines.append(f"Hint: {self.hint}")
        return "\n".join(lines)


def fail(observed: str, expected: str, hint: str = "", details: str = "") -> None:
    raise Feedback(observed, expected, hint, details)


def check(condition: object, observed: str, expected: str, hint: str = "", details: str = "") -> None:
    if not condition:
        raise Feedback(observed, expected, hint, details)


def where_in(exc: BaseException, roots: list[Path]) -> str:
    """The innermost frame of ``exc`` that lies in one of ``roots``: 'app.py, line 12, in f'."""
    resolved_roots = resolved(roots)
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        filename = str(Path(frame.filename).resolve())
        if relative(filename, resolved_roots) is not None:
            return place(filename, frame.lineno, frame.name, resolved_roots)
    return ""


def is_test_timeout(exc: BaseException) -> bool:
    """Whether pytest-timeout ended the test (it fails it with "Timeout >20.0s")."""
    return type(exc).__name__ == "Failed" and "Timeout" in str(exc)


def describe_exception(exc: BaseException, roots: list[Path]) -> str:
    """'KeyError: 'x' (app.py, line 12, in lookup)' — short, and anchored in the learner's code."""
    raw = str(exc)
    lines = [ln for ln in raw.strip().splitlines() if ln.strip()]
    text = f"{type(exc).__name__}: {lines[0] if lines else ''}".rstrip(": ")
    if len(lines) > 1 and len(lines[1]) < 200:
        text += f" {lines[1].strip()}"
    if len(text) > 300:
        text = text[:300] + "…"
    where = where_in(exc, roots)
    text = f"{text} ({where})" if where else text
    if "<coroutine object" in raw:
        text += " — a coroutine object reached FastAPI: a missing `await`?"
    return text


def explain(exc: BaseException, roots: list[Path], timeout: float | None = None) -> str:
    """The message for whatever ended a test."""
    if isinstance(exc, Feedback):
        return exc.render()
    text = str(exc)
    if is_test_timeout(exc):
        where = where_in(exc, roots)
        stuck = f", stuck at {where}" if where else ""
        return (
            f"Observed: the test did not finish within its time limit ({timeout or '?'} s){stuck}.\n"
            "Expected: every request to finish promptly.\n"
            "Something waits forever or blocks the event loop: look for a missing await, an "
            "infinite loop, or a blocking call inside async code."
        )
    if isinstance(exc, AssertionError):
        # A plain assert in a grader: keep pytest's first line, it names the values.
        first = text.strip().splitlines()[0] if text.strip() else "a check failed"
        return f"Check failed: {first}"
    if isinstance(exc, RecursionError):
        return f"Your code recursed without end: RecursionError ({where_in(exc, roots) or 'see your recursion'})."
    return f"Your code raised {describe_exception(exc, roots)}."
