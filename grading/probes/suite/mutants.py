"""Mutants: faulty versions of the provided app, as TOML files.

A mutant is a TOML file: ``why`` (what is wrong, for instructors), ``hint`` (what a test
should check, for the learner), ``task`` (the README task whose tests should catch it), and
``[[replace]]`` tables with ``file`` (default ``app.py``), ``old`` and ``new``: each ``old``
must occur exactly once in the submission's file, else the learner changed the provided file
and the mutant cannot be built.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from grading.edits import EditError, apply_edits


@dataclass(frozen=True)
class Mutant:
    name: str
    why: str
    hint: str
    replace: tuple[tuple[str, str, str], ...]  # (file, old, new)
    task: int = 1

    def apply(self, folder: Path) -> dict[str, str]:
        """The mutated files' text, or ValueError saying which provided file was changed."""
        try:
            texts = apply_edits(folder, self.replace)
        except EditError as exc:
            if exc.count is None:
                raise ValueError(f"{exc.file} is missing from your folder") from exc
            raise ValueError(f"{exc.file} is not the provided file any more (it was edited)") from exc
        for file, text in texts.items():
            if file.endswith(".py"):
                try:
                    compile(text, file, "exec")
                except SyntaxError as exc:  # the mutant itself is broken: say so, never blame the tests
                    raise MutantDefect(f"grader defect: mutant {self.name} makes {file} invalid ({exc})") from exc
        return texts


class MutantDefect(Exception):
    """A mutant that does not build valid Python: the grader's fault, reported as such."""


def load_mutants(folder: Path) -> list[Mutant]:
    import tomllib

    mutants = []
    for path in sorted(folder.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        pairs = tuple((r.get("file", "app.py"), r["old"], r["new"]) for r in data["replace"])
        mutants.append(Mutant(path.stem, data["why"], data["hint"], pairs, data.get("task", 1)))
    return mutants
