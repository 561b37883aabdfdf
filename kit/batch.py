"""Grade several labelled folders into JSON files, one per label (the corpus tests use it).

    python -m kit.batch --results DIR [--jobs N] [--exercise 04 ...] LABEL=PATH ...

writes DIR/LABEL.json (the same JSON as `grade --json`) for each submission.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from grading.isolation import DEFAULT_JOBS, EXERCISE_TIME_LIMIT
from grading.reporters import json_report
from grading.run import grade_many
from grading.target import TargetError


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m kit.batch")
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
