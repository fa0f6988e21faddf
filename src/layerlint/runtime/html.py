"""`layerlint trace --html FILE`: one self-contained HTML page that draws a trace.

    from layerlint.runtime.html import render_html, write_html_report
    write_html_report(trace(model, x, raise_on_error=False), "trace.html")

The page has no external resource (inline CSS, SVG and a little vanilla JS; a Content-Security-
Policy forbids any fetch). It draws:
  * one node per layer instance that received a *leaf* call (a call inside which no other layer
    call was recorded), plus an `input` node; a composite (the traced model, a Sequential, a user
    Layer/Module) is not a node: its layers are;
  * one edge per producer -> consumer pair of instances, labelled with the input shapes that went
    through it. The producer of a call is the layer named in the Keras functional graph that made
    it (`CallRecord.graph_inputs`), where the record has that; otherwise the leaf call just before
    it in the same forward pass (call order), or `input` for the first one. A reused instance
    therefore has several incoming edges; an edge back to an earlier column is drawn under the
    graph;
  * each instance coloured by its verdict: `verdict-error` (red), `verdict-warning` (amber),
    `verdict-info` (blue) for the instance a diagnostic names (for a reused composite: its layers,
    which also get the class `in-shared-composite` and a dotted outline), `verdict-reuse` (grey-green) for an
    instance called more than once with no finding (stateless, or reused inside a reused
    sub-network), `verdict-single` otherwise; the call that raised is marked `raised`;
  * the diagnostics beside the graph (code, severity, message, call sites with their source line,
    help), the forward pass's error, and a table of every call.

The layout is deterministic: columns are the longest path over the edges that go forward in the
order of the instances' first calls; rows keep that order. Nodes carry `id="node-N"`,
`data-instance="<display path>"` and `class="node verdict-..."`; diagnostics carry
`data-code`, `data-severity`, `data-instance` and `data-nodes`. The page's script sets
`document.body.dataset.ready = "ok"` once it has run, and records any script error in
`document.body.dataset.errors`. Clicking a layer selects its diagnostics, edges and calls (and a
diagnostic its layers); `page.html#select=node-3` (or `#select=diag-0`) opens with that selection. The report's `to_dict()` is embedded as JSON
(`<script type="application/json" id="layerlint-data">`).
"""

from __future__ import annotations

import json
import linecache
import os
from dataclasses import dataclass, field
from html import escape
from typing import Any

from layerlint.diagnostics import Diagnostic, Severity
from layerlint.runtime.records import CallRecord, LayerInstance, TraceReport, error_text

__all__ = ["render_html", "write_html_report"]

# -- geometry (px); the fonts are monospace so that text widths can be computed here --------------
_PATH_CHAR = 7.9  # 13px bold monospace
_SMALL_CHAR = 6.7  # 11px monospace
_NODE_MIN_W, _NODE_MAX_W, _NODE_H = 124, 288, 48
_COL_GAP, _ROW_GAP, _MARGIN = 118, 30, 24
_LOOP_SPACE, _LANE = 44, 22
_MAX_EDGE_LABELS = 3

_SEVERITY_VERDICT = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "info"}
_VERDICT_TEXT = {
    "error": "error: unsafe reuse",
    "warning": "warning: shared state",
    "info": "info: shared weights",
    "reuse": "called more than once, no finding",
    "single": "called once",
    "input": "model input",
}


# -- the graph -------------------------------------------------------------------------------------
@dataclass(eq=False)
class _Node:
    index: int
    instance: LayerInstance | None  # None: the input node
    first_seq: int
    verdict: str = "single"
    diagnostics: list[int] = field(default_factory=list)
    composites: list[str] = field(default_factory=list)  # reused composites (with a finding) it is in
    raised: bool = False
    column: int = 0
    x: float = 0.0
    y: float = 0.0
    w: float = _NODE_MIN_W
    h: float = _NODE_H

    @property
    def dom_id(self) -> str:
        return f"node-{self.index}"

    @property
    def name(self) -> str:
        return "input" if self.instance is None else self.instance.display


@dataclass(eq=False)
class _Edge:
    src: _Node
    dst: _Node
    calls: list[tuple[CallRecord, int | None]] = field(default_factory=list)  # (consumer call, input index)
    labels: list[str] = field(default_factory=list)
    recorded: bool = False  # True: the producer came from the functional graph's record
    raised: bool = False


@dataclass
class _Graph:
    nodes: list[_Node]
    edges: list[_Edge]
    composites: list[LayerInstance]  # instances drawn through their layers
    node_of: dict[int, _Node]  # id(instance.obj) -> node
    diag_nodes: list[list[_Node]]  # per diagnostic, the nodes it is about
    width: float = 0.0
    height: float = 0.0


def _shape_text(shape: Any) -> str:
    if shape is None:
        return "?"
    return "(" + ",".join("None" if d is None else str(d) for d in shape) + ")"


def _input_text(call: CallRecord, index: int | None) -> str:
    if index is not None and index < len(call.shapes):
        return _shape_text(call.shapes[index])
    return ", ".join(_shape_text(s) for s in call.shapes) or "no tensor"


def _build_graph(report: TraceReport) -> _Graph:
    calls = sorted((c for inst in report.instances for c in inst.calls), key=lambda c: c.seq)
    members = {id(c) for c in calls}
    instance_of = {id(inst.obj): inst for inst in report.instances}
    has_children = {id(c.parent) for c in calls if c.parent is not None}
    leaves = [c for c in calls if id(c) not in has_children]

    def ancestors(call: CallRecord) -> list[CallRecord]:
        chain, parent = [], call.parent
        while parent is not None and id(parent) in members:
            chain.append(parent)
            parent = parent.parent
        return chain

    chain_of = {id(c): ancestors(c) for c in leaves}
    pass_of = {id(c): id(chain_of[id(c)][-1]) if chain_of[id(c)] else id(c) for c in leaves}

    input_node = _Node(0, None, first_seq=-1, verdict="input")
    nodes: list[_Node] = [input_node]
    node_of: dict[int, _Node] = {}
    for call in leaves:
        if id(call.obj) not in node_of:
            node = _Node(len(nodes), instance_of[id(call.obj)], first_seq=call.seq)
            nodes.append(node)
            node_of[id(call.obj)] = node
        if call.raised:
            node_of[id(call.obj)].raised = True

    # producers of each leaf call
    edges: dict[tuple[int, int], _Edge] = {}
    previous_in_pass: dict[int, CallRecord] = {}

    def add_edge(src: _Node, call: CallRecord, index: int | None, recorded: bool) -> None:
        dst = node_of[id(call.obj)]
        edge = edges.get((src.index, dst.index))
        if edge is None:
            edge = edges[(src.index, dst.index)] = _Edge(src, dst)
        edge.calls.append((call, index))
        text = _input_text(call, index)
        if text not in edge.labels:
            edge.labels.append(text)
        edge.recorded = edge.recorded or recorded
        edge.raised = edge.raised or call.raised

    def last_leaf_under(call: CallRecord, before: int) -> CallRecord | None:
        found = None
        for leaf in leaves:
            if leaf.seq >= before:
                break
            if leaf is call or any(a is call for a in chain_of[id(leaf)]):
                found = leaf
        return found

    def leaf_before(call: CallRecord, seq: int) -> _Node:
        """The node of the last leaf call of the pass before `seq`, or the input node."""
        found = None
        for leaf in leaves:
            if leaf.seq >= seq:
                break
            if pass_of[id(leaf)] == pass_of[id(call)]:
                found = leaf
        return node_of[id(found.obj)] if found is not None else input_node

    children: dict[int, list[CallRecord]] = {}
    for c in calls:
        children.setdefault(id(c.parent if c.parent is not None and id(c.parent) in members else None), []).append(c)
    graph_input_of: dict[int, _Node] = {}
    for call in leaves:
        before = previous_in_pass.get(pass_of[id(call)])
        fallback = node_of[id(before.obj)] if before is not None else input_node
        if call.graph_inputs:
            # a name not recorded (an InputLayer) is the input of the graph: what fed the graph's call
            parent = call.parent if call.parent is not None and id(call.parent) in members else None
            if id(parent) not in graph_input_of:
                graph_input_of[id(parent)] = leaf_before(call, parent.seq) if parent is not None else input_node
            graph_input = graph_input_of[id(parent)]
            siblings = [c for c in children.get(id(parent), ()) if c.seq < call.seq]
            single = len(call.shapes) != len(call.graph_inputs)
            for index, name in enumerate(call.graph_inputs):
                producer = next((c for c in reversed(siblings) if getattr(c.obj, "name", None) == name), None)
                if producer is not None and id(producer) in has_children:
                    producer = last_leaf_under(producer, call.seq)
                if producer is not None and id(producer.obj) in node_of:
                    add_edge(node_of[id(producer.obj)], call, None if single else index, True)
                else:
                    add_edge(graph_input, call, None if single else index, True)
        else:
            add_edge(fallback, call, None, False)
        previous_in_pass[pass_of[id(call)]] = call

    # verdicts
    composites = [inst for inst in report.instances if id(inst.obj) not in node_of]
    by_display = {}
    for inst in report.instances:
        by_display.setdefault(inst.display, inst)
    diag_nodes: list[list[_Node]] = []
    for number, diag in enumerate(report.diagnostics):
        inst = by_display.get(str(diag.message.args.get("instance", "")))
        targets: list[_Node] = []
        if inst is not None and id(inst.obj) in node_of:
            node = node_of[id(inst.obj)]
            targets.append(node)
            node.diagnostics.append(number)
            verdict = _SEVERITY_VERDICT.get(diag.severity, "info")
            if _rank(verdict) > _rank(node.verdict):
                node.verdict = verdict
        elif inst is not None:  # a composite: the finding is about the layers inside it
            for leaf in leaves:
                if any(a.obj is inst.obj for a in chain_of[id(leaf)]):
                    node = node_of[id(leaf.obj)]
                    if node not in targets:
                        targets.append(node)
                        node.diagnostics.append(number)
                        node.composites.append(inst.display)
                        verdict = _SEVERITY_VERDICT.get(diag.severity, "info")
                        if _rank(verdict) > _rank(node.verdict):
                            node.verdict = verdict
        diag_nodes.append(targets)
    for node in nodes[1:]:
        if node.verdict == "single" and len(node.instance.calls) > 1:
            node.verdict = "reuse"

    graph = _Graph(nodes, list(edges.values()), composites, node_of, diag_nodes)
    _layout(graph)
    return graph


def _rank(verdict: str) -> int:
    return {"single": 0, "reuse": 1, "info": 2, "warning": 3, "error": 4}.get(verdict, 0)


# -- layout ----------------------------------------------------------------------------------------
def _fit(text: str, width: float, char: float, keep_end: bool) -> str:
    room = max(4, int((width - 20) // char))
    if len(text) <= room:
        return text
    return "\u2026" + text[-(room - 1):] if keep_end else text[:room - 1] + "\u2026"


def _class_line(node: _Node) -> str:
    if node.instance is None:
        return "model input"
    inst = node.instance
    return f"{inst.class_name} \u00b7 {inst.framework}"


def _layout(graph: _Graph) -> None:
    nodes = graph.nodes
    incoming: dict[int, list[_Edge]] = {}
    for edge in graph.edges:
        incoming.setdefault(edge.dst.index, []).append(edge)
    for node in nodes[1:]:
        forward = [e.src.column for e in incoming.get(node.index, []) if e.src.index < node.index]
        node.column = max(forward) + 1 if forward else 1
    for node in nodes:
        wanted = max(len(node.name) * _PATH_CHAR + 56, len(_class_line(node)) * _SMALL_CHAR + 24)
        node.w = min(_NODE_MAX_W, max(_NODE_MIN_W, wanted))
    columns: dict[int, list[_Node]] = {}
    for node in nodes:
        columns.setdefault(node.column, []).append(node)
    heights = {c: len(ns) * _NODE_H + (len(ns) - 1) * _ROW_GAP for c, ns in columns.items()}
    tallest = max(heights.values())
    has_loop = any(e.src is e.dst for e in graph.edges)
    top = _MARGIN + (_LOOP_SPACE if has_loop else 0)
    x = _MARGIN
    for column in sorted(columns):
        width = max(n.w for n in columns[column])
        y = top + (tallest - heights[column]) / 2
        for node in columns[column]:
            node.w = width
            node.x, node.y = x, y
            y += _NODE_H + _ROW_GAP
        x += width + _COL_GAP
    back = [e for e in graph.edges if e.dst.column <= e.src.column and e.src is not e.dst]
    graph.width = x - _COL_GAP + _MARGIN
    graph.height = top + tallest + (len(back) * _LANE + 30 if back else 0) + _MARGIN


# -- SVG -------------------------------------------------------------------------------------------
def _attr(value: Any) -> str:
    return escape(str(value), quote=True)


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _call_line(inst: LayerInstance, call: CallRecord) -> str:
    inputs = "; ".join(f"{_shape_text(s)} {d}" for s, d in zip(call.shapes, call.dtypes)) or "no tensor"
    site = call.site.location() if call.site else "?"
    training = "" if call.training is None else f", training={call.training}"
    raised = "  RAISED" if call.raised else ""
    return f"call {inst.calls.index(call) + 1}: {inputs}{training} at {site}{raised}"


def _node_svg(node: _Node, report: TraceReport) -> str:
    classes = ["node", f"verdict-{node.verdict}"]
    if node.instance is None:
        classes.append("node-input")
    if node.raised:
        classes.append("raised")
    if node.composites:
        classes.append("in-shared-composite")
    calls = len(node.instance.calls) if node.instance is not None else 0
    if node.instance is None:
        tip = ["input of the traced model"]
        attrs = 'data-role="input"'
    else:
        inst = node.instance
        tip = [f"{inst.display} \u2014 {inst.class_name} ({inst.framework})",
               f"verdict: {_VERDICT_TEXT[node.verdict]}"]
        if inst.traits is not None:
            tip.append(f"category: {inst.traits.category}" + ("" if inst.from_catalog else " (judged from the live object)"))
        tip += [_call_line(inst, c) for c in inst.calls]
        tip += [f"{report.diagnostics[i].code}: {report.diagnostics[i].message.render()}" for i in node.diagnostics]
        attrs = (f'data-instance="{_attr(inst.display)}" data-class="{_attr(inst.class_name)}" '
                 f'data-framework="{_attr(inst.framework)}" data-calls="{calls}"')
        if node.composites:
            attrs += f' data-composite="{_attr(" ".join(node.composites))}"'
    diag_ids = " ".join(f"diag-{i}" for i in node.diagnostics)
    out = [(f'<g class="{" ".join(classes)}" id="{node.dom_id}" {attrs} data-verdict="{node.verdict}" '
           f'data-diagnostics="{diag_ids}" tabindex="0" role="button">'),
           f"<title>{escape(chr(10).join(tip))}</title>",
           (f'<rect class="node-box" x="{_num(node.x)}" y="{_num(node.y)}" width="{_num(node.w)}" '
           f'height="{_num(node.h)}" rx="7"/>'),
           (f'<rect class="node-band" x="{_num(node.x + 3)}" y="{_num(node.y + 4)}" width="5" '
           f'height="{_num(node.h - 8)}" rx="2.5"/>')]
    badge_w = 0.0
    if calls > 1:
        badge = f"\u00d7{calls}"
        badge_w = len(badge) * _SMALL_CHAR + 10
        bx = node.x + node.w - badge_w - 6
        out.append(f'<rect class="node-badge" x="{_num(bx)}" y="{_num(node.y + 6)}" width="{_num(badge_w)}" '
                   f'height="16" rx="8"/>')
        out.append(f'<text class="node-badge-text" x="{_num(bx + badge_w / 2)}" y="{_num(node.y + 18)}">'
                   f"{escape(badge)}</text>")
    path_text = _fit(node.name, node.w - badge_w - 4, _PATH_CHAR, keep_end=True)
    class_text = _fit(_class_line(node), node.w, _SMALL_CHAR, keep_end=False)
    out.append(f'<text class="node-path" x="{_num(node.x + 14)}" y="{_num(node.y + 20)}">{escape(path_text)}</text>')
    out.append(f'<text class="node-class" x="{_num(node.x + 14)}" y="{_num(node.y + 38)}">{escape(class_text)}</text>')
    if node.raised:
        out.append(f'<text class="node-raised" x="{_num(node.x + node.w)}" y="{_num(node.y - 6)}">'
                   f"\u26a0 raised here</text>")
    out.append("</g>")
    return "\n".join(out)


def _edge_svg(number: int, edge: _Edge, lane: int | None, graph: _Graph) -> str:
    src, dst = edge.src, edge.dst
    if src is dst:  # a layer fed by its own previous call
        x1, x2, y = src.x + src.w * 0.62, src.x + src.w * 0.38, src.y
        d = f"M{_num(x1)},{_num(y)} C{_num(x1)},{_num(y - 40)} {_num(x2)},{_num(y - 40)} {_num(x2)},{_num(y - 2)}"
        lx, ly, kind = (x1 + x2) / 2, y - 34, "self"
    elif lane is not None:
        # back to an earlier column (or within one): out of the source's left side into the gap
        # between columns, along a lane under the graph, up the gap right of the target, into its
        # right side; so that it crosses edges but never a node
        sx, sy = src.x, src.y + src.h * 0.72
        ex, ey = dst.x + dst.w, dst.y + dst.h * 0.72
        bottom = max(n.y + n.h for n in graph.nodes) + 26 + lane * _LANE
        gl, gr, r = sx - 30 - lane * 4, ex + 30 + lane * 4, 9
        step = -r if gr < gl else r
        d = (f"M{_num(sx)},{_num(sy)} L{_num(gl + r)},{_num(sy)} Q{_num(gl)},{_num(sy)} {_num(gl)},{_num(sy + r)} "
             f"L{_num(gl)},{_num(bottom - r)} Q{_num(gl)},{_num(bottom)} {_num(gl + step)},{_num(bottom)} "
             f"L{_num(gr - step)},{_num(bottom)} Q{_num(gr)},{_num(bottom)} {_num(gr)},{_num(bottom - r)} "
             f"L{_num(gr)},{_num(ey + r)} Q{_num(gr)},{_num(ey)} {_num(gr - r)},{_num(ey)} L{_num(ex + 2)},{_num(ey)}")
        lx, ly, kind = (gl + gr) / 2, bottom, "back"
    else:
        x1, y1 = src.x + src.w, src.y + src.h / 2
        x2, y2 = dst.x - 2, dst.y + dst.h / 2
        c = max(40.0, (x2 - x1) / 2)
        d = f"M{_num(x1)},{_num(y1)} C{_num(x1 + c)},{_num(y1)} {_num(x2 - c)},{_num(y2)} {_num(x2)},{_num(y2)}"
        lx, ly, kind = (x1 + x2) / 2, (y1 + y2) / 2, "forward"
    labels = edge.labels[:_MAX_EDGE_LABELS]
    if len(edge.labels) > _MAX_EDGE_LABELS:
        labels.append(f"+{len(edge.labels) - _MAX_EDGE_LABELS} more")
    classes = ["edge", kind, "recorded" if edge.recorded else "call-order"]
    if edge.raised:
        classes.append("raised")
    how = "producer recorded by the functional graph" if edge.recorded else "call order"
    tip = [f"{src.name} \u2192 {dst.name} ({how})"]
    for call, index in edge.calls[:20]:
        tip.append(_call_line(dst.instance, call) if index is None
                   else f"{_call_line(dst.instance, call)} (input {index + 1})")
    if len(edge.calls) > 20:
        tip.append(f"... {len(edge.calls) - 20} more calls")
    marker = "arrow-raised" if edge.raised else "arrow"
    out = [(f'<g class="{" ".join(classes)}" id="edge-{number}" data-from="{_attr(src.name)}" '
           f'data-to="{_attr(dst.name)}" data-from-node="{src.dom_id}" data-to-node="{dst.dom_id}" '
           f'data-calls="{len(edge.calls)}">'),
           f"<title>{escape(chr(10).join(tip))}</title>",
           f'<path class="edge-line" d="{d}" marker-end="url(#{marker})"/>']
    line_h = 13
    box_w = max(len(t) for t in labels) * _SMALL_CHAR + 10
    box_h = line_h * len(labels) + 4
    top = ly - box_h / 2
    out.append(f'<rect class="edge-label-bg" x="{_num(lx - box_w / 2)}" y="{_num(top)}" width="{_num(box_w)}" '
               f'height="{_num(box_h)}" rx="3"/>')
    spans = "".join(f'<tspan x="{_num(lx)}" y="{_num(top + 12 + i * line_h)}">{escape(t)}</tspan>'
                    for i, t in enumerate(labels))
    out.append(f'<text class="edge-label">{spans}</text>')
    out.append("</g>")
    return "\n".join(out)


def _svg(graph: _Graph, report: TraceReport) -> str:
    lanes: dict[int, int] = {}
    back = [e for e in graph.edges if e.dst.column <= e.src.column and e.src is not e.dst]
    for lane, edge in enumerate(sorted(back, key=lambda e: (e.src.column - e.dst.column, e.src.index))):
        lanes[id(edge)] = lane
    parts = [(f'<svg id="graph-svg" xmlns="http://www.w3.org/2000/svg" width="{_num(graph.width)}" '
             f'height="{_num(graph.height)}" viewBox="0 0 {_num(graph.width)} {_num(graph.height)}" '
             f'role="img" aria-label="layer instances and the calls between them">'),
             "<defs>",
             ('<marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
             'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="arrow-head"/></marker>'),
             ('<marker id="arrow-raised" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
             'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="arrow-head-raised"/></marker>'),
             "</defs>",
             '<g class="edges">']
    # edges in a fixed order: by consumer, then producer
    ordered = sorted(graph.edges, key=lambda e: (e.dst.index, e.src.index))
    parts += [_edge_svg(i, e, lanes.get(id(e)), graph) for i, e in enumerate(ordered)]
    parts.append('</g><g class="nodes">')
    parts += [_node_svg(n, report) for n in graph.nodes]
    parts.append("</g></svg>")
    return "\n".join(parts)


# -- the side panel and the table --------------------------------------------------------------------
def _source_line(path: str, line: int) -> str:
    return linecache.getline(path, line).strip()


def _site_html(css: str, location: str, note: str, path: str, line: int) -> str:
    source = _source_line(path, line)
    code = f'<pre class="source">{escape(source)}</pre>' if source else ""
    return (f'<li class="site {css}"><code class="location">{escape(location)}</code> '
            f'<span class="note">{escape(note)}</span>{code}</li>')


def _diagnostic_html(number: int, diag: Diagnostic, targets: list[_Node], lang: str | None) -> str:
    severity = diag.severity.label
    instance = diag.message.args.get("instance", "")
    nodes = " ".join(n.dom_id for n in targets)
    sites = [_site_html("primary", diag.span.location(), "here", diag.span.path, diag.span.line)]
    sites += [_site_html("related", r.span.location(), r.message.render(lang), r.span.path, r.span.line)
              for r in diag.related]
    help_html = (f'<p class="help"><span class="help-label">help:</span> {escape(diag.help.render(lang))}</p>'
                 if diag.help is not None else "")
    return (f'<li class="diagnostic severity-{severity}" id="diag-{number}" data-code="{_attr(diag.code)}" '
            f'data-severity="{severity}" data-instance="{_attr(instance)}" data-nodes="{nodes}" tabindex="0">'
            f'<div class="diag-head"><span class="code">{escape(diag.code)}</span> '
            f'<span class="severity">{escape(severity)}</span> <span class="name">{escape(diag.name)}</span> '
            f'<span class="confidence">{escape(diag.confidence.value)} confidence</span></div>'
            f'<p class="message">{escape(diag.message.render(lang))}</p>'
            f'<ul class="sites">{"".join(sites)}</ul>{help_html}</li>')


def _table_html(report: TraceReport, graph: _Graph) -> str:
    rows = []
    for inst in report.instances:
        node = graph.node_of.get(id(inst.obj))
        verdict = node.verdict if node is not None else "composite"
        category = inst.traits.category if inst.traits else "?"
        for number, call in enumerate(inst.calls):
            first = number == 0
            inputs = "; ".join(f"{_shape_text(s)} {d}" for s, d in zip(call.shapes, call.dtypes)) or "-"
            site = call.site.location() if call.site else "?"
            node_attr = f' data-node="{node.dom_id}"' if node is not None else ""
            rows.append(
                f'<tr class="call verdict-{verdict}{" raised" if call.raised else ""}" '
                f'data-instance="{_attr(inst.display)}"{node_attr}>'
                f"<td>{escape(inst.display) if first else ''}</td>"
                f"<td>{escape(inst.class_name) if first else ''}</td>"
                f"<td>{escape(inst.framework) if first else ''}</td>"
                f"<td>{escape(category) if first else ''}</td>"
                f"<td>{number + 1}/{len(inst.calls)}</td>"
                f"<td><code>{escape(inputs)}</code>{' <strong>raised</strong>' if call.raised else ''}</td>"
                f"<td>{'-' if call.training is None else escape(str(call.training))}</td>"
                f"<td><code>{escape(site)}</code></td></tr>")
    head = "".join(f"<th>{h}</th>" for h in ("instance", "class", "framework", "category", "call",
                                               "inputs (shape dtype)", "training", "call site"))
    return f'<table id="calls"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def _json_for_script(data: Any) -> str:
    text = json.dumps(data, indent=None, default=str, ensure_ascii=False)
    # inside <script>, `</` would close the element and `<!--` would open a comment
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") \
        .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


# -- the page ----------------------------------------------------------------------------------------
_CSS = """
:root { --error:#d62828; --warning:#e09b00; --info:#1f6feb; --reuse:#5f8f6e; --single:#8a94a3;
        --ink:#1d2330; --muted:#5b6472; --line:#d5dae1; --bg:#f6f7f9; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif;
       color:var(--ink); background:var(--bg); }
header { padding:14px 22px 10px; background:#fff; border-bottom:1px solid var(--line); }
h1 { font-size:19px; margin:0 0 4px; }
h2 { font-size:15px; margin:0 0 8px; }
.summary { color:var(--muted); margin:0; }
.summary b { color:var(--ink); }
.forward-error { margin:8px 0 0; padding:6px 10px; border-left:4px solid var(--error); background:#fdecec;
                 font-family:ui-monospace, "DejaVu Sans Mono", monospace; font-size:12px; line-height:1.35;
                 white-space:pre-wrap; overflow-wrap:anywhere; max-height:7.2em; overflow:auto; }
.legend { display:flex; flex-wrap:wrap; gap:6px 16px; margin:8px 0 0; padding:0; list-style:none;
          font-size:12.5px; color:var(--muted); }
.legend li { display:flex; align-items:center; gap:6px; }
.swatch { width:14px; height:14px; border-radius:3px; border:2px solid; display:inline-block; }
.swatch.verdict-error { border-color:var(--error); background:#fdecec; }
.swatch.verdict-warning { border-color:var(--warning); background:#fff5dc; }
.swatch.verdict-info { border-color:var(--info); background:#e8f0fe; }
.swatch.verdict-reuse { border-color:var(--reuse); background:#e9f2ec; }
.swatch.verdict-single { border-color:var(--single); background:#fff; }
main { display:flex; align-items:flex-start; gap:16px; padding:16px 22px; }
#graph-panel { flex:1 1 auto; min-width:0; background:#fff; border:1px solid var(--line); border-radius:8px; }
#graph { overflow:auto; max-height:78vh; }
#graph svg { display:block; }
.toolbar { display:flex; gap:6px; align-items:center; padding:6px 10px; border-bottom:1px solid #eceff3;
           font-size:12px; color:var(--muted); }
.toolbar button { font:inherit; padding:1px 9px; border:1px solid var(--line); border-radius:4px; background:#f6f7f9;
                  cursor:pointer; }
.toolbar button.active { background:#dfe5ee; border-color:#aab2bd; }
.toolbar .hint { margin-left:8px; }
#side { flex:0 0 380px; max-width:40vw; }
main.stacked { flex-direction:column; align-items:stretch; }
main.stacked #side { max-width:none; flex-basis:auto; width:100%; display:grid; gap:0 14px;
                     grid-template-columns:repeat(auto-fit, minmax(420px, 1fr)); }
main.stacked #diagnostics ol { display:grid; gap:0 10px; grid-template-columns:repeat(auto-fit, minmax(400px, 1fr)); }
main.stacked #diagnostics { grid-column:1 / -1; }
@media (max-width: 900px) { main { flex-direction:column; align-items:stretch; }
  #side { max-width:none; flex-basis:auto; width:100%; } }
.panel { background:#fff; border:1px solid var(--line); border-radius:8px; padding:12px 14px; margin-bottom:14px; }
svg text { font-family:ui-monospace, "DejaVu Sans Mono", "Liberation Mono", monospace; }
.node { cursor:pointer; outline:none; }
.node-box { fill:#fff; stroke:var(--single); stroke-width:1.5; }
.node-band { fill:var(--single); }
.node-path { font-size:13px; font-weight:700; fill:var(--ink); }
.node-class { font-size:11px; fill:var(--muted); }
.node-badge { fill:var(--single); }
.node-badge-text { font-size:11px; font-weight:700; fill:#fff; text-anchor:middle; }
.node-raised { font-size:11px; font-weight:700; fill:var(--error); text-anchor:end; }
.node.raised .node-box { stroke-width:2.5; }
.node.verdict-error .node-box { fill:#fdecec; stroke:var(--error); stroke-width:2.5; }
.node.verdict-error .node-band, .node.verdict-error .node-badge { fill:var(--error); }
.node.verdict-warning .node-box { fill:#fff5dc; stroke:var(--warning); stroke-width:2.5; }
.node.verdict-warning .node-band, .node.verdict-warning .node-badge { fill:var(--warning); }
.node.verdict-info .node-box { fill:#e8f0fe; stroke:var(--info); stroke-width:2.5; }
.node.verdict-info .node-band, .node.verdict-info .node-badge { fill:var(--info); }
.node.verdict-reuse .node-box { fill:#e9f2ec; stroke:var(--reuse); stroke-width:2; }
.node.verdict-reuse .node-band, .node.verdict-reuse .node-badge { fill:var(--reuse); }
.node.node-input .node-box { fill:#f1f3f6; stroke:#6b7480; stroke-dasharray:4 3; }
.node.node-input .node-band { fill:#6b7480; }
.node.raised .node-box { stroke:var(--error); stroke-dasharray:6 3; }
.node.in-shared-composite .node-box { stroke-dasharray:2 2; }
.node:hover .node-box, .node:focus .node-box { filter:drop-shadow(0 1px 3px rgba(0,0,0,.25)); }
.node.selected .node-box { stroke:#111; stroke-width:3; }
.edge-line { fill:none; stroke:#8d96a3; stroke-width:1.6; }
.edge.back .edge-line { stroke-dasharray:5 4; }
.edge.raised .edge-line { stroke:var(--error); stroke-dasharray:6 3; }
.arrow-head { fill:#8d96a3; }
.arrow-head-raised { fill:var(--error); }
.edge-label-bg { fill:#fff; fill-opacity:.92; stroke:#e3e6ea; }
.edge-label { font-size:11px; fill:#3a4250; text-anchor:middle; }
.edge.selected .edge-line, .edge:hover .edge-line { stroke:#111; stroke-width:2.4; }
#diagnostics ol { list-style:none; margin:0; padding:0; }
.diagnostic { border-left:5px solid var(--single); padding:8px 10px; margin:0 0 10px; background:#fafbfc;
              border-radius:0 6px 6px 0; cursor:pointer; outline:none; }
.diagnostic.severity-error { border-color:var(--error); }
.diagnostic.severity-warning { border-color:var(--warning); }
.diagnostic.severity-info { border-color:var(--info); }
.diagnostic.selected { background:#eef1f5; box-shadow:inset 0 0 0 1px #aab2bd; }
.diag-head { display:flex; flex-wrap:wrap; gap:4px 8px; align-items:baseline; }
.code { font-weight:700; font-family:ui-monospace, "DejaVu Sans Mono", monospace; }
.severity { text-transform:uppercase; font-size:11px; font-weight:700; letter-spacing:.04em; padding:1px 6px;
            border-radius:9px; color:#fff; background:var(--single); }
.severity-error .severity { background:var(--error); }
.severity-warning .severity { background:var(--warning); }
.severity-info .severity { background:var(--info); }
.name, .confidence { color:var(--muted); font-size:12px; }
.message { margin:6px 0; overflow-wrap:anywhere; }
.sites { margin:0; padding-left:16px; font-size:12.5px; }
.site { margin:3px 0; }
.location { font-size:12px; overflow-wrap:anywhere; }
.note { color:var(--muted); }
pre.source { margin:2px 0 0; padding:3px 6px; background:#f0f2f5; border-radius:4px; font-size:12px;
             white-space:pre-wrap; overflow-wrap:anywhere; }
.help { margin:6px 0 0; font-size:13px; }
.help-label { font-weight:700; }
.empty { color:var(--muted); margin:0; }
.composites { margin:0; padding-left:18px; font-size:13px; }
#call-table { margin:0 22px 22px; background:#fff; border:1px solid var(--line); border-radius:8px; padding:10px 14px; }
summary { cursor:pointer; font-weight:600; }
#calls { border-collapse:collapse; width:100%; margin-top:10px; font-size:12.5px; }
#calls th, #calls td { text-align:left; padding:4px 8px; border-bottom:1px solid #eceff3; vertical-align:top; }
#calls tr.verdict-error td:first-child { box-shadow:inset 4px 0 var(--error); }
#calls tr.verdict-warning td:first-child { box-shadow:inset 4px 0 var(--warning); }
#calls tr.verdict-info td:first-child { box-shadow:inset 4px 0 var(--info); }
#calls tr.verdict-reuse td:first-child { box-shadow:inset 4px 0 var(--reuse); }
#calls tr.selected { background:#eef1f5; }
"""

# Runs first: records script errors (and console.error) into <body data-errors>.
_ERROR_JS = """
(function () {
  var errors = [];
  window.layerlintErrors = errors;
  function record(message) {
    errors.push(String(message));
    if (document.body) { document.body.dataset.errors = errors.join("\\n"); }
  }
  window.addEventListener("error", function (event) {
    record((event.message || "error") + (event.filename ? " at " + event.filename + ":" + event.lineno : ""));
  });
  window.addEventListener("unhandledrejection", function (event) { record("unhandled rejection: " + event.reason); });
  var consoleError = console.error;
  console.error = function () {
    record(Array.prototype.join.call(arguments, " "));
    return consoleError.apply(console, arguments);
  };
  window.layerlintRecordError = record;
})();
"""

# Runs last: fits labels the browser measures wider than planned, wires the selection, says ready.
_MAIN_JS = """
(function () {
  var body = document.body;
  try {
    var svg = document.getElementById("graph-svg");
    var nodes = Array.prototype.slice.call(svg.querySelectorAll(".node"));
    var edges = Array.prototype.slice.call(svg.querySelectorAll(".edge"));
    var diagnostics = Array.prototype.slice.call(document.querySelectorAll(".diagnostic"));
    var rows = Array.prototype.slice.call(document.querySelectorAll("#calls tr[data-node]"));
    var byId = {};
    nodes.forEach(function (node) { byId[node.id] = node; });

    // 1. labels wider than their box (another font than planned): shorten, keep the full text in <title>
    nodes.forEach(function (node) {
      var box = node.querySelector(".node-box");
      var badge = node.querySelector(".node-badge");
      var width = box.width.baseVal.value;
      [".node-path", ".node-class"].forEach(function (selector) {
        var text = node.querySelector(selector);
        var room = width - 22 - (selector === ".node-path" && badge ? badge.width.baseVal.value + 6 : 0);
        if (!text || !text.getComputedTextLength) { return; }
        var value = text.textContent, guard = 0;
        while (text.getComputedTextLength() > room && value.length > 3 && guard++ < 400) {
          value = value.slice(0, -2);
          text.textContent = value + "\\u2026";
        }
      });
    });

    // 2. zoom: fit the graph to the panel's width when that keeps the text readable
    var holder = document.getElementById("graph");
    var fullW = svg.width.baseVal.value, fullH = svg.height.baseVal.value;
    var fitButton = document.getElementById("zoom-fit"), fullButton = document.getElementById("zoom-full");
    // a graph much wider than its panel takes the page's width; the diagnostics go under it
    if (fullW > holder.clientWidth * 1.15) { document.querySelector("main").classList.add("stacked"); }
    function zoom(fit) {
      var scale = fit ? Math.min(1, (holder.clientWidth - 2) / fullW) : 1;
      svg.setAttribute("width", String(Math.floor(fullW * scale)));
      svg.setAttribute("height", String(Math.floor(fullH * scale)));
      fitButton.classList.toggle("active", fit);
      fullButton.classList.toggle("active", !fit);
      body.dataset.zoom = scale.toFixed(2);
    }
    fitButton.addEventListener("click", function () { zoom(true); });
    fullButton.addEventListener("click", function () { zoom(false); });
    zoom(holder.clientWidth > 0 && (holder.clientWidth - 2) / fullW >= 0.5);

    // 3. selection: a node selects its diagnostics, edges and table rows; a diagnostic its nodes
    function clear() {
      Array.prototype.forEach.call(document.querySelectorAll(".selected"), function (el) {
        el.classList.remove("selected");
      });
    }
    function selectNodes(ids, origin) {
      clear();
      ids.forEach(function (id) {
        var node = byId[id];
        if (!node) { return; }
        node.classList.add("selected");
        edges.forEach(function (edge) {
          if (edge.dataset.fromNode === id || edge.dataset.toNode === id) { edge.classList.add("selected"); }
        });
        rows.forEach(function (row) { if (row.dataset.node === id) { row.classList.add("selected"); } });
        (node.dataset.diagnostics || "").split(" ").forEach(function (diagId) {
          var item = diagId && document.getElementById(diagId);
          if (item) { item.classList.add("selected"); }
        });
      });
      if (origin) { origin.classList.add("selected"); }
    }
    nodes.forEach(function (node) {
      function pick() {
        selectNodes([node.id]);
        var first = (node.dataset.diagnostics || "").split(" ")[0];
        var item = first && document.getElementById(first);
        if (item && item.scrollIntoView) { item.scrollIntoView({block: "nearest"}); }
      }
      node.addEventListener("click", pick);
      node.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); pick(); }
      });
    });
    diagnostics.forEach(function (item) {
      function pick() {
        var ids = (item.dataset.nodes || "").split(" ").filter(Boolean);
        selectNodes(ids, item);
        var node = byId[ids[0]];
        if (node && node.scrollIntoView) { node.scrollIntoView({block: "nearest", inline: "nearest"}); }
      }
      item.addEventListener("click", pick);
      item.addEventListener("keydown", function (event) { if (event.key === "Enter") { pick(); } });
    });

    // a link to one layer: page.html#select=node-3 (or #select=diag-0 for a diagnostic's layers)
    var wanted = /^#select=([\\w-]+)$/.exec(window.location.hash || "");
    if (wanted && byId[wanted[1]]) { selectNodes([wanted[1]]); }
    else if (wanted && document.getElementById(wanted[1])) {
      var target = document.getElementById(wanted[1]);
      selectNodes((target.dataset.nodes || "").split(" ").filter(Boolean), target);
    }

    // 4. self-check: every node a diagnostic or an edge names is drawn
    diagnostics.forEach(function (item) {
      (item.dataset.nodes || "").split(" ").filter(Boolean).forEach(function (id) {
        if (!byId[id]) { throw new Error(item.id + " names a missing node " + id); }
      });
    });
    edges.forEach(function (edge) {
      if (!byId[edge.dataset.fromNode] || !byId[edge.dataset.toNode]) {
        throw new Error(edge.id + " joins a missing node");
      }
    });
    body.dataset.nodes = String(nodes.length);
    body.dataset.edges = String(edges.length);
    body.dataset.ready = "ok";
  } catch (error) {
    body.dataset.ready = "failed";
    window.layerlintRecordError(error && error.stack ? error.stack : error);
  }
  if (window.layerlintErrors.length) { body.dataset.errors = window.layerlintErrors.join("\\n"); }
})();
"""

_CSP = ("default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; "
        "base-uri 'none'; form-action 'none'")


def render_html(report: TraceReport, *, title: str | None = None, lang: str | None = None) -> str:
    """The whole page, as a string (see the module docstring)."""
    graph = _build_graph(report)
    roots = [inst for inst in report.instances if inst.path == ""]
    model = roots[0].class_name if roots else None
    title = title or (f"layerlint trace: {model}" if model else "layerlint trace")
    diagnostics = report.diagnostics
    counts = {s: sum(1 for d in diagnostics if d.severity == s) for s in (Severity.ERROR, Severity.WARNING, Severity.INFO)}
    total_calls = sum(len(inst.calls) for inst in report.instances)
    shared = sum(1 for n in graph.nodes[1:] if len(n.instance.calls) > 1)
    summary = (f"<b>{len(report.instances)}</b> layer instances, <b>{total_calls}</b> calls, "
               f"<b>{shared}</b> drawn instance(s) called more than once; "
               f"<b>{counts[Severity.ERROR]}</b> error(s), <b>{counts[Severity.WARNING]}</b> warning(s), "
               f"<b>{counts[Severity.INFO]}</b> info")
    if report.passes > 1:
        summary += f"; {report.passes} forward passes"
    error = ("" if report.error is None else
             f'<pre class="forward-error" id="forward-error">forward pass raised {escape(error_text(report.error))}</pre>')
    notes = "".join(f'<p class="summary note">{escape(n)}</p>' for n in report.notes)
    legend_items = [("error", "error: unsafe reuse (LL001)"), ("warning", "warning: shared state (LL002)"),
                    ("info", "info: shared weights (LL003)"), ("reuse", "reused, no finding (stateless)"),
                    ("single", "called once")]
    legend = "".join(f'<li><span class="swatch verdict-{v}"></span>{escape(t)}</li>' for v, t in legend_items)
    legend += ("<li>edges: input shapes; producers from the Keras functional graph where recorded, "
               "else call order; dashed: back to an earlier layer</li>")
    if diagnostics:
        diag_html = "<ol>" + "".join(_diagnostic_html(i, d, graph.diag_nodes[i], lang)
                                     for i, d in enumerate(diagnostics)) + "</ol>"
    else:
        diag_html = '<p class="empty">No unsafe layer reuse found.</p>'
    composite_items = "".join(
        f'<li data-instance="{_attr(c.display)}">{escape(c.display)} <span class="note">'
        f"{escape(c.class_name)}, {len(c.calls)} call(s)</span></li>" for c in graph.composites)
    composites = (f'<section class="panel" id="composites"><h2>Drawn through their layers</h2>'
                  f'<ul class="composites">{composite_items}</ul></section>' if composite_items else "")
    data = _json_for_script(report.to_dict(lang))
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{_attr(_CSP)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="layerlint">
<link rel="icon" href="data:,">
<title>{escape(title)}</title>
<style>{_CSS}</style>
<script>{_ERROR_JS}</script>
</head>
<body>
<header>
<h1>{escape(title)}</h1>
<p class="summary">{summary}</p>
{error}{notes}
<ul class="legend">{legend}</ul>
</header>
<main>
<section id="graph-panel" aria-label="graph">
<div class="toolbar"><button type="button" id="zoom-fit">fit</button><button type="button" id="zoom-full">100%</button>
<span class="hint">click a layer or a diagnostic to link them; hover for the calls</span></div>
<div id="graph">
{_svg(graph, report)}
</div>
</section>
<aside id="side">
<section class="panel" id="diagnostics"><h2>Diagnostics ({len(diagnostics)})</h2>
{diag_html}
</section>
{composites}
</aside>
</main>
<details id="call-table"><summary>Every call ({total_calls})</summary>
{_table_html(report, graph)}
</details>
<script type="application/json" id="layerlint-data">{data}</script>
<script>{_MAIN_JS}</script>
</body>
</html>
"""


def write_html_report(report: TraceReport, path: str | os.PathLike, *, title: str | None = None,
                      lang: str | None = None) -> str:
    """Write `render_html(report)` to `path` (UTF-8); returns the path written."""
    text = render_html(report, title=title, lang=lang)
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
    return os.fspath(path)
