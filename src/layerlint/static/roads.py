"""Instances handed to a block through its constructor, and where that sharing is shown.

A user block built with layers among its arguments gets its own summary (`Analyzer._bind_class`),
and a call of it walks its forward over the layers it holds. Two facts about such a construction
decide what that walk means:

* which layers the construction built itself (`self.bn = BatchNorm(...)` in the block's
  `__init__`): every element of a comprehension (`[Step(shared, dim) for _ in range(n)]`) runs
  that constructor once, so these are one instance per element even though the analysis keeps
  one summary for the family. Their calls are told apart by the element's key;
* which layer it was handed into more than one slot: twice in one construction
  (`ConvPair(bn, bn, width)`), or once into every element of a comprehension. The case's own code
  then has no second call of it and no container expression: the sharing is shown where the
  instance is handed over. Nothing in the code repeats the call on purpose, so a handed block whose
  layers keep running statistics is judged by them (LL002), not as a siamese tower (LL003).
"""

from __future__ import annotations

import ast
import contextlib
import operator
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from layerlint.static.facts import Instance
from layerlint.static.shapes import Arguments
from layerlint.static.values import NOTHING, ConstValue, LayerValue, TupleValue, python_constant
from layerlint.static.verdicts import crash_of


@dataclass
class _Walk:
    """One element walked: its summary (`bound`, a ClassInfo) and which element of a family it is."""

    bound: object
    key: object


@dataclass
class Roads:
    own: dict[int, set[int]] = field(default_factory=dict)  # id(bound) -> ids of instances it built
    handover: dict[tuple[int, int], ast.AST] = field(default_factory=dict)  # (bound, instance) -> node
    _stack: list[_Walk] = field(default_factory=list)
    _stand_ins: set[int] = field(default_factory=set)  # loop values standing for more iterations
    _default_ranges: set[int] = field(default_factory=set)  # `range(n)` with `n` a parameter's default
    _kept: list[object] = field(default_factory=list)  # keeps the ids above valid

    # -- what the constructions say ------------------------------------------------------------

    def note_built(self, bound: object, built: list[Instance], node: ast.AST, handed: list[Any]) -> None:
        """A bound construction: the instances its constructor built, and the handed layers that
        fill two of its slots (`ConvPair(bn, bn, width)`)."""
        self._kept.append(bound)
        self.own[id(bound)] = {id(instance) for instance in built}
        attributes = getattr(bound, "attributes", None) or {}
        given = {id(v.instance) for v in handed if isinstance(v, LayerValue)}
        slots: dict[int, int] = {}
        for value in attributes.values():
            if isinstance(value, LayerValue) and id(value.instance) in given:
                slots[id(value.instance)] = slots.get(id(value.instance), 0) + 1
        for instance_id, count in slots.items():
            if count > 1:
                self.handover[(id(bound), instance_id)] = node

    def note_comprehension(self, produced: list[Any], node: ast.AST) -> None:
        """`[Step(shared, dim) for _ in range(n)]`: a layer held by every element built there and
        built by none of them was handed to each: shown at the comprehension."""
        if all(isinstance(v, LayerValue) and v.instance.bound is not None for v in produced):
            self.note_slots([v.instance for v in produced], node)

    def note_slots(self, children: list[Instance], node: ast.AST) -> None:
        """Blocks built at one place (a comprehension, `nn.Sequential(Residual(h), Residual(h))`):
        a layer that two of them hold and neither built was handed to both there."""
        bounds = list({id(c.bound): c.bound for c in children if c.bound is not None}.values())
        if len(bounds) < 2:
            return
        holders: dict[int, list[object]] = {}
        for bound in bounds:
            own = self.own.get(id(bound), set())
            held = {id(v.instance) for v in (getattr(bound, "attributes", None) or {}).values()
                    if isinstance(v, LayerValue) and id(v.instance) not in own}
            for instance_id in held:
                holders.setdefault(instance_id, []).append(bound)
        for instance_id, holding in holders.items():
            for bound in holding if len(holding) > 1 else ():
                self.handover[(id(bound), instance_id)] = node

    def handing_children(self, container: Instance) -> list[Instance]:
        """The children of a container that were handed a layer another child holds too: calling the
        container calls each of them (their forwards are walked, so those calls are seen)."""
        handed = {bound for bound, _ in self.handover}
        return [c for c in {id(c): c for c in container.children}.values() if id(c.bound) in handed]

    def stand_in(self, values: list[Any]) -> None:
        """The loop values of a range walked twice for more iterations (`range(6)` as 0, 1): the
        second walk stands for every later one, so a test such as `i == 0` on them is no constant."""
        self._kept.extend(values)
        self._stand_ins.update(id(value) for value in values)

    def default_range(self, counted: range) -> ConstValue:
        """`range(n_layers)` with `n_layers` a parameter's default: the names it makes are known
        (`setattr(self, f"bn{i}", bn)`), its length is not (a caller may pass another count)."""
        value = ConstValue(counted)
        self._kept.append(value)
        self._default_ranges.add(id(value))
        return value

    def is_default_range(self, value: Any) -> bool:
        return id(value) in self._default_ranges

    def default_range_plan(self, value: ConstValue) -> list[Any]:
        """Two walks, like a loop of unknown length, over the range's first two values."""
        counted = value.value
        values = [ConstValue(counted.start), ConstValue(counted.start + counted.step)]
        self.stand_in(values)
        return values

    def compare(self, ops: list[ast.cmpop], values: list[Any], default_ids: set[int]) -> Any:
        """`kind == "group"`, `mode in ("a", "b")` between known constants. A test on
        a parameter's default is itself a default: it decides no arm where the caller is unknown
        (`Analyzer._known_arm`), only where a call is seen not to pass the parameter."""
        if len(ops) != 1 or not all(isinstance(v, (ConstValue, TupleValue)) for v in values):
            return NOTHING
        if any(id(v) in self._stand_ins for v in values):
            return NOTHING  # a loop variable whose two walks stand for more iterations
        left, right = (python_constant(v, NOTHING) for v in values)
        operation = _COMPARISONS.get(type(ops[0]))
        if operation is None or left is NOTHING or right is NOTHING:
            return NOTHING
        try:
            result = ConstValue(bool(operation(left, right)))
        except Exception:  # `1 in 2`: no answer
            return NOTHING
        if any(id(v) in default_ids for v in values):
            self._kept.append(result)
            default_ids.add(id(result))
        return result

    # -- walking -------------------------------------------------------------------------------

    @contextlib.contextmanager
    def element(self, bound: object, key: object) -> Iterator[None]:
        """The forward of one bound block is walked (as element `key` of a family, or alone)."""
        self._stack.append(_Walk(bound, key))
        try:
            yield
        finally:
            self._stack.pop()

    def place(self, instance: Instance, key: object, via: tuple) -> tuple[object, tuple]:
        """The key and the helper chain a call is recorded with: an element's own layer is keyed by
        the element; a layer handed over is shown where it was handed (the first of `via`)."""
        for context in self._stack[::-1]:
            if id(instance) in self.own.get(id(context.bound), ()):
                return (key if context.key is None else ("element", context.key, key)), via
            node = self.handover.get((id(context.bound), id(instance)))
            if node is not None:
                return key, (node, *via)
        return key, via


# -- a class chosen by a conditional expression --------------------------------------------------


@dataclass(frozen=True)
class ClassChoice:
    """`conv_cls = SeparableConv if separable else nn.Conv2d`: either class (a `QualifiedValue` or a
    `ClassValue` each), so that calling the name constructs one layer of one of them."""

    arms: tuple[Any, Any]


def construct_either(construct: Callable[[Any], Any], choice: ClassChoice, node: ast.Call) -> Any:
    """One instance of either class, built at `node`: `[conv_cls(...)] * n` repeats that one object
    whichever class the flag picks. It carries the traits of an arm with state (weights or running
    statistics) and the name the code calls it by."""
    built = [construct(arm) for arm in choice.arms]
    layers = [value.instance for value in built if isinstance(value, LayerValue)]
    if len(layers) != len(built):
        return built[0] if len(set(map(id, built))) == 1 else None
    stateful = [i for i in layers if i.traits is not None and (i.traits.weights or i.traits.statistics)]
    model = (stateful or layers)[0]
    name = node.func.id if isinstance(node.func, ast.Name) else model.class_name
    merged = Instance(name, model.framework, model.traits, None, Arguments(has_star=True), node,
                      composite=model.composite, children=model.children)
    return LayerValue(merged)


def format_name(template: Any, value: Any) -> Any:
    """`"bn%d" % index` with both known: the attribute name `getattr`/`setattr` use. Only `%`
    formatting of a string by constants; anything else (a number's modulo too) stays unknown."""
    if not isinstance(template, str) or not isinstance(value, (int, str, tuple)) or len(template) > 200:
        return NOTHING
    try:
        return ConstValue(template % value)
    except (TypeError, ValueError, OverflowError):
        return NOTHING


def builds_functional_graph(init: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A Keras Model subclass whose `__init__` builds a functional graph and hands it to the parent
    (`super().__init__(inputs=inputs, outputs=x)`, the keras-hub `Backbone` style): its `__init__`
    is the model's forward pass as much as a builder function's body is."""
    for node in ast.walk(init):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "__init__"
                and isinstance(node.func.value, ast.Call) and isinstance(node.func.value.func, ast.Name)
                and node.func.value.func.id == "super"):
            named = {k.arg for k in node.keywords}
            return {"inputs", "outputs"} <= named or len(node.args) >= 2
    return False


def keep_default_aliases(merged: dict[str, Any], flag: Any, body: dict[str, Any], orelse: dict[str, Any]) -> dict[str, Any]:
    """`self.k_norm = self.q_norm` then `if separate_k_norm: self.k_norm = LayerNorm(dim)` with the
    flag's default False: where the arm the default takes leaves an attribute an alias of another
    one, that alias is what the model built with its defaults holds (the other arm's separate
    instance only exists when a caller asks for it)."""
    try:
        taken = body if flag else orelse
    except Exception:  # a default without a truth value
        return merged
    others: dict[int, int] = {}
    for value in taken.values():
        if isinstance(value, LayerValue):
            others[id(value.instance)] = others.get(id(value.instance), 0) + 1
    kept = dict(merged)
    for name, value in taken.items():
        if isinstance(value, LayerValue) and others[id(value.instance)] > 1 and merged.get(name) is not value:
            kept[name] = value
    return kept


# Not `is None`: `if self.head is None: self.head = Dense(...)` is a guard that runs once (LL005 reads
# its branch), whatever `__init__` set.
_COMPARISONS = {ast.Eq: operator.eq, ast.NotEq: operator.ne,
                ast.In: lambda a, b: operator.contains(b, a), ast.NotIn: lambda a, b: not operator.contains(b, a)}


def settle_defaults(env: dict[str, Any], default_ids: set[int]) -> dict[str, Any]:
    """Parameters bound at a call the walk sees: one the call does not pass holds its default for
    certain there, so a test on it may decide an arm (a fresh constant, no longer a default)."""
    for name, value in env.items():
        if isinstance(value, ConstValue) and id(value) in default_ids:
            env[name] = ConstValue(value.value)
    return env


# -- a repeated list that is only iterated -------------------------------------------------------


def drop_iterated_lists(tree: ast.Module, facts: Any) -> None:
    """`stack = [Dense(8)] + [BatchNormalization()] * n + [Dense(1)]` then `for layer in stack:
    x = layer(x)` in a functional builder: the list is a local name that is only iterated, never
    stored in the model (the graph keeps one node per layer), so it is no container of the model
    (LL004); the calls in the loop are the reuse that runs (LL002/LL003), reported where they happen.
    Kept for an instance nobody calls (the list may still be handed on) and for calls that crash: the
    crash (LL001) is reported at the call, and the list stays named as the place to fix (keras#12948,
    `[Conv2D(fm, 3)] * n` over a 1-channel input)."""
    if not facts.aliased:
        return  # the common case: nothing to read
    calls: dict[int, list[Any]] = {}
    for event in facts.events:
        calls.setdefault(id(event.instance), []).append(event)
    if not any(id(alias.instance) in calls for alias in facts.aliased):
        return
    iterated = _only_iterated_values(tree)
    dropped = [alias for alias in facts.aliased if id(alias.node) in iterated and id(alias.instance) in calls
               and crash_of(calls[id(alias.instance)]) is None]
    if not dropped:
        return
    facts.aliased[:] = [alias for alias in facts.aliased if alias not in dropped]
    for alias in dropped:
        remaining = [other.node for other in facts.aliased if other.instance is alias.instance]
        alias.instance.aliased_in = remaining[0] if remaining else None


def _only_iterated_values(tree: ast.Module) -> set[int]:
    """The ids of the expression nodes inside `name = <value>` where, in the same function, `name` is
    assigned once and read only as the iterable of `for` loops."""
    found: set[int] = set()
    functions = [node for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]
    for function in functions:
        assigned: dict[str, list[ast.Assign]] = {}
        loads: dict[str, int] = {}
        iterated: dict[str, int] = {}
        for node in ast.walk(function):
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                assigned.setdefault(node.targets[0].id, []).append(node)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                loads[node.id] = loads.get(node.id, 0) + 1
            if isinstance(node, (ast.For, ast.AsyncFor)) and isinstance(node.iter, ast.Name):
                iterated[node.iter.id] = iterated.get(node.iter.id, 0) + 1
        for name, statements in assigned.items():
            if len(statements) == 1 and loads.get(name, 0) >= 1 and loads.get(name) == iterated.get(name):
                found.update(id(node) for node in ast.walk(statements[0].value))
    return found
