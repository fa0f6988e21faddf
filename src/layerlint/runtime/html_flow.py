"""Who fed whom in a trace, for the HTML report: one node per layer instance that received a *leaf*
call (a call inside which no other layer call was recorded), the producer of each leaf call, and the
verdict of each node.

The producer of a call is the layer named in the Keras functional graph that made it
(`CallRecord.graph_inputs`, an edge marked `recorded`); the records carry no tensor identities, so
otherwise it is the leaf call just before it in the same forward pass (*call order*, which is not
data flow: two parallel branches read as a chain), or the model input for the first one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from layerlint.diagnostics import Severity
from layerlint.runtime.records import CallRecord, LayerInstance, TraceReport

_SEVERITY_VERDICT = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "info"}
_RANK = {"single": 0, "reuse": 1, "info": 2, "warning": 3, "error": 4}


def verdict_of(severity: Severity) -> str:
    return _SEVERITY_VERDICT.get(severity, "info")


def rank(verdict: str) -> int:
    return _RANK.get(verdict, 0)


@dataclass(eq=False)
class FlowNode:
    index: int
    instance: LayerInstance | None  # None: the model input
    first_seq: int
    verdict: str = "single"
    diagnostics: list[int] = field(default_factory=list)
    composites: list[str] = field(default_factory=list)  # reused composites (with a finding) it is in
    raised: bool = False

    @property
    def name(self) -> str:
        return "input" if self.instance is None else self.instance.display

    def flag(self, number: int, verdict: str) -> None:
        self.diagnostics.append(number)
        if rank(verdict) > rank(self.verdict):
            self.verdict = verdict


@dataclass(eq=False)
class FlowEdge:
    src: FlowNode
    dst: FlowNode
    calls: list[tuple[CallRecord, int | None]] = field(default_factory=list)  # (consumer call, input index)
    labels: list[str] = field(default_factory=list)  # the input shapes that went through it
    recorded: bool = False  # True: the producer came from the functional graph's record
    raised: bool = False


@dataclass
class Flow:
    nodes: list[FlowNode]  # nodes[0] is the model input
    edges: list[FlowEdge]
    node_of: dict[int, FlowNode]  # id(instance.obj) -> node
    diag_nodes: list[list[FlowNode]]  # per diagnostic, the nodes it is about


def shape_text(shape: Any) -> str:
    if shape is None:
        return "?"
    return "(" + ",".join("None" if d is None else str(d) for d in shape) + ")"


def _input_text(call: CallRecord, index: int | None) -> str:
    if index is not None and index < len(call.shapes):
        return shape_text(call.shapes[index])
    return ", ".join(shape_text(s) for s in call.shapes) or "no tensor"


class _Calls:
    """The report's calls in order, with the structure the producer search needs."""

    def __init__(self, report: TraceReport):
        self.calls = sorted((c for inst in report.instances for c in inst.calls), key=lambda c: c.seq)
        self.members = {id(c) for c in self.calls}
        self.has_children = {id(c.parent) for c in self.calls if c.parent is not None}
        self.leaves = [c for c in self.calls if id(c) not in self.has_children]
        self.chain_of = {id(c): self._ancestors(c) for c in self.leaves}
        self.pass_of = {id(c): id(self.chain_of[id(c)][-1]) if self.chain_of[id(c)] else id(c) for c in self.leaves}
        self.children: dict[int, list[CallRecord]] = {}
        for c in self.calls:
            self.children.setdefault(id(self.parent(c)), []).append(c)

    def parent(self, call: CallRecord) -> CallRecord | None:
        return call.parent if call.parent is not None and id(call.parent) in self.members else None

    def _ancestors(self, call: CallRecord) -> list[CallRecord]:
        chain, parent = [], self.parent(call)
        while parent is not None:
            chain.append(parent)
            parent = self.parent(parent)
        return chain

    def last_leaf_under(self, call: CallRecord, before: int) -> CallRecord | None:
        found = None
        for leaf in self.leaves:
            if leaf.seq >= before:
                break
            if leaf is call or any(a is call for a in self.chain_of[id(leaf)]):
                found = leaf
        return found

    def leaf_before(self, call: CallRecord, seq: int) -> CallRecord | None:
        """The last leaf call of `call`'s pass before `seq`."""
        found = None
        for leaf in self.leaves:
            if leaf.seq >= seq:
                break
            if self.pass_of[id(leaf)] == self.pass_of[id(call)]:
                found = leaf
        return found


def build_flow(report: TraceReport) -> Flow:
    calls = _Calls(report)
    instance_of = {id(inst.obj): inst for inst in report.instances}
    input_node = FlowNode(0, None, first_seq=-1, verdict="input")
    nodes, node_of = [input_node], {}
    for call in calls.leaves:
        if id(call.obj) not in node_of:
            node_of[id(call.obj)] = FlowNode(len(nodes), instance_of[id(call.obj)], first_seq=call.seq)
            nodes.append(node_of[id(call.obj)])
        node_of[id(call.obj)].raised |= call.raised
    flow = Flow(nodes, [], node_of, [])
    _connect(flow, calls, input_node)
    _judge(flow, calls, report)
    return flow


def _connect(flow: Flow, calls: _Calls, input_node: FlowNode) -> None:
    edges: dict[tuple[int, int], FlowEdge] = {}
    node_of = flow.node_of

    def add(src: FlowNode, call: CallRecord, index: int | None, recorded: bool) -> None:
        dst = node_of[id(call.obj)]
        edge = edges.get((src.index, dst.index)) or edges.setdefault((src.index, dst.index), FlowEdge(src, dst))
        edge.calls.append((call, index))
        text = _input_text(call, index)
        if text not in edge.labels:
            edge.labels.append(text)
        edge.recorded |= recorded
        edge.raised |= call.raised

    def node(call: CallRecord | None) -> FlowNode:
        return node_of[id(call.obj)] if call is not None else input_node

    previous_in_pass: dict[int, CallRecord] = {}
    graph_input_of: dict[int, FlowNode] = {}
    for call in calls.leaves:
        if call.graph_inputs:
            # a name not recorded (an InputLayer) is the input of the graph: what fed the graph's call
            parent = calls.parent(call)
            if id(parent) not in graph_input_of:
                graph_input_of[id(parent)] = node(calls.leaf_before(call, parent.seq)) if parent else input_node
            siblings = [c for c in calls.children.get(id(parent), ()) if c.seq < call.seq]
            single = len(call.shapes) != len(call.graph_inputs)
            for index, name in enumerate(call.graph_inputs):
                producer = next((c for c in reversed(siblings) if getattr(c.obj, "name", None) == name), None)
                if producer is not None and id(producer) in calls.has_children:
                    producer = calls.last_leaf_under(producer, call.seq)
                source = node_of.get(id(producer.obj)) if producer is not None else None
                add(source or graph_input_of[id(parent)], call, None if single else index, True)
        else:
            add(node(previous_in_pass.get(calls.pass_of[id(call)])), call, None, False)
        previous_in_pass[calls.pass_of[id(call)]] = call
    flow.edges = list(edges.values())


def _judge(flow: Flow, calls: _Calls, report: TraceReport) -> None:
    by_display: dict[str, LayerInstance] = {}
    for instance in report.instances:
        by_display.setdefault(instance.display, instance)
    for number, diag in enumerate(report.diagnostics):
        inst: LayerInstance | None = by_display.get(diag.layer or "")
        verdict, targets = verdict_of(diag.severity), []
        if inst is not None and id(inst.obj) in flow.node_of:
            targets.append(flow.node_of[id(inst.obj)])
        elif inst is not None:  # a composite: the finding is about the layers inside it
            for leaf in calls.leaves:
                node = flow.node_of[id(leaf.obj)]
                if node not in targets and any(a.obj is inst.obj for a in calls.chain_of[id(leaf)]):
                    targets.append(node)
                    node.composites.append(inst.display)
        for node in targets:
            node.flag(number, verdict)
        flow.diag_nodes.append(targets)
    for node in flow.nodes[1:]:
        if node.verdict == "single" and node.instance is not None and len(node.instance.calls) > 1:
            node.verdict = "reuse"
