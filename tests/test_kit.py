"""The kit as a whole: the reference earns full marks, the untouched skeleton earns nothing,
and `grade` keeps its command-line contract."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from conftest import KIT, grade


def test_reference_scores_full_marks(reference_run):
    report = reference_run.report
    failing = {n: t["message"] for n, t in reference_run.tests().items() if t["status"] not in ("passed", "skipped")}
    assert failing == {}
    assert report["score"] == report["max_score"] > 0
    assert reference_run.code == 0


def test_reference_covers_every_exercise(reference_run):
    ids = [e["id"] for e in reference_run.report["exercises"]]
    assert ids == sorted(p.name for p in (KIT / "graders").iterdir() if p.is_dir() and p.name[:2].isdigit())
    assert all(e["max_score"] > 0 for e in reference_run.report["exercises"])


def test_skeleton_scores_zero_and_fails_every_test(skeleton_run):
    passed = [n for n, t in skeleton_run.tests().items() if t["status"] == "passed"]
    assert passed == [], "a skeleton must not earn free points"
    assert skeleton_run.report["score"] == 0
    assert skeleton_run.code == 1


def test_json_report_has_the_documented_shape(reference_run):
    report = reference_run.report
    assert {"score", "max_score", "exercises"} <= report.keys()
    for e in report["exercises"]:
        assert {"id", "score", "max_score", "tests"} <= e.keys()
        for t in e["tests"]:
            assert {"name", "score", "max_score", "status", "visibility", "message"} <= t.keys()
            assert t["visibility"] in ("public", "hidden")


def test_failure_messages_teach_instead_of_tracing(skeleton_run):
    for name, t in skeleton_run.tests().items():
        assert "Traceback" not in t["message"], name
        assert t["message"].strip(), name


def test_selector_grades_one_exercise(tmp_path):
    run = grade("01", "--target", "reference", json_path=tmp_path / "r.json")
    assert [e["id"] for e in run.report["exercises"]] == ["01_coroutines"]
    run = grade("01_coroutines", "--target", "reference", json_path=tmp_path / "r2.json")
    assert [e["id"] for e in run.report["exercises"]] == ["01_coroutines"]
    assert run.code == 0


def test_missing_target_fails_with_one_line_reason(tmp_path):
    run = grade("--target", str(tmp_path / "nowhere"))
    assert run.code == 2
    assert run.stderr.strip().count("\n") == 0 and "does not exist" in run.stderr


def test_unknown_selector_fails_with_one_line_reason():
    run = grade("99")
    assert run.code == 2 and "no exercise matches '99'" in run.stderr


def test_missing_exercise_folder_costs_that_exercise_only(tmp_path):
    target = tmp_path / "sub"
    target.mkdir()
    run = grade("01", "--target", str(target), json_path=tmp_path / "r.json")
    assert run.code == 1
    tests = run.tests()
    assert tests and all("does not exist" in t["message"] for t in tests.values())


def _digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "folder"
            for p in sorted(root.rglob("*"))}


def test_grading_never_writes_into_the_submission(tmp_path):
    target = tmp_path / "sub"
    shutil.copytree(KIT / "reference", target)
    before = _digest(target)
    kit_files = sorted(p.name for p in KIT.iterdir())
    # 08 writes SQLite files, 07 a log, 11 copies the learner's folder to run its tests.
    run = grade("--target", str(target), "01", "07", "08", "11", json_path=tmp_path / "r.json", cwd=target)
    assert run.report is not None and run.report["score"] == run.report["max_score"], run.stdout
    assert _digest(target) == before
    assert sorted(p.name for p in KIT.iterdir()) == kit_files
