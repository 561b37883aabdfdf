"""The first steps of every worker, forked or spawned: contained, quiet, in its scratch folder."""

from __future__ import annotations

import os
import signal
import sys
import tempfile
from typing import NoReturn

from grading.workers import Task, contain, resolve


def enter(task: Task, parent: int, pipe: int | None, new_group: bool) -> NoReturn:
    """Run ``task`` in this (new) worker process and exit with its code; never returns."""
    code = 70
    try:
        if new_group and hasattr(os, "setpgid"):
            os.setpgid(0, 0)  # Ctrl-C in the terminal reaches the grading process, which ends us
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        contain.become_subreaper()  # a daemon the submission detaches stays ours to end
        contain.die_with_parent(parent, pipe)
        log = os.open(task.log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.environ.update(task.env)
        os.environ["PYTHONDONTWRITEBYTECODE"] = "1"
        sys.dont_write_bytecode = True
        if task.env.get("TMPDIR"):
            tempfile.tempdir = task.env["TMPDIR"]  # temporary files land in the scratch folder
        os.chdir(task.cwd)  # relative paths a submission writes land here, never in the submission
        code = int(resolve(task.target)(task.args))
    except BaseException:  # noqa: BLE001  # report through the exit code, never return
        import traceback

        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
            contain.end_descendants()  # servers, pools, daemons: nothing outlives the worker
        finally:
            os._exit(code)
