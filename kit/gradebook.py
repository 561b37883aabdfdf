"""`nox -s gradebook -- DIR [EXERCISE ...]`: grade a whole class in one batch.

DIR holds a folder or a .zip per student (DIR may itself be a .zip of those). Every
(student, exercise) pair is an isolated job with a time limit (``batch.grade_many``), as
many at once as there are cores plus one, so a submission that hangs or crashes costs its own
exercise only. Writes, in ``--out`` (default ``DIR.gradebook/``):

- ``gradebook.csv``: one row per student, one column per exercise, the total, and notes;
- ``results/<student>.json``: the same JSON as ``grade --json``;
- ``pass_rates.csv``: per test, how many students passed it, so the idea the class
  missed stands out (the weakest tests are printed too).
"""

from __future__ import annotations

import argparse
import csv
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from grading.isolation import DEFAULT_JOBS, EXERCISE_TIME_LIMIT, Job
from grading.reporters import json_report, num
from grading.results import ExerciseResult, GradeReport
from grading.submissions import SubmissionError, find_root, unzip
from grading.target import KIT_ROOT, TargetError, exercise_ids, select
from grading.workers import BACKENDS


@dataclass
class Student:
    label: str
    source: Path  # the student's folder or zip, as handed in
    root: Path | None = None  # the folder holding their NN_slug/ folders
    notes: list[str] = field(default_factory=list)


def _label(name: str, taken: set[str]) -> str:
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "student"
    label, n = base, 2
    while label in taken:
        label, n = f"{base}_{n}", n + 1
    taken.add(label)
    return label


def collect(folder: Path, scratch: Path, known: list[str]) -> list[Student]:
    """One Student per folder or .zip in ``folder``; zips are unpacked into ``scratch``."""
    students: list[Student] = []
    taken: set[str] = set()
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith(".") or entry.name in ("__MACOSX", "__pycache__"):
            continue
        is_zip = entry.is_file() and entry.suffix.lower() == ".zip"
        if not (entry.is_dir() or is_zip):
            continue
        student = Student(_label(entry.stem if is_zip else entry.name, taken), entry)
        where = entry
        if is_zip:
            try:
                where = unzip(entry, scratch / student.label)
            except SubmissionError as exc:
                student.notes.append(str(exc))
                students.append(student)
                continue
        student.root = find_root(where, known)
        if student.root is None:
            student.notes.append("no exercise folders found")
        students.append(student)
    return students


def unwrap(folder: Path, known: list[str]) -> Path:
    """A class export often wraps every student in one folder (export/alice/...): step into it."""
    while True:
        entries = [e for e in folder.iterdir() if not e.name.startswith(".") and e.name != "__MACOSX"]
        if len(entries) != 1 or not entries[0].is_dir() or find_root(entries[0], known, depth=1):
            return folder
        folder = entries[0]


def write_gradebook(path: Path, students: list[Student], reports: dict[str, GradeReport], chosen: list[str]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["student", *chosen, "total", "max", "notes"])
        for s in students:
            report = reports.get(s.label)
            scores = {e.id: e.score for e in report.exercises} if report else {}
            notes = s.notes + ([f"{e.id}: {e.problem}" for e in report.exercises if e.problem] if report else [])
            w.writerow([s.label, *(num(scores.get(ex, 0)) for ex in chosen),
                        num(report.score if report else 0), num(report.max_score) if report else "",
                        "; ".join(notes)])


def pass_rates(reports: dict[str, GradeReport]) -> list[dict]:
    """Per test, across the class: passed / graded (skips aside), worst first."""
    rows: dict[tuple[str, str], dict] = {}
    for report in reports.values():
        for e, t in report.tests():
            if t.status == "skipped":
                continue
            row = rows.setdefault((e.id, t.name), {"exercise": e.id, "task": t.task, "test": t.name,
                                                   "visibility": t.visibility, "points": num(t.max_score),
                                                   "passed": 0, "graded": 0})
            row["graded"] += 1
            row["passed"] += t.passed
    for row in rows.values():
        row["pass_rate"] = round(row["passed"] / row["graded"], 3)
    return sorted(rows.values(), key=lambda r: (r["pass_rate"], r["exercise"], r["task"], r["test"]))


def main(argv: list[str] | None = None) -> int:
    from rich.console import Console
    from rich.markup import escape
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from grading.run import grade_many

    p = argparse.ArgumentParser(prog="nox -s gradebook --", description="Grade every submission in a folder.")
    p.add_argument("submissions", type=Path, help="a folder with a folder or .zip per student, or a .zip of those")
    p.add_argument("exercises", nargs="*", help="exercises to grade (default: all)")
    p.add_argument("--out", type=Path, help="where to write (default: DIR.gradebook next to DIR)")
    p.add_argument("--jobs", type=int, default=DEFAULT_JOBS, help="jobs at once (default: %(default)s)")
    p.add_argument("--time-limit", type=float, default=EXERCISE_TIME_LIMIT,
                   help="seconds one exercise of one student may take (default: %(default)s)")
    p.add_argument("--public-only", action="store_true", help="skip hidden graders")
    p.add_argument("--backend", choices=BACKENDS, default=None, help="fork or spawn workers (default: for this OS)")
    args = p.parse_args(argv)
    console = Console(highlight=False)
    source = args.submissions.resolve()
    scratch = Path(tempfile.mkdtemp(prefix="gradebook-"))
    try:
        known = exercise_ids(KIT_ROOT / "graders")
        chosen = select(known, args.exercises)
        if args.jobs < 1 or args.time_limit <= 0:
            raise TargetError("--jobs and --time-limit must be positive")
        if source.is_file() and source.suffix.lower() == ".zip":
            folder = unwrap(unzip(source, scratch / "_class"), known)
        elif source.is_dir():
            folder = source
        else:
            raise TargetError(f"'{args.submissions}' is neither a folder nor a .zip")
        out = (args.out or source.with_name(source.name.removesuffix(".zip") + ".gradebook")).resolve()
        if out == folder or out.is_relative_to(folder):
            raise TargetError("--out must not be inside the submissions folder")
        students = collect(folder, scratch, known)
        if not students:
            raise TargetError(f"no student folder or .zip in '{args.submissions}'")
    except (TargetError, SubmissionError) as exc:
        shutil.rmtree(scratch, ignore_errors=True)
        print(f"gradebook: error: {exc}", file=sys.stderr)
        return 2

    graded = {s.label: s.root for s in students if s.root is not None}
    console.print(f"Grading {len(graded)} submission(s) × {len(chosen)} exercise(s), {args.jobs} at a time, "
                  f"{args.time_limit:g} s limit each")
    started = time.monotonic()
    left = {label: len(chosen) for label in graded}
    # No refresh thread (auto_refresh): the pool refreshes the bar as it polls, so the
    # grading process stays single-threaded and may fork its workers.
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, auto_refresh=False) as progress:
        bar = progress.add_task("grading", total=len(graded) * len(chosen))
        partial: dict[str, float] = {}

        def on_done(job: Job, result: ExerciseResult) -> None:
            progress.advance(bar)
            partial[job.label] = partial.get(job.label, 0) + result.score
            left[job.label] -= 1
            if result.problem:
                progress.console.print(f"[yellow]![/] {escape(job.label)} {result.id}: {escape(result.problem)}")
            if left[job.label] == 0:
                progress.console.print(f"[green]✔[/] {escape(job.label)}: {num(partial[job.label])} points")

        last = [0.0]

        def on_tick() -> None:  # about ten frames a second
            if time.monotonic() - last[0] > 0.1:
                last[0] = time.monotonic()
                progress.refresh()

        try:
            reports = grade_many(graded, chosen, parallel=args.jobs, time_limit=args.time_limit,
                                 include_hidden=not args.public_only, on_done=on_done, backend=args.backend,
                                 on_tick=on_tick)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    wall = time.monotonic() - started

    (out / "results").mkdir(parents=True, exist_ok=True)
    for label, report in reports.items():
        json_report.write(report, out / "results" / f"{label}.json")
    write_gradebook(out / "gradebook.csv", students, reports, chosen)
    rates = pass_rates(reports)
    with open(out / "pass_rates.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, ["exercise", "task", "test", "visibility", "points", "passed", "graded", "pass_rate"])
        w.writeheader()
        w.writerows(rates)

    table = Table(title="Tests the class passed least", title_justify="left")
    for col in ("exercise", "task", "test", "passed"):
        table.add_column(col, justify="right" if col in ("task", "passed") else "left")
    for r in rates[:15]:
        table.add_row(r["exercise"], str(r["task"]), r["test"], f"{r['passed']}/{r['graded']} ({r['pass_rate']:.0%})")
    console.print(table)
    for s in students:
        if s.notes:
            console.print(f"[red]‼[/] {escape(s.label)}: {escape('; '.join(s.notes))} (not graded)")
    console.print(f"Wrote {out / 'gradebook.csv'}, {out / 'pass_rates.csv'} and {out / 'results'}/ "
                  f"({len(students)} student(s), {wall:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
