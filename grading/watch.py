"""`nox -s watch`: the learner's loop. Edit, save, read the verdict, repeat.

Opens on the first exercise not yet at full marks (or the one named: `nox -s watch -- 04`),
shows its tasks ✓/✗, its points and the first failing test's feedback, and re-grades the
exercise with its public graders each time a file of its folder is saved. Grading is the
same isolated job as `nox -s grade` (a forked worker under the exercise's time limit), from
a parent that has imported everything once, so a verdict takes the graders' own time.

Keys (no Enter needed): h next hint · l list/pick · n next exercise · r reset to the
skeleton · s start/stop the app on 127.0.0.1 · q quit. `--manual`: re-grade on Enter,
for folders where file events do not arrive (some network or container mounts).

Reset restores the skeleton as handed out and keeps a backup of your files in
`.backups/`. Where the skeleton comes from: in a student copy (no reference/ beside
exercises/), the repository's first commit that holds the exercise (the assignment as
handed out); in the kit itself, exercises/ at git's HEAD; outside git, the copy the first
watch of that exercise took (`.watch/skeleton/`).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import textwrap
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from grading import progress
from grading.isolation import EXERCISE_TIME_LIMIT, TEST_TIMEOUT, Job, preload, run_jobs
from grading.keys import Keys
from grading.learner import HOST, PORT, serve_command
from grading.results import ExerciseResult, TestResult
from grading.target import KIT_ROOT, TargetError, exercise_ids, resolve_target, select

WATCHED = {".py", ".html", ".js", ".css"}  # what a learner edits; not logs the app writes
NO_EVENTS_AFTER = 2.0  # s: a file changed on disk and the watcher said nothing


# --- what the README says ------------------------------------------------------------------

@dataclass
class Readme:
    title: str
    idea: str
    tasks: dict[int, str]
    hints: dict[int, list[str]]


def _flat(text: str) -> str:
    text = re.sub(r"\*\*|`", lambda m: "" if m.group() == "**" else "`", text)
    return " ".join(text.split())


def read_readme(folder: Path) -> Readme:
    try:
        text = (folder / "README.md").read_text(encoding="utf-8")
    except OSError:
        return Readme(folder.name, "", {}, {})
    lines = text.splitlines()
    title = re.sub(r"^#\s*(\d\d\s*·\s*)?", "", lines[0]).strip() if lines else folder.name
    paragraphs = [p for p in re.split(r"\n\s*\n", text)
                  if p.strip() and not p.lstrip().startswith(("#", "The tutorial:"))]
    first = _flat(paragraphs[0]) if paragraphs else ""
    idea = re.split(r"(?<=[.:;])\s", first, maxsplit=1)[0].rstrip(":;") if first else ""
    tasks: dict[int, str] = {}
    hints: dict[int, list[str]] = {}
    section = re.search(r"^## Tasks\s*\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    if section:
        for m in re.finditer(r"^(\d+)\.\s+(.*?)(?=^\d+\.\s|^\S|\Z)", section.group(1), re.M | re.S):
            tasks[int(m.group(1))] = _flat(m.group(2))
    section = re.search(r"^## Hints\s*\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    if section:
        for m in re.finditer(r"^- (.*?)(?=^- |^\S|\Z)", section.group(1), re.M | re.S):
            bullet = _flat(m.group(1))
            n = re.match(r"Tasks? (\d+)", bullet)
            hints.setdefault(int(n.group(1)) if n else 0, []).append(bullet)
    return Readme(title, idea, tasks, hints)


# --- the skeleton, for reset ---------------------------------------------------------------

def _git(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=20)


def skeleton_files(kit: Path, target: Path, exercise: str) -> tuple[dict[str, bytes], str]:
    """The exercise's files as handed out, and where they came from."""
    snapshot = kit / ".watch" / "skeleton" / exercise
    if target == kit / "exercises" and shutil.which("git"):
        try:
            inside = _git("rev-parse", "--is-inside-work-tree", cwd=kit).returncode == 0
            if inside:
                student_copy = not (kit / "reference").is_dir()
                rev = "HEAD"
                if student_copy:
                    roots = _git("log", "--reverse", "--format=%H", "--", f"exercises/{exercise}", cwd=kit)
                    rev = (roots.stdout.decode().split() or ["HEAD"])[0]
                listing = _git("ls-tree", "-r", "--name-only", rev, "--", f"exercises/{exercise}", cwd=kit)
                names = listing.stdout.decode().split("\n") if listing.returncode == 0 else []
                files = {}
                for name in filter(None, names):
                    shown = _git("show", f"{rev}:{name}", cwd=kit)
                    if shown.returncode == 0:
                        files[name.split("/", 2)[2]] = shown.stdout
                if files:
                    what = "the assignment's first commit" if student_copy else "git's HEAD"
                    return files, f"{what} ({rev[:8]})"
        except (OSError, subprocess.SubprocessError):
            pass
    if snapshot.is_dir():
        return {p.relative_to(snapshot).as_posix(): p.read_bytes()
                for p in sorted(snapshot.rglob("*")) if p.is_file()}, "the copy the first watch took"
    return {}, ""


def take_snapshot(kit: Path, folder: Path) -> None:
    """Keep a copy of an exercise the first time it is watched (for a reset outside git)."""
    snapshot = kit / ".watch" / "skeleton" / folder.name
    if snapshot.exists() or not folder.is_dir():
        return
    try:
        shutil.copytree(folder, snapshot, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    except OSError:
        pass


def source_files(folder: Path) -> dict[str, tuple[int, int]]:
    sig = {}
    for p in folder.rglob("*"):
        if p.suffix in WATCHED and "__pycache__" not in p.parts:
            try:
                st = p.stat()
            except OSError:
                continue
            sig[p.relative_to(folder).as_posix()] = (st.st_mtime_ns, st.st_size)
    return sig


# --- the screen ----------------------------------------------------------------------------

@dataclass
class State:
    exercise: str
    result: ExerciseResult | None = None
    grading: bool = False
    graded_at: float = 0.0
    grade_seconds: float = 0.0
    grades: int = 0
    hint_level: int = 0
    note: str = ""
    mode: str = "main"  # main | list | confirm-reset
    typed: str = ""
    server: subprocess.Popen | None = None
    pending: bool = False
    seen: dict = field(default_factory=dict)


def task_status(result: ExerciseResult | None, task: int) -> str:
    tests = [t for t in (result.tests if result else []) if t.task == task and t.status != "skipped"]
    if not tests:
        return "·"
    return "✓" if all(t.passed for t in tests) else "✗"


def first_failing(result: ExerciseResult | None) -> TestResult | None:
    return result.first_failure() if result else None


def wrap(text: str, width: int, indent: str = "") -> list[str]:
    out: list[str] = []
    for para in text.splitlines() or [""]:
        out += textwrap.wrap(para, width, initial_indent=indent, subsequent_indent=indent + "  ") or [indent]
    return out


def clip(lines: list[str], most: int, width: int) -> list[str]:
    """At most ``most`` lines; the last ends with an ellipsis when text was cut."""
    if len(lines) <= most:
        return lines
    kept = lines[:most]
    kept[-1] = kept[-1][:width - 1].rstrip() + "…"
    return kept


class Watch:
    def __init__(self, target: Path, graders: Path, ids: list[str], state: State, *, manual: bool,
                 time_limit: float, kit: Path = KIT_ROOT, out=None) -> None:
        self.target, self.graders, self.ids, self.state = target, graders, ids, state
        self.manual, self.time_limit, self.kit = manual, time_limit, kit
        self.out = out or sys.stdout
        self.data = progress.load(kit / ".progress.json") if target == kit / "exercises" else {"scores": {}}
        self.quit = False
        self.keys: Keys | None = None
        self.queued: list[str] = []
        self.auto = False  # opened on "the first not at full marks": walk on past full ones

    # the screen
    @property
    def folder(self) -> Path:
        return self.target / self.state.exercise

    def width(self) -> int:
        return max(40, min(shutil.get_terminal_size((80, 24)).columns, 100) - 1)

    def lines(self) -> list[str]:
        s, w = self.state, self.width()
        readme = read_readme(self.folder)
        r = s.result
        out = [f"{s.exercise} · {readme.title}"[:w]]
        if s.mode == "list":
            out.append("")
            for i in self.ids:
                score, mx = (self.data.get("scores", {}).get(i) or ("-", "-"))[:2]
                mark = "█" if progress.full(self.data, i) else " "
                out.append(f" {mark} {i:<26} {score:>3}/{mx:<3}"[:w])
            out += ["", f"Exercise number, then Enter (Esc: back): {s.typed}"]
            return out
        if s.grading:
            out.append("grading…")
        elif r is not None:
            verdict = "full marks" if r.passed else r.status
            out.append(f"{r.score:g}/{r.max_score:g} points · {verdict} · graded in {s.grade_seconds:.1f} s "
                       f"(#{s.grades})"[:w])
        else:
            out.append("not graded yet")
        out.append("")
        for n, text in readme.tasks.items():
            status = task_status(r, n)
            # A task still to do is read in full (up to 4 lines); a done one needs a line.
            out += clip(wrap(f"{status} {n}. {text}", w), 1 if status == "✓" else 4, w)
        out.append("")
        if r is not None and r.problem:
            out += wrap(f"Problem: {r.problem}", w)
        fail = first_failing(r)
        if fail is not None and not s.grading:
            out += wrap(f"First failing: task {fail.task} · {fail.name}", w)
            for ln in fail.message.splitlines()[:8]:
                out += wrap(ln, w, "  ")
            for i, hint in enumerate(self.ladder(fail, readme)[:s.hint_level]):
                out += wrap(f"Hint {i + 1}: {hint}", w, "  ")
        elif r is not None and r.passed:
            nxt = progress.next_exercise(self.data, self.ids, after=s.exercise)
            out.append(f"Full marks! Press n for the next exercise ({nxt})." if nxt
                       else "Every exercise at full marks!")
        out.append("")
        if s.server is not None:
            out.append(f"app running: http://{HOST}:{PORT}  (s stops it)")
        if s.note:
            out += wrap(s.note, w)
        if s.mode == "confirm-reset":
            out.append("Reset this exercise to the skeleton? Your files are backed up first. y/n")
        out.append(progress.line(self.data, self.ids)[:w])
        keys = "Enter re-grade · " if self.manual else ""
        out.append(f"{keys}h hint · l list · n next · r reset · s serve · q quit"[:w])
        return out

    def draw(self) -> None:
        # One write per frame, each line cleared to its end: no flicker, no scrolling.
        frame = "\x1b[H" + "".join(f"{ln}\x1b[K\n" for ln in self.lines()) + "\x1b[J"
        self.out.write(frame)
        self.out.flush()

    @staticmethod
    def ladder(fail: TestResult, readme: Readme) -> list[str]:
        """From the test's own hint, to the README's hint for its task, to the idea in a line."""
        steps = []
        own = fail.hint or ""
        m = re.search(r"^Hint: (.*)$", fail.message, re.M)
        if not own and m:
            own = m.group(1)
        if own:
            steps.append(own)
        steps += readme.hints.get(fail.task, []) or readme.hints.get(0, [])[:1]
        if readme.idea:
            steps.append(f"The idea: {readme.idea}")
        return steps

    # grading
    def grade(self) -> None:
        s = self.state
        s.grading, s.pending = True, False
        self.draw()
        job = Job(s.exercise, self.graders / s.exercise, self.target, self.time_limit, TEST_TIMEOUT,
                  include_hidden=False)
        started = time.monotonic()
        try:
            for _job, result in run_jobs([job], 1, on_tick=self.tick):
                s.result = result
        except _Quit:
            self.quit = True
            return
        s.grade_seconds = time.monotonic() - started
        s.grading, s.grades = False, s.grades + 1
        s.hint_level = 0
        s.seen = source_files(self.folder)
        if s.result is not None:
            progress.note(self.data, s.exercise, s.result.score, s.result.max_score)
            self.data["current"] = s.exercise
            if self.target == self.kit / "exercises":
                progress.save(self.data, self.kit / ".progress.json")
            nxt = progress.next_exercise(self.data, self.ids, after=s.exercise)
            if self.auto and s.result.passed and nxt and nxt != s.exercise:
                self.open(nxt)
                self.state.note = f"{s.exercise} is at full marks: on to {nxt}."
                return
            self.auto = False
        self.draw()

    def tick(self) -> None:
        """While a worker grades: q still quits (the worker is stopped); other keys wait."""
        key = self.keys.read(0) if self.keys else None
        if key == "q":
            raise _Quit
        if key:
            self.queued.append(key)

    # keys
    def key(self, key: str) -> None:
        s = self.state
        s.note = ""
        if s.mode == "list":
            if key in "0123456789":
                s.typed += key
            elif key in ("\x7f", "\b"):
                s.typed = s.typed[:-1]
            elif key == "\x1b":
                s.mode, s.typed = "main", ""
            elif key == "\n":
                try:
                    chosen = select(self.ids, [s.typed])[0]
                except (TargetError, IndexError):
                    s.note, s.typed = f"No exercise {s.typed!r}.", ""
                    return
                s.mode, s.typed = "main", ""
                self.open(chosen)
            return
        if s.mode == "confirm-reset":
            s.mode = "main"
            if key in "yY":
                self.reset()
            else:
                s.note = "Reset cancelled."
            return
        if key == "q":
            self.quit = True
        elif key == "h":
            fail = first_failing(s.result)
            if fail is None:
                s.note = "No failing test: nothing to hint."
            else:
                s.hint_level = min(s.hint_level + 1, len(self.ladder(fail, read_readme(self.folder))))
        elif key == "l":
            s.mode, s.typed = "list", ""
        elif key == "n":
            nxt = progress.next_exercise(self.data, self.ids, after=s.exercise) or s.exercise
            if nxt == s.exercise and s.exercise != self.ids[-1]:
                nxt = self.ids[self.ids.index(s.exercise) + 1]
            self.open(nxt)
        elif key == "r":
            s.mode = "confirm-reset"
        elif key == "s":
            self.toggle_server()
        elif key == "\n" and self.manual:
            s.pending = True

    def open(self, exercise: str) -> None:
        self.stop_server()
        self.state = State(exercise)
        take_snapshot(self.kit, self.folder)
        self.data["current"] = exercise
        self.state.pending = True

    def reset(self) -> None:
        s = self.state
        files, origin = skeleton_files(self.kit, self.target, s.exercise)
        if not files:
            s.note = "No skeleton to restore: not in git and no copy from a first watch."
            return
        backup = self.kit / ".backups" / f"{s.exercise}-{time.strftime('%Y%m%d-%H%M%S')}"
        shutil.copytree(self.folder, backup, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        for rel, data in files.items():
            dest = self.folder / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(data)
        s.note = f"Restored the skeleton from {origin}; your files are in {backup.relative_to(self.kit)}/."
        s.pending = True

    def toggle_server(self) -> None:
        s = self.state
        if s.server is not None:
            self.stop_server()
            s.note = "App stopped."
            return
        log = open(self.kit / ".watch" / "serve.log", "wb") if (self.kit / ".watch").is_dir() else subprocess.DEVNULL  # noqa: SIM115
        s.server = subprocess.Popen(serve_command(self.folder, PORT), cwd=self.folder, stdin=subprocess.DEVNULL,
                                    stdout=log, stderr=subprocess.STDOUT)
        s.note = f"App starting on http://{HOST}:{PORT} (log: .watch/serve.log)."

    def stop_server(self) -> None:
        server, self.state.server = self.state.server, None
        if server is not None:
            server.terminate()
            try:
                server.wait(5)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()

    # the loop
    def run(self) -> int:
        preload()  # once, here: each grade is then a fork of a parent that has everything
        warnings.filterwarnings("ignore", message=r".*multi-threaded.*fork", category=DeprecationWarning)
        (self.kit / ".watch").mkdir(exist_ok=True)
        self.out.write("\x1b[?25l\x1b[2J")  # hide the cursor, clear once
        try:
            with Keys() as keys:
                self.keys = keys
                self.open(self.state.exercise)
                while not self.quit:
                    self.loop_once(keys)
        finally:
            self.stop_server()
            self.out.write("\x1b[?25h\r\n")
            self.out.flush()
            if self.target == self.kit / "exercises":
                progress.save(self.data, self.kit / ".progress.json")
        return 0

    def loop_once(self, keys: Keys) -> None:
        s = self.state
        exercise = s.exercise
        watcher = None if self.manual else _watcher(self.folder)
        self.draw()
        quiet_since = time.monotonic()
        while not self.quit and s is self.state and exercise == s.exercise:
            if s.pending:
                self.grade()
                continue
            changed = next(watcher) if watcher is not None else set()
            if any(Path(p).suffix in WATCHED for _c, p in changed):
                quiet_since = time.monotonic()
                s.pending = True
                continue
            for key in [*self.queued, keys.read(0 if watcher is not None else 0.1)]:
                if key:
                    self.key(key)
                    self.draw()
            self.queued.clear()
            if s is not self.state:
                break
            if not self.manual and time.monotonic() - quiet_since > NO_EVENTS_AFTER:
                quiet_since = time.monotonic()
                if source_files(self.folder) != s.seen and s.seen:
                    s.note = ("A file changed but no file event arrived: re-graded anyway. If saves are "
                              "missed, run `nox -s watch -- --manual` (Enter re-grades).")
                    s.pending = True
        if watcher is not None:
            watcher.close()


class _Quit(Exception):
    pass


def _watcher(folder: Path):
    import watchfiles

    # step: changes are yielded once 50 ms pass without another, so an editor's two writes
    # (a temp file, then the rename) make one re-grade; rust_timeout keeps the loop polling keys.
    return watchfiles.watch(folder, step=50, debounce=1000, rust_timeout=100, yield_on_timeout=True,
                            raise_interrupt=False)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="nox -s watch --", description="Re-grade an exercise each time you save.")
    p.add_argument("exercise", nargs="?", help="start here (default: the first not at full marks)")
    p.add_argument("--target", default="exercises", help="exercises (default), reference, or a folder")
    p.add_argument("--manual", action="store_true", help="re-grade on Enter instead of on save")
    p.add_argument("--time-limit", type=float, default=EXERCISE_TIME_LIMIT, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    graders = KIT_ROOT / "graders"
    try:
        target = resolve_target(args.target)
        ids = exercise_ids(graders)
        data = progress.load() if target == KIT_ROOT / "exercises" else {"scores": {}}
        start = select(ids, [args.exercise])[0] if args.exercise else (
            data.get("current") if data.get("current") in ids and not progress.full(data, data["current"])
            else progress.next_exercise(data, ids) or ids[0])
    except TargetError as exc:
        print(f"watch: error: {exc}", file=sys.stderr)
        return 2
    if not sys.stdout.isatty():
        print("watch: error: needs a terminal (for a script, use `nox -s grade`)", file=sys.stderr)
        return 2
    watch = Watch(target, graders, ids, State(start), manual=args.manual, time_limit=args.time_limit)
    watch.auto = not args.exercise
    return watch.run()


if __name__ == "__main__":
    sys.exit(main())
