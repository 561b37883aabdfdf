"""`nox -s verify`: the instructor's check that the kit holds together.

    python -m kit.verify [EXERCISE ...] [--repeat N] [--jobs N]

1. layout: exercises/, reference/ and graders/ hold the same NN_slug/ folders; each
   skeleton has a README.md and at least one TODO region, the same files as its reference,
   and differs from it only inside ``# TODO(n): ...`` / ``# END TODO`` regions;
2. declarations: every graded test declares points, a hint, and a task n listed in the
   README's ``## Tasks`` (each ``TODO(n)`` is one of them too); every task is tested;
3. the reference scores full marks;
4. the untouched skeleton scores zero: every graded test fails on it;
5. ``--repeat N`` grades the reference N times and lists any test that ever failed;
6. the top README's ``## Exercises`` list names exactly the exercises of graders/;
7. ``--coverage`` grades the corpus: for each graded test, the mistakes that fail it; a
   test no mistake fails is unproven (it may not grow beyond tests/unproven.txt), a mistake
   that fails no test is a defect (kit/coverage.py).

Reference and skeleton are graded by the engine itself (``batch.grade_many``), in one
batch. Each check is a function returning problems (one line each), so the kit's own
tests call the same checks (tests/test_instructor.py).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from grading.isolation import DEFAULT_JOBS
from grading.reporters import json_report
from grading.results import GradeReport
from grading.spec import is_hidden_path
from grading.target import EXERCISE_DIR, KIT_ROOT, TargetError, exercise_ids, select
from grading.workers import BACKENDS
from kit.coverage import read_baseline, table

TREES = ("exercises", "reference", "graders")
# `#` for Python and shell, `//` for JavaScript, `<!--` for HTML.
TODO_START = re.compile(r"^\s*(?:#|//|<!--)\s*TODO\((\d+)\):")
TODO_END = re.compile(r"^\s*(?:#|//|<!--)\s*END TODO\b")


def _files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"}


def split_todo(text: str) -> tuple[list[str], list[int]]:
    """The text outside TODO regions (one chunk per gap) and the regions' task numbers.

    Raises ValueError for an unbalanced region. The ``TODO(n)`` and ``END TODO`` lines
    belong to their region; only the numbers must agree between skeleton and reference.
    """
    chunks, numbers, inside = [""], [], False
    for i, line in enumerate(text.splitlines(keepends=True), 1):
        start = TODO_START.match(line)
        if start and inside:
            raise ValueError(f"line {i}: TODO({start.group(1)}) inside another TODO region")
        if start:
            numbers.append(int(start.group(1)))
            inside = True
        elif TODO_END.match(line):
            if not inside:
                raise ValueError(f"line {i}: END TODO without a TODO(n): before it")
            inside = False
            chunks.append("")
        elif not inside:
            chunks[-1] += line
    if inside:
        raise ValueError("a TODO(n): region has no END TODO")
    return chunks, numbers


def todo_numbers(skeleton: Path) -> set[int]:
    numbers: set[int] = set()
    for rel in _files(skeleton):
        try:
            numbers.update(split_todo((skeleton / rel).read_text(encoding="utf-8"))[1])
        except (UnicodeDecodeError, ValueError):
            pass  # reported by layout_problems
    return numbers


def readme_tasks(skeleton: Path) -> set[int]:
    """The numbers of the items listed under the README's `## Tasks` heading."""
    readme = skeleton / "README.md"
    text = readme.read_text(encoding="utf-8") if readme.is_file() else ""
    section = re.search(r"^## Tasks\s*$(.*?)(?=^## |\Z)", text, re.M | re.S)
    return {int(n) for n in re.findall(r"^(\d+)\. ", section.group(1), re.M)} if section else set()


def tasks_of(skeleton: Path) -> set[int]:
    """An exercise's task numbers: its README's tasks, else its TODO(n) numbers."""
    return readme_tasks(skeleton) or todo_numbers(skeleton)


def _first_difference(a: str, b: str) -> str:
    for x, y in zip(a.splitlines(), b.splitlines(), strict=False):
        if x != y:
            return f"{x.strip()!r} vs {y.strip()!r}"
    return "one has extra lines"


def compare_files(skeleton: Path, reference: Path) -> str | None:
    """Why a skeleton file and its reference differ outside TODO regions, or None."""
    s_bytes, r_bytes = skeleton.read_bytes(), reference.read_bytes()
    if s_bytes == r_bytes:
        return None
    try:
        s_chunks, s_nums = split_todo(s_bytes.decode("utf-8"))
        r_chunks, r_nums = split_todo(r_bytes.decode("utf-8"))
    except UnicodeDecodeError:
        return "differs (a binary file must be an identical copy)"
    except ValueError as exc:
        return str(exc)
    if s_nums != r_nums:
        return f"has TODO regions {s_nums} but its reference has {r_nums}"
    for n, (s, r) in enumerate(zip(s_chunks, r_chunks, strict=True)):
        if s != r:
            where = "before the first TODO region" if n == 0 else f"after TODO region #{n}"
            return f"differs from its reference outside TODO regions, {where}: {_first_difference(s, r)}"
    return None


def layout_problems(kit: Path = KIT_ROOT, exercises: list[str] | None = None) -> list[str]:
    problems: list[str] = []
    dirs = {tree: {p.name for p in (kit / tree).iterdir() if p.is_dir() and p.name != "__pycache__"}
            if (kit / tree).is_dir() else set() for tree in TREES}
    for tree, names in dirs.items():
        problems += [f"{tree}/{n}: not an NN_slug folder name" for n in sorted(names) if not EXERCISE_DIR.match(n)]
    everything = sorted(n for n in set().union(*dirs.values()) if EXERCISE_DIR.match(n))
    chosen = [n for n in everything if exercises is None or n in exercises]
    for ex in chosen:
        missing = [tree for tree in TREES if ex not in dirs[tree]]
        if missing:
            problems.append(f"{ex}: missing from {', '.join(t + '/' for t in missing)}")
            continue
        skeleton, reference, graders = (kit / tree / ex for tree in TREES)
        s_files, r_files = _files(skeleton), _files(reference)
        problems += [f"exercises/{ex}/{f}: has no counterpart in reference/{ex}/" for f in sorted(s_files - r_files)]
        problems += [f"reference/{ex}/{f}: has no counterpart in exercises/{ex}/" for f in sorted(r_files - s_files)]
        if "README.md" not in s_files:
            problems.append(f"exercises/{ex}/README.md: missing (the learner's tasks and hints)")
        for f in sorted(s_files & r_files):
            why = compare_files(skeleton / f, reference / f)
            if why:
                problems.append(f"exercises/{ex}/{f}: {why}")
        todos, tasks = todo_numbers(skeleton), readme_tasks(skeleton)
        if not todos:
            problems.append(f"exercises/{ex}: no `# TODO(n): ...` region for the learner to fill in")
        if "README.md" in s_files and not tasks:
            problems.append(f"exercises/{ex}/README.md: no numbered list under a `## Tasks` heading")
        if tasks and todos - tasks:
            problems.append(f"exercises/{ex}: TODO({sorted(todos - tasks)[0]}) is not a task of README.md")
        public = [p for p in graders.glob("test_*.py") if not is_hidden_path(p.name)]
        if not public:
            problems.append(f"graders/{ex}: no public test_*.py grader")
    return problems


README_ITEM = re.compile(r"^\s*(?:[-*]|\d+\.)\s+\**`?(\d\d_[a-z0-9_]+)`?")


def readme_list_problems(kit: Path = KIT_ROOT) -> list[str]:
    """The top README's `## Exercises` list against graders/: one line per exercise missing
    from it or listed without graders."""
    readme = kit / "README.md"
    text = readme.read_text(encoding="utf-8") if readme.is_file() else ""
    section = re.search(r"^## Exercises\s*$(.*?)(?=^## |\Z)", text, re.M | re.S)
    if section is None:
        return ["README.md: no `## Exercises` list (one `- `NN_slug`: what it teaches` line per exercise)"]
    listed = [m.group(1) for line in section.group(1).splitlines() if (m := README_ITEM.match(line))]
    known = exercise_ids(kit / "graders")
    return ([f"README.md: {ex} is not in the `## Exercises` list" for ex in known if ex not in listed]
            + [f"README.md: `## Exercises` lists {ex}, which has no graders/{ex}/" for ex in listed if ex not in known])


def declaration_problems(report: GradeReport, kit: Path = KIT_ROOT) -> list[str]:
    """Every graded test declares points, a hint, and one of the exercise's tasks; every task is tested."""
    problems: list[str] = []
    for e in report.exercises:
        tasks = tasks_of(kit / "exercises" / e.id)
        if not e.tests:
            problems.append(f"{e.id}: no graded test ran ({e.problem or 'none collected'})")
        for t in e.tests:
            where = f"{e.id} › {t.name}"
            if t.message.startswith("Grader defect"):
                problems.append(f"{where}: {t.message}")
                continue
            if t.status != "skipped" and t.max_score <= 0:
                problems.append(f"{where}: declares no points")
            if not t.hint.strip():
                problems.append(f"{where}: declares no hint")
            if t.task not in tasks:
                problems.append(f"{where}: declares task {t.task}, but exercises/{e.id} has tasks {sorted(tasks)}")
        untested = sorted(tasks - {t.task for t in e.tests})
        if e.tests and untested:
            problems.append(f"{e.id}: no graded test checks task(s) {untested}")
    return problems


def reference_problems(report: GradeReport) -> list[str]:
    problems = [f"{e.id}: {e.problem}" for e in report.exercises if e.problem]
    problems += [f"{e.id} › {t.name}: {t.status} on the reference: {t.message.splitlines()[0] if t.message else ''}"
                 for e, t in report.tests() if t.status not in ("passed", "skipped")]
    if report.score != report.max_score or report.max_score <= 0:
        problems.append(f"the reference scores {report.score:g}/{report.max_score:g}, not full marks")
    return problems


def skeleton_problems(report: GradeReport) -> list[str]:
    problems = [f"{e.id} › {t.name}: passes on the untouched skeleton (free points)"
                for e, t in report.tests() if t.passed]
    if report.score != 0:
        problems.append(f"the untouched skeleton scores {report.score:g}, not 0")
    return problems


def skipped(report: GradeReport) -> list[str]:
    return [f"{e.id} › {t.name}: {t.message}" for e, t in report.tests() if t.status == "skipped"]


def flaky_tests(reports: list[GradeReport]) -> dict[str, list[str]]:
    """Test → the messages of the runs in which it failed, for tests that ever failed."""
    failures: dict[str, list[str]] = {}
    for report in reports:
        for e, t in report.tests():
            if t.status not in ("passed", "skipped"):
                failures.setdefault(f"{e.id} › {t.name}", []).append(
                    f"{t.status}: {t.message.splitlines()[0] if t.message else ''}")
    return failures


def mistake_coverage(exercises: list[str], jobs: int = DEFAULT_JOBS):
    """Grade every corpus variant of ``exercises`` and tell which mistakes fail which test."""
    import tempfile

    from grading.run import grade_many
    from kit import corpus
    from kit.coverage import coverage, graded_of

    chosen = corpus.variants(only=exercises)
    with tempfile.TemporaryDirectory(prefix="coverage-") as tmp:
        targets = {}
        for v in chosen:
            label = f"{v.parent.name}__{v.name}"
            targets[label] = corpus.lay_out(v, Path(tmp) / label).parent
        reports = grade_many(targets, exercises, parallel=jobs, present_only=True)
    results = []
    for v in chosen:
        spec = corpus.expected(v)
        report = json_report.to_dict(reports[f"{v.parent.name}__{v.name}"])
        results.append(graded_of(v.name, v.parent.name, spec["kind"], report, spec.get("fails")))
    return coverage(results)


def main(argv: list[str] | None = None) -> int:
    from rich.console import Console
    from rich.markup import escape

    from grading.run import grade_many

    p = argparse.ArgumentParser(prog="nox -s verify --", description="Check the kit: layout, declarations, "
                                "reference full marks, skeleton zero.")
    p.add_argument("exercises", nargs="*", help="exercises to check (default: all)")
    p.add_argument("--repeat", type=int, default=1, metavar="N", help="grade the reference N times, list flaky tests")
    p.add_argument("--jobs", type=int, default=DEFAULT_JOBS, help="jobs at once (default: %(default)s)")
    p.add_argument("--backend", choices=BACKENDS, default=None, help="fork or spawn workers (default: for this OS)")
    p.add_argument("--coverage", action="store_true",
                   help="grade the corpus too: for each graded test, the corpus mistakes that fail it")
    args = p.parse_args(argv)
    console = Console(highlight=False)
    try:
        chosen = select(exercise_ids(KIT_ROOT / "graders"), args.exercises)
        if args.repeat < 1 or args.jobs < 1:
            raise TargetError("--repeat and --jobs must be positive")
    except TargetError as exc:
        print(f"verify: error: {exc}", file=sys.stderr)
        return 2

    failed = False

    def section(title: str, problems: list[str]) -> None:
        nonlocal failed
        failed |= bool(problems)
        console.print(f"[{'red' if problems else 'green'}]{'✘' if problems else '✔'}[/] {title}")
        for line in problems:
            console.print(f"    {escape(line)}")

    section("layout: exercises/, reference/ and graders/ mirror each other; skeletons differ only in TODO regions",
            layout_problems(KIT_ROOT, chosen if args.exercises else None))
    section("README.md: its `## Exercises` list matches graders/", readme_list_problems(KIT_ROOT))
    console.print(f"[dim]… grading reference/ and exercises/ ({len(chosen)} exercise(s), {args.jobs} at a time)[/dim]")
    reports = grade_many({"reference": KIT_ROOT / "reference", "skeleton": KIT_ROOT / "exercises"}, chosen,
                         parallel=args.jobs, backend=args.backend)
    section("declarations: every test has points, a hint and a README task; every task is tested",
            declaration_problems(reports["reference"]))
    section(f"reference scores full marks ({reports['reference'].score:g}/{reports['reference'].max_score:g})",
            reference_problems(reports["reference"]))
    section("untouched skeleton scores zero, every graded test fails", skeleton_problems(reports["skeleton"]))
    runs = [reports["reference"]]
    if args.repeat > 1:
        console.print(f"[dim]… grading the reference {args.repeat - 1} more time(s)[/dim]")
        more = grade_many({f"run{i}": KIT_ROOT / "reference" for i in range(2, args.repeat + 1)}, chosen,
                          parallel=args.jobs, backend=args.backend)
        runs += list(more.values())
        flaky = flaky_tests(runs)
        section(f"reference stable over {args.repeat} runs",
                [f"{name}: failed {len(msgs)}/{args.repeat}: {msgs[0]}" for name, msgs in sorted(flaky.items())])
    if args.coverage:
        console.print("[dim]… grading the corpus (mistake coverage)[/dim]")
        cov = mistake_coverage(chosen, args.jobs)
        for line in table(cov):
            console.print(escape(line))
        section("every corpus mistake fails at least one graded test",
                [f"{m}: fails no graded test (a corpus defect, or a grader gap)" for m in cov.idle_mistakes])
        grown = sorted(set(cov.unproven) - read_baseline())
        section(f"no graded test unproven beyond tests/unproven.txt ({len(cov.unproven)} unproven)",
                [f"{k}: no corpus mistake fails it (add one, or list it in tests/unproven.txt)" for k in grown])
    for line in skipped(reports["reference"]):
        console.print(f"[yellow]![/yellow] skipped here, so not verified: {escape(line)}")
    console.print("[bold red]verify: problems found[/]" if failed else "[bold green]verify: all checks passed[/]")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
