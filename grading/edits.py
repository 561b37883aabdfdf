"""Edits to a folder's files, as the kit writes them (``[[replace]]`` tables: ``file``,
``old``, ``new``): 11's mutants of a learner's app and the corpus's variants of the
reference both use :func:`apply_edits`."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


class EditError(ValueError):
    """An edit that does not apply: its file is missing, or ``old`` is not there exactly once."""

    def __init__(self, file: str, old: str, count: int | None) -> None:
        self.file, self.old, self.count = file, old, count
        where = "is missing" if count is None else f"has {old[:60]!r} {count} times, not once"
        super().__init__(f"{file} {where}")


def apply_edits(folder: Path, edits: Iterable[tuple[str, str, str]]) -> dict[str, str]:
    """The edited files' text (relative path -> text), edits applied in order; nothing is
    written. Each ``old`` must occur exactly once in its file as edited so far."""
    texts: dict[str, str] = {}
    for file, old, new in edits:
        text = texts.get(file)
        if text is None:
            path = folder / file
            if not path.is_file():
                raise EditError(file, old, None)
            text = path.read_text(encoding="utf-8")
        if text.count(old) != 1:
            raise EditError(file, old, text.count(old))
        texts[file] = text.replace(old, new)
    return texts
