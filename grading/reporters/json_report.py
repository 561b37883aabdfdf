"""The kit's own JSON: {"target", "score", "max_score", "duration", "exercises": [{"id", "score",
"max_score", "status", "problem", "duration", "tests": [{"name", "task", "score", "max_score",
"status", "visibility", "message", "hint", "duration", "evidence"?}]}]}; ``evidence`` (what
the probes recorded: upstream calls, loop lag, blocking calls) only where there is some.

The schema lives here: :func:`to_dict` writes it, :func:`from_dict` reads it back (the
gradebook's per-student files, the kit's tests).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from grading.reporters import Format, num
from grading.results import ExerciseResult, GradeReport, TestResult

FORMAT = Format("--json", "write the results as JSON", shows_hidden=True)


def to_dict(report: GradeReport) -> dict:
    return {
        "target": report.target,
        "score": num(report.score),
        "max_score": num(report.max_score),
        "duration": round(report.duration, 3),
        "exercises": [
            {
                "id": e.id,
                "score": num(e.score),
                "max_score": num(e.max_score),
                "status": e.status,
                "problem": e.problem,
                "duration": round(e.duration, 3),
                "tests": [
                    {
                        "name": t.name,
                        "task": t.task,
                        "score": num(t.score),
                        "max_score": num(t.counted_max),
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
            for e in report.exercises
        ],
    }


def from_dict(data: dict) -> GradeReport:
    report = GradeReport(target=data.get("target", ""), duration=data.get("duration", 0.0))
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


def write(report: GradeReport, dest: Path, warnings: Sequence[str] = ()) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(json.dumps(to_dict(report), indent=2) + "\n", encoding="utf-8")
