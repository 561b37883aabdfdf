"""What a learner reads: progress while grading, then a table and the feedback that matters.

Printing never stops a grade: on a console whose encoding cannot show the icons (Windows's
cp1252 when output is piped) they become ASCII, anything else unencodable becomes "?", and
a print that fails all the same is dropped, so the reports are still written.
"""

from __future__ import annotations

import codecs
import io
import sys

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from grading.results import ExerciseResult, GradeReport

STYLE = {"passed": "green", "partial": "yellow", "failed": "red", "error": "red"}
ICON = {"passed": "✔", "partial": "◐", "failed": "✘", "error": "‼"}
# What the reporter and feedback print beyond plain ASCII, for consoles that cannot encode it.
ASCII = str.maketrans({"✔": "+", "◐": "~", "✘": "x", "‼": "!!", "…": "...", "·": "-", "›": ">", "×": "x",
                       "≈": "~", "—": "-", "–": "-", "→": "->", "’": "'", "“": '"', "”": '"'})


def can_encode(encoding: str | None, text: str) -> bool:
    try:
        codecs.encode(text, encoding or "ascii")
        return True
    except (UnicodeError, LookupError):
        return False


def safe_stdout() -> None:
    """Let sys.stdout replace what its encoding cannot show instead of raising."""
    stream = sys.stdout
    if isinstance(stream, io.TextIOWrapper) and stream.errors == "strict":
        try:
            stream.reconfigure(errors="replace")
        except (ValueError, io.UnsupportedOperation):
            pass


def _num(x: float) -> str:
    return f"{x:g}"


class TerminalReporter:
    def __init__(self, console: Console | None = None, verbose: bool = False) -> None:
        if console is None:
            safe_stdout()
        self.console = console or Console(highlight=False)
        self.verbose = verbose
        self.ascii = not can_encode(self.console.encoding, "".join(ICON.values()) + "…·›")

    def _text(self, text: str) -> str:
        return text.translate(ASCII) if self.ascii else text

    def _print(self, *objects) -> None:
        try:
            self.console.print(*(self._text(o) if isinstance(o, str) else o for o in objects))
        except (UnicodeError, OSError):
            pass  # a console that cannot show this (or a closed pipe) must not cost the reports

    def started(self, exercise: str) -> None:
        self._print(f"[dim]… grading {exercise}[/dim]")

    def finished(self, e: ExerciseResult) -> None:
        style = STYLE[e.status]
        self._print(
            f"[{style}]{ICON[e.status]}[/{style}] {e.id:<24} {_num(e.score):>4}/{_num(e.max_score):<4} "
            f"[dim]{e.duration:.1f} s[/dim]"
        )

    def summary(self, report: GradeReport) -> None:
        table = Table(title=f"Grade of {report.target}", title_justify="left", show_lines=False)
        table.add_column("exercise")
        table.add_column("points", justify="right")
        table.add_column("status")
        table.add_column("first failure", overflow="fold", max_width=70)
        for e in report.exercises:
            first = e.first_failure()
            msg = e.problem or (first.message.splitlines()[0] if first else "")
            if first and not e.problem:
                msg = f"{first.name}: {msg}"
            style = STYLE[e.status]
            table.add_row(e.id, f"{_num(e.score)}/{_num(e.max_score)}", f"[{style}]{e.status}[/{style}]",
                          escape(self._text(msg)))
        self._print(table)
        self._print(
            f"[bold]Total: {_num(report.score)}/{_num(report.max_score)}[/bold]  "
            f"[dim]({len(report.exercises)} exercise(s), {report.duration:.1f} s)[/dim]"
        )
        self.details(report)

    def details(self, report: GradeReport) -> None:
        """Full feedback for failing tests: observed, expected, hint, task."""
        failing = [(e, t) for e, t in report.tests() if not t.passed]
        if not failing:
            return
        self._print()
        try:
            self.console.rule("Feedback")
        except (UnicodeError, OSError):
            pass
        shown = failing if self.verbose else failing[:8]
        for e, t in shown:
            self._print(f"[bold]{e.id} · task {t.task} · {t.name}[/bold] [red]({t.status})[/red]")
            for line in t.message.splitlines():
                self._print(f"  {escape(line)}")
            if t.hint and "Hint:" not in t.message:
                self._print(f"  [cyan]Hint:[/cyan] {escape(t.hint)}")
            self._print()
        if len(shown) < len(failing):
            how = "pass --verbose" if len(report.exercises) == 1 else "pass --verbose or select one exercise"
            self._print(f"[dim]… {len(failing) - len(shown)} more failing test(s); {how} to see them all.[/dim]")
