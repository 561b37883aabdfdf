"""Grading several submissions in one run: every (submission, exercise) pair is its own
isolated job, run a few at a time (longest first). The gradebook and the kit's corpus tests use this.

    python -m grading.batch --results DIR [--jobs N] [--exercise 04 ...] LABEL=PATH ...

writes DIR/LABEL.json (the same JSON as `grade --json`) for each submission.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

from grading.isolation import DEFAULT_JOBS, EXERCISE_TIME_LIMIT, TEST_TIMEOUT, Job, preload, run_jobs
from grading.reporters import json_report
from grading.results import ExerciseResult, GradeReport
from grading.target import KIT_ROOT, TargetError, exercise_ids, select


def grade_many(submissions: dict[str, Path], exercises: list[str] | None = None, *,
               graders: Path = KIT_ROOT / "graders", parallel: int = DEFAULT_JOBS,
               time_limit: float = EXERCISE_TIME_LIMIT, include_hidden: bool = True,
               present_only: bool = False,
               on_done: Callable[[Job, ExerciseResult], None] | None = None) -> dict[str, GradeReport]:
    chosen = select(exercise_ids(graders), exercises or [])
    reports = {label: GradeReport(target=str(path)) for label, path in submissions.items()}
    jobs = [Job(ex, graders / ex, path, time_limit, TEST_TIMEOUT, include_hidden, label=label)
            for label, path in submissions.items() for ex in chosen
            if not present_only or (path / ex).is_dir()]
    preload()
    order = {ex: i for i, ex in enumerate(chosen)}
    started = time.monotonic()
    for job, result in run_jobs(jobs, parallel):
        reports[job.label].exercises.append(result)
        if on_done:
            on_done(job, result)
    for report in reports.values():
        report.exercises.sort(key=lambda e: order[e.id])
        report.duration = time.monotonic() - started
    return reports


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m grading.batch")
    p.add_argument("submissions", nargs="+", metavar="LABEL=PATH")
    p.add_argument("--results", type=Path, required=True)
    p.add_argument("--exercise", action="append", default=[])
    p.add_argument("--jobs", type=int, default=DEFAULT_JOBS)
    p.add_argument("--time-limit", type=float, default=EXERCISE_TIME_LIMIT)
    p.add_argument("--present-only", action="store_true", help="grade only the exercises each folder has")
    args = p.parse_args(argv)
    try:
        subs = {}
        for item in args.submissions:
            label, _, path = item.partition("=")
            if not path or not Path(path).is_dir():
                raise TargetError(f"'{item}' is not LABEL=FOLDER")
            subs[label] = Path(path).resolve()
        reports = grade_many(subs, args.exercise, parallel=args.jobs, time_limit=args.time_limit,
                             present_only=args.present_only)
    except TargetError as exc:
        print(f"batch: error: {exc}", file=sys.stderr)
        return 2
    for label, report in reports.items():
        json_report.write(report, args.results / f"{label}.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
