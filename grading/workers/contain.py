"""Containment: every OS-specific call that keeps a submission's processes in check.

This module (with ``fork.py`` and ``spawn.py`` beside it) is the one place in the kit that
may call POSIX- or Windows-only functions; each call has a fallback where the OS lacks it.

- ``become_subreaper``: Linux's PR_SET_CHILD_SUBREAPER, so a daemon a submission detaches
  (double fork, setsid) is re-parented to the worker, not to init, and can still be ended.
- ``die_with_parent``: a worker ends its whole tree when the grading process dies (OOM
  killer, Ctrl-C, a cancelled CI job): PR_SET_PDEATHSIG on Linux, a watchdog thread on
  the parent's pipe elsewhere, a Job Object with kill-on-close on Windows (spawn.py).
- ``kill_tree``: a worker, its process group, and every descendant psutil can see.
- ``drop_privileges``: a worker running as root gives up the right to read hidden graders
  once pytest has collected them.
"""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import sys
import sysconfig
import threading
from pathlib import Path

try:
    import psutil
except ImportError:  # psutil is a dependency; without it only the process group is reached
    psutil = None

IS_LINUX = sys.platform.startswith("linux")
IS_WINDOWS = os.name == "nt"
PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
# Windows has no SIGKILL (os.kill with SIGTERM is TerminateProcess there); POSIX's is 9.
KILL = getattr(signal, "SIGKILL", 9 if os.name == "posix" else signal.SIGTERM)
_parent: int | None = None
DROP_ENV = "GRADING_DROP_TO"  # "uid:gid" the worker takes once the graders are collected


def _prctl(option: int, arg: int) -> bool:
    if not IS_LINUX:
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(option, arg, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def become_subreaper() -> bool:
    """Orphaned descendants come to this process instead of init (Linux only)."""
    return _prctl(PR_SET_CHILD_SUBREAPER, 1)


def die_with_parent(parent: int, pipe: int | None = None) -> None:
    """End this worker's whole tree when the process that started it dies.

    Linux: the kernel sends SIGTERM at the parent's death, and the handler ends every
    descendant before exiting. Elsewhere: a thread waits for end-of-file on ``pipe``, whose
    write end only the parent holds.
    """
    global _parent
    _parent = parent
    if IS_LINUX and hasattr(signal, "SIGTERM") and _prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM)):
        signal.signal(signal.SIGTERM, _end_now)
        if os.getppid() != parent:  # the parent died before the request was made
            _end_now()
        return
    if pipe is None:
        return

    def watch() -> None:
        with contextlib.suppress(OSError):
            while os.read(pipe, 1024):
                pass
        _end_now()

    threading.Thread(target=watch, name="grading-watchdog", daemon=True).start()


def _end_now(*args: object) -> None:
    end_descendants()
    # 75: the grading process went away; a SIGTERM from anyone else exits as SIGTERM would.
    os._exit(75 if not args or os.getppid() != _parent else 128 + 15)


def descendants(pid: int) -> list[int]:
    if psutil is None:
        return []
    try:
        return [p.pid for p in psutil.Process(pid).children(recursive=True)]
    except (psutil.Error, OSError):
        return []


def _kill(pid: int) -> None:
    with contextlib.suppress(OSError):
        os.kill(pid, KILL)


def end_descendants() -> None:
    """Kill every process below this one (a worker calls this before it exits)."""
    for _ in range(3):  # a child may fork while we kill: look again
        found = descendants(os.getpid())
        if not found:
            break
        for pid in found:
            _kill(pid)
    reap_adopted(set())


def kill_tree(pid: int, group: bool = True) -> None:
    """Kill ``pid``, its process group (POSIX) and every descendant. The caller reaps ``pid``."""
    for _ in range(3):
        found = descendants(pid)
        if group and hasattr(os, "killpg"):
            with contextlib.suppress(OSError):
                os.killpg(pid, KILL)
        _kill(pid)
        for p in found:
            _kill(p)
        if not found:
            break


def children() -> set[int]:
    if psutil is None:
        return set()
    try:
        return {p.pid for p in psutil.Process().children()}
    except (psutil.Error, OSError):
        return set()


def reap_adopted(keep: set[int]) -> int:
    """Kill and reap this process's children that are not in ``keep``: as a subreaper, the
    orphans of workers that already ended (a daemon double-forked away). Returns how many."""
    if psutil is None:
        return 0
    try:
        children = psutil.Process().children()
    except (psutil.Error, OSError):
        return 0
    n = 0
    for child in children:
        if child.pid in keep:
            continue
        kill_tree(child.pid, group=False)
        with contextlib.suppress(psutil.Error, OSError):
            child.wait(timeout=2)
        n += 1
    return n


def peak_child_rss() -> int | None:
    """Bytes: the peak resident size of the largest process this one waited for (POSIX)."""
    try:
        import resource
    except ImportError:
        return None
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # macOS counts bytes, Linux KiB


# --- privileges ---------------------------------------------------------------------------


def unprivileged_ids() -> tuple[int, int] | None:
    """(uid, gid) to run a submission as, when grading runs as root on POSIX; else None."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or os.environ.get("GRADING_KEEP_ROOT"):
        return None
    try:
        import pwd

        entry = pwd.getpwnam("nobody")
        return entry.pw_uid, entry.pw_gid
    except (ImportError, KeyError):
        return 65534, 65534


def readable_by(path: Path, uid: int, gid: int) -> bool:
    """Whether ``uid`` (in group ``gid``) could read ``path``: every parent traversable."""
    path = Path(path).resolve()
    for p in [*reversed(path.parents), path]:
        try:
            st = p.stat()
        except OSError:
            return False
        need = stat.S_IXOTH | (stat.S_IROTH if p == path else 0)
        if st.st_uid == uid:
            need <<= 6
        elif st.st_gid == gid:
            need <<= 3
        if st.st_mode & need != need:
            return False
    return True


def can_drop(uid: int, gid: int, paths: list[Path]) -> bool:
    """An unprivileged worker must still reach the submission, the kit and Python itself."""
    roots = {sysconfig.get_path(k) for k in ("stdlib", "platstdlib", "purelib", "platlib")}
    return all(readable_by(Path(p), uid, gid) for p in [*paths, *(r for r in roots if r)])


def protect_hidden(graders: Path) -> None:
    """Hidden graders readable by their owner (and root) only: a dropped worker cannot read
    them. Only the group and other read bits change; pytest has them compiled by then."""
    for p in graders.rglob("*"):
        name = p.name
        hidden = name.startswith(("test_hidden", "hidden")) or any(q.startswith("hidden") for q in p.parts)
        if p.is_file() and hidden:
            with contextlib.suppress(OSError):
                mode = p.stat().st_mode
                if mode & (stat.S_IRGRP | stat.S_IROTH):
                    p.chmod(mode & ~(stat.S_IRGRP | stat.S_IROTH | stat.S_IWGRP | stat.S_IWOTH))


def prepare_drop(env: dict[str, str], writable: list[Path]) -> None:
    """In the parent: let the worker's scratch folders be the unprivileged user's."""
    spec = env.get(DROP_ENV)
    if not spec or not hasattr(os, "chown"):
        return
    uid, gid = (int(x) for x in spec.split(":"))
    for p in writable:
        with contextlib.suppress(OSError):
            os.chown(p, uid, gid)


def drop_privileges() -> bool:
    """In the worker, after collection: become the unprivileged user named by the parent."""
    spec = os.environ.pop(DROP_ENV, "")
    if not spec or not hasattr(os, "setuid"):
        return False
    uid, gid = (int(x) for x in spec.split(":"))
    import linecache

    # Tracebacks of grader code read their source: keep what was read while privileged.
    for module in list(sys.modules.values()):
        f = getattr(module, "__file__", None)
        if f and f.endswith(".py"):
            linecache.getlines(f)
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)
    if os.getuid() != uid:  # never continue half-dropped
        os._exit(77)
    os.environ["HOME"] = os.getcwd()
    os.environ["USER"] = os.environ["LOGNAME"] = "nobody"
    return True
