"""`python -m grading`: grade a target folder and report.

Exit status: 0 when every graded test passed, 1 when some failed, 2 (with a one-line
reason on stderr) when grading could not run at all.

Reports (any combination): one option per format in grading.reporters (see
:func:`grading.reporters.formats`). All are rendered by the parent process from the results
model after every worker has ended, so nothing a submission prints reaches them.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import sys
from collections.abc import Iterator
from pathlib import Path

from grading import progress
from grading.integrity import edited_graders
from grading.isolation import DEFAULT_JOBS, EXERCISE_TIME_LIMIT, TEST_TIMEOUT

# Imported before any submission runs: a submission cannot swap the code that reports on it.
from grading.reporters import formats, redact_hidden
from grading.reporters.terminal import TerminalReporter
from grading.results import GradeReport
from grading.run import grade_many
from grading.target import KIT_ROOT, TargetError, exercise_ids, resolve_target, select
from grading.workers import BACKENDS

# Files through which a GitHub Actions step talks to the runner. Graded code must not see
# their names: it could otherwise append its own `result=` to the step's output.
GITHUB_FILES = ("GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY", "GITHUB_ENV", "GITHUB_PATH", "GITHUB_STATE")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="nox -s grade --", description="Grade FastAPI async exercises.")
    p.add_argument("exercises", nargs="*", help="exercises to grade, e.g. 04 or 04_concurrent_calls (default: all)")
    p.add_argument("--target", default="exercises",
                   help="folder with the NN_slug/ exercises: exercises (default), reference, or a path")
    p.add_argument("--graders", default=str(KIT_ROOT / "graders"), help=argparse.SUPPRESS)
    p.add_argument("--jobs", type=int, default=DEFAULT_JOBS,
                   help="exercises graded at once (default: %(default)s)")
    p.add_argument("--time-limit", type=float, default=EXERCISE_TIME_LIMIT,
                   help="seconds one exercise may take before it is stopped (default: %(default)s)")
    p.add_argument("--backend", choices=BACKENDS, default=None,
                   help="how workers start: fork (Linux) or spawn (default: fork where safe, else spawn; "
                   "or $GRADING_BACKEND)")
    p.add_argument("--test-timeout", type=float, default=TEST_TIMEOUT, help=argparse.SUPPRESS)
    p.add_argument("--public-only", action="store_true", help="skip hidden graders")
    p.add_argument("--verbose", "-v", action="store_true", help="show every failing test's feedback")
    p.add_argument("--quiet", "-q", action="store_true", help="print only the summary table")
    reports = p.add_argument_group("reports")
    for reporter in formats():
        fmt = reporter.format
        if fmt.env:
            reports.add_argument(fmt.flag, action="store_true", help=fmt.help)
        else:
            reports.add_argument(fmt.flag, type=Path, metavar="PATH", help=fmt.help)
    reports.add_argument("--hide-hidden", action="store_true",
                         help="hidden tests show only task, status and hint (for learner-facing CI output)")
    reports.add_argument("--check-graders", type=Path, metavar="REPO",
                         help="flag edits to REPO/graders/ against REPO/graders.sha256 (a student's copy)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    github = {name: os.environ.pop(name) for name in GITHUB_FILES if name in os.environ}
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
        for reporter in formats():
            fmt = reporter.format
            if fmt.env and getattr(args, fmt.dest) and fmt.env not in github:
                raise TargetError(f"{fmt.flag} needs ${fmt.env} (it is set inside a GitHub Actions step)")
    except TargetError as exc:
        print(f"grade: error: {exc}", file=sys.stderr)
        return 2

    warnings = check_graders(args.check_graders) if args.check_graders else []
    with workflow_commands_stopped():
        report = grade(target, graders, chosen, args)
    write_reports(report, args, github, warnings)
    return 0 if report.all_passed else 1


def check_graders(repo: Path) -> list[str]:
    warnings = [f"Graders edited: {line}. Grading used the instructor's graders; "
                "a local grade of this copy may not match." for line in edited_graders(repo)]
    for w in warnings:
        # A GitHub annotation when in Actions (before workflow commands are stopped), else plain.
        prefix = "::error title=Graders edited::" if os.environ.get("GITHUB_ACTIONS") == "true" else "grade: "
        print(prefix + w, file=sys.stderr)
    return warnings


@contextlib.contextmanager
def workflow_commands_stopped() -> Iterator[None]:
    """In GitHub Actions, ignore `::command::` lines while grading prints learner-influenced text.

    Feedback can quote what a submission returned; a quoted `::set-output ...` must stay text.
    """
    if os.environ.get("GITHUB_ACTIONS") != "true":
        yield
        return
    token = secrets.token_hex(16)
    print(f"::stop-commands::{token}", flush=True)
    try:
        yield
    finally:
        print(f"::{token}::", flush=True)


def write_reports(report: GradeReport, args: argparse.Namespace, github: dict[str, str],
                  warnings: list[str]) -> None:
    """Every requested report, from the one results model; learner-facing formats get hidden
    tests redacted under --hide-hidden."""
    shown = redact_hidden(report) if args.hide_hidden else report
    for reporter in formats():
        fmt = reporter.format
        requested = getattr(args, fmt.dest)
        if not requested:
            continue
        dest = Path(github[fmt.env]) if fmt.env else requested
        reporter.write(report if fmt.shows_hidden else shown, dest, warnings)


def grade(target: Path, graders: Path, chosen: list[str], args: argparse.Namespace) -> GradeReport:
    reporter = TerminalReporter(verbose=args.verbose)
    quiet = args.quiet
    report = grade_many({"": target}, chosen, graders=graders, parallel=args.jobs, time_limit=args.time_limit,
                        test_timeout=args.test_timeout, include_hidden=not args.public_only, backend=args.backend,
                        on_start=None if quiet else (lambda job: reporter.started(job.exercise)),
                        on_done=None if quiet else (lambda job, result: reporter.finished(result)))[""]
    reporter.summary(redact_hidden(report) if args.hide_hidden else report)
    if not quiet and (where := progress.after_grade(report, target, exercise_ids(graders))):
        reporter.console.print(where)
    return report
