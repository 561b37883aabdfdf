"""Where in the learner's code something happened: the one test of "is this frame in the
learner's files" and the one way of naming the place ('app.py, line 12, in fetch').

Used by feedback (a traceback), the blocking and sleep recorders and the clients recorder
(live frames). Matching goes through :class:`grading.probes.paths.LearnerFiles` (one
spelling of paths, so Windows's case and separators match too). Roots are resolved once, up
front: resolving touches the disk, and the recorders run on the event-loop thread, where a
disk access would itself count as blocking.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import FrameType

from grading.probes.paths import LearnerFiles, basename


def resolved(roots: Iterable[Path | str] | LearnerFiles) -> LearnerFiles:
    """The learner's folders, ready for :func:`relative` (a ``LearnerFiles`` passes through)."""
    return roots if isinstance(roots, LearnerFiles) else LearnerFiles(roots)


def relative(filename: str, roots: LearnerFiles) -> str | None:
    """``filename`` relative to the root that holds it ('app.py'), or None if no root does."""
    return roots.relative(filename)


def place(filename: str, lineno: int | None, function: str, roots: LearnerFiles) -> str:
    """'app.py, line 12, in fetch' for a place in the learner's files."""
    return f"{relative(filename, roots) or basename(filename)}, line {lineno}, in {function}"


def frame_place(frame: FrameType, roots: LearnerFiles) -> str:
    return place(frame.f_code.co_filename, frame.f_lineno, frame.f_code.co_name, roots)


def learner_frames(roots: LearnerFiles, depth: int = 1) -> Iterator[FrameType]:
    """The caller's stack (``depth`` frames up from the caller), innermost first, keeping
    only frames in the learner's files."""
    frame: FrameType | None = sys._getframe(depth + 1)
    while frame is not None:
        if frame.f_code.co_filename in roots:
            yield frame
        frame = frame.f_back
