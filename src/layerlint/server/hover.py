"""What the hover shows: a layer class's catalog verdict, and for a layer attribute (`self.bn`) or
variable also where it is created and where it is called with which feature size.

Works on the analyzer's facts of the document's text (parsed, never run). Imports nothing of LSP.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from layerlint import frameworks
from layerlint.catalog import lookup, verdict
from layerlint.i18n import N_, translate
from layerlint.static.analyzer import Analyzer
from layerlint.static.values import ContainerValue, LayerValue
from layerlint.static.facts import CallEvent, Instance, ModuleFacts
from layerlint.static.names import split_framework
from layerlint.static.source import parse



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


def hover(analysis: Analysis, line: int, column: int, lang: str | None = None) -> HoverResult | None:
    """The hover at a 1-based line and 0-based character column, or None; `lang` as `--lang`."""
    for node in analysis.nodes_at(line, column):
        instance = _instance_at(analysis, node)
        if instance is not None:
            return HoverResult(_describe_instance(analysis, instance, lang), analysis.node_span(node))
        qualified = _class_at(analysis, node)
        if qualified is not None:
            text = _describe_class(*qualified, lang=lang)
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
# The verdict first, in three lines (what the layer holds, what reuse does, what to do), then for an
# instance where it is created and called; the probe's evidence only behind the "details" line, since
# a hover that scrolls is not read.

CATALOG_URI = "https://layerlint.readthedocs.io/en/latest/catalog/{framework}.html"
MODULES = {"keras": "keras.layers", "tf_keras": "tf_keras.layers", "torch": "torch.nn"}


def _describe_class(framework: str, name: str, lang: str | None = None) -> str | None:
    traits = lookup(framework, name)
    if traits is None:
        return None
    kind = translate(N_("{framework} layer"), lang).format(framework=frameworks.display(framework))
    parts = [f"**`{name}`** ({kind}, {traits.category})", _verdict(traits, lang), _details(framework, name, lang)]
    return "\n\n".join(parts)


def _describe_instance(analysis: Analysis, instance: Instance, lang: str | None = None) -> str:
    framework = instance.framework
    kind = (translate(N_("{framework} layer"), lang).format(framework=frameworks.display(framework))
            if framework else translate(N_("layer defined in this project"), lang))
    category = f", {instance.traits.category}" if instance.traits is not None else ""
    parts = [f"**`{instance.name()}`**: `{instance.class_name}` ({kind}{category})"]
    if instance.traits is not None:
        parts.append(_verdict(instance.traits, lang))
    created = instance.node
    source_line = analysis.lines[created.lineno - 1].strip() if created.lineno <= len(analysis.lines) else ""
    parts.append(translate(N_("created at line {line}: `{source}`"), lang).format(
        line=created.lineno, source=_short(source_line)))
    parts.append(_calls_text(analysis, instance, lang))
    if framework and instance.traits is not None:
        parts.append(_details(framework, instance.class_name, lang))
    return "\n\n".join(parts)


def _verdict(traits: Any, lang: str | None) -> str:
    return "\n".join(f"- {line}" for line in verdict.labelled(traits, lang, full_error=False))


def _calls_text(analysis: Analysis, instance: Instance, lang: str | None) -> str:
    calls = list(_calls(analysis, instance))
    if not calls:
        return translate(N_("not called in a forward pass layerlint could follow"), lang)
    lines = [translate(N_("called {count} time(s):"), lang).format(count=len(calls))]
    for event, feature in calls:
        size = (translate(N_("{feature} features"), lang).format(feature=feature) if feature is not None
                else translate(N_("feature size unknown"), lang))
        lines.append("- " + translate(N_("line {line} (in `{entry}`): {size}"), lang).format(
            line=event.site().lineno, entry=event.entry, size=size))
    return "\n".join(lines)


def _details(framework: str, name: str, lang: str | None) -> str:
    """One short line: where the evidence behind the verdict is (command line and catalog page)."""
    return translate(N_("details: `layerlint explain --details {name}` · [catalog]({uri})"), lang).format(
        name=f"{MODULES.get(framework, framework)}.{name}", uri=CATALOG_URI.format(framework=framework))


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


def _short(text: str, limit: int = 80) -> str:
    text = text.replace("`", "'")
    return text if len(text) <= limit else text[:limit - 1] + "…"
