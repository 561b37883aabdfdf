"""What a learner runs by hand, in the grading environment (where uvicorn and httpx are).

    nox -s serve -- 04                  # exercises/04_*/ on http://127.0.0.1:8000, with reload
    nox -s serve -- 04 --target reference
    nox -s pytest -- 11                 # exercise 11's own tests (test_app.py), as the README says

Both run from the exercise's folder, as ``uvicorn app:app --reload`` and ``pytest -q`` would
there, but with the kit's environment, so nothing has to be installed by hand.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from grading.target import KIT_ROOT, TargetError, exercise_ids, resolve_target, select

HOST = "127.0.0.1"
PORT = 8000


def exercise_folder(selector: str, target: str = "exercises", graders: Path = KIT_ROOT / "graders") -> Path:
    """The one exercise a selector names ('04' or '04_concurrent_calls') in the target folder."""
    chosen = select(exercise_ids(graders), [selector])
    if len(chosen) != 1:
        raise TargetError(f"'{selector}' names {len(chosen)} exercises, not one")
    folder = resolve_target(target) / chosen[0]
    if not (folder / "app.py").is_file():
        raise TargetError(f"{folder} has no app.py")
    return folder


def serve_command(folder: Path, port: int = PORT, reload: bool = True) -> list[str]:
    cmd = [sys.executable, "-m", "uvicorn", "app:app", "--host", HOST, "--port", str(port), "--app-dir", str(folder)]
    if reload:
        cmd += ["--reload", "--reload-dir", str(folder)]
    return cmd


def serve(folder: Path, port: int = PORT, reload: bool = True) -> int:
    print(f"Serving {folder.name} on http://{HOST}:{port}  (docs: http://{HOST}:{port}/docs)"
          f"{', reloading on save' if reload else ''}. Ctrl+C stops it.", flush=True)
    try:
        return subprocess.call(serve_command(folder, port, reload), cwd=folder,
                               env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    except KeyboardInterrupt:
        return 0


def pytest_command(folder: Path, extra: list[str]) -> list[str]:
    # The learner's tests are plain `async def test_...`: pytest-asyncio in auto mode, as graded.
    return [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--rootdir={folder}",
            "-o", "asyncio_mode=auto", "-o", "asyncio_default_fixture_loop_scope=function", *extra]


def run_pytest(folder: Path, extra: list[str]) -> int:
    print(f"Running {folder.name}'s own tests (pytest -q in {folder})", flush=True)
    return subprocess.call(pytest_command(folder, extra), cwd=folder,
                           env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m grading.learner")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve", help="run an exercise's app with uvicorn on 127.0.0.1")
    s.add_argument("exercise", help="e.g. 04 or 04_concurrent_calls")
    s.add_argument("--target", default="exercises", help="exercises (default), reference, or a folder")
    s.add_argument("--port", type=int, default=PORT)
    s.add_argument("--no-reload", action="store_true", help="do not restart on save")
    t = sub.add_parser("pytest", help="run an exercise's own tests (exercise 11)")
    t.add_argument("exercise", nargs="?", default="11")
    t.add_argument("--target", default="exercises")
    args, extra = p.parse_known_args(argv)
    try:
        folder = exercise_folder(args.exercise, args.target)
    except TargetError as exc:
        print(f"{args.command}: error: {exc}", file=sys.stderr)
        return 2
    if args.command == "serve":
        if extra:
            p.error(f"unknown options: {' '.join(extra)}")
        return serve(folder, args.port, not args.no_reload)
    return run_pytest(folder, extra)


if __name__ == "__main__":
    sys.exit(main())
