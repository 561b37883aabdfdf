"""`nox -s watchbench -- 01 04 13`: save-to-verdict time of `nox -s watch`, through a real
pseudo-terminal, in a scratch copy of the kit.

For each exercise: start the watch on the skeleton, wait for its first verdict, then save
the reference's files over the skeleton's and time how long until "grading…" and the new
verdict ("full marks") are on screen. ``--repeat N`` saves N times (reference, skeleton,
reference...) and prints each time. POSIX only (pexpect's pty); an instructor's tool.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

from grading.target import KIT_ROOT, exercise_ids, select

COPIED = ("exercises", "graders", "grading")


def scratch_kit(dest: Path, kit: Path = KIT_ROOT) -> Path:
    """A copy of the kit's learner side (no reference/: it looks like a student copy)."""
    dest.mkdir(parents=True, exist_ok=True)
    for d in COPIED:
        shutil.copytree(kit / d, dest / d, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copy2(kit / "pyproject.toml", dest / "pyproject.toml")
    return dest


def spawn_watch(scratch: Path, *args: str, timeout: float = 180, size: tuple[int, int] = (40, 80)):
    """`nox -s watch` (its module) in a pseudo-terminal of ``size`` (rows, columns)."""
    import pexpect

    env = {**os.environ, "PYTHONPATH": str(scratch), "PYTHONDONTWRITEBYTECODE": "1", "TERM": "xterm",
           "LINES": str(size[0]), "COLUMNS": str(size[1])}
    child = pexpect.spawn(sys.executable, ["-m", "grading.watch", *args], cwd=str(scratch), env=env,
                          dimensions=size, encoding="utf-8", timeout=timeout)
    return child


class Screen:
    """What the terminal shows, for screenshots: pexpect's output fed through pyte, a VT100
    emulator (``child.logfile_read = screen``)."""

    def __init__(self, size: tuple[int, int]) -> None:
        import pyte

        self.screen = pyte.Screen(size[1], size[0])
        self.stream = pyte.Stream(self.screen)

    def write(self, text: str) -> None:
        self.stream.feed(text)

    def flush(self) -> None:
        pass

    def text(self) -> str:
        return "\n".join(line.rstrip() for line in self.screen.display).rstrip() + "\n"

    def save(self, path: Path, browser: str | None = None) -> list[Path]:
        """The screen as text (path.txt) and, given a Chromium, as an image (path.png)."""
        import html

        path.parent.mkdir(parents=True, exist_ok=True)
        saved = [path.with_suffix(".txt")]
        saved[0].write_text(self.text(), encoding="utf-8")
        if browser:
            from playwright.sync_api import sync_playwright

            page_html = ("<body style='margin:0;background:#1e1e1e'><pre style='margin:0;padding:8px;color:#ddd;"
                         "font:14px/1.25 DejaVu Sans Mono,Menlo,Consolas,monospace'>"
                         f"{html.escape(self.text())}</pre></body>")
            with sync_playwright() as pw:
                b = pw.chromium.launch(executable_path=browser, headless=True, args=["--no-sandbox", "--disable-gpu"])
                try:
                    page = b.new_page(viewport={"width": self.screen.columns * 9 + 16, "height": 600})
                    page.set_content(page_html)
                    page.screenshot(path=str(path.with_suffix(".png")), full_page=True)
                    saved.append(path.with_suffix(".png"))
                finally:
                    b.close()
        return saved


def lay(src: Path, dest: Path) -> None:
    """Write src's files over dest's (as an editor's save does: the files change in place)."""
    for f in sorted(src.rglob("*")):
        if f.is_file() and f.suffix in (".py", ".html", ".js") and "__pycache__" not in f.parts:
            target = dest / f.relative_to(src)
            if not target.exists() or target.read_bytes() != f.read_bytes():
                target.write_bytes(f.read_bytes())


def measure(exercise: str, scratch: Path, repeat: int = 1, kit: Path = KIT_ROOT) -> list[tuple[float, float]]:
    """(seconds to "grading…", seconds to the verdict) after each save."""
    child = spawn_watch(scratch, exercise)
    child.expect(r"\d+/\d+ points")
    times = []
    folder = scratch / "exercises" / exercise
    skeleton = kit / "exercises" / exercise
    try:
        for i in range(repeat):
            full = i % 2 == 0
            t0 = time.monotonic()
            lay(kit / "reference" / exercise if full else skeleton, folder)
            child.expect("grading…")
            t1 = time.monotonic()
            child.expect("full marks" if full else r"· (failed|partial)")
            times.append((t1 - t0, time.monotonic() - t0))
        child.send("q")
        child.expect(__import__("pexpect").EOF, timeout=30)
    finally:
        child.close(force=True)
    return times


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="nox -s watchbench --")
    p.add_argument("exercises", nargs="*", default=["01", "04", "13"])
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args(argv)
    chosen = select(exercise_ids(KIT_ROOT / "graders"), args.exercises)
    import tempfile

    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="watchbench-") as tmp:
        scratch = scratch_kit(Path(tmp) / "kit")
        for ex in chosen:
            times = measure(ex, scratch, args.repeat)
            verdicts = [v for _g, v in times]
            print(f"{ex:<24} save→'grading…' {max(g for g, _v in times):.2f} s max · save→verdict "
                  f"median {statistics.median(verdicts):.2f} s, max {max(verdicts):.2f} s "
                  f"({', '.join(f'{v:.2f}' for v in verdicts)})", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
