"""The fork backend: each worker is a fork of the grading process (Linux)."""

from __future__ import annotations

import os
import sys
import threading

from grading.workers import Exit, Task, contain, import_quietly


class ForkHandle:
    def __init__(self, pid: int, pipe: int) -> None:
        self.pid = pid
        self._pipe = pipe  # its read end is the worker's: end of file means we are gone
        self._exit: Exit | None = None

    def _ended(self, status: int) -> Exit:
        self._exit = Exit.of_returncode(os.waitstatus_to_exitcode(status))
        ForkBackend.write_ends.discard(self._pipe)
        try:
            os.close(self._pipe)
        except OSError:
            pass
        return self._exit

    def poll(self) -> Exit | None:
        if self._exit is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self._ended(status)
        return self._exit

    def stop(self) -> Exit:
        contain.kill_tree(self.pid)  # also what it left behind in its process group
        if self._exit is None:
            _, status = os.waitpid(self.pid, 0)
            self._ended(status)
        return self._exit  # type: ignore[return-value]


class ForkBackend:
    name = "fork"
    write_ends: set[int] = set()

    def __init__(self, preload: tuple[str, ...]) -> None:
        import_quietly(preload)  # once, here, so that every fork starts warm
        self._fallback = None

    def start(self, task: Task):  # noqa: ANN201
        if threading.active_count() > 1:
            # A fork copies only this thread, and any lock another thread holds stays locked.
            if self._fallback is None:
                from grading.workers.spawn import SpawnBackend

                self._fallback = SpawnBackend((), spares=0)
            return self._fallback.start(task)
        r, w = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:
            os.close(w)
            for fd in ForkBackend.write_ends:  # siblings' pipes: their end of file is not ours to hold
                try:
                    os.close(fd)
                except OSError:
                    pass
            from grading.workers.child import enter

            enter(task, parent, r, new_group=True)
        os.close(r)
        ForkBackend.write_ends.add(w)
        return ForkHandle(pid, w)

    def spare_pids(self) -> set[int]:
        return self._fallback.spare_pids() if self._fallback else set()

    def close(self) -> None:
        if self._fallback is not None:
            self._fallback.close()
