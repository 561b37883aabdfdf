"""Gradescope's results.json: one entry per test, hidden tests marked hidden.

Skipped tests (say, no browser on the grading machine) count neither for nor against, so
they are left out of the tests and named in the top-level output instead.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from grading.reporters import Format, clean, feedback, num, test_name
from grading.results import GradeReport

# Gradescope hides hidden tests from learners itself: they stay in the file, marked hidden.
FORMAT = Format("--gradescope", "write Gradescope's results.json", shows_hidden=True)

VISIBILITY = {"public": "visible", "hidden": "hidden"}


def payload(report: GradeReport) -> dict:
    tests: list[dict] = []
    notes: list[str] = []
    for e in report.exercises:
        for t in e.tests:
            if t.status == "skipped":
                notes.append(f"{test_name(e, t)} was skipped ({clean(t.message)}): it counts neither for nor against.")
                continue
            tests.append({
                "name": test_name(e, t),
                "score": num(t.score),
                "max_score": num(t.counted_max),
                "status": "passed" if t.passed else "failed",
                "output": feedback(t),
                "visibility": VISIBILITY[t.visibility],
            })
        if e.problem:
            notes.append(f"{e.id}: {clean(e.problem)}")
    summary = f"Total: {num(report.score)}/{num(report.max_score)}"
    return {
        "score": num(report.score),
        "output": "\n".join([summary, *notes]),
        "output_format": "text",
        "test_output_format": "text",
        "execution_time": round(report.duration),
        "tests": tests,
    }


def failure_payload(reason: str) -> dict:
    """What Gradescope gets when grading could not run at all: zero, and why."""
    return {"score": 0, "output": f"Grading could not run: {clean(reason)}", "output_format": "text", "tests": []}


def write_failure(reason: str, dest: Path) -> None:
    write_payload(failure_payload(reason), dest)


def write(report: GradeReport, dest: Path, warnings: Sequence[str] = ()) -> None:
    write_payload(payload(report), dest)


def write_payload(data: dict, path: Path) -> None:
    """Write a payload (a report's, or :func:`failure_payload`'s): written whole and then
    renamed, so a half-written file is never read as results."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".results-")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=2)
        f.write("\n")
    os.replace(tmp, path)
