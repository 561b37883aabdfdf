"""The public graders' manifest: which grader files a student copy was given, by hash.

``assign`` writes ``graders.sha256`` (the ``sha256sum`` format, so ``sha256sum -c
graders.sha256`` works too) at the root of the student copy. Grading in CI checks the
submission's ``graders/`` against it and flags edits. Editing a grader never raises a
score there, since CI grades with the instructor's own graders; the flag says that the
learner's local grade may not have meant much.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

MANIFEST = "graders.sha256"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def grader_files(repo: Path) -> list[Path]:
    """Every file under repo/graders/, bytecode caches aside, relative to repo."""
    graders = repo / "graders"
    if not graders.is_dir():
        return []
    return sorted(p.relative_to(repo) for p in graders.rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc")


def manifest_text(repo: Path) -> str:
    return "".join(f"{_digest(repo / rel)}  {rel.as_posix()}\n" for rel in grader_files(repo))


def parse(text: str) -> dict[str, str]:
    entries = {}
    for line in text.splitlines():
        digest, _, name = line.strip().partition("  ")
        if digest and name:
            entries[name.lstrip("*")] = digest
    return entries


def edited_graders(repo: Path) -> list[str]:
    """What differs between repo/graders/ and repo/graders.sha256, one line each (empty: intact)."""
    manifest = repo / MANIFEST
    if not manifest.is_file():
        return [f"{MANIFEST} is missing, so edits to graders/ cannot be checked"]
    expected = parse(manifest.read_text(encoding="utf-8", errors="replace"))
    actual = {rel.as_posix(): _digest(repo / rel) for rel in grader_files(repo)}
    problems = [f"{name} was edited" for name in sorted(expected.keys() & actual.keys())
                if expected[name] != actual[name]]
    problems += [f"{name} was removed" for name in sorted(expected.keys() - actual.keys())]
    problems += [f"{name} was added" for name in sorted(actual.keys() - expected.keys())]
    return problems
