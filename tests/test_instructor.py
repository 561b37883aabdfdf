"""The instructor's tools: verify (the kit holds together), assign (a student copy and a
Gradescope autograder that leak nothing), gradebook (a class graded in one batch)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from grading import verify
from grading.results import ExerciseResult, GradeReport, TestResult

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
    assert verify.declaration_problems(GradeReport.from_dict(reference_run.report), KIT) == []


def test_verify_reference_full_marks(reference_run):
    assert verify.reference_problems(GradeReport.from_dict(reference_run.report)) == []


def test_verify_skeleton_zero(skeleton_run):
    assert verify.skeleton_problems(GradeReport.from_dict(skeleton_run.report)) == []


def test_verify_command_on_one_exercise_with_repeat():
    run = _python("grading.verify", "01", "--repeat", "2")
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
