"""The gradebook's overview page (index.html) and a page per student: plain HTML, offline.

The class's pass rate per test as bars, worst first (the idea the class missed is on top),
the weakest ideas (exercise, task), and every student linked to their own page. A student's
page is the engine's HTML report (``grading.reporters.html.write``) when the engine has one,
else a plain page made here. No script, no CDN, no external file.
"""

from __future__ import annotations

import tempfile
from html import escape
from pathlib import Path

STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 70em; padding: 0 1em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; } td, th { padding: .2em .6em; text-align: left; }
tr:nth-child(even) { background: #f4f4f4; } th { border-bottom: 1px solid #999; }
.bar { background: #e6e6e6; width: 16em; height: 1em; display: inline-block; vertical-align: middle; }
.bar span { display: block; height: 100%; background: #2a7ab8; }
.low span { background: #c8452c; } .num { text-align: right; } .pass { color: #1d7b33; } .fail { color: #b3261e; }
pre { white-space: pre-wrap; background: #f6f6f6; padding: .5em; margin: .2em 0; }
"""


def _page(title: str, body: str) -> str:
    return (f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f"<style>{STYLE}</style></head><body>\n<h1>{escape(title)}</h1>\n{body}\n</body></html>\n")


def _bar(rate: float) -> str:
    low = " low" if rate < 0.5 else ""
    return f'<span class="bar{low}"><span style="width:{100 * rate:.0f}%"></span></span>'


def index(rows, rates: list[dict], ideas: list[dict]) -> str:
    parts = ["<h2>Ideas the class passed least</h2>"]
    if ideas:
        parts.append("<table><tr><th>exercise</th><th>task</th><th>students who passed every test of it</th></tr>")
        for r in ideas:
            rate = r["passed"] / r["graded"]
            parts.append(f"<tr><td>{escape(r['exercise'])}</td><td class=num>{r['task']}</td>"
                         f"<td>{_bar(rate)} {r['passed']}/{r['graded']}</td></tr>")
        parts.append("</table>")
    else:
        parts.append("<p>Every student passed every graded test.</p>")
    parts.append("<h2>Pass rate per test (worst first)</h2><table><tr><th>exercise</th><th>task</th>"
                 "<th>test</th><th>pass rate</th></tr>")
    for r in rates:
        parts.append(f"<tr><td>{escape(r['exercise'])}</td><td class=num>{r['task']}</td>"
                     f"<td>{escape(r['test'])}</td><td>{_bar(r['pass_rate'])} {r['passed']}/{r['graded']}</td></tr>")
    parts.append("</table><h2>Students</h2><table><tr><th>student</th><th>name</th><th>points</th>"
                 "<th>max</th><th>notes</th></tr>")
    for row in rows:
        name = escape(row.entry.name) if row.entry else ""
        label = escape(row.label)
        link = f'<a href="students/{label}.html">{label}</a>' if row.record else label
        top = row.record.get("max_score", 0) if row.record else ""
        parts.append(f"<tr><td>{link}</td><td>{name}</td><td class=num>{round(row.total, 2):g}</td>"
                     f"<td class=num>{top}</td><td>{escape('; '.join(row.notes))}</td></tr>")
    parts.append("</table>")
    return _page("Gradebook", "\n".join(parts))


def student_page(record: dict) -> str:
    """The engine's HTML report of this student when it has one, else a plain page."""
    try:
        from grading.reporters import html as engine_html  # another wing's reporter, when present
        from grading.reporters import json_report
    except ImportError:
        engine_html = None
    if engine_html is not None and hasattr(engine_html, "write"):
        with tempfile.TemporaryDirectory() as tmp:
            dest = Path(tmp) / "report.html"
            engine_html.write(json_report.from_dict(record), dest)
            return dest.read_text(encoding="utf-8")
    parts = [f"<p>Submission {escape(record.get('target', ''))}, handed in {escape(record.get('submitted', ''))} "
             f"({escape(record.get('submitted_from', ''))}): {record['score']}/{record['max_score']} points.</p>",
             '<p><a href="../index.html">the class</a></p>']
    for e in record["exercises"]:
        parts.append(f"<h2>{escape(e['id'])}: {e['score']}/{e['max_score']}</h2>")
        if e.get("problem"):
            parts.append(f"<p class=fail>{escape(e['problem'])}</p>")
        parts.append("<table><tr><th>task</th><th>test</th><th>points</th><th>status</th><th>feedback</th></tr>")
        for t in e["tests"]:
            cls = "pass" if t["status"] == "passed" else "fail"
            feedback = "" if t["status"] == "passed" else f"<pre>{escape(t.get('message', ''))}</pre>" + (
                f"Hint: {escape(t['hint'])}" if t.get("hint") else "")
            parts.append(f"<tr><td class=num>{t['task']}</td><td>{escape(t['name'])}</td>"
                         f"<td class=num>{t['score']}/{t.get('points', t['max_score'])}</td>"
                         f"<td class={cls}>{escape(t['status'])}</td><td>{feedback}</td></tr>")
        parts.append("</table>")
    return _page(f"{record.get('student', '')}", "\n".join(parts))


def pages(records: dict[str, dict], rows, rates: list[dict], ideas: list[dict]) -> dict[str, str]:
    files = {"index.html": index(rows, rates, ideas)}
    for label, rec in records.items():
        files[f"students/{label}.html"] = student_page(rec)
    return files
