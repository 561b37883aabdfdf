"""Mistake coverage: which corpus mistakes fail each graded test.

A graded test that no corpus mistake fails has not shown that it can catch anything: it is
*unproven*. A mistake that fails no test is a corpus defect (or a grader gap). ``nox -s
verify -- --coverage`` prints the table; the corpus tests keep the list of unproven tests
from growing (``tests/unproven.txt``, one ``NN_slug::test_name`` a line).

Everything here works on graded results as the JSON reports hold them: for each variant,
its exercise, its kind and each test's status.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from grading.target import KIT_ROOT

BASELINE = KIT_ROOT / "tests" / "unproven.txt"


@dataclass
class Graded:
    """One graded variant: its exercise, kind ("correct"/"wrong") and test -> status."""

    variant: str
    exercise: str
    kind: str
    statuses: dict[str, str]
    declared: set[str] | None = None  # the tests the variant says it fails (expected.toml)

    @property
    def failing(self) -> set[str]:
        """The tests it failed; of a declared mistake, only those it declares (a test that
        failed by accident, say timed out on a loaded machine, proves nothing)."""
        failed = {n for n, s in self.statuses.items() if s not in ("passed", "skipped")}
        return failed if self.declared is None else failed & self.declared


@dataclass
class Coverage:
    proven: dict[str, list[str]] = field(default_factory=dict)  # "NN::test" -> mistakes failing it
    unproven: list[str] = field(default_factory=list)  # tests no mistake fails
    not_run: list[str] = field(default_factory=list)  # tests skipped in every variant (no browser...)
    idle_mistakes: list[str] = field(default_factory=list)  # mistakes failing no test

    @property
    def tests(self) -> int:
        return len(self.proven) + len(self.unproven)


def graded_of(variant: str, exercise: str, kind: str, report: dict, declared: list[str] | None = None) -> Graded:
    """From a JSON report (``grade --json``) of one variant."""
    statuses = {t["name"]: t["status"] for e in report["exercises"] if e["id"] == exercise for t in e["tests"]}
    return Graded(variant, exercise, kind, statuses, None if declared is None else set(declared))


def coverage(results: list[Graded]) -> Coverage:
    cov = Coverage()
    tests: dict[str, set[str]] = {}  # key -> statuses seen
    for g in results:
        for name, status in g.statuses.items():
            tests.setdefault(f"{g.exercise}::{name}", set()).add(status)
    for key in sorted(tests):
        cov.proven[key] = []
    for g in results:
        if g.kind != "wrong":
            continue
        if not g.failing:
            cov.idle_mistakes.append(f"{g.exercise}/{g.variant}")
        for name in sorted(g.failing):
            cov.proven[f"{g.exercise}::{name}"].append(g.variant)
    for key in list(cov.proven):
        if cov.proven[key]:
            continue
        del cov.proven[key]
        (cov.not_run if tests[key] == {"skipped"} else cov.unproven).append(key)
    return cov


def read_baseline(path: Path = BASELINE) -> set[str]:
    if not path.is_file():
        return set()
    lines = (ln.split("#", 1)[0].strip() for ln in path.read_text(encoding="utf-8").splitlines())
    return {ln for ln in lines if ln}


def table(cov: Coverage) -> list[str]:
    """Lines of text: each test with the mistakes that fail it, then the totals."""
    width = max((len(k) for k in [*cov.proven, *cov.unproven, *cov.not_run]), default=10)
    lines = []
    for key in sorted([*cov.proven, *cov.unproven, *cov.not_run]):
        if key in cov.proven:
            names = cov.proven[key]
            shown = ", ".join(names[:4]) + (f", +{len(names) - 4}" if len(names) > 4 else "")
            lines.append(f"{key:<{width}}  {len(names):>2}  {shown}")
        elif key in cov.not_run:
            lines.append(f"{key:<{width}}   -  (skipped here: not run, not counted)")
        else:
            lines.append(f"{key:<{width}}   0  UNPROVEN: no corpus mistake fails it")
    lines.append("")
    lines.append(f"graded tests: {cov.tests}; proven (failed by >= 1 mistake): {len(cov.proven)}; "
                 f"unproven: {len(cov.unproven)}; not run here: {len(cov.not_run)}; "
                 f"mistakes failing no test: {len(cov.idle_mistakes)}")
    return lines
