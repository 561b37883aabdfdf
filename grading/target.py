"""Finding what to grade: the target folder, the exercises in it, and a submission's module.

A target is any folder with the ``NN_slug/`` layout (``exercises/``, ``reference/`` or a
learner's copy). A submission's ``app.py`` is imported fresh for every test from its own
folder, so module state never leaks between tests, and nothing is written into it.
"""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path
from types import ModuleType

from grading.feedback import Feedback, describe_exception, is_test_timeout

EXERCISE_DIR = re.compile(r"^\d\d_[a-z0-9_]+$")
KIT_ROOT = Path(__file__).resolve().parent.parent


class TargetError(Exception):
    """Grading cannot start: a bad target or selector. The message is one line."""


def resolve_target(name: str, kit_root: Path = KIT_ROOT) -> Path:
    path = Path(name)
    if not path.is_absolute() and not path.exists() and (kit_root / name).is_dir():
        path = kit_root / name
    if not path.is_dir():
        raise TargetError(f"target folder '{name}' does not exist")
    return path.resolve()


def exercise_ids(graders_dir: Path) -> list[str]:
    return sorted(p.name for p in graders_dir.iterdir() if p.is_dir() and EXERCISE_DIR.match(p.name))


def select(ids: list[str], selectors: list[str]) -> list[str]:
    """'04' or '04_concurrent_calls' picks an exercise; no selector picks them all."""
    if not selectors:
        return ids
    chosen: list[str] = []
    for sel in selectors:
        matches = [i for i in ids if i == sel or i.split("_", 1)[0] == sel.zfill(2)]
        if not matches:
            raise TargetError(f"no exercise matches '{sel}' (known: {', '.join(ids)})")
        chosen += [m for m in matches if m not in chosen]
    return sorted(chosen)


# --- importing a submission -------------------------------------------------------------

_loaded_roots: set[Path] = set()
_hung_at_import: dict[Path, str] = {}


def _purge(root: Path) -> None:
    """Forget modules imported from earlier submissions (same names: app, inventory...)."""
    roots = _loaded_roots | {root}
    for name, mod in list(sys.modules.items()):
        file = getattr(mod, "__file__", None)
        if file and any(Path(file).resolve().is_relative_to(r) for r in roots):
            del sys.modules[name]
    for r in roots:
        while str(r) in sys.path:
            sys.path.remove(str(r))


def load_submission(exercise_dir: Path, module: str = "app") -> ModuleType:
    """Import ``exercise_dir/app.py`` afresh and return it, or raise Feedback saying why not."""
    exercise_dir = exercise_dir.resolve()
    source = exercise_dir / f"{module}.py"
    if exercise_dir in _hung_at_import:
        raise Feedback(_hung_at_import[exercise_dir], f"{module}.py to import promptly",
                       "Move long-running work out of module level (into lifespan or a handler).")
    if not source.is_file():
        raise Feedback(f"{source.parent.name}/{module}.py does not exist",
                       f"a module {module}.py in {exercise_dir.name}/")
    _purge(exercise_dir)
    _loaded_roots.add(exercise_dir)
    sys.dont_write_bytecode = True  # grading never writes into a submission
    sys.path.insert(0, str(exercise_dir))
    importlib.invalidate_caches()
    try:
        mod = importlib.import_module(module)
    except SyntaxError as exc:
        raise Feedback(
            f"{module}.py does not compile: {exc.msg} (line {exc.lineno})",
            f"{module}.py to be valid Python",
            "Run `python -m py_compile` on the file to see the error.",
        ) from None
    except SystemExit as exc:
        raise Feedback(
            f"{module}.py called sys.exit({exc.code!r}) while being imported",
            "importing the module to define the app and return",
            "Do not exit at import time; uvicorn imports your module to find `app`.",
        ) from None
    except Exception as exc:
        raise Feedback(
            f"importing {module}.py raised {describe_exception(exc, [exercise_dir])}",
            f"{module}.py to import cleanly",
        ) from None
    except BaseException as exc:
        if is_test_timeout(exc):
            _hung_at_import[exercise_dir] = f"importing {module}.py never finished (time limit hit)"
        raise
    if module == "app" and not callable(getattr(mod, "app", None)):
        raise Feedback(f"{module}.py defines no `app`", "a FastAPI instance named `app` in app.py")
    return mod
