"""Fix builders: pure functions from a file's text and the analyzer's facts to a `Fix` (or None).

Every builder works on the text it is given, re-parsed once (`positions.Source`): the facts' `ast`
nodes only say *where*; a node whose place in this text is not that node gives no fix. Rewritten
expressions go through libcst so their formatting and comments are kept. A builder that is not sure
returns None; a fix whose result would not parse is never returned.

Naming (documented in `split_instance_fix`): the first call site keeps the original attribute, so a
checkpoint of the model stays loadable for it; the other call sites get `<name>_2`, `<name>_3`…
(skipping any number whose name the module already uses anywhere).
"""

from __future__ import annotations

import ast
import re
from typing import Sequence

from layerlint.diagnostics import Applicability, Edit, Fix, Text
from layerlint.fix.positions import Source, apply_edits, parse, parses
from layerlint.i18n import N_

from layerlint.static.facts import AliasedContainer, BuiltInForward, CallEvent, Instance, ModuleFacts
from layerlint.static.rules.base import FIX_BUILDERS


class _LazyLibcst:
    """libcst, imported on first use: it is the `fix` extra (the checker itself needs nothing) and
    costs a tenth of a second to import, which a `check` without findings should not pay."""

    def __getattr__(self, name: str):
        import libcst

        return getattr(libcst, name)


def libcst_missing() -> bool:
    import importlib.util

    return importlib.util.find_spec("libcst") is None


cst = _LazyLibcst()

FORWARD_METHODS = ("call", "forward", "__call__")
# Constructor arguments that fix a PyTorch module's input size, when the catalog spec names none.
SIZE_KEYWORDS = ("num_features", "in_features", "in_channels", "normalized_shape", "num_channels")
# Calls that give another value each time they are evaluated: an argument using one is not copied.
NOT_REPEATABLE = frozenset({"next", "input", "iter", "print", "open", "id"})


# --- LL001 / LL002 / LL003: one instance per call site ------------------------------------------

def split_instance_fix(text: str, events: Sequence[CallEvent], applicability: Applicability) -> Fix | None:
    """Gives each distinct call site of one shared instance its own instance.

    The instance must be created by `self.X = Ctor(args)` (in any method, typically `__init__` or
    `build`) or `X = Ctor(args)` (functional or module code), alone on its line(s). New instances are
    created right after that statement, one statement line each, with the same constructor text
    (for a layer sized by its constructor — PyTorch — with the size of the tensor its call site
    sees; a literal `name="x"` becomes `name="x_2"`, since layer names must stay unique). The first
    call site keeps `X`; the others get `X_2`, `X_3`… and only their callee expression is rewritten.
    Returns None when a call site is one node repeated (a loop, a helper called twice) with two
    different sizes, when fewer than two distinct call sites exist, or when anything is unclear.
    """
    if len(events) < 2 or libcst_missing():
        return None
    source = parse(text)
    if source is None:
        return None
    instance = events[0].instance
    if any(event.instance is not instance for event in events):
        return None
    creation = _creation(source, instance)
    if creation is None:
        return None
    statement, target, ctor = creation
    if not _repeatable(ctor):
        return None

    sites: dict[int, tuple[ast.Call, list[CallEvent]]] = {}
    for event in events:
        node = source.own(event.node)
        if not isinstance(node, ast.Call) or not _same_reference(node.func, target):
            return None
        if not _in_scope(source, statement, node, target):
            return None
        sites.setdefault(id(node), (node, []))[1].append(event)
    if len(sites) < 2:
        return None

    sizing = _size_argument(instance)
    declared = instance.spec.declared_size(instance.arguments) if sizing is not None and instance.spec else None
    wanted: list[tuple[ast.Call, int | None]] = []
    for node, site_events in sites.values():
        features = {event.feature() for event in site_events} - {None}
        if len(features) > 1:
            return None  # one call expression sees two sizes: splitting by call site cannot help
        size = next(iter(features), None)
        wanted.append((node, size if declared is not None else None))

    keeper = next((i for i, (_, size) in enumerate(wanted) if size is None or size == declared), 0)
    order = [wanted[keeper]] + [item for i, item in enumerate(wanted) if i != keeper]
    base = target.attr if isinstance(target, ast.Attribute) else target.id
    used = source.identifiers
    names = [base]
    suffixes = [None]
    number = 2
    while len(names) < len(order):
        if f"{base}_{number}" not in used:
            names.append(f"{base}_{number}")
            suffixes.append(number)
        number += 1

    ctor_text = source.segment(ctor)
    edits: list[Edit] = []
    keeper_size = order[0][1]
    if keeper_size is not None and keeper_size != declared:
        rewritten = _rewrite_constructor(ctor_text, sizing, keeper_size, None)
        if rewritten is None:
            return None
        edits.append(Edit(*source.range(ctor), rewritten))

    receiver = source.segment(target.value) + "." if isinstance(target, ast.Attribute) else ""
    indent = source.indentation(statement) or ""
    annotation = f": {source.segment(statement.annotation)}" if isinstance(statement, ast.AnnAssign) else ""
    new_lines = []
    newline = source.newline_of(statement.end_lineno or statement.lineno)
    for (node, size), name, suffix in list(zip(order, names, suffixes))[1:]:
        new_size = size if size is not None and size != declared else None
        code = _rewrite_constructor(ctor_text, sizing, new_size, suffix)
        if code is None:
            return None
        new_lines.append(f"{indent}{receiver}{name}{annotation} = {code}{newline}")
        edits.append(Edit(*source.range(node.func), f"{receiver}{name}"))
    at = source.after_statement(statement)
    prefix = "" if at == 0 or source.text[at - 1] in "\r\n" else newline
    edits.append(Edit(at, at, prefix + "".join(new_lines)))

    shown = ", ".join(f"`{receiver}{name}`" for name in names)
    title = Text(N_("give each call site its own {cls}: {names}"), {"cls": instance.class_name, "names": shown})
    return _checked(text, Fix(title, applicability, tuple(edits)))


def _creation(source: Source, instance: Instance) -> tuple[ast.stmt, ast.expr, ast.Call] | None:
    """(statement, target, constructor call) for `self.X = Ctor(...)` or `X = Ctor(...)`."""
    ctor = source.own(instance.node)
    if not isinstance(ctor, ast.Call):
        return None
    statement = source.parent(ctor)
    if isinstance(statement, ast.Assign) and statement.value is ctor and len(statement.targets) == 1:
        target = statement.targets[0]
    elif isinstance(statement, ast.AnnAssign) and statement.value is ctor and statement.simple in (0, 1):
        target = statement.target
    else:
        return None
    simple_attribute = (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name))
    if not (simple_attribute or isinstance(target, ast.Name)) or not source.alone_on_its_lines(statement):
        return None
    return statement, target, ctor


def _same_reference(callee: ast.expr, target: ast.expr) -> bool:
    if isinstance(target, ast.Name):
        return isinstance(callee, ast.Name) and callee.id == target.id
    return (isinstance(callee, ast.Attribute) and callee.attr == target.attr
            and isinstance(callee.value, ast.Name) and callee.value.id == target.value.id)


def _scope(source: Source, node: ast.AST) -> ast.AST:
    return next((a for a in source.ancestors(node)
                 if isinstance(a, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef))),
                source.tree)


def _in_scope(source: Source, statement: ast.stmt, call: ast.Call, target: ast.expr) -> bool:
    """The new name is visible at the call site: same class for `self.X`, an enclosing scope for `X`."""
    if isinstance(target, ast.Attribute):
        cls = next((a for a in source.ancestors(statement) if isinstance(a, ast.ClassDef)), None)
        return cls is not None and cls is next((a for a in source.ancestors(call) if isinstance(a, ast.ClassDef)), None)
    scope = _scope(source, statement)
    return scope is source.tree or any(a is scope for a in source.ancestors(call))


def _size_argument(instance: Instance) -> tuple[str, int | None] | None:
    """(keyword, position) of the constructor argument fixing the input size (PyTorch), if any."""
    traits = instance.traits
    if traits is None or getattr(traits, "sizing", None) != "constructor":
        return None
    spec = instance.spec
    if spec is not None and spec.declared_input is not None:
        return spec.declared_input.name, spec.declared_input.position
    keywords = set(instance.arguments.keywords)
    for name in SIZE_KEYWORDS:
        if name in keywords:
            return name, None
    return (SIZE_KEYWORDS[0], 0) if instance.arguments.positional else None


def _rewrite_constructor(code: str, sizing: tuple[str, int | None] | None, size: int | None,
                         suffix: int | None) -> str | None:
    """The constructor text with its size argument set to `size` and a literal `name=` suffixed."""
    expr = cst.parse_expression(f"({code})")
    assert isinstance(expr, cst.Call)
    args = list(expr.args)
    changed = False
    if size is not None:
        if sizing is None:
            return None
        keyword, position = sizing
        index = next((i for i, a in enumerate(args) if a.keyword is not None and a.keyword.value == keyword), None)
        if index is None and position is not None:
            positional = [i for i, a in enumerate(args) if a.keyword is None and not a.star]
            if any(a.star for a in args[:position + 1]) or position >= len(positional):
                return None
            index = positional[position]
        if index is None:
            return None
        value = _sized(args[index].value, size)
        if value is None:
            return None
        args[index] = args[index].with_changes(value=value)
        changed = True
    if suffix is not None:
        index = next((i for i, a in enumerate(args) if a.keyword is not None and a.keyword.value == "name"), None)
        if index is not None:
            value = args[index].value
            if not isinstance(value, cst.SimpleString):
                return None
            renamed = f"{value.prefix}{value.quote}{value.raw_value}_{suffix}{value.quote}"
            args[index] = args[index].with_changes(value=value.with_changes(value=renamed))
            changed = True
        elif any(a.star == "**" for a in args):
            return None  # a name may hide in **kwargs: two layers with one name would clash
    if not changed:
        return code
    return cst.Module(body=[]).code_for_node(expr.with_changes(args=args, lpar=[], rpar=[]))


def _sized(value: cst.BaseExpression, size: int) -> cst.BaseExpression | None:
    if isinstance(value, cst.Integer):
        return value.with_changes(value=str(size))
    if isinstance(value, (cst.Tuple, cst.List)) and value.elements and isinstance(value.elements[-1].value, cst.Integer):
        elements = list(value.elements)
        elements[-1] = elements[-1].with_changes(value=elements[-1].value.with_changes(value=str(size)))
        return value.with_changes(elements=elements)
    return None


def _repeatable(ctor: ast.Call) -> bool:
    """Evaluating the constructor call twice builds two equivalent layers: no assignment
    expressions, `await`/`yield`, or calls that answer differently each time (`next(it)`)."""
    for node in ast.walk(ctor):
        if isinstance(node, (ast.NamedExpr, ast.Await, ast.Yield, ast.YieldFrom, ast.Lambda)):
            return False
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in NOT_REPEATABLE:
            return False
        if isinstance(node, ast.Starred) and not isinstance(node.value, (ast.Name, ast.Attribute, ast.Tuple, ast.List)):
            return False
    return True


def _checked(text: str, fix: Fix) -> Fix | None:
    """The fix, when its edits do not overlap and the result parses; otherwise no fix. Only the
    top-level statements the edits touch are parsed again: a file with hundreds of findings would
    otherwise be parsed once per finding."""
    edits = sorted(fix.edits, key=lambda e: (e.start, e.end))
    for first, second in zip(edits, edits[1:]):
        if second.start < first.end:
            return None
    source = parse(text)
    return fix if (source.parses_with(edits) if source is not None else parses(apply_edits(text, edits))) else None


# --- LL004: one instance per slot ----------------------------------------------------------------

def comprehension_fix(text: str, alias: AliasedContainer,
                      applicability: Applicability = Applicability.UNSAFE) -> Fix | None:
    """`[Layer(...)] * n` (or `n * [Layer(...)]`) -> `[Layer(...) for _ in range(n)]`, when the list
    holds exactly the one constructor call; anything else (a `Sequential([bn, conv, bn])`, a
    comprehension repeating an existing instance) has no automatic fix. The fix is unsafe: the
    parameter count and checkpoint keys change."""
    if libcst_missing():
        return None
    source = parse(text)
    if source is None:
        return None
    node = source.own(alias.node)
    if not isinstance(node, ast.BinOp) or not isinstance(node.op, ast.Mult):
        return None
    if isinstance(node.left, ast.List):
        listed = node.left
    elif isinstance(node.right, ast.List):
        listed = node.right
    else:
        return None
    if len(listed.elts) != 1 or listed.elts[0] is not source.own(alias.instance.node):
        return None
    element = listed.elts[0]
    if not isinstance(element, ast.Call) or not _repeatable(element):
        return None
    if any(isinstance(n, ast.Name) and n.id == "_" for n in ast.walk(element)):
        return None  # `_` means something in the element (gettext): do not shadow it
    expr = cst.parse_expression(f"({source.segment(node)})")
    if not isinstance(expr, cst.BinaryOperation):
        return None
    left_is_list = isinstance(node.left, ast.List)
    cst_list = expr.left if left_is_list else expr.right
    cst_times = expr.right if left_is_list else expr.left
    if not isinstance(cst_list, cst.List):
        return None
    count = cst_times.with_changes(lpar=[], rpar=[]) if getattr(cst_times, "lpar", None) else cst_times
    comprehension = cst.ListComp(
        elt=cst_list.elements[0].value,
        for_in=cst.CompFor(target=cst.Name("_"), iter=cst.Call(func=cst.Name("range"), args=[cst.Arg(count)])),
        lbracket=cst_list.lbracket, rbracket=cst_list.rbracket)
    code = cst.Module(body=[]).code_for_node(comprehension)
    title = Text(N_("build one {cls} per slot: `[{cls}(...) for _ in range(n)]`"),
                 {"cls": alias.instance.class_name})
    return _checked(text, Fix(title, applicability, (Edit(*source.range(node), code),)))


# --- LL005: create the layer once, in __init__ ---------------------------------------------------

def move_to_init_fix(text: str, built: BuiltInForward, facts: ModuleFacts | None = None,
                     applicability: Applicability = Applicability.SAFE) -> Fix | None:
    """Moves a layer constructed in `call()`/`forward()` into `__init__`.

    `Dense(4)(x)` in `call()` becomes `self.dense(x)` with `self.dense = Dense(4)` inserted in
    `__init__` right after its `super().__init__(...)` statement (an `__init__(self, *args, **kwargs)`
    calling `super().__init__(*args, **kwargs)` is created when the class has none). The attribute is
    named after the local variable it was assigned to, else after the class (`Dense` -> `dense`,
    `BatchNormalization` -> `batch_normalization`), numbered when taken. The lazy pattern
    `if self.head is None: self.head = Dense(4)` becomes `self.head = Dense(4)` in `__init__` (replacing
    its `self.head = None`), and the `if` is removed.

    Only when every constructor argument is a literal or a module-level constant, the constructor is
    reachable from `__init__` (a module-level name), and the construction runs once per pass (directly
    in the forward method, not in a loop, comprehension or nested function); otherwise None.
    """
    if libcst_missing():
        return None
    source = parse(text)
    if source is None:
        return None
    ctor = source.own(built.instance.node)
    if not isinstance(ctor, ast.Call):
        return None
    method = next((a for a in source.ancestors(ctor)
                   if isinstance(a, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))), None)
    if not isinstance(method, ast.FunctionDef) or method.name not in FORWARD_METHODS:
        return None
    cls = source.parent(method)
    if not isinstance(cls, ast.ClassDef):
        return None
    for ancestor in source.ancestors(ctor):
        if ancestor is method:
            break
        if isinstance(ancestor, (ast.For, ast.AsyncFor, ast.While, ast.comprehension, ast.ListComp, ast.SetComp,
                                 ast.DictComp, ast.GeneratorExp)):
            return None
    constants = _module_constants(source.tree)
    local = _local_names(method)
    if not _constructor_time(ctor, constants, local, _module_names(source.tree)):
        return None
    init = next((s for s in cls.body if isinstance(s, ast.FunctionDef) and s.name == "__init__"), None)
    ctor_text = source.segment(ctor)
    if built.stored:
        return _eager_lazy_fix(source, built, ctor, ctor_text, init, applicability)

    used = source.identifiers
    statement = source.statement(ctor)
    base = _attribute_name(built.instance.class_name)
    if isinstance(statement, ast.Assign) and statement.value is ctor and len(statement.targets) == 1 \
            and isinstance(statement.targets[0], ast.Name):
        base = statement.targets[0].id  # `head = Dense(4)` -> `self.head`: a local name is no attribute
        used = {n.attr for n in ast.walk(source.tree) if isinstance(n, ast.Attribute)} | \
            {s.name for s in cls.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))} | \
            {t.id for s in cls.body if isinstance(s, ast.Assign) for t in s.targets if isinstance(t, ast.Name)}
    name = base if base not in used else next(f"{base}_{n}" for n in range(2, 1000) if f"{base}_{n}" not in used)
    receiver = method.args.args[0].arg if method.args.args else None
    if receiver is None:
        return None
    edits = [Edit(*source.range(ctor), f"{receiver}.{name}")]
    if init is not None:
        inserted = _insert_in_init(source, init, f"self.{name} = {ctor_text}")
        if inserted is None:
            return None
        edits.append(inserted)
    else:
        created = _create_init(source, cls, method, f"self.{name} = {ctor_text}")
        if created is None:
            return None
        edits.append(created)
    title = Text(N_("create the {cls} once in `__init__` as `self.{name}`"),
                 {"cls": built.instance.class_name, "name": name})
    return _checked(text, Fix(title, applicability, tuple(edits)))


def _eager_lazy_fix(source: Source, built: BuiltInForward, ctor: ast.Call, ctor_text: str,
                    init: ast.FunctionDef | None,
                    applicability: Applicability = Applicability.SAFE) -> Fix | None:
    """`if self.head is None: self.head = Ctor()` in the forward pass, `self.head = None` in
    `__init__` -> `self.head = Ctor()` in `__init__`, and the `if` removed."""
    statement = source.parent(ctor)
    if not (isinstance(statement, ast.Assign) and statement.value is ctor and len(statement.targets) == 1):
        return None
    target = statement.targets[0]
    if not (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)):
        return None
    guard = source.parent(statement)
    if not (isinstance(guard, ast.If) and guard.body == [statement] and not guard.orelse
            and isinstance(guard.test, ast.Compare) and len(guard.test.ops) == 1
            and isinstance(guard.test.ops[0], ast.Is) and _same_reference(guard.test.left, target)
            and isinstance(guard.test.comparators[0], ast.Constant) and guard.test.comparators[0].value is None):
        return None
    body = source.parent(guard)
    if not isinstance(body, ast.FunctionDef) or len(body.body) < 2 or not source.alone_on_its_lines(guard):
        return None
    if init is None:
        return None
    placeholder = next((s for s in init.body if isinstance(s, ast.Assign) and len(s.targets) == 1
                        and isinstance(s.targets[0], ast.Attribute) and isinstance(s.targets[0].value, ast.Name)
                        and s.targets[0].value.id == (init.args.args[0].arg if init.args.args else "")
                        and s.targets[0].attr == target.attr
                        and isinstance(s.value, ast.Constant) and s.value.value is None), None)
    if placeholder is None:
        return None
    first_line = source.line_start(guard.lineno)
    edits = (Edit(*source.range(placeholder.value), ctor_text),
             Edit(first_line, source.line_end(guard.end_lineno), ""))
    title = Text(N_("create the {cls} once in `__init__` as `self.{name}`"),
                 {"cls": built.instance.class_name, "name": target.attr})
    return _checked(source.text, Fix(title, applicability, edits))


def _attribute_name(class_name: str) -> str:
    """`Dense` -> `dense`, `BatchNormalization` -> `batch_normalization`, `Conv2D` -> `conv2d`."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", class_name).lower()


def _module_constants(tree: ast.Module) -> set[str]:
    """Names bound once at module level to a literal (`WIDTH = 64`), never rebound elsewhere."""
    counts: dict[str, int] = {}
    literal: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            counts[node.id] = counts.get(node.id, 0) + 1
    for statement in tree.body:
        if isinstance(statement, (ast.Assign, ast.AnnAssign)) and statement.value is not None:
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            if len(targets) == 1 and isinstance(targets[0], ast.Name) and _is_literal(statement.value, set()):
                literal.add(targets[0].id)
    return {name for name in literal if counts.get(name) == 1}


def _module_names(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for statement in tree.body:
        if isinstance(statement, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in statement.names)
        elif isinstance(statement, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)):
            names.add(statement.name)
    return names


def _local_names(function: ast.FunctionDef) -> set[str]:
    names = {a.arg for a in ast.walk(function.args) if isinstance(a, ast.arg)}
    for node in ast.walk(function):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


def _is_literal(node: ast.expr, constants: set[str]) -> bool:
    if isinstance(node, ast.Name):
        return node.id in constants
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return all(_is_literal(e, constants) for e in node.elts)
    if isinstance(node, ast.Dict):
        return all(k is not None and _is_literal(k, constants) for k in node.keys) and \
            all(_is_literal(v, constants) for v in node.values)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        return _is_literal(node.operand, constants)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.FloorDiv, ast.Div)):
        return _is_literal(node.left, constants) and _is_literal(node.right, constants)
    return False


def _constructor_time(ctor: ast.Call, constants: set[str], local: set[str], module: set[str]) -> bool:
    """All arguments literals or module constants; the constructor a module-level dotted name."""
    root = ctor.func
    while isinstance(root, ast.Attribute):
        root = root.value
    if not isinstance(root, ast.Name) or root.id in local or root.id not in module:
        return False
    if any(isinstance(a, ast.Starred) for a in ctor.args) or any(k.arg is None for k in ctor.keywords):
        return False
    usable = constants - local
    return all(_is_literal(a, usable) for a in ctor.args) and all(_is_literal(k.value, usable) for k in ctor.keywords)


def _super_init_statement(init: ast.FunctionDef) -> ast.stmt | None:
    for statement in init.body:
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
            func = statement.value.func
            if isinstance(func, ast.Attribute) and func.attr == "__init__" and isinstance(func.value, ast.Call) \
                    and isinstance(func.value.func, ast.Name) and func.value.func.id == "super":
                return statement
    return None


def _insert_in_init(source: Source, init: ast.FunctionDef, line: str) -> Edit | None:
    anchor = _super_init_statement(init)
    receiver = init.args.args[0].arg if init.args.args else None
    if anchor is None or receiver != "self" or not source.alone_on_its_lines(anchor):
        return None
    indent = source.indentation(anchor)
    at = source.after_statement(anchor)
    newline = source.newline_of(anchor.end_lineno or anchor.lineno)
    prefix = "" if source.text[at - 1] in "\r\n" else newline
    return Edit(at, at, f"{prefix}{indent}{line}{newline}")


def _create_init(source: Source, cls: ast.ClassDef, method: ast.FunctionDef, line: str) -> Edit | None:
    """A new `__init__` before the class's first method (and the comments just above it)."""
    first = next((s for s in cls.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))), None)
    if first is None or method.args.args[0].arg != "self":
        return None
    anchor_line = first.decorator_list[0].lineno if first.decorator_list else first.lineno
    indent = source.indentation(first.decorator_list[0] if first.decorator_list else first)
    inner = source.indentation(method.body[0])
    method_indent = source.indentation(method)
    if indent is None or inner is None or method_indent is None or not inner.startswith(method_indent):
        return None
    step = inner[len(method_indent):] or "    "
    while anchor_line > 1 and source.line_text(anchor_line - 1).strip().startswith("#"):
        anchor_line -= 1
    nl = source.newline_of(anchor_line)
    code = (f"{indent}def __init__(self, *args, **kwargs):{nl}"
            f"{indent}{step}super().__init__(*args, **kwargs){nl}"
            f"{indent}{step}{line}{nl}{nl}")
    at = source.line_start(anchor_line)
    return Edit(at, at, code)


# The rules name their builder in a `FixSpec`; these are the names. Registered when this module is
# imported (`layerlint.api` imports it), so the analysis never imports the fixer.
FIX_BUILDERS.update({
    "split_instance": lambda text, applicability, events: split_instance_fix(text, events, applicability),
    "comprehension": lambda text, applicability, alias: comprehension_fix(text, alias, applicability),
    "move_to_init": lambda text, applicability, built, facts: move_to_init_fix(text, built, facts, applicability),
})
