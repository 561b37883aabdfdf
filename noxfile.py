"""Sessions of the kit. Learners: `nox -s grade`. Instructors: `nox -s tests`, `corpus`, `verify`,
`assign`, `gradebook`, `bench`, `new`, `lint`. Environments are made with uv when it is installed
(a few seconds), else virtualenv + pip."""

from __future__ import annotations

import nox

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["grade"]

PYPROJECT = nox.project.load_toml("pyproject.toml")
DEPS = PYPROJECT["project"]["dependencies"]
DEV = nox.project.dependency_groups(PYPROJECT, "dev")
ENV = {"PYTHONDONTWRITEBYTECODE": "1"}


def _install(session: nox.Session, *extra: str) -> None:
    session.install(*DEPS, *extra)


@nox.session(reuse_venv=True)
def grade(session: nox.Session) -> None:
    """Grade exercises/ (or `-- --target reference`, `-- 04`, `-- --json out.json`; `-- --help`)."""
    _install(session)
    session.run("python", "-m", "grading", *session.posargs, env=ENV)


# The learner's loop: these sessions ship in the student copy with `grade`; they need only the grading
# dependencies (with uv, an environment of its own takes seconds).
@nox.session(name="serve", reuse_venv=True)
def serve(session: nox.Session) -> None:
    """Run an exercise on http://127.0.0.1:8000 with reload: `nox -s serve -- 04` (`--target reference`)."""
    _install(session)
    session.run("python", "-m", "grading.learner", "serve", *session.posargs, env=ENV)


@nox.session(reuse_venv=True)
def watch(session: nox.Session) -> None:
    """Re-grade the exercise you work on at each save: `nox -s watch` (`-- 04`, `-- --manual`)."""
    _install(session)
    session.run("python", "-m", "grading.watch", *session.posargs, env=ENV)


@nox.session(name="pytest", reuse_venv=True)
def pytest_(session: nox.Session) -> None:
    """Run exercise 11's own tests (your test_app.py): `nox -s pytest -- 11` (`-- 11 -k total`)."""
    _install(session)
    session.run("python", "-m", "grading.learner", "pytest", *(session.posargs or ["11"]), env=ENV)


@nox.session(reuse_venv=True)
def tests(session: nox.Session) -> None:
    """The kit's own tests: engine, reference full marks, skeleton zero, grader corpus."""
    _install(session, *DEV)
    # A kit test (or its session fixture: a whole reference grade) may take minutes on a loaded
    # 2-core machine; graders keep their own 20 s per test (the workers set it).
    # No path given: pytest runs testpaths (tests/); given paths, only those.
    session.run("python", "-m", "pytest", "-o", "timeout=300", *session.posargs, env=ENV)


@nox.session(reuse_venv=True)
def corpus(session: nox.Session) -> None:
    """Grade only the named exercises' corpus: `nox -s corpus -- 06 14` (fast, for grader work)."""
    _install(session, *DEV)
    env = {**ENV, "CORPUS": " ".join(a for a in session.posargs if not a.startswith("-"))}
    extra = [a for a in session.posargs if a.startswith("-")]
    session.run("python", "-m", "pytest", "tests/test_corpus.py", *extra, env=env)


@nox.session(reuse_venv=True)
def verify(session: nox.Session) -> None:
    """Instructor check: reference full marks, skeleton zero, declarations, mirroring (`-- --repeat N`)."""
    _install(session)
    session.run("python", "-m", "kit.verify", *session.posargs, env=ENV)


@nox.session(reuse_venv=True)
def assign(session: nox.Session) -> None:
    """Build the student copy and a Gradescope autograder: `nox -s assign -- OUT [--force]`."""
    _install(session)
    session.run("python", "-m", "kit.assign", *session.posargs, env=ENV)


@nox.session(reuse_venv=True)
def gradebook(session: nox.Session) -> None:
    """Grade a class: `nox -s gradebook -- DIR` (a folder per student, or .zip files)."""
    _install(session)
    session.run("python", "-m", "kit.gradebook", *session.posargs, env=ENV)


@nox.session(reuse_venv=True)
def bench(session: nox.Session) -> None:
    """Wall time of a full reference grade vs the same graders in one plain pytest process."""
    _install(session)
    session.run("python", "-m", "kit.bench", *session.posargs, env=ENV)


@nox.session(reuse_venv=True)
def startmethods(session: nox.Session) -> None:
    """Grade the reference under each multiprocessing start method: `nox -s startmethods -- 06 --repeat 5`."""
    _install(session)
    session.run("python", "-m", "kit.startmethods", *session.posargs, env=ENV)


@nox.session(reuse_venv=True)
def cgroupsim(session: nox.Session) -> None:
    """Grade the reference in a cgroup of half a CPU and 768 MB, 13 cores reported (Linux, root)."""
    _install(session)
    session.run("python", "-m", "kit.cgroupsim", *session.posargs, env=ENV)


# Kit tests fast enough to prove a floor with (the engine, reports, platform probes).
FAST_TESTS = ["tests/test_plugin.py", "tests/test_reports.py", "tests/test_platform.py"]


@nox.session(venv_backend="uv")
def lowest(session: nox.Session) -> None:
    """Prove pyproject's floors: the lowest direct versions, then verify (reference full marks,
    skeleton zero) and the fast kit tests. `-- 04` verifies one exercise only."""
    session.install("--resolution=lowest-direct", *DEPS, *DEV)
    session.run("uv", "pip", "list", external=True, silent=False,
                env={"VIRTUAL_ENV": session.virtualenv.location})
    session.run("python", "-m", "kit.verify", *session.posargs, env=ENV)
    session.run("python", "-m", "pytest", *FAST_TESTS, "-q", env=ENV)


@nox.session(reuse_venv=True)
def watchbench(session: nox.Session) -> None:
    """Save-to-verdict time of `nox -s watch` through a pseudo-terminal: `-- 01 04 13 [--repeat N]`."""
    _install(session, *DEV)
    session.run("python", "-m", "kit.watchbench", *session.posargs, env=ENV)


@nox.session(reuse_venv=True)
def lint(session: nox.Session) -> None:
    """ruff over the engine, the kit, graders, reference and tests (config in pyproject.toml)."""
    session.install("ruff")
    session.run("ruff", "check", "grading", "kit", "graders", "reference", "tests", "noxfile.py")


@nox.session(reuse_venv=True)
def new(session: nox.Session) -> None:
    """Scaffold a new exercise in exercises/, reference/, graders/ and tests/corpus/: `nox -s new -- 14_streaming`."""
    _install(session)
    session.run("python", "-m", "kit.new", *session.posargs, env=ENV)
