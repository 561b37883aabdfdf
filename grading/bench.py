"""`nox -s bench`: how long a full grade of the reference takes, and what isolation costs.

Prints the median of N runs (default 3; `--load` keeps every core busy meanwhile) of
  1. `python -m grading --target reference` (a forked worker per exercise, 2 at a time), and
  2. the same graders in one plain `pytest` process (no isolation, one after another).
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
    args = p.parse_args(argv)
    burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(os.cpu_count() or 1)] \
        if args.load else []
    try:
        return _bench(args)
    finally:
        for b in burners:
            b.kill()


def _bench(args: argparse.Namespace) -> int:
    target = str((KIT_ROOT / args.target).resolve()) if not Path(args.target).is_absolute() else args.target
    with tempfile.TemporaryDirectory() as tmp:
        commands = {
            "grade (isolated workers)": [sys.executable, "-m", "grading", "--target", target, "-q",
                                         "--json", f"{tmp}/r.json"],
            "plain pytest (one process)": [sys.executable, "-m", "pytest", "-q", "-p", "grading.plugin",
                                           "-p", "no:cacheprovider", f"--grading-target={target}",
                                           "-o", "timeout=60", str(KIT_ROOT / "graders")],
        }
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
            print(f"{name:28} {statistics.median(times):7.1f}s  {runs}{note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
