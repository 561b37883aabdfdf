"""Grading right on every learner's machine, tested here by forcing the other platforms'
paths, encodings and installs."""

from __future__ import annotations

import asyncio
import ntpath
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grading.feedback import where_in
from grading.probes import browser, handles, paths
from grading.probes.blocking import BlockingRecorder, SleepRecorder
from grading.probes.clients import record_clients

from conftest import KIT, grade

# A learner's folder as Windows spells it in three places: the kit's Path, the compiler's
# co_filename (other case, other separator), a sibling folder that must not match.
ROOT = r"C:\Users\Ada\kit\exercises\06_cpu_bound"
APP = r"c:\users\ada\KIT\exercises\06_cpu_bound\app.py"
SIBLING = r"C:\Users\Ada\kit\exercises\06_cpu_bound_old\app.py"


@pytest.fixture
def windows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(paths, "normcase", ntpath.normcase)


def learner_code(source: str, filename: str = APP) -> dict:
    """Functions whose frames carry ``filename``, as the learner's app.py's would."""
    namespace: dict = {"time": time}
    exec(compile(source, filename, "exec"), namespace)
    return namespace


def test_windows_paths_match_whatever_the_case_and_separator(windows):
    files = paths.LearnerFiles([ROOT], resolve=False)
    for name in (APP, ROOT + r"\app.py", "C:/Users/Ada/kit/exercises/06_cpu_bound/app.py", ROOT + r"\sub\Work.py"):
        assert name in files, name
    assert SIBLING not in files
    assert r"D:\Users\Ada\kit\exercises\06_cpu_bound\app.py" not in files
    assert files.relative(ROOT + r"\sub\Work.py") == "sub/Work.py"
    assert files.relative(SIBLING) is None
    assert paths.basename(APP) == "app.py"
    assert paths.ends_with(r"C:\Python313\Lib\site-packages\respx\router.py", "respx/router.py")


def test_posix_paths_keep_their_case():
    files = paths.LearnerFiles(["/home/ada/06_cpu_bound"], resolve=False)
    assert "/home/ada/06_cpu_bound/app.py" in files
    assert "/home/ada/06_CPU_bound/app.py" not in files
    assert "/home/ada/06_cpu_bound_old/app.py" not in files


async def test_blocking_call_is_blamed_on_learner_code_with_windows_paths(windows):
    code = learner_code("def pause():\n    time.sleep(0)\n")
    recorder = BlockingRecorder([ROOT])
    recorder.start()
    try:
        code["pause"]()
    finally:
        recorder.disarm()
    assert [c.describe() for c in recorder.calls] == ["time.sleep (0 s) from app.py, line 2, in pause"]


def test_sleep_recorder_sees_windows_paths(windows):
    code = learner_code("def pause():\n    time.sleep(0)\n")
    with SleepRecorder([ROOT]) as sleeps:
        code["pause"]()
    assert [c.where for c in sleeps.calls] == ["app.py, line 2, in pause"]


def test_exception_is_located_in_learner_code_with_windows_paths(windows):
    code = learner_code("def boom():\n    raise KeyError('x')\n")
    try:
        code["boom"]()
    except KeyError as exc:
        assert where_in(exc, [ROOT]) == "app.py, line 2, in boom"
        assert where_in(exc, [r"C:\Users\Ada\kit\exercises\07_blocking_io"]) == ""


async def test_httpx_clients_built_by_learner_code_are_seen_with_windows_paths(windows):
    code = learner_code("import httpx\ndef build():\n    return httpx.AsyncClient(timeout=5)\n")
    with record_clients([ROOT]) as clients:
        client = code["build"]()
    await client.aclose()
    assert [(b.kind, b.where) for b in clients.built] == [("AsyncClient", "app.py, line 3, in build")]


def test_asyncio_is_not_blamed(windows):
    # The loop's own frames never lie in the learner's folder.
    assert asyncio.__file__ not in paths.LearnerFiles([ROOT], resolve=False)


# --- consoles that cannot show the icons (Windows, output piped: cp1252) -------------------

REPORT_SCRIPT = """
from grading.reporters.terminal import TerminalReporter
from grading.results import ExerciseResult, GradeReport, TestResult
failed = TestResult("test_a", 2, 1, "Hint: use ≈ a pool ✔", status="failed", message="Observed: 日本 ≈ ✘\\nExpected: ✔")
ok = TestResult("test_b", 1, 1, "h", status="passed")
report = GradeReport("exercises", [ExerciseResult("06_cpu_bound", [failed, ok]),
                                   ExerciseResult("07_blocking_io", [TestResult("t", 1, 1, "h", status="passed")])])
reporter = TerminalReporter()
reporter.started("06_cpu_bound")
for e in report.exercises:
    reporter.finished(e)
reporter.summary(report)
print("REPORTS WRITTEN")
"""


def test_terminal_output_survives_a_cp1252_console():
    env = {**os.environ, "PYTHONIOENCODING": "cp1252", "PYTHONPATH": str(KIT), "COLUMNS": "120"}
    proc = subprocess.run([sys.executable, "-c", REPORT_SCRIPT], capture_output=True, env=env, timeout=60)
    out = proc.stdout.decode("cp1252")
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    assert "~ 06_cpu_bound" in out and "+ 07_blocking_io" in out  # ASCII icons
    assert "Observed: ?? ~ x" in out  # what cp1252 cannot show becomes "?", never an error
    assert "REPORTS WRITTEN" in out


def test_terminal_output_keeps_its_icons_on_a_utf8_console():
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONPATH": str(KIT), "COLUMNS": "120"}
    proc = subprocess.run([sys.executable, "-c", REPORT_SCRIPT], capture_output=True, env=env, timeout=60)
    out = proc.stdout.decode("utf-8")
    assert "◐ 06_cpu_bound" in out and "✔ 07_blocking_io" in out and "日本" in out


# --- open files (08: nothing holds the database open) -------------------------------------


def test_open_handles_sees_a_file_until_it_is_closed(tmp_path):
    db = tmp_path / "users.db"
    db.write_bytes(b"")
    with open(db, "rb"), open(tmp_path / "users.db-journal", "wb"):
        assert sorted(Path(p).name for p in handles.open_handles(db)) == ["users.db", "users.db-journal"]
    assert handles.open_handles(db) == []


@pytest.mark.parametrize("means", ["_psutil_files", "_proc_files"])
def test_open_handles_works_with_each_means_alone(tmp_path, monkeypatch, means):
    for other in {"_psutil_files", "_proc_files", "_dev_fd_files"} - {means}:
        monkeypatch.setattr(handles, other, lambda: None)
    db = tmp_path / "users.db"
    with open(db, "wb"):
        assert handles.open_handles(db) == [str(db.resolve())]


def test_open_handles_never_passes_when_it_cannot_look(tmp_path, monkeypatch):
    for means in ("_psutil_files", "_proc_files", "_dev_fd_files"):
        monkeypatch.setattr(handles, means, lambda: None)
    monkeypatch.setattr(handles, "WINDOWS", False)
    with pytest.raises(handles.CannotTell):
        handles.open_handles(tmp_path / "users.db")


def test_open_handles_on_windows_falls_back_to_a_rename(tmp_path, monkeypatch):
    db = tmp_path / "users.db"
    db.write_bytes(b"")
    (tmp_path / "users.db-wal").write_bytes(b"")
    monkeypatch.setattr(handles, "WINDOWS", True)
    monkeypatch.setattr(handles, "_psutil_files", lambda: [])  # psutil saw nothing (it may miss handles)
    held = {str(db)}
    real_rename = os.rename

    def rename(src, dst):  # Windows refuses to rename an open SQLite file
        if str(src) in held:
            raise PermissionError(13, "The process cannot access the file", str(src))
        real_rename(src, dst)

    monkeypatch.setattr(handles.os, "rename", rename)
    assert handles.open_handles(db) == [str(db)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["users.db", "users.db-wal"]  # renamed back


# --- browser discovery (10's chat page) ----------------------------------------------------


def machine(files: set[str], on_path: dict[str, str] | None = None):
    """``which`` and ``is_file`` of a machine holding ``files`` (and ``on_path`` commands)."""
    on_path = on_path or {}
    return {"which": on_path.get, "is_file": files.__contains__}


WINDOWS_ENV = {"PROGRAMFILES": r"C:\Program Files", "ProgramFiles(x86)": r"C:\Program Files (x86)",
               "LOCALAPPDATA": r"C:\Users\Ada\AppData\Local"}


@pytest.mark.parametrize(("platform", "env", "files", "on_path", "want"), [
    ("linux", {}, set(), {"chromium": "/usr/bin/chromium"}, "/usr/bin/chromium"),  # Debian
    ("linux", {}, set(), {"chromium-browser": "/usr/bin/chromium-browser"}, "/usr/bin/chromium-browser"),  # Fedora
    ("linux", {}, {"/snap/bin/chromium"}, {}, "/snap/bin/chromium"),  # Ubuntu's snap, /snap/bin not on PATH
    ("linux", {}, {"/opt/google/chrome/chrome"}, {}, "/opt/google/chrome/chrome"),
    ("linux", {}, set(), {"google-chrome": "/usr/bin/google-chrome", "microsoft-edge": "/usr/bin/microsoft-edge"},
     "/usr/bin/google-chrome"),
    ("darwin", {"HOME": "/Users/ada"}, {"/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"}, {},
     "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"),
    ("darwin", {"HOME": "/Users/ada"}, {"/Users/ada/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"},
     {}, "/Users/ada/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"),
    ("darwin", {}, {"/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge"}, {},
     "/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge"),
    ("win32", WINDOWS_ENV, {r"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe"}, {},
     r"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe"),
    ("win32", WINDOWS_ENV, {r"C:\Users\Ada\AppData\Local\Google\Chrome\Application\chrome.exe",
                            r"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe"}, {},
     r"C:\Users\Ada\AppData\Local\Google\Chrome\Application\chrome.exe"),
])
def test_browser_is_found_where_each_os_installs_it(platform, env, files, on_path, want):
    found = browser.find_browser(platform, env, **machine(files, on_path))
    assert found.browser is not None, found.note
    assert found.browser.launch_options() == {"executable_path": want}


@pytest.mark.parametrize(("platform", "advice"), [("linux", "apt-get install -y chromium"),
                                                  ("linux", "dnf install -y chromium"),
                                                  ("darwin", "Google Chrome"), ("win32", "Microsoft Edge")])
def test_no_browser_says_how_to_install_one(platform, advice):
    found = browser.find_browser(platform, {}, **machine(set()))
    assert found.browser is None
    assert advice in found.note and "GRADING_BROWSER" in found.note


def test_grading_browser_overrides_discovery():
    there = machine({"/opt/brave/brave"}, {"chromium": "/usr/bin/chromium", "vivaldi": "/usr/bin/vivaldi"})
    pick = lambda value: browser.find_browser("linux", {"GRADING_BROWSER": value}, **there)  # noqa: E731
    assert pick("/opt/brave/brave").browser.launch_options() == {"executable_path": "/opt/brave/brave"}
    assert pick("vivaldi").browser.launch_options() == {"executable_path": "/usr/bin/vivaldi"}
    assert pick("msedge").browser.launch_options() == {"channel": "msedge"}
    assert pick("Chrome").browser.launch_options() == {"channel": "chrome"}
    assert pick("none").browser is None and "turned off" in pick("none").note
    missing = pick("/nowhere/chrome")
    assert missing.browser is None and "/nowhere/chrome" in missing.note


@pytest.mark.timeout(600)
def test_browser_test_skipped_whatever_the_submission_holds(tmp_path, monkeypatch):
    """No browser here: the browser test is skipped for a missing exercise and for one that kills
    its grading process before the test runs, so every submission has the same maximum."""
    monkeypatch.setenv("GRADING_BROWSER", "none")
    exiting = tmp_path / "exits" / "10_websockets"
    exiting.mkdir(parents=True)
    (exiting / "app.py").write_text("import os\nos._exit(3)\n")
    (tmp_path / "missing").mkdir()
    maxima = []
    for target in ("missing", "exits"):
        run = grade("--target", str(tmp_path / target), "10", json_path=tmp_path / f"{target}.json")
        test = run.tests()["test_page_chats_in_a_real_browser"]
        assert test["status"] == "skipped" and "turned off" in test["message"], test
        maxima.append(run.report["max_score"])
    assert maxima[0] == maxima[1]


# --- the kit's own CI ----------------------------------------------------------------------

WORKFLOW = KIT / ".github" / "workflows" / "kit.yml"


def check_workflow(path: Path) -> subprocess.CompletedProcess:
    """check-jsonschema against its vendored GitHub workflow schema: offline."""
    return subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows",
                           str(path)], capture_output=True, text=True, timeout=120)


def test_kit_workflow_is_a_valid_github_workflow():
    proc = check_workflow(WORKFLOW)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_kit_workflow_check_catches_a_broken_workflow(tmp_path):
    broken = tmp_path / "kit.yml"
    broken.write_text(WORKFLOW.read_text().replace("runs-on:", "runs_on:"))
    assert check_workflow(broken).returncode != 0


def test_kit_workflow_runs_verify_and_tests_on_every_platform_and_python():
    from ruamel.yaml import YAML

    job = YAML(typ="safe").load(WORKFLOW.read_text())["jobs"]["kit"]
    matrix = job["strategy"]["matrix"]
    assert matrix["os"] == ["ubuntu-latest", "macos-latest", "windows-latest"]
    assert matrix["python"] == ["3.11", "3.12", "3.13", "3.14"]
    commands = [step.get("run", "") for step in job["steps"]]
    assert "nox -s verify" in commands and "nox -s tests" in commands
