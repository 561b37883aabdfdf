"""Finding the exercises in whatever a learner handed in: a repository, a bare exercises/
folder, a zip with a wrapper folder. Used by the Gradescope entry point and the gradebook."""

from __future__ import annotations

import zipfile
from pathlib import Path

SKIP = {"__MACOSX", "__pycache__", "node_modules"}
MAX_UNZIPPED = 200 * 2**20  # a submission is a few kB: anything near this is a zip bomb
MAX_MEMBERS = 10_000


class SubmissionError(Exception):
    """A submission that cannot be graded at all; the message is one line for the learner."""


def _subdirs(folder: Path) -> list[Path]:
    try:
        children = [c for c in folder.iterdir()
                    if c.is_dir() and not c.is_symlink() and c.name not in SKIP and not c.name.startswith(".")]
    except OSError:
        return []
    return sorted(children, key=lambda c: (c.name != "exercises", c.name))


def find_root(folder: Path, known: list[str], depth: int = 3) -> Path | None:
    """The shallowest folder holding the most of the ``known`` NN_slug/ folders, or None."""
    best, best_count = None, 0
    level = [folder]
    for _ in range(depth + 1):
        below: list[Path] = []
        for d in level:
            children = _subdirs(d)
            count = sum(c.name in known for c in children)
            if count > best_count:
                best, best_count = d, count
            below += children
        level = below
    return best


def unzip(archive: Path, dest: Path) -> Path:
    """Extract ``archive`` into ``dest`` within size limits; zipfile itself drops `..` and absolute paths."""
    try:
        with zipfile.ZipFile(archive) as zf:
            members = zf.infolist()
            if len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > MAX_UNZIPPED:
                raise SubmissionError(f"{archive.name} is too large to be a submission")
            zf.extractall(dest)
    except (zipfile.BadZipFile, OSError) as exc:
        raise SubmissionError(f"{archive.name} is not a readable zip file ({exc})") from None
    return dest
