"""`nox -s assign -- OUT [EXERCISE ...] [--force]`: what an instructor hands out.

- ``OUT/student/``: the repository learners clone (a GitHub Classroom template): exercises/,
  the public graders, the engine, a learner's noxfile, pyproject, README, the Classroom
  workflow, and ``graders.sha256``. Nothing of reference/, hidden graders or tests/.
- ``OUT/private/``: the engine and every grader, hidden ones included, but no solutions:
  push it to a private repository; the Classroom workflow checks it out with a token.
- ``OUT/autograder.zip``: the same as private/ plus ``setup.sh`` and ``run_autograder``,
  for Gradescope.

Never writes outside OUT; refuses a non-empty OUT without --force.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tomllib
import zipfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from grading.integrity import MANIFEST, manifest_text
from grading.spec import is_hidden_path
from grading.target import KIT_ROOT, TargetError, exercise_ids, select

OUTPUTS = ("student", "private", "autograder.zip")


def is_hidden(rel: PurePosixPath) -> bool:
    """A grader path (relative to graders/) that learners must not see."""
    return is_hidden_path(rel)


def _junk(rel: PurePosixPath) -> bool:
    return "__pycache__" in rel.parts or rel.suffix == ".pyc" or rel.name == ".DS_Store"


def copy_tree(src: Path, dest: Path, keep: Callable[[PurePosixPath], bool] = lambda rel: True) -> None:
    for path in sorted(src.rglob("*")):
        rel = PurePosixPath(path.relative_to(src).as_posix())
        if path.is_file() and not _junk(rel) and keep(rel):
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, dest / rel)


def _graders_filter(chosen: list[str], hidden: bool) -> Callable[[PurePosixPath], bool]:
    def keep(rel: PurePosixPath) -> bool:
        if len(rel.parts) > 1 and rel.parts[0] not in chosen:
            return False  # another exercise's folder, or a folder of no exercise
        return hidden or not is_hidden(rel)
    return keep


def _engine(kit: Path, dest: Path) -> None:
    """The engine wing, whole: the instructor's wing (kit/) is a separate package."""
    copy_tree(kit / "grading", dest / "grading")


def learner_readme(kit: Path) -> str:
    """README.md without its instructor-only blocks, with its student-only blocks shown."""
    text = (kit / "README.md").read_text(encoding="utf-8")
    text = re.sub(r"<!-- instructor-only -->.*?<!-- /instructor-only -->\n?", "", text, flags=re.S)
    text = re.sub(r"<!-- student-only\n(.*?)-->\n?", r"\1", text, flags=re.S)
    return re.sub(r"\n{3,}", "\n\n", text)


LEARNER_NOXFILE = '''"""`nox -s grade` grades your work in exercises/ (`nox -s grade -- --help` for options).
Environments are made with uv when it is installed (a few seconds), else virtualenv + pip."""

from __future__ import annotations

import nox

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["grade"]

DEPS = nox.project.load_toml("pyproject.toml")["project"]["dependencies"]


@nox.session(reuse_venv=True)
def grade(session: nox.Session) -> None:
    """Grade exercises/ (or `-- 04`, `-- 01 03 -v`, `-- --json out.json`; `-- --help`)."""
    session.install(*DEPS)
    session.run("python", "-m", "grading", *session.posargs, env={"PYTHONDONTWRITEBYTECODE": "1"})
'''

GITIGNORE = "__pycache__/\n*.pyc\n.nox/\n.venv/\n/.progress.json\n/.backups/\n/.watch/\n"

CLASSROOM_WORKFLOW = '''# GitHub Classroom autograding, written by the kit's `nox -s assign`.
# On every push: grade exercises/ with the instructor's graders, public and hidden, checked
# out from a private repository (made from the kit's OUT/private/), and report the points.
#
# The instructor sets, for the classroom's organization (Settings > Secrets and variables > Actions):
#   variable GRADERS_REPOSITORY  owner/name of that private repository
#   secret   GRADERS_TOKEN       a fine-grained token that can only read that repository
name: Autograding Tests
"on":
  push:
  workflow_dispatch:
  repository_dispatch:
permissions:
  checks: write
  actions: read
  contents: read
jobs:
  run-autograding-tests:
    name: Autograding Tests
    runs-on: ubuntu-latest
    timeout-minutes: 30
    if: github.actor != 'github-classroom[bot]'
    steps:
      - name: Check out the submission
        uses: actions/checkout@v4
        with:
          path: submission
          persist-credentials: false
      - name: Check out the graders (private)
        uses: actions/checkout@v4
        with:
          repository: ${{ vars.GRADERS_REPOSITORY }}
          token: ${{ secrets.GRADERS_TOKEN }}
          path: graders-kit
          persist-credentials: false  # graded code must not find the token in .git/config
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - name: Install nox
        run: python -m pip install --quiet "nox[uv]"
      - name: Grade
        id: grade
        continue-on-error: true
        run: >-
          nox -f graders-kit/noxfile.py -s grade --
          --target "$GITHUB_WORKSPACE/submission/exercises"
          --check-graders "$GITHUB_WORKSPACE/submission"
          --classroom --summary "$GITHUB_STEP_SUMMARY" --hide-hidden
      - name: Autograding Reporter
        if: always()
        uses: classroom-resources/autograding-grading-reporter@v1
        env:
          GRADE_RESULTS: "${{ steps.grade.outputs.result }}"
        with:
          runners: grade
'''

PRIVATE_README = '''# Graders (private)

The grading engine and every grader of the kit, hidden ones included, and no solutions.
Keep this repository private.

- GitHub Classroom: the students' `.github/workflows/classroom.yml` checks this repository
  out (variable `GRADERS_REPOSITORY`, secret `GRADERS_TOKEN`) and runs `nox -s grade` from it
  against the student's `exercises/`.
- Gradescope: the same files, plus `setup.sh` and `run_autograder`, are `autograder.zip`.
'''

SETUP_SH = '''#!/usr/bin/env bash
# Gradescope runs this once, as root, to build the autograder image (Ubuntu).
# SKIP_APT=1 skips the system packages (for a machine that already has Python 3.11+).
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
cd "$ROOT/source"
if [ -z "${SKIP_APT:-}" ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-pip python3-venv
fi
PYTHON=python3
# The kit needs Python 3.11+; Ubuntu 22.04's python3 is 3.10, so install 3.11 next to it.
if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  if [ -z "${SKIP_APT:-}" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3.11 python3.11-venv
  fi
  PYTHON=python3.11
fi
"$PYTHON" -m venv "$ROOT/venv"
"$ROOT/venv/bin/python" -m pip install --quiet --upgrade pip
"$ROOT/venv/bin/python" -m pip install --quiet -r requirements.txt
'''

RUN_AUTOGRADER = '''#!/usr/bin/env bash
# Gradescope runs this for every submission; grading/autograder.py does the work and always
# writes results/results.json. AUTOGRADER_ROOT and AUTOGRADER_PYTHON exist for testing.
ROOT="${AUTOGRADER_ROOT:-/autograder}"
PYTHON="${AUTOGRADER_PYTHON:-$ROOT/venv/bin/python}"
export AUTOGRADER_ROOT="$ROOT" PYTHONDONTWRITEBYTECODE=1
cd "$ROOT/source" || exit 1
"$PYTHON" -m grading.autograder
if [ ! -s "$ROOT/results/results.json" ]; then  # Python itself could not start
  mkdir -p "$ROOT/results"
  echo '{"score": 0, "output": "The autograder could not start (see setup.sh).", "tests": []}' \\
    > "$ROOT/results/results.json"
fi
'''


def build_student(kit: Path, dest: Path, chosen: list[str]) -> None:
    for ex in chosen:
        copy_tree(kit / "exercises" / ex, dest / "exercises" / ex)
    copy_tree(kit / "graders", dest / "graders", _graders_filter(chosen, hidden=False))
    _engine(kit, dest)
    shutil.copy2(kit / "pyproject.toml", dest / "pyproject.toml")
    (dest / "noxfile.py").write_text(LEARNER_NOXFILE, encoding="utf-8")
    (dest / "README.md").write_text(learner_readme(kit), encoding="utf-8")
    (dest / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
    workflow = dest / ".github" / "workflows" / "classroom.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text(CLASSROOM_WORKFLOW, encoding="utf-8")
    (dest / MANIFEST).write_text(manifest_text(dest), encoding="utf-8")


def build_private(kit: Path, dest: Path, chosen: list[str]) -> None:
    copy_tree(kit / "graders", dest / "graders", _graders_filter(chosen, hidden=True))
    _engine(kit, dest)
    shutil.copy2(kit / "pyproject.toml", dest / "pyproject.toml")
    (dest / "noxfile.py").write_text(LEARNER_NOXFILE, encoding="utf-8")
    (dest / "README.md").write_text(PRIVATE_README, encoding="utf-8")
    (dest / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
    deps = tomllib.loads((kit / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    (dest / "requirements.txt").write_text("".join(f"{d}\n" for d in deps), encoding="utf-8")


def build_autograder_zip(private: Path, archive: Path) -> None:
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(private.rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(private).as_posix())
        for name, text in (("setup.sh", SETUP_SH), ("run_autograder", RUN_AUTOGRADER)):
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.external_attr = 0o100755 << 16  # executable, as Gradescope expects
            zf.writestr(info, text)


def check_out(out: Path, kit: Path, force: bool) -> None:
    """Refuse an OUT that would put the instructor's files at risk."""
    out, kit = out.resolve(), kit.resolve()
    if out == kit or kit.is_relative_to(out):
        raise TargetError(f"'{out}' holds the kit itself: choose a new folder")
    for tree in ("exercises", "reference", "graders", "grading", "kit", "tests"):
        if out.is_relative_to(kit / tree):
            raise TargetError(f"'{out}' is inside the kit's {tree}/: choose a folder outside it")
    if out.exists() and not out.is_dir():
        raise TargetError(f"'{out}' is not a folder")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise TargetError(f"'{out}' is not empty: pass --force to replace its {', '.join(OUTPUTS)}")


def main(argv: list[str] | None = None, kit: Path = KIT_ROOT) -> int:
    p = argparse.ArgumentParser(prog="nox -s assign --", description="Build the student copy and the autograders.")
    p.add_argument("out", type=Path, help="a new (or empty) folder")
    p.add_argument("exercises", nargs="*", help="exercises to hand out (default: all)")
    p.add_argument("--force", action="store_true", help="replace student/, private/ and autograder.zip in OUT")
    args = p.parse_args(argv)
    try:
        chosen = select(exercise_ids(kit / "graders"), args.exercises)
        if not chosen:
            raise TargetError("there are no exercises to hand out")
        check_out(args.out, kit, args.force)
    except TargetError as exc:
        print(f"assign: error: {exc}", file=sys.stderr)
        return 2
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    for name in OUTPUTS:  # only what this command writes, never anything else in OUT
        path = out / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    build_student(kit, out / "student", chosen)
    build_private(kit, out / "private", chosen)
    build_autograder_zip(out / "private", out / "autograder.zip")
    print(f"assign: {len(chosen)} exercise(s) ({', '.join(chosen)})")
    print(f"  {out / 'student'}: the learners' repository (a GitHub Classroom template)")
    print(f"  {out / 'private'}: push to a PRIVATE repository for the Classroom workflow")
    print(f"  {out / 'autograder.zip'}: upload to Gradescope (Configure Autograder > Zip file upload)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
