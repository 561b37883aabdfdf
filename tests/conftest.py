"""Helpers for the kit's own tests: run the grader the way users do and read its JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

KIT = Path(__file__).resolve().parent.parent

# The corpus holds submissions (11's among them are test files): graded, never collected.
collect_ignore = ["corpus"]


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    report: dict | None

    def tests(self) -> dict[str, dict]:
        assert self.report is not None, self.stderr
        return {t["name"]: t for e in self.report["exercises"] for t in e["tests"]}


def grade(*args: str, cwd: Path = KIT, timeout: float = 600, json_path: Path | None = None,
          env: dict[str, str] | None = None) -> Run:
    """`python -m grading ARGS --json PATH`, as `nox -s grade -- ARGS` runs it (``env``: extra variables)."""
    cmd = [sys.executable, "-m", "grading", *args]
    if json_path is not None:
        cmd += ["--json", str(json_path)]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": str(KIT), "COLUMNS": "200", **(env or {})}
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)
    report = json.loads(json_path.read_text()) if json_path is not None and json_path.exists() else None
    return Run(proc.returncode, proc.stdout, proc.stderr, report)


@pytest.fixture(scope="session")
def reference_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return grade("--target", "reference", json_path=tmp_path_factory.mktemp("ref") / "r.json")


@pytest.fixture(scope="session")
def skeleton_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return grade(json_path=tmp_path_factory.mktemp("skel") / "s.json")
