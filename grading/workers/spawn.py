"""The spawn backend: each worker is a fresh interpreter (``grading.workers.worker``).

Spare workers are started ahead: they import the heavy modules (pytest, FastAPI, httpx...)
while the pool is busy, and take a job as a JSON line on stdin, so a job starts warm.
On Windows every worker is in a Job Object that kills its processes when the grading
process closes it or dies.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from grading.workers import Exit, Task, contain

PACKAGE_PARENT = str(Path(__file__).resolve().parent.parent.parent)
BOOT = ("import sys; sys.path.insert(0, sys.argv.pop(1)); "
        "from grading.workers.worker import main; main()")


class _WindowsJob:
    """A Job Object with JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE: closing its handle (or this
    process dying) ends every process in it. Windows only; untested on Linux."""

    def __init__(self, proc: subprocess.Popen) -> None:
        import ctypes
        from ctypes import wintypes

        k32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]

        class BASIC(ctypes.Structure):
            _fields_ = [("PerProcessUserTimeLimit", ctypes.c_int64), ("PerJobUserTimeLimit", ctypes.c_int64),
                        ("LimitFlags", wintypes.DWORD), ("MinimumWorkingSetSize", ctypes.c_size_t),
                        ("MaximumWorkingSetSize", ctypes.c_size_t), ("ActiveProcessLimit", wintypes.DWORD),
                        ("Affinity", ctypes.c_size_t), ("PriorityClass", wintypes.DWORD),
                        ("SchedulingClass", wintypes.DWORD)]

        class IO(ctypes.Structure):
            _fields_ = [(n, ctypes.c_uint64) for n in ("r", "w", "o", "rb", "wb", "ob")]

        class EXTENDED(ctypes.Structure):
            _fields_ = [("Basic", BASIC), ("Io", IO), ("ProcessMemoryLimit", ctypes.c_size_t),
                        ("JobMemoryLimit", ctypes.c_size_t), ("PeakProcessMemoryUsed", ctypes.c_size_t),
                        ("PeakJobMemoryUsed", ctypes.c_size_t)]

        self._k32 = k32
        self.handle = k32.CreateJobObjectW(None, None)
        info = EXTENDED()
        info.Basic.LimitFlags = 0x2000  # JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE
        k32.SetInformationJobObject(self.handle, 9, ctypes.byref(info), ctypes.sizeof(info))  # Extended info
        k32.AssignProcessToJobObject(self.handle, wintypes.HANDLE(int(proc._handle)))  # type: ignore[attr-defined]

    def terminate(self) -> None:
        if self.handle:
            self._k32.TerminateJobObject(self.handle, 1)
            self._k32.CloseHandle(self.handle)
            self.handle = None


class SpawnHandle:
    def __init__(self, proc: subprocess.Popen, job: _WindowsJob | None, ready: Path | None = None) -> None:
        self.proc = proc
        self.pid = proc.pid
        self._job = job
        self._ready = ready  # the worker creates it once its imports are done
        self._seen = ready is None

    def ready(self) -> bool:
        if not self._seen:
            self._seen = self._ready.exists() or self.proc.poll() is not None  # type: ignore[union-attr]
        return self._seen

    def poll(self) -> Exit | None:
        rc = self.proc.poll()
        return None if rc is None else Exit.of_returncode(rc)

    def stop(self) -> Exit:
        if self._job is not None:
            self._job.terminate()
        contain.kill_tree(self.pid, group=hasattr(os, "killpg"))  # its session: it leads its own
        rc = self.proc.wait()
        with contextlib.suppress(OSError):
            if self.proc.stdin:
                self.proc.stdin.close()
        if self._ready is not None:
            with contextlib.suppress(OSError):
                self._ready.unlink()
        return Exit.of_returncode(rc)


class SpawnBackend:
    name = "spawn"

    def __init__(self, preload: tuple[str, ...], spares: int = 1) -> None:
        self.preload = preload
        self.spares = spares
        self._idle: list[tuple[subprocess.Popen, _WindowsJob | None, Path]] = []
        self._marks = Path(tempfile.mkdtemp(prefix="grading-spares-"))
        self._count = 0
        self._left: int | None = None  # jobs still to come, when the pool says
        for _ in range(spares):
            self._idle.append(self._new())

    def plan(self, left: int) -> None:
        """The pool tells how many jobs are still to come: warm no more spares than that."""
        self._left = left

    def _new(self) -> tuple[subprocess.Popen, _WindowsJob | None, Path]:
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
        kwargs: dict = {}
        if contain.IS_WINDOWS:
            kwargs["creationflags"] = subprocess.CREATE_NEW_PROCESS_GROUP  # type: ignore[attr-defined]
        else:
            kwargs["start_new_session"] = True  # its own session: Ctrl-C and killpg stay apart
        self._count += 1
        ready = self._marks / f"ready-{self._count}"  # the worker creates it
        proc = subprocess.Popen(
            [sys.executable, "-c", BOOT, PACKAGE_PARENT, str(os.getpid()), ",".join(self.preload), str(ready)],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            cwd=tempfile.gettempdir(), env=env, **kwargs)
        job = None
        if contain.IS_WINDOWS:
            try:
                job = _WindowsJob(proc)
            except OSError:
                job = None
        return proc, job, ready

    def start(self, task: Task) -> SpawnHandle:
        proc, job, ready = self._idle.pop(0) if self._idle else self._new()
        while proc.poll() is not None:  # a spare that died waiting (never ours to explain)
            proc, job, ready = self._new()
        paths = [os.path.abspath(p) if p else os.getcwd() for p in sys.path]
        line = json.dumps({"task": task.to_json(), "sys_path": paths}) + "\n"
        assert proc.stdin is not None
        proc.stdin.write(line.encode())
        proc.stdin.flush()
        wanted = self.spares if self._left is None else min(self.spares, self._left)
        if len(self._idle) < wanted:
            self._idle.append(self._new())  # warming while this job runs
        while len(self._idle) > wanted:
            SpawnHandle(*self._idle.pop()).stop()
        return SpawnHandle(proc, job, ready)

    def spare_pids(self) -> set[int]:
        return {p.pid for p, _, _ in self._idle}

    def close(self) -> None:
        for spare in self._idle:
            SpawnHandle(*spare).stop()
        self._idle.clear()
        import shutil

        shutil.rmtree(self._marks, ignore_errors=True)
