"""The driver: a worker of its own (spawned by ``control``) that runs every planned run of
the learner's suite on the engine's pool (``grading.workers.run``): each run a fork of the
driver (warm: it imported pytest, FastAPI and httpx once) or a spawned worker, PARALLEL at
once, each under the run's time limit, its whole process tree ended when it ends."""

from __future__ import annotations

import importlib.metadata
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from grading import workers
from grading.probes.suite.control import DRIVER_PRELOAD
from grading.probes.suite.records import slug
from grading.target import KIT_ROOT

INI = """[pytest]
asyncio_mode = auto
asyncio_default_fixture_loop_scope = function
asyncio_default_test_loop_scope = function
enable_assertion_pass_hook = true
"""


def _prepare(spec: dict, run: dict) -> workers.Task:
    """A copy of the learner's folder with the run's files laid over it, and its task."""
    folder = Path(spec["folder"])
    work = Path(tempfile.mkdtemp(prefix="run-", dir=spec["scratch"]))
    copy = work / folder.name
    shutil.copytree(folder, copy, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache", "*.pyc"))
    for rel, text in run["files"].items():
        (copy / rel).write_text(text, encoding="utf-8")
    (work / "pytest.ini").write_text(INI)
    args = {"copy": str(copy), "ini": str(work / "pytest.ini"), "log": str(work / "output.log"),
            "result": str(_result_path(spec, run)), "label": run["label"],
            "test_time_limit": spec["test_time_limit"]}
    return workers.Task("grading.probes.suite.run:run_one", args, work / "output.log", copy,
                        {"TMPDIR": str(work), "TEMP": str(work), "TMP": str(work)})


def _result_path(spec: dict, run: dict) -> Path:
    return Path(spec["out"]) / f"{slug(run['label'])}.json"


def _write(path: Path, data: dict) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data))
    tmp.replace(path)


def main(spec: dict) -> int:
    for name in ("PYTEST_ADDOPTS", "PYTEST_PLUGINS"):
        os.environ.pop(name, None)
    # The learner's modules must not meet the graders'.
    graders = KIT_ROOT / "graders"
    sys.path[:] = [p for p in sys.path if not Path(p or ".").resolve().is_relative_to(graders)]
    workers.import_quietly(DRIVER_PRELOAD)
    for ep in importlib.metadata.entry_points(group="pytest11"):
        try:
            ep.load()
        except Exception:  # noqa: BLE001, S110
            pass
    chosen = workers.backend(preload=(), spares=spec["parallel"])
    for run, ended, _ in workers.run(list(spec["runs"]), lambda r: _prepare(spec, r),
                                     lambda _: spec["run_time_limit"], spec["parallel"], chosen):
        path = _result_path(spec, run)
        if ended.timed_out:
            _write(path, {"label": run["label"], "status": "timeout",
                          "output": f"the test run was stopped after {spec['run_time_limit']:.0f} s"})
        elif not path.exists():
            _write(path, {"label": run["label"], "status": "crashed", "exit_code": ended.code,
                          "output": "the test run stopped before it finished (crashed or exited)"})
    return 0
