"""The grading plugin, tested with pytester: declarations, feedback and the result stream."""

from __future__ import annotations

import json

import pytest

pytest_plugins = ["pytester"]


@pytest.fixture
def run_graders(pytester: pytest.Pytester, tmp_path):
    sub = tmp_path / "target" / "01_toy"
    sub.mkdir(parents=True)
    (sub / "app.py").write_text("from fastapi import FastAPI\napp = FastAPI()\nVALUE = 1\n"
                                "def boom():\n    return {}['missing']\n")

    def run(files: dict[str, str]) -> dict[str, dict]:
        for name, body in files.items():
            path = pytester.path / "01_toy" / name
            path.parent.mkdir(exist_ok=True)
            path.write_text(body)
        out = tmp_path / "stream.jsonl"
        out.unlink(missing_ok=True)
        pytester.runpytest_inprocess("-p", "grading.plugin", f"--grading-target={sub.parent}",
                                     f"--grading-results={out}", "-o", "asyncio_mode=auto",
                                     "-o", "asyncio_default_fixture_loop_scope=function", "01_toy")
        records = [json.loads(line) for line in out.read_text().splitlines()]
        assert records[-1] == {"event": "done"}
        return {r["test"]["name"]: r["test"] for r in records if r["event"] == "result"}

    return run


def test_declared_points_task_hint_and_visibility_reach_the_results(run_graders):
    results = run_graders({
        "test_public.py": "from grading import graded\n"
                          "@graded(points=3, task=2, hint='h')\ndef test_ok(submission):\n    pass\n",
        "test_hidden_more.py": "from grading import graded\n"
                               "@graded(points=1, task=1, hint='h', hidden=True)\ndef test_h(submission):\n    pass\n",
    })
    assert results["test_ok"]["max_score"] == 3 and results["test_ok"]["task"] == 2
    assert results["test_ok"]["status"] == "passed" and results["test_ok"]["visibility"] == "public"
    assert results["test_h"]["visibility"] == "hidden"


def test_undeclared_or_misplaced_tests_are_grader_defects(run_graders):
    results = run_graders({
        "test_public.py": "from grading import graded\n"
                          "def test_bare():\n    pass\n"
                          "@graded(points=1, task=1, hint='h', hidden=True)\ndef test_hidden_in_public():\n    pass\n",
    })
    assert results["test_bare"]["status"] == "error" and "no @graded" in results["test_bare"]["message"]
    assert "must then live in a test_hidden" in results["test_hidden_in_public"]["message"]


def test_feedback_renders_observed_expected_hint(run_graders):
    results = run_graders({
        "test_public.py": "from grading import graded, check\n"
                          "@graded(points=1, task=1, hint='h')\ndef test_f(submission):\n"
                          "    check(False, 'saw 1', 'want 2', 'think 3')\n",
    })
    assert results["test_f"]["message"] == "Observed: saw 1\nExpected: want 2\nHint: think 3"
    assert results["test_f"]["status"] == "failed"


def test_learner_exceptions_point_at_the_learners_line(run_graders):
    results = run_graders({
        "test_public.py": "from grading import graded\n"
                          "@graded(points=1, task=1, hint='h')\ndef test_e(submission):\n    submission.boom()\n",
    })
    message = results["test_e"]["message"]
    assert message.startswith("Your code raised KeyError: 'missing' (app.py, line 5, in boom)")
    assert "Traceback" not in message


def test_a_skipped_test_counts_neither_for_nor_against(run_graders):
    from grading.results import ExerciseResult, TestResult

    results = run_graders({
        "test_public.py": "import pytest\nfrom grading import graded\n"
                          "@graded(points=2, task=1, hint='h')\ndef test_s():\n    pytest.skip('no browser')\n"
                          "@graded(points=1, task=1, hint='h')\ndef test_p():\n    pass\n",
    })
    assert results["test_s"]["status"] == "skipped"
    ex = ExerciseResult("01_toy", [TestResult(**results["test_s"]), TestResult(**results["test_p"])])
    assert (ex.score, ex.max_score, ex.passed) == (1, 1, True)
