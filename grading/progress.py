"""A learner's progress across the exercises, kept between runs in a git-ignored file.

``nox -s watch`` and ``nox -s grade`` (of the learner's own exercises/) record each
exercise's latest points here, so the next watch opens where the learner left off and a
grade ends with one line: how far along, and what to do next.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from grading.results import GradeReport
from grading.target import KIT_ROOT

PROGRESS = KIT_ROOT / ".progress.json"


def load(path: Path = PROGRESS) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"current": "", "scores": {}}
    if not isinstance(data, dict) or not isinstance(data.get("scores"), dict):
        return {"current": "", "scores": {}}
    return data


def save(data: dict, path: Path = PROGRESS) -> None:
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only checkout: progress is a convenience, never a reason to fail


def note(data: dict, exercise: str, score: float, max_score: float) -> None:
    if max_score > 0:
        data.setdefault("scores", {})[exercise] = [score, max_score]


def record(report: GradeReport, path: Path = PROGRESS) -> dict:
    data = load(path)
    for e in report.exercises:
        note(data, e.id, e.score, e.max_score)
    save(data, path)
    return data


def full(data: dict, exercise: str) -> bool:
    score, max_score = (data.get("scores", {}).get(exercise) or (0, 0))[:2]
    return max_score > 0 and score >= max_score


def next_exercise(data: dict, ids: list[str], after: str = "") -> str | None:
    """The first exercise not at full marks (after ``after`` first, then from the start)."""
    later = [i for i in ids if i > after] if after else ids
    for i in [*later, *ids]:
        if not full(data, i):
            return i
    return None


def bar(data: dict, ids: list[str]) -> str:
    """One character per exercise: █ full marks, ▒ some points, · none or not graded yet."""
    out = []
    for i in ids:
        score, _max = (data.get("scores", {}).get(i) or (0, 0))[:2]
        out.append("█" if full(data, i) else ("▒" if score > 0 else "·"))
    return "".join(out)


def line(data: dict, ids: list[str]) -> str:
    done = sum(full(data, i) for i in ids)
    nxt = next_exercise(data, ids)
    tail = f"next: {nxt}" if nxt else "all done"
    return f"Progress {bar(data, ids)} {done}/{len(ids)} full · {tail}"


def after_grade(report: GradeReport, target: Path, ids: list[str], kit: Path = KIT_ROOT,
                keep: bool | None = None) -> str:
    """Say where a learner stands after a grade of their own exercises/ ("" for another
    target), and keep it for the next watch when a learner is at a terminal (``keep``):
    CI runs and the kit's own tests leave no file behind."""
    if target.resolve() != (kit / "exercises").resolve():
        return ""
    keep = sys.stdout.isatty() if keep is None else keep
    path = kit / ".progress.json"
    if keep:
        return line(record(report, path), ids)
    data = load(path)
    for e in report.exercises:
        note(data, e.id, e.score, e.max_score)
    return line(data, ids)
