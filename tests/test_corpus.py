"""The graders are right both ways: other correct solutions keep full marks, and typical
mistakes lose exactly the tests that name them.

Each folder tests/corpus/NN_slug/<variant>/ holds expected.toml (kind = "correct" | "wrong",
why, fails = [...]) with edits to reference/NN_slug/ (or the skeleton), and files laid over
it; kit.corpus builds it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kit import corpus

from conftest import KIT

# `nox -s corpus -- 06` (CORPUS=06) builds and grades only that exercise's variants.
VARIANTS = corpus.variants(only=corpus.selected())


def _label(v: Path) -> str:
    return f"{v.parent.name}__{v.name}"


@pytest.fixture(scope="session")
def corpus_results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """Grade every variant in one batch: each (variant, exercise) is its own isolated job."""
    root = tmp_path_factory.mktemp("corpus")
    args = []
    for v in VARIANTS:
        target = root / "targets" / _label(v)
        corpus.lay_out(v, target)
        args.append(f"{_label(v)}={target}")
    out = root / "results"
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": str(KIT)}
    subprocess.run([sys.executable, "-m", "kit.batch", "--present-only", "--results", str(out), *args],
                   cwd=KIT, env=env, check=True, timeout=1800)
    return {_label(v): json.loads((out / f"{_label(v)}.json").read_text()) for v in VARIANTS}


# The first variant's test pays for grading the whole corpus (the session fixture).
@pytest.mark.timeout(1800)
@pytest.mark.parametrize("variant", VARIANTS, ids=_label)
def test_corpus_variant_scores_as_declared(variant: Path, corpus_results):
    expected = corpus.expected(variant)
    report = corpus_results[_label(variant)]
    tests = {t["name"]: t for e in report["exercises"] for t in e["tests"]}
    assert tests, f"{_label(variant)} was not graded"
    failing = {n for n, t in tests.items() if t["status"] not in ("passed", "skipped")}
    # A test skipped here (no browser, no node) is not verified either way.
    skipped = {n for n, t in tests.items() if t["status"] == "skipped"}
    messages = {n: tests[n]["message"] for n in failing}
    if expected["kind"] == "correct":
        assert failing == set(), f"a correct solution ({expected['why']}) lost points: {messages}"
    else:
        assert failing == set(expected["fails"]) - skipped, (
            f"{expected['why']}: expected exactly {sorted(expected['fails'])} to fail, got {messages}"
        )
        for name in failing:
            assert "Traceback" not in messages[name]
    for name, text in expected.get("says", {}).items():
        assert text in tests[name]["message"], f"{name}'s feedback does not say {text!r}: {tests[name]['message']}"


@pytest.mark.parametrize("variant", VARIANTS, ids=_label)
def test_corpus_variant_builds(variant: Path, tmp_path: Path):
    """Its edits still apply to the reference (or skeleton) as it is now, and give Python."""
    folder = corpus.lay_out(variant, tmp_path)
    for f in folder.rglob("*.py"):
        compile(f.read_text(encoding="utf-8"), str(f), "exec")


def test_every_exercise_has_a_corpus():
    if corpus.selected():
        pytest.skip("a selected corpus (CORPUS=...) is not the whole corpus")
    exercises = sorted(p.name for p in (KIT / "graders").iterdir() if p.is_dir() and p.name[:2].isdigit())
    for ex in exercises:
        kinds = [corpus.expected(v)["kind"] for v in VARIANTS if v.parent.name == ex]
        assert kinds.count("correct") >= 2 or ex == "11_testing_async", f"{ex}: fewer than 2 other correct solutions"
        assert kinds.count("wrong") >= 3, f"{ex}: fewer than 3 typical mistakes"


@pytest.mark.timeout(1800)
def test_unproven_graded_tests_do_not_grow(corpus_results):
    """Every graded test should be failed by some corpus mistake (kit/coverage.py); the ones
    not yet are listed in tests/unproven.txt, and that list may only shrink."""
    from kit.coverage import coverage, graded_of, read_baseline

    cov = coverage([graded_of(v.name, v.parent.name, corpus.expected(v)["kind"], corpus_results[_label(v)],
                              corpus.expected(v).get("fails"))
                    for v in VARIANTS])

    def skipped_here(v: Path) -> set[str]:
        tests = [t for e in corpus_results[_label(v)]["exercises"] for t in e["tests"]]
        return {t["name"] for t in tests if t["status"] == "skipped"}

    # A mistake only a skipped test (no browser here) catches is not idle.
    idle = [f"{v.parent.name}/{v.name}" for v in VARIANTS if f"{v.parent.name}/{v.name}" in cov.idle_mistakes
            and set(corpus.expected(v)["fails"]) - skipped_here(v)]
    assert not idle, f"corpus mistakes that fail no graded test: {idle}"
    grown = sorted(set(cov.unproven) - read_baseline())
    assert not grown, (f"graded tests no corpus mistake fails, not in tests/unproven.txt: {grown} "
                       "(add a mistake that fails each, or list it there)")
