"""`grade --html`: one self-contained page, checked in a real browser where Chromium is installed."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from grading.reporters import html
from grading.results import ExerciseResult, GradeReport, TestResult

from conftest import KIT, grade

ARTIFACTS = KIT / "tests" / "artifacts"  # git-ignored: screenshots to look at
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def _call(path: str, start: float, end: float | None, outcome: str = "200") -> dict:
    return {"method": "GET", "path": path, "start": start, "end": end, "outcome": outcome,
            "client": "async", "thread": "loop"}


def _report() -> GradeReport:
    lag = [[0.01 * i, 0.14 if i == 20 else 0.001] for i in range(60)]
    sequential = {
        "upstream": {"max_in_flight": 1, "calls": [_call("/users", 0.0, 0.3), _call("/products", 0.3, 0.5),
                                                   _call("/sales", 0.5, None, "pending")]},
        "loop_lag": {"interval": 0.005, "max": 0.14, "points": lag},
        "blocking": [{"function": "time.sleep", "where": "app.py, line 12, in fetch", "detail": "0.1 s"}],
    }
    test = TestResult(name="test_calls_overlap", max_score=3, task=2, hint="Start all three before awaiting any.",
                      status="failed", message="Observed: <b>1 in flight</b>\nExpected: 3 at once", evidence=sequential)
    ok = TestResult(name="test_answer", max_score=2, task=3, hint="h", status="passed")
    return GradeReport(target="exercises", exercises=[ExerciseResult(id="04_concurrent_calls", tests=[test, ok])])


def test_page_is_self_contained_and_escapes_what_a_submission_said(tmp_path: Path):
    page = html.render(_report())
    assert "&lt;b&gt;1 in flight&lt;/b&gt;" in page  # feedback may quote a submission: text, not markup
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)  # no network, no CDN
    assert "<script" not in page
    assert page.count('<svg class="timeline"') == 1 and page.count('<svg class="lagchart"') == 1
    assert "app.py, line 12, in fetch" in page


def _bars(page) -> list[tuple[float, float]]:
    return [(float(r.get_attribute("x")), float(r.get_attribute("width")))
            for r in page.locator("svg.timeline rect").all()]


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium not installed (apt-get install -y chromium)")
def test_timeline_is_drawn_in_a_real_browser(tmp_path: Path):
    from playwright.sync_api import sync_playwright

    dest = tmp_path / "r.html"
    html.write(_report(), dest)
    ARTIFACTS.mkdir(exist_ok=True)
    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            page = browser.new_page(viewport={"width": 1000, "height": 800})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            requests: list[str] = []
            page.on("request", lambda r: requests.append(r.url))
            page.goto(dest.as_uri())
            bars = _bars(page)
            assert len(bars) == 3
            # One after another: each bar starts where the previous one ended (a staircase).
            for (x0, w0), (x1, _w1) in zip(bars, bars[1:], strict=False):
                assert x1 >= x0 + w0 - 1
            box = page.locator("svg.timeline").bounding_box()
            assert box and box["width"] > 300 and box["height"] > 40
            assert page.locator("svg.lagchart polyline").count() == 1
            page.screenshot(path=str(ARTIFACTS / "html_report.png"), full_page=True)
        finally:
            browser.close()
    assert errors == []
    assert requests == [dest.as_uri()]  # the page itself and nothing else
    print(f"screenshot: {ARTIFACTS / 'html_report.png'}")


@pytest.mark.timeout(600)
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium not installed (apt-get install -y chromium)")
def test_grade_html_draws_sequential_calls_of_a_real_submission(tmp_path: Path):
    from playwright.sync_api import sync_playwright

    from kit import corpus

    corpus.lay_out(KIT / "tests" / "corpus" / "04_concurrent_calls" / "sequential_awaits", tmp_path / "sub")
    dest = tmp_path / "r.html"
    run = grade("--target", str(tmp_path / "sub"), "04", "--public-only", "-q", "--html", str(dest))
    assert run.code == 1 and dest.exists(), run.stderr
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1000, "height": 800})
            page.goto(dest.as_uri())
            test = page.locator('[data-test="test_dashboard_calls_upstreams_concurrently"]')
            bars = [(float(r.get_attribute("x")), float(r.get_attribute("width")))
                    for r in test.locator("svg.timeline rect").all()]
            assert len(bars) == 3
            for (x0, w0), (x1, _w1) in zip(bars, bars[1:], strict=False):
                assert x1 >= x0 + w0 - 1, bars  # drawn one after another
            test.screenshot(path=str(ARTIFACTS / "html_report_04_sequential.png"))
        finally:
            browser.close()
