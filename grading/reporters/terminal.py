"""What a learner reads: progress while grading, then a table and the feedback that matters."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from grading.results import ExerciseResult, GradeReport

STYLE = {"passed": "green", "partial": "yellow", "failed": "red", "error": "red"}
ICON = {"passed": "✔", "partial": "◐", "failed": "✘", "error": "‼"}


def _num(x: float) -> str:
    return f"{x:g}"


class TerminalReporter:
    def __init__(self, console: Console | None = None, verbose: bool = False) -> None:
        self.console = console or Console(highlight=False)
        self.verbose = verbose

    def started(self, exercise: str) -> None:
        self.console.print(f"[dim]… grading {exercise}[/dim]")

    def finished(self, e: ExerciseResult) -> None:
        style = STYLE[e.status]
        self.console.print(
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
            table.add_row(e.id, f"{_num(e.score)}/{_num(e.max_score)}", f"[{style}]{e.status}[/{style}]", escape(msg))
        self.console.print(table)
        self.console.print(
            f"[bold]Total: {_num(report.score)}/{_num(report.max_score)}[/bold]  "
            f"[dim]({len(report.exercises)} exercise(s), {report.duration:.1f} s)[/dim]"
        )
        self.details(report)

    def details(self, report: GradeReport) -> None:
        """Full feedback for failing tests: observed, expected, hint, task."""
        failing = [(e, t) for e, t in report.tests() if not t.passed]
        if not failing:
            return
        self.console.print()
        self.console.rule("Feedback")
        shown = failing if self.verbose else failing[:8]
        for e, t in shown:
            self.console.print(f"[bold]{e.id} · task {t.task} · {t.name}[/bold] [red]({t.status})[/red]")
            for line in t.message.splitlines():
                self.console.print(f"  {escape(line)}")
            if t.hint and "Hint:" not in t.message:
                self.console.print(f"  [cyan]Hint:[/cyan] {escape(t.hint)}")
            self.console.print()
        if len(shown) < len(failing):
            how = "pass --verbose" if len(report.exercises) == 1 else "pass --verbose or select one exercise"
            self.console.print(f"[dim]… {len(failing) - len(shown)} more failing test(s); {how} to see them all.[/dim]")
