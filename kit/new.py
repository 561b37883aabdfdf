"""`nox -s new -- NN_slug`: scaffold a new exercise in the four places it lives.

    python -m kit.new 14_streaming [--title "Streaming responses"]

writes, from the templates in kit/templates/new/:

- exercises/NN_slug/: ``app.py`` with one ``TODO(1)`` region (its body raises
  NotImplementedError) and ``README.md`` (``## Tasks``, ``## Hints``...);
- reference/NN_slug/: the same files, the solution inside the region;
- graders/NN_slug/: ``test_<slug>.py`` (public) and ``test_hidden_<slug>.py`` (hidden);
- tests/corpus/NN_slug/: one correct variant and one mistake, as edits to the reference.

The scaffold passes ``nox -s verify -- NN`` as it is: edit from a working exercise. Refuses
to overwrite anything. The top README's exercise list is the fifth place: verify flags it.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from string import Template

from grading.target import KIT_ROOT

TEMPLATES = Path(__file__).resolve().parent / "templates" / "new"
NAME = re.compile(r"^(\d\d)_([a-z][a-z0-9_]*)$")
SKELETON_BODY = '    raise NotImplementedError("task 1: return the greeting")'
SOLUTION_BODY = '    return {"message": "hello"}'


def plan(exercise: str, title: str, kit: Path = KIT_ROOT) -> dict[Path, str]:
    """Every file to write, by path, with its text."""
    m = NAME.match(exercise)
    if m is None:
        raise ValueError(f"'{exercise}' is not NN_slug (two digits, an underscore, lower-case words)")
    number, slug = m.groups()
    values = {"exercise": exercise, "number": number, "slug": slug, "title": title}

    def render(name: str, **extra: str) -> str:
        return Template((TEMPLATES / name).read_text(encoding="utf-8")).substitute(values, **extra)

    readme = render("README.md.tmpl")
    return {
        kit / "exercises" / exercise / "app.py": render("app.py.tmpl", body=SKELETON_BODY),
        kit / "exercises" / exercise / "README.md": readme,
        kit / "reference" / exercise / "app.py": render("app.py.tmpl", body=SOLUTION_BODY),
        kit / "reference" / exercise / "README.md": readme,
        kit / "graders" / exercise / f"test_{slug}.py": render("test_public.py.tmpl"),
        kit / "graders" / exercise / f"test_hidden_{slug}.py": render("test_hidden.py.tmpl"),
        kit / "tests" / "corpus" / exercise / "another_way" / "expected.toml": render("correct.toml.tmpl"),
        kit / "tests" / "corpus" / exercise / "wrong_text" / "expected.toml": render("wrong.toml.tmpl"),
    }


def scaffold(exercise: str, title: str, kit: Path = KIT_ROOT) -> list[Path]:
    files = plan(exercise, title, kit)
    taken = [p for p in files if p.exists()] + [
        kit / tree / exercise for tree in ("exercises", "reference", "graders") if (kit / tree / exercise).exists()]
    if taken:
        raise FileExistsError(f"{taken[0].relative_to(kit)} exists already: nothing was written")
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return list(files)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="nox -s new --", description="Scaffold a new exercise in the four places.")
    p.add_argument("exercise", help="NN_slug, e.g. 14_streaming")
    p.add_argument("--title", help="the README's title (default: from the slug)")
    args = p.parse_args(argv)
    title = args.title or args.exercise[3:].replace("_", " ").capitalize()
    try:
        written = scaffold(args.exercise, title)
    except (ValueError, FileExistsError) as exc:
        print(f"new: error: {exc}", file=sys.stderr)
        return 2
    for path in written:
        print(f"  wrote {path.relative_to(KIT_ROOT)}")
    print(f"Next: list {args.exercise} in README.md's `## Exercises`, then edit the four places "
          f"(docs/writing-graders.md) and run `nox -s verify -- {args.exercise[:2]}`, "
          f"`nox -s corpus -- {args.exercise[:2]}` and `nox -s lint`.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
