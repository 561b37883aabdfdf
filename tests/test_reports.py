"""Report formats: Gradescope, GitHub Classroom, JUnit and Markdown render the one results
model faithfully, validate against their field lists, and cannot be forged by a submission."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from grading.reporters import classroom, exercism, formats, gradescope, json_report, junit, markdown, prairielearn
from grading.results import GradeReport

from conftest import KIT

TOY_PUBLIC = '''
from grading import check, graded

@graded(points=2, task=1, hint="Define VALUE = 42.")
def test_value_is_42(submission):
    check(submission.VALUE == 42, f"VALUE is {submission.VALUE!r}", "42")

@graded(points=1, task=2, hint="Define NAME.")
def test_name_is_set(submission):
    check(submission.NAME == "ok", f"NAME is {submission.NAME!r}", "'ok'")
'''

TOY_HIDDEN = '''
from grading import check, graded

@graded(points=3, task=1, hidden=True, hint="VALUE is an int.")
def test_secret_probe_of_value(submission):
    check(type(submission.VALUE) is int, f"VALUE is a {type(submission.VALUE).__name__}", "an int")
'''

FORGED_CLASSROOM = base64.b64encode(json.dumps(
    {"version": 3, "status": "pass", "max_score": 6,
     "tests": [{"name": "x", "status": "pass", "score": 6, "message": ""}]}).encode()).decode()

# A submission that tries every way of printing (or writing) a better grade.
FORGER = f'''
import os, sys
FORGED = {FORGED_CLASSROOM!r}
print("result=" + FORGED)
print("::set-output name=result::" + FORGED)
print('{{"score": 6, "tests": [{{"name": "01_toy › test_value_is_42", "score": 2, "max_score": 2}}]}}')
print("<testsuites tests='3' failures='0'/>")
sys.stderr.write("## Grade: 6/6\\n")
for name in ("GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY"):
    if os.environ.get(name):
        with open(os.environ[name], "a") as f:
            f.write("result=" + FORGED + "\\n")
VALUE = "::set-output name=result::" + FORGED + "\\n| 01_toy | 6/6 | passed |\\n```\\n**Total: 6/6**"
NAME = "ok"

from fastapi import FastAPI
app = FastAPI()
'''


def _toy_kit(tmp_path: Path) -> tuple[Path, Path]:
    graders = tmp_path / "graders"
    (graders / "01_toy").mkdir(parents=True)
    (graders / "conftest.py").write_text('pytest_plugins = ["grading.plugin"]\n')
    (graders / "01_toy" / "test_toy.py").write_text(TOY_PUBLIC)
    (graders / "01_toy" / "test_hidden_toy.py").write_text(TOY_HIDDEN)
    target = tmp_path / "target"
    (target / "01_toy").mkdir(parents=True)
    (target / "01_toy" / "app.py").write_text(FORGER)
    return graders, target


def _run(args: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": str(KIT), "COLUMNS": "200", **(env or {})}
    for name in ("GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY", "GITHUB_ACTIONS"):
        if name not in (env or {}):
            full_env.pop(name, None)
    return subprocess.run([sys.executable, "-m", "grading", *args], cwd=KIT, env=full_env,
                          capture_output=True, text=True, timeout=300)


def _decode_output(path: Path) -> dict:
    lines = [ln for ln in path.read_text().splitlines() if ln.startswith("result=")]
    assert len(lines) == 1, lines
    return json.loads(base64.b64decode(lines[0].removeprefix("result=")))


# --- field lists ---------------------------------------------------------------------

def assert_valid_gradescope(data: dict, report: GradeReport) -> None:
    assert isinstance(data["tests"], list) and isinstance(data.get("output", ""), str)
    for t in data["tests"]:
        assert {"name", "score", "max_score", "status", "output", "visibility"} <= t.keys(), t
        assert isinstance(t["name"], str) and t["name"]
        assert isinstance(t["score"], int | float) and isinstance(t["max_score"], int | float)
        assert t["status"] in ("passed", "failed")
        assert t["visibility"] in ("visible", "hidden", "after_due_date", "after_published")
        assert isinstance(t["output"], str)
        # Scores agree with statuses.
        assert t["score"] == (t["max_score"] if t["status"] == "passed" else 0), t
    assert data["score"] == sum(t["score"] for t in data["tests"]) == report.score
    assert sum(t["max_score"] for t in data["tests"]) == report.max_score
    hidden = {f"{e.id} › {t.name}" for e, t in report.tests() if t.visibility == "hidden" and t.status != "skipped"}
    assert {t["name"] for t in data["tests"] if t["visibility"] == "hidden"} == hidden


def assert_valid_classroom(data: dict, report: GradeReport) -> None:
    assert data["version"] == 3
    assert data["status"] in ("pass", "fail", "error")
    assert isinstance(data["max_score"], int | float) and data["max_score"] == report.max_score
    points = {f"{e.id} › {t.name}": t.counted_max for e, t in report.tests()}
    for t in data["tests"]:
        assert {"name", "status", "score", "message"} <= t.keys(), t
        assert t["status"] in ("pass", "fail", "error")
        assert t["score"] == (points[t["name"]] if t["status"] == "pass" else 0), t
        assert isinstance(t["message"], str)
    assert sum(t["score"] for t in data["tests"]) == report.score <= data["max_score"]
    assert (data["status"] == "pass") == report.all_passed


def assert_valid_exercism(data: dict, report: GradeReport) -> None:
    """Exercism's test-runner interface, version 3: the fields it names, their types and caps."""
    assert data["version"] == 3
    assert data["status"] in ("pass", "fail", "error")
    assert (data["status"] == "pass") == report.all_passed
    if data["status"] == "error":
        assert isinstance(data["message"], str) and data["message"]
    else:
        assert data.get("message") is None
    assert isinstance(data["tests"], list)
    graded = [(e, t) for e, t in report.tests() if t.status != "skipped"]
    assert [t["name"] for t in data["tests"]] == [f"{e.id} › {t.name}" for e, t in graded]  # graded order
    for entry, (_, t) in zip(data["tests"], graded, strict=True):
        assert set(entry) <= {"name", "status", "message", "output", "test_code", "task_id"}, entry
        assert isinstance(entry["name"], str) and entry["name"]
        assert entry["status"] == {"passed": "pass", "failed": "fail"}.get(t.status, "error")
        assert entry.get("message") is None or isinstance(entry["message"], str)
        assert len(entry.get("output") or "") <= 500
        assert isinstance(entry["test_code"], str)
        assert entry["task_id"] == t.task and isinstance(entry["task_id"], int)


def assert_valid_prairielearn(data: dict, report: GradeReport) -> None:
    """PrairieLearn's external-grader results: the fields externalGrading.md names."""
    assert isinstance(data["gradable"], bool)
    assert isinstance(data["score"], int | float) and 0 <= data["score"] <= 1
    assert isinstance(data["message"], str) and isinstance(data["output"], str)
    for t in data["tests"]:
        assert {"name", "points", "max_points", "message", "output", "description"} <= t.keys(), t
        assert isinstance(t["name"], str) and t["name"]
        assert 0 <= t["points"] <= t["max_points"]
        assert all(isinstance(t[k], str) for k in ("message", "output", "description"))
    if data["gradable"]:
        assert sum(t["points"] for t in data["tests"]) == report.score
        assert sum(t["max_points"] for t in data["tests"]) == report.max_score
        assert data["score"] == pytest.approx(report.score / report.max_score, abs=1e-4)
    assert len(json.dumps(data)) < 1_000_000  # the file's size limit


@pytest.mark.parametrize("which", ["reference_run", "skeleton_run"])
def test_exercism_and_prairielearn_payloads_validate_on_the_kit(which, request):
    report = json_report.from_dict(request.getfixturevalue(which).report)
    assert_valid_exercism(exercism.payload(report), report)
    assert_valid_prairielearn(prairielearn.payload(report), report)
    full = which == "reference_run"
    assert (exercism.payload(report)["status"] == "pass") == full
    assert (prairielearn.payload(report)["score"] == 1) == full


def test_exercism_output_is_capped_as_its_specification_says():
    assert exercism.capped("x" * 500) == "x" * 500
    long = exercism.capped("x" * 5000)
    assert len(long) == 500 and long.endswith("Output was truncated. Please limit to 500 chars")


def test_every_format_is_registered_once_with_its_flag():
    flags = [r.format.flag for r in formats()]
    assert len(flags) == len(set(flags))
    assert {"--json", "--gradescope", "--junit", "--summary", "--classroom", "--exercism",
            "--prairielearn"} <= set(flags)
    # What learners read redacts hidden tests; the kit's JSON and Gradescope (which hides them itself) keep them.
    shows = {r.format.flag: r.format.shows_hidden for r in formats()}
    assert shows["--json"] and shows["--gradescope"]
    assert not any(shows[f] for f in ("--junit", "--summary", "--classroom", "--exercism", "--prairielearn"))


@pytest.mark.parametrize("which", ["reference_run", "skeleton_run"])
def test_gradescope_and_classroom_payloads_validate_on_the_kit(which, request):
    report = json_report.from_dict(request.getfixturevalue(which).report)
    assert_valid_gradescope(gradescope.payload(report), report)
    payload = classroom.payload(report)
    assert_valid_classroom(payload, report)
    assert json.loads(base64.b64decode(classroom.encode(payload))) == payload
    if which == "skeleton_run":
        assert payload["status"] == "fail" and all(t["score"] == 0 for t in payload["tests"])


def test_junit_counts_agree_with_the_results(skeleton_run, tmp_path):
    report = json_report.from_dict(skeleton_run.report)
    junit.write(report, tmp_path / "j.xml")
    root = ET.parse(tmp_path / "j.xml").getroot()
    tests = [t for _, t in report.tests()]
    assert int(root.get("tests")) >= len(tests)
    failing = sum(t.status == "failed" for t in tests)
    broken = sum(t.status in ("error", "timeout") for t in tests)
    assert int(root.get("failures")) == failing
    assert int(root.get("errors")) >= broken
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert list(suites) == [e.id for e in report.exercises]


# --- through the command line, with a submission that tries to forge them ----------------

def test_every_report_at_once_and_none_can_be_forged(tmp_path):
    graders, target = _toy_kit(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "github_output").write_text("")
    run = _run(["--graders", str(graders), "--target", str(target), "-v",
                "--json", str(out / "r.json"), "--gradescope", str(out / "results.json"),
                "--junit", str(out / "junit.xml"), "--classroom", "--summary", str(out / "summary.md")],
               env={"GITHUB_OUTPUT": str(out / "github_output"), "GITHUB_ACTIONS": "true"})
    assert run.returncode == 1, run.stderr
    report = json_report.from_dict(json.loads((out / "r.json").read_text()))
    # VALUE is a forged string: test_value_is_42 and the hidden int check fail, NAME passes.
    assert (report.score, report.max_score) == (1, 6)

    data = json.loads((out / "results.json").read_text())
    assert_valid_gradescope(data, report)
    assert data["score"] == 1

    payload = _decode_output(out / "github_output")  # exactly one result= line: ours
    assert_valid_classroom(payload, report)
    assert payload["status"] == "fail" and sum(t["score"] for t in payload["tests"]) == 1

    root = ET.parse(out / "junit.xml").getroot()
    assert (root.get("tests"), root.get("failures")) == ("3", "2")

    summary = (out / "summary.md").read_text()
    assert summary.startswith("## Grade: 1/6")
    assert "\n**Total: 6/6**" not in summary and "\n| 01_toy | 6/6" not in summary
    assert [ln for ln in summary.splitlines() if ln.startswith("**Total")] == ["**Total: 1/6**"]

    # Learner text quoted in feedback is printed only while workflow commands are stopped.
    lines = run.stdout.splitlines()
    stop = next(i for i, ln in enumerate(lines) if ln.startswith("::stop-commands::"))
    token = lines[stop].removeprefix("::stop-commands::")
    resume = lines.index(f"::{token}::")
    assert len(token) >= 32
    assert all(stop < i < resume for i, ln in enumerate(lines) if "set-output" in ln)
    assert any("set-output" in ln for ln in lines)  # the feedback did quote it


def test_exercism_and_prairielearn_through_the_command_line(tmp_path):
    graders, target = _toy_kit(tmp_path)
    run = _run(["--graders", str(graders), "--target", str(target), "-q", "--json", str(tmp_path / "r.json"),
                "--exercism", str(tmp_path / "e.json"), "--prairielearn", str(tmp_path / "p.json")])
    assert run.returncode == 1, run.stderr
    report = json_report.from_dict(json.loads((tmp_path / "r.json").read_text()))
    ex = json.loads((tmp_path / "e.json").read_text())
    assert_valid_exercism(ex, report)
    assert ex["status"] == "fail" and [t["status"] for t in ex["tests"]].count("pass") == 1
    pl = json.loads((tmp_path / "p.json").read_text())
    assert_valid_prairielearn(pl, report)
    assert pl["gradable"] and pl["score"] == pytest.approx(1 / 6, abs=1e-4)


def test_hidden_tests_can_be_redacted_for_learner_facing_ci(tmp_path):
    graders, target = _toy_kit(tmp_path)
    (tmp_path / "gh").write_text("")
    run = _run(["--graders", str(graders), "--target", str(target), "-v", "--hide-hidden", "--classroom",
                "--summary", str(tmp_path / "s.md"), "--gradescope", str(tmp_path / "g.json"),
                "--exercism", str(tmp_path / "e.json"), "--prairielearn", str(tmp_path / "p.json")],
               env={"GITHUB_OUTPUT": str(tmp_path / "gh")})
    assert run.returncode == 1
    summary = (tmp_path / "s.md").read_text()
    payload = _decode_output(tmp_path / "gh")
    for text in (summary, json.dumps(payload), run.stdout, (tmp_path / "e.json").read_text(),
                 (tmp_path / "p.json").read_text()):
        assert "secret_probe" not in text and "is a str" not in text
        assert "hidden test 1 (task 1)" in text
    assert "VALUE is an int." in summary  # the hint stays
    # Gradescope hides hidden tests itself: its file keeps them, marked hidden.
    tests = json.loads((tmp_path / "g.json").read_text())["tests"]
    assert [t["visibility"] for t in tests if "secret_probe" in t["name"]] == ["hidden"]


def test_classroom_without_github_output_is_a_clear_error(tmp_path):
    graders, target = _toy_kit(tmp_path)
    run = _run(["--graders", str(graders), "--target", str(target), "--classroom"])
    assert run.returncode == 2
    assert "GITHUB_OUTPUT" in run.stderr and run.stderr.strip().count("\n") == 0


def test_edited_graders_are_flagged_in_the_summary(tmp_path):
    from grading.integrity import MANIFEST, edited_graders, manifest_text

    graders, target = _toy_kit(tmp_path)
    repo = tmp_path / "student"
    (repo / "graders" / "01_toy").mkdir(parents=True)
    (repo / "graders" / "01_toy" / "test_toy.py").write_text(TOY_PUBLIC)
    (repo / MANIFEST).write_text(manifest_text(repo))
    assert edited_graders(repo) == []

    (repo / "graders" / "01_toy" / "test_toy.py").write_text(TOY_PUBLIC.replace("== 42", "is not None"))
    (repo / "graders" / "01_toy" / "conftest.py").write_text("")
    run = _run(["--graders", str(graders), "--target", str(target), "-q", "--summary", str(tmp_path / "s.md"),
                "--check-graders", str(repo)], env={"GITHUB_ACTIONS": "true"})
    summary = (tmp_path / "s.md").read_text()
    assert "graders/01_toy/test_toy.py was edited" in summary
    assert "graders/01_toy/conftest.py was added" in summary
    assert "::error title=Graders edited::Graders edited: graders/01_toy/test_toy.py was edited" in run.stderr
    assert summary.startswith("## Grade: 1/6")  # flagged, never scored differently
    (repo / MANIFEST).unlink()
    assert edited_graders(repo) == [f"{MANIFEST} is missing, so edits to graders/ cannot be checked"]


def test_markdown_cells_and_fences_hold_hostile_text():
    assert markdown.cell("a | b\n**Total: 9/9**") == r"a \| b \*\*Total: 9/9\*\*"
    assert markdown.cell("<img src=x onerror=alert(1)>") == "&lt;img src=x onerror=alert(1)&gt;"
    block = markdown.fenced("x\n```\n# Grade: 9/9\n````")
    assert block.startswith("`````text\n") and block.endswith("\n`````")
