"""GitHub Classroom: the payload that classroom-resources/autograding-grading-reporter reads.

A grading step sets its output ``result`` to base64 of
``{"version": 3, "status", "max_score", "tests": [{"name", "status", "score", "message", ...}]}``;
the reporter step adds up the tests' scores against ``max_score`` and tells Classroom.
The output is appended to the file named by ``$GITHUB_OUTPUT``, never printed: a line a
submission prints cannot become the step's output. Skipped tests are left out, as they
count neither for nor against (``max_score`` leaves them out too).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from pathlib import Path

from grading.reporters import Format, feedback, num, test_name
from grading.results import GradeReport

FORMAT = Format("--classroom", "set the GitHub Classroom step output `result` (appended to $GITHUB_OUTPUT)",
                shows_hidden=False, env="GITHUB_OUTPUT")

STATUS = {"passed": "pass", "failed": "fail", "error": "error", "timeout": "error"}


def payload(report: GradeReport) -> dict:
    tests = [
        {
            "name": test_name(e, t),
            "status": STATUS[t.status],
            "score": num(t.score),
            "message": feedback(t),
            "test_code": f"task {t.task}, worth {num(t.counted_max)}",
            "filename": f"graders/{e.id}",
            "line_no": 0,
            "execution_time": f"{t.duration:.2f}s",
        }
        for e, t in report.tests()
        if t.status != "skipped"
    ]
    if report.all_passed:
        status = "pass"
    elif not tests:
        status = "error"  # nothing was graded at all
    else:
        status = "fail"
    return {"version": 3, "status": status, "max_score": num(report.max_score), "tests": tests}


def encode(data: dict) -> str:
    return base64.b64encode(json.dumps(data).encode()).decode("ascii")


def write(report: GradeReport, dest: Path, warnings: Sequence[str] = ()) -> None:
    """Append ``result=<base64>`` to the step's output file (``$GITHUB_OUTPUT``)."""
    with open(dest, "a", encoding="utf-8") as f:
        f.write(f"result={encode(payload(report))}\n")
