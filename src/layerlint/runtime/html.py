"""`layerlint trace --html FILE`: one self-contained HTML page that shows a trace.

    from layerlint.runtime.html import render_html, write_html_report
    write_html_report(trace(model, x, raise_on_error=False), "trace.html")

The page is built to read at 500 layers: the module hierarchy as a collapsible tree (`html_tree`),
opened by default down to the layers that hold findings; search; a filter by verdict; the
diagnostics beside it; a details card for the selected layer with its calls and where its inputs
came from (`html_flow`: the Keras functional graph where recorded, else call order, and says so);
and a table of every call. It has no external resource (the CSS and JS in `assets/` are inlined;
a Content-Security-Policy forbids any fetch). The DOM that tests and links rely on is described
in docs/trace-report.md.
"""

from __future__ import annotations

import json
import linecache
import os
import tempfile
from functools import lru_cache
from html import escape
from importlib import resources
from typing import Any

from layerlint.diagnostics import Diagnostic, Severity
from layerlint.runtime.html_flow import Flow, build_flow, shape_text
from layerlint.runtime.html_tree import Row, build_tree
from layerlint.runtime.records import CallRecord, LayerInstance, TraceReport, error_text

__all__ = ["render_html", "write_html_report"]

_FILTERS = [("error", "error", "unsafe reuse (LL001)"), ("warning", "warning", "shared state (LL002)"),
            ("info", "info", "shared weights (LL003)"), ("reuse", "reused", "called more than once, no finding"),
            ("single", "clean", "called once")]
_CSP = ("default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; "
        "base-uri 'none'; form-action 'none'")


@lru_cache(maxsize=None)
def _asset(name: str) -> str:
    return resources.files("layerlint.runtime").joinpath("assets", name).read_text(encoding="utf-8")


def _attr(value: Any) -> str:
    return escape(str(value), quote=True)


# -- the tree ------------------------------------------------------------------------------------
def _open_rows(root: Row) -> set[int]:
    """The rows opened by default: the root, and every ancestor of a row a diagnostic names."""
    opened = {id(root)}

    def visit(row: Row, ancestors: list[Row]) -> None:
        if row.diagnostics:
            opened.update(id(a) for a in ancestors)
        for child in row.children:
            visit(child, [*ancestors, row])

    visit(root, [])
    return opened


def _row_classes(row: Row, opened: set[int]) -> str:
    classes = ["row", f"kind-{row.kind}", f"verdict-{row.verdict}", f"worst-{row.worst}"]
    if row.children:
        classes.append("has-children")
        if id(row) in opened:
            classes.append("open")
    if row.diagnostics:
        classes.append("flagged")
    if row.node is not None and row.node.composites:
        classes.append("in-shared-composite")
    if row.node is not None and row.node.raised:
        classes.append("raised")
    return " ".join(classes)


def _row_line(row: Row, report: TraceReport) -> str:
    inst = row.instance
    parts = ['<span class="twisty" aria-hidden="true"></span>', f'<span class="label">{escape(row.label)}</span>']
    if inst is not None and row.kind != "model":
        parts.append(f'<span class="cls">{escape(inst.class_name)}</span>')
    elif row.kind in ("group", "range"):
        parts.append(f'<span class="cls">{"grouped by name" if row.kind == "group" else "range"}</span>')
    if inst is not None and len(inst.calls) > 1:
        parts.append(f'<span class="calls" title="calls">\u00d7{len(inst.calls)}</span>')
    for number in row.diagnostics:
        diag = report.diagnostics[number]
        parts.append(f'<a class="chip severity-{diag.severity.label}" href="#diag-{number}" '
                     f'data-diag="diag-{number}">{escape(diag.code)}</a>')
    if row.node is not None and row.node.raised:
        parts.append('<span class="raised-mark">\u26a0 raised here</span>')
    if row.children:
        inside = f"{row.layers_inside} layer{'s' if row.layers_inside != 1 else ''}"
        if row.findings_inside:
            inside += f" \u00b7 {row.findings_inside} finding{'s' if row.findings_inside != 1 else ''} inside"
        parts.append(f'<span class="inside">{inside}</span>')
    return f'<div class="line">{"".join(parts)}</div>'


def _row_html(row: Row, report: TraceReport, opened: set[int], out: list[str]) -> None:
    inst = row.instance
    search = " ".join(filter(None, [row.key.replace("\0", " "), row.label, inst.display if inst else "",
                                    inst.class_name if inst else "", (inst.name or "") if inst else ""]))
    attrs = [f'id="{row.dom_id}"', f'class="{_row_classes(row, opened)}"', 'role="treeitem"',
             f'data-verdict="{row.verdict}"', f'data-worst="{row.worst}"', f'data-search="{_attr(search.lower())}"']
    if row.children:
        attrs.append(f'aria-expanded="{"true" if id(row) in opened else "false"}"')
    if inst is not None:
        attrs += [f'data-instance="{_attr(inst.display)}"', f'data-class="{_attr(inst.class_name)}"',
                  f'data-framework="{_attr(inst.framework)}"', f'data-calls="{len(inst.calls)}"',
                  f'data-index="{row.instance_index}"']
    if row.diagnostics:
        attrs.append(f'data-diagnostics="{" ".join(f"diag-{n}" for n in row.diagnostics)}"')
    if row.node is not None and row.node.composites:
        attrs.append(f'data-composite="{_attr(" ".join(row.node.composites))}"')
    out.append(f'<li {" ".join(attrs)}>{_row_line(row, report)}')
    if row.children:
        out.append('<ul class="children" role="group">')
        for child in row.children:
            _row_html(child, report, opened, out)
        out.append("</ul>")
    out.append("</li>")


def _tree_html(root: Row, report: TraceReport) -> str:
    out = ['<ul id="tree" role="tree" tabindex="0" aria-label="module hierarchy (arrow keys move, open and close)">']
    _row_html(root, report, _open_rows(root), out)
    out.append("</ul>")
    return "".join(out)


# -- what the details card reads: inputs and consumers of each drawn layer ----------------------
def _flow_view(root: Row, flow: Flow) -> dict[str, Any]:
    row_of = {id(row.node): row.dom_id for row in root.walk() if row.node is not None}
    rows: dict[str, dict[str, list]] = {}
    for edge in flow.edges:
        labels = ", ".join(edge.labels[:3]) + (f" +{len(edge.labels) - 3} more" if len(edge.labels) > 3 else "")
        src, dst = row_of.get(id(edge.src)), row_of.get(id(edge.dst))
        if dst is not None:
            rows.setdefault(dst, {"from": [], "to": []})["from"].append(
                [src, edge.src.name, labels, edge.recorded, len(edge.calls)])
        if src is not None and dst is not None:
            rows.setdefault(src, {"from": [], "to": []})["to"].append(
                [dst, edge.dst.name, labels, edge.recorded, len(edge.calls)])
    return {"rows": rows}


# -- the side panel and the table ------------------------------------------------------------------
def _site_html(css: str, location: str, note: str, path: str, line: int) -> str:
    source = linecache.getline(path, line).strip()
    code = f'<pre class="source">{escape(source)}</pre>' if source else ""
    return (f'<li class="site {css}"><code class="location">{escape(location)}</code> '
            f'<span class="note">{escape(note)}</span>{code}</li>')


def _diagnostic_html(number: int, diag: Diagnostic, rows: list[str], lang: str | None) -> str:
    severity = diag.severity.label
    instance = diag.message.args.get("instance", "")
    sites = [_site_html("primary", diag.span.location(), "here", diag.span.path, diag.span.line)]
    sites += [_site_html("related", r.span.location(), r.message.render(lang), r.span.path, r.span.line)
              for r in diag.related]
    help_html = (f'<p class="help"><span class="help-label">help:</span> {escape(diag.help.render(lang))}</p>'
                 if diag.help is not None else "")
    return (f'<li class="diagnostic severity-{severity}" id="diag-{number}" data-code="{_attr(diag.code)}" '
            f'data-severity="{severity}" data-instance="{_attr(instance)}" data-rows="{" ".join(rows)}" '
            f'tabindex="0" role="button">'
            f'<div class="diag-head"><span class="code">{escape(diag.code)}</span> '
            f'<span class="severity">{escape(severity)}</span> <span class="diag-instance">{escape(str(instance))}</span> '
            f'<span class="name">{escape(diag.name)}</span></div>'
            f'<p class="message">{escape(diag.message.render(lang))}</p>'
            f'<ul class="sites">{"".join(sites)}</ul>{help_html}</li>')


def _diagnostic_rows(root: Row, flow: Flow, count: int) -> list[list[str]]:
    """Per diagnostic, the rows it is about: the row it names first, then the layers inside it."""
    out: list[list[str]] = [[] for _ in range(count)]
    row_of_node = {id(row.node): row for row in root.walk() if row.node is not None}
    for row in root.walk():
        for number in row.diagnostics:
            out[number].append(row.dom_id)
    for number, nodes in enumerate(flow.diag_nodes):
        for node in nodes:
            row = row_of_node.get(id(node))
            if row is not None and row.dom_id not in out[number]:
                out[number].append(row.dom_id)
    return out


def _call_cells(inst: LayerInstance, call: CallRecord, number: int) -> str:
    inputs = "; ".join(f"{shape_text(s)} {d}" for s, d in zip(call.shapes, call.dtypes)) or "-"
    site = call.site.location() if call.site else "?"
    return (f"<td>{number + 1}/{len(inst.calls)}</td>"
            f"<td><code>{escape(inputs)}</code>{' <strong>raised</strong>' if call.raised else ''}</td>"
            f"<td>{'-' if call.training is None else escape(str(call.training))}</td>"
            f"<td><code>{escape(site)}</code></td>")


def _table_html(report: TraceReport, root: Row) -> str:
    row_of = {row.instance_index: row for row in root.walk() if row.instance is not None}
    rows = []
    for index, inst in enumerate(report.instances):
        row = row_of[index]
        category = inst.traits.category if inst.traits else "?"
        for number, call in enumerate(inst.calls):
            first = number == 0
            rows.append(
                f'<tr class="call verdict-{row.verdict}{" raised" if call.raised else ""}" '
                f'data-instance="{_attr(inst.display)}" data-row="{row.dom_id}">'
                f"<td>{escape(inst.display) if first else ''}</td>"
                f"<td>{escape(inst.class_name) if first else ''}</td>"
                f"<td>{escape(inst.framework) if first else ''}</td>"
                f"<td>{escape(category) if first else ''}</td>{_call_cells(inst, call, number)}</tr>")
    head = "".join(f"<th>{h}</th>" for h in ("instance", "class", "framework", "category", "call",
                                               "inputs (shape dtype)", "training", "call site"))
    return f'<table id="calls"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def _json_for_script(data: Any) -> str:
    text = json.dumps(data, indent=None, default=str, ensure_ascii=False)
    # inside <script>, `</` would close the element and `<!--` would open a comment
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") \
        .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


# -- the page --------------------------------------------------------------------------------------
def _summary(report: TraceReport, root: Row) -> str:
    counts = {s: sum(1 for d in report.diagnostics if d.severity == s)
              for s in (Severity.ERROR, Severity.WARNING, Severity.INFO)}
    total_calls = sum(len(inst.calls) for inst in report.instances)
    reused = sum(1 for inst in report.instances if len(inst.calls) > 1)
    text = (f"<b>{len(report.instances)}</b> layer instances ({root.layers_inside} drawn as layers), "
            f"<b>{total_calls}</b> calls, <b>{reused}</b> called more than once; "
            f"<b>{counts[Severity.ERROR]}</b> error(s), <b>{counts[Severity.WARNING]}</b> warning(s), "
            f"<b>{counts[Severity.INFO]}</b> info")
    if report.passes > 1:
        text += f"; {report.passes} forward passes"
    return text


def _filters_html(root: Row) -> str:
    counts: dict[str, int] = {}
    for row in root.walk():
        if row.instance is not None and row.kind != "model":
            counts[row.verdict] = counts.get(row.verdict, 0) + 1
    items = [f'<label class="filter verdict-{value}" title="{_attr(title)}"><input type="checkbox" name="verdict" autocomplete="off" '
             f'value="{value}" checked><span class="swatch"></span>{text} <span class="count">{counts.get(value, 0)}'
             f"</span></label>" for value, text, title in _FILTERS]
    return "".join(items)


def _flow_note(report: TraceReport) -> str:
    frameworks = {inst.framework for inst in report.instances}
    if frameworks and frameworks <= {"keras", "tf_keras"}:
        return "Inputs: the producers the Keras functional graph recorded; elsewhere, call order"
    return ("Inputs of a PyTorch layer: the layer called just before it (call order: the trace records no "
            "tensor identities, so this is not data flow)")


def render_html(report: TraceReport, *, title: str | None = None, lang: str | None = None) -> str:
    """The whole page, as a string (its DOM is described in docs/trace-report.md)."""
    flow = build_flow(report)
    root = build_tree(report, flow)
    roots = [inst for inst in report.instances if inst.path == ""]
    title = title or (f"layerlint trace: {roots[0].class_name}" if roots else "layerlint trace")
    diagnostics = report.diagnostics
    error = ("" if report.error is None else
             f'<pre class="forward-error" id="forward-error">forward pass raised {escape(error_text(report.error))}</pre>')
    notes = "".join(f'<p class="summary note">{escape(n)}</p>' for n in report.notes)
    if diagnostics:
        rows = _diagnostic_rows(root, flow, len(diagnostics))
        diag_html = "<ol>" + "".join(_diagnostic_html(i, d, rows[i], lang) for i, d in enumerate(diagnostics)) + "</ol>"
    else:
        diag_html = '<p class="empty">No unsafe layer reuse found.</p>'
    total_calls = sum(len(inst.calls) for inst in report.instances)
    data = _json_for_script(report.to_dict(lang))
    view = _json_for_script(_flow_view(root, flow))
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{_attr(_CSP)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="layerlint">
<link rel="icon" href="data:,">
<title>{escape(title)}</title>
<style>{_asset("trace.css")}</style>
<script>{_asset("trace-errors.js")}</script>
</head>
<body>
<header id="top">
<h1>{escape(title)}</h1>
<p class="summary">{_summary(report, root)}</p>
{error}{notes}
<div class="toolbar" role="toolbar">
<input type="search" id="search" autocomplete="off" placeholder="search layers (path, class)" aria-label="search layers">
<span class="filters" role="group" aria-label="show verdicts">{_filters_html(root)}</span>
<button type="button" id="show-findings" title="open the tree down to the layers with findings">findings</button>
<button type="button" id="expand-all">expand all</button>
<button type="button" id="collapse-all">collapse all</button>
<span id="match-count" class="note" aria-live="polite"></span>
</div>
</header>
<main>
<section id="tree-panel" aria-label="module hierarchy">
{_tree_html(root, report)}
</section>
<aside id="side">
<section class="panel" id="diagnostics"><h2>Diagnostics ({len(diagnostics)})</h2>
{diag_html}
</section>
<section class="panel" id="details" aria-live="polite"><h2>Selected layer</h2>
<p class="empty">Click a layer to see its calls and its inputs.</p>
<p class="note flow-note">{escape(_flow_note(report))}.</p>
</section>
</aside>
</main>
<details id="call-table"><summary>Every call ({total_calls})</summary>
{_table_html(report, root)}
</details>
<script type="application/json" id="layerlint-data">{data}</script>
<script type="application/json" id="layerlint-view">{view}</script>
<script>{_asset("trace.js")}</script>
</body>
</html>
"""


def _mode_of(target: str) -> int:
    """The permission bits of the file replaced (not of a link's target), else rw-r--r--."""
    try:
        status = os.lstat(target)
    except OSError:
        return 0o644
    return status.st_mode & 0o777 if not os.path.islink(target) else 0o644


def write_html_report(report: TraceReport, path: str | os.PathLike, *, title: str | None = None,
                      lang: str | None = None) -> str:
    """Write `render_html(report)` to `path` (UTF-8), atomically; returns the path written."""
    text = render_html(report, title=title, lang=lang)
    target = os.fspath(path)
    handle, temporary = tempfile.mkstemp(prefix=".layerlint-", suffix=".html",
                                         dir=os.path.dirname(os.path.abspath(target)))
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
        os.chmod(temporary, _mode_of(target))
        os.replace(temporary, target)  # replaces a link at `target`, never writes through it
    except BaseException:
        os.unlink(temporary)
        raise
    return target
