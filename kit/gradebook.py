"""`nox -s gradebook -- DIR [EXERCISE ...]`: grade a whole class, and merge results into one gradebook.

DIR holds a folder or a .zip per student (DIR may itself be a .zip of those). Every
(student, exercise) pair is an isolated job with a time limit (``grading.run.grade_many``),
as many at once as there are cores plus one, so a submission that hangs or crashes costs its
own exercise only. ``--out`` (default ``DIR.gradebook/``) holds:

- ``results/<student>.json``: the source of truth, one per student: the same JSON as
  ``grade --json`` plus the submission's name and time, per-task points, and for each
  exercise when it was graded and with which graders (a digest);
- ``gradebook.csv``: a row per student (roster id, name, email), per exercise its points and
  percentage, a ``max points`` row, raw and penalised totals, notes; ``provenance.csv``: when
  and with which graders each cell was graded;
- ``pass_rates.csv`` (per test) and ``index.html`` (bars, worst first; a page per student);
- ``canvas.csv`` / ``moodle.csv`` with ``--export``.

Nothing is lost silently: re-grading some exercises (``DIR 04``) or some students (``--only
alice``) replaces those cells only and keeps every other one; a full run into a gradebook
that exists needs ``--force`` (the old files are kept in ``replaced-<time>/``). Files are
written to a temporary name and renamed, after grading ended: a crash or a kill leaves the
earlier gradebook as it was.

``python -m kit.gradebook merge RESULTS ... --out OUT`` builds the same gradebook from result
files graded elsewhere (the private repository's workflow grades each student in a job of
its own): it is the code that writes every local gradebook.

This module and the ones it imports from kit/ (roster, overview) ship in the private graders.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from kit.roster import Entry, LatePolicy, RosterError, label_of, submission_time
from kit.roster import read as read_roster

RESULTS = "results"
SETTINGS = "settings.json"
OUTPUTS = ("gradebook.csv", "provenance.csv", "pass_rates.csv", "index.html", "canvas.csv", "moodle.csv",
           SETTINGS, "students")
EXPORTS = ("canvas", "moodle")
DEFAULT_ASSIGNMENT = "FastAPI async exercises"


class GradebookError(Exception):
    """The gradebook cannot be written as asked; the message is one line."""


@dataclass
class Student:
    label: str
    source: Path  # the student's folder or zip, as handed in
    root: Path | None = None  # the folder holding their NN_slug/ folders
    notes: list[str] = field(default_factory=list)


def collect(folder: Path, scratch: Path, known: list[str]) -> list[Student]:
    """One Student per folder or .zip in ``folder``; zips are unpacked into ``scratch``."""
    from grading.submissions import SubmissionError, find_root, unzip

    students: list[Student] = []
    taken: set[str] = set()
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith(".") or entry.name in ("__MACOSX", "__pycache__"):
            continue
        is_zip = entry.is_file() and entry.suffix.lower() == ".zip"
        if not (entry.is_dir() or is_zip):
            continue
        base = label_of(entry.stem if is_zip else entry.name)
        label, n = base, 2
        while label in taken:
            label, n = f"{base}_{n}", n + 1
        taken.add(label)
        student = Student(label, entry)
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
    from grading.submissions import find_root

    while True:
        entries = [e for e in folder.iterdir() if not e.name.startswith(".") and e.name != "__MACOSX"]
        if len(entries) != 1 or not entries[0].is_dir() or find_root(entries[0], known, depth=1):
            return folder
        folder = entries[0]


# --- what produced a result ---------------------------------------------------------------

def tree_digest(folder: Path, keep=lambda rel: True) -> str:
    """sha256 over a folder's files (path and content), bytecode aside: which graders graded."""
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).as_posix()
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc" and keep(rel):
            h.update(rel.encode() + b"\0" + p.read_bytes() + b"\0")
    return "sha256:" + h.hexdigest()[:16]


def graders_digest(graders: Path, exercise: str, include_hidden: bool) -> str:
    hidden = ("hidden", "test_hidden")
    return tree_digest(graders / exercise,
                       lambda rel: include_hidden or not any(part.startswith(hidden) for part in rel.split("/")))


# --- records: one JSON per student --------------------------------------------------------

def _tasks(tests: list[dict]) -> list[dict]:
    tasks: dict[int, dict] = {}
    for t in tests:
        row = tasks.setdefault(t["task"], {"task": t["task"], "score": 0, "max_score": 0, "points": 0})
        row["score"] += t["score"]
        row["max_score"] += t["max_score"]
        row["points"] += t.get("points", t["max_score"])
    return [{k: _num(v) for k, v in row.items()} for _, row in sorted(tasks.items())]


def record_of(student: Student, report, graded_at: str, digests: dict[str, str], engine: str,
              duration: float, folder: Path) -> dict:
    """A student's result file: the report's JSON with who, when, per task, and by which graders."""
    from grading.reporters import json_report

    data = json_report.to_dict(report) if report is not None else {"score": 0, "max_score": 0, "exercises": []}
    declared = {(e.id, t.name): t.max_score for e, t in report.tests()} if report is not None else {}
    for e in data["exercises"]:
        for t in e["tests"]:
            t["points"] = _num(declared.get((e["id"], t["name"]), t["max_score"]))  # skipped tests too
        e["tasks"] = _tasks(e["tests"])
        e["graded_at"] = graded_at
        e["graders"] = digests[e["id"]]
        e["engine"] = engine
    submitted, how = submission_time(student.source)
    return {
        "student": student.label,
        "target": student.source.relative_to(folder).as_posix() if student.source.is_relative_to(folder)
        else student.source.name,
        "submitted": submitted.isoformat(timespec="seconds") if submitted else "",
        "submitted_from": how,
        "notes": list(student.notes),
        "score": data["score"],
        "max_score": data["max_score"],
        "duration": round(duration, 3),
        "exercises": data["exercises"],
    }


def merge_record(old: dict | None, new: dict) -> dict:
    """``new`` graded some exercises: they replace the old ones; every other one is kept as is."""
    if old is None:
        return new
    graded = {e["id"] for e in new["exercises"]}
    exercises = [e for e in old.get("exercises", []) if e["id"] not in graded] + new["exercises"]
    exercises.sort(key=lambda e: e["id"])
    merged = {**old, **{k: v for k, v in new.items() if k != "exercises"}, "exercises": exercises}
    merged["score"] = _num(sum(e["score"] for e in exercises))
    merged["max_score"] = _num(sum(e["max_score"] for e in exercises))
    return merged


def load_results(folders: list[Path]) -> dict[str, dict]:
    """Every ``*.json`` result in ``folders`` (recursively: CI artifacts), merged by student."""
    records: dict[str, dict] = {}
    for folder in folders:
        if not folder.is_dir():
            raise GradebookError(f"'{folder}' is not a folder of result files")
        for path in sorted(folder.rglob("*.json")):
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise GradebookError(f"'{path}' is not a result file ({exc})") from None
            if not isinstance(data, dict) or "exercises" not in data:
                continue
            label = data.setdefault("student", path.stem)
            records[label] = merge_record(records.get(label), data)
    return records


# --- the gradebook, from records ------------------------------------------------------------

@dataclass
class Settings:
    roster: str = ""
    deadline: str = ""
    late_penalty: str = ""
    late_cutoff: str = ""
    exports: list[str] = field(default_factory=list)
    assignment: str = DEFAULT_ASSIGNMENT

    def policy(self) -> LatePolicy | None:
        if not self.deadline:
            if self.late_penalty or self.late_cutoff:
                raise RosterError("--late-penalty and --late-cutoff need --deadline")
            return None
        return LatePolicy.parse(self.deadline, self.late_penalty or None, self.late_cutoff or None)


def _num(x: float) -> float | int:
    return int(x) if float(x).is_integer() else round(x, 2)


def _pct(score: float, top: float) -> str:
    return f"{100 * score / top:.1f}" if top else ""


def exercise_maxima(records: dict[str, dict]) -> dict[str, float]:
    """Per exercise, the points its graded tests are worth (declared, skipped tests included)."""
    top: dict[str, float] = {}
    for r in records.values():
        for e in r["exercises"]:
            top[e["id"]] = max(top.get(e["id"], 0), sum(t.get("points", t["max_score"]) for t in e["tests"]))
    return dict(sorted(top.items()))


@dataclass
class Row:
    label: str
    entry: Entry | None
    record: dict | None
    raw: float = 0.0
    total: float = 0.0
    late: int = 0
    kept: float = 1.0
    notes: list[str] = field(default_factory=list)


def rows_of(records: dict[str, dict], roster: dict[str, Entry] | None, policy: LatePolicy | None) -> list[Row]:
    labels = list(roster) + sorted(set(records) - set(roster)) if roster else sorted(records)
    rows = []
    for label in labels:
        rec = records.get(label)
        row = Row(label, (roster or {}).get(label), rec)
        if rec is None:
            row.notes.append("no submission")
        else:
            row.notes += rec.get("notes", [])
            row.notes += [f"{e['id']}: {e['problem']}" for e in rec["exercises"] if e.get("problem")]
            if roster is not None and label not in roster:
                row.notes.append("not on the roster")
            row.raw = sum(e["score"] for e in rec["exercises"])
            if policy is not None:
                submitted = datetime.fromisoformat(rec["submitted"]) if rec.get("submitted") else None
                row.late, row.kept = policy.apply(submitted)
                if row.late:
                    row.notes.append(f"late: {row.late} {'day' if policy.unit.days else 'hour'}(s), "
                                     f"{100 * (1 - row.kept):.0f}% off")
        row.total = row.raw * row.kept
        rows.append(row)
    return rows


def gradebook_csv(rows: list[Row], maxima: dict[str, float], policy: LatePolicy | None) -> str:
    exercises = list(maxima)
    header = ["student", "id", "name", "email", "submission", "submitted", "submitted_from"]
    for ex in exercises:
        header += [ex, f"{ex} %"]
    header += ["raw_total", "late", "total", "max", "percent", "notes"]
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(header)
    full = sum(maxima.values())
    w.writerow(["max points", "", "", "", "", policy.deadline.isoformat() if policy else "", "deadline" if policy
                else "", *[v for ex in exercises for v in (_num(maxima[ex]), "100.0")], _num(full), "",
                _num(full), _num(full), "100.0", ""])
    for row in rows:
        e_, rec = row.entry, row.record or {}
        by_id = {e["id"]: e for e in rec.get("exercises", [])}
        cells = []
        for ex in exercises:
            e = by_id.get(ex)
            # No submission, or nothing gradable in it: 0. An exercise not graded for this student: blank.
            cells += [_num(e["score"]), _pct(e["score"], e["max_score"])] if e else (["", ""] if by_id else
                                                                                     ["0", "0.0"])
        top = rec["max_score"] if by_id else full
        w.writerow([row.label, e_.id if e_ else "", e_.name if e_ else "", e_.email if e_ else "",
                    rec.get("target", ""), rec.get("submitted", ""), rec.get("submitted_from", ""), *cells,
                    _num(row.raw), row.late or "", _num(round(row.total, 2)), _num(top), _pct(row.total, top),
                    "; ".join(row.notes)])
    return out.getvalue()


def provenance_csv(records: dict[str, dict]) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["student", "exercise", "score", "max_score", "graded_at", "graders", "engine"])
    for label in sorted(records):
        for e in records[label]["exercises"]:
            w.writerow([label, e["id"], e["score"], e["max_score"], e.get("graded_at", ""), e.get("graders", ""),
                        e.get("engine", "")])
    return out.getvalue()


def pass_rates(records: dict[str, dict]) -> list[dict]:
    """Per test, across the class: passed / graded (skips aside), worst first."""
    rows: dict[tuple[str, str], dict] = {}
    for rec in records.values():
        for e in rec["exercises"]:
            for t in e["tests"]:
                if t["status"] == "skipped":
                    continue
                row = rows.setdefault((e["id"], t["name"]), {
                    "exercise": e["id"], "task": t["task"], "test": t["name"], "visibility": t["visibility"],
                    "points": t.get("points", t["max_score"]), "passed": 0, "graded": 0})
                row["graded"] += 1
                row["passed"] += t["status"] == "passed"
    for row in rows.values():
        row["pass_rate"] = round(row["passed"] / row["graded"], 3)
    return sorted(rows.values(), key=lambda r: (r["pass_rate"], r["exercise"], r["task"], r["test"]))


def weakest_ideas(records: dict[str, dict], at_least: int = 8) -> list[dict]:
    """Per (exercise, task), the share of students who passed all of its graded tests; the weakest,
    worst first, and every idea tied with the last one shown: a tie is never cut in two."""
    ideas: dict[tuple[str, int], dict] = {}
    for rec in records.values():
        for e in rec["exercises"]:
            by_task: dict[int, list[dict]] = {}
            for t in e["tests"]:
                if t["status"] != "skipped":
                    by_task.setdefault(t["task"], []).append(t)
            for task, tests in by_task.items():
                idea = ideas.setdefault((e["id"], task), {"exercise": e["id"], "task": task, "passed": 0,
                                                          "graded": 0, "tests": len(tests)})
                idea["graded"] += 1
                idea["passed"] += all(t["status"] == "passed" for t in tests)
    rows = sorted(ideas.values(), key=lambda r: (r["passed"] / r["graded"], r["exercise"], r["task"]))
    rows = [r for r in rows if r["passed"] < r["graded"]]
    if len(rows) <= at_least:
        return rows
    cut = rows[at_least - 1]["passed"] / rows[at_least - 1]["graded"]
    return [r for r in rows if r["passed"] / r["graded"] <= cut]


def canvas_csv(rows: list[Row], full: float, assignment: str) -> str:
    """Canvas's gradebook import CSV (Grades > Import).

    Columns Student, ID, SIS User ID, SIS Login ID, Section, then one column per assignment,
    and a second row whose first cell is "Points Possible" (as in Canvas's own Gradebook
    export, the file Canvas expects back). Canvas matches a row by ID, SIS User ID or SIS
    Login ID; Student, SIS Login ID, Section and the assignment name are required. See
    https://teaching.resources.osu.edu/toolsets/carmencanvas/guides/calculating-final-grades/import-csv-file-carmen-grades
    and https://ts.vcu.edu/askit/teaching-and-learning/canvas/faculty/grading-faculty/gradebook-action-menu-faculty/
    The roster's ``id`` is the SIS User ID; ``canvas_id``, ``sis_login_id`` (else the email) and
    ``section`` columns fill the others. Rows come from the roster only: a submission that is
    on no roster cannot be matched.
    """
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", assignment])
    w.writerow(["    Points Possible", "", "", "", "", _num(full)])
    for row in rows:
        if row.entry is None:
            continue
        e = row.entry
        w.writerow([e.name, e.extra.get("canvas_id", ""), e.id, e.extra.get("sis_login_id") or e.email,
                    e.extra.get("section", ""), _num(round(row.total, 2))])
    return out.getvalue()


def moodle_csv(rows: list[Row], assignment: str) -> str:
    """Moodle's CSV grade import (Grades > Import > CSV file).

    A header row, an identifier column and a column per grade item; on import, "Map from"
    picks the identifier column (Email address to useremail, or ID number to useridnumber)
    and the grade column is mapped to the grade item. See https://docs.moodle.org/311/en/Grade_import
    (emails are compared case-sensitively there). Rows come from the roster only.
    """
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["Email address", "ID number", assignment])
    for row in rows:
        if row.entry is not None:
            w.writerow([row.entry.email, row.entry.id, _num(round(row.total, 2))])
    return out.getvalue()


def build(records: dict[str, dict], settings: Settings) -> tuple[dict[str, str | bytes], list[str]]:
    """Every output file (relative path -> content) and the messages to print, from records."""
    roster = read_roster(Path(settings.roster)) if settings.roster else None
    policy = settings.policy()
    rows = rows_of(records, roster, policy)
    maxima = exercise_maxima(records)
    messages = []
    if roster is not None:
        absent = [label for label in roster if label not in records]
        unknown = sorted(set(records) - set(roster))
        if absent:
            messages.append(f"on the roster, no submission: {', '.join(absent)}")
        if unknown:
            messages.append(f"submitted, not on the roster: {', '.join(unknown)}")
    files: dict[str, str | bytes] = {
        "gradebook.csv": gradebook_csv(rows, maxima, policy),
        "provenance.csv": provenance_csv(records),
    }
    rates = pass_rates(records)
    out = io.StringIO()
    w = csv.DictWriter(out, ["exercise", "task", "test", "visibility", "points", "passed", "graded", "pass_rate"],
                       lineterminator="\n")
    w.writeheader()
    w.writerows(rates)
    files["pass_rates.csv"] = out.getvalue()
    for name in settings.exports:
        if roster is None:
            raise RosterError(f"--export {name} needs --roster (the LMS matches students by id or email)")
        files[f"{name}.csv"] = (canvas_csv(rows, sum(maxima.values()), settings.assignment) if name == "canvas"
                                else moodle_csv(rows, settings.assignment))
    from kit import overview

    files.update(overview.pages(records, rows, rates, weakest_ideas(records)))
    files[SETTINGS] = json.dumps(settings.__dict__, indent=2) + "\n"
    return files, messages


def write_atomically(out: Path, records: dict[str, dict] | None, files: dict[str, str | bytes],
                     replace_all: bool = False) -> None:
    """Write every file under a temporary name in ``out``, then rename each into place.

    A crash or a kill before the renames leaves the earlier gradebook as it was. ``records``
    (the student results) are written first, the gradebook files from them last. With
    ``replace_all``, the earlier gradebook is moved to ``replaced-<time>/`` first.
    """
    out.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".writing-", dir=out))
    try:
        staged: list[tuple[Path, Path]] = []
        for label, rec in (records or {}).items():
            staged.append((stage / RESULTS / f"{label}.json", out / RESULTS / f"{label}.json"))
            staged[-1][0].parent.mkdir(parents=True, exist_ok=True)
            staged[-1][0].write_text(json.dumps(rec, indent=2) + "\n", encoding="utf-8")
        for rel, content in files.items():
            src = stage / rel
            src.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                src.write_bytes(content)
            else:
                src.write_text(content, encoding="utf-8")
            staged.append((src, out / rel))
        if replace_all:
            backup = out / f"replaced-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}"
            for name in (RESULTS, *OUTPUTS):
                if (out / name).exists():
                    backup.mkdir(exist_ok=True)
                    os.replace(out / name, backup / name)
        for src, dest in staged:
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.replace(src, dest)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def existing_results(out: Path) -> dict[str, dict]:
    return load_results([out / RESULTS]) if (out / RESULTS).is_dir() else {}


def settings_of(args: argparse.Namespace, out: Path) -> Settings:
    """This run's settings: those given, else those the gradebook was last written with."""
    old = Settings()
    if (out / SETTINGS).is_file():
        try:
            old = Settings(**json.loads((out / SETTINGS).read_text(encoding="utf-8")))
        except (ValueError, TypeError):
            pass
    roster = str(args.roster.resolve()) if args.roster else old.roster
    return Settings(
        roster=roster,
        deadline=args.deadline if args.deadline is not None else old.deadline,
        late_penalty=args.late_penalty if args.late_penalty is not None else old.late_penalty,
        late_cutoff=args.late_cutoff if args.late_cutoff is not None else old.late_cutoff,
        exports=sorted(set(args.export)) if args.export else old.exports,
        assignment=args.assignment or old.assignment,
    )


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--roster", type=Path, help="CSV folder,id,name,email: names the rows, lists who is missing")
    p.add_argument("--export", action="append", choices=EXPORTS, default=[],
                   help="also write the CSV this LMS imports (canvas.csv, moodle.csv); needs --roster")
    p.add_argument("--assignment", help=f"the LMS's grade column (default: {DEFAULT_ASSIGNMENT!r})")
    p.add_argument("--deadline", help="e.g. 2026-12-15T23:59 (UTC unless an offset such as +01:00 is given)")
    p.add_argument("--late-penalty", help="e.g. 10%%/day or 5%%/hour (per started unit after the deadline)")
    p.add_argument("--late-cutoff", help="after this date and time a submission scores 0")


def _print_summary(console, out: Path, records: dict[str, dict], messages: list[str]) -> None:
    from rich.markup import escape
    from rich.table import Table

    ideas = weakest_ideas(records)
    if ideas:
        table = Table(title="Ideas the class passed least (exercise, task: every graded test of it passed)",
                      title_justify="left")
        for col in ("exercise", "task", "tests", "students who passed it"):
            table.add_column(col, justify="left" if col == "exercise" else "right")
        for r in ideas:
            table.add_row(r["exercise"], str(r["task"]), str(r["tests"]),
                          f"{r['passed']}/{r['graded']} ({r['passed'] / r['graded']:.0%})")
        console.print(table)
    for m in messages:
        console.print(f"[yellow]![/] {escape(m)}")
    console.print(f"Wrote {out / 'gradebook.csv'}, {out / 'index.html'}, {out / 'pass_rates.csv'} and "
                  f"{out / RESULTS}/ ({len(records)} student(s))")


def merge_main(argv: list[str]) -> int:
    from rich.console import Console

    p = argparse.ArgumentParser(prog="python -m kit.gradebook merge",
                                description="Merge result files (graded elsewhere) into a gradebook.")
    p.add_argument("results", type=Path, nargs="+", help="folders of results/<student>.json files")
    p.add_argument("--out", type=Path, required=True, help="the gradebook folder (merged into if it exists)")
    _common(p)
    args = p.parse_args(argv)
    out = args.out.resolve()
    try:
        records = existing_results(out)
        for label, rec in load_results([r.resolve() for r in args.results]).items():
            records[label] = merge_record(records.get(label), rec)
        if not records:
            raise GradebookError("no result file found")
        settings = settings_of(args, out)
        files, messages = build(records, settings)
    except (GradebookError, RosterError) as exc:
        print(f"gradebook merge: error: {exc}", file=sys.stderr)
        return 2
    write_atomically(out, records, files)
    _print_summary(Console(highlight=False), out, records, messages)
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["merge"]:
        return merge_main(argv[1:])

    from rich.console import Console
    from rich.markup import escape
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from grading.isolation import DEFAULT_JOBS, EXERCISE_TIME_LIMIT, Job
    from grading.reporters import num
    from grading.results import ExerciseResult
    from grading.run import grade_many
    from grading.submissions import SubmissionError, unzip
    from grading.target import KIT_ROOT, TargetError, exercise_ids, select
    from grading.workers import BACKENDS

    p = argparse.ArgumentParser(prog="nox -s gradebook --", description="Grade every submission in a folder.",
                                epilog="`python -m kit.gradebook merge RESULTS... --out OUT` merges result files.")
    p.add_argument("submissions", type=Path, help="a folder with a folder or .zip per student, or a .zip of those")
    p.add_argument("exercises", nargs="*", help="exercises to grade (default: all); merged into an existing --out")
    p.add_argument("--out", type=Path, help="where to write (default: DIR.gradebook next to DIR)")
    p.add_argument("--only", action="append", default=[], metavar="STUDENT",
                   help="grade only this student (folder name or roster id; repeatable), merged into --out "
                        "(the exercises the gradebook has, unless named)")
    p.add_argument("--force", action="store_true", help="a full run replaces an existing gradebook in --out")
    p.add_argument("--jobs", type=int, default=DEFAULT_JOBS, help="jobs at once (default: %(default)s)")
    p.add_argument("--time-limit", type=float, default=EXERCISE_TIME_LIMIT,
                   help="seconds one exercise of one student may take (default: %(default)s)")
    p.add_argument("--public-only", action="store_true", help="skip hidden graders")
    p.add_argument("--backend", choices=BACKENDS, default=None, help="fork or spawn workers (default: for this OS)")
    _common(p)
    args = p.parse_intermixed_args(argv)
    console = Console(highlight=False)
    source = args.submissions.resolve()
    graders = KIT_ROOT / "graders"
    scratch = Path(tempfile.mkdtemp(prefix="gradebook-"))
    try:
        known = exercise_ids(graders)
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
        settings = settings_of(args, out)
        roster = read_roster(Path(settings.roster)) if settings.roster else None
        settings.policy()  # a bad late policy is refused before grading, not after
        students = collect(folder, scratch, known)
        if args.only:
            ids = {e.id: label for label, e in (roster or {}).items()}
            wanted = {ids.get(o, label_of(o)) for o in args.only}
            unknown = wanted - {s.label for s in students}
            if unknown:
                raise TargetError(f"--only: no submission named {', '.join(sorted(unknown))}")
            students = [s for s in students if s.label in wanted]
        if not students:
            raise TargetError(f"no student folder or .zip in '{args.submissions}'")
        old = existing_results(out)
        full = not args.exercises and not args.only
        if args.only and not args.exercises and old:  # the cells the gradebook has, no new columns
            chosen = sorted({e["id"] for r in old.values() for e in r["exercises"]} & set(known)) or chosen
        if full and old and not args.force:
            raise GradebookError(
                f"'{out}' already holds a gradebook of {len(old)} student(s): re-grade some exercises "
                "(`DIR 04`) or students (`--only NAME`) to update those cells, or pass --force to replace it "
                "(the old files are kept in replaced-<time>/)")
    except (TargetError, SubmissionError, GradebookError, RosterError) as exc:
        shutil.rmtree(scratch, ignore_errors=True)
        print(f"gradebook: error: {exc}", file=sys.stderr)
        return 2

    graded = {s.label: s.root for s in students if s.root is not None}
    console.print(f"Grading {len(graded)} submission(s) × {len(chosen)} exercise(s), {args.jobs} at a time, "
                  f"{args.time_limit:g} s limit each" + ("" if full else f", merged into {out}"))
    graded_at = datetime.now(UTC).isoformat(timespec="seconds")
    digests = {ex: graders_digest(graders, ex, not args.public_only) for ex in chosen}
    engine = tree_digest(KIT_ROOT / "grading")
    started = time.monotonic()
    first: dict[str, float] = {}
    last: dict[str, float] = {}
    left = {label: len(chosen) for label in graded}
    # No refresh thread (auto_refresh): the pool refreshes the bar as it polls, so the
    # grading process stays single-threaded and may fork its workers.
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, auto_refresh=False) as progress:
        bar = progress.add_task("grading", total=len(graded) * len(chosen))
        partial: dict[str, float] = {}

        def on_start(job: Job) -> None:
            first.setdefault(job.label, time.monotonic())

        def on_done(job: Job, result: ExerciseResult) -> None:
            last[job.label] = time.monotonic()
            progress.advance(bar)
            partial[job.label] = partial.get(job.label, 0) + result.score
            left[job.label] -= 1
            if result.problem:
                progress.console.print(f"[yellow]![/] {escape(job.label)} {result.id}: {escape(result.problem)}")
            if left[job.label] == 0:
                progress.console.print(f"[green]✔[/] {escape(job.label)}: {num(partial[job.label])} points")

        drawn = [0.0]

        def on_tick() -> None:  # about ten frames a second
            if time.monotonic() - drawn[0] > 0.1:
                drawn[0] = time.monotonic()
                progress.refresh()

        try:
            reports = grade_many(graded, chosen, parallel=args.jobs, time_limit=args.time_limit,
                                 include_hidden=not args.public_only, on_start=on_start, on_done=on_done,
                                 backend=args.backend, on_tick=on_tick)
            new = {s.label: record_of(s, reports.get(s.label), graded_at, digests, engine,
                                      last.get(s.label, 0) - first.get(s.label, 0), folder) for s in students}
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    wall = time.monotonic() - started

    records = {} if full else dict(old)
    for label, rec in new.items():
        records[label] = rec if full else merge_record(old.get(label), rec)
    try:
        files, messages = build(records, settings)
    except RosterError as exc:
        print(f"gradebook: error: {exc}", file=sys.stderr)
        return 2
    write_atomically(out, records if full else {label: records[label] for label in new}, files,
                     replace_all=full and bool(old))
    _print_summary(console, out, records, messages)
    for s in students:
        if s.root is None:
            console.print(f"[red]‼[/] {escape(s.label)}: {escape('; '.join(s.notes))} (not graded)")
    console.print(f"Graded in {wall:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
