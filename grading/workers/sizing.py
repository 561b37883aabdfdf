"""How many workers this machine can take: the CPUs this process may actually use (affinity,
a container's cgroup quota) and the memory it may use, not the host's core count.

A container with half a CPU and 768 MB (Gradescope's default) reports the host's 13 cores
in ``os.cpu_count()``; 14 workers there were OOM-killed together. ``GRADING_CPU_COUNT``
overrides the reported count (to test the sizing as if on such a host).
"""

from __future__ import annotations

import math
import os
from pathlib import Path

WORKER_MEMORY = 300 * 2**20  # a grading worker's peak RSS, rounded up (measured ~150-250 MB)
PARENT_MEMORY = 150 * 2**20  # the grading process itself
CGROUP_ROOT = Path("/sys/fs/cgroup")
PROC_CGROUP = Path("/proc/self/cgroup")


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except (OSError, ValueError):
        return None


def _cgroup_dirs(root: Path, proc: Path, controller: str) -> list[Path]:
    """The folders (innermost first, then each parent up to the mount) where ``controller``'s
    limits for this process live: cgroup v2 (``0::/path``) and v1 (``N:cpu,cpuacct:/path``)."""
    text = _read(proc) or ""
    found: list[Path] = []
    for line in text.splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        _, controllers, rel = parts
        names = controllers.split(",") if controllers else []
        if controllers == "":
            bases = [root] if (root / "cgroup.controllers").exists() else [root / "unified"]
        elif controller in names:
            bases = [root / controllers, root / controller]
        else:
            continue
        for base in bases:
            if not base.is_dir():
                continue
            here = base / rel.lstrip("/")
            # Inside a container the process's own path may not exist (its cgroup is the mount).
            chain = [here, *here.parents] if here.is_dir() else [base]
            found += [p for p in chain if p == base or base in p.parents]
            break
    return found


def cpu_quota(root: Path = CGROUP_ROOT, proc: Path = PROC_CGROUP) -> float | None:
    """CPUs granted by a cgroup quota (v2 ``cpu.max``, v1 ``cpu.cfs_quota_us``), or None."""
    limits = []
    for d in _cgroup_dirs(root, proc, "cpu"):
        v2 = _read(d / "cpu.max")
        if v2:
            quota, _, period = v2.partition(" ")
            if quota != "max" and quota.isdigit() and period.isdigit() and int(period) > 0:
                limits.append(int(quota) / int(period))
            continue
        quota, period = _read(d / "cpu.cfs_quota_us"), _read(d / "cpu.cfs_period_us")
        if quota and period and quota.lstrip("-").isdigit() and int(quota) > 0 and int(period) > 0:
            limits.append(int(quota) / int(period))
    return min(limits) if limits else None


def memory_limit(root: Path = CGROUP_ROOT, proc: Path = PROC_CGROUP) -> int | None:
    """Bytes this process's cgroup may use (v2 ``memory.max``, v1 ``memory.limit_in_bytes``)."""
    limits = []
    for d in _cgroup_dirs(root, proc, "memory"):
        for name in ("memory.max", "memory.limit_in_bytes"):
            value = _read(d / name)
            if value and value.isdigit() and int(value) < 2**60:  # v1 says "no limit" with 2**63
                limits.append(int(value))
    return min(limits) if limits else None


def usable_cpus(root: Path = CGROUP_ROOT, proc: Path = PROC_CGROUP) -> float:
    reported = os.environ.get("GRADING_CPU_COUNT")
    if reported and reported.isdigit() and int(reported) > 0:
        count: float = int(reported)
    elif hasattr(os, "sched_getaffinity"):
        count = len(os.sched_getaffinity(0))
    elif hasattr(os, "process_cpu_count"):  # 3.13+
        count = os.process_cpu_count() or 1
    else:
        count = os.cpu_count() or 1
    quota = cpu_quota(root, proc)
    return min(count, quota) if quota else count


def default_jobs(root: Path = CGROUP_ROOT, proc: Path = PROC_CGROUP) -> int:
    """One worker more than the CPUs given (graders mostly wait), within the memory limit."""
    jobs = math.ceil(usable_cpus(root, proc)) + 1
    memory = memory_limit(root, proc)
    if memory is not None:
        jobs = min(jobs, max(1, (memory - PARENT_MEMORY) // WORKER_MEMORY))
    return max(1, jobs)


def spares_for(parallel: int, root: Path = CGROUP_ROOT, proc: Path = PROC_CGROUP) -> int:
    """Warm spare workers (spawn backend) the memory limit leaves room for beside ``parallel``."""
    memory = memory_limit(root, proc)
    if memory is None:
        return parallel
    return max(0, min(parallel, (memory - PARENT_MEMORY) // WORKER_MEMORY - parallel))
