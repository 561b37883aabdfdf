"""Planning runs (in the grader's process): grader modules declare their mutants when
imported (``plan``), so that the first test to ask starts every planned run in the
background and each test then waits only for its own (``runner_for(folder).result(label)``)."""

from __future__ import annotations

from pathlib import Path

from grading.probes.suite.control import SuiteRunner
from grading.probes.suite.mutants import Mutant

_planned: dict[str, Mutant] = {}
_runners: dict[Path, SuiteRunner] = {}


def plan(mutants: list[Mutant]) -> None:
    """Declare mutants a grader module will ask about (call at import time)."""
    for m in mutants:
        _planned.setdefault(m.name, m)


def close_all() -> None:
    """Stop every driver and remove its scratch folder (the plugin calls this at the end of
    a grading run: workers leave with os._exit, which runs no atexit handler)."""
    for runner in _runners.values():
        runner.close()
    _runners.clear()


def runner_for(folder: Path) -> SuiteRunner:
    folder = folder.resolve()
    runner = _runners.get(folder)
    if runner is None:
        runner = _runners[folder] = SuiteRunner(folder, list(_planned.values()))
        runner.start()
    return runner
