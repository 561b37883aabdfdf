"""The kit's corpus: other correct solutions and typical mistakes that prove the graders right.

Each ``tests/corpus/NN_slug/<variant>/`` holds ``expected.toml``:

    kind = "correct" | "wrong"
    why = "what this solution does (differently, or wrong)"
    fails = ["test_names", "that must fail"]     # [] for a correct one
    base = "reference"                           # or "exercises": the skeleton (default reference)

    [[replace]]                                  # edits to the base's files, in order
    file = "app.py"                              # (the default)
    old = "..."                                  # must occur exactly once
    new = "..."

    [says]                                       # optional: text a failing test's feedback
    test_name = "..."                            # must contain (the cause it names)

and, besides or instead of edits, whole files laid over the base (a test file written from
scratch, say). The corpus tests, ``bench --class`` and instructors' own checks build a
variant's submission with ``lay_out``.
"""

from __future__ import annotations

import os
import shutil
import tomllib
from pathlib import Path

from grading.edits import EditError, apply_edits
from grading.target import KIT_ROOT

CORPUS = KIT_ROOT / "tests" / "corpus"


class CorpusError(Exception):
    """A variant that cannot be built: the corpus is wrong, not the graders."""


def variants(corpus: Path = CORPUS, only: list[str] | None = None) -> list[Path]:
    """Every variant, or only those of the exercises named in ``only`` ('06' or '06_cpu_bound')."""
    found = sorted(p for p in corpus.glob("[0-9][0-9]_*/*") if (p / "expected.toml").is_file())
    if only:
        found = [p for p in found if any(p.parent.name == o or p.parent.name[:2] == o.zfill(2) for o in only)]
    return found


def selected() -> list[str]:
    """The exercises named by $CORPUS ('06 14', as `nox -s corpus -- 06 14` sets it); [] for all."""
    return os.environ.get("CORPUS", "").replace(",", " ").split()


def expected(variant: Path) -> dict:
    return tomllib.loads((variant / "expected.toml").read_text(encoding="utf-8"))


def lay_out(variant: Path, dest: Path, kit: Path = KIT_ROOT) -> Path:
    """Write the variant's exercise folder into ``dest`` (``dest/NN_slug/``) and return it."""
    spec = expected(variant)
    exercise = variant.parent.name
    folder = dest / exercise
    shutil.copytree(kit / spec.get("base", "reference") / exercise, folder)
    for f in sorted(variant.rglob("*")):
        if f.is_file() and f.name != "expected.toml":
            target = folder / f.relative_to(variant)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(f, target)
    edits = [(e.get("file", "app.py"), e["old"], e["new"]) for e in spec.get("replace", [])]
    try:
        texts = apply_edits(folder, edits)
    except EditError as exc:
        raise CorpusError(f"{variant.parent.name}/{variant.name}: {exc.old[:60]!r} occurs "
                          f"{exc.count or 0} times in {Path(exc.file).name}, not once") from exc
    for file, text in texts.items():
        (folder / file).write_text(text, encoding="utf-8")
    return folder
