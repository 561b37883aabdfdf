"""The kit's own JSON: {"score", "max_score", "exercises": [{"id", ..., "tests": [...]}]}."""

from __future__ import annotations

import json
from pathlib import Path

from grading.results import GradeReport


def write(report: GradeReport, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report.to_dict(), indent=2) + "\n", encoding="utf-8")
