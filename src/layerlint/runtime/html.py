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
from string import Template
from typing import Any

from layerlint.diagnostics import Diagnostic, Severity
from layerlint.i18n import N_, catalog_language, translate
from layerlint.runtime.html_flow import Flow, build_flow, shape_text
from layerlint.runtime.html_tree import Row, build_tree
from layerlint.runtime.records import CallRecord, LayerInstance, TraceReport, error_text

__all__ = ["render_html", "write_html_report"]

# (verdict, its label, its tooltip); a severity's label is the msgid of `Severity.label`
_FILTERS = [("error", "error", N_("unsafe reuse (LL001)")), ("warning", "warning", N_("shared state (LL002)")),
            ("info", "info", N_("shared weights (LL003)")),
            ("reuse", N_("reused"), N_("called more than once, no finding")), ("single", N_("clean"), N_("called once"))]
# the words the page's script writes (the details card, the search count), translated here
_SCRIPT_WORDS = {"Selected layer": N_("Selected layer"), "layer": N_("layer"), "class": N_("class"),
                 "verdict": N_("verdict"), "calls": N_("calls"), "inputs from": N_("inputs from"),
                 "feeds": N_("feeds"), "call order": N_("call order"), "raised": N_("raised"), "at": N_("at"),
                 "matching rows": N_("{count} matching row(s)"),
                 "too many to draw": N_("{count} layers: too many to draw; select a smaller module"),
                 "arrows: call order": N_("arrows: call order (the layer called just before), not data flow"),
                 "arrows: recorded": N_("arrows: the producers the Keras functional graph recorded")}
_CSP = ("default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; "
        "base-uri 'none'; form-action 'none'")


@lru_cache(maxsize=None)
def _asset(name: str) -> str:
    return resources.files("layerlint.runtime").joinpath("assets", name).read_text(encoding="utf-8")


def _attr(value: Any) -> str:
    return escape(str(value), quote=True)


def _t(template: str, lang: str | None, **values: Any) -> str:
    """A translated template as HTML: its text escaped, then its values (escaped unless `_html`)."""
    markup = {k[:-5]: v for k, v in values.items() if k.endswith("_html")}
    plain = {k: escape(str(v)) for k, v in values.items() if not k.endswith("_html")}
    return escape(translate(template, lang), quote=True).format(**plain, **markup)


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


def _label(row: Row, lang: str | None) -> str:
    if row.kind == "model":
        if row.instance is None:
            return _t(N_("model"), lang)
        return _t(N_("{class_name} (traced model)"), lang, class_name=row.instance.class_name)
    return escape(row.label)


def _inside(row: Row, lang: str | None) -> str:
    count = row.layers_inside
    text = _t(N_("{count} layer") if count == 1 else N_("{count} layers"), lang, count=count)
    if row.findings_inside:
        count = row.findings_inside
        text += " \u00b7 " + _t(N_("{count} finding inside") if count == 1 else N_("{count} findings inside"),
                                lang, count=count)
    return text


def _row_line(row: Row, report: TraceReport, lang: str | None) -> str:
    inst = row.instance
    parts = ['<span class="twisty" aria-hidden="true"></span>', f'<span class="label">{_label(row, lang)}</span>']
    if inst is not None and row.kind != "model":
        parts.append(f'<span class="cls">{escape(inst.class_name)}</span>')
    elif row.kind in ("group", "range"):
        kind = N_("grouped by name") if row.kind == "group" else N_("range")
        parts.append(f'<span class="cls">{_t(kind, lang)}</span>')
    if inst is not None and len(inst.calls) > 1:
        parts.append(f'<span class="calls" title="{_t(N_("calls"), lang)}">\u00d7{len(inst.calls)}</span>')
    for number in row.diagnostics:
        diag = report.diagnostics[number]
        parts.append(f'<a class="chip severity-{diag.severity.label}" href="#diag-{number}" '
                     f'data-diag="diag-{number}">{escape(diag.code)}</a>')
    if row.node is not None and row.node.raised:
        parts.append(f'<span class="raised-mark">\u26a0 {_t(N_("raised here"), lang)}</span>')
    if row.children:
        parts.append(f'<span class="inside">{_inside(row, lang)}</span>')
    return f'<div class="line">{"".join(parts)}</div>'


def _row_html(row: Row, report: TraceReport, opened: set[int], out: list[str], lang: str | None) -> None:
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
    out.append(f'<li {" ".join(attrs)}>{_row_line(row, report, lang)}')
    if row.children:
        out.append('<ul class="children" role="group">')
        for child in row.children:
            _row_html(child, report, opened, out, lang)
        out.append("</ul>")
    out.append("</li>")


def _tree_html(root: Row, report: TraceReport, lang: str | None) -> str:
    label = _t(N_("module hierarchy (the arrow keys move, open and close)"), lang)
    out = [f'<ul id="tree" role="tree" tabindex="0" aria-label="{label}">']
    _row_html(root, report, _open_rows(root), out, lang)
    out.append("</ul>")
    return "".join(out)


# -- what the details card reads: inputs and consumers of each drawn layer ----------------------
def _flow_view(root: Row, flow: Flow, lang: str | None) -> dict[str, Any]:
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
    return {"rows": rows, "words": {key: translate(template, lang) for key, template in _SCRIPT_WORDS.items()}}


# -- the side panel and the table ------------------------------------------------------------------
def _site_html(css: str, location: str, note: str, path: str, line: int) -> str:
    source = linecache.getline(path, line).strip()
    code = f'<pre class="source">{escape(source)}</pre>' if source else ""
    return (f'<li class="site {css}"><code class="location">{escape(location)}</code> '
            f'<span class="note">{escape(note)}</span>{code}</li>')


def _diagnostic_html(number: int, diag: Diagnostic, rows: list[str], lang: str | None) -> str:
    severity = diag.severity.label
    instance = diag.layer or ""
    sites = [_site_html("primary", diag.span.location(), translate(N_("here"), lang), diag.span.path, diag.span.line)]
    sites += [_site_html("related", r.span.location(), r.message.render(lang), r.span.path, r.span.line)
              for r in diag.related]
    help_html = (f'<p class="help"><span class="help-label">{_t(N_("help"), lang)}:</span> '
                 f'{escape(diag.help.render(lang))}</p>'
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


def _call_cells(inst: LayerInstance, call: CallRecord, number: int, lang: str | None) -> str:
    inputs = "; ".join(f"{shape_text(s)} {d}" for s, d in zip(call.shapes, call.dtypes)) or "-"
    site = call.site.location() if call.site else "?"
    return (f"<td>{number + 1}/{len(inst.calls)}</td>"
            f"<td><code>{escape(inputs)}</code>{' <strong>' + _t(N_('raised'), lang) + '</strong>' if call.raised else ''}</td>"
            f"<td>{'-' if call.training is None else escape(str(call.training))}</td>"
            f"<td><code>{escape(site)}</code></td>")


def _table_html(report: TraceReport, root: Row, lang: str | None) -> str:
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
                f"<td>{escape(category) if first else ''}</td>{_call_cells(inst, call, number, lang)}</tr>")
    head = "".join(f"<th>{_t(h, lang)}</th>" for h in (
        N_("instance"), N_("class"), N_("framework"), N_("category"), N_("call"), N_("inputs (shape dtype)"),
        N_("training"), N_("call site")))
    return f'<table id="calls"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def _json_for_script(data: Any) -> str:
    text = json.dumps(data, indent=None, default=str, ensure_ascii=False)
    # inside <script>, `</` would close the element and `<!--` would open a comment
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") \
        .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


# -- the page --------------------------------------------------------------------------------------
def _summary(report: TraceReport, root: Row, lang: str | None) -> str:
    counts = {s: sum(1 for d in report.diagnostics if d.severity == s)
              for s in (Severity.ERROR, Severity.WARNING, Severity.INFO)}
    total_calls = sum(len(inst.calls) for inst in report.instances)
    reused = sum(1 for inst in report.instances if len(inst.calls) > 1)
    text = _t(N_("{instances} layer instances ({layers} drawn as layers), {calls} calls, {reused} called more "
                 "than once"), lang, instances_html=f"<b>{len(report.instances)}</b>", layers=root.layers_inside,
              calls_html=f"<b>{total_calls}</b>", reused_html=f"<b>{reused}</b>")
    counted = [_t(N_("{count} error(s)"), lang, count_html=f"<b>{counts[Severity.ERROR]}</b>"),
               _t(N_("{count} warning(s)"), lang, count_html=f"<b>{counts[Severity.WARNING]}</b>"),
               _t(N_("{count} info"), lang, count_html=f"<b>{counts[Severity.INFO]}</b>")]
    text += "; " + _t(N_(", "), lang).join(counted)
    if report.passes > 1:
        text += "; " + _t(N_("{count} forward passes"), lang, count=report.passes)
    return text


def _filters_html(root: Row, lang: str | None) -> str:
    counts: dict[str, int] = {}
    for row in root.walk():
        if row.instance is not None and row.kind != "model":
            counts[row.verdict] = counts.get(row.verdict, 0) + 1
    items = [f'<label class="filter verdict-{value}" title="{_t(title, lang)}"><input type="checkbox" name="verdict" '
             f'autocomplete="off" value="{value}" checked><span class="swatch"></span>{_t(text, lang)} '
             f'<span class="count">{counts.get(value, 0)}</span></label>' for value, text, title in _FILTERS]
    return "".join(items)


def _flow_note(report: TraceReport, lang: str | None) -> str:
    frameworks = {inst.framework for inst in report.instances}
    if frameworks and frameworks <= {"keras", "tf_keras"}:
        return _t(N_("Inputs: the producers the Keras functional graph recorded; elsewhere, call order."), lang)
    return _t(N_("Inputs of a PyTorch layer: the layer called just before it (call order: the trace records no "
                 "tensor identities, so this is not data flow)."), lang)


# the page's fixed words, `$w_<key>` in assets/page.html
_PAGE_WORDS = {"search": N_("search layers (path, class)"), "show_verdicts": N_("show verdicts"),
               "findings_title": N_("open the tree down to the layers with findings"), "findings": N_("findings"),
               "expand_all": N_("expand all"), "collapse_all": N_("collapse all"),
               "selected_layer": N_("Selected layer"), "click_a_layer": N_("Click a layer to see its calls and its inputs.")}


def _diagnostics_html(report: TraceReport, root: Row, flow: Flow, lang: str | None) -> str:
    if not report.diagnostics:
        return f'<p class="empty">{_t(N_("No unsafe layer reuse found."), lang)}</p>'
    rows = _diagnostic_rows(root, flow, len(report.diagnostics))
    return "<ol>" + "".join(_diagnostic_html(i, d, rows[i], lang) for i, d in enumerate(report.diagnostics)) + "</ol>"


def _title(report: TraceReport, lang: str | None) -> str:
    roots = [inst for inst in report.instances if inst.path == ""]
    if roots:
        return translate(N_("layerlint trace: {model}"), lang).format(model=roots[0].class_name)
    return translate(N_("layerlint trace"), lang)


def render_html(report: TraceReport, *, title: str | None = None, lang: str | None = None) -> str:
    """The whole page, as a string (its DOM is described in docs/trace-report.md)."""
    flow = build_flow(report)
    root = build_tree(report, flow)
    error = ("" if report.error is None else
             f'<pre class="forward-error" id="forward-error">'
             f'{_t(N_("forward pass raised {error}"), lang, error=error_text(report.error))}</pre>')
    total_calls = sum(len(inst.calls) for inst in report.instances)
    values = {f"w_{key}": _t(template, lang) for key, template in _PAGE_WORDS.items()}
    values.update(
        lang=_attr((catalog_language(lang) or "en").replace("_", "-")), csp=_attr(_CSP),
        title=escape(title or _title(report, lang)), css=_asset("trace.css"), errors_js=_asset("trace-errors.js"),
        main_js=_asset("trace.js"), summary=_summary(report, root, lang), forward_error=error,
        notes="".join(f'<p class="summary note">{escape(n)}</p>' for n in report.notes),
        filters=_filters_html(root, lang), tree=_tree_html(root, report, lang),
        diagnostics_heading=_t(N_("Diagnostics ({count})"), lang, count=len(report.diagnostics)),
        diagnostics=_diagnostics_html(report, root, flow, lang), flow_note=_flow_note(report, lang),
        calls_heading=_t(N_("Every call ({count})"), lang, count=total_calls),
        call_table=_table_html(report, root, lang), data=_json_for_script(report.to_dict(lang)),
        view=_json_for_script(_flow_view(root, flow, lang)))
    return Template(_asset("page.html")).substitute(values)


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
