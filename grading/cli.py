"""`python -m grading`: grade a target folder and report.

Exit status: 0 when every graded test passed, 1 when some failed, 2 (with a one-line
reason on stderr) when grading could not run at all.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from grading.isolation import EXERCISE_TIME_LIMIT, TEST_TIMEOUT, Job, preload, run_jobs
from grading.results import GradeReport
from grading.target import KIT_ROOT, TargetError, exercise_ids, resolve_target, select


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="nox -s grade --", description="Grade FastAPI async exercises.")
    p.add_argument("exercises", nargs="*", help="exercises to grade, e.g. 04 or 04_concurrent_calls (default: all)")
    p.add_argument("--target", default="exercises",
                   help="folder with the NN_slug/ exercises: exercises (default), reference, or a path")
    p.add_argument("--graders", default=str(KIT_ROOT / "graders"), help=argparse.SUPPRESS)
    p.add_argument("--json", type=Path, metavar="PATH", help="write the results as JSON")
    p.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1),
                   help="exercises graded at once (default: %(default)s)")
    p.add_argument("--time-limit", type=float, default=EXERCISE_TIME_LIMIT,
                   help="seconds one exercise may take before it is stopped (default: %(default)s)")
    p.add_argument("--test-timeout", type=float, default=TEST_TIMEOUT, help=argparse.SUPPRESS)
    p.add_argument("--public-only", action="store_true", help="skip hidden graders")
    p.add_argument("--verbose", "-v", action="store_true", help="show every failing test's feedback")
    p.add_argument("--quiet", "-q", action="store_true", help="print only the summary table")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        graders = Path(args.graders).resolve()
        if not graders.is_dir():
            raise TargetError(f"graders folder '{graders}' does not exist")
        target = resolve_target(args.target)
        chosen = select(exercise_ids(graders), args.exercises)
        if not chosen:
            raise TargetError("there are no exercises to grade")
        if args.jobs < 1 or args.time_limit <= 0:
            raise TargetError("--jobs and --time-limit must be positive")
    except TargetError as exc:
        print(f"grade: error: {exc}", file=sys.stderr)
        return 2

    report = grade(target, graders, chosen, args)
    if args.json:
        from grading.reporters import json_report

        json_report.write(report, args.json)
    return 0 if report.all_passed else 1


def grade(target: Path, graders: Path, chosen: list[str], args: argparse.Namespace) -> GradeReport:
    from grading.reporters.terminal import TerminalReporter

    reporter = TerminalReporter(verbose=args.verbose)
    preload()
    jobs = [Job(ex, graders / ex, target, args.time_limit, args.test_timeout, not args.public_only) for ex in chosen]
    report = GradeReport(target=str(target))
    t0 = time.monotonic()
    on_start = None if args.quiet else (lambda job: reporter.started(job.exercise))
    results = {}
    # A missing NN_slug/ folder is graded too: each test then says the file is missing.
    for _, result in run_jobs(jobs, args.jobs, on_start=on_start):
        results[result.id] = result
        if not args.quiet:
            reporter.finished(result)
    report.exercises = [results[j.exercise] for j in jobs]
    report.duration = time.monotonic() - t0
    reporter.summary(report)
    return report

