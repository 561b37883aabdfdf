"""Where in the learner's code something happened: the one test of "is this frame in the
learner's files" and the one way of naming the place ('app.py, line 12, in fetch').

Used by feedback (a traceback), the blocking and sleep recorders and the clients recorder
(live frames). Roots are resolved once, up front: resolving touches the disk, and the
recorders run on the event-loop thread, where a disk access would itself count as blocking.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import FrameType


def resolved(roots: Iterable[Path | str]) -> tuple[str, ...]:
    """The learner's folders as absolute path strings, for :func:`relative`."""
    return tuple(str(Path(r).resolve()) for r in roots)


def relative(filename: str, roots: tuple[str, ...]) -> str | None:
    """``filename`` relative to the root that holds it ('app.py'), or None if no root does."""
    for root in roots:
        if filename.startswith(root) and filename[len(root):len(root) + 1] in ("/", "\\"):
            return filename[len(root) + 1:]
    return None


def place(filename: str, lineno: int | None, function: str, roots: tuple[str, ...]) -> str:
    """'app.py, line 12, in fetch' for a place in the learner's files."""
    return f"{relative(filename, roots) or Path(filename).name}, line {lineno}, in {function}"


def frame_place(frame: FrameType, roots: tuple[str, ...]) -> str:
    return place(frame.f_code.co_filename, frame.f_lineno, frame.f_code.co_name, roots)


def learner_frames(roots: tuple[str, ...], depth: int = 1) -> Iterator[FrameType]:
    """The caller's stack (``depth`` frames up from the caller), innermost first, keeping
    only frames in the learner's files."""
    frame: FrameType | None = sys._getframe(depth + 1)
    while frame is not None:
        if relative(frame.f_code.co_filename, roots) is not None:
            yield frame
        frame = frame.f_back
