"""`nox -s startmethods`: grade the reference under every multiprocessing start method.

    python -m kit.startmethods [EXERCISE ...] [--repeat N] [--methods spawn,forkserver] [--target DIR]

Learners' machines differ in how ``multiprocessing`` starts processes: fork (Linux up to
Python 3.13), forkserver (Linux from 3.14), spawn (macOS, Windows). Each method is forced
in the graded code through ``GRADING_MP_START`` (read by the grading plugin at start-up),
the target is graded N times per method, each run a `python -m grading` of its own (as
learners run it: a spawned pool re-imports the main module, and `grading`'s is the one
learners have), and the figures are printed: how many runs earned full marks, the scores,
and each test that ever failed with its first message. Exit status 1 when a run lost points.
Run it on another Python with `nox -P 3.13 -s startmethods -- ...`.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from grading.isolation import DEFAULT_JOBS
from grading.plugin import START_METHOD_ENV
from grading.target import KIT_ROOT, TargetError, exercise_ids, resolve_target, select


def grade_once(target: Path, exercises: list[str], method: str, out: Path) -> dict:
    """One `python -m grading` of ``target`` with ``method`` forced; its JSON report."""
    env = {**os.environ, START_METHOD_ENV: method, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": str(KIT_ROOT)}
    proc = subprocess.run([sys.executable, "-m", "grading", "--target", str(target), *exercises, "--quiet",
                           "--jobs", "1", "--json", str(out)], cwd=KIT_ROOT, env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    if out.exists():
        return json.loads(out.read_text())
    last = (proc.stderr.strip().splitlines() or [f"exit status {proc.returncode}"])[-1]
    return {"score": 0, "max_score": 0, "exercises": [], "error": f"grading did not run: {last}"}


def failures(runs: list[dict]) -> dict[str, list[str]]:
    """Test → the first lines of its failures, for tests that failed in some run."""
    seen: dict[str, list[str]] = {}
    for run in runs:
        for e in run["exercises"]:
            for t in e["tests"]:
                if t["status"] not in ("passed", "skipped"):
                    first = t["message"].splitlines()[0] if t["message"] else ""
                    seen.setdefault(f"{e['id']} › {t['name']}", []).append(f"{t['status']}: {first}")
    return seen


def main(argv: list[str] | None = None) -> int:
    available = multiprocessing.get_all_start_methods()
    p = argparse.ArgumentParser(prog="nox -s startmethods --", description=__doc__.splitlines()[0])
    p.add_argument("exercises", nargs="*", help="exercises to grade (default: 06)")
    p.add_argument("--repeat", type=int, default=5, metavar="N", help="runs per start method (default: %(default)s)")
    p.add_argument("--methods", default=",".join(available),
                   help="start methods to force, comma-separated (default here: %(default)s)")
    p.add_argument("--target", default="reference", help="folder graded (default: %(default)s)")
    p.add_argument("--jobs", type=int, default=DEFAULT_JOBS, help="runs graded at once (default: %(default)s)")
    args = p.parse_args(argv)
    try:
        chosen = select(exercise_ids(KIT_ROOT / "graders"), args.exercises or ["06"])
        target = resolve_target(args.target)
        methods = [m.strip() for m in args.methods.split(",") if m.strip()]
        unknown = [m for m in methods if m not in available]
        if unknown or not methods:
            raise TargetError(f"start methods {unknown or methods} not available here (these are: {available})")
        if args.repeat < 1 or args.jobs < 1:
            raise TargetError("--repeat and --jobs must be positive")
    except TargetError as exc:
        print(f"startmethods: error: {exc}", file=sys.stderr)
        return 2

    python = f"Python {platform.python_version()} on {sys.platform}"
    print(f"{python}: default start method {multiprocessing.get_start_method()}; grading {', '.join(chosen)} "
          f"of {target}, {args.repeat} run(s) per method")
    print(f"{'method':<12} {'python':<8} {'full marks':>10}  {'scores':<28} {'seconds':>7}")
    lost = False
    with tempfile.TemporaryDirectory(prefix="startmethods-") as scratch, ThreadPoolExecutor(args.jobs) as pool:
        for method in methods:
            started = time.monotonic()
            runs = list(pool.map(lambda i, m=method: grade_once(target, chosen, m, Path(scratch) / f"{m}{i}.json"),
                                 range(args.repeat)))
            full = sum(r["score"] == r["max_score"] > 0 for r in runs)
            scores = " ".join(f"{r['score']:g}/{r['max_score']:g}" for r in runs)
            print(f"{method:<12} {platform.python_version():<8} {f'{full}/{len(runs)}':>10}  {scores:<28} "
                  f"{time.monotonic() - started:>7.1f}", flush=True)
            for error in sorted({r["error"] for r in runs if "error" in r}):
                print(f"    {error}", flush=True)
            for name, msgs in sorted(failures(runs).items()):
                print(f"    {name}: failed {len(msgs)}/{len(runs)}: {msgs[0]}", flush=True)
            lost |= full < len(runs)
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())
