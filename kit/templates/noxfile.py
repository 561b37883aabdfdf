"""`nox -s grade` grades your work in exercises/ (`nox -s grade -- --help` for options).
Environments are made with uv when it is installed (a few seconds), else virtualenv + pip.

The kit's `nox -s assign` writes this file, as it is, into the student copy and the private
graders (kit/templates/noxfile.py). To give learners another session, add a function here
with the `@nox.session` decorator: `nox -l` lists exactly the sessions of this file.
"""

from __future__ import annotations

from pathlib import Path

import nox

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["grade"]

ENV = {"PYTHONDONTWRITEBYTECODE": "1"}
# The exact versions the kit was checked with (exported from its uv.lock); the ranges of
# pyproject.toml when the file is missing.
LOCK = Path(__file__).with_name("requirements.txt")


def _install(session: nox.Session) -> None:
    if LOCK.is_file():
        session.install("-r", str(LOCK))
    else:
        session.install(*nox.project.load_toml("pyproject.toml")["project"]["dependencies"])


@nox.session(reuse_venv=True)
def grade(session: nox.Session) -> None:
    """Grade exercises/ (or `-- 04`, `-- 01 03 -v`, `-- --json out.json`; `-- --help`)."""
    _install(session)
    session.run("python", "-m", "grading", *session.posargs, env=ENV)


# The learner's loop: the exercise on a local server, re-grading at each save, 11's own tests.
@nox.session(reuse_venv=True)
def serve(session: nox.Session) -> None:
    """Run an exercise on http://127.0.0.1:8000 with reload: `nox -s serve -- 04`."""
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
