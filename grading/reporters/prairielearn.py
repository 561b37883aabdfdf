"""PrairieLearn's external-grader results.json (PrairieLearn docs, externalGrading.md).

``{"gradable", "score": <0..1>, "message", "output", "tests": [{"name", "description",
"points", "max_points", "message", "output"}]}``, as ``<pl-external-grader-results>``
renders it. ``gradable`` is false only when nothing could be graded at all (then no attempt
is counted against the learner); a submission that crashes is graded, at zero. Skipped
tests count neither for nor against and are left out, named in the top-level output.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from grading.reporters import Format, clean, feedback, num, test_name
from grading.results import GradeReport

FORMAT = Format("--prairielearn", "write PrairieLearn's external-grader results.json", shows_hidden=False)


def payload(report: GradeReport) -> dict:
    tests = []
    notes = []
    for e, t in report.tests():
        if t.status == "skipped":
            notes.append(f"{test_name(e, t)} was skipped ({clean(t.message)}): it counts neither for nor against.")
            continue
        tests.append({
            "name": test_name(e, t),
            "description": f"Task {t.task} of {e.id}. {clean(t.hint)}".strip(),
            "points": num(t.score),
            "max_points": num(t.counted_max),
            "message": feedback(t),
            "output": clean(e.output) if e.problem else "",
        })
    notes += [f"{e.id}: {clean(e.problem)}" for e in report.exercises if e.problem]
    total = f"Total: {num(report.score)}/{num(report.max_score)}"
    if not tests:
        return {"gradable": False, "score": 0, "message": "Nothing could be graded.",
                "format_errors": notes or ["no graded test ran"], "output": "\n".join(notes), "tests": []}
    score = report.score / report.max_score if report.max_score else 0.0
    return {
        "gradable": True,
        "score": round(min(1.0, max(0.0, score)), 4),
        "message": total,
        "output": "\n".join([total, *notes]),
        "tests": tests,
    }


def write(report: GradeReport, dest: Path, warnings: Sequence[str] = ()) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(json.dumps(payload(report), indent=2) + "\n", encoding="utf-8")
