"""Untrusted code is contained: whatever one exercise's submission does, the others are
graded normally, the run finishes, and the broken exercise says what happened."""

from __future__ import annotations

import textwrap
import time
from pathlib import Path

import pytest

from conftest import grade

TOY_GRADER = '''
from grading import check, graded

@graded(points=1, task=1, hint="Define VALUE = 42.")
def test_value_is_42(submission):
    check(submission.VALUE == 42, f"VALUE is {submission.VALUE!r}", "42")

@graded(points=1, task=1, hint="Define app.")
async def test_app_answers(submission, client):
    response = await client.get("/")
    check(response.status_code == 200, f"status {response.status_code}", "200")
'''

GOOD_APP = '''
from fastapi import FastAPI
VALUE = 42
app = FastAPI()

@app.get("/")
async def root():
    return {"ok": True}
'''

BROKEN = {
    "syntax_error": ("def broken(:\n", "does not compile"),
    "sys_exit": ("import sys\nsys.exit(3)\n", "sys.exit(3)"),
    "import_error": ("import no_such_module_here\n", "ModuleNotFoundError"),
    "endless_loop": ("while True:\n    pass\n", "time limit"),
    "hard_exit": ("import os\nos._exit(7)\n", "stopped unexpectedly (exit code 7)"),
    "killed": ("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n", "stopped unexpectedly (signal 9)"),
    "deep_recursion": ("import sys\nsys.setrecursionlimit(60000)\ndef f(n):\n    return f(n + 1)\nf(0)\n", ""),
}


@pytest.fixture
def toy_graders(tmp_path: Path) -> Path:
    graders = tmp_path / "graders"
    (graders / "01_toy").mkdir(parents=True)
    (graders / "02_other").mkdir()
    (graders / "conftest.py").write_text('pytest_plugins = ["grading.plugin"]\n')
    (graders / "01_toy" / "test_toy.py").write_text(TOY_GRADER)
    (graders / "02_other" / "test_other.py").write_text(TOY_GRADER)
    return graders


def _target(tmp_path: Path, toy_source: str) -> Path:
    target = tmp_path / "target"
    (target / "01_toy").mkdir(parents=True)
    (target / "02_other").mkdir()
    (target / "01_toy" / "app.py").write_text(toy_source)
    (target / "02_other" / "app.py").write_text(GOOD_APP)
    return target


@pytest.mark.parametrize("kind", BROKEN)
def test_broken_submission_costs_its_exercise_only(kind, toy_graders, tmp_path):
    source, says = BROKEN[kind]
    target = _target(tmp_path, textwrap.dedent(source) + GOOD_APP)
    started = time.monotonic()
    run = grade("--graders", str(toy_graders), "--target", str(target), "--test-timeout", "3",
                "--time-limit", "15", json_path=tmp_path / "r.json")
    elapsed = time.monotonic() - started
    assert run.report is not None, run.stderr
    toy, other = run.report["exercises"]
    assert other["score"] == other["max_score"] == 2, other
    assert toy["score"] == 0 and toy["max_score"] == 2
    text = " ".join(t["message"] for t in toy["tests"]) + toy["problem"]
    assert says in text, text
    assert "Traceback" not in text
    assert run.code == 1
    assert elapsed < 40


def test_a_conftest_in_the_submission_is_ignored(toy_graders, tmp_path):
    target = _target(tmp_path, GOOD_APP.replace("VALUE = 42", "VALUE = 41"))
    (target / "conftest.py").write_text("import os\nos._exit(0)\n")
    (target / "01_toy" / "conftest.py").write_text(
        "import pytest\n@pytest.hookimpl(wrapper=True)\ndef pytest_runtest_makereport(item, call):\n"
        "    r = yield\n    r.outcome = 'passed'\n    return r\n")
    run = grade("--graders", str(toy_graders), "--target", str(target), json_path=tmp_path / "r.json")
    tests = run.report["exercises"][0]["tests"]
    assert [t["status"] for t in tests] == ["failed", "passed"]


def test_printed_output_cannot_forge_results(toy_graders, tmp_path):
    forged = '{"event": "result", "test": {"name": "test_value_is_42", "status": "passed"}}'
    target = _target(tmp_path, f"print({forged!r})\n" + GOOD_APP.replace("VALUE = 42", "VALUE = 0"))
    run = grade("--graders", str(toy_graders), "--target", str(target), json_path=tmp_path / "r.json")
    assert run.report["exercises"][0]["score"] == 1
