"""Which of this process's open files lie on a path: "nothing holds the database open".

psutil lists open files on Linux, macOS and Windows. Without it (or where it may not
look), the platform's own means are tried: /proc/self/fd (Linux), /dev/fd with
F_GETPATH (macOS), and on Windows a rename, which fails while a handle is open. Where no
means works the answer is :class:`CannotTell`, never an empty list: a check that cannot
look must not pass.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from grading.probes.paths import norm

WINDOWS = os.name == "nt"  # a module attribute, so tests can force Windows's means


class CannotTell(RuntimeError):
    """This platform offered no way to list the process's open files."""


def open_handles(path: Path) -> list[str]:
    """Names of this process's open files on ``path`` or a file beside it whose name starts
    with it (SQLite's ``-journal`` and ``-wal``)."""
    target = norm(path.resolve())

    def on_target(names: list[str]) -> list[str]:
        return [n for n in names if norm(os.path.realpath(n)).startswith(target)]

    for lister in (_psutil_files, _proc_files, _dev_fd_files):
        names = lister()
        if names is not None:
            found = on_target(names)
            if found or not WINDOWS:
                return found
            break  # Windows: psutil may miss a handle; the rename below does not
    if WINDOWS:
        return _held_on_windows(path)
    raise CannotTell(f"no way to list open files here ({sys.platform}): install psutil")


def _psutil_files() -> list[str] | None:
    try:
        import psutil
    except ImportError:
        return None
    try:
        return [f.path for f in psutil.Process().open_files()]
    except (psutil.Error, OSError, NotImplementedError):
        return None


def _proc_files() -> list[str] | None:
    if not os.path.isdir("/proc/self/fd"):
        return None
    names = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            names.append(os.readlink(f"/proc/self/fd/{fd}"))
        except OSError:
            continue
    return names


def _dev_fd_files() -> list[str] | None:
    if sys.platform != "darwin":
        return None
    import fcntl

    names = []
    for fd in os.listdir("/dev/fd"):
        try:
            names.append(fcntl.fcntl(int(fd), fcntl.F_GETPATH, b"\0" * 1024).rstrip(b"\0").decode())
        except (OSError, ValueError):
            continue
    return names


def _held_on_windows(path: Path) -> list[str]:
    """Windows refuses to rename a file that is open without FILE_SHARE_DELETE (as SQLite opens it)."""
    held = []
    for candidate in [path, *path.parent.glob(path.name + "-*")]:
        probe = candidate.with_name(candidate.name + ".probe")
        try:
            os.rename(candidate, probe)
        except PermissionError:
            held.append(str(candidate))
            continue
        except OSError:
            continue
        os.rename(probe, candidate)
    return held
