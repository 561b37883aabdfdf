"""The instructor's tools: verify (the kit holds together), assign (a student copy and a
Gradescope autograder that leak nothing), gradebook (a class graded in one batch)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from grading.reporters import json_report
from grading.results import ExerciseResult, GradeReport, TestResult
from grading.spec import is_hidden_path
from kit import verify

from conftest import KIT


def _python(module: str, *args: str, cwd: Path = KIT, env: dict[str, str] | None = None,
            timeout: float = 900) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "COLUMNS": "200", **(env or {})}
    full_env.pop("PYTHONPATH", None)  # the copy under test must use its own engine
    return subprocess.run([sys.executable, "-m", module, *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=timeout)


# --- verify: the same checks `nox -s verify` runs, on the kit itself ---------------------

def test_verify_layout_mirrors_and_todo_regions():
    assert verify.layout_problems(KIT) == []


def test_verify_declarations(reference_run):
    assert verify.declaration_problems(json_report.from_dict(reference_run.report), KIT) == []


def test_verify_reference_full_marks(reference_run):
    assert verify.reference_problems(json_report.from_dict(reference_run.report)) == []


def test_verify_skeleton_zero(skeleton_run):
    assert verify.skeleton_problems(json_report.from_dict(skeleton_run.report)) == []


def test_verify_command_on_one_exercise_with_repeat():
    run = _python("kit.verify", "01", "--repeat", "2")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "reference stable over 2 runs" in run.stdout and "all checks passed" in run.stdout


# --- verify catches each kind of mistake, on a toy kit ------------------------------------

SKELETON = '''"""Toy."""
VALUE = 1


def f():
    # TODO(1): return 42.
    raise NotImplementedError
    # END TODO
'''

README = "# Toy\n\n## Tasks\n\n1. **f()** returns 42.\n\n## Hints\n\nNone.\n"


def _toy_kit(root: Path) -> Path:
    for tree in ("exercises", "reference", "graders"):
        (root / tree / "01_toy").mkdir(parents=True)
    (root / "exercises/01_toy/app.py").write_text(SKELETON)
    (root / "reference/01_toy/app.py").write_text(SKELETON.replace("raise NotImplementedError", "return 42"))
    for tree in ("exercises", "reference"):
        (root / tree / "01_toy/README.md").write_text(README)
    (root / "graders/01_toy/test_toy.py").write_text("")
    return root


def test_verify_accepts_a_consistent_toy_kit(tmp_path):
    assert verify.layout_problems(_toy_kit(tmp_path)) == []


@pytest.mark.parametrize("mistake, says", [
    (lambda k: (k / "reference/01_toy/app.py").write_text(SKELETON.replace("VALUE = 1", "VALUE = 2")
                                                          .replace("raise NotImplementedError", "return 42")),
     "differs from its reference outside TODO regions, before the first TODO region: 'VALUE = 1' vs 'VALUE = 2'"),
    (lambda k: (k / "reference/01_toy/app.py").write_text(SKELETON.replace("# END TODO\n", "")),
     "a TODO(n): region has no END TODO"),
    (lambda k: (k / "reference/01_toy/app.py").write_text(SKELETON.replace("TODO(1)", "TODO(2)")),
     "has TODO regions [1] but its reference has [2]"),
    (lambda k: (k / "reference/01_toy/helper.py").write_text("X = 1\n"), "has no counterpart in exercises/01_toy/"),
    (lambda k: (k / "exercises/01_toy/README.md").unlink() or (k / "reference/01_toy/README.md").unlink(),
     "README.md: missing"),
    (lambda k: (k / "exercises/01_toy/README.md").write_text("# Toy\n"), "differs"),
    (lambda k: (k / "graders/01_toy/test_toy.py").rename(k / "graders/01_toy/test_hidden_toy.py"),
     "no public test_*.py grader"),
    (lambda k: (k / "graders/02_more").mkdir(), "02_more: missing from exercises/, reference/"),
    (lambda k: (k / "exercises/01_toy/app.py").write_text("VALUE = 1\n")
     or (k / "reference/01_toy/app.py").write_text("VALUE = 1\n"), "no `# TODO(n): ...` region"),
], ids=["outside-todo", "unbalanced", "numbers", "extra-file", "readme", "readme-differs", "no-public",
        "not-mirrored", "no-todo"])
def test_verify_finds_each_layout_mistake(tmp_path, mistake, says):
    kit = _toy_kit(tmp_path)
    mistake(kit)
    problems = verify.layout_problems(kit)
    assert any(says in p for p in problems), problems


def _report(*tests: TestResult, problem: str = "") -> GradeReport:
    return GradeReport(target="t", exercises=[ExerciseResult("01_toy", list(tests), problem=problem)])


def test_verify_finds_declaration_and_score_mistakes(tmp_path):
    kit = _toy_kit(tmp_path)
    good = TestResult("test_ok", 2, 1, "hint", status="passed")
    assert verify.declaration_problems(_report(good), kit) == []
    problems = verify.declaration_problems(_report(
        TestResult("test_no_hint", 1, 1, "", status="passed"),
        TestResult("test_task_9", 1, 9, "h", status="passed"),
        TestResult("test_bare", 0, 0, "", status="error", message="Grader defect: test_bare has no @graded"),
    ), kit)
    assert "01_toy › test_no_hint: declares no hint" in problems
    assert "01_toy › test_task_9: declares task 9, but exercises/01_toy has tasks [1]" in problems
    assert any("test_bare: Grader defect" in p for p in problems)
    assert verify.declaration_problems(_report(TestResult("t", 1, 9, "h")), kit)[-1] == \
        "01_toy: no graded test checks task(s) [1]"

    failed = TestResult("test_x", 1, 1, "h", status="failed", message="Observed: 1\nExpected: 2")
    assert verify.reference_problems(_report(good, failed)) == [
        "01_toy › test_x: failed on the reference: Observed: 1", "the reference scores 2/3, not full marks"]
    assert verify.skeleton_problems(_report(failed)) == []
    assert verify.skeleton_problems(_report(good, failed))[0] == \
        "01_toy › test_ok: passes on the untouched skeleton (free points)"
    flaky = verify.flaky_tests([_report(good), _report(failed), _report(failed)])
    assert flaky == {"01_toy › test_x": ["failed: Observed: 1", "failed: Observed: 1"]}


# --- assign: a student copy that leaks nothing, and a Gradescope zip that works ------------

def _region_lines(path: Path) -> set[str]:
    """Lines inside a file's TODO regions (stripped)."""
    lines, inside = set(), False
    for line in path.read_text(encoding="utf-8").splitlines():
        if verify.TODO_START.match(line):
            inside = True
        elif verify.TODO_END.match(line):
            inside = False
        elif inside:
            lines.add(line.strip())
    return lines


def _secret_lines() -> dict[str, str]:
    """Distinctive lines of solutions and hidden graders, each with where it comes from.

    A solution line is one inside a reference TODO region; a hidden grader line is any line
    of a hidden grader file. Lines that the kit's public files hold anyway (a README's hint
    quoting `await asyncio.sleep(IO_DELAY)`, a helper both share) and short lines (`pass`)
    prove nothing and are left out.
    """
    public = []
    for tree in ("exercises", "graders", "grading"):
        for path in (KIT / tree).rglob("*"):
            rel = path.relative_to(KIT / tree)
            if path.is_file() and path.suffix in (".py", ".md", ".toml") and not is_hidden_path(rel):
                public.append(path.read_text(encoding="utf-8"))
    public_text = "\n".join(public)
    candidates: dict[str, str] = {}
    for ref in (KIT / "reference").rglob("*.py"):
        for line in _region_lines(ref):
            candidates[line] = str(ref.relative_to(KIT))
    for path in (KIT / "graders").rglob("*"):
        rel = path.relative_to(KIT / "graders")
        if path.is_file() and is_hidden_path(rel):
            for line in path.read_text(encoding="utf-8").splitlines():
                candidates[line.strip()] = f"graders/{rel}"
    return {line: src for line, src in candidates.items() if len(line) >= 25 and line not in public_text}


@pytest.fixture(scope="module")
def handout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("handout") / "out"
    run = _python("kit.assign", str(out))
    assert run.returncode == 0, run.stdout + run.stderr
    return out


def test_assign_student_copy_holds_no_solution_and_no_hidden_grader(handout):
    secrets = _secret_lines()
    assert len(secrets) > 100  # the check has teeth: there is plenty to leak
    student = handout / "student"
    assert (student / "exercises").is_dir() and (student / ".github/workflows/classroom.yml").is_file()
    assert not (student / "reference").exists() and not (student / "tests").exists()
    # The instructor's wing never ships to learners, by rule: the engine package is copied whole, kit/ not at
    # all; the private graders get the gradebook and what it imports of kit/, nothing else.
    from kit.assign import PRIVATE_KIT

    assert not (student / "kit").exists()
    assert sorted(p.name for p in (handout / "private" / "kit").iterdir()) == sorted(PRIVATE_KIT)
    engine = {p.relative_to(KIT / "grading").as_posix() for p in (KIT / "grading").rglob("*.py")}
    assert engine == {p.relative_to(student / "grading").as_posix() for p in (student / "grading").rglob("*.py")}
    leaks = []
    for path in student.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            leaks += [f"{path.relative_to(student)} holds a line of {src}: {line!r}"
                      for line, src in secrets.items() if line in text]
    assert leaks == [], leaks[:5]
    readme = (student / "README.md").read_text(encoding="utf-8")
    assert "For instructors" not in readme and "reference/" not in readme and "Grading in GitHub Classroom" in readme


def test_assign_student_copy_grades_the_skeleton_at_zero(handout, tmp_path):
    student = handout / "student"
    run = _python("grading", "--json", str(tmp_path / "s.json"), "01", "04", cwd=student)
    assert run.returncode == 1, run.stdout + run.stderr
    report = __import__("json").loads((tmp_path / "s.json").read_text())
    assert report["score"] == 0 < report["max_score"]
    assert all(not t["name"].startswith("test_hidden") and t["visibility"] == "public"
               for e in report["exercises"] for t in e["tests"])


def test_assign_refuses_a_non_empty_folder_and_touches_nothing_else(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    run = _python("kit.assign", str(out), "01")
    assert run.returncode == 2 and "not empty" in run.stderr and "--force" in run.stderr
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]
    run = _python("kit.assign", str(out), "01", "--force")
    assert run.returncode == 0, run.stderr
    assert (out / "notes.txt").read_text() == "mine" and (out / "student/exercises/01_coroutines").is_dir()
    assert not (out / "student/exercises/02_def_vs_async").exists()
    run = _python("kit.assign", str(KIT / "graders" / "out"))
    assert run.returncode == 2 and not (KIT / "graders" / "out").exists()


@pytest.mark.parametrize("tree, full", [("reference", True), ("exercises", False)])
def test_gradescope_autograder_zip_writes_valid_results(tmp_path, tree, full):
    import json
    import shutil
    import zipfile

    from test_reports import assert_valid_gradescope

    out = tmp_path / "out"
    assert _python("kit.assign", str(out), "01", "05").returncode == 0
    root = tmp_path / "autograder"
    with zipfile.ZipFile(out / "autograder.zip") as zf:
        zf.extractall(root / "source")
        assert {"setup.sh", "run_autograder", "requirements.txt"} <= set(zf.namelist())
        assert not any(n.startswith(("reference/", "tests/", "kit/")) for n in zf.namelist())
    # A Gradescope upload: the learner's repository, wrapped in a folder.
    for ex in ("01_coroutines", "05_background_tasks"):
        shutil.copytree(KIT / tree / ex, root / "submission" / "my-repo" / "exercises" / ex)
    run_autograder = root / "source" / "run_autograder"
    run_autograder.chmod(0o755)
    proc = subprocess.run(["bash", str(run_autograder)], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "AUTOGRADER_ROOT": str(root), "AUTOGRADER_PYTHON": sys.executable})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = json.loads((root / "results" / "results.json").read_text())
    report = GradeReport(target="t", exercises=[])
    tests = data["tests"]
    assert tests and any(t["visibility"] == "hidden" for t in tests)
    report.exercises = [ExerciseResult(ex, [TestResult(t["name"].split(" › ")[1], t["max_score"], 1, "h",
                                                       status="passed" if t["status"] == "passed" else "failed",
                                                       visibility="hidden" if t["visibility"] == "hidden" else "public")
                                            for t in tests if t["name"].startswith(ex)])
                        for ex in ("01_coroutines", "05_background_tasks")]
    assert_valid_gradescope(data, report)
    total = sum(t["max_score"] for t in tests)
    assert data["score"] == (total if full else 0), data["output"]


def test_gradescope_autograder_without_exercises_scores_zero_with_a_reason(tmp_path):
    import json
    import zipfile

    out = tmp_path / "out"
    assert _python("kit.assign", str(out), "01").returncode == 0
    root = tmp_path / "autograder"
    with zipfile.ZipFile(out / "autograder.zip") as zf:
        zf.extractall(root / "source")
    (root / "submission").mkdir()
    (root / "submission" / "notes.txt").write_text("I forgot the code")
    proc = subprocess.run(["bash", str(root / "source" / "run_autograder")], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "AUTOGRADER_ROOT": str(root),
                                            "AUTOGRADER_PYTHON": sys.executable})
    assert proc.returncode == 0
    data = json.loads((root / "results" / "results.json").read_text())
    assert data["score"] == 0 and data["tests"] == [] and "no exercise folder" in data["output"]


# --- gradebook: a class graded in one batch -------------------------------------------------

def test_gradebook_grades_a_class_with_zips_and_a_hanging_submission(tmp_path):
    import csv
    import json
    import shutil
    import zipfile

    ex = "01_coroutines"
    klass = tmp_path / "class"
    shutil.copytree(KIT / "reference" / ex, klass / "ada" / ex)
    shutil.copytree(KIT / "exercises" / ex, klass / "bob" / "exercises" / ex)
    shutil.copytree(KIT / "reference" / ex, klass / "cy" / ex)
    (klass / "cy" / ex / "app.py").write_text("while True:\n    pass\n")  # hangs at import
    with zipfile.ZipFile(klass / "dee.zip", "w") as zf:  # a zip, wrapped in a folder
        for f in (KIT / "reference" / ex).iterdir():
            zf.write(f, f"dee-main/{ex}/{f.name}")
    (klass / "eve").mkdir()  # handed in nothing gradable
    (klass / "eve" / "README.txt").write_text("sorry")
    run = _python("kit.gradebook", str(klass), "01", "--time-limit", "30")  # room for a shared machine
    assert run.returncode == 0, run.stdout + run.stderr
    book = tmp_path / "class.gradebook"
    rows = {r["student"]: r for r in csv.DictReader(open(book / "gradebook.csv", encoding="utf-8"))}
    full = json.loads((book / "results" / "ada.json").read_text())["max_score"]
    assert full > 0
    assert float(rows["ada"][ex]) == float(rows["ada"]["total"]) == full
    assert float(rows["dee"]["total"]) == full
    assert float(rows["bob"]["total"]) == 0
    assert float(rows["cy"]["total"]) == 0 and "time limit" in json.dumps(json.loads((book / "results/cy.json")
                                                                                      .read_text()))
    assert "eve" in rows and rows["eve"]["notes"]
    rates = list(csv.DictReader(open(book / "pass_rates.csv", encoding="utf-8")))
    assert rates and all(r["exercise"] == ex for r in rates)
    assert {r["passed"] for r in rates} <= {"2", "1", "0"} and "Ideas the class passed least" in run.stdout


def test_readme_exercise_list_is_checked_against_graders(tmp_path):
    assert verify.readme_list_problems(KIT) == []
    (tmp_path / "graders" / "01_toy").mkdir(parents=True)
    (tmp_path / "graders" / "02_more").mkdir()
    (tmp_path / "README.md").write_text("# Kit\n\n## Exercises\n\n- `01_toy`: a toy\n- `03_gone`: removed\n\n## Next\n")
    assert verify.readme_list_problems(tmp_path) == [
        "README.md: 02_more is not in the `## Exercises` list",
        "README.md: `## Exercises` lists 03_gone, which has no graders/03_gone/"]


@pytest.mark.timeout(300)  # grades four submissions
def test_new_scaffolds_an_exercise_that_verifies(tmp_path):
    from grading.run import grade_many
    from kit import corpus, new

    kit = tmp_path / "kit"
    (kit / "graders").mkdir(parents=True)
    (kit / "graders" / "conftest.py").write_text((KIT / "graders" / "conftest.py").read_text())
    written = new.scaffold("14_streaming", "Streaming", kit)
    assert {p.relative_to(kit).parts[0] for p in written} == {"exercises", "reference", "graders", "tests"}
    assert verify.layout_problems(kit) == []
    with pytest.raises(FileExistsError):
        new.scaffold("14_streaming", "Streaming", kit)
    for variant in corpus.variants(kit / "tests" / "corpus"):
        corpus.lay_out(variant, tmp_path / variant.name, kit)
    reports = grade_many({"reference": kit / "reference", "skeleton": kit / "exercises",
                          **{v.name: tmp_path / v.name for v in corpus.variants(kit / "tests" / "corpus")}},
                         graders=kit / "graders", parallel=2)
    assert verify.declaration_problems(reports["reference"], kit) == []
    assert verify.reference_problems(reports["reference"]) == []
    assert verify.skeleton_problems(reports["skeleton"]) == []
    for variant in corpus.variants(kit / "tests" / "corpus"):
        failed = sorted(t.name for _, t in reports[variant.name].tests() if not t.passed)
        assert failed == sorted(corpus.expected(variant)["fails"]), variant.name
