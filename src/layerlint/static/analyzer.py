"""Walks a module once, abstractly: which layer objects exist, and which of them each forward pass calls
with what shapes. Nothing of the checked code is imported or run.

Like pyflakes, it works in two phases: classes and module-level bindings are collected first, then the
forward methods (`call`, `forward`) and functions are interpreted with those facts in hand. Values are
abstract (a tensor of partly known shape, a layer instance, a container of layers, a constant); control
flow is followed so that exclusive `if` arms and early returns do not count as reuse, and a loop body
is walked twice so that a call inside it is seen on its second iteration.

Layers travel by other roads than `self.x`: what an import from another module of the checked tree
names is read from that module (through `Project.find_value`, once per run, never imported), and code
of another module records what it does into this file's facts at the call that led there. A class is
summarised once (`class_attributes`); only a construction handed layers (or whose defaults hold one)
gets its own summary (`_bind_class`), and only its calls walk its forward again. Every other inlined
walk (a helper, a method on `self`, a parent's constructor) goes through `summaries.walk`, which
applies the summary of an earlier walk with the same inputs when one holds (see `summaries`).
"""

from __future__ import annotations

import ast
import contextlib
import functools
import itertools
import math
import operator
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterator

from layerlint import catalog
from layerlint.static import budget, summaries
from layerlint.static.classes import ClassInfo, composite_traits, framework_of_base, inherited_normalization
from layerlint.static.facts import (AliasedContainer, Branch, BuiltInForward, CallEvent, Instance,
                                    ModuleFacts, settle_ranks)
from layerlint.static.names import FRAMEWORK_PACKAGES, ImportMap, split_framework
from layerlint.static.outline import Outline
from layerlint.static.roads import (ClassChoice, Roads, builds_functional_graph, construct_either, format_name,
                                   drop_iterated_lists, keep_default_aliases, settle_defaults)
from layerlint.static.shapes import UNKNOWN, Arguments, Shape, literal, merge, spec_for
from layerlint.static.flattening import flatten_function, flatten_method
from layerlint.static.sized_blocks import sized_block
from layerlint.static.source import split_lines, without_comments_and_docstrings
from layerlint.static.verdicts import crash_of
from layerlint.static.values import (NOTHING, ClassValue, ConstValue, ContainerValue, FunctionValue, LayerValue,
                                     PartialValue, QualifiedValue, SelfValue, TensorValue, TupleValue,
                                     input_shapes, layer_values, merge_attributes, merge_env, python_constant,
                                     same_value)

FORWARD_METHODS = ("call", "forward", "__call__")
# Run at every step of training like a forward pass: a layer constructed there is new at each call.
STEP_NAME = re.compile(r"(train|training|test|eval|evaluation|val|validation|predict|prediction)_step")
COMPILING_DECORATORS = frozenset({"tensorflow.function", "jax.jit", "jax.pmap", "torch.compile", "tf_keras.function"})
CONSTRUCTION_METHODS = ("__init__", "build")
MAX_INLINE_DEPTH = 6
NONE = ConstValue(None)
MAX_UNROLL = 32

# --- the interpreter ----------------------------------------------------------------------------


@dataclass
class _Frame:
    """Where the walk is: which entry, which loop, which branch arms, through which helper calls."""

    entry: str
    collecting: bool  # running __init__/build: record attributes, not call events
    owner: ClassInfo | None
    branches: tuple[Branch, ...] = ()
    loop: ast.AST | None = None
    repeat: bool = False
    via: tuple[ast.Call, ...] = ()
    depth: int = 0
    active: tuple[int, ...] = ()  # functions being inlined, against recursion
    unrolled: int = 1  # walks of the innermost body per walk of the entry: the enclosing loops' product
    home: ast.Call | None = None  # in code of another module: the call in the checked file that led there
    home_loop: ast.AST | None = None  # the loop around that call
    step: bool = False  # a plain function run at each training step (`train_step`, `@tf.function`)


class Analyzer:
    def __init__(self, tree: ast.Module, path: str, module_name: str = "", resolver: Any = None,
                 text: str | None = None, outline: Outline | None = None):
        self.tree = tree
        self._outline = outline  # definitions of another module parsed when first named (outline.py)
        # Around each such parse: the project notes what it reads (parents' modules) as read for this
        # module, so that every later file using the module depends on those files too.
        self.loading: Callable[[], contextlib.AbstractContextManager[None]] = contextlib.nullcontext
        self.lines = split_lines(text) if text is not None else None
        import_nodes: list[ast.Import | ast.ImportFrom] = []
        self._class_nodes: list[ast.ClassDef] = []
        for node in _statements(tree.body):  # statements only: expressions hold neither
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                import_nodes.append(node)
            elif isinstance(node, ast.ClassDef):
                self._class_nodes.append(node)
        self._import_nodes = import_nodes
        self.imports = ImportMap.from_nodes(import_nodes, module_name, package=path.endswith("__init__.py"))
        self._collected = False
        self._frameworks_here: tuple[frozenset[str] | None] | None = None  # memo of `imports.frameworks()`
        self.path = path
        self.facts = ModuleFacts(path)
        self.resolver = resolver  # finds classes of other files of the checked tree
        self.classes: dict[str, ClassInfo] = {}  # by name: the last definition, the one that runs
        self.class_infos: list[ClassInfo] = []  # every definition, in source order (a class may be redefined)
        self._class_of_node: dict[int, ClassInfo] = {}
        self.globals: dict[str, Any] = {}
        self._tokens = itertools.count(1)
        self._returns: list[list[Any]] = []
        self._aliased_seen: set[tuple[int, int]] = set()
        self._constructed: list[Instance] = []
        self._scope_starts: list[int] = [0]  # where each function's constructions begin in `_constructed`
        self._if_tokens: dict[int, int] = {}
        self._conditions: dict[int, tuple[str, bool] | None] = {}
        self._touches_layers: dict[int, bool] = {}
        self._match_chains: dict[int, tuple[ast.Match, list[ast.stmt]]] = {}
        self._partial_calls: dict[tuple[int, int], ast.Call] = {}
        self._expanding: set[int] = set()  # partials being unfolded
        self._lambdas: dict[int, FunctionValue] = {}
        self._closures: dict[int, dict[str, Any]] = {}  # a nested function -> the scope it was defined in
        self._lambdas_kept: list[ast.Lambda] = []  # keeps the ids above valid
        self._lambda_layers: dict[int, FunctionValue] = {}  # a `Lambda` layer -> the function it applies
        self._project_values: dict[str, Any] = {}
        self._named: dict[str, Any] = {}  # spelling -> QualifiedValue, NOTHING, or a name to ask the project
        self._block_calls: dict[tuple, Any] = {}
        self._module_walked = False
        self._home: ast.Call | None = None  # while another file's check runs code of this one: its call there
        self._default_values: dict[int, dict[str, Any]] = {}
        self._default_ids: set[int] = set()  # the values defaults hold (kept alive by `_default_values`)
        self._derived_defaults: list[Any] = []  # values computed from defaults, which are defaults too (kept alive)
        self._holders: dict[int, int] = {}  # instance -> how many Sequentials list it
        self._sequential_inputs: dict[int, Shape] = {}  # Sequential -> the shape its leading `Input` states
        self._block_outputs: dict[tuple, TensorValue | None] = {}  # (sized block, input shapes) -> its output
        self._sized_bindings: dict[int, ClassInfo | None] = {}  # block instance -> bound to its stated sizes
        self._inexact_loops = 0  # loops being walked whose walks stand for an unknown number of iterations
        self.persistent = False  # kept by the project for the run: summaries of its code serve every file
        self._roads = Roads()  # layers handed to a block's constructor (roads.py)

    # -- entry points ---------------------------------------------------------------------------

    def collect(self) -> None:
        """Phase one: the classes of the module and what they derive from."""
        if not self._collected:
            self._collect_classes()

    def load(self, name: str) -> None:
        """The definitions of `name` that the outline deferred, added to the module as if they had
        been parsed with it: their imports, their classes (with resolved bases) and, once the
        module's values were walked, their values."""
        if self._outline is None or name not in self._outline.pending:
            return
        with self.loading():
            self._load(self._outline.take(name))

    def _load(self, statements: list[ast.stmt]) -> None:
        self.tree.body = sorted([*self.tree.body, *statements], key=lambda s: s.lineno)
        nested = list(_statements(statements))
        imports = [n for n in nested if isinstance(n, (ast.Import, ast.ImportFrom))]
        if imports:
            self._import_nodes = sorted([*self._import_nodes, *imports], key=lambda n: (n.lineno, n.col_offset))
            self.imports = ImportMap.from_nodes(self._import_nodes, self.imports.module, self.imports.package)
            self._named.clear()
            self._frameworks_here = None
        classes = [n for n in nested if isinstance(n, ast.ClassDef)]
        if not self._collected:
            self._class_nodes.extend(classes)
        elif classes:
            self._add_classes([ClassInfo(node, [], analyzer=self) for node in classes])
        if self._module_walked:
            definitions = [s for s in statements if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
            self._walk_block(definitions, self.globals, _Frame(entry="<module>", collecting=True, owner=None))

    def _add_classes(self, infos: list[ClassInfo]) -> None:
        self.class_infos = sorted([*self.class_infos, *infos], key=_position)
        self._class_of_node.update((id(info.node), info) for info in infos)
        self.classes = {info.name: info for info in self.class_infos}
        for info in infos:
            visible = {other.name: other for other in self.class_infos if _position(other) < _position(info)}
            self._resolve_bases(info, visible)
        for info in infos:
            info.framework = self._class_framework(info, set())

    def run(self) -> ModuleFacts:
        """Phase two: the facts of the module. Raises `budget.BudgetExceeded` past the file's budget."""
        with budget.ensured():
            return self._run()

    def _run(self) -> ModuleFacts:
        self.collect()
        framework_names = self.imports.framework_names()
        layer_classes = {info.name for info in self.class_infos if info.is_layer}
        if not framework_names and not layer_classes and not self.imports.star_imports_framework():
            return self.facts  # nothing here can make a layer: no framework import, no layer class
        module_frame = _Frame(entry="<module>", collecting=False, owner=None)
        self._walk_block(self.tree.body, self.globals, module_frame)
        for info in self.class_infos:  # each definition of a redefined class at its own lines
            if info.is_layer:
                self._analyze_layer_class(info)
        for function in self._relevant_functions():
            self._analyze_function(function, None)
        self._pass_through_built_sequentials()
        drop_iterated_lists(self.tree, self.facts)  # a local list only iterated is no container (roads.py)
        return self.facts

    def _pass_through_built_sequentials(self) -> None:
        """A Sequential holding one layer in two slots, built here and called elsewhere (`build()`
        returns it, a training loop calls it): one pass through it from an input of unknown size, so
        the second slot sees the first slot's output size (a crash when it differs)."""
        called = {id(event.instance) for event in self.facts.events}
        for instance in self._constructed:
            children = instance.children
            if (instance.class_name != "Sequential" or id(instance) in called
                    or len({id(c) for c in children}) == len(children)):
                continue
            frame = _Frame(entry=f"{instance.name()} (built)", collecting=False, owner=None)
            start = self._sequential_inputs.get(id(instance), Shape())  # Keras 3 builds it from its `Input` at once
            self._layer_output(instance, (start,), [], instance.node, frame)

    def _names_a_layer(self, function: ast.AST, relevant: set[str]) -> tuple[bool, set[str]]:
        """Whether a function names a layer (`Dense`, `nn.Linear`, an alias of one, a layer class of
        this file, a module-level layer), and the identifiers it uses. Read from the function's text
        when the source is at hand: a regular expression is far cheaper than walking its nodes. Not
        from its comments and docstrings: PyTorch's own functions show `nn.Linear(20, 30)` in their
        examples, and walking them for that was a third of the interpretation there."""
        if self.lines is not None:
            segment = "\n".join(self.lines[function.lineno - 1:function.end_lineno])
            names = set(_IDENTIFIER.findall(without_comments_and_docstrings(segment)))
        else:
            names = {n.id if isinstance(n, ast.Name) else n.attr
                     for n in ast.walk(function) if isinstance(n, (ast.Name, ast.Attribute))}
        return not names.isdisjoint(relevant), names

    def _may_touch_layers(self, function: ast.FunctionDef) -> bool:
        """Whether a plain function names a layer, a module-level layer, or a function that does."""
        key = id(function)
        if key not in self._touches_layers:
            self._touches_layers[key] = False  # against recursion: assume not while deciding
            touches, names = self._names_a_layer(function, self._layer_names())
            if self._outline is not None and not names.isdisjoint(self._outline.pending):
                for name in names & self._outline.pending:  # the module's own layer classes it may build
                    self.load(name)
                touches, names = self._names_a_layer(function, self._layer_names())
            if not touches:
                callees = [v.node for n in names if isinstance(v := self.globals.get(n), FunctionValue)
                           and v.owner is None and v.node is not function]
                touches = any(self._may_touch_layers(callee) for callee in callees)
            self._touches_layers[key] = touches
        return self._touches_layers[key]

    def _layer_names(self) -> set[str]:
        return ({info.name for info in self.class_infos if info.is_layer} | self._catalog_names_here()
                | {name for name, value in self.globals.items() if isinstance(value, (LayerValue, ContainerValue))}
                | {alias for alias, qualified in self.imports.names.items() if _is_layer_class_name(qualified)})

    def _relevant_functions(self) -> list[ast.FunctionDef]:
        """Plain functions that can touch a layer: they name a layer class (not merely the framework:
        `torch.cat` is no layer), a module-level layer, or call a function that does. The rest are
        not interpreted at all."""
        if self.imports.star_imports_framework():
            return list(self._plain_functions())
        relevant = self._layer_names()
        functions = list(self._plain_functions())
        scanned = {id(f): self._names_a_layer(f, relevant) for f in functions}
        names = {key: value[1] for key, value in scanned.items()}
        by_name = {f.name: f for f in functions}
        chosen = {id(f) for f in functions if scanned[id(f)][0]}
        changed = True
        while changed:  # a function calling a relevant function is relevant too
            changed = False
            chosen_names = {f.name for f in functions if id(f) in chosen}
            for function in functions:
                if id(function) not in chosen and names[id(function)] & chosen_names & by_name.keys():
                    chosen.add(id(function))
                    changed = True
        return [f for f in functions if id(f) in chosen]

    def _catalog_names_here(self) -> frozenset[str]:
        """The layer classes of the frameworks this module imports (of all, when it imports none): a
        function of a PyTorch module that says `Add` or `Maximum`, often in a comment, builds no
        Keras layer, and walking it for nothing cost a fifth of checking PyTorch's own sources."""
        if self._frameworks_here is None:
            self._frameworks_here = (self.imports.frameworks(),)
        return _catalog_names(self._frameworks_here[0])

    def _plain_functions(self) -> Iterator[ast.FunctionDef]:
        for statement in self.tree.body:
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield statement
            elif isinstance(statement, ast.ClassDef) and not self._class_of_node[id(statement)].is_layer:
                yield from (s for s in statement.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)))

    def _collect_classes(self) -> None:
        """Every definition of a class is kept: a notebook re-runs an edited class cell, and the later
        definition is the one that runs (`classes` names it), but each is analysed at its own lines.
        A base names the definition visible where the class is defined: the latest one above it."""
        self._collected = True
        self.class_infos = sorted((ClassInfo(node, [], analyzer=self) for node in self._class_nodes), key=_position)
        self._class_of_node = {id(info.node): info for info in self.class_infos}
        self.classes = {info.name: info for info in self.class_infos}
        visible: dict[str, ClassInfo] = {}
        for info in list(self.class_infos):
            self._resolve_bases(info, visible)
            visible[info.name] = info
        for info in self.class_infos:
            info.framework = self._class_framework(info, set())

    def _resolve_bases(self, info: ClassInfo, visible: dict[str, ClassInfo]) -> None:
        for base in info.node.bases:
            resolved = self._resolve_class(base, visible, info)
            info.bases.append(resolved if resolved is not None else (self.imports.qualify(base) or ""))

    def _resolve_class(self, node: ast.expr, visible: dict[str, ClassInfo] | None = None,
                       defining: ClassInfo | None = None) -> ClassInfo | None:
        if isinstance(node, ast.Name) and visible and node.id in visible:
            return visible[node.id]
        if isinstance(node, ast.Name) and self._outline is not None:
            self.load(node.id)
        if isinstance(node, ast.Name) and node.id in self.classes and self.classes[node.id] is not defining:
            return self.classes[node.id]
        qualified = self.imports.qualify(node)
        if qualified and self.resolver is not None and split_framework(qualified) is None:
            return self.resolver(qualified)
        return None

    def _class_framework(self, info: ClassInfo, seen: set[int]) -> str | None:
        if id(info) in seen:
            return None
        seen.add(id(info))
        for base in info.bases:
            if isinstance(base, ClassInfo):
                found = base.framework or self._class_framework(base, seen)
            else:
                found = framework_of_base(base)
            if found:
                return found
        return None

    def _analyze_layer_class(self, info: ClassInfo) -> None:
        self.class_attributes(info)
        init = info.own_method("__init__")
        if init is not None and builds_functional_graph(init):  # `super().__init__(inputs=..., outputs=...)`
            frame = _Frame(entry=f"{info.name}.__init__", collecting=False, owner=None)
            env = self._bind_parameters(init, NOTHING, [])
            env.update({param.arg: NOTHING for param in init.args.args[:1]})  # `self.x = ...` stays the summary's
            self._walk_function(init, env, frame)
        for name in FORWARD_METHODS:
            found = info.method(name)
            if found is None or (name == "__call__" and found[1] is not info):
                continue
            function, _ = found
            frame = _Frame(entry=f"{info.name}.{name}", collecting=False, owner=info)
            self._walk_function(function, self._bind_parameters(function, SelfValue(info), []), frame)
            break
        for statement in info.node.body:  # other entry points: `train_step`, a `@tf.function` method
            if (isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)) and statement.name not in FORWARD_METHODS
                    and self._is_step(statement)):
                frame = _Frame(entry=f"{info.name}.{statement.name}", collecting=False, owner=info)
                self._walk_function(statement, self._bind_parameters(statement, SelfValue(info), []), frame)

    def _is_step(self, function: ast.FunctionDef) -> bool:
        """A function run at each step, so a layer it constructs is new at each call: `train_step`
        and its kin by name, or one compiled by `@tf.function` / `@jax.jit` / `@torch.compile`."""
        if STEP_NAME.fullmatch(function.name):
            return True
        for decorator in function.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            qualified = self.imports.qualify(target)
            if qualified is not None and qualified.replace("tensorflow.compat.v2.", "tensorflow.") in COMPILING_DECORATORS:
                return True
        return False

    def _analyze_function(self, function: ast.FunctionDef, owner: ClassInfo | None) -> None:
        frame = _Frame(entry=function.name, collecting=False, owner=owner, step=self._is_step(function))
        env = self._bind_parameters(function, NOTHING, [])
        self._walk_function(function, env, frame)

    def class_attributes(self, info: ClassInfo) -> dict[str, Any]:
        """Runs `__init__` (with the parents' it calls) and then `build`, recording `self.x = ...`."""
        if info.attributes is not None:
            return info.attributes
        if info.analyzer is not None and info.analyzer is not self:
            return info.analyzer.class_attributes(info)
        info.attributes = {}
        for method in CONSTRUCTION_METHODS:
            found = info.method(method)
            if found is None:
                continue
            function, owner = found
            frame = _Frame(entry=f"{info.name}.{method}", collecting=True, owner=owner)
            # A parent from another file runs with that file's imports.
            analyzer = owner.analyzer if owner.analyzer is not None else self
            analyzer._walk_function(function, analyzer._bind_parameters(function, SelfValue(info), []), frame)
        return info.attributes

    # -- functions ------------------------------------------------------------------------------

    def _bind_parameters(self, function: ast.FunctionDef, self_value: Any, arguments: list[Any],
                         keywords: dict[str, Any] | None = None) -> dict[str, Any]:
        env: dict[str, Any] = {}
        params = [*function.args.posonlyargs, *function.args.args]
        values = ([self_value] if self_value is not NOTHING else []) + list(arguments)
        defaults = self._defaults(function)
        for index, param in enumerate(params):
            if index < len(values):
                env[param.arg] = values[index]
            elif keywords and param.arg in keywords:
                env[param.arg] = keywords[param.arg]
            elif index == (1 if self_value is not NOTHING else 0) and defaults.get(param.arg, NONE) == NONE:
                env[param.arg] = TensorValue(Shape())  # the input, unless a default says otherwise (`fm=8`)
            else:
                env[param.arg] = defaults.get(param.arg, NOTHING)
        for param in function.args.kwonlyargs:
            env[param.arg] = (keywords or {}).get(param.arg, defaults.get(param.arg, NOTHING))
        return env

    def _defaults(self, function: ast.FunctionDef) -> dict[str, Any]:
        """Parameter defaults, evaluated once per function as Python does when it runs the `def`: a
        constant (`fm=8`) sizes the layers built from it, and a layer (`heads=(Head(),)`) is one
        instance shared by every call that does not pass its own."""
        key = id(function)
        if key not in self._default_values:
            self._default_values[key] = {}
            positional = [*function.args.posonlyargs, *function.args.args]
            pairs = [*zip(positional[len(positional) - len(function.args.defaults):], function.args.defaults),
                     *((p, d) for p, d in zip(function.args.kwonlyargs, function.args.kw_defaults) if d is not None)]
            frame = _Frame(entry="<defaults>", collecting=True, owner=None)
            self._default_values[key] = {param.arg: self._eval(default, {}, frame) for param, default in pairs}
            self._default_ids.update(id(value) for value in self._default_values[key].values())
        return self._default_values[key]

    def _walk_function(self, function: ast.FunctionDef, env: dict[str, Any], frame: _Frame) -> Any:
        self._returns.append([])
        self._scope_starts.append(len(self._constructed))
        self._walk_block(function.body, env, frame)
        self._scope_starts.pop()
        returned = self._returns.pop()
        result = returned[0] if returned else NOTHING
        for value in returned[1:]:
            result = same_value(result, value)
        return result

    def _inline(self, function: ast.FunctionDef, owner: ClassInfo | None, self_value: Any,
                call: ast.Call, env: dict[str, Any], frame: _Frame, skip: int = 0,
                evaluated: tuple[list[Any], dict[str, Any]] | None = None) -> Any:
        if frame.depth >= MAX_INLINE_DEPTH or id(function) in frame.active:
            summaries.cut_off(recursion=id(function) in frame.active, function=id(function))
            return NOTHING
        arguments, keywords = evaluated or (
            [self._eval(a, env, frame) for a in call.args[skip:]],
            {k.arg: self._eval(k.value, env, frame) for k in call.keywords if k.arg})
        if owner is not None and isinstance(owner.analyzer, Analyzer) and owner.analyzer is not self:
            # A parent class from another file: its names resolve through that file's imports, and
            # what it calls is this file's, at the call that led there.
            foreign = owner.analyzer
            inner = self._inner_frame(frame, foreign, owner, call, function)
            return summaries.walk(self, foreign, function,
                                  foreign._bind_parameters(function, self_value, arguments, keywords), inner)
        inner_env = settle_defaults(self._bind_parameters(function, self_value, arguments, keywords), self._default_ids)
        closure = self._closures.get(id(function))
        if closure is not None:
            inner_env = {**closure, **inner_env}
        inner = _Frame(frame.entry, frame.collecting, owner or frame.owner, frame.branches, frame.loop,
                       frame.repeat, (*frame.via, call), frame.depth + 1, (*frame.active, id(function)),
                       frame.unrolled, frame.home, frame.home_loop, frame.step)
        return summaries.walk(self, self, function, inner_env, inner)

    # -- statements -----------------------------------------------------------------------------

    def _walk_block(self, body: list[ast.stmt], env: dict[str, Any], frame: _Frame) -> bool:
        """Interprets statements in order; returns True when the block always leaves (return/raise)."""
        saved = frame.branches
        for statement in body:
            if self._walk_statement(statement, env, frame):
                frame.branches = saved
                return True
            guard = self._as_if(statement)
            if isinstance(guard, ast.If) and self._guard_returns(guard):
                # The rest of the block runs only when the guard's arm did not: it is the else arm.
                frame.branches = (*frame.branches, self._branch(guard, "else"))
        frame.branches = saved
        return False

    def _as_if(self, statement: ast.stmt) -> ast.stmt | None:
        """The statement as an `if` when it is one, or a `match` (see `_case_chain`) that is one."""
        if isinstance(statement, ast.Match):
            chain = self._match_chain(statement)
            return chain[0] if len(chain) == 1 else None
        return statement

    def _match_chain(self, statement: ast.Match) -> list[ast.stmt]:
        """One chain per `match` node for the whole walk: its `if` nodes key the arms' branches."""
        if id(statement) not in self._match_chains:
            self._match_chains[id(statement)] = (statement, _case_chain(statement.cases))
        return self._match_chains[id(statement)][1]

    def _guard_returns(self, statement: ast.If) -> bool:
        return bool(statement.body) and _always_leaves(statement.body) and not statement.orelse

    def _branch(self, statement: ast.If, arm: str, tested: Instance | None = None) -> Branch:
        """The arm of an `if` as a branch. Tests on the same flag (`if self.pre_norm:` ... `if not
        self.pre_norm:`) are one condition, so their arms exclude each other within a pass. A test of
        a layer's class (`isinstance(block, ResBlock)`, see `_class_tested`) gives that layer the same
        answer at every walk: keyed by the layer, its arms exclude each other across a loop's walks."""
        if tested is not None:
            return Branch(("class test", id(statement), id(tested)), 0, arm)
        if id(statement) not in self._conditions:
            self._conditions[id(statement)] = _condition_key(statement.test)
        condition = self._conditions[id(statement)]
        if condition is not None:
            key, negated = condition
            return Branch(key, 0, arm if not negated else ("else" if arm == "if" else "if"))
        return Branch(id(statement), self._if_tokens.get(id(statement), 0), arm)

    def _walk_statement(self, statement: ast.stmt, env: dict[str, Any], frame: _Frame) -> bool:
        """One statement. One that is nested too deeply for Python's recursion limit (a chain of
        hundreds of calls CPython still compiles) is skipped, not the whole file: the interpreter's
        stacks and the frame are put back as they were before it."""
        budget.step()
        marks = (len(self._returns), len(self._scope_starts), frame.branches, frame.loop, frame.repeat,
                 frame.unrolled)
        try:
            return self._interpret(statement, env, frame)
        except RecursionError:
            summaries.cut_off()
            del self._returns[marks[0]:], self._scope_starts[marks[1]:]
            frame.branches, frame.loop, frame.repeat, frame.unrolled = marks[2:]
            return False

    def _interpret(self, statement: ast.stmt, env: dict[str, Any], frame: _Frame) -> bool:
        method = _STATEMENT_METHODS.get(type(statement))
        if method is not None:
            return bool(method(self, statement, env, frame))
        for child in ast.iter_child_nodes(statement):
            if isinstance(child, ast.expr):
                self._eval(child, env, frame)
        return False

    def _stmt_Return(self, statement: ast.Return, env: dict[str, Any], frame: _Frame) -> bool:
        value = self._eval(statement.value, env, frame) if statement.value else ConstValue(None)
        if self._returns:
            self._returns[-1].append(value)
        return True

    def _stmt_Raise(self, statement: ast.Raise, env: dict[str, Any], frame: _Frame) -> bool:
        return True

    def _stmt_Expr(self, statement: ast.Expr, env: dict[str, Any], frame: _Frame) -> bool:
        self._eval(statement.value, env, frame)
        return False

    def _stmt_Assign(self, statement: ast.Assign, env: dict[str, Any], frame: _Frame) -> bool:
        value = self._eval(statement.value, env, frame)
        for target in statement.targets:
            self._assign(target, value, env, frame)
        return False

    def _stmt_AnnAssign(self, statement: ast.AnnAssign, env: dict[str, Any], frame: _Frame) -> bool:
        if statement.value is not None:
            self._assign(statement.target, self._eval(statement.value, env, frame), env, frame)
        return False

    def _stmt_AugAssign(self, statement: ast.AugAssign, env: dict[str, Any], frame: _Frame) -> bool:
        current = self._eval(statement.target, env, frame)
        value = self._binop(current, statement.op, self._eval(statement.value, env, frame), statement)
        self._assign(statement.target, value, env, frame)
        return False

    def _stmt_FunctionDef(self, statement: ast.FunctionDef, env: dict[str, Any], frame: _Frame) -> bool:
        env[statement.name] = FunctionValue(statement, analyzer=self)
        self._close_over(statement, env)
        return False

    _stmt_AsyncFunctionDef = _stmt_FunctionDef

    def _stmt_ClassDef(self, statement: ast.ClassDef, env: dict[str, Any], frame: _Frame) -> bool:
        info = self._class_of_node.get(id(statement))
        if info is not None:
            env[statement.name] = ClassValue(info)
        return False

    def _stmt_If(self, statement: ast.If, env: dict[str, Any], frame: _Frame) -> bool:
        test = self._eval(statement.test, env, frame)
        taken = self._known_arm(statement, test)
        if taken is not None:  # `separate = False` ... `if separate:`: only one arm can run
            return self._walk_block(taken, env, frame)
        self._if_tokens[id(statement)] = next(self._tokens)
        saved = frame.branches
        owner = env.get("self").owner if isinstance(env.get("self"), SelfValue) else None
        attributes = owner.attributes if frame.collecting and owner is not None else None
        before = dict(attributes) if attributes is not None else {}
        body_env = dict(env)
        tested = _class_tested(statement.test, env)
        frame.branches = (*saved, self._branch(statement, "if", tested))
        body_leaves = self._walk_block(statement.body, body_env, frame)
        body_attributes = dict(attributes) if attributes is not None else {}
        if attributes is not None:
            attributes.clear()
            attributes.update(before)
        else_env = dict(env)
        frame.branches = (*saved, self._branch(statement, "else", tested))
        else_leaves = self._walk_block(statement.orelse, else_env, frame)
        frame.branches = saved
        if attributes is not None and not body_leaves:
            merged = dict(body_attributes) if else_leaves else merge_attributes(before, body_attributes, attributes)
            if isinstance(test, ConstValue) and id(test) in self._default_ids:  # `if separate_k_norm:` (False)
                merged = keep_default_aliases(merged, test.value, body_attributes, attributes)
            attributes.clear()
            attributes.update(merged)
        if body_leaves and else_leaves:
            return True
        result = else_env if body_leaves else body_env if else_leaves else merge_env(body_env, else_env)
        env.clear()
        env.update(result)
        return False

    def _known_arm(self, statement: ast.If, test: Any) -> list[ast.stmt] | None:
        """The arm a test decides when its value is a constant the code itself set. A parameter's
        default is not such a constant (a caller may pass another value), nor is a literal test
        (`match` arms are walked as `if True:` chains)."""
        if not isinstance(test, ConstValue) or id(test) in self._default_ids or isinstance(statement.test, ast.Constant):
            return None
        try:
            return statement.body if test.value else statement.orelse
        except Exception:  # a constant without a truth value
            return None

    def _stmt_Match(self, statement: ast.Match, env: dict[str, Any], frame: _Frame) -> bool:
        """The arms of a `match` are exclusive like those of `if`/`elif`: walked as that chain."""
        self._eval(statement.subject, env, frame)
        return self._walk_block(self._match_chain(statement), env, frame)

    def _stmt_For(self, statement: ast.For, env: dict[str, Any], frame: _Frame) -> bool:
        iterable = self._eval(statement.iter, env, frame)
        plan = self._iteration_plan(iterable)
        self._loop(statement, statement.body, plan, env, frame,
                   bind=lambda value, scope: self._assign(statement.target, value, scope, frame))
        self._walk_block(statement.orelse, env, frame)
        return False

    _stmt_AsyncFor = _stmt_For

    def _stmt_While(self, statement: ast.While, env: dict[str, Any], frame: _Frame) -> bool:
        self._eval(statement.test, env, frame)
        self._loop(statement, statement.body, [NOTHING, NOTHING], env, frame, bind=None, known=False)
        return False

    def _stmt_With(self, statement: ast.With, env: dict[str, Any], frame: _Frame) -> bool:
        for item in statement.items:
            value = self._eval(item.context_expr, env, frame)
            if item.optional_vars is not None:
                self._assign(item.optional_vars, NOTHING if not isinstance(value, TensorValue) else value, env, frame)
        return self._walk_block(statement.body, env, frame)

    _stmt_AsyncWith = _stmt_With

    def _stmt_Try(self, statement: ast.Try, env: dict[str, Any], frame: _Frame) -> bool:
        """The body and each handler are arms that exclude each other: `try: layer(x, training=t)`
        `except TypeError: layer(x)` calls the layer once, whichever arm it takes (a call that
        raised never completed)."""
        token, saved = next(self._tokens), frame.branches
        body_env = dict(env)
        frame.branches = (*saved, Branch(id(statement), token, "try"))
        leaves = self._walk_block(statement.body, body_env, frame)
        if not leaves:
            leaves = self._walk_block(statement.orelse, body_env, frame)
        result = None if leaves else body_env
        for number, handler in enumerate(statement.handlers):
            handler_env = dict(env)
            frame.branches = (*saved, Branch(id(statement), token, f"except {number}"))
            if not self._walk_block(handler.body, handler_env, frame):
                result = handler_env if result is None else merge_env(result, handler_env)
        frame.branches = saved
        self._walk_block(statement.finalbody, env if result is None else result, frame)
        if result is None:
            return True
        env.clear()
        env.update(result)
        return False

    _stmt_TryStar = _stmt_Try

    def _iteration_plan(self, iterable: Any) -> tuple[list[Any], bool]:
        """The values the loop variable takes, and whether that list is the real iteration count."""
        if self._roads.is_default_range(iterable):
            return self._roads.default_range_plan(iterable), False
        if isinstance(iterable, ContainerValue):
            if iterable.family is not None:
                return [LayerValue(iterable.family, key=index) for index in range(2)], False
            elements = iterable.elements()
            if len(elements) <= MAX_UNROLL:
                return elements, iterable.exact
        if isinstance(iterable, TupleValue) and len(iterable.items) <= MAX_UNROLL:
            return list(iterable.items), True
        if isinstance(iterable, ConstValue) and isinstance(iterable.value, range) and len(iterable.value) <= MAX_UNROLL:
            values = [ConstValue(v) for v in iterable.value][:2]
            if len(iterable.value) > 2:  # two walks stand for more iterations: `i == 0` decides no arm
                self._roads.stand_in(values)
            return values, len(iterable.value) <= 2
        return [NOTHING, NOTHING], False

    def _bounded(self, values: list[Any], exact: bool, frame: _Frame) -> tuple[list[Any], bool]:
        """Nested loops multiply their walks (32 x 32 x 32 for three loops over a literal tuple, 2^n
        for n nested loops). Past MAX_UNROLL walks of the innermost body, a loop inside a repeated
        iteration of an outer loop is walked once, as a loop of unknown length: the first iteration
        of the outer loop has walked every element already, and this walk still carries the values
        that change from one outer iteration to the next. The work then grows with the depth of the
        nesting and the lengths of the loops, not with the product of the lengths."""
        if frame.repeat and len(values) > 1 and frame.unrolled * len(values) > MAX_UNROLL:
            return values[:1], False
        return values, exact

    def _loop(self, node: ast.AST, body: list[ast.stmt], plan: Any, env: dict[str, Any], frame: _Frame,
              bind: Any, known: bool | None = None) -> None:
        values, exact = self._bounded(*(plan if isinstance(plan, tuple) else (plan, bool(known))), frame)
        before = dict(env)
        saved = (frame.loop, frame.repeat, frame.unrolled)
        frame.unrolled *= max(len(values), 1)
        self._inexact_loops += not exact
        try:
            for index, value in enumerate(values):
                frame.loop, frame.repeat = node, index > 0 or saved[1]
                if bind is not None:
                    bind(value, env)
                self._walk_block(body, env, frame)
        finally:
            self._inexact_loops -= not exact
        frame.loop, frame.repeat, frame.unrolled = saved
        if not exact or not values:
            result = merge_env(before, env)
            env.clear()
            env.update(result)

    def _assign(self, target: ast.expr, value: Any, env: dict[str, Any], frame: _Frame) -> None:
        if isinstance(target, ast.Name):
            env[target.id] = value
            if isinstance(value, LayerValue) and not value.instance.label:
                value.instance.label = target.id
        elif isinstance(target, (ast.Tuple, ast.List)):
            items = value.items if isinstance(value, TupleValue) else (
                value.items if isinstance(value, ContainerValue) and value.mapping is None else None)
            for index, element in enumerate(target.elts):
                if isinstance(element, ast.Starred):
                    self._assign(element.value, NOTHING, env, frame)
                    continue
                part = items[index] if items is not None and index < len(items) else NOTHING
                self._assign(element, part, env, frame)
        elif isinstance(target, ast.Attribute):
            base = self._eval(target.value, env, frame)
            if isinstance(base, SelfValue):
                self._set_attribute(base.owner, target.attr, value, frame, target)

    def _set_attribute(self, owner: ClassInfo, name: str, value: Any, frame: _Frame,
                       node: ast.AST | None = None) -> None:
        if owner.attributes is None:
            return
        summaries.wrote(owner, name, value)
        if isinstance(value, LayerValue):
            if not value.instance.label:
                value.instance.label = f"self.{name}"
            if not frame.collecting:  # created once, lazily, in call(), when a guard says so
                for built in self.facts.built_in_forward:
                    if built.instance is value.instance:
                        # Unguarded, it is built again at each call (Keras 3 refuses it once built).
                        guarded = bool(frame.branches) or (built.instance.framework == "keras" and built.built_before_call)
                        built.stored = built.stored or guarded
        if isinstance(value, ContainerValue):
            self._label_container(value, f"self.{name}")
            if frame.collecting and owner.is_layer and node is not None and value.family is None:
                self._record_repeats(value.elements(), node)  # a tracked list of sub-layers
        owner.attributes[name] = value

    def _label_container(self, container: ContainerValue, label: str) -> None:
        if container.family is not None and not container.family.label:
            container.family.label = f"{label}[i]"
        for key, element in (container.mapping or dict(enumerate(container.items))).items():
            if isinstance(element, LayerValue) and not element.instance.label:
                element.instance.label = f"{label}[{key!r}]"

    # -- expressions ----------------------------------------------------------------------------

    def _eval(self, node: ast.expr | None, env: dict[str, Any], frame: _Frame) -> Any:
        if node is None:
            return NOTHING
        budget.step()
        method = _EXPRESSION_METHODS.get(type(node))
        if method is not None:
            return method(self, node, env, frame)
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                self._eval(child, env, frame)
        return NOTHING

    def _expr_Constant(self, node: ast.Constant, env: dict[str, Any], frame: _Frame) -> Any:
        return ConstValue(node.value)

    def _expr_Name(self, node: ast.Name, env: dict[str, Any], frame: _Frame) -> Any:
        if node.id in env:
            return env[node.id]
        if self._outline is not None and node.id in self._outline.pending:
            self.load(node.id)
        if node.id in self.globals:
            return self.globals[node.id]
        if node.id in self.classes:
            return ClassValue(self.classes[node.id])
        if node.id in self.imports.names or self.imports.star_modules:
            return self._named_class(node, node.id)
        return NOTHING

    def _named_class(self, node: ast.expr, dotted: str) -> Any:
        """A framework layer class spelled as a value (`conv_cls = nn.Conv2d`), so that calling the
        name later constructs the layer as a direct call would; or what an import from another module
        of the checked tree names (a factory function, a block class, a module-level layer).
        Memoised by the spelling: module names (`tf`, `ops`) are looked up at every use."""
        if dotted not in self._named:
            qualified = self.imports.qualify(node)
            self._named[dotted] = (NOTHING if not qualified else QualifiedValue(qualified)
                                   if _is_layer_class_name(qualified) else qualified)
        found = self._named[dotted]
        return self._project_value(found) if isinstance(found, str) else found

    def _project_value(self, qualified: str) -> Any:
        """Memoised per name: the other module is indexed once per run (`Project` keeps its analyzer)."""
        if not qualified:
            return NOTHING
        if qualified not in self._project_values:
            self._project_values[qualified] = NOTHING
            project = getattr(self.resolver, "__self__", None)
            find_value = getattr(project, "find_value", None)
            if find_value is not None and self._may_be_in_project(qualified):
                found = find_value(qualified)
                self._project_values[qualified] = NOTHING if found is None else found
        elif self.persistent:  # memoised for the run: this file depends on what the lookup read
            getattr(getattr(self.resolver, "__self__", None), "value_read_again", lambda _: None)(qualified)
        return self._project_values[qualified]

    def _may_be_in_project(self, qualified: str) -> bool:
        """A module of a package imports its own package's modules: other packages found under the
        same root (a check run inside site-packages) are libraries, and parsing them costs."""
        top = qualified.split(".")[0]
        own = self.imports.module.split(".")
        return top not in FRAMEWORK_PACKAGES and (len(own) < 2 or top == own[0])

    def module_values(self) -> dict[str, Any]:
        """The module's top-level definitions and assignments, for another module importing them:
        walked once (code under `if __name__ == "__main__":` and other statements is not run)."""
        if not self._module_walked:
            self._module_walked = True
            self.collect()
            definitions = [s for s in self.tree.body if isinstance(
                s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Assign, ast.AnnAssign))]
            self._walk_block(definitions, self.globals, _Frame(entry="<module>", collecting=True, owner=None))
        return self.globals

    @contextlib.contextmanager
    def _lend(self, other: "Analyzer") -> Iterator[None]:
        """While code of another module runs for this file, what it records is this file's."""
        saved = other.facts, other._constructed, other._holders
        other.facts, other._constructed, other._holders = self.facts, self._constructed, self._holders
        try:
            yield
        finally:
            other.facts, other._constructed, other._holders = saved

    def _walk_in(self, analyzer: "Analyzer", function: ast.FunctionDef, env: dict[str, Any], frame: _Frame) -> Any:
        if analyzer is self:
            return self._walk_function(function, env, frame)
        with self._lend(analyzer):
            saved, analyzer._home = analyzer._home, frame.home
            try:
                return analyzer._walk_function(function, env, frame)
            finally:
                analyzer._home = saved

    def _inner_frame(self, frame: _Frame, analyzer: "Analyzer", owner: ClassInfo | None, call: ast.Call,
                     function: ast.AST, collecting: bool | None = None) -> _Frame:
        """The frame of a function walked for `call`: through another module's code, the events and
        layers it makes point back at the call in the checked file."""
        home, home_loop = frame.home, frame.home_loop
        if analyzer is not self and home is None:
            home, home_loop = call, frame.loop
        return _Frame(frame.entry, frame.collecting if collecting is None else collecting, owner,
                      frame.branches, frame.loop, frame.repeat, (*frame.via, call), frame.depth + 1,
                      (*frame.active, id(function)), frame.unrolled, home, home_loop, frame.step)

    def _expr_Attribute(self, node: ast.Attribute, env: dict[str, Any], frame: _Frame) -> Any:
        original: ast.expr = node
        names = []
        while isinstance(node, ast.Attribute):  # a long `a.b.c...` chain, without one frame per link
            names.append(node.attr)
            node = node.value
        value = self._eval(node, env, frame)
        for name in reversed(names):
            value = self._member(value, name)
        if value is NOTHING and isinstance(node, ast.Name) and node.id in self.imports.names and node.id not in env:
            return self._named_class(original, ".".join([node.id, *reversed(names)]))
        return value

    def _member(self, base: Any, name: str) -> Any:
        if isinstance(base, SelfValue):
            attributes = self.class_attributes(base.owner)
            summaries.read(base.owner, name, attributes)
            if name in attributes:
                return attributes[name]
        if isinstance(base, (SelfValue, ClassValue)):
            info = base.owner if isinstance(base, SelfValue) else base.info
            found = info.method(name)
            if found is not None:
                return FunctionValue(found[0], found[1])
        return NOTHING

    def _expr_JoinedStr(self, node: ast.JoinedStr, env: dict[str, Any], frame: _Frame) -> Any:
        """`f"block{i}"` with `i` known (an unrolled loop): the attribute name `setattr`/`getattr` use."""
        parts = []
        for part in node.values:
            if isinstance(part, ast.Constant):
                parts.append(str(part.value))
                continue
            value = self._eval(part.value, env, frame) if isinstance(part, ast.FormattedValue) else NOTHING
            if not isinstance(value, ConstValue) or part.format_spec is not None or part.conversion != -1:
                return NOTHING
            parts.append(str(value.value))
        return ConstValue("".join(parts))

    def _expr_Lambda(self, node: ast.Lambda, env: dict[str, Any], frame: _Frame) -> Any:
        """`lambda t: blk(blk(t))`: a function like any other (one `def` per lambda node), so a
        `Lambda` layer or a name bound to it runs its body where it is called."""
        if id(node) not in self._lambdas:
            function = ast.FunctionDef(name="<lambda>", args=node.args, body=[ast.Return(value=node.body)],
                                       decorator_list=[], returns=None, type_comment=None)
            self._lambdas[id(node)] = FunctionValue(ast.copy_location(function, node), analyzer=self)
            self._lambdas_kept.append(node)
        value = self._lambdas[id(node)]
        self._close_over(value.node, env)
        return value

    def _close_over(self, function: ast.AST, env: dict[str, Any]) -> None:
        """A function defined inside another sees that one's names (the layers it built) when called."""
        if env is not self.globals:
            self._closures[id(function)] = env

    def _expr_Starred(self, node: ast.Starred, env: dict[str, Any], frame: _Frame) -> Any:
        return self._eval(node.value, env, frame)

    def _expr_Subscript(self, node: ast.Subscript, env: dict[str, Any], frame: _Frame) -> Any:
        base = self._eval(node.value, env, frame)
        if isinstance(node.slice, ast.Slice):
            return self._sliced(base, node.slice, env, frame)
        index = self._eval(node.slice, env, frame)
        if isinstance(base, ContainerValue):
            if base.family is not None:
                if isinstance(index, ConstValue):
                    return LayerValue(base.family, key=("index", index.value))
                # An index computed in a loop picks a different element each iteration.
                return LayerValue(base.family, key=("dynamic", id(frame.loop), frame.repeat, id(node)))
            if isinstance(index, ConstValue):
                try:
                    source = base.mapping if base.mapping is not None else base.items
                    return source[index.value]
                except (KeyError, IndexError, TypeError):
                    return NOTHING
        if isinstance(base, TupleValue) and isinstance(index, ConstValue) and isinstance(index.value, int):
            try:
                return base.items[index.value]
            except IndexError:
                return NOTHING
        return NOTHING

    def _expr_UnaryOp(self, node: ast.UnaryOp, env: dict[str, Any], frame: _Frame) -> Any:
        """`-1` and `-width`: a negative size or index (`CHANNELS[:-1]`); `-x` on a tensor keeps its shape.
        `not` is left to the tests that read it (`_condition_key`), as before."""
        operand = self._eval(node.operand, env, frame)
        if isinstance(node.op, (ast.USub, ast.UAdd)) and isinstance(operand, ConstValue) and _is_number(operand.value):
            return self._derived(ConstValue(-operand.value if isinstance(node.op, ast.USub) else operand.value),
                                 (operand,))
        if isinstance(operand, TensorValue) and isinstance(node.op, (ast.USub, ast.UAdd, ast.Invert)):
            return operand  # elementwise: the shape stays
        return NOTHING

    def _sliced(self, base: Any, bounds: ast.Slice, env: dict[str, Any], frame: _Frame) -> Any:
        """`CHANNELS[:-1]`, `widths[1:]`: a slice of a list or tuple whose items are all known (a list
        modelling a loop of unknown length has no known end to count from)."""
        parts = [self._eval(part, env, frame) if part is not None else ConstValue(None)
                 for part in (bounds.lower, bounds.upper, bounds.step)]
        if not all(isinstance(part, ConstValue) and (part.value is None or type(part.value) is int) for part in parts):
            return NOTHING
        try:
            cut = slice(*(part.value for part in parts))
        except ValueError:  # a step of 0
            return NOTHING
        if isinstance(base, TupleValue):
            return TupleValue(base.items[cut])
        if isinstance(base, ContainerValue) and base.family is None and base.mapping is None and base.exact:
            return ContainerValue(base.items[cut])
        return NOTHING

    def _expr_List(self, node: ast.List | ast.Tuple, env: dict[str, Any], frame: _Frame) -> Any:
        items: list[Any] = []
        constants: dict[tuple, ConstValue] = {}
        budget.current().charge(len(node.elts))
        for element in node.elts:
            if type(element) is ast.Constant:  # the bulk of a big literal: no dispatch, one value per constant
                key = (type(element.value), element.value)
                if key not in constants:
                    constants[key] = ConstValue(element.value)
                items.append(constants[key])
                continue
            if isinstance(element, ast.Starred):
                inner = self._eval(element.value, env, frame)
                if isinstance(inner, ContainerValue) and inner.family is None:
                    items.extend(inner.elements())
                    continue
                return NOTHING
            items.append(self._eval(element, env, frame))
        return ContainerValue(items) if isinstance(node, ast.List) else TupleValue(tuple(items))

    _expr_Tuple = _expr_List

    def _expr_Dict(self, node: ast.Dict, env: dict[str, Any], frame: _Frame) -> Any:
        mapping = {}
        for key, value in zip(node.keys, node.values):
            evaluated = self._eval(value, env, frame)
            key_value = literal(key) if key is not None else UNKNOWN
            mapping[key_value if key_value is not UNKNOWN else object()] = evaluated
        return ContainerValue(mapping=mapping)

    def _expr_IfExp(self, node: ast.IfExp, env: dict[str, Any], frame: _Frame) -> Any:
        self._eval(node.test, env, frame)
        token = next(self._tokens)
        saved = frame.branches
        frame.branches = (*saved, Branch(id(node), token, "if"))
        body = self._eval(node.body, env, frame)
        frame.branches = (*saved, Branch(id(node), token, "else"))
        orelse = self._eval(node.orelse, env, frame)
        frame.branches = saved
        if all(isinstance(v, (QualifiedValue, ClassValue)) for v in (body, orelse)) and body != orelse:
            return ClassChoice((body, orelse))  # `conv_cls = A if flag else nn.Conv2d` (roads.py)
        return same_value(body, orelse)

    def _expr_Compare(self, node: ast.Compare, env: dict[str, Any], frame: _Frame) -> Any:
        values = [self._eval(node.left, env, frame), *(self._eval(c, env, frame) for c in node.comparators)]
        if any(isinstance(operand, (ast.Attribute, ast.Subscript)) for operand in (node.left, *node.comparators)):
            return NOTHING  # `self.mode == "x"`: state a pass may change (`set_attention_type(...)`)
        return self._roads.compare(node.ops, values, self._default_ids)  # `kind == "group"` (roads.py)

    def _expr_BinOp(self, node: ast.BinOp, env: dict[str, Any], frame: _Frame) -> Any:
        """`x + x + ... + x` nests to the left, one level per term: folded in a loop, so a 600-term
        sum that CPython compiles does not pass Python's recursion limit here."""
        chain = []
        operand: ast.expr = node
        while isinstance(operand, ast.BinOp):
            chain.append(operand)
            operand = operand.left
        value = self._eval(operand, env, frame)
        for step in reversed(chain):
            value = self._binop(value, step.op, self._eval(step.right, env, frame), step)
        return value

    def _binop(self, left: Any, op: ast.operator, right: Any, node: ast.AST) -> Any:
        if isinstance(op, ast.Mult) and (isinstance(left, ContainerValue) or isinstance(right, ContainerValue)):
            container, times = (left, right) if isinstance(left, ContainerValue) else (right, left)
            return self._repeat_container(container, times, node)
        if isinstance(left, TensorValue) and isinstance(right, TensorValue):
            return TensorValue(left.shape if left.shape == right.shape else merge(left.shape, right.shape))
        if isinstance(left, TensorValue) and isinstance(right, ConstValue):
            return left
        if isinstance(right, TensorValue) and isinstance(left, ConstValue):
            return right
        if isinstance(left, ConstValue) and isinstance(right, ConstValue) and isinstance(op, ast.Mod):
            return format_name(left.value, right.value)  # `"bn%d" % i`: an attribute name (roads.py)
        if isinstance(left, ConstValue) and isinstance(right, ConstValue):
            try:
                return self._derived(ConstValue(_apply_operator(op, left.value, right.value)), (left, right))
            except Exception:
                return NOTHING
        if isinstance(op, ast.Add) and isinstance(left, ContainerValue) and isinstance(right, ContainerValue):
            return ContainerValue(left.elements() + right.elements())
        if isinstance(left, TensorValue) or isinstance(right, TensorValue):
            return TensorValue(None)
        return NOTHING

    def _derived(self, result: ConstValue, operands: Any) -> ConstValue:
        """A constant computed from a parameter's default is a default too: a caller may pass another
        value, so `max(1, depth)` decides no `if` arm and `range(max(1, depth))` no loop length, as
        `depth` itself would not; it still sizes the layers built from it."""
        if any(id(operand) in self._default_ids for operand in operands):
            self._derived_defaults.append(result)
            self._default_ids.add(id(result))
        return result

    def _repeat_container(self, container: ContainerValue, times: Any, node: ast.AST) -> Any:
        count = times.value if isinstance(times, ConstValue) and isinstance(times.value, int) else None
        if container.family is not None:
            return NOTHING
        elements = container.elements()
        for element in elements:
            if isinstance(element, LayerValue):
                self._record_alias(element.instance, node, count * elements.count(element) if count else None)
        if count is not None and len(elements) * count <= MAX_UNROLL:
            return ContainerValue(elements * count)
        return ContainerValue(elements * 2)

    def _record_alias(self, instance: Instance, node: ast.AST, count: int | None) -> None:
        node = self._home or node  # a container built by another module's code: where this file calls it
        if (id(instance), id(node)) in self._aliased_seen:
            return
        self._aliased_seen.add((id(instance), id(node)))
        if instance.aliased_in is None:
            instance.aliased_in = node
        self.facts.aliased.append(AliasedContainer(instance, node, count))

    def _expr_ListComp(self, node: ast.ListComp, env: dict[str, Any], frame: _Frame) -> Any:
        return self._comprehension(node, node.elt, env, frame)

    _expr_GeneratorExp = _expr_ListComp
    _expr_SetComp = _expr_ListComp

    def _expr_DictComp(self, node: ast.DictComp, env: dict[str, Any], frame: _Frame) -> Any:
        result = self._comprehension(node, node.value, env, frame)
        if isinstance(result, ContainerValue) and result.family is None:
            return ContainerValue(mapping={object(): item for item in result.items})
        return result

    def _comprehension(self, node: ast.AST, element: ast.expr, env: dict[str, Any], frame: _Frame) -> Any:
        """A comprehension is a loop: a construction in it makes distinct instances (a family); a
        layer call in it runs once per element."""
        scope = dict(env)
        generators = node.generators  # type: ignore[attr-defined]
        produced: list[Any] = []
        exact = True

        def body(value: Any, scope: dict[str, Any]) -> None:
            self._assign(generators[0].target, value, scope, frame)
            for generator in generators[1:]:
                self._assign(generator.target, NOTHING, scope, frame)
            for generator in generators:
                for condition in generator.ifs:
                    self._eval(condition, scope, frame)
            produced.append(self._eval(element, scope, frame))

        values, exact = self._bounded(*self._iteration_plan(self._eval(generators[0].iter, env, frame)), frame)
        saved = (frame.loop, frame.repeat, frame.unrolled)
        frame.unrolled *= max(len(values), 1)
        constructions_before = len(self._constructed)
        for index, value in enumerate(values):
            frame.loop, frame.repeat = node, index > 0 or saved[1]
            body(value, scope)
        frame.loop, frame.repeat, frame.unrolled = saved
        made_new = len(self._constructed) > constructions_before
        layers = [p for p in produced if isinstance(p, LayerValue)]
        if made_new:
            self._roads.note_comprehension(produced, node)
        one_instance = len(layers) > 1 and len({id(p.instance) for p in layers}) == 1
        if one_instance and not made_new:
            self._record_alias(layers[0].instance, node, None)
        if exact:
            return ContainerValue(produced)
        if layers and made_new:
            return ContainerValue(family=layers[0].instance)
        return ContainerValue(produced, exact=False) if one_instance else NOTHING

    def _expr_Call(self, node: ast.Call, env: dict[str, Any], frame: _Frame) -> Any:
        # `self.norm(x).relu()`: the receiver is evaluated once, before the arguments, as Python does.
        base: Any = NOTHING
        if isinstance(node.func, ast.Attribute):
            base = self._eval(node.func.value, env, frame)
            callee = self._member(base, node.func.attr)
        else:
            callee = self._eval(node.func, env, frame)
        if isinstance(callee, LayerValue):
            return self._call_layer(callee, node, env, frame)
        if isinstance(callee, FunctionValue):
            return self._call_function_value(callee, node, env, frame, base)
        if isinstance(callee, ClassValue):
            return self._construct_user(callee.info, node, env, frame)
        if isinstance(callee, QualifiedValue):
            return self._call_qualified(callee.qualified, node, env, frame)
        if isinstance(callee, ClassChoice):
            made = construct_either(lambda arm: self._call_qualified(arm.qualified, node, env, frame) if isinstance(
                arm, QualifiedValue) else self._construct_user(arm.info, node, env, frame), callee, node)
            return NOTHING if made is None else made
        if isinstance(callee, PartialValue):
            if id(callee.node) in self._expanding:  # `p = partial(p, ...)`: no end to unfold
                return NOTHING
            self._expanding.add(id(callee.node))
            try:
                return self._expr_Call(self._partial_call(callee.node, node), env, frame)
            finally:
                self._expanding.discard(id(callee.node))
        if _is_super_init(node):
            return self._super_init(node, env, frame)
        qualified = self.imports.qualify(node.func)
        if qualified is not None:
            return self._call_qualified(qualified, node, env, frame)
        if isinstance(node.func, ast.Name) and node.func.id == "range":
            bounds = [literal(a) for a in node.args]
            if not all(isinstance(b, int) for b in bounds):  # `range(self.n_conv)`: a value known here
                evaluated = [self._eval(a, env, frame) for a in node.args]
                bounds = [v.value if isinstance(v, ConstValue) else None for v in evaluated]
                if all(isinstance(b, int) for b in bounds) and any(id(v) in self._default_ids for v in evaluated):
                    return self._roads.default_range(range(*bounds))  # a caller may pass another count
                if not all(isinstance(b, int) for b in bounds):  # evaluated once: no call in them runs twice
                    return TensorValue(None) if any(isinstance(v, TensorValue) for v in evaluated) else NOTHING
            if bounds and all(isinstance(b, int) for b in bounds):
                return ConstValue(range(*bounds))
        if isinstance(node.func, ast.Name) and node.func.id in ("zip", "enumerate", "reversed", "list", "tuple"):
            return self._builtin_iteration(node, env, frame)
        if isinstance(node.func, ast.Name) and node.func.id in ("setattr", "getattr") and len(node.args) >= 2:
            return self._dynamic_attribute(node, env, frame)
        return self._eval_arguments(node, env, frame, base)

    def _partial_call(self, partial: ast.Call, call: ast.Call) -> ast.Call:
        """The call a partial stands for: its arguments first, then the call's. One node per pair, so
        the layer it makes is the same instance each time this call is walked (a loop's two walks)."""
        key = (id(partial), id(call))
        if key not in self._partial_calls:
            merged = ast.Call(func=partial.args[0], args=[*partial.args[1:], *call.args],
                              keywords=[*partial.keywords, *call.keywords])
            self._partial_calls[key] = ast.copy_location(merged, call)
            merged.end_lineno, merged.end_col_offset = call.end_lineno, call.end_col_offset
        return self._partial_calls[key]

    def _dynamic_attribute(self, node: ast.Call, env: dict[str, Any], frame: _Frame) -> Any:
        """`setattr(self, f"block{i}", blk)` / `getattr(self, f"bn{i}")` with a name known where it
        runs: the attribute itself."""
        base = self._eval(node.args[0], env, frame)
        name = self._eval(node.args[1], env, frame)
        value = self._eval(node.args[2], env, frame) if len(node.args) > 2 else NOTHING
        if not isinstance(base, SelfValue) or not isinstance(name, ConstValue) or not isinstance(name.value, str):
            return NOTHING
        if node.func.id == "getattr":  # type: ignore[attr-defined]
            return self._member(base, name.value)
        self._set_attribute(base.owner, name.value, value, frame)
        return ConstValue(None)

    def _call_function_value(self, callee: FunctionValue, node: ast.Call, env: dict[str, Any], frame: _Frame,
                             base: Any, evaluated: tuple[list[Any], dict[str, Any]] | None = None) -> Any:
        if callee.owner is None:
            arguments, keywords = evaluated or ([self._eval(a, env, frame) for a in node.args],
                                                {k.arg: self._eval(k.value, env, frame) for k in node.keywords if k.arg})
            passes_layers = any(isinstance(v, (LayerValue, ContainerValue)) for v in [*arguments, *keywords.values()])
            analyzer = callee.analyzer if isinstance(callee.analyzer, Analyzer) else self
            if analyzer is not self:  # a function of another module of the project
                if frame.depth >= MAX_INLINE_DEPTH or id(callee.node) in frame.active:
                    summaries.cut_off(recursion=id(callee.node) in frame.active, function=id(callee.node))
                    return NOTHING
                if not passes_layers and not analyzer._may_touch_layers(callee.node):
                    return NOTHING
                inner = self._inner_frame(frame, analyzer, frame.owner, node, callee.node)
                bound = settle_defaults(analyzer._bind_parameters(callee.node, NOTHING, arguments, keywords),
                                        analyzer._default_ids)  # not passed here: the default it is
                return summaries.walk(self, analyzer, callee.node, bound, inner)
            closure = self._closures.get(id(callee.node))
            passes_layers = passes_layers or (closure is not None and any(
                isinstance(v, (LayerValue, ContainerValue)) for v in closure.values()))
            if not passes_layers and not self._may_touch_layers(callee.node):
                # A helper that is handed no layer and names none cannot call one: not inlined, which
                # keeps deep call graphs of plain code (and their loops) from multiplying the work.
                return TensorValue(None) if any(isinstance(v, TensorValue) for v in arguments) else NOTHING
            return self._inline(callee.node, None, NOTHING, node, env, frame, evaluated=(arguments, keywords))
        if isinstance(base, SelfValue):
            return self._inline(callee.node, callee.owner, base, node, env, frame)
        if isinstance(base, ClassValue) and node.args:  # `Parent.method(self, ...)`
            explicit_self = self._eval(node.args[0], env, frame)
            if isinstance(explicit_self, SelfValue):
                return self._inline(callee.node, callee.owner, explicit_self, node, env, frame, skip=1)
        return self._eval_arguments(node, env, frame, base)

    def _eval_arguments(self, node: ast.Call, env: dict[str, Any], frame: _Frame, base: Any = NOTHING) -> Any:
        values = [self._eval(a, env, frame) for a in node.args]
        for keyword in node.keywords:
            self._eval(keyword.value, env, frame)
        if isinstance(node.func, ast.Attribute):
            if isinstance(base, ContainerValue) and node.func.attr == "append" and values:
                base.items.append(values[0])
                if self._inexact_loops:  # two walks stand for a loop of unknown length: so do its items
                    base.exact = False
            if isinstance(base, LayerValue) and node.func.attr == "add" and values:
                self._sequential_add(base.instance, values[0], node)
            if isinstance(base, TensorValue):
                return base if node.func.attr in _ELEMENTWISE_METHODS else TensorValue(
                    flatten_method(base.shape, node.func.attr, node))
        if isinstance(node.func, ast.Name) and not node.keywords and node.func.id not in env \
                and node.func.id not in self.globals:  # `int(dim * mlp_ratio)`, unless a name of the code's own
            folded = _fold_numeric(node.func.id, values)
            if folded is not None:
                return self._derived(folded, values)
        return TensorValue(None) if any(isinstance(v, TensorValue) for v in values) else NOTHING

    def _sequential_add(self, sequential: Instance, value: Any, node: ast.Call) -> None:
        """`model.add(layer)`: one more child; the same layer added twice fills two slots (Keras 3;
        tf_keras keeps one of them, unless an `Input` added first built the model)."""
        if sequential.class_name != "Sequential":
            return
        if isinstance(value, TensorValue) and value.shape is not None and not sequential.children:
            self._sequential_inputs[id(sequential)] = value.shape  # `model.add(Input((4,)))`: built at once
        if not isinstance(value, LayerValue):
            return
        sequential.composite = True
        if (value.instance in sequential.children and sequential.framework == "tf_keras"
                and id(sequential) not in self._sequential_inputs):
            return
        sequential.children.append(value.instance)
        count = sum(child is value.instance for child in sequential.children)
        if count > 1 and sequential.framework != "tf_keras":  # tf_keras lists it once in `model.layers`
            self._record_alias(value.instance, node, count)
        sequential.traits = composite_traits(sequential.framework or "keras", "Sequential", sequential.children)

    def _builtin_iteration(self, node: ast.Call, env: dict[str, Any], frame: _Frame) -> Any:
        name = node.func.id  # type: ignore[attr-defined]
        values = [ContainerValue(list(v.items)) if isinstance(v, TupleValue) else v
                  for v in (self._eval(a, env, frame) for a in node.args)]
        if not values or not all(isinstance(v, ContainerValue) for v in values):
            return NOTHING
        if name in ("list", "tuple"):
            return values[0]
        exact = all(v.family is None and v.exact for v in values)
        columns = [[LayerValue(v.family, key=i) for i in range(2)] if v.family is not None else v.elements()
                   for v in values]
        if name == "zip":
            return ContainerValue([TupleValue(row) for row in zip(*columns)], exact=exact)
        if name == "enumerate":
            rows = [TupleValue((ConstValue(i), item)) for i, item in enumerate(columns[0])]
            if not exact:  # the last index stands for every later one: `idx == 0` decides no arm
                self._roads.stand_in([row.items[0] for row in rows])
            return ContainerValue(rows, exact=exact)
        return ContainerValue(list(reversed(columns[0])), exact=exact)

    def _super_init(self, node: ast.Call, env: dict[str, Any], frame: _Frame) -> Any:
        """`super().__init__(...)` inside `__init__`: run the parents' constructors on the same self."""
        owner = frame.owner
        if not frame.collecting or owner is None:
            return NOTHING
        for base in owner.bases:
            if isinstance(base, ClassInfo):
                found = base.method("__init__")
                if found is not None:
                    self_value = env.get("self", NOTHING)
                    return self._inline(found[0], found[1], self_value, node, env, frame)
        return NOTHING

    # -- layers ---------------------------------------------------------------------------------

    def _call_qualified(self, qualified: str, node: ast.Call, env: dict[str, Any], frame: _Frame) -> Any:
        split = split_framework(qualified)
        if split is not None:
            framework, name = split
            if name in ("Input", "InputLayer") and framework != "torch":
                return self._input_tensor(node)
            if name in ("Model", "Functional") and framework != "torch" and (node.args or node.keywords):
                return self._functional_model(framework, name, node, env, frame)
            if name[:1].isupper() and name not in ("Model", "Input"):
                return self._construct(framework, name, node, env, frame)
        if qualified == "functools.partial" and node.args:
            return PartialValue(node)
        if qualified == "itertools.repeat" and node.args:
            element = self._eval(node.args[0], env, frame)
            times = self._eval(node.args[1], env, frame) if len(node.args) > 1 else NOTHING
            if isinstance(element, LayerValue):
                return self._repeat_container(ContainerValue([element]), times, node)
            return NOTHING
        if qualified.rsplit(".", 1)[-1] in ("deepcopy", "clone_layer", "clone_model") and node.args:
            original = self._eval(node.args[0], env, frame)
            if isinstance(original, LayerValue):
                return LayerValue(self._copy_instance(original.instance, node, frame))
            return NOTHING
        return self._call_function(qualified, node, env, frame)

    def _call_function(self, qualified: str, node: ast.Call, env: dict[str, Any], frame: _Frame) -> Any:
        """Tensor functions: concatenation sums the feature axis; elementwise ones keep the shape."""
        tail = qualified.rsplit(".", 1)[-1]
        if tail in ("concat", "concatenate", "cat") and node.args:
            parts = self._eval(node.args[0], env, frame)
            axis = _keyword_literal(node, ("axis", "dim"), 1, default=-1 if tail != "cat" else 0)
            shapes = [p.shape if isinstance(p, TensorValue) else None
                      for p in (parts.elements() if isinstance(parts, ContainerValue) else
                                parts.items if isinstance(parts, TupleValue) else [])]
            if shapes and isinstance(axis, int):
                sizes = [s.size(axis) if s is not None else None for s in shapes]
                total = sum(sizes) if all(v is not None for v in sizes) else None
                if shapes[0] is not None:
                    return TensorValue(shapes[0].with_size(axis, total))
            return TensorValue(None)
        values = [self._eval(a, env, frame) for a in node.args]
        for keyword in node.keywords:
            self._eval(keyword.value, env, frame)
        if tail in _ELEMENTWISE and values and isinstance(values[0], TensorValue):
            return values[0]
        if tail == "flatten" and qualified.startswith("torch.") and values and isinstance(values[0], TensorValue):
            return TensorValue(flatten_function(values[0].shape, node))
        folded = _fold_numeric(qualified, values) if qualified.startswith("math.") and not node.keywords else None
        if folded is not None:  # `math.ceil(dim * 1.5)`
            return self._derived(folded, values)
        return TensorValue(None) if any(isinstance(v, TensorValue) for v in values) else NOTHING

    def _input_tensor(self, node: ast.Call) -> TensorValue:
        shape = literal(_keyword(node, "shape") or (node.args[0] if node.args else None))
        if isinstance(shape, (tuple, list)) and all(d is None or isinstance(d, int) for d in shape):
            return TensorValue(Shape.from_dims([None, *shape]))
        return TensorValue(Shape())

    def _arguments(self, node: ast.Call, env: dict[str, Any], values: list[Any] | None = None) -> Arguments:
        """The constructor's arguments as constants where the source states them: literals and names
        bound to constants, and, from `values` (the arguments evaluated, positional then keywords),
        arithmetic on them and attributes set to them (`nn.Linear(16 * 5 * 5, 120)`,
        `nn.Linear(self.width, 10)`)."""
        def constants(name: str) -> Any:
            value = env.get(name, self.globals.get(name))
            return value.value if isinstance(value, ConstValue) else UNKNOWN

        def stated(argument: ast.expr, index: int) -> Any:
            found = literal(argument, constants)
            if found is UNKNOWN and values is not None and index < len(values):
                return python_constant(values[index], UNKNOWN)
            return found

        arguments = Arguments()
        for index, argument in enumerate(node.args):
            if isinstance(argument, ast.Starred):
                arguments.has_star = True
                break
            arguments.positional.append(stated(argument, index))
        for index, keyword in enumerate(node.keywords, start=len(node.args)):
            if keyword.arg is None:
                arguments.has_star = True
            else:
                arguments.keywords[keyword.arg] = stated(keyword.value, index)
        return arguments

    def _construct(self, framework: str, name: str, node: ast.Call, env: dict[str, Any], frame: _Frame) -> Any:
        children_values = [self._eval(a, env, frame) for a in node.args]
        for keyword in node.keywords:
            children_values.append(self._eval(keyword.value, env, frame))
        arguments = self._arguments(node, env, children_values)
        spec = spec_for(framework, name)
        traits = catalog.lookup(framework, name, arguments.as_mapping(spec.named_args if spec else ()))
        if name in ("ModuleList", "ModuleDict", "ParameterList"):
            inner = children_values[0] if children_values else ContainerValue()
            if isinstance(inner, TupleValue):
                inner = ContainerValue(list(inner.items))
            if isinstance(inner, ContainerValue):
                self._record_repeats(inner.elements(), node)
                return inner
            return NOTHING
        instance = Instance(name, framework, traits, spec, arguments, node)
        if name == "Sequential":
            self._sequential_children(instance, node, children_values)
            self._roads.note_slots(instance.children, node)
        elif name == "Lambda" and children_values and isinstance(children_values[0], FunctionValue):
            self._lambda_layers[id(instance)] = children_values[0]
        elif name in ("Bidirectional", "TimeDistributed") and children_values and isinstance(children_values[0], LayerValue):
            instance.wrapped = children_values[0].instance
            instance.traits = children_values[0].instance.traits
        elif name == "RNN" and framework != "torch" and children_values and isinstance(children_values[0], LayerValue) \
                and children_values[0].instance.class_of is not None and children_values[0].instance.traits is not None:
            instance.traits = children_values[0].instance.traits  # a Keras RNN holds its cell's weights, no others
        self._note_construction(instance, frame)
        return LayerValue(instance)

    def _functional_model(self, framework: str, name: str, node: ast.Call, env: dict[str, Any], frame: _Frame) -> Any:
        """`keras.Model(inputs, outputs)`: a composite of the layers built in the same function."""
        for argument in node.args:
            self._eval(argument, env, frame)
        children = self._constructed[self._scope_starts[-1]:]
        instance = Instance(name, framework, composite_traits(framework, name, children), None,
                            self._arguments(node, env), node, composite=True, children=list(children))
        self._note_construction(instance, frame)
        return LayerValue(instance)

    def _sequential_children(self, instance: Instance, node: ast.Call, values: list[Any]) -> None:
        layers: list[Any] = []
        for value in values:
            if isinstance(value, ContainerValue) and value.family is None:
                layers.extend(value.elements())
            elif isinstance(value, LayerValue):
                layers.append(value)
        built = bool(layers) and isinstance(layers[0], TensorValue) and layers[0].shape is not None
        if built:
            self._sequential_inputs[id(instance)] = layers[0].shape  # `Sequential([Input((8, 8, 3)), ...])`
        instance.composite = True
        instance.children = [v.instance for v in layers if isinstance(v, LayerValue)]
        if instance.framework == "tf_keras" and not built:
            # tf_keras keeps one slot of a layer listed twice, unless a leading `Input` builds the model
            # at once: each listing is then called on the output before it (a crash at another width),
            # though `model.layers` still shows the layer once.
            instance.children = list({id(c): c for c in instance.children}.values())
        elif instance.framework != "tf_keras":
            self._record_repeats(layers, node)
        for child in {id(c): c for c in instance.children}.values():
            self._holders[id(child)] = self._holders.get(id(child), 0) + 1
        instance.traits = composite_traits(instance.framework or "keras", "Sequential", instance.children)

    def _record_repeats(self, values: list[Any], node: ast.AST) -> None:
        """A container filled without a literal (`append` in a loop, `model.add`) that holds one
        instance in several slots."""
        seen: dict[int, int] = {}
        layers = [v.instance for v in values if isinstance(v, LayerValue) and v.key is None]
        for child in layers:
            seen[id(child)] = seen.get(id(child), 0) + 1
        for child in layers:
            if seen[id(child)] > 1 and child.aliased_in is None:  # not `[blk] * n` again
                self._record_alias(child, node, seen[id(child)])

    def _construct_user(self, info: ClassInfo, node: ast.Call, env: dict[str, Any], frame: _Frame) -> Any:
        arguments = [self._eval(a, env, frame) for a in node.args]
        keywords = {k.arg: self._eval(k.value, env, frame) for k in node.keywords if k.arg}
        if not info.is_layer:
            return NOTHING
        stated = self._arguments(node, env, [*arguments, *(keywords.get(k.arg, NOTHING) if k.arg else NOTHING
                                                         for k in node.keywords)])
        normalization = inherited_normalization(info)
        if normalization is not None:  # a subclass of a framework norm keeps the norm's traits
            instance = Instance(info.name, info.framework, normalization, None, stated, node)
            self._note_construction(instance, frame)
            return LayerValue(instance)
        bound = self._bind_class(info, arguments, keywords, node, frame)
        attributes = bound.attributes or {} if bound is not None else self.class_attributes(info)
        children = [v.instance for v in layer_values(attributes.values())]
        traits = composite_traits(info.framework or "keras", info.name, children, info.makes_weights())
        instance = Instance(info.name, None, traits, None, stated, node, composite=True, children=children,
                            bound=bound)
        instance.class_of = info
        self._note_construction(instance, frame)
        return LayerValue(instance)

    def _bind_class(self, info: ClassInfo, arguments: list[Any], keywords: dict[str, Any], node: ast.Call,
                    frame: _Frame, sized: bool = False) -> ClassInfo | None:
        """A construction handed layers (`Pair(norm, norm)`, `Wrapper(layer)`), or of a class whose
        constructor defaults hold one (`heads=(Head(),)`, built once for every instance): its
        constructor runs once more, for this construction, on those values. Other constructions share
        the class's one summary (`class_attributes`)."""
        found = info.method("__init__")
        if found is None or frame.depth >= MAX_INLINE_DEPTH:
            return None
        init, owner = found
        analyzer = owner.analyzer if isinstance(owner.analyzer, Analyzer) else self
        given = [*arguments, *keywords.values(), *analyzer._defaults(init).values()]
        if not sized and not any(_holds_layer(value) for value in given):
            return None
        bound = ClassInfo(info.node, info.bases, info.framework, info.analyzer, attributes={})
        built_from = len(self._constructed)
        for method in CONSTRUCTION_METHODS:
            found = info.method(method)
            if found is None:
                continue
            function, owner = found
            analyzer = owner.analyzer if isinstance(owner.analyzer, Analyzer) else self
            inner = self._inner_frame(frame, analyzer, owner, node, function, collecting=True)
            inner.entry, inner.branches = f"{info.name}.{method}", ()
            passed = (arguments, keywords) if method == "__init__" else ([], {})
            self._walk_in(analyzer, function, analyzer._bind_parameters(function, SelfValue(bound), *passed), inner)
        self._roads.note_built(bound, self._constructed[built_from:], node, [*arguments, *keywords.values()])
        return bound

    def _call_bound(self, bound: ClassInfo, node: ast.Call, arguments: list[Any], keywords: dict[str, Any],
                    frame: _Frame) -> Any:
        """A call of a bound user layer: its forward, walked over the layers this instance holds, as
        part of the caller's pass (two slots holding one layer are two calls of it)."""
        for name in FORWARD_METHODS:
            found = bound.method(name)
            if found is None:
                continue
            function, owner = found
            if frame.depth >= MAX_INLINE_DEPTH or id(function) in frame.active:
                summaries.cut_off(recursion=id(function) in frame.active, function=id(function))
                return NOTHING
            analyzer = owner.analyzer if isinstance(owner.analyzer, Analyzer) else self
            inner = self._inner_frame(frame, analyzer, bound, node, function)
            return self._walk_in(analyzer, function,
                                 analyzer._bind_parameters(function, SelfValue(bound), arguments, keywords), inner)
        return NOTHING

    def _sized(self, instance: Instance, frame: _Frame) -> ClassInfo | None:
        """The block bound to the sizes its construction states (`sized_blocks.py`), once per instance:
        its `__init__` is walked again for that, and both the output size and a second call's crash read
        the same binding."""
        if id(instance) not in self._sized_bindings:
            self._sized_bindings[id(instance)] = sized_block(self, instance, frame)
        return self._sized_bindings[id(instance)]

    def _sized_block_output(self, callee: LayerValue, node: ast.Call, inputs: tuple[Shape | None, ...],
                            frame: _Frame) -> TensorValue | None:
        """The output of a user block whose construction states its sizes (`Block(8, 16)`), from a walk
        of its forward bound to them, once per block and input: the next call then sees that size
        (`self.block(self.block(x))` feeds 16 features to a `Linear` declared for 8). The class's own
        summary cannot tell it: its `__init__` parameters are unknown there. The walk's calls are not
        this pass's (`_second_call_of_block` reports a crash inside the block): they are dropped."""
        key = (id(callee.instance), inputs)
        if key not in self._block_outputs:
            self._block_outputs[key] = None  # against recursion: unknown while it is worked out
            info = self._sized(callee.instance, frame)
            if info is not None:
                kept, self.facts.events = self.facts.events, []
                try:
                    walk = _Frame(frame.entry, False, frame.owner, frame.branches, frame.loop, frame.repeat, frame.via,
                                  frame.depth, frame.active, frame.unrolled, frame.home, frame.home_loop)
                    result = self._call_bound(info, node, [TensorValue(s) for s in inputs] or [TensorValue(None)], {},
                                              walk)
                finally:
                    self.facts.events = kept
                if isinstance(result, TensorValue) and result.shape is not None and result.shape.size(-1) is not None:
                    self._block_outputs[key] = result
        return self._block_outputs[key]

    def _second_call_of_block(self, callee: LayerValue, node: ast.Call, inputs: tuple[Shape | None, ...],
                              frame: _Frame) -> None:
        """One user block called at two sizes in a pass: the layers inside it are built by the first
        call, so the second crashes (a shared `Block` fed 11 then 8 features). The block's forward is
        walked only for an instance called a second time, once for each of its first two calls, and
        what it finds is kept only when it is such a crash: the block's own sharing is reported as
        the block's."""
        key = (frame.entry, id(callee.instance), callee.key)
        first = self._block_calls.setdefault(key, (node, inputs, frame.branches, frame.loop, frame.repeat, frame.via))
        if first[0] is node and first[2] == frame.branches or self._block_calls.get(("done", *key)):
            return
        self._block_calls[("done", *key)] = True
        info = self._sized(callee.instance, frame) or callee.instance.class_of
        kept, self.facts.events = self.facts.events, []
        try:
            for site, shapes, branches, loop, repeat, via in (first, (node, inputs, frame.branches, frame.loop,
                                                                       frame.repeat, frame.via)):
                walk = _Frame(frame.entry, False, frame.owner, branches, loop, repeat, via, frame.depth,
                              frame.active, frame.unrolled, frame.home, frame.home_loop)
                self._call_bound(info, site, [TensorValue(s) for s in shapes] or [TensorValue(None)], {}, walk)
            inner = self.facts.events
        finally:
            self.facts.events = kept
        groups: dict[tuple, list[CallEvent]] = {}
        for event in inner:
            groups.setdefault((id(event.instance), event.key), []).append(event)
        for events in groups.values():
            settle_ranks(events)
            if len(events) > 1 and crash_of(events) is not None:
                self.facts.events.extend(events)

    def _copy_instance(self, original: Instance, node: ast.Call, frame: _Frame) -> Instance:
        copy = Instance(original.class_name, original.framework, original.traits, original.spec,
                        original.arguments, node, composite=original.composite, children=original.children)
        self._note_construction(copy, frame)
        return copy

    def _note_construction(self, instance: Instance, frame: _Frame) -> None:
        instance.origin = (self.path, instance.node)
        if frame.home is not None:  # built by code of another module: shown where this file calls it
            instance.node = frame.home
        self._constructed.append(instance)
        owner = frame.owner
        if frame.step and not frame.collecting and (owner is None or not owner.is_layer):
            self.facts.built_in_forward.append(BuiltInForward(instance, frame.entry.rsplit(".", 1)[-1]))
        elif not frame.collecting and owner is not None and owner.is_layer:
            # Keras 3 lets call() add state only while it builds the layer: when the layer has no
            # build() of its own and still holds unbuilt sub-layers (it then builds by calling call()).
            builds_by_calling = owner.method("build") is None and any(
                isinstance(v, (LayerValue, ContainerValue)) for v in (owner.attributes or {}).values())
            self.facts.built_in_forward.append(BuiltInForward(
                instance, frame.entry.rsplit(".", 1)[-1], built_before_call=not builds_by_calling))

    def _call_layer(self, callee: LayerValue, node: ast.Call, env: dict[str, Any], frame: _Frame) -> Any:
        arguments = [self._eval(a, env, frame) for a in node.args]
        keywords = {k.arg: self._eval(k.value, env, frame) for k in node.keywords if k.arg}
        inputs = input_shapes(arguments[:1] or list(keywords.values())[:1])
        if not frame.collecting:
            self._record_call(callee.instance, callee.key, node, inputs, frame)
            applied = self._lambda_layers.get(id(callee.instance))
            if applied is not None and applied.owner is None:
                return self._call_function_value(applied, node, env, frame, NOTHING, (arguments, keywords))
            if isinstance(callee.instance.bound, ClassInfo):
                with self._roads.element(callee.instance.bound, callee.key):
                    result = self._call_bound(callee.instance.bound, node, arguments, keywords, frame)
                if result is not NOTHING:
                    return result
            elif callee.instance.composite and callee.instance.class_of is not None:
                self._second_call_of_block(callee, node, inputs, frame)
                output = self._sized_block_output(callee, node, inputs, frame)
                if output is not None:
                    return output
            for child in self._roads.handing_children(callee.instance):  # `Sequential(Residual(h), Residual(h))`
                with self._roads.element(child.bound, None):
                    self._call_bound(child.bound, node, [TensorValue(None)], {}, frame)  # type: ignore[arg-type]
        return self._layer_output(callee.instance, inputs, arguments, node if not frame.collecting else None, frame)

    def _record_call(self, instance: Instance, key: object, node: ast.Call, inputs: tuple[Shape | None, ...],
                     frame: _Frame, slot: bool = False) -> None:
        loop = frame.home_loop if frame.home is not None else frame.loop
        key, via = self._roads.place(instance, key, frame.via)
        if via is not frame.via:
            self.facts.handed.add(id(instance))
        self.facts.events.append(CallEvent(instance, key, node, inputs, frame.branches, loop, frame.repeat,
                                           frame.entry, via, slot=slot))

    def _layer_output(self, instance: Instance, inputs: tuple[Shape | None, ...], arguments: list[Any],
                      node: ast.Call | None = None, frame: _Frame | None = None) -> Any:
        if instance.class_name == "Sequential" and instance.children:
            value: Any = TensorValue(inputs[0] if inputs else None)
            repeated = {id(c) for c in instance.children if instance.children.count(c) > 1}
            for child in instance.children:
                shapes = input_shapes([value])
                if node is not None and frame is not None and (id(child) in repeated or self._holders.get(id(child), 0) > 1):
                    # A child in two slots, or in two Sequentials: each slot is a call of it, with the
                    # size the slot sees (its own output on the second slot: a crash, not only LL004).
                    self._record_call(child, None, node, shapes, frame, slot=True)
                value = self._layer_output(child, shapes, [value])
            return value
        if instance.wrapped is not None and instance.class_name == "Bidirectional":
            inner = self._layer_output(instance.wrapped, inputs, arguments)
            merge_mode = instance.arguments.get("merge_mode", 1, "concat")
            if isinstance(inner, TensorValue) and inner.shape is not None and merge_mode in ("concat", "sum", "mul", "ave"):
                size = inner.shape.size(-1)
                factor = 2 if merge_mode == "concat" else 1
                return TensorValue(inner.shape.with_size(-1, size * factor if size is not None else None))
            return TensorValue(None)
        if instance.spec is None:
            return TensorValue(None)
        if instance.class_name == "Concatenate" and arguments and isinstance(arguments[0], (ContainerValue, TupleValue)):
            parts = arguments[0].elements() if isinstance(arguments[0], ContainerValue) else list(arguments[0].items)
            return TensorValue(instance.spec.apply(instance.arguments, input_shapes(parts)))
        if instance.framework == "torch" and instance.class_name in ("LSTM", "GRU", "RNN", "MultiheadAttention"):
            return TupleValue((TensorValue(instance.spec.apply(instance.arguments, inputs)), NOTHING))
        return TensorValue(instance.spec.apply(instance.arguments, inputs))


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@functools.lru_cache(maxsize=None)
def _catalog_names(frameworks: frozenset[str] | None = None) -> frozenset[str]:
    """The layer classes of `frameworks` (of every framework: None), by their class names."""
    names = {"Sequential"}
    for framework in catalog.FRAMEWORKS:
        if frameworks is None or framework in frameworks:
            names.update(catalog.load(framework).entries)
    return frozenset(names)


def _position(info: ClassInfo) -> tuple[int, int]:
    return info.node.lineno, info.node.col_offset


def _methods_by_node_type(prefix: str) -> dict[type, Any]:
    """`Analyzer._expr_Call` under `ast.Call`: the interpreter's dispatch, one dict lookup per node
    (a `getattr` of a built name cost a tenth of the interpretation)."""
    return {getattr(ast, name[len(prefix):]): method for name, method in vars(Analyzer).items()
            if name.startswith(prefix) and isinstance(getattr(ast, name[len(prefix):], None), type)}


_STATEMENT_METHODS = _methods_by_node_type("_stmt_")
_EXPRESSION_METHODS = _methods_by_node_type("_expr_")
_COMPOUND = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.If, ast.For, ast.AsyncFor, ast.While,
             ast.With, ast.AsyncWith, ast.Try, ast.Match, *((ast.TryStar,) if hasattr(ast, "TryStar") else ()))


def _statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Every statement, however nested in compound statements, without visiting expressions, in
    order: each statement, then its body, `else` and `finally` blocks, handlers and cases. A stack,
    not recursive generators: this runs over every statement of every file."""
    stack = body[::-1]
    while stack:
        statement = stack.pop()
        yield statement
        if not isinstance(statement, _COMPOUND):
            continue
        inner: list[ast.stmt] = []
        for name in ("body", "orelse", "finalbody"):
            inner.extend(getattr(statement, name, None) or ())
        for handler in getattr(statement, "handlers", ()):
            inner.extend(handler.body)
        for case in getattr(statement, "cases", ()):
            inner.extend(case.body)
        stack.extend(reversed(inner))


def _holds_layer(value: Any) -> bool:
    if isinstance(value, TupleValue):
        return any(isinstance(item, (LayerValue, ContainerValue)) and _holds_layer(item) for item in value.items)
    return isinstance(value, LayerValue) or (isinstance(value, ContainerValue) and any(layer_values([value])))


def _is_layer_class_name(qualified: str | None) -> bool:
    split = split_framework(qualified) if qualified else None
    return split is not None and split[1][:1].isupper()


def _class_tested(test: ast.expr, env: dict[str, Any]) -> Instance | None:
    """The layer whose class the test asks about (`isinstance(block, ResBlock)`, `not isinstance(...)`,
    `type(block) is ResBlock`), when the name holds one: an instance's class never changes, so a loop
    calling each block of a list in the arm its class picks calls each in one arm only."""
    while isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        test = test.operand
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], (ast.Is, ast.IsNot, ast.Eq)):
        test = test.left
        if not (isinstance(test, ast.Call) and isinstance(test.func, ast.Name) and test.func.id == "type"):
            return None
    elif not (isinstance(test, ast.Call) and isinstance(test.func, ast.Name) and test.func.id == "isinstance"):
        return None
    if len(test.args) < 1 or test.keywords or not isinstance(test.args[0], ast.Name):
        return None
    held = env.get(test.args[0].id)
    return held.instance if isinstance(held, LayerValue) else None


def _condition_key(test: ast.expr) -> tuple[str, bool] | None:
    """`self.flag`, `not self.flag`, `mask is None`: a test on one name or attribute, as a key and
    whether it is negated. Other tests have no key and only exclude their own arms."""
    negated = False
    while isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        test, negated = test.operand, not negated
    suffix = ""
    if (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], (ast.Is, ast.IsNot))
            and isinstance(test.comparators[0], ast.Constant) and test.comparators[0].value is None):
        negated ^= isinstance(test.ops[0], ast.IsNot)
        test, suffix = test.left, " is None"
    node = test
    while isinstance(node, ast.Attribute):
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ast.unparse(test) + suffix, negated


_CAPTURED = "<captured by a case pattern>"  # a name no code can bind: it evaluates to an unknown value


def _case_chain(cases: list[ast.match_case]) -> list[ast.stmt]:
    """`match` arms as the `if`/`elif` chain they behave like: `if <case 1>: ... else: if <case 2>:
    ...`. An arm binds its pattern's captures to unknown values and evaluates its guard first. An arm
    that always matches (`case _:`, `case name:` without a guard) is the final `else`; arms after it
    never run. The tests are constants, so no two `match` statements share a condition. Built from
    the last arm up, without recursion: a `match` may have hundreds of arms."""
    chain: list[ast.stmt] = []
    for case in reversed(cases):
        captured = [name for node in ast.walk(case.pattern)
                    for name in (getattr(node, "name", None), getattr(node, "rest", None)) if isinstance(name, str)]
        body: list[ast.stmt] = [ast.Assign(targets=[ast.Name(id=name, ctx=ast.Store())],
                                           value=ast.Name(id=_CAPTURED, ctx=ast.Load())) for name in captured]
        if case.guard is not None:
            body.append(ast.Expr(value=case.guard))
        body.extend(case.body)
        always = isinstance(case.pattern, ast.MatchAs) and case.pattern.pattern is None and case.guard is None
        chain = body if always else [ast.If(test=ast.Constant(value=True), body=body, orelse=chain)]
    return chain


def _always_leaves(body: list[ast.stmt]) -> bool:
    last = body[-1]
    if isinstance(last, ast.Match):
        chain = _case_chain(last.cases)
        return bool(chain) and _always_leaves(chain)
    if isinstance(last, (ast.Return, ast.Raise, ast.Continue, ast.Break)):
        return True
    if isinstance(last, ast.If):
        return bool(last.orelse) and _always_leaves(last.body) and _always_leaves(last.orelse)
    return False


def _is_super_init(node: ast.Call) -> bool:
    func = node.func
    return (isinstance(func, ast.Attribute) and func.attr == "__init__" and isinstance(func.value, ast.Call)
            and isinstance(func.value.func, ast.Name) and func.value.func.id == "super")


def _keyword(node: ast.Call, name: str) -> ast.expr | None:
    for keyword in node.keywords:
        if keyword.arg == name:
            return keyword.value
    return None


def _keyword_literal(node: ast.Call, names: tuple[str, ...], position: int, default: Any) -> Any:
    for name in names:
        found = _keyword(node, name)
        if found is not None:
            return literal(found)
    if position < len(node.args):
        return literal(node.args[position])
    return default


_OPERATORS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.FloorDiv: operator.floordiv,
              ast.Div: operator.truediv, ast.Pow: operator.pow}
_BOUND = 1 << 20  # sizes past this are no layer's: a fold that big is given up


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) < _BOUND


def _apply_operator(op: ast.operator, left: Any, right: Any) -> Any:
    """Arithmetic on sizes, as the source states them: `16 * 5 * 5`, `dim * mlp_ratio` (a float that
    `int()` turns back into a size), `2 ** i`."""
    function = _OPERATORS.get(type(op))
    if function is None or not (_is_number(left) and _is_number(right)):
        raise ValueError("not folded")
    if isinstance(op, ast.Pow) and not (isinstance(right, int) and 0 <= right <= 32):
        raise ValueError("not folded")
    result = function(left, right)
    if not _is_number(result):
        raise ValueError("not folded")
    return result


# Builtins (and `math` functions) that compute a size from sizes: `int(dim * mlp_ratio)`, `max(16, dim)`.
_NUMERIC_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "int": int, "float": float, "round": round, "abs": abs, "max": max, "min": min,
    "math.ceil": math.ceil, "math.floor": math.floor}


def _fold_numeric(name: str, values: list[Any]) -> ConstValue | None:
    """The constant a size function gives on constant arguments (`len` of a tuple or string too), or
    None when it is not one of them or an argument is not known."""
    if name == "len" and len(values) == 1:
        value = values[0]
        if isinstance(value, TupleValue):
            return ConstValue(len(value.items))
        if isinstance(value, ConstValue) and isinstance(value.value, (str, tuple, range)):
            return ConstValue(len(value.value))
        return None
    function = _NUMERIC_FUNCTIONS.get(name)
    numbers = [v.value for v in values if isinstance(v, ConstValue) and _is_number(v.value)]
    if function is None or not values or len(numbers) != len(values) or (name in ("max", "min") and len(values) < 2):
        return None
    try:
        result = function(*numbers)
    except (TypeError, ValueError, OverflowError):
        return None
    return ConstValue(result) if _is_number(result) else None


# Tensor methods that keep the shape: `self.proj(x).relu()` still has `proj`'s output size.
_ELEMENTWISE_METHODS = {
    "relu", "relu_", "sigmoid", "tanh", "gelu", "exp", "abs", "neg", "sqrt", "square", "clamp", "clip",
    "contiguous", "float", "half", "double", "bfloat16", "detach", "clone", "to", "cuda", "cpu", "type_as",
}

_ELEMENTWISE = {
    "relu", "relu6", "gelu", "silu", "swish", "sigmoid", "tanh", "elu", "selu", "leaky_relu", "softmax",
    "log_softmax", "dropout", "dropout2d", "hardswish", "mish", "softplus", "abs", "exp", "identity",
    "batch_normalization", "layer_norm", "group_norm", "max_pool2d", "avg_pool2d", "max_pool1d",
    "avg_pool1d", "interpolate", "pad", "clip", "clip_by_value", "clamp", "sqrt", "square", "neg",
}
