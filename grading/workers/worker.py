"""A spawned worker: ``python -c ... grading.workers.worker PARENT_PID MODULES READY_FILE``.

It imports MODULES while it waits (a warm spare), reads one job (a JSON line) on stdin,
then runs it like a forked worker would. Its stdin stays open: end of file means the
grading process is gone.
"""

from __future__ import annotations

import json
import os
import sys


def main() -> None:
    parent = int(sys.argv[1])
    names = tuple(n for n in sys.argv[2].split(",") if n) if len(sys.argv) > 2 else ()
    from grading.workers import Task, contain, import_quietly

    if contain.IS_LINUX:
        contain.die_with_parent(parent)
    import_quietly(names)
    if len(sys.argv) > 3:  # tell the pool: ready, its time limit may start
        with open(sys.argv[3], "w"):
            pass
    line = sys.stdin.buffer.readline()
    if not line:  # the grading process ended before it needed us
        os._exit(0)
    job = json.loads(line)
    sys.path[:] = job["sys_path"]
    pipe = os.dup(0)
    from grading.workers.child import enter

    enter(Task.from_json(job["task"]), parent, pipe, new_group=False)


if __name__ == "__main__":
    main()
