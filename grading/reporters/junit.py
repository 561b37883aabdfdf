"""JUnit XML: one <testsuite> per exercise, for CI dashboards and IDEs."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

from grading.reporters import Format, clean, feedback, num
from grading.results import GradeReport

FORMAT = Format("--junit", "write JUnit XML", shows_hidden=False)

# What each of our statuses is called in JUnit: a failed check, or code that broke.
ELEMENT = {"failed": "failure", "error": "error", "timeout": "error", "skipped": "skipped"}


def document(report: GradeReport) -> ET.Element:
    root = ET.Element("testsuites", name=f"Grade of {clean(report.target)}", time=f"{report.duration:.3f}")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for e in report.exercises:
        suite = ET.SubElement(root, "testsuite", name=e.id, time=f"{e.duration:.3f}")
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        props = ET.SubElement(suite, "properties")
        ET.SubElement(props, "property", name="score", value=str(num(e.score)))
        ET.SubElement(props, "property", name="max_score", value=str(num(e.max_score)))
        cases = [(t.name, t.status, t.duration, feedback(t), t) for t in e.tests]
        if e.problem and not e.tests:
            cases.append(("grading", "error", e.duration, clean(e.problem), None))
        for name, status, duration, text, t in cases:
            case = ET.SubElement(suite, "testcase", classname=e.id, name=name, time=f"{duration:.3f}")
            if t is not None:
                tprops = ET.SubElement(case, "properties")
                for key, value in (("points", num(t.counted_max)), ("score", num(t.score)), ("task", t.task),
                                   ("visibility", t.visibility)):
                    ET.SubElement(tprops, "property", name=key, value=str(value))
            counts["tests"] += 1
            if status in ELEMENT:
                tag = ELEMENT[status]
                counts[{"failure": "failures", "error": "errors", "skipped": "skipped"}[tag]] += 1
                first = text.splitlines()[0] if text else status
                ET.SubElement(case, tag, message=first, type=status).text = text
        if e.problem:
            ET.SubElement(suite, "system-err").text = clean(e.problem + ("\n" + e.output if e.output else ""))
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
    for key, value in totals.items():
        root.set(key, str(value))
    return root


def write(report: GradeReport, dest: Path, warnings: Sequence[str] = ()) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    tree = ET.ElementTree(document(report))
    ET.indent(tree)
    tree.write(dest, encoding="utf-8", xml_declaration=True)
