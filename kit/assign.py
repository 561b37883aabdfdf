"""`nox -s assign -- OUT [EXERCISE ...] [--force]`: what an instructor hands out.

- ``OUT/student/``: the repository learners clone (a GitHub Classroom template): exercises/,
  the public graders, the engine, a learner's noxfile, pyproject, README, the Classroom
  workflow, ``requirements.txt`` (exact versions) and ``graders.sha256``. Nothing of
  reference/, hidden graders or tests/.
- ``OUT/private/``: the engine and every grader, hidden ones included, but no solutions:
  push it to a private repository; the Classroom workflow checks it out with a token. It
  also holds the gradebook (``kit/gradebook.py`` and what it imports of kit/) and a workflow
  that grades the whole class on GitHub's runners (``.github/workflows/gradebook.yml``).
- ``OUT/autograder.zip``: the engine, graders and pins of private/ plus ``setup.sh`` and
  ``run_autograder``, for Gradescope.

Every file that is not copied from the kit comes from ``kit/templates/`` as it is (the
noxfile, workflows, shell scripts, READMEs, .gitignore), except the learner's pyproject.toml,
whose dependency list is filled in with the kit's.

Never writes outside OUT; refuses a non-empty OUT without --force.
"""

from __future__ import annotations

import argparse
import json
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


TEMPLATES = Path(__file__).resolve().parent / "templates"
# What the private repository needs of kit/ to build a gradebook from per-student jobs.
PRIVATE_KIT = ("__init__.py", "roster.py", "gradebook.py", "overview.py")
LOCK = "requirements.txt"  # exported from uv.lock: `uv export --format requirements-txt --no-dev --no-emit-project`


def template(name: str) -> str:
    return (TEMPLATES / name).read_text(encoding="utf-8")


def learner_pyproject(kit: Path) -> str:
    """The learner's pyproject.toml: kit/templates/pyproject.toml with the kit's dependencies."""
    deps = tomllib.loads((kit / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    listed = "".join(f"    {json.dumps(d)},\n" for d in deps)
    text, n = re.subn(r"^dependencies = \[\].*$", lambda m: f"dependencies = [\n{listed}]", template("pyproject.toml"),
                      count=1, flags=re.M)
    assert n == 1, "kit/templates/pyproject.toml lost its `dependencies = []` line"
    return text


def _common(kit: Path, dest: Path, readme: str) -> None:
    """What the student copy and the private graders share: engine, project, pins, noxfile."""
    _engine(kit, dest)
    (dest / "pyproject.toml").write_text(learner_pyproject(kit), encoding="utf-8")
    shutil.copy2(kit / LOCK, dest / LOCK)
    (dest / "noxfile.py").write_text(template("noxfile.py"), encoding="utf-8")
    (dest / "README.md").write_text(template(readme), encoding="utf-8")
    (dest / ".gitignore").write_text(template("gitignore"), encoding="utf-8")


def _workflow(dest: Path, name: str, text: str) -> None:
    path = dest / ".github" / "workflows" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def build_student(kit: Path, dest: Path, chosen: list[str]) -> None:
    for ex in chosen:
        copy_tree(kit / "exercises" / ex, dest / "exercises" / ex)
    copy_tree(kit / "graders", dest / "graders", _graders_filter(chosen, hidden=False))
    _common(kit, dest, "README.student.md")
    _workflow(dest, "classroom.yml", template("classroom.yml"))
    (dest / MANIFEST).write_text(manifest_text(dest), encoding="utf-8")


def build_private(kit: Path, dest: Path, chosen: list[str]) -> None:
    copy_tree(kit / "graders", dest / "graders", _graders_filter(chosen, hidden=True))
    _common(kit, dest, "README.private.md")
    (dest / "kit").mkdir()
    for name in PRIVATE_KIT:  # the gradebook and what it imports of kit/: no verify, corpus or bench
        shutil.copy2(kit / "kit" / name, dest / "kit" / name)
    _workflow(dest, "gradebook.yml", template("gradebook.yml"))


def build_autograder_zip(private: Path, archive: Path) -> None:
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(private.rglob("*")):
            rel = path.relative_to(private)
            if path.is_file() and rel.parts[0] not in ("kit", ".github"):  # Gradescope grades one submission
                zf.write(path, rel.as_posix())
        for name in ("setup.sh", "run_autograder"):
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.external_attr = 0o100755 << 16  # executable, as Gradescope expects
            zf.writestr(info, template(name))


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
