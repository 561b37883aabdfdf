"""A Markdown summary, for ``$GITHUB_STEP_SUMMARY`` or a pull-request comment.

Messages can quote what a submission returned, so every cell is escaped and every message
sits in a code fence longer than any backtick run inside it: a submission cannot add a
fake total or a table row.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from pathlib import Path

from grading.reporters import Format, clean, feedback, num
from grading.results import GradeReport

FORMAT = Format("--summary", "append a Markdown summary, e.g. to \"$GITHUB_STEP_SUMMARY\"", shows_hidden=False)

ICON = {"passed": "✅", "partial": "🟡", "failed": "❌", "error": "‼️"}


def cell(text: str) -> str:
    text = html.escape(clean(text).replace("\n", " "), quote=False)
    # `_` inside words is literal in GitHub Markdown, so names stay readable unescaped.
    return re.sub(r"([|\\`*\[\]])", r"\\\1", text)


def fenced(text: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"


def render(report: GradeReport, warnings: Sequence[str] = ()) -> str:
    lines = [f"## Grade: {num(report.score)}/{num(report.max_score)}", ""]
    for w in warnings:
        lines += [f"> [!WARNING]\n> {cell(w)}", ""]
    lines += ["| exercise | points | status | first failure |", "|---|---:|---|---|"]
    for e in report.exercises:
        first = e.first_failure()
        why = e.problem or (f"{first.name}: {first.message.splitlines()[0] if first.message else first.status}"
                            if first else "")
        lines.append(f"| {cell(e.id)} | {num(e.score)}/{num(e.max_score)} | {ICON[e.status]} {e.status} "
                     f"| {cell(why)[:300]} |")
    lines += ["", f"**Total: {num(report.score)}/{num(report.max_score)}**", ""]
    failing = [(e, t) for e, t in report.tests() if not t.passed and t.status != "skipped"]
    if failing:
        lines += [f"<details><summary>Feedback for {len(failing)} failing test(s)</summary>", ""]
        for e, t in failing:
            lines += [f"#### {cell(e.id)} · task {t.task} · {cell(t.name)} ({t.status})", "", fenced(feedback(t)), ""]
        lines += ["</details>", ""]
    skipped = [f"{e.id} › {t.name}" for e, t in report.tests() if t.status == "skipped"]
    if skipped:
        lines += [f"Skipped here (count neither for nor against): {cell(', '.join(skipped))}", ""]
    return "\n".join(lines)


def write(report: GradeReport, dest: Path, warnings: Sequence[str] = ()) -> None:
    """Append, as GitHub expects of ``$GITHUB_STEP_SUMMARY``."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    with open(dest, "a", encoding="utf-8") as f:
        f.write(render(report, warnings) + "\n")
