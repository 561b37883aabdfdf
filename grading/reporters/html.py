"""`--html PATH`: one self-contained page (inline CSS and SVG; no script, no network).

Every exercise, its tasks and tests with points, status, observed, expected and hint; and,
drawn from the evidence the probes recorded (``TestResult.evidence``): the upstream calls
as bars on a time axis (calls made one after another look like a staircase), the event
loop's lag over the request as a small chart, and blocking calls with the learner's line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from jinja2 import Environment, select_autoescape

from grading.reporters import Format, clean, feedback
from grading.results import GradeReport, TestResult

FORMAT = Format("--html", "write one self-contained HTML page: feedback and drawn timelines", shows_hidden=False)

BAR_W = 560  # px of the time axis
ROW_H = 18

TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Grade of {{ report.target }}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;
 margin:2em auto;max-width:60em;padding:0 1em;color:#1b1f24}
h1{font-size:1.4em}
h2{font-size:1.15em;margin:1.6em 0 .4em;border-bottom:1px solid #d0d7de;padding-bottom:.2em}
table{border-collapse:collapse;width:100%}
td,th{text-align:left;padding:.25em .5em;border-bottom:1px solid #eaeef2;vertical-align:top}
.passed{color:#1a7f37}
.failed,.error,.timeout{color:#cf222e}
.partial{color:#9a6700}
.skipped{color:#6e7781}
.test{margin:.6em 0 1em 1em}
.msg{white-space:pre-wrap;font:12.5px/1.4 ui-monospace,Menlo,Consolas,monospace;
 background:#f6f8fa;padding:.5em .7em;border-radius:6px}
.hint{color:#0550ae}
svg{display:block;margin:.4em 0}
.caption{color:#57606a;font-size:12px}
.bar-ok{fill:#2da44e}
.bar-bad{fill:#cf222e}
.bar-run{fill:#bf8700}
.axis{stroke:#8c959f;stroke-width:1}
.lbl{font:11px ui-monospace,Menlo,Consolas,monospace;fill:#24292f}
.lag{fill:none;stroke:#8250df;stroke-width:1.5}
</style></head><body>
<h1>Grade of {{ report.target }}</h1>
<p><b>Total: {{ num(report.score) }}/{{ num(report.max_score) }}</b> · {{ report.exercises|length }} exercise(s) ·
{{ "%.1f"|format(report.duration) }} s</p>
<table><tr><th>exercise</th><th>points</th><th>status</th></tr>
{% for e in report.exercises %}<tr><td><a href="#{{ e.id }}">{{ e.id }}</a></td>
<td>{{ num(e.score) }}/{{ num(e.max_score) }}</td><td class="{{ e.status }}">{{ e.status }}</td></tr>
{% endfor %}</table>
{% for e in report.exercises %}
<h2 id="{{ e.id }}">{{ e.id }} · {{ num(e.score) }}/{{ num(e.max_score) }}
<span class="{{ e.status }}">{{ e.status }}</span></h2>
{% if e.problem %}<p class="error">{{ e.problem }}</p>{% endif %}
{% for task, tests in tasks(e) %}
<h3>Task {{ task }}</h3>
{% for t in tests %}<div class="test" data-test="{{ t.name }}">
<div><span class="{{ t.status }}">
{{- "✔" if t.passed else ("–" if t.status == "skipped" else "✘") -}}
</span>
<b>{{ t.name }}</b> · {{ num(t.score) }}/{{ num(t.counted_max) }} ·
<span class="{{ t.status }}">{{ t.status }}</span></div>
{% if not t.passed and text(t) %}<div class="msg">{{ text(t) }}</div>{% endif %}
{% if t.evidence.upstream %}{{ timeline(t.evidence.upstream) }}{% endif %}
{% if t.evidence.loop_lag %}{{ lag(t.evidence.loop_lag) }}{% endif %}
{% if t.evidence.blocking %}<div class="caption">Blocking calls on the event-loop thread:</div><ul>
{% for b in t.evidence.blocking[:10] %}<li><code>{{ b.function }}</code>{% if b.detail %} ({{ b.detail }}){% endif %}
from <code>{{ b.where }}</code></li>{% endfor %}</ul>{% endif %}
</div>{% endfor %}
{% endfor %}
{% endfor %}
</body></html>
"""


def _num(x: float) -> str:
    return f"{x:g}"


def _svg_text(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def timeline_svg(upstream: dict) -> str:
    """The upstream calls as bars on one time axis: overlap is concurrency, a staircase is not."""
    calls = upstream.get("calls") or []
    if not calls:
        return ""
    end_of = [c["end"] if c["end"] is not None else c["start"] for c in calls]
    span = max(max(end_of), 1e-6)
    label_w = 190
    h = ROW_H * len(calls) + 28
    out = [f'<svg class="timeline" width="{label_w + BAR_W + 70}" height="{h}" role="img" '
           f'aria-label="timeline of {len(calls)} upstream calls">']
    for i, c in enumerate(calls):
        y = 4 + i * ROW_H
        x = label_w + c["start"] / span * BAR_W
        end = c["end"] if c["end"] is not None else span
        w = max(2.0, (end - c["start"]) / span * BAR_W)
        cls = "bar-run" if c["end"] is None else ("bar-ok" if str(c["outcome"]).startswith("2") else "bar-bad")
        label = _svg_text(f'{c["method"]} {c["path"]}'[:26])
        out.append(f'<text class="lbl" x="0" y="{y + 12}">{label}</text>')
        out.append(f'<rect class="{cls}" x="{x:.1f}" y="{y}" width="{w:.1f}" height="{ROW_H - 5}" rx="2">'
                   f'<title>{label}: {c["start"]:.3f}–{"still running" if c["end"] is None else f"{end:.3f}"} s, '
                   f'{_svg_text(str(c["outcome"]))}</title></rect>')
        out.append(f'<text class="lbl" x="{x + w + 4:.1f}" y="{y + 12}">{_svg_text(str(c["outcome"]))}</text>')
    axis_y = h - 18
    out.append(f'<line class="axis" x1="{label_w}" y1="{axis_y}" x2="{label_w + BAR_W}" y2="{axis_y}"/>')
    for k in range(5):
        x = label_w + k * BAR_W / 4
        out.append(f'<text class="lbl" x="{x:.1f}" y="{axis_y + 14}" text-anchor="middle">{span * k / 4:.2f}s</text>')
    out.append("</svg>")
    shape = "overlapped" if upstream.get("max_in_flight", 0) > 1 else "ran one after another"
    caption = (f'<div class="caption">{len(calls)} upstream call(s) {shape}; '
               f'{upstream.get("max_in_flight", 0)} in flight at most.</div>')
    return caption + "".join(out)


def lag_svg(lag: dict) -> str:
    """The event loop's lag (how late each 5 ms tick came) over the test, as a line."""
    points = lag.get("points") or []
    if not points:
        return ""
    w, h = BAR_W, 70
    t_max = max(p[0] for p in points) or 1e-6
    top = max(max(p[1] for p in points), 0.05)
    coords = " ".join(f"{p[0] / t_max * w:.1f},{h - 12 - p[1] / top * (h - 20):.1f}" for p in points)
    return (f'<div class="caption">Event-loop lag: worst {lag.get("max", 0) * 1000:.0f} ms '
            f'(a tick every {lag.get("interval", 0.005) * 1000:.0f} ms; a tall spike is the loop held).</div>'
            f'<svg class="lagchart" width="{w + 60}" height="{h}" role="img" aria-label="event-loop lag">'
            f'<line class="axis" x1="0" y1="{h - 12}" x2="{w}" y2="{h - 12}"/>'
            f'<polyline class="lag" points="{coords}"/>'
            f'<text class="lbl" x="{w + 4}" y="12">{top * 1000:.0f} ms</text>'
            f'<text class="lbl" x="{w + 4}" y="{h - 12}">0</text></svg>')


def _tasks(e) -> list[tuple[int, list[TestResult]]]:
    tasks: dict[int, list[TestResult]] = {}
    for t in e.tests:
        tasks.setdefault(t.task, []).append(t)
    return sorted(tasks.items())


_TEXT_TIMELINE = re.compile(r"^(Upstream calls \(.*\):|\s+[A-Z]+ /\S*\s+\d+\.\d\ds→.*)$\n?", re.M)


def _text(t: TestResult) -> str:
    # Where the calls are drawn, the text picture of them goes.
    text = feedback(t)
    return _TEXT_TIMELINE.sub("", text) if t.evidence.get("upstream") else text


def render(report: GradeReport) -> str:
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    from markupsafe import Markup

    template = env.from_string(TEMPLATE)
    return template.render(report=report, num=_num, tasks=_tasks, text=lambda t: clean(_text(t)),
                           timeline=lambda u: Markup(timeline_svg(u)), lag=lambda g: Markup(lag_svg(g)))


def write(report: GradeReport, dest: Path, warnings: Sequence[str] = ()) -> None:
    Path(dest).write_text(render(report), encoding="utf-8")
