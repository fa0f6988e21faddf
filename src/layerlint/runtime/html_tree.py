"""The module hierarchy of a trace, for the HTML report: one row per attribute-path prefix.

A 500-layer model must read as a tree, not as a ribbon: `layer1[0].bn1` sits under `layer1[0]`
under `layer1`. A path prefix that was never called itself (a `ModuleList`) is a `container` row.
A long flat list of siblings (a Keras functional model names its 177 layers `conv2_block1_1_conv`,
...) is split into `group` rows by the leading words of the names, so that a block folds away.
Children are ordered by their first call, so the tree reads in execution order.
"""

from __future__ import annotations

import re
from typing import Any
from dataclasses import dataclass, field

from layerlint.runtime.html_flow import Flow, FlowNode, rank, verdict_of
from layerlint.runtime.records import LayerInstance, TraceReport

GROUP_ABOVE = 12  # siblings; more than this are grouped by name, else cut into ranges
RANGE = 10  # rows per range
_SEGMENT = re.compile(r"\[[^\]]*\]|[^.\[]+")
_WORD = re.compile(r"[_./-]")


@dataclass(eq=False)
class Row:
    key: str
    label: str
    kind: str  # "model", "module" (a called composite), "layer" (a leaf), "container", "group", "range"
    instance: LayerInstance | None = None
    instance_index: int | None = None
    node: FlowNode | None = None
    children: list["Row"] = field(default_factory=list)
    diagnostics: list[int] = field(default_factory=list)  # the diagnostics that name this row
    verdict: str = "single"
    worst: str = "single"  # the worst verdict in the subtree
    findings_inside: int = 0
    layers_inside: int = 0
    first_seq: float = float("inf")
    number: int = 0

    @property
    def dom_id(self) -> str:
        return f"row-{self.number}"

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


def segments(path: str) -> list[str]:
    return _SEGMENT.findall(path)


def build_tree(report: TraceReport, flow: Flow) -> Row:
    root = Row("", "model", "model")
    rows: dict[str, Row] = {"": root}
    for index, inst in enumerate(report.instances):
        row = _row_for(inst, rows, root)
        row.instance, row.instance_index = inst, index
        row.node = flow.node_of.get(id(inst.obj))
        row.kind = "model" if row is root else ("layer" if row.node is not None and not row.children else "module")
        if row is root:
            row.label = f"{inst.class_name} (traced model)"
    _mark(root, report)
    _order(root)
    _group_long_lists(root)
    _summarise(root)
    for number, row in enumerate(root.walk()):
        row.number = number
    return root


def _row_for(inst: LayerInstance, rows: dict[str, Row], root: Row) -> Row:
    if inst.path is None:  # not reachable by attribute from the traced model
        key = f"\0{id(inst.obj)}"
        rows[key] = Row(key, inst.display, "layer")
        root.children.append(rows[key])
        return rows[key]
    if inst.path == "" and root.instance is not None:  # a second traced model
        key = f"\0{id(inst.obj)}"
        rows[key] = Row(key, f"{inst.class_name} (traced model)", "model")
        root.children.append(rows[key])
        return rows[key]
    parent, prefix = root, ""
    for segment in segments(inst.path):
        prefix += segment if segment.startswith("[") or not prefix else "." + segment
        if prefix not in rows:
            rows[prefix] = Row(prefix, segment, "container")
            parent.children.append(rows[prefix])
            if parent.kind == "layer":
                parent.kind = "module"
        parent = rows[prefix]
    return parent


def _mark(root: Row, report: TraceReport) -> None:
    """Own verdicts: a leaf's from the flow (a layer of a reused sub-network takes its colour);
    a composite's from the diagnostics that name it."""
    by_display: dict[str, Any] = {}
    for row in root.walk():
        if row.instance is not None:
            by_display.setdefault(row.instance.display, row)
    for number, diag in enumerate(report.diagnostics):
        row = by_display.get(diag.layer or "")
        if row is not None:
            row.diagnostics.append(number)
            if rank(verdict_of(diag.severity)) > rank(row.verdict):
                row.verdict = verdict_of(diag.severity)
    for row in root.walk():
        if row.node is not None and rank(row.node.verdict) > rank(row.verdict):
            row.verdict = row.node.verdict
        elif row.instance is not None and row.verdict == "single" and len(row.instance.calls) > 1:
            row.verdict = "reuse"
        calls = [c.seq for c in row.instance.calls] if row.instance is not None else []
        row.first_seq = min(calls, default=float("inf"))


def _order(row: Row) -> float:
    firsts = [_order(child) for child in row.children]
    row.first_seq = min([row.first_seq, *firsts])
    row.children.sort(key=lambda r: r.first_seq)  # stable: never-called rows keep their place
    return row.first_seq


def _group_long_lists(row: Row, depth: int = 1) -> None:
    if len(row.children) > GROUP_ABOVE:
        row.children = _grouped(row.children, depth, row.key)
    if len(row.children) > GROUP_ABOVE:
        row.children = _ranges(row.children, row.key)
    for child in row.children:
        _group_long_lists(child, depth + 1 if child.kind == "group" else 1)


def _ranges(children: list[Row], key: str) -> list[Row]:
    """Runs of more than GROUP_ABOVE siblings that no name groups (`[0]`...`[47]`) are cut into
    ranges of RANGE rows (of RANGE**2 rows... for longer runs: the ranges nest), so that opening
    the path to one finding does not list 48 blocks."""
    out: list[Row] = []
    run: list[Row] = []

    def close() -> None:
        if len(run) <= GROUP_ABOVE:
            out.extend(run)
        else:
            size = RANGE
            while len(run) > size * RANGE:
                size *= RANGE
            for start in range(0, len(run), size):
                part = run[start:start + size]
                label = part[0].label if len(part) == 1 else f"{part[0].label} \u2026 {part[-1].label}"
                out.append(Row(f"{key}\0{label}", label, "range", children=part, first_seq=part[0].first_seq))
        run.clear()

    for child in children:
        if child.kind in ("group", "model"):
            close()
            out.append(child)
        else:
            run.append(child)
    close()
    return out


def _grouped(children: list[Row], depth: int, key: str) -> list[Row]:
    """Consecutive siblings whose names share their first `depth` words become one group row."""
    def stem(row: Row) -> str | None:
        words = _WORD.split(row.label)
        return "_".join(words[:depth]) if len(words) > depth and row.kind != "model" else None

    out: list[Row] = []
    run: list[Row] = []

    def close() -> None:
        if len(run) > 1 and len(run) < len(children):
            group = Row(f"{key}\0{stem(run[0])}", stem(run[0]) or "", "group", children=list(run))
            group.first_seq = run[0].first_seq
            out.append(group)
        else:
            out.extend(run)
        run.clear()

    for child in children:
        if run and (stem(child) is None or stem(child) != stem(run[0])):
            close()
        run.append(child)
    close()
    return out


def _summarise(row: Row) -> None:
    row.worst = row.verdict
    row.findings_inside = 0
    row.layers_inside = 0
    for child in row.children:
        _summarise(child)
        if rank(child.worst) > rank(row.worst):
            row.worst = child.worst
        row.findings_inside += len(child.diagnostics) + child.findings_inside
        row.layers_inside += child.layers_inside + (1 if child.node is not None else 0)
