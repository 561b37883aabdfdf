"""The worker engine on every OS: sizing to the CPUs and memory actually given, grading
where there is no fork (Windows, simulated), daemons ended, hidden graders kept hidden."""

from __future__ import annotations

import os
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest
import test_isolation
from test_isolation import BROKEN, GOOD_APP, _target

from grading.workers import Exit, choose, sizing

from conftest import KIT, grade

toy_graders = test_isolation.toy_graders  # the same two toy exercises
# Whole grades, some with fresh interpreters per worker: slow on a loaded machine.
pytestmark = pytest.mark.timeout(600)

# --- sizing ------------------------------------------------------------------------------


def _cgroup(tmp_path: Path, proc: str, files: dict[str, str]) -> tuple[Path, Path]:
    root = tmp_path / "cgroup"
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    (tmp_path / "cgroup_of_self").write_text(proc)
    return root, tmp_path / "cgroup_of_self"


def test_sizing_follows_a_cgroup_v2_quota_and_memory(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADING_CPU_COUNT", "13")
    root, proc = _cgroup(tmp_path, "0::/grader\n", {
        "cgroup.controllers": "cpu memory", "grader/cpu.max": "50000 100000", "grader/memory.max": str(768 * 2**20),
    })
    assert sizing.cpu_quota(root, proc) == 0.5
    assert sizing.memory_limit(root, proc) == 768 * 2**20
    assert sizing.default_jobs(root, proc) == 2  # ceil(0.5) + 1, and 768 MB holds two workers


def test_sizing_follows_a_cgroup_v1_quota_and_memory(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADING_CPU_COUNT", "13")
    root, proc = _cgroup(tmp_path, "4:memory:/docker/abc\n2:cpu,cpuacct:/docker/abc\n", {
        "cpu,cpuacct/docker/abc/cpu.cfs_quota_us": "200000", "cpu,cpuacct/docker/abc/cpu.cfs_period_us": "100000",
        "memory/docker/abc/memory.limit_in_bytes": str(8 * 2**30),
    })
    assert sizing.cpu_quota(root, proc) == 2
    assert sizing.default_jobs(root, proc) == 3


def test_sizing_memory_caps_the_workers(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADING_CPU_COUNT", "13")
    root, proc = _cgroup(tmp_path, "0::/\n", {"cgroup.controllers": "memory", "memory.max": str(500 * 2**20)})
    assert sizing.default_jobs(root, proc) == 1


def test_sizing_without_limits_is_the_cpus_plus_one(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADING_CPU_COUNT", "13")
    root, proc = _cgroup(tmp_path, "0::/\n", {"cgroup.controllers": "cpu memory", "cpu.max": "max 100000",
                                              "memory.max": "max"})
    assert sizing.default_jobs(root, proc) == 14
    assert sizing.default_jobs(tmp_path / "none", tmp_path / "none") == 14  # no cgroup files at all


def test_backend_choice(monkeypatch):
    monkeypatch.setenv("GRADING_BACKEND", "spawn")
    assert choose() == "spawn"
    monkeypatch.delenv("GRADING_BACKEND")
    monkeypatch.delattr(os, "fork")
    assert choose() == "spawn" and choose("fork") == "spawn"


def test_every_exit_is_explained():
    assert "sys.exit(7)" in Exit(code=7).describe()
    assert "interrupted" in Exit(code=2).describe()
    assert "out-of-memory" in Exit(signal=9).describe()
    assert "stack overflow" in Exit(code=0xC00000FD).describe()


# --- no fork: an interpreter like Windows' ------------------------------------------------

NO_FORK = """
import os, signal, multiprocessing
for name in ("fork", "killpg", "setpgid", "forkpty"):
    if hasattr(os, name):
        delattr(os, name)
for name in ("SIGALRM", "SIGKILL"):
    if hasattr(signal, name):
        delattr(signal, name)
multiprocessing.set_start_method("spawn", force=True)
"""


@pytest.fixture(scope="module")
def no_fork(tmp_path_factory) -> dict[str, str]:
    site = tmp_path_factory.mktemp("nofork")
    (site / "sitecustomize.py").write_text(NO_FORK)
    return {"PYTHONPATH": os.pathsep.join([str(site), str(KIT)])}


def test_without_fork_the_reference_gets_full_marks_and_the_skeleton_zero(no_fork, tmp_path):
    ref = grade("--target", "reference", "01", "06", json_path=tmp_path / "r.json", env=no_fork)
    assert ref.report is not None, ref.stderr
    assert ref.report["score"] == ref.report["max_score"] > 0, ref.stdout
    skel = grade("01", "06", json_path=tmp_path / "s.json", env=no_fork)
    assert skel.report is not None and skel.report["score"] == 0


@pytest.mark.parametrize("kind", ["endless_loop", "hard_exit", "killed", "sys_exit"])
def test_without_fork_a_broken_submission_costs_its_exercise_only(kind, no_fork, tmp_path, toy_graders):
    source, says = BROKEN[kind]
    if kind == "killed":  # signal.SIGKILL is gone there: the number
        source = "import os\nos.kill(os.getpid(), 9)\n"
    target = _target(tmp_path, textwrap.dedent(source) + GOOD_APP)
    run = grade("--graders", str(toy_graders), "--target", str(target), "--test-timeout", "3",
                "--time-limit", "20", json_path=tmp_path / "r.json", env=no_fork)
    assert run.report is not None, run.stderr
    toy, other = run.report["exercises"]
    assert other["score"] == other["max_score"] == 2, other
    assert toy["score"] == 0
    text = " ".join(t["message"] for t in toy["tests"]) + toy["problem"]
    assert says in text, text


HANGS_IN_ONE_TEST = '''
from grading import check, graded

@graded(points=1, task=1, hint="h")
def test_a_hang(submission):
    submission.hang()

@graded(points=1, task=1, hint="h")
def test_after_the_hang(submission):
    check(submission.VALUE == 42, "no", "42")
'''


def test_without_sigalrm_a_hung_test_is_named_and_the_rest_still_run(no_fork, tmp_path, toy_graders):
    (toy_graders / "01_toy" / "test_toy.py").write_text(HANGS_IN_ONE_TEST)
    target = _target(tmp_path, "def hang():\n    while True:\n        pass\n" + GOOD_APP)
    run = grade("--graders", str(toy_graders), "--target", str(target), "--test-timeout", "4",
                "--time-limit", "60", json_path=tmp_path / "r.json", env=no_fork)
    tests = run.tests()
    assert tests["test_a_hang"]["status"] == "timeout"
    assert "hung" in tests["test_a_hang"]["message"]
    assert tests["test_after_the_hang"]["status"] == "passed", tests["test_after_the_hang"]


# --- nothing outlives the grade -------------------------------------------------------------

DAEMON = '''
import os, sys, time
def _daemon(marker):
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            with open(marker, "w") as f:
                f.write(str(os.getpid()))
            time.sleep(600)
        os._exit(0)
    time.sleep(1)
_daemon({marker!r})
'''


def test_a_detached_daemon_is_gone_after_the_grade(toy_graders, tmp_path):
    marker = tmp_path / "daemon.pid"
    target = _target(tmp_path, DAEMON.format(marker=str(marker)) + GOOD_APP)
    run = grade("--graders", str(toy_graders), "--target", str(target), json_path=tmp_path / "r.json")
    assert run.report is not None, run.stderr
    pid = int(marker.read_text())
    assert not _alive(pid), f"daemon {pid} survived the grade"


def _alive(pid: int) -> bool:
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_workers_die_with_the_grading_process(toy_graders, tmp_path):
    """The grade is killed (OOM killer, a cancelled CI job): its workers and their children too."""
    import signal
    import subprocess

    marker = tmp_path / "child.pid"
    source = (f"import os, subprocess, sys, time\np = subprocess.Popen([sys.executable, '-c', "
              f"'import time; time.sleep(600)'])\nopen({str(marker)!r}, 'w').write(str(p.pid))\n"
              "time.sleep(600)\n")
    target = _target(tmp_path, source + GOOD_APP)
    proc = subprocess.Popen([sys.executable, "-m", "grading", "--graders", str(toy_graders), "--target",
                             str(target), "-q"], cwd=KIT, env={**os.environ, "PYTHONPATH": str(KIT)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    end = time.monotonic() + 60
    while not marker.exists() and time.monotonic() < end:
        time.sleep(0.2)
    assert marker.exists(), "the submission never started its child"
    time.sleep(0.3)
    child = int(marker.read_text())
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    end = time.monotonic() + 10
    while _alive(child) and time.monotonic() < end:
        time.sleep(0.2)
    assert not _alive(child), "a submission's child outlived the killed grading process"


# --- hidden graders stay hidden ------------------------------------------------------------

HIDDEN = '''
from grading import check, graded

@graded(points=1, task=1, hidden=True, hint="h")
def test_hidden_secret(submission):
    secret = "the hidden grader's own words, never shown"
    check(not secret, f"the app read {submission.SNOOPED!r}", "42")
'''

SNOOP = '''
import glob, os, grading
_found = []
for path in glob.glob(os.path.join(os.path.dirname(grading.__file__), "..", "graders", "*", "test_hidden_*.py")) + \\
        glob.glob({graders!r} + "/*/test_hidden_*.py"):
    try:
        _found.append(open(path).read())
    except OSError as exc:
        _found.append(f"could not read {{os.path.basename(path)}}: {{exc.strerror}}")
print("SNOOPED", _found)
SNOOPED = "".join(_found)
'''


def _hidden_kit() -> Path:
    """Graders and a snooping submission in folders an unprivileged user can reach
    (pytest's tmp_path is private to root)."""
    base = Path(tempfile.mkdtemp(prefix="hidden-test-"))
    graders = base / "graders"
    (graders / "01_toy").mkdir(parents=True)
    (graders / "conftest.py").write_text('pytest_plugins = ["grading.plugin"]\n')
    (graders / "01_toy" / "test_hidden_toy.py").write_text(HIDDEN)
    target = base / "target"
    (target / "01_toy").mkdir(parents=True)
    (target / "01_toy" / "app.py").write_text(SNOOP.format(graders=str(graders)) + GOOD_APP)
    for p in base.rglob("*"):
        p.chmod(0o755 if p.is_dir() else 0o644)
    base.chmod(0o755)
    return base


def _can_drop() -> bool:
    from grading.workers import contain

    ids = contain.unprivileged_ids()
    return ids is not None and contain.can_drop(*ids, [KIT / "grading"])


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="runs as root only")
@pytest.mark.parametrize("keep_root", [False, True], ids=["unprivileged worker", "redaction alone"])
def test_hidden_graders_stay_hidden_from_a_submission_that_reads_them(keep_root):
    import shutil

    if not keep_root and not _can_drop():
        pytest.skip("this Python or the kit is not readable by an unprivileged user (under /root?): "
                    "the worker keeps root here, and only the redaction protects")
    base = _hidden_kit()
    try:
        env = {"GRADING_KEEP_ROOT": "1"} if keep_root else {}
        run = grade("--graders", str(base / "graders"), "--target", str(base / "target"),
                    json_path=base / "r.json", env=env)
        assert run.report is not None, run.stderr
        (test,) = run.report["exercises"][0]["tests"]
        everything = run.stdout + run.stderr + (base / "r.json").read_text()
        assert "never shown" not in everything, test["message"]
        if keep_root:  # the worker read the file: only the redaction stands between
            assert "[hidden grader text]" in test["message"], test["message"]
        else:
            assert "Permission denied" in test["message"], test["message"]
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_hidden_lines_are_redacted(tmp_path):
    from grading.isolation import redact
    from grading.results import ExerciseResult, TestResult

    graders = tmp_path / "01_toy"
    graders.mkdir()
    (graders / "test_hidden_toy.py").write_text(HIDDEN)
    result = ExerciseResult(id="01_toy", output="echo: " + HIDDEN)
    result.tests = [TestResult(name="t", max_score=1, task=1, hint="", visibility="public", status="failed",
                               message=f"Observed: {HIDDEN!r}", nodeid="t")]
    assert redact(result, graders) >= 4
    assert "never shown" not in result.output + result.tests[0].message
    assert "[hidden grader text]" in result.tests[0].message
