"""`nox -s cgroupsim -- --cpus 0.5 --memory 768M --report-cpus 13`: grade the reference inside
a cgroup with a CPU quota and a memory limit, as on Gradescope (half a CPU, 768 MB, the host's
13 cores reported), and print the score and what the engine sized itself to.

Linux only, as root (it writes the cgroup v1 or v2 files under /sys/fs/cgroup); an
instructor's tool. The reported core count is forced with ``GRADING_CPU_COUNT``, the one
thing a container shows that this machine cannot: its host's cores.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from grading.target import KIT_ROOT
from grading.workers.sizing import CGROUP_ROOT as ROOT
from grading.workers.sizing import PROC_CGROUP


def _size(text: str) -> int:
    units = {"K": 2**10, "M": 2**20, "G": 2**30}
    return int(float(text[:-1]) * units[text[-1].upper()]) if text[-1].upper() in units else int(text)


def _own(controller: str) -> Path:
    """This process's cgroup folder for ``controller`` (v1), or the unified one (v2)."""
    for line in PROC_CGROUP.read_text().splitlines():
        _, names, rel = line.split(":", 2)
        if controller in names.split(","):
            return ROOT / controller / rel.lstrip("/")
    return ROOT / controller


def make_cgroup(name: str, cpus: float, memory: int) -> list[Path]:
    """Folders whose cgroup.procs a process joins to be limited; v2 where it is mounted, else v1."""
    period = 100_000
    if (ROOT / "cgroup.controllers").exists():  # v2
        d = ROOT / name
        d.mkdir(exist_ok=True)
        (d / "cpu.max").write_text(f"{int(cpus * period)} {period}")
        (d / "memory.max").write_text(str(memory))
        (d / "memory.swap.max").write_text("0") if (d / "memory.swap.max").exists() else None
        return [d]
    cpu, mem = _own("cpu") / name, _own("memory") / name
    for d in (cpu, mem):
        d.mkdir(exist_ok=True)
    (cpu / "cpu.cfs_period_us").write_text(str(period))
    (cpu / "cpu.cfs_quota_us").write_text(str(int(cpus * period)))
    (mem / "memory.limit_in_bytes").write_text(str(memory))
    swap = mem / "memory.memsw.limit_in_bytes"
    if swap.exists():
        try:
            swap.write_text(str(memory))
        except OSError:
            pass
    return [cpu, mem]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="nox -s cgroupsim --")
    p.add_argument("--cpus", type=float, default=0.5)
    p.add_argument("--memory", default="768M")
    p.add_argument("--report-cpus", type=int, default=13, help="the host's cores the container shows")
    p.add_argument("--target", default="reference")
    p.add_argument("exercises", nargs="*")
    args = p.parse_args(argv)
    if not sys.platform.startswith("linux") or os.geteuid() != 0:
        print("cgroupsim needs Linux and root (it writes /sys/fs/cgroup)")
        return 2
    folders = make_cgroup(f"kit-cgroupsim-{os.getpid()}", args.cpus, _size(args.memory))
    try:
        return _grade_inside(folders, args)
    finally:  # also when the grade was OOM-killed or interrupted: leave no cgroup behind
        for d in folders:
            try:
                d.rmdir()
            except OSError:
                pass


def _grade_inside(folders: list[Path], args: argparse.Namespace) -> int:
    env = {**os.environ, "GRADING_CPU_COUNT": str(args.report_cpus)}
    join = "; ".join(f"echo $$ > {d / 'cgroup.procs'}" for d in folders)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "r.json"
        sizing = ("from grading.workers import sizing; print('engine sizing: usable CPUs', sizing.usable_cpus(),"
                  " 'memory limit', sizing.memory_limit(), 'jobs', sizing.default_jobs())")
        cmd = (f"{join}; {sys.executable} -c \"{sizing}\"; exec {sys.executable} -m grading --target {args.target} "
               f"-q --json {out} {' '.join(args.exercises)}")
        t0 = time.monotonic()
        ended = subprocess.run(["sh", "-c", cmd], cwd=KIT_ROOT, env=env, capture_output=True, text=True)
        took = time.monotonic() - t0
        print(ended.stdout.splitlines()[0] if ended.stdout else "")
        print(f"cgroup: {args.cpus} CPU, {args.memory}, {args.report_cpus} cores reported; exit {ended.returncode}, "
              f"{took:.1f} s")
        if not out.exists():
            print("no report written:", ended.stderr[-800:])
            return 1
        report = json.loads(out.read_text())
    print(f"score {report['score']:g}/{report['max_score']:g}")
    for e in report["exercises"]:
        lost = [t["name"] for t in e["tests"] if t["status"] not in ("passed", "skipped")]
        if lost:
            print(f"  {e['id']}: {e['score']:g}/{e['max_score']:g} lost {lost}")
    return 0 if report["score"] == report["max_score"] else 1


if __name__ == "__main__":
    sys.exit(main())
