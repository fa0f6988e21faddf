"""From recorded calls to a report: group calls per instance, find paths, judge reuse.

Per instance and per forward pass, two calls are a reuse *of that instance* unless they only
differ because a reused composite (Model, Sequential, user Layer/Module) around them was called
twice; that reuse is reported once, on the composite. The calls are then judged by the checker's
own verdict (`layerlint.verdicts.judge`) and reported in the rules' words:
  * different sizes on the feature axis of a layer that pins it -> LL001 (error);
  * running statistics (catalog `statistics`, or buffers / non-trainable variables) -> LL002;
  * trainable weights -> LL003 (info); a reused composite -> LL003;
  * otherwise (stateless) nothing.
When the pass raised inside a layer that an earlier call had given another feature size, the crash
is the LL001 finding.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence
from typing import Any

from layerlint import catalog, frameworks, verdicts
from layerlint.catalog import LayerTraits
from layerlint.diagnostics import Confidence, Diagnostic, Related, Span, Text
from layerlint.i18n import N_
from layerlint.runtime import structure
from layerlint.runtime.paths import aliases as _aliases
from layerlint.runtime.paths import layer_types as _layer_types
from layerlint.runtime.paths import paths as _paths
from layerlint.runtime.records import CallRecord, LayerInstance, TraceReport, error_text
from layerlint.static.rules import BY_CODE
from layerlint.static.rules import messages as m
from layerlint.static.rules.base import split_names

UNKNOWN_SPAN = Span("<unknown>", 1, 1)
_MAX_ALIASES = 3
_FRAMEWORK_PACKAGES = {"keras": ("keras.",), "tf_keras": ("tf_keras.",), "torch": ("torch.",)}
_TORCH_CHANNEL_FIRST = ("Conv", "LazyConv", "ConvTranspose", "LazyConvTranspose", "BatchNorm",
                        "LazyBatchNorm", "SyncBatchNorm", "InstanceNorm", "LazyInstanceNorm", "GroupNorm")


# -- the live objects --------------------------------------------------------------------------
def _sub_layers(obj: Any, framework: str) -> list:
    try:
        if framework == "torch":
            return [m for m in obj.children()]
        return list(obj._flatten_layers(include_self=False, recursive=False))
    except Exception:
        return []


def _all_sub_layers(obj: Any, framework: str) -> int:
    try:
        if framework == "torch":
            return sum(1 for _ in obj.modules()) - 1
        return sum(1 for layer in obj._flatten_layers(include_self=False, recursive=True)
                   if type(layer).__name__ != "InputLayer")
    except Exception:
        return 0


def _arguments(obj: Any, framework: str, class_name: str) -> dict:
    """The constructor arguments the catalog's variants of the class depend on, read from the
    live object's attributes of the same name (`center`, `affine`, `track_running_stats`...)."""
    keys = _variant_keys(framework, class_name)
    arguments = {}
    for key in keys:
        value = getattr(obj, key, _MISSING)
        if value is not _MISSING:
            arguments[key] = value
    return arguments


@functools.lru_cache(maxsize=1024)
def _variant_keys(framework: str, class_name: str) -> tuple[str, ...]:
    entry = catalog.load(framework).entries.get(class_name)
    return tuple({key for when, _ in (entry.variants if entry else ()) for key in when})


_MISSING = object()


def _catalog_traits(obj: Any, framework: str) -> LayerTraits | None:
    """Traits of the first framework class in the MRO that the catalog knows."""
    klass: type = type(obj)
    name = _catalog_name(klass, framework)
    if name is None:
        return None
    arguments = _arguments(obj, framework, name)
    try:  # memoized per class and arguments: a trace of a model asks once per layer instance
        key = (framework, name, tuple(sorted(arguments.items())))
        traits = _TRAITS_MEMO.get(key, _MISSING)
    except TypeError:  # an unhashable argument value
        return catalog.lookup(framework, name, arguments)
    if traits is _MISSING:
        traits = _TRAITS_MEMO[key] = catalog.lookup(framework, name, arguments)
    return traits


_TRAITS_MEMO: dict = {}


@functools.lru_cache(maxsize=1024)
def _catalog_name(cls: type, framework: str) -> str | None:
    prefixes = _FRAMEWORK_PACKAGES[framework]
    for base in cls.__mro__:
        if base.__module__.startswith(prefixes) and catalog.lookup(framework, base.__name__) is not None:
            return base.__name__
    return None


def _describe(inst: LayerInstance) -> None:
    """The instance's traits, whether it is a composite, and its feature axis. For a PyTorch catalog
    class whose traits do not depend on constructor arguments, these are the same for every instance
    of the class, and kept per class (a ResNet asks 126 times about 5 classes)."""
    obj, framework = inst.obj, inst.framework
    key = _class_key(obj) if framework == "torch" else None
    known = _PER_CLASS.get(key) if key is not None else None
    if known is not None:
        inst.traits, inst.feature_axis, inst.conv_rank = known
        return
    traits = _catalog_traits(obj, framework)
    if traits is None:
        inst.from_catalog = False
        inst.composite = _composite(obj, framework)
        traits = _live_traits(obj, framework, inst.composite)
    inst.traits = traits
    inst.feature_axis = _feature_axis(inst)
    if key is not None and traits is not None and inst.from_catalog:
        if len(_PER_CLASS) > 4096:  # classes made on the fly, one per model: start again
            _PER_CLASS.clear()
        _PER_CLASS[key] = (traits, inst.feature_axis, inst.conv_rank)


def _class_key(obj: Any) -> tuple | None:
    """(class, values of the arguments its catalog variants depend on), or None when they cannot
    be a key: a PyTorch catalog instance's traits and feature axis depend on nothing else."""
    klass: type = type(obj)
    name = _catalog_name(klass, "torch")
    keys = _variant_keys("torch", name) if name is not None else ()
    if not keys:
        return klass, ()
    try:
        values = tuple([getattr(obj, key, _MISSING) for key in keys])
        hash(values)
    except Exception:  # an unhashable value, or an attribute that raises: asked the long way
        return None
    return klass, values


_PER_CLASS: dict[tuple, tuple[LayerTraits, int, int]] = {}  # PyTorch catalog instances, by _class_key


def _composite(obj: Any, framework: str) -> bool:
    """Whether the object holds sub-layers; for a PyTorch module of a class that keeps nn.Module's
    `children()`, read from `_modules` without the generator."""
    if framework == "torch":
        try:
            return structure.composite(obj)
        except Exception:  # a class of its own (or an odd module): PyTorch's answer, as before
            pass
    return bool(_sub_layers(obj, framework))


def _live_traits(obj: Any, framework: str, composite: bool) -> LayerTraits:
    if framework == "torch":
        try:  # nn.Module's own methods, walked without their generator layers
            weights = structure.trainable(obj)
            statistics = (not composite) and structure.has_buffers(obj)
            return _inferred_traits(framework, type(obj).__name__, composite, weights, statistics)
        except Exception:  # a class of its own, or an odd module: PyTorch's methods, as before
            pass
    weights = statistics = False
    try:
        if framework == "torch":
            weights = any(p.requires_grad for p in obj.parameters())
            statistics = (not composite) and any(True for _ in obj.buffers(recurse=False))
        else:
            weights = bool(obj.trainable_weights)
            statistics = (not composite) and bool(obj.non_trainable_weights)
    except Exception:
        pass
    return _inferred_traits(framework, type(obj).__name__, composite, weights, statistics)


@functools.lru_cache(maxsize=4096)
def _inferred_traits(framework: str, name: str, composite: bool, weights: bool, statistics: bool) -> LayerTraits:
    """Traits are frozen: one object per answer serves every instance (making one costs microseconds)."""
    category = catalog.COMPOSITE if composite else (
        catalog.RUNNING_STATISTICS if statistics else
        catalog.WEIGHTS_FIRST_CALL if weights else catalog.STATELESS)
    return LayerTraits(framework=framework, name=name, category=category,
                       weights=weights, statistics=statistics, source="inferred")


def _feature_axis(inst: LayerInstance) -> int:
    obj = inst.obj
    if inst.framework == "torch":
        base = inst.traits.name if inst.traits and inst.from_catalog else ""
        channel_axis, conv_rank = _torch_axis(base)
        if channel_axis == 1:
            if conv_rank:
                inst.conv_rank = conv_rank
            return 1
        if not inst.from_catalog:
            shapes = [c.shapes[0] for c in inst.calls if c.shapes and c.shapes[0] is not None]
            if shapes and len(shapes[0]) >= 3:
                return 1
        return -1
    axis = getattr(obj, "axis", None)
    if isinstance(axis, Sequence) and not isinstance(axis, str) and len(axis) == 1:
        axis = axis[0]
    if isinstance(axis, int) and inst.from_catalog:
        return axis
    if getattr(obj, "data_format", None) == "channels_first":
        return 1
    return -1


@functools.lru_cache(maxsize=1024)
def _torch_axis(base: str) -> tuple[int, int]:
    """(1, the conv rank or 0) for a channels-first catalog class, (-1, 0) otherwise."""
    if base.startswith(_TORCH_CHANNEL_FIRST):
        digits = [c for c in base if c.isdigit()]
        return 1, int(digits[0]) if base.startswith(("Conv", "LazyConv")) and digits else 0
    return -1, 0


# -- grouping ----------------------------------------------------------------------------------
def _chain(call: CallRecord, members: set, cache: dict) -> tuple:
    """The calls from the pass's outermost call down to `call`, within this recording."""
    chain = cache.get(id(call))
    if chain is None:
        parent = call.parent
        chain = (_chain(parent, members, cache) if parent is not None and id(parent) in members else ()) + (call,)
        cache[id(call)] = chain
    return chain


def _divergence(a: tuple, b: tuple) -> tuple[int, CallRecord, CallRecord]:
    index = 0
    while index < len(a) and index < len(b) and a[index] is b[index]:
        index += 1
    return index, a[min(index, len(a) - 1)], b[min(index, len(b) - 1)]


def _explained_by(a: tuple, b: tuple, inst_obj: Any) -> Any | None:
    """The composite whose reuse makes calls `a` and `b` (chains) two calls, if any: the outermost
    object met on both chains through two different calls. A sub-network shared by two parents
    (CoaT's position encodings, a detection head per FPN level) is reported once, on itself, and
    not again for each of its layers."""
    calls_in_a = {id(call.obj): call for call in a[:-1]}
    for call in b[:-1]:
        other = calls_in_a.get(id(call.obj))
        if other is not None and other is not call and call.obj is not inst_obj:
            return call.obj
    return None


# -- the one verdict and its words -------------------------------------------------------------
# The verdict is `layerlint.verdicts.judge`, the static checker's own, over the calls as the trace
# recorded them; the words are the rules' (`static/rules/messages.py`). What stays here is what only a
# trace knows: which calls ran in one pass, the reuse a composite explains, and how to name a call.

def _site(call: CallRecord) -> Span:
    return call.site or UNKNOWN_SPAN


def _reuse(inst: LayerInstance, calls: Sequence[CallRecord], pins_feature: bool | None = None) -> verdicts.Reuse:
    """The neutral view of calls that ran in one pass (so none excludes another). A module sized by
    its constructor is declared for the size of a call that ran without raising."""
    traits = inst.traits
    pins = traits is not None and traits.pins_feature if pins_feature is None else pins_feature
    features = [inst.feature_of(call) for call in calls]  # each call's size, read once
    declared = None
    if inst.from_catalog and traits is not None and traits.sizing == "constructor" and not inst.composite:
        declared = next((f for c, f in zip(calls, features) if c.error is None and f is not None), None)
    return verdicts.Reuse(layer=inst.display, layer_class=inst.class_name, traits=traits,
                          calls=tuple(verdicts.CallSite(call, f) for call, f in zip(calls, features)),
                          composite=inst.composite, pins_feature=pins, declared=declared)


def _related_note(call: CallRecord, first: bool) -> Text:
    if call.graph_inputs:
        template = (N_("first called here, on the output of {producers}") if first
                    else N_("also called here, on the output of {producers}"))
        return Text(template, {"producers": ", ".join(call.graph_inputs)})
    return Text(N_("first called here") if first else m.ALSO_CALLED)


def _call_sites(calls: list[CallRecord], path_of: Any) -> tuple[Span, list[Related]]:
    """The primary location and the related notes for the calls of one reuse.

    Calls from one place (a loop) are one note with a count; two places on the same line (one
    forward method run by an encoder and a decoder) are told apart by the parent that ran them."""
    groups: dict[tuple, list[CallRecord]] = {}
    for call in calls:
        parent = call.parent.obj if call.parent is not None else None
        groups.setdefault((_site(call), call.graph_inputs, id(parent)), []).append(call)
    per_span: dict[Span, int] = {}
    for span, _, _ in groups:
        per_span[span] = per_span.get(span, 0) + 1
    keys = list(groups)
    if len(keys) == 1:
        only = groups[keys[0]]
        return keys[0][0], [Related(keys[0][0], Text(N_("called {count} times here"), {"count": len(only)}))]
    related = []
    for index, key in enumerate(keys):
        group = groups[key]
        if index == 1 and len(group) == 1 and not group[0].graph_inputs and per_span[key[0]] == 1:
            continue  # the primary location says it all (a functional node or a parent is still named)
        note = _related_note(group[0], index == 0)
        parent = group[0].parent
        if per_span[key[0]] > 1 and parent is not None and path_of(parent.obj):
            note = Text(N_("{note}, inside {parent}"), {"note": note, "parent": path_of(parent.obj)})
        if len(group) > 1:
            note = Text(N_("{note} ({count} calls)"), {"note": note, "count": len(group)})
        related.append(Related(key[0], note))
    return keys[1][0], related


def _diagnostic(code: str, template: str, inst: LayerInstance, span: Span, args: dict,
                related: list[Related], help_args: dict | None = None) -> Diagnostic:
    unique: list[Related] = []
    seen = set()
    for item in related:
        marker = (item.span, item.message.template, repr(sorted(item.message.args.items())))
        if marker not in seen:
            seen.add(marker)
            unique.append(item)
    if inst.aliases and code != "LL001":  # `bn2 = bn1`: the reported `bn1` is also `bn2`, where the bug may be
        unique.append(Related(unique[0].span if unique else span,
                              Text(N_("the same instance is also named {aliases}"),
                                   {"aliases": ", ".join(inst.aliases)})))
    if not inst.from_catalog and not inst.composite:  # a sub-network's message already counts what it holds
        unique.append(Related(span, Text(m.NOT_IN_CATALOG, {"cls": inst.class_name})))
    rule = BY_CODE[code]
    names = {"label": inst.display, "cls": inst.class_name}
    return Diagnostic(
        code=code, name=rule.name, severity=rule.severity, span=span,
        message=Text(template, {**names, **args}),
        help=Text(_HELP[code], {**names, **(help_args or {})}),
        related=tuple(unique),
        confidence=Confidence.HIGH if inst.from_catalog else Confidence.INFERENCE,
        origin="runtime", layer=inst.display, layer_class=inst.class_name,
    )


_HELP = {"LL001": m.LL001_HELP, "LL002": m.LL002_HELP, "LL003": m.LL003_HELP}


def _error(inst: LayerInstance, crash: verdicts.Crash) -> str:
    """What the framework raised on the call, on one line; for a call judged from its sizes alone,
    the catalog's measured error."""
    failing: CallRecord = crash.second
    if failing.error is not None:
        text = " ".join(error_text(failing.error).split())
        return text if len(text) <= _ERROR_LIMIT else text[:_ERROR_LIMIT - 1] + "…"
    template = inst.traits.reuse_error if inst.traits else None
    if not template:
        return m.UNKNOWN_ERROR
    values = {"expected": crash.expected, "received": crash.received, "class": inst.class_name}
    return template.format_map(_KeepUnknown(values))


_ERROR_LIMIT = 300


class _KeepUnknown(dict):
    """A placeholder of the catalog's template the trace cannot fill stays as it is."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _mismatch(inst: LayerInstance, crash: verdicts.Crash) -> Diagnostic:
    built: CallRecord = crash.first
    failing: CallRecord = crash.second
    args: dict[str, Any] = {"expected": crash.expected, "received": crash.received}
    related = []
    if built is not failing:
        first_note = m.LL001_FIRST_DECLARED if crash.declared else m.LL001_FIRST_BUILT
        related.append(Related(_site(built), Text(first_note, {"label": inst.display, **args})))
    for call in inst.calls:
        if call is not built and call is not failing and call.seq < failing.seq:
            related.append(Related(_site(call), Text(N_("also called here with {features} features"),
                                                       {"features": inst.feature_of(call)})))
    one_place = _site(built) == _site(failing) and built.parent is failing.parent and built is not failing
    args.update(line=_site(built).line, framework=frameworks.display(inst.framework), error=_error(inst, crash),
                where=Text(m.LL001_NEXT_ITERATION if one_place else m.LL001_HERE))
    first, second = split_names(inst.display, 2)
    return _diagnostic("LL001", m.LL001_DECLARED if crash.declared else m.LL001_BUILT, inst, _site(failing),
                       args, related, {"first": first, "second": second})


def _shared(inst: LayerInstance, shared: verdicts.Shared, calls: list[CallRecord], path_of: Any) -> Diagnostic:
    """Shared statistics are LL002 and shared weights LL003, with the rules' words: what is shared,
    and how often the pass called it."""
    traits = inst.traits
    if inst.composite:
        state = Text(m.STATE_SUB_NETWORK, {"layers": _all_sub_layers(inst.obj, inst.framework)})
    elif shared.kind == "statistics":
        state = Text(m.STATE_STATISTICS if inst.from_catalog else m.STATE_LIVE_STATISTICS)
    else:
        state = Text(m.STATE_NORMALIZATION if traits is not None and traits.normalizes else m.STATE_WEIGHTS)
    args = {"how": Text(m.HOW_PASS, {"count": len(calls)}), "state": state, "kind": shared.kind}
    span, related = _call_sites(calls, path_of)
    if shared.kind == "statistics":
        return _diagnostic("LL002", m.LL002_SHARED, inst, span, args, related)
    return _diagnostic("LL003", m.LL003_SHARED, inst, span, args, related)


# -- the report --------------------------------------------------------------------------------
def build_report(calls: list[CallRecord], roots: list[tuple[Any, str]], single_pass: bool,
                 error: BaseException | None, tree: structure.View | None = None) -> TraceReport:
    """The report of the recorded calls. `tree`: the current module tree of the traced model
    (`structure.read`), whose kept paths stand in for a walk when the model is the only root."""
    report = TraceReport()
    report.error = error
    members = {id(call) for call in calls}
    by_obj: dict[int, LayerInstance] = {}
    framework_of: dict[int, str] = {}
    for call in calls:
        inst = by_obj.get(id(call.obj))
        if inst is None:
            obj = call.obj
            inst = LayerInstance(obj, type(obj).__name__, call.framework, None,
                                 getattr(obj, "name", None) if call.framework != "torch" else None)
            by_obj[id(obj)] = inst
            framework_of[id(obj)] = call.framework
        inst.calls.append(call)
    for root, _ in roots:
        for framework in ("keras", "tf_keras", "torch"):
            if id(root) not in framework_of and _is_layer(root, framework):
                framework_of[id(root)] = framework
    # roots: the traced model, then the outermost calls
    all_roots: list[tuple[Any, str | None]] = list(roots)
    for call in calls:
        if call.parent is None or id(call.parent) not in members:
            all_roots.append((call.obj, None))
    all_roots = _dedupe_roots(all_roots)
    named_roots = []
    for index, (obj, path) in enumerate(all_roots):
        if path is None:  # a top-level object of a `tracing()` block
            path = "" if len(all_roots) == 1 else (getattr(obj, "name", None) if framework_of.get(id(obj)) != "torch"
                                                   else None) or type(obj).__name__
        named_roots.append((obj, path))
    if not (tree is not None and len(named_roots) == 1 and named_roots[0][0] is tree.root
            and framework_of.get(id(tree.root)) == "torch"):
        tree = None
    paths = tree.paths(named_roots[0][1]) if tree else _paths(named_roots, framework_of, set(by_obj))
    reused = {id(inst.obj) for inst in by_obj.values() if len(inst.calls) > 1 and inst.framework == "torch"}
    aliases = {} if not reused else tree.aliases(named_roots[0][1]) if tree else _aliases(named_roots, framework_of, reused)
    for inst in by_obj.values():
        inst.path = paths.get(id(inst.obj))
        if id(inst.obj) in reused:
            inst.aliases = [alias for alias in aliases.get(id(inst.obj), ()) if alias != inst.path][:_MAX_ALIASES]
        _describe(inst)
    report.instances = list(by_obj.values())

    cache: dict = {}
    if single_pass:
        pass_of = dict.fromkeys(members, 0)
    else:
        pass_of = {id(call): id(_chain(call, members, cache)[0]) for call in calls}
    report.passes = 1 if single_pass else len(set(pass_of.values()))

    diagnostics: list[Diagnostic] = []
    reported: set[int] = set()

    # 1. the crash: the innermost raising call, of an instance built for another feature size
    if error is not None:
        raising = [call for call in calls if call.error is not None]
        if raising:
            failing = max(raising, key=lambda c: c.seq)
            diag = _crash(failing, by_obj, members, cache, pass_of)
            if diag is not None:
                inst_obj, diagnostic = diag
                diagnostics.append(diagnostic)
                reported.add(id(inst_obj))

    # 2. reuse within each pass
    for inst in report.instances:
        if id(inst.obj) in reported or len(inst.calls) < 2:
            continue
        diagnostic = _judge_instance(inst, members, cache, pass_of, lambda obj: paths.get(id(obj)))
        if diagnostic is not None:
            diagnostics.append(diagnostic)
            reported.add(id(inst.obj))
    report.diagnostics = sorted(diagnostics, key=lambda d: (-d.severity, d.sort_key))
    return report


def _dedupe_roots(roots: list[tuple[Any, str | None]]) -> list[tuple[Any, str | None]]:
    seen, out = set(), []
    for obj, path in roots:
        if id(obj) not in seen:
            seen.add(id(obj))
            out.append((obj, path))
    return out


def _is_layer(obj: Any, framework: str) -> bool:
    import sys

    from layerlint.runtime.hooks import FRAMEWORK_MODULES

    if FRAMEWORK_MODULES[framework] not in sys.modules:
        return False
    try:
        return isinstance(obj, _layer_types(framework))
    except Exception:
        return False

def _crash(failing: CallRecord, by_obj: dict, members: set, cache: dict, pass_of: dict):
    """The pass raised in `failing`: when an earlier call of the same instance in the pass had another
    size, the instance keeps one feature size (the raise shows it, catalog or not) and the verdict
    is the crash between the two."""
    inst = by_obj[id(failing.obj)]
    earlier = [c for c in inst.calls if c.seq < failing.seq and pass_of[id(c)] == pass_of[id(failing)]]
    if not earlier:
        return None
    composite = _explained_by(_chain(earlier[0], members, cache), _chain(failing, members, cache), inst.obj)
    if composite is not None:
        # a reused sub-network crashed inside: report on the sub-network's call sites
        outer = by_obj[id(composite)]
        outer_calls = [c for c in outer.calls if pass_of[id(c)] == pass_of[id(failing)]]
        chain_fail = _chain(failing, members, cache)
        outer_fail = next((c for c in chain_fail if c.obj is composite), outer_calls[-1])
        outer_crash = verdicts.crash_of(_as_sized(_reuse(outer, [outer_calls[0], outer_fail], pins_feature=True)))
        if outer_crash is not None and _raised_for_size(inst, earlier[0], failing):
            return composite, _mismatch(outer, outer_crash)
    crash = verdicts.crash_of(_reuse(inst, [earlier[0], failing], pins_feature=True))
    return (inst.obj, _mismatch(inst, crash)) if crash is not None else None


def _as_sized(reuse: verdicts.Reuse) -> verdicts.Reuse:
    """A composite's calls judged by their sizes: it raised inside, so it keeps the size it was given."""
    return dataclasses.replace(reuse, composite=False, declared=None)


def _raised_for_size(inst: LayerInstance, built: CallRecord, failing: CallRecord) -> bool:
    received = inst.feature_of(failing)
    return received is not None and inst.feature_of(built) not in (None, received)


def _judge_instance(inst: LayerInstance, members: set, cache: dict, pass_of: dict,
                    path_of: Any) -> Diagnostic | None:
    if _never_a_finding(inst):
        return None
    passes: dict[int, list[CallRecord]] = {}
    for call in inst.calls:
        passes.setdefault(pass_of[id(call)], []).append(call)
    for group in passes.values():
        if len(group) < 2:
            continue
        own = _own_reuse(group, inst, members, cache)
        if len(own) < 2:
            continue
        return _verdict(inst, own, path_of)
    return None


def _never_a_finding(inst: LayerInstance) -> bool:
    """True when `verdicts.judge` says nothing whatever the calls: an instance that neither pins its
    feature size (or is a composite, which never crashes) nor holds state (a ReLU, a Dropout). Its
    calls need no grouping: a ResNet's shared ReLUs cost a tenth of a report otherwise."""
    traits = inst.traits
    if traits is None:
        return True
    return (inst.composite or not traits.pins_feature) and verdicts.sharing_kind(traits, inst.composite) is None


def _own_reuse(group: list[CallRecord], inst: LayerInstance, members: set, cache: dict) -> list[CallRecord]:
    """The calls that take part in a reuse of the instance itself (not of a composite around it)."""
    group = group[:200]
    chains = [_chain(call, members, cache) for call in group]
    involved: list[bool] = [False] * len(group)
    for i in range(len(group)):
        for j in range(i):
            if involved[i] and involved[j]:
                continue
            if _explained_by(chains[j], chains[i], inst.obj) is None:
                involved[i] = involved[j] = True
    return [call for call, flag in zip(group, involved) if flag]


def _verdict(inst: LayerInstance, calls: list[CallRecord], path_of: Any) -> Diagnostic | None:
    verdict = verdicts.judge(_reuse(inst, calls))
    if isinstance(verdict, verdicts.Crash):
        return _mismatch(inst, verdict)
    if isinstance(verdict, verdicts.Shared):
        return _shared(inst, verdict, calls, path_of)
    return None
