"""`nox -s watch` driven through a real pseudo-terminal, in a scratch copy of the kit."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import KIT

pexpect = pytest.importorskip("pexpect")
if os.name == "nt":  # pragma: no cover
    pytest.skip("pexpect's pseudo-terminal is POSIX only", allow_module_level=True)

from kit.watchbench import Screen, lay, scratch_kit, spawn_watch  # noqa: E402

EX = "01_coroutines"


ARTIFACTS = KIT / "tests" / "artifacts"  # git-ignored: screenshots to look at
SIZE = (40, 120)  # rows, columns


def _shot(screen: Screen, name: str) -> None:
    from grading import find_browser

    found = find_browser().browser
    for path in screen.save(ARTIFACTS / name, found.executable if found and found.executable else None):
        print(f"screenshot: {path}")


@pytest.mark.timeout(900)
def test_watch_grades_on_save_climbs_hints_resets_and_quits(tmp_path: Path):
    scratch = scratch_kit(tmp_path / "kit")  # a fresh clone: no progress yet
    folder = scratch / "exercises" / EX
    skeleton = (folder / "app.py").read_bytes()
    child = spawn_watch(scratch, timeout=300, size=SIZE)  # no exercise named: it opens on the first
    screen = Screen(SIZE)
    child.logfile_read = screen
    try:
        child.expect("01_coroutines · ")
        child.expect("0/9 points")  # public graders only; the skeleton scores nothing
        child.expect("First failing: task 1")
        _shot(screen, "watch_01_start")
        # h climbs the ladder: the test's hint, the README's hint for the task, the idea.
        child.send("h")
        child.expect("Hint 1: ")
        child.send("h")
        child.expect("Hint 2: Task 1: ")
        child.send("h")
        child.expect("Hint 3: The idea: A coroutine function")
        _shot(screen, "watch_01_hints")
        # Saving the reference over the skeleton: "grading…" at once, then full marks.
        lay(KIT / "reference" / EX, folder)
        child.expect("grading…")
        child.expect("9/9 points · full marks")
        child.expect("Press n for the next exercise")
        _shot(screen, "watch_01_full_marks")
        # r asks first, then restores the skeleton and keeps the learner's files.
        child.send("r")
        child.expect(r"Reset this exercise to the skeleton\? ")
        child.send("y")
        child.expect("Restored the skeleton")
        child.expect("0/9 points")
        assert (folder / "app.py").read_bytes() == skeleton
        backups = list((scratch / ".backups").glob(f"{EX}-*"))
        assert len(backups) == 1
        assert (backups[0] / "app.py").read_bytes() == (KIT / "reference" / EX / "app.py").read_bytes()
        child.send("q")
        child.expect(pexpect.EOF, timeout=60)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0
    # The next watch opens where the learner left off.
    assert '"current": "01_coroutines"' in (scratch / ".progress.json").read_text()


def test_progress_line_and_next_exercise():
    from grading import progress

    ids = ["01_a", "02_b", "03_c"]
    data = {"scores": {"01_a": [9, 9], "02_b": [3, 9]}}
    assert progress.next_exercise(data, ids) == "02_b"
    assert progress.next_exercise(data, ids, after="02_b") == "03_c"
    assert progress.line(data, ids) == "Progress █▒· 1/3 full · next: 02_b"


def test_grade_ends_with_progress_and_keeps_it_only_for_a_learner_at_a_terminal(tmp_path: Path):
    from grading import progress
    from grading.results import ExerciseResult, GradeReport, TestResult

    (tmp_path / "exercises").mkdir()
    report = GradeReport(target=str(tmp_path / "exercises"), exercises=[
        ExerciseResult(id="01_a", tests=[TestResult(name="t", max_score=2, task=1, hint="h", status="passed")])])
    ids = ["01_a", "02_b"]
    assert progress.after_grade(report, tmp_path / "exercises", ids, kit=tmp_path, keep=False) == \
        "Progress █· 1/2 full · next: 02_b"
    assert not (tmp_path / ".progress.json").exists()  # CI and scripts leave nothing behind
    progress.after_grade(report, tmp_path / "exercises", ids, kit=tmp_path, keep=True)
    assert progress.load(tmp_path / ".progress.json")["scores"] == {"01_a": [2, 2]}
    assert progress.after_grade(report, tmp_path / "other", ids, kit=tmp_path, keep=True) == ""


def _port_free(port: int) -> bool:
    import socket

    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@pytest.mark.timeout(120)
def test_serve_answers_get_items_on_127_0_0_1(tmp_path: Path):
    """`nox -s serve -- 01` (its module): the learner's 01 on 127.0.0.1:8000 with reload."""
    import subprocess
    import sys
    import time

    import httpx
    import psutil

    scratch = scratch_kit(tmp_path / "kit")
    lay(KIT / "reference" / EX, scratch / "exercises" / EX)  # the learner has solved it
    port = 8000 if _port_free(8000) else 8765
    proc = subprocess.Popen([sys.executable, "-m", "grading.learner", "serve", "01", "--port", str(port)],
                            cwd=scratch, env={**os.environ, "PYTHONPATH": str(scratch)},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert f"http://127.0.0.1:{port}" in proc.stdout.readline()
        end = time.monotonic() + 60
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/items/1", timeout=5)
                break
            except httpx.TransportError:
                assert time.monotonic() < end, "nothing answered on the port within 60 s"
                time.sleep(0.2)
        assert response.status_code == 200
        assert response.json() == {"item_id": 1, "value": 10}
    finally:
        tree = [proc.pid, *(c.pid for c in psutil.Process(proc.pid).children(recursive=True))]
        for pid in reversed(tree):
            try:
                psutil.Process(pid).kill()
            except psutil.NoSuchProcess:
                pass
        proc.wait(10)
        proc.stdout.close()
