"""How a grader declares what a test is worth, which task it checks and what to hint.

    @graded(points=2, task=1, hint="Start all the fetches before awaiting any of them.")
    async def test_items_are_fetched_concurrently(...): ...

Hidden tests say ``hidden=True`` and live in files named ``test_hidden*.py`` so that a
student copy can leave those files out; the plugin refuses a mismatch.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePath

import pytest

MARKER = "graded"
# A grader file or folder whose name starts with one of these is hidden: never in the
# student copy, run only where hidden tests are graded, and its tests declare hidden=True.
HIDDEN_PREFIXES = ("test_hidden", "hidden")


def is_hidden_path(path: str | PurePath) -> bool:
    """Whether a grader path (relative to graders/, or a bare file name) is hidden from learners."""
    return any(part.startswith(HIDDEN_PREFIXES) for part in PurePath(path).parts)


@dataclass(frozen=True)
class Spec:
    points: float
    task: int
    hint: str
    hidden: bool = False

    @property
    def visibility(self) -> str:
        return "hidden" if self.hidden else "public"


def graded(*, points: float, task: int, hint: str, hidden: bool = False) -> pytest.MarkDecorator:
    """Declare a grader test's points, task number, hint and visibility."""
    if points <= 0:
        raise ValueError("a graded test is worth more than 0 points")
    if not hint.strip():
        raise ValueError("a graded test needs a hint for the learner")
    return getattr(pytest.mark, MARKER)(points=points, task=task, hint=hint, hidden=hidden)


def spec_of(item: pytest.Item) -> Spec | None:
    marker = item.get_closest_marker(MARKER)
    if marker is None:
        return None
    return Spec(**marker.kwargs)


def spec_problem(item: pytest.Item) -> str | None:
    """Why this test's declaration is unusable, or None when it is fine."""
    spec = spec_of(item)
    if spec is None:
        return f"{item.name} has no @graded(points=..., task=..., hint=...) declaration"
    in_hidden_file = is_hidden_path(Path(str(item.fspath)).name)
    if spec.hidden != in_hidden_file:
        where = "a test_hidden*.py file" if spec.hidden else "a public test file"
        return f"{item.name} is declared hidden={spec.hidden} but must then live in {where}"
    return None
