"""The instructor's gradebook (kit/gradebook.py): nothing lost, right figures, roster and LMS
exports, deadlines, and the private repository's workflow merging to the same gradebook.

One class of four is graded once (exercises 01 and 09, the cheapest) and reused; re-grades
grade one exercise or one student only.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from kit import roster as roster_mod
from kit.gradebook import weakest_ideas

from conftest import KIT

EXERCISES = ("01", "09")
A, B = "01_coroutines", "09_async_dependencies"
DEADLINE = "2026-06-01T00:00+00:00"
ON_TIME = time.mktime((2026, 5, 30, 12, 0, 0, 0, 0, -1))
ROSTER = ("folder,id,name,email,repository,section\n"
          "ada,1001,\"Lovelace, Ada\",ada@example.edu,org/ex-ada,A\n"
          "bob,1002,\"Babbage, Bob\",bob@example.edu,org/ex-bob,A\n"
          "dave,1004,\"Davies, Dave\",dave@example.edu,org/ex-dave,B\n"
          "erin,1005,\"Eriksen, Erin\",erin@example.edu,org/ex-erin,B\n")
pytestmark = pytest.mark.timeout(900)  # whole gradebook runs, on a shared machine
TIME_LIMIT = "120"  # the machine is shared: a limit that only a hang reaches


def _python(*args: str, cwd: Path = KIT, timeout: float = 900) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "COLUMNS": "200"}
    env.pop("PYTHONPATH", None)
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)


def _touch_all(folder: Path, stamp: float) -> None:
    for p in folder.rglob("*"):
        os.utime(p, (stamp, stamp))


def _copy(src: Path, dest: Path) -> None:
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("__pycache__"))


def make_class(root: Path) -> Path:
    """ada: reference, a git repository committed 1.5 days late; bob: the skeleton under
    exercises/; cy: 01 right, 09 skeleton (not on the roster); dave: a zip of the reference."""
    klass = root / "class"
    for ex in (A, B):
        _copy(KIT / "reference" / ex, klass / "ada" / "exercises" / ex)
        _copy(KIT / "exercises" / ex, klass / "bob" / "exercises" / ex)
    _copy(KIT / "reference" / A, klass / "cy" / A)
    _copy(KIT / "exercises" / B, klass / "cy" / B)
    env = {**os.environ, "GIT_AUTHOR_DATE": "2026-06-02T12:00:00+00:00",
           "GIT_COMMITTER_DATE": "2026-06-02T12:00:00+00:00", "GIT_AUTHOR_NAME": "ada",
           "GIT_AUTHOR_EMAIL": "ada@example.edu", "GIT_COMMITTER_NAME": "ada", "GIT_COMMITTER_EMAIL": "a@e"}
    for cmd in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "done"]):
        subprocess.run(["git", *cmd], cwd=klass / "ada", env=env, check=True, capture_output=True)
    for name in ("bob", "cy"):
        _touch_all(klass / name, ON_TIME)
    with zipfile.ZipFile(klass / "dave.zip", "w") as zf:
        for ex in (A, B):
            for f in sorted((KIT / "reference" / ex).iterdir()):
                if f.is_file():
                    info = zipfile.ZipInfo(f"dave-main/{ex}/{f.name}", date_time=(2026, 5, 31, 10, 0, 0))
                    zf.writestr(info, f.read_bytes())
    (root / "roster.csv").write_text(ROSTER, encoding="utf-8")
    return klass


def gradebook(*args: str) -> subprocess.CompletedProcess:
    return _python("-m", "kit.gradebook", *args)


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("gradebook")
    klass = make_class(root)
    run = gradebook(str(klass), *EXERCISES, "--out", str(root / "book"), "--roster", str(root / "roster.csv"),
                    "--export", "canvas", "--export", "moodle", "--deadline", DEADLINE, "--late-penalty", "10%/day",
                    "--time-limit", TIME_LIMIT)
    assert run.returncode == 0, run.stdout + run.stderr
    (root / "stdout.txt").write_text(run.stdout, encoding="utf-8")
    return root / "book"


def _rows(book: Path) -> dict[str, dict]:
    return {r["student"]: r for r in csv.DictReader(open(book / "gradebook.csv", encoding="utf-8"))}


def _lines(book: Path) -> dict[str, str]:
    return {line.split(",", 1)[0]: line for line in (book / "gradebook.csv").read_text().splitlines()}


def _result(book: Path, label: str) -> dict:
    return json.loads((book / "results" / f"{label}.json").read_text())


def _copy_book(book: Path, dest: Path) -> Path:
    shutil.copytree(book.parent, dest, symlinks=True)
    return dest / "book"


# --- right figures ------------------------------------------------------------------------

def test_figures_per_student(book):
    rows = _rows(book)
    full = float(rows["max points"]["total"])
    assert float(rows["max points"][A]) + float(rows["max points"][B]) == full > 0
    assert float(rows["dave"]["total"]) == full and rows["dave"]["percent"] == "100.0"
    assert rows["dave"]["submission"] == "dave.zip" and _result(book, "dave")["target"] == "dave.zip"
    assert rows["dave"]["submitted_from"] == "newest file in the zip"
    assert float(rows["bob"]["total"]) == 0 and rows["bob"][f"{A} %"] == "0.0"
    assert float(rows["cy"][A]) == float(rows["max points"][A]) and float(rows["cy"][B]) == 0
    # ada: a git repository whose last commit is 1.5 days late: 2 started days, 20% off.
    ada = rows["ada"]
    assert ada["submitted_from"] == "last git commit" and ada["submitted"].startswith("2026-06-02T12:00")
    assert float(ada["raw_total"]) == full and ada["late"] == "2"
    assert float(ada["total"]) == pytest.approx(0.8 * full) and "late: 2 day(s), 20% off" in ada["notes"]
    assert rows["erin"]["notes"] == "no submission" and float(rows["erin"]["total"]) == 0
    assert "not on the roster" in rows["cy"]["notes"] and rows["ada"]["name"] == "Lovelace, Ada"
    # Durations are each student's own, not the batch's.
    durations = {label: _result(book, label)["duration"] for label in ("ada", "bob", "cy", "dave")}
    assert all(d > 0 for d in durations.values()) and len(set(durations.values())) > 1
    # Per-task points, and which graders graded each exercise.
    ex = _result(book, "ada")["exercises"][0]
    assert sum(t["score"] for t in ex["tasks"]) == ex["score"] and {t["task"] for t in ex["tasks"]} >= {1, 2}
    assert ex["graders"].startswith("sha256:") and ex["graded_at"].endswith("+00:00")
    prov = list(csv.DictReader(open(book / "provenance.csv", encoding="utf-8")))
    assert {(p["student"], p["exercise"]) for p in prov} == {(s, e) for s in ("ada", "bob", "cy", "dave")
                                                             for e in (A, B)}


def test_roster_reports_who_is_missing_and_who_is_unknown(book):
    out = (book.parent / "stdout.txt").read_text()
    assert "on the roster, no submission: erin" in out and "submitted, not on the roster: cy" in out


def test_canvas_export_matches_canvas_gradebook_import_format(book):
    rows = list(csv.reader(open(book / "canvas.csv", encoding="utf-8")))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "FastAPI async exercises"]
    assert rows[1][0].strip() == "Points Possible" and rows[1][1:5] == ["", "", "", ""]
    full = float(_rows(book)["max points"]["total"])
    assert float(rows[1][5]) == full
    students = {r[2]: r for r in rows[2:]}
    assert sorted(students) == ["1001", "1002", "1004", "1005"]  # the roster of 4, cy (no roster entry) left out
    assert students["1001"][0] == "Lovelace, Ada" and students["1001"][3] == "ada@example.edu"
    assert students["1001"][4] == "A" and float(students["1001"][5]) == pytest.approx(0.8 * full)
    assert float(students["1004"][5]) == full and float(students["1005"][5]) == 0
    assert all(len(r) == 6 for r in rows)


def test_moodle_export_matches_moodle_csv_grade_import(book):
    rows = list(csv.reader(open(book / "moodle.csv", encoding="utf-8")))
    assert rows[0] == ["Email address", "ID number", "FastAPI async exercises"]
    grades = {r[0]: float(r[2]) for r in rows[1:]}
    assert sorted(grades) == ["ada@example.edu", "bob@example.edu", "dave@example.edu", "erin@example.edu"]
    assert grades["bob@example.edu"] == 0 and grades["dave@example.edu"] > 0
    assert {r[1] for r in rows[1:]} == {"1001", "1002", "1004", "1005"}


def test_overview_page_is_offline_and_links_every_student(book):
    page = (book / "index.html").read_text()
    assert "<script" not in page and not re.findall(r'(?:src|href)="(?:https?:)?//', page)  # offline: no CDN
    for label in ("ada", "bob", "cy", "dave"):
        assert f'href="students/{label}.html"' in page and (book / "students" / f"{label}.html").is_file()
    rates = list(csv.DictReader(open(book / "pass_rates.csv", encoding="utf-8")))
    first = page.index("Pass rate per test")
    positions = [page.index(f"<td>{r['test']}</td>", first) for r in rates]
    assert positions == sorted(positions)  # worst first, as in pass_rates.csv


def test_weakest_ideas_never_cut_a_tie():
    def rec(passed: set[int]) -> dict:
        return {"exercises": [{"id": "01_x", "tests": [
            {"name": f"t{n}", "task": n, "status": "passed" if n in passed else "failed"} for n in range(1, 13)]}]}
    records = {"a": rec(set()), "b": rec({11, 12})}  # tasks 1-10 tie at 0/2; 11, 12 passed by one
    ideas = weakest_ideas(records, at_least=3)
    assert [(i["exercise"], i["task"]) for i in ideas] == [("01_x", n) for n in range(1, 11)]


# --- nothing lost ----------------------------------------------------------------------------

def test_full_rerun_into_an_existing_gradebook_needs_force(book, tmp_path):
    before = {p: p.read_bytes() for p in book.rglob("*") if p.is_file()}
    run = gradebook(str(book.parent / "class"), "--out", str(book))
    assert run.returncode == 2 and "--force" in run.stderr and "already holds a gradebook" in run.stderr
    assert {p: p.read_bytes() for p in book.rglob("*") if p.is_file()} == before


def test_regrading_one_exercise_changes_only_its_cells(book, tmp_path):
    copy = _copy_book(book, tmp_path / "b")
    klass = copy.parent / "class"
    shutil.rmtree(klass / "cy" / B)
    _copy(KIT / "reference" / B, klass / "cy" / B)  # cy fixed 09
    before_rows, before = _rows(copy), {label: _result(copy, label) for label in ("ada", "bob", "cy", "dave")}
    run = gradebook(str(klass), "09", "--out", str(copy), "--time-limit", TIME_LIMIT)  # settings are remembered
    assert run.returncode == 0, run.stdout + run.stderr
    rows = _rows(copy)
    assert float(rows["cy"][B]) == float(rows["max points"][B]) > float(before_rows["cy"][B])
    for label, row in rows.items():
        assert row[A] == before_rows[label][A] and row[f"{A} %"] == before_rows[label][f"{A} %"]
        if label != "cy":
            assert row == before_rows[label]
    for label, old in before.items():
        new = _result(copy, label)
        assert json.dumps(new["exercises"][0]) == json.dumps(old["exercises"][0])  # 01: byte-identical
        assert new["exercises"][1]["graded_at"] >= old["exercises"][1]["graded_at"]
    assert (copy / "canvas.csv").is_file() and "erin" in rows  # the roster and exports were remembered


def test_regrading_one_student_changes_only_their_row(book, tmp_path):
    copy = _copy_book(book, tmp_path / "b")
    klass = copy.parent / "class"
    shutil.rmtree(klass / "bob" / "exercises" / A)
    _copy(KIT / "reference" / A, klass / "bob" / "exercises" / A)
    _touch_all(klass / "bob", ON_TIME)
    before_lines, before_json = _lines(copy), {p.name: p.read_bytes() for p in (copy / "results").iterdir()}
    run = gradebook(str(klass), "--only", "bob", "--out", str(copy), "--time-limit", TIME_LIMIT)
    assert run.returncode == 0, run.stdout + run.stderr
    lines = _lines(copy)
    assert lines["bob"] != before_lines["bob"] and float(_rows(copy)["bob"][A]) > 0
    assert {k: v for k, v in lines.items() if k != "bob"} == {k: v for k, v in before_lines.items() if k != "bob"}
    after_json = {p.name: p.read_bytes() for p in (copy / "results").iterdir()}
    assert {k: v for k, v in after_json.items() if k != "bob.json"} == \
        {k: v for k, v in before_json.items() if k != "bob.json"}


def test_a_killed_run_leaves_the_previous_gradebook_intact(book, tmp_path):
    copy = _copy_book(book, tmp_path / "b")
    klass = copy.parent / "class"
    before = {p.relative_to(copy): p.read_bytes() for p in copy.rglob("*") if p.is_file()}
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "COLUMNS": "200"}
    env.pop("PYTHONPATH", None)
    proc = subprocess.Popen([sys.executable, "-m", "kit.gradebook", str(klass), "--out", str(copy), "--force",
                             "--time-limit", TIME_LIMIT], cwd=KIT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        seen = ""
        while "Grading" not in seen:
            line = proc.stdout.readline()
            assert line, f"gradebook ended before grading: {seen}"
            seen += line
        time.sleep(2)  # well into grading
        # kill -9 of the whole run: the gradebook, then its workers (each a process group of its own).
        workers = subprocess.run(["ps", "-o", "pid=", "--ppid", str(proc.pid)], capture_output=True, text=True)
        os.killpg(proc.pid, signal.SIGKILL)
        for pid in workers.stdout.split():
            try:
                os.killpg(int(pid), signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
    finally:
        proc.wait(30)
    after = {p.relative_to(copy): p.read_bytes() for p in copy.rglob("*") if p.is_file()}
    assert after == before


def test_merge_needs_result_files(tmp_path):
    run = gradebook("merge", str(tmp_path), "--out", str(tmp_path / "out"))
    assert run.returncode == 2 and "no result file" in run.stderr


def test_late_policy():
    policy = roster_mod.LatePolicy.parse("2026-12-15T23:59", "10%/day", "2026-12-20T00:00")
    t = roster_mod.parse_time
    assert policy.apply(t("2026-12-15T23:59")) == (0, 1.0)
    assert policy.apply(t("2026-12-16T00:00")) == (1, 0.9)
    assert policy.apply(t("2026-12-17T23:59")) == (2, 0.8)
    assert policy.apply(t("2026-12-20T00:01"))[1] == 0.0
    with pytest.raises(roster_mod.RosterError):
        roster_mod.LatePolicy.parse("2026-12-15", "ten percent", None)


# --- the private repository's workflow: one job per student, then the same merge -------------

def _steps(workflow: dict, job: str) -> dict[str, dict]:
    return {s.get("name", s.get("uses", "")): s for s in workflow["jobs"][job]["steps"]}


def _sh(command: str, workspace: Path, runner_temp: Path) -> str:
    """A workflow's `run` as this machine runs it: the workflow's venv python is this one."""
    venv = '"$RUNNER_TEMP/grading-venv/bin/python"'
    assert command.startswith(venv), command
    return shlex.quote(sys.executable) + command[len(venv):]


def test_private_workflow_merge_reproduces_the_local_gradebook(book, tmp_path):
    from ruamel.yaml import YAML

    out = tmp_path / "assign"
    assert _python("-m", "kit.assign", str(out), *EXERCISES).returncode == 0
    private = out / "private"
    assert {p.name for p in (private / "kit").iterdir()} >= {"gradebook.py", "roster.py", "overview.py"}
    (private / "roster.csv").write_text(ROSTER, encoding="utf-8")
    workflow = YAML(typ="safe").load((private / ".github/workflows/gradebook.yml").read_text())
    grade = _steps(workflow, "grade")["Grade"]
    merge = _steps(workflow, "merge")["Merge into the gradebook"]
    assert grade["working-directory"] == merge["working-directory"] == "graders-kit"
    matrix = _python("-m", "kit.roster", "matrix", "roster.csv", cwd=private)
    assert matrix.returncode == 0 and '"repository": "org/ex-ada"' in matrix.stdout and "count=4" in matrix.stdout

    klass = book.parent / "class"
    results = tmp_path / "artifacts"
    for entry in sorted(klass.iterdir()):  # one matrix job per student, each in a workspace of its own
        ws = tmp_path / "ws" / entry.stem
        (ws / "class").mkdir(parents=True)
        (shutil.copytree if entry.is_dir() else shutil.copy2)(entry, ws / "class" / entry.name)
        env = {**os.environ, "GITHUB_WORKSPACE": str(ws), "RUNNER_TEMP": str(ws), "EXERCISES": " ".join(EXERCISES)}
        env.pop("PYTHONPATH", None)
        proc = subprocess.run(["bash", "-c", _sh(grade["run"], ws, ws) + f" --time-limit {TIME_LIMIT}"],
                              cwd=private, env=env, capture_output=True, text=True, timeout=900)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        shutil.copytree(ws / "book" / "results", results / f"result-{entry.stem}", dirs_exist_ok=True)
    ws = tmp_path / "merge"
    env = {**os.environ, "GITHUB_WORKSPACE": str(ws), "RUNNER_TEMP": str(ws), "DEADLINE": DEADLINE,
           "LATE_PENALTY": "10%/day", "LATE_CUTOFF": "", "ASSIGNMENT": ""}
    env.pop("PYTHONPATH", None)
    command = _sh(merge["run"], ws, ws).replace('"$GITHUB_WORKSPACE/results"', shlex.quote(str(results)))
    proc = subprocess.run(["bash", "-c", command], cwd=private, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for name in ("gradebook.csv", "canvas.csv", "moodle.csv", "pass_rates.csv"):
        assert (ws / "gradebook" / name).read_text() == (book / name).read_text(), name


def test_roster_errors_are_one_line(tmp_path):
    bad = tmp_path / "r.csv"
    bad.write_text("folder,name\nada,Ada\n")
    with pytest.raises(roster_mod.RosterError, match="lacks the column"):
        roster_mod.read(bad)
    bad.write_text("folder,id,name,email\nada,1,A,a@e\nada,2,B,b@e\n")
    with pytest.raises(roster_mod.RosterError, match="twice"):
        roster_mod.read(bad)
