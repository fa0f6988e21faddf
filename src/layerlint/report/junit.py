"""`--format junit`: a JUnit XML report, for CI systems that show test reports (GitLab, Jenkins,
Azure Pipelines...).

Layout: `<testsuites>` holding one `<testsuite name="layerlint">` with **one test case per finding**
(the formatter sees findings, not the list of checked files, so a per-file layout could not list the
clean files). A finding is a `<failure>`; an LL9xx diagnostic (the file could not be checked) is an
`<error>`, JUnit's word for "the test could not run". A run with nothing to report has one passing
test case, `layerlint check`, so the report is never empty.

    <testcase name="LL001 reuse-shape-mismatch at model.py:19:13" classname="model.py"
              file="model.py" line="19">
      <failure type="LL001" message="...">model.py:19:13: LL001 [error] ... (text format)</failure>
    </testcase>
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Sequence

from layerlint.diagnostics import Diagnostic, could_not_check
from layerlint.report.text import render_one

# Characters XML 1.0 cannot hold at all, even escaped; they become U+FFFD.
INVALID_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: str) -> str:
    return INVALID_XML.sub("\ufffd", text)


def build(diagnostics: Sequence[Diagnostic], lang: str | None = None) -> ET.Element:
    errors = sum(1 for d in diagnostics if could_not_check(d))
    failures = len(diagnostics) - errors
    tests = max(len(diagnostics), 1)
    counts = {"tests": str(tests), "failures": str(failures), "errors": str(errors), "skipped": "0"}
    root = ET.Element("testsuites", {"name": "layerlint", **counts})
    suite = ET.SubElement(root, "testsuite", {"name": "layerlint", **counts})
    if not diagnostics:
        ET.SubElement(suite, "testcase", {"name": "layerlint check", "classname": "layerlint"})
    for diagnostic in diagnostics:
        span = diagnostic.span
        path = _clean(span.path)
        case = ET.SubElement(suite, "testcase", {
            "name": _clean(f"{diagnostic.code} {diagnostic.name} at {span.location()}"),
            "classname": path, "file": path, "line": str(span.line)})
        kind = "error" if could_not_check(diagnostic) else "failure"
        outcome = ET.SubElement(case, kind, {"type": diagnostic.code,
                                             "message": _clean(diagnostic.message.render(lang))})
        outcome.text = _clean(render_one(diagnostic, lang))
    return root


def render(diagnostics: Sequence[Diagnostic], lang: str | None = None) -> str:
    root = build(diagnostics, lang)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
