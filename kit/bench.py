"""`nox -s bench`: how long a full grade of the reference takes, and what isolation costs.

Prints the median of N runs (default 3; `--load` keeps every core busy meanwhile) of
  1. `python -m grading --target reference` with each worker backend side by side (`fork`,
     where the OS has it, and `spawn`; `--backend spawn` times spawn only against fork), and
  2. the same graders in one plain `pytest` process (no isolation, one after another).

`--class N` instead times `gradebook` over a class of N submissions (the reference, the
skeleton, then the corpus's wrong solutions, each a whole repository) and checks the CSV:
every student's points per exercise must be what the corpus declares.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from grading.target import KIT_ROOT
from grading.workers import contain


def _time(cmd: list[str]) -> tuple[float, int]:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": str(KIT_ROOT)}
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=KIT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start, proc.returncode


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="nox -s bench --")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--target", default="reference")
    p.add_argument("--load", action="store_true", help="keep every core busy with a CPU burner meanwhile")
    p.add_argument("--class", dest="klass", type=int, metavar="N", help="time gradebook over N submissions")
    p.add_argument("--backend", choices=("fork", "spawn"), action="append",
                   help="worker backends to time (default: both where fork exists)")
    p.add_argument("--no-plain", action="store_true", help="skip the plain pytest run")
    args = p.parse_args(argv)
    burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(os.cpu_count() or 1)] \
        if args.load else []
    try:
        return _bench_class(args.klass) if args.klass else _bench(args)
    finally:
        for b in burners:
            b.kill()


def _bench(args: argparse.Namespace) -> int:
    target = str((KIT_ROOT / args.target).resolve()) if not Path(args.target).is_absolute() else args.target
    backends = ["fork", "spawn"] if hasattr(os, "fork") else ["spawn"]
    if args.backend and hasattr(os, "fork"):
        backends = ["fork", *(b for b in args.backend if b != "fork")]
    with tempfile.TemporaryDirectory() as tmp:
        commands = {f"grade, {b} workers": [sys.executable, "-m", "grading", "--target", target, "-q",
                                            "--backend", b, "--json", f"{tmp}/r.json"] for b in backends}
        if not args.no_plain:
            commands["plain pytest (one process)"] = [sys.executable, "-m", "pytest", "-q", "-p", "grading.plugin",
                                                      "-p", "no:cacheprovider", f"--grading-target={target}",
                                                      "-o", "timeout=60", str(KIT_ROOT / "graders")]
        medians: dict[str, float] = {}
        load = ", every core loaded" if args.load else ""
        print(f"{'':28} {'median':>8}  runs (s)  [{os.cpu_count()} cores{load}, target {args.target}]")
        for name, cmd in commands.items():
            times, codes = [], []
            for _ in range(args.runs):
                t, code = _time(cmd)
                times.append(t)
                codes.append(code)
            runs = " ".join(f"{t:.1f}" for t in times)
            note = "" if set(codes) == {0} else f"  (exit codes {codes}: not every test passed)"
            medians[name] = statistics.median(times)
            rss = contain.peak_child_rss()
            peak = f"  [largest process so far: {rss / 2**20:.0f} MB RSS]" if rss else ""
            print(f"{name:28} {medians[name]:7.1f}s  {runs}{note}{peak}", flush=True)
        if "grade, fork workers" in medians and "grade, spawn workers" in medians:
            print(f"spawn / fork: {medians['grade, spawn workers'] / medians['grade, fork workers']:.2f}x")
    return 0


def _class_of(n: int, root: Path) -> dict[str, dict[str, set[str]]]:
    """N student repositories under ``root``; for each, the tests expected to fail per exercise."""
    import shutil

    from kit import corpus

    exercises = sorted(p.name for p in (KIT_ROOT / "reference").iterdir() if p.is_dir())
    expected: dict[str, dict[str, set[str]]] = {}

    def student(label: str, base: str, variant: Path | None = None) -> None:
        repo = root / label / "exercises"
        for ex in exercises:
            if variant is None or ex != variant.parent.name:
                shutil.copytree(KIT_ROOT / base / ex, repo / ex)
        if variant is not None:
            corpus.lay_out(variant, repo)
            expected[label] = {variant.parent.name: set(corpus.expected(variant)["fails"])}
        else:
            expected[label] = {}

    student("s01_reference", "reference")
    student("s02_skeleton", "exercises")
    expected["s02_skeleton"] = {ex: {"*"} for ex in exercises}
    wrong = [v for v in corpus.variants() if corpus.expected(v)["kind"] == "wrong"]
    step = max(1, len(wrong) // max(1, n - 2))
    for i, variant in enumerate(wrong[::step][: n - 2], start=3):
        student(f"s{i:02d}_{variant.parent.name[:2]}_{variant.name}", "reference", variant)
    return expected


def _bench_class(n: int) -> int:
    import csv
    import json

    with tempfile.TemporaryDirectory() as tmp:
        klass, out = Path(tmp) / "class", Path(tmp) / "book"
        expected = _class_of(n, klass)
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "kit.gradebook", str(klass), "--out", str(out)], cwd=KIT_ROOT,
                              env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": str(KIT_ROOT)},
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        wall = time.perf_counter() - start
        if proc.returncode != 0:
            print(f"gradebook failed ({proc.returncode}): {proc.stderr[-500:]}")
            return 1
        rows = {r["student"]: r for r in csv.DictReader(open(out / "gradebook.csv", encoding="utf-8"))}
        wrong = []
        for label, fails_by_ex in expected.items():
            report = json.loads((out / "results" / f"{label}.json").read_text())
            for e in report["exercises"]:
                fails = fails_by_ex.get(e["id"], set())
                want = 0 if fails == {"*"} else sum(t["max_score"] for t in e["tests"] if t["status"] != "skipped"
                                                    and t["name"] not in fails)
                got = float(rows[label][e["id"]])
                if abs(got - want) > 1e-9:
                    wrong.append(f"{label} {e['id']}: {got:g} in the CSV, {want:g} expected")
        jobs = len(expected) * len(next(iter(json.loads((out / "results" / f"{label}.json").read_text())
                                              ["exercises"] for label in expected)))
        print(f"gradebook: {len(expected)} submissions × {jobs // len(expected)} exercises = {jobs} isolated jobs "
              f"on {os.cpu_count()} cores: {wall:.1f} s ({wall / len(expected):.1f} s a submission)")
        print("CSV: every score as the corpus declares" if not wrong else "CSV MISMATCHES:\n  " + "\n  ".join(wrong))
        return 0 if not wrong else 1


if __name__ == "__main__":
    sys.exit(main())
