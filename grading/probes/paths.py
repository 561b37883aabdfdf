"""One spelling of file paths for matching a frame (or a module) to the learner's files.

Frame file names and the learner's folders come from different places (the compiler, a
traceback, ``Path.resolve()``), and on Windows they may differ in case and separator
(``C:\\Users\\ada\\06\\app.py`` vs ``c:/users/ada/06/app.py``): compared as raw strings,
nothing would ever match and every probe that blames the learner's code would go quiet.
Every probe matches through :class:`LearnerFiles`; matching touches no disk (probes run
inside blockbuster's patched calls, on the loop thread).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

# The platform's case rule (ntpath.normcase lowercases and turns / into \ on Windows,
# posixpath.normcase changes nothing). A module attribute, so tests can force Windows's.
normcase = os.path.normcase


def norm(path: str | os.PathLike[str]) -> str:
    """``path`` in the one form used for matching: the platform's case rule, ``/`` separators."""
    return normcase(os.fspath(path)).replace("\\", "/")


def basename(filename: str) -> str:
    """The file's own name, whichever separator the path uses (``app.py``)."""
    return os.fspath(filename).replace("\\", "/").rsplit("/", 1)[-1]


def ends_with(filename: str, suffix: str) -> bool:
    """Whether ``filename`` ends with the ``/``-separated ``suffix`` (``respx/router.py``)."""
    return norm(filename).endswith(norm(suffix))


class LearnerFiles:
    """The learner's folders: does a file name lie inside one of them, and where.

    ``resolve`` (the default) also matches each folder's resolved form (symlinks, ``..``),
    computed once here: a file name of either spelling then matches.
    """

    def __init__(self, roots: Iterable[str | os.PathLike[str]], *, resolve: bool = True) -> None:
        forms: list[str] = []
        for root in roots:
            spellings = [os.fspath(root)]
            if resolve:
                spellings += [os.path.abspath(root), str(Path(root).resolve())]
            for s in spellings:
                prefix = norm(s).rstrip("/") + "/"
                if prefix not in forms:
                    forms.append(prefix)
        self.prefixes = tuple(forms)

    def __contains__(self, filename: object) -> bool:
        return isinstance(filename, str | os.PathLike) and bool(filename) and norm(filename).startswith(self.prefixes)

    def relative(self, filename: str) -> str | None:
        """``filename`` relative to the learner's folder it lies in (``/``-separated), or None."""
        if filename not in self:
            return None
        normed = norm(filename)
        prefix = next(p for p in self.prefixes if normed.startswith(p))
        plain = os.fspath(filename).replace("\\", "/")
        # Keep the learner's own spelling of the name where the case rule kept the length.
        return plain[len(prefix):] if len(plain) == len(normed) else normed[len(prefix):]
