"""What the hover shows: a layer class's catalog verdict, and for a layer attribute (`self.bn`) or
variable also where it is created and where it is called with which feature size.

Works on the analyzer's facts of the document's text (parsed, never run). Imports nothing of LSP.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from layerlint.catalog import lookup
from layerlint.static.analyzer import Analyzer
from layerlint.static.values import ContainerValue, LayerValue
from layerlint.static.facts import CallEvent, Instance, ModuleFacts
from layerlint.static.names import split_framework
from layerlint.static.source import parse

FRAMEWORK_NAMES = {"keras": "Keras 3", "tf_keras": "tf_keras", "torch": "PyTorch"}


@dataclass
class Analysis:
    """One text's tree and facts, kept for the hovers over one version of a document."""

    text: str
    tree: ast.Module
    analyzer: Analyzer
    facts: ModuleFacts
    lines: list[str]
    parents: dict[int, ast.AST]
    instances: list[Instance]

    @classmethod
    def of(cls, text: str, path: str) -> Analysis | None:
        try:
            tree = parse(text, path)
            analyzer = Analyzer(tree, path)
            facts = analyzer.run()
        except Exception:  # a broken or unanalysable file has no hover; the diagnostics say why
            return None
        parents = {id(child): parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}
        return cls(text, tree, analyzer, facts, text.split("\n"), parents, _instances(analyzer, facts))

    # --- positions ---------------------------------------------------------------------------------

    def byte_column(self, line: int, column: int) -> int:
        """`ast` column (UTF-8 bytes) of a 1-based line's character column (0-based)."""
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        return len(text[:column].encode("utf-8", errors="surrogatepass"))

    def char_column(self, line: int, byte_column: int) -> int:
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        return len(text.encode("utf-8", errors="surrogatepass")[:byte_column].decode("utf-8", errors="ignore"))

    def node_span(self, node: ast.AST) -> tuple[int, int, int, int]:
        """(line, character column, end line, end character column), lines 1-based, columns 0-based."""
        return (node.lineno, self.char_column(node.lineno, node.col_offset),
                node.end_lineno, self.char_column(node.end_lineno, node.end_col_offset))

    def nodes_at(self, line: int, column: int) -> list[ast.AST]:
        """Names, attributes, subscripts and imported names under a position, smallest first."""
        at = (line, self.byte_column(line, column))
        found = []
        for node in ast.walk(self.tree):
            if isinstance(node, (ast.Name, ast.Attribute, ast.Subscript, ast.alias)) and hasattr(node, "end_lineno"):
                if (node.lineno, node.col_offset) <= at <= (node.end_lineno, node.end_col_offset):
                    found.append(node)
        return sorted(found, key=lambda n: ((n.end_lineno - n.lineno), n.end_col_offset - n.col_offset
                                            if n.end_lineno == n.lineno else 0))

    def enclosing_class(self, node: ast.AST) -> ast.ClassDef | None:
        while node is not None:
            node = self.parents.get(id(node))
            if isinstance(node, ast.ClassDef):
                return node
        return None


@dataclass
class HoverResult:
    markdown: str
    span: tuple[int, int, int, int]  # as `Analysis.node_span`


def _instances(analyzer: Analyzer, facts: ModuleFacts) -> list[Instance]:
    seen: dict[int, Instance] = {}

    def add(instance: Instance | None) -> None:
        if instance is not None and id(instance) not in seen:
            seen[id(instance)] = instance

    def add_value(value: Any) -> None:
        if isinstance(value, LayerValue):
            add(value.instance)
        elif isinstance(value, ContainerValue):
            add(value.family)
            for element in value.elements():
                add_value(element)

    for event in facts.events:
        add(event.instance)
    for info in analyzer.classes.values():
        for value in (info.attributes or {}).values():
            add_value(value)
    for built in facts.built_in_forward:
        add(built.instance)
    for alias in facts.aliased:
        add(alias.instance)
    return list(seen.values())


def hover(analysis: Analysis, line: int, column: int) -> HoverResult | None:
    """The hover at a 1-based line and 0-based character column, or None."""
    for node in analysis.nodes_at(line, column):
        instance = _instance_at(analysis, node)
        if instance is not None:
            return HoverResult(_describe_instance(analysis, instance, node), analysis.node_span(node))
        qualified = _class_at(analysis, node)
        if qualified is not None:
            text = _describe_class(*qualified)
            if text:
                return HoverResult(text, analysis.node_span(node))
    return None


# --- what is under the cursor --------------------------------------------------------------------


def _instance_at(analysis: Analysis, node: ast.AST) -> Instance | None:
    if isinstance(node, ast.alias):
        return None
    for event in analysis.facts.events:  # a call of the layer: the analyzer walked this very tree
        if event.node.func is node:
            return event.instance
    parent = analysis.parents.get(id(node))
    if isinstance(parent, (ast.Assign, ast.AnnAssign)) and node in _targets(parent):
        for instance in analysis.instances:
            if instance.node is parent.value:
                return instance
    if isinstance(node, ast.Name) and isinstance(parent, ast.Attribute) and parent.value is node:
        return None  # `self` of `self.bn`: the attribute is the larger node, tried next
    label = ast.unparse(node)
    candidates = [i for i in analysis.instances if i.label == label]
    if len(candidates) > 1:  # `self.bn` of several classes: the one created in this class
        owner = analysis.enclosing_class(node)
        same = [i for i in candidates if analysis.enclosing_class(i.node) is owner]
        candidates = same or candidates
    return candidates[0] if candidates else None


def _targets(statement: ast.Assign | ast.AnnAssign) -> list[ast.AST]:
    return list(statement.targets) if isinstance(statement, ast.Assign) else [statement.target]


def _class_at(analysis: Analysis, node: ast.AST) -> tuple[str, str] | None:
    if isinstance(node, ast.alias):
        statement = analysis.parents.get(id(node))
        if not isinstance(statement, ast.ImportFrom) or not statement.module or statement.level:
            return None
        qualified = f"{statement.module}.{node.name}"
    elif isinstance(node, (ast.Name, ast.Attribute)):
        qualified = analysis.analyzer.imports.qualify(node)
    else:
        return None
    if not qualified:
        return None
    split = split_framework(qualified)
    if split is None or lookup(split[0], split[1]) is None:
        return None
    return split


# --- what the hover says -------------------------------------------------------------------------


def _describe_class(framework: str, name: str) -> str | None:
    traits = lookup(framework, name)
    if traits is None:
        return None
    head = f"**`{name}`** ({FRAMEWORK_NAMES.get(framework, framework)} layer): {_traits_line(traits)}"
    return head + _explanation(framework, name)


def _describe_instance(analysis: Analysis, instance: Instance, node: ast.AST) -> str:
    label = instance.name()
    framework = instance.framework
    kind = f"{FRAMEWORK_NAMES.get(framework, framework)} layer" if framework else "layer defined in this project"
    parts = [f"**`{label}`**: `{instance.class_name}` ({kind})"]
    if instance.traits is not None:
        parts.append(f"verdict: {_traits_line(instance.traits)}")
    created = instance.node
    source_line = analysis.lines[created.lineno - 1].strip() if created.lineno <= len(analysis.lines) else ""
    parts.append(f"created at line {created.lineno}: `{_short(source_line)}`")
    calls = list(_calls(analysis, instance))
    if calls:
        lines = [f"called {len(calls)} time{'s' if len(calls) > 1 else ''}:"]
        for event, feature in calls:
            size = f"{feature} features" if feature is not None else "feature size unknown"
            lines.append(f"- line {event.site().lineno} (in `{event.entry}`): {size}")
        parts.append("\n".join(lines))
    else:
        parts.append("not called in a forward pass layerlint could follow")
    text = "\n\n".join(parts)
    if framework:
        text += _explanation(framework, instance.class_name)
    return text


def _calls(analysis: Analysis, instance: Instance) -> Iterator[tuple[CallEvent, int | None]]:
    seen: set[tuple] = set()
    for event in analysis.facts.events:
        if event.instance is not instance:
            continue
        feature = event.feature()
        key = (event.entry, id(event.site()), feature)
        if key in seen:
            continue
        seen.add(key)
        yield event, feature


def _traits_line(traits: Any) -> str:
    facts = [traits.category]
    if traits.weights:
        facts.append("trainable weights")
    if traits.statistics:
        facts.append("running statistics")
    if traits.random_state:
        facts.append("random state")
    if traits.sizing != "none":
        facts.append(f"sized by the {traits.sizing.replace('-', ' ')}")
    if traits.pins:
        facts.append("first call fixes the input " + " and ".join(sorted(traits.pins)))
    return "; ".join(facts)


def _explanation(framework: str, name: str) -> str:
    try:
        from layerlint.catalog.probe import explain_class

        text = explain_class(framework, name) or explain_class(None, name)
    except Exception:  # the catalog's evidence is an extra: the hover stands without it
        return ""
    return f"\n\n```text\n{text}\n```" if text else ""


def _short(text: str, limit: int = 80) -> str:
    text = text.replace("`", "'")
    return text if len(text) <= limit else text[:limit - 1] + "…"
