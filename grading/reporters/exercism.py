"""Exercism's test-runner results.json, version 3 (exercism/docs,
building/tooling/test-runners/interface.md).

``{"version": 3, "status": "pass" | "fail" | "error", "message": <when error>,
"tests": [{"name", "status", "message", "output", "test_code", "task_id"}]}``: tests in the
order they were graded; ``task_id`` is the task of the exercise's README the test checks;
``output`` (what the submission printed, for an exercise that broke) is capped at 500
characters as the specification requires. Skipped tests count neither for nor against and
are left out.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from grading.reporters import Format, clean, feedback, num, test_name
from grading.results import GradeReport

FORMAT = Format("--exercism", "write Exercism's test-runner results.json (version 3)", shows_hidden=False)

STATUS = {"passed": "pass", "failed": "fail", "error": "error", "timeout": "error"}
OUTPUT_LIMIT = 500
TRUNCATED = "\nOutput was truncated. Please limit to 500 chars"


def capped(text: str) -> str:
    """The specification's limit on a test's output, with its truncation message."""
    if len(text) <= OUTPUT_LIMIT:
        return text
    return text[:OUTPUT_LIMIT - len(TRUNCATED)] + TRUNCATED


def payload(report: GradeReport) -> dict:
    tests = []
    for e, t in report.tests():
        if t.status == "skipped":
            continue
        entry = {
            "name": test_name(e, t),
            "status": STATUS[t.status],
            "message": feedback(t) or None,
            "test_code": f"{e.id}: task {t.task}, worth {num(t.counted_max)} point(s)",
            "task_id": t.task,
        }
        if e.problem and e.output:
            entry["output"] = capped(clean(e.output))
        tests.append(entry)
    problems = [f"{e.id}: {clean(e.problem)}" for e in report.exercises if e.problem]
    if report.all_passed:
        status = "pass"
    elif not tests or all(t["status"] == "error" for t in tests):
        status = "error"  # nothing ran cleanly: the message says why
    else:
        status = "fail"
    data: dict = {"version": 3, "status": status}
    if status == "error":
        data["message"] = "\n".join(problems) or "No test could run: every graded test ended in an error."
    data["tests"] = tests
    return data


def write(report: GradeReport, dest: Path, warnings: Sequence[str] = ()) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(json.dumps(payload(report), indent=2) + "\n", encoding="utf-8")
