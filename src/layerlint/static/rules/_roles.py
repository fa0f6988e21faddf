"""Designed or accidental sharing: what surrounds each call of one shared instance.

A normalization called at several places is a bug when the places play different roles (one call
normalizes the attention input and another the MLP input; one follows conv1 and another conv2) and
the design of the model when they play the same role (every iteration of a loop, the same chain of
layers applied to two streams, a norm re-applied to its own output, one helper applied to each
input). The facts carry the AST of every call, so the rule reads the role from the source itself:
where each call's input comes from, through local assignments, up to the nearest layer call.
"""

from __future__ import annotations

import ast
import bisect
import functools
import re
from dataclasses import dataclass
from typing import Any

from layerlint.i18n import N_
from layerlint.static import parsed
from layerlint.static.facts import CallEvent, ModuleFacts, exclusive

# A comment that says the sharing is meant: `# shared on purpose`, `# tied with the encoder`.
INTENT = re.compile(r"#.*\b(shared|sharing|tied|tying|on purpose|intended|intentional(ly)?|"
                    r"deliberate(ly)?|by design)\b", re.IGNORECASE)
# … unless the same comment names the problem (`# LL002: the branches share statistics`, `# bug`).
NOT_INTENT = re.compile(r"#.*(\bLL0\d\d\b|\bbug|\bwrong\b|\bshould\b|\baccident|\bmistake|\bfixme\b|\btodo\b|"
                        r"\bnot\b|\bnever\b|\bunintended\b|n't\b)", re.IGNORECASE)
MAX_DEPTH = 12
MODULATION = "modulated by "


@dataclass(frozen=True)
class Roles:
    """How the calls of one shared instance relate: `designed` with the reason (a message id and its
    arguments), or accidental with a short description of each call's input."""

    designed: bool
    reason: str = ""
    args: tuple[tuple[str, str], ...] = ()
    inputs: tuple[str, ...] = ()
    foreign: bool = False  # the calls live in another file (an inherited forward): judged there


def intent_comment(events: list[CallEvent], lines: list[str]) -> bool:
    """A comment on the construction line or on any call line says the sharing is intended."""
    numbers = {events[0].instance.node.lineno} | {getattr(e.site(), "lineno", 0) for e in events}
    numbers |= {e.node.lineno for e in events}
    return any(0 < n <= len(lines) and says_intended(lines[n - 1]) for n in numbers)


def says_intended(line: str) -> bool:
    line = re.sub(r"#\s*expect:.*$", "", line)  # the test corpora's markup is no comment of the author
    return bool(INTENT.search(line)) and not NOT_INTENT.search(line)


def judge_roles(events: list[CallEvent], facts: ModuleFacts, text: str) -> Roles:
    """Designed sharing when every call plays the same role; otherwise the role of each call."""
    if (len(_distinct_sites(events)) == 1 and len({id(e.node) for e in events}) == 1) or one_call_per_walk(events):
        return Roles(True, N_("applied in a loop, the same way at every iteration"))
    if len({id(e.node) for e in events}) == 1 and all(e.via for e in events):
        helper = ast.unparse(events[0].via[-1].func)
        return Roles(True, N_("one helper (`{helper}`) applies it to each of its inputs"), (("helper", helper),))
    index = _index(text)
    # A layer call's producer identity is its constructor: the members of one list built by a
    # comprehension (`self.blocks[i]`) count as one producer, two `Dense(6)(x)` as two.
    layer_calls = {_position(e.node): f"`{_callee(e.node.func)}`#{id(e.instance.node)}" for e in facts.events}
    own = {_position(e.node) for e in events}
    origins, consumers = [], []
    for event in events:
        found = index.call(_position(event.node))
        if found is None or not _same_call(found[0], event.node):
            return Roles(False, foreign=True)  # the calls live in another file, which is judged on its own
        call, function = found
        origins.append(_origins(call, function, layer_calls, own))
        consumers.append(_consumer(call, function, index, layer_calls))
    roles = _compare(origins)
    if roles.designed:
        return roles
    return (_same_consumer(consumers) or _stands_in(events, index) or _optional_extra_call(events, text)
            or _named_inputs(events) or roles)


def _stands_in(events: list[CallEvent], index: "_Index") -> Roles | None:
    """One input defaults to the other: `kv = memory if memory is not None else x`, `if key_value is
    None: key_value = inputs`, `context = self.norm(context) if context is not None else x`. The code
    treats the second stream as the same kind of thing as the first (self-attention is the case where
    they are one tensor), so one norm for both keeps that case exact: designed, unlike a query and a
    memory that never stand for each other (issue 15, p49)."""
    found = [call for e in events if (call := index.call(_position(e.node))) is not None]
    if len(found) != len(events):
        return None
    functions = {id(function) for _, function in found}
    names = list(dict.fromkeys(call.args[0].id for call, _ in found if call.args and isinstance(call.args[0], ast.Name)))
    if len(functions) != 1 or len(names) != 2 or any(not call.args for call, _ in found):
        return None
    function = found[0][1]
    first, second = (_copied_from(name, function) for name in names)
    common = sorted(first & second)
    if not common:
        return None
    return Roles(True, N_("one input stands in for the other (`{name}` can be either): the same stream "
                          "twice when they coincide"), (("name", common[0]),))


def _copied_from(name: str, function: ast.AST) -> set[str]:
    """The names whose value `name` may hold as a plain copy: `a = b`, `a = b if c else d`,
    `a = b or d`, followed through such copies (not through calls, which make a new value)."""
    table = _table(function)
    found, pending = {name}, [name]
    while pending and len(found) < 32:
        current = pending.pop()
        for statement in table.binders.get(current, []):
            if isinstance(statement, ast.Assign) and len(statement.targets) == 1 \
                    and isinstance(statement.targets[0], ast.Name):
                for copied in _plain_names(statement.value):
                    if copied not in found:
                        found.add(copied)
                        pending.append(copied)
    return found


def _plain_names(value: ast.AST) -> list[str]:
    if isinstance(value, ast.Name):
        return [value.id]
    if isinstance(value, ast.IfExp):
        return _plain_names(value.body) + _plain_names(value.orelse)
    if isinstance(value, ast.BoolOp):
        return [name for part in value.values for name in _plain_names(part)]
    return []


def _optional_extra_call(events: list[CallEvent], text: str) -> Roles | None:
    """One call runs only under a flag of the module that none of the other calls needs (`if
    self.use_task_norm: task_token = self.decoder_norm(task_token)`): applying the norm there too is
    an option of the design, switched on by its own setting, not a slip of the pen."""
    arms = [flag_arms(e, text) for e in events]
    own = [set(a) - set().union(*(o for j, o in enumerate(arms) if j != i)) for i, a in enumerate(arms)]
    flagged = [i for i, flags in enumerate(own) if any(f.startswith("self.") and arms[i][f] for f in flags)]
    if len(flagged) != 1 or len(_distinct_sites(events)) < 2:
        return None
    flag = sorted(f for f in own[flagged[0]] if f.startswith("self."))[0]
    return Roles(True, N_("one call runs only when `{flag}` is set: an option of the design"), (("flag", flag),))


def _same_consumer(consumers: list[str | None]) -> Roles | None:
    first = consumers[0]
    if first is None or any(c != first for c in consumers[1:]):
        return None
    if first.startswith(MODULATION):
        return Roles(True, N_("every output is scaled by its own part of what {producer} computed (adaptive "
                              "normalization of several streams)"), (("producer", first[len(MODULATION):]),))
    return Roles(True, N_("every call feeds {consumer}: the same role each time"),
                 (("consumer", first.split("#", 1)[0].split("@", 1)[0]),))


def _named_inputs(events: list[CallEvent]) -> Roles | None:
    """An accident named by each call's own argument (`query`, `memory`), when they differ."""
    texts = list(dict.fromkeys(ast.unparse(e.node.args[0]) if e.node.args else "?" for e in events))
    if len(texts) == len(_distinct_sites(events)) and all(len(t) <= 40 for t in texts):
        return Roles(False, inputs=tuple(f"`{t}`" for t in texts))
    return None


def _consumer(call: ast.Call, function: ast.AST, index: "_Index", layer_calls: dict[tuple, str]) -> str | None:
    """The layer (or block held by self) that takes the call's output: directly, through tensor
    functions, or through one local variable (`h = self.norm(x)` … `self.head(h)`)."""
    node: ast.AST = call
    for _ in range(MAX_DEPTH):
        parent = index.parent(node)
        if parent is None:
            return None
        if isinstance(parent, ast.Call) and node is not parent.func:
            consumer = _layer_consumer(parent, node, layer_calls)
            if consumer is not None:
                return consumer
        elif isinstance(parent, ast.BinOp) and isinstance(parent.op, ast.Mult):
            modulation = _modulation(parent.right if node is parent.left else parent.left, call, function,
                                     layer_calls)
            if modulation:
                return modulation
        elif isinstance(parent, ast.Assign) and len(parent.targets) == 1 and isinstance(parent.targets[0], ast.Name):
            for use in _next_uses(parent.targets[0].id, parent, function):
                consumer = _consumer_of_use(use, function, index, layer_calls)
                if consumer is not None:
                    return consumer
            return None
        elif isinstance(parent, (ast.stmt, ast.List, ast.Tuple)):  # a merge of several inputs says no role
            return None
        node = parent
    return None


def _layer_consumer(parent: ast.Call, argument: ast.AST, layer_calls: dict[tuple, str]) -> str | None:
    """The layer call taking `argument`, with the slot it fills: the query and the memory of one
    attention are two roles, the first input of one mask predictor at every stage is one."""
    position = _position(parent)
    if position in layer_calls:
        name = layer_calls[position]
    elif _held_by_self(parent.func):
        name = f"`{_callee(parent.func)}`"
    else:
        return None
    slot = next((str(i) for i, a in enumerate(parent.args) if a is argument), None)
    slot = slot or next((k.arg or "**" for k in parent.keywords if k.value is argument), "?")
    return f"{name}@{slot}"


def _modulation(factor: ast.AST, call: ast.Call, function: ast.AST, layer_calls: dict[tuple, str]) -> str | None:
    """`self.norm(x) * (1 + scale) + shift` with `scale` computed by a layer: adaptive normalization,
    each stream modulated by its own slice of one conditioning projection (joint-attention DiTs)."""
    found: set[str] = set()
    _trace(factor, call, function, layer_calls, set(), found, 0)
    producers = sorted(_shown({origin for origin in found if origin.startswith("`")}))
    return MODULATION + ", ".join(producers) if producers else None


def _consumer_of_use(use: ast.Name, function: ast.AST, index: "_Index", layer_calls: dict[tuple, str]) -> str | None:
    node: ast.AST = use
    for _ in range(MAX_DEPTH):
        parent = index.parent(node)
        if parent is None or isinstance(parent, (ast.stmt, ast.List, ast.Tuple)):
            return None
        if isinstance(parent, ast.Call) and node is not parent.func:
            consumer = _layer_consumer(parent, node, layer_calls)
            if consumer is not None:
                return consumer
        node = parent
    return None


def _next_uses(name: str, statement: ast.stmt, function: ast.AST) -> list[ast.Name]:
    """The reads of `name` after the assignment and before the name is assigned again."""
    table = _table(function)
    after = (statement.end_lineno or 0, statement.end_col_offset or 0)
    first = bisect.bisect_right(table.starts, after)
    limit = next((n.lineno for n in table.statements[first:]
                  if n is not statement and _assigned_value(n, name) is not None), 10 ** 9)
    reads = table.loads.get(name, [])
    start = bisect.bisect_right(table.load_starts.get(name, []), after)
    return [n for n in reads[start:start + 4] if n.lineno <= limit]


def _compare(origins: list[frozenset[str]]) -> Roles:
    inputs = tuple(dict.fromkeys(" + ".join(sorted(_shown(o - {"<self>"}))) or "?" for o in origins))
    fed_back = [o for o in origins if o == frozenset({"<self>"})]
    if fed_back and all(o == frozenset({"<self>"}) or o == origins[0] for o in origins[1:]):
        return Roles(True, N_("re-applied to its own output"))
    producers = [frozenset(o for o in origin if o.startswith("`")) for origin in origins]
    first = producers[0]
    if first and all("<self>" not in o for o in origins) and all(p == first for p in producers[1:]):
        producer = ", ".join(sorted(_shown(first)))
        return Roles(True, N_("every call normalizes what {producer} produced: the same role each time"),
                     (("producer", producer),))
    return Roles(False, inputs=inputs)


def _shown(origins: set[str] | frozenset[str]) -> set[str]:
    return {origin.split("#", 1)[0] for origin in origins}


MAX_PAIRED = 64  # events compared pairwise for `one_call_per_walk`; past that, the sites are taken as they are


def one_call_per_walk(events: list[CallEvent]) -> bool:
    """Calls at several places of which one walk runs only one: the arms of `if isinstance(block,
    ResBlock): ... elif ...` in a loop over a list of blocks. Each block takes the arm its class picks
    at every iteration, so the reuse is the loop's, as if there were one call."""
    if len({id(event.node) for event in events}) < 2 or len(events) > MAX_PAIRED:
        return False
    return all(exclusive(first, second) for index, first in enumerate(events) for second in events[index + 1:]
               if first.node is not second.node)


def _distinct_sites(events: list[CallEvent]) -> list[ast.AST]:
    return list({id(event.site()): event.site() for event in events}.values())


def _position(node: ast.AST) -> tuple:
    return (getattr(node, "lineno", 0), getattr(node, "col_offset", 0),
            getattr(node, "end_lineno", 0), getattr(node, "end_col_offset", 0))


class _Index:
    """Every call of the file with its enclosing function and `if` arms, and every node's parent (the
    facts hold no parents). Built one top-level statement at a time, when a question first lands in it:
    the rules ask about the few functions that hold a shared layer's calls, and walking the whole file
    for them cost a tenth of checking transformers."""

    def __init__(self, tree: ast.Module | None):
        self._tree: ast.Module = tree if tree is not None else ast.Module(body=[], type_ignores=[])
        body = self._tree.body
        self._statements = body
        # Where each top-level statement starts, decorators included: a call may sit in a decorator.
        self._starts = [min([s.lineno, *(d.lineno for d in getattr(s, "decorator_list", ()))]) for s in body]
        self._done: set[int] = set()
        self._calls: dict[tuple, tuple[ast.Call, ast.AST]] = {}  # position -> (call, enclosing function or module)
        self._guards: dict[tuple, tuple[tuple[ast.If, str], ...]] = {}  # position -> the `if` arms around it
        self._parents: dict[int, ast.AST] = {}  # id(node) -> its parent

    def call(self, position: tuple) -> tuple[ast.Call, ast.AST] | None:
        self._cover(position[0])
        return self._calls.get(position)

    def guards(self, position: tuple) -> tuple[tuple[ast.If, str], ...]:
        self._cover(position[0])
        return self._guards.get(position, ())

    def parent(self, node: ast.AST) -> ast.AST | None:
        self._cover(getattr(node, "lineno", 0))
        return self._parents.get(id(node))

    def _cover(self, line: int) -> None:
        at = bisect.bisect_right(self._starts, line) - 1
        if at < 0 or at in self._done:
            return
        self._done.add(at)
        self._walk(self._statements[at])

    def _walk(self, statement: ast.stmt) -> None:
        calls, guards, parents = self._calls, self._guards, self._parents
        parents[id(statement)] = self._tree
        # An explicit stack, not recursion: generated code nests expressions deeper than Python recurses.
        stack: list[tuple[ast.AST, ast.AST, tuple]] = [(self._tree, statement, ())]
        while stack:
            scope, node, arms = stack.pop()
            if isinstance(node, (ast.If, ast.IfExp)):
                stack.append((scope, node.test, arms))
                body = node.body if isinstance(node.body, list) else [node.body]
                orelse = node.orelse if isinstance(node.orelse, list) else [node.orelse]
                for child in (node.test, *body, *orelse):
                    parents[id(child)] = node
                stack.extend((scope, child, arms + ((node, "body"),)) for child in body)
                stack.extend((scope, child, arms + ((node, "orelse"),)) for child in orelse)
                continue
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node is not scope:
                scope, arms = node, ()
            if isinstance(node, ast.Call):
                calls[_position(node)] = (node, scope)
                guards[_position(node)] = arms
            for field in node._fields:  # `ast.iter_child_nodes`, inlined: this visits every node it covers
                value = getattr(node, field, None)
                if isinstance(value, ast.AST):
                    parents[id(value)] = node
                    stack.append((scope, value, arms))
                elif isinstance(value, list):
                    for child in value:
                        if isinstance(child, ast.AST):
                            parents[id(child)] = node
                            stack.append((scope, child, arms))


_tables: dict[int, tuple[ast.AST, _Function]] = {}


def _table(function: ast.AST) -> _Function:
    """The function's statements and name reads, in order: collected once, not walked again for each
    call of a layer (a forward pass of 5,000 calls made role reading quadratic). Keyed by the node,
    kept beside it so that a reused id is never mistaken for it."""
    found = _tables.get(id(function))
    if found is None or found[0] is not function:
        if len(_tables) > 256:
            _tables.clear()
        found = _tables[id(function)] = (function, _Function.of(function))
    return found[1]


@dataclass
class _Function:
    starts: list[tuple[int, int]]  # each statement's (line, column), in order
    statements: list[ast.stmt]
    loads: dict[str, list[ast.Name]]  # name -> its reads, in order
    load_starts: dict[str, list[tuple[int, int]]]  # name -> its reads' (line, column), in order
    ifs: list[ast.If]
    loops: list[Any]  # the `for` and `while` statements
    binders: dict[str, list[ast.stmt]]  # name -> the statements that may bind it, in order
    binder_starts: dict[str, list[tuple[int, int]]]  # name -> their (line, column)

    @classmethod
    def of(cls, function: ast.AST) -> _Function:
        statements = sorted((n for n in ast.walk(function) if isinstance(n, ast.stmt)),
                            key=lambda n: (n.lineno, n.col_offset))
        loads: dict[str, list[ast.Name]] = {}
        for node in ast.walk(function):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                loads.setdefault(node.id, []).append(node)
        for reads in loads.values():
            reads.sort(key=lambda n: (n.lineno, n.col_offset))
        binders = _binders(statements)
        return cls([(n.lineno, n.col_offset) for n in statements], statements, loads,
                    {name: [(n.lineno, n.col_offset) for n in reads] for name, reads in loads.items()},
                    [n for n in statements if isinstance(n, ast.If)],
                    [n for n in statements if isinstance(n, (ast.For, ast.While))], binders,
                    {name: [(s.lineno, s.col_offset) for s in found] for name, found in binders.items()})


@functools.lru_cache(maxsize=4)
def _index(text: str) -> _Index:
    try:
        return _Index(parsed.tree_of(text))  # the checker's own parse, not a second one
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return _Index(None)


def _same_call(mine: ast.Call, theirs: ast.AST) -> bool:
    """The call found at the event's position is the event's call, not one of another file that
    happens to sit at the same line and column (an inherited forward)."""
    return (isinstance(theirs, ast.Call) and type(mine.func) is type(theirs.func)
            and len(mine.args) == len(theirs.args) and len(mine.keywords) == len(theirs.keywords)
            and _callee(mine.func) == _callee(theirs.func))


def unreachable(event: CallEvent, text: str) -> bool:
    """The call sits in an `if` arm that cannot run: `x = None` then `if x is not None:`, or a flag
    set to a literal just before (`use_aux = False` … `if use_aux:`)."""
    index = _index(text)
    position = _position(event.node)
    found = index.call(position)
    if found is None or not _same_call(found[0], event.node):
        return False
    function = found[1]
    return any(_arm_is_dead(branch, arm, function) for branch, arm in index.guards(position)
               if isinstance(branch, ast.If))


def flag_arms(event: CallEvent, text: str) -> dict[str, bool]:
    """The flags the call's conditional expressions and `if` statements test, and the value each
    needs for the call to run: `x if self.post_norm else self.norm(x)` -> {"self.post_norm": False};
    `if self.norm and not self.pre_norm:` -> {"self.norm": True, "self.pre_norm": False}. Only flags
    held by the module (`self.x`) count in `if` statements: a local flag may change in a loop."""
    arms: dict[str, bool] = {}
    for branch, arm in _index(text).guards(_position(event.node)):
        statement = isinstance(branch, ast.If)
        if arm == "body" and isinstance(branch.test, ast.BoolOp) and isinstance(branch.test.op, ast.And):
            tests = [(test, True) for test in branch.test.values]
        else:
            tests = [(branch.test, arm == "body")]
        for test, value in tests:
            while isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
                test, value = test.operand, not value
            if isinstance(test, ast.BoolOp) or (statement and not _held_by_self(test)):
                continue
            arms[ast.unparse(test)] = value
    return arms


def _arm_is_dead(branch: ast.If, arm: str, function: ast.AST) -> bool:
    test, wanted = branch.test, arm == "body"
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        test, wanted = test.operand, not wanted
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.comparators[0], ast.Constant) \
            and test.comparators[0].value is None and isinstance(test.ops[0], (ast.Is, ast.IsNot)):
        name, is_none = test.left, isinstance(test.ops[0], ast.Is)
        value = _literal_before(name, branch, function)
        return value is not _UNKNOWN and (value is None) != (is_none == wanted)
    value = _literal_before(test, branch, function)
    return value is not _UNKNOWN and bool(value) != wanted


_UNKNOWN = object()


def _literal_before(name: ast.AST, branch: ast.If, function: ast.AST) -> object:
    """The literal a local name holds when the `if` runs, if its reaching assignment is one and no
    loop could have changed it since."""
    if not isinstance(name, ast.Name):
        return _UNKNOWN
    reaching = _reaching_value(name, branch, function)
    if reaching is None or not isinstance(reaching[1], ast.Constant):
        return _UNKNOWN
    statement = reaching[0]
    for loop in ast.walk(function):  # a later assignment inside an enclosing loop may reach it too
        if isinstance(loop, (ast.For, ast.While)) and loop.lineno <= branch.lineno <= (loop.end_lineno or 0):
            if any(_assigned_value(s, name.id) is not None and s is not statement for s in ast.walk(loop)):
                return _UNKNOWN
    return reaching[1].value


def _origins(call: ast.Call, function: ast.AST, layer_calls: dict[tuple, str], own: set[tuple]) -> frozenset[str]:
    """Where the call's first input comes from: "`callee`" for the nearest layer call, "<self>" for
    another call of the shared instance, a parameter's or loop variable's name otherwise."""
    argument = call.args[0] if call.args else (call.keywords[0].value if call.keywords else None)
    if argument is None:
        return frozenset({"?"})
    found: set[str] = set()
    _trace(argument, call, function, layer_calls, own, found, 0)
    return frozenset(found or {"?"})


def _trace(node: ast.AST, use: ast.AST, function: ast.AST, layer_calls: dict[tuple, str], own: set[tuple],
           found: set[str], depth: int, visited: set | None = None) -> None:
    visited = set() if visited is None else visited
    if depth > MAX_DEPTH:
        found.add("?")
        return
    if (id(node), id(use)) in visited:
        return
    visited.add((id(node), id(use)))
    step = functools.partial(_trace, use=use, function=function, layer_calls=layer_calls, own=own,
                             found=found, depth=depth + 1, visited=visited)
    if isinstance(node, ast.Call):
        position = _position(node)
        if position in own:
            found.add("<self>")
        elif position in layer_calls:
            found.add(layer_calls[position])
        elif _held_by_self(node.func):  # a layer or block the analysis did not model
            found.add(f"`{_callee(node.func)}`")
        else:  # a function or tensor method: the data flows through it
            if isinstance(node.func, ast.Attribute):
                step(node.func.value)
            for argument in node.args:
                step(argument)
    elif isinstance(node, ast.Name):
        reaching = _reaching_value(node, use, function)
        if reaching is None:
            found.add(node.id)
        else:
            statement, value = reaching
            step(value, use=statement)
        carried = _loop_carried(node, use, reaching, function)
        if carried is not None:
            step(carried[1], use=carried[0])
    elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self":
        found.add(ast.unparse(node))
    elif isinstance(node, (ast.Subscript, ast.Attribute, ast.Starred)):
        step(node.value)
    elif isinstance(node, ast.BinOp):
        step(node.left)
        step(node.right)
    elif isinstance(node, ast.UnaryOp):
        step(node.operand)
    elif isinstance(node, (ast.Tuple, ast.List)):
        for element in node.elts:
            step(element)
    elif isinstance(node, ast.IfExp):
        step(node.body)
        step(node.orelse)


def _held_by_self(func: ast.expr) -> bool:
    """`self.block`, `self.blocks[i]`: a callable the module holds (not `self.f(x).chunk`)."""
    while isinstance(func, (ast.Attribute, ast.Subscript)):
        func = func.value
    return isinstance(func, ast.Name) and func.id == "self"


def _callee(func: ast.expr) -> str:
    """`self.blocks[i]` and `self.blocks[j]` are one family: drop the subscript."""
    text = ast.unparse(func)
    return re.sub(r"\[[^\]]*\]", "[]", text)


def _reaching_value(name: ast.Name, use: ast.AST, function: ast.AST) -> tuple[ast.stmt, ast.AST] | None:
    """The value of the nearest assignment to `name` completed before the use, in source order (a
    sketch of reaching definitions: loop-carried values are read from the textually preceding
    assignment; `x = f(x)` reads the x bound before it)."""
    before = (getattr(use, "lineno", 0), getattr(use, "col_offset", 0))
    table = _table(function)
    # Simple statements and loop heads do not overlap: walking back from the use, the first one that
    # binds the name and can reach the use is the nearest.
    binders = table.binders.get(name.id, [])
    for statement in reversed(binders[:bisect.bisect_right(table.binder_starts.get(name.id, []), before)]):
        value = _assigned_value(statement, name.id)
        if value is None:
            continue
        bound: Any = statement.iter if isinstance(statement, (ast.For, ast.AsyncFor)) else statement
        if (bound.end_lineno or 0, bound.end_col_offset or 0) <= before and not _apart(statement, use, function):
            return statement, value
    return None


def _loop_carried(name: ast.Name, use: ast.AST, reaching: tuple | None, function: ast.AST) -> tuple | None:
    """In a loop, a use that no assignment of the same iteration precedes also sees the value the
    previous iteration left: the last assignment in the loop body after the use."""
    line = getattr(use, "lineno", 0)
    loops: list[Any] = [n for n in _table(function).loops if n.body[0].lineno <= line <= (n.end_lineno or 0)]
    if not loops:
        return None
    loop = max(loops, key=lambda n: n.lineno)  # the innermost
    if reaching is not None and (reaching[0] is loop or reaching[0].lineno >= loop.body[0].lineno):
        return None  # bound by the loop itself, or earlier in this same iteration
    table = _table(function)
    inside = table.statements[bisect.bisect_right(table.starts, (line, 10 ** 9)):
                              bisect.bisect_right(table.starts, (loop.end_lineno or 0, 10 ** 9))]
    later = [(st.lineno, st, v) for st in inside for v in [_assigned_value(st, name.id)] if v is not None]
    if not later:
        return None
    _, statement, value = max(later, key=lambda item: item[0])
    return statement, value


def _apart(statement: ast.AST, use: ast.AST, function: ast.AST) -> bool:
    """The assignment and the use sit in the two arms of one `if`: the one never reaches the other."""
    line, used = getattr(statement, "lineno", 0), getattr(use, "lineno", 0)
    for branch in _ifs(function):
        if not branch.orelse:
            continue
        body = (branch.body[0].lineno, branch.body[-1].end_lineno or 0)
        orelse = (branch.orelse[0].lineno, branch.orelse[-1].end_lineno or 0)
        inside = [body[0] <= n <= body[1] for n in (line, used)], [orelse[0] <= n <= orelse[1] for n in (line, used)]
        if (inside[0][0] and inside[1][1]) or (inside[1][0] and inside[0][1]):
            return True
    return False


def _ifs(function: ast.AST) -> list[ast.If]:
    return _table(function).ifs


def _binders(statements: list[ast.stmt]) -> dict[str, list[ast.stmt]]:
    """Name -> the statements whose targets bind it (what `_assigned_value` may answer for)."""
    found: dict[str, list[ast.stmt]] = {}
    for statement in statements:
        if isinstance(statement, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        elif isinstance(statement, (ast.For, ast.AsyncFor)):
            targets = [statement.target]
        else:
            continue
        for target in targets:
            for node in ast.walk(target):
                if isinstance(node, ast.Name):
                    found.setdefault(node.id, []).append(statement)
    return found


def _assigned_value(statement: ast.AST, name: str) -> ast.AST | None:
    if isinstance(statement, ast.Assign):
        targets, value = statement.targets, statement.value
    elif isinstance(statement, ast.AugAssign):  # `x += f(y)` keeps what x was
        old = ast.copy_location(ast.Name(id=name, ctx=ast.Load()), statement)
        targets, value = [statement.target], ast.BinOp(left=old, op=statement.op, right=statement.value)
    elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
        targets, value = [statement.target], statement.value
    elif isinstance(statement, (ast.For, ast.AsyncFor)):
        return statement.iter if _binds(statement.target, name) else None
    else:
        return None
    return value if any(_binds(target, name) for target in targets) else None


def _binds(target: ast.AST, name: str) -> bool:
    """`x = …`, `x, y = …`, `*x, = …` bind x; `x.attr = …` and `x[i] = …` do not."""
    if isinstance(target, ast.Name):
        return target.id == name
    if isinstance(target, ast.Starred):
        return _binds(target.value, name)
    if isinstance(target, (ast.Tuple, ast.List)):
        return any(_binds(element, name) for element in target.elts)
    return False


SHARING_FLAG = re.compile(r"shar|tie|tying|reuse", re.IGNORECASE)


def flag_intent(node: ast.AST, text: str) -> tuple[str, tuple[tuple[str, str], ...]] | None:
    """An explicit flag chooses the sharing: the container is built under an `if` (or a conditional
    expression) whose test names sharing (`if config.share_bbox_head:`), or whose other arm builds
    separate copies (`copy.deepcopy`, a comprehension of constructors). Returns the reason."""
    position = _position(node)
    for branch in _branches(text):
        test = ast.unparse(branch.test)
        arms = [branch.body, branch.orelse]
        for arm, other in (arms, arms[::-1]):
            if not _contains(arm, position):
                continue
            if SHARING_FLAG.search(test):
                return N_("built under a flag that asks for sharing (`{flag}`)"), (("flag", test),)
            if _builds_copies(other):
                return (N_("the other arm of `{flag}` builds separate copies, so sharing here is a choice"),
                        (("flag", test),))
    return None


@functools.lru_cache(maxsize=4)
def _branches(text: str) -> tuple[ast.If | ast.IfExp, ...]:
    try:
        tree = parsed.tree_of(text)  # the checker's own parse
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return ()
    return tuple(n for n in ast.walk(tree) if isinstance(n, (ast.If, ast.IfExp)))


def _contains(arm: Any, position: tuple) -> bool:
    nodes = arm if isinstance(arm, list) else [arm]
    return any(_position(inner) == position for n in nodes for inner in ast.walk(n))


def _builds_copies(arm: Any) -> bool:
    nodes = arm if isinstance(arm, list) else [arm]
    for inner in (i for n in nodes for i in ast.walk(n)):
        if isinstance(inner, (ast.ListComp, ast.GeneratorExp)) and isinstance(inner.elt, ast.Call):
            return True
        if isinstance(inner, ast.Call) and "deepcopy" in ast.unparse(inner.func):
            return True
    return False


BUILDER_NAME = re.compile(r"build|make|create|setup|init", re.IGNORECASE)


def built_by_builder(node: ast.AST, text: str) -> bool:
    """The construction sits in a builder method (`_build_from_signature`, `_make_output_dense`)
    that `call()` reaches: the Keras 2 lazy-build idiom, which creates the state once."""
    found = _index(text).call(_position(node))
    if found is None or not _same_call(found[0], node):
        return False
    scope = found[1]
    return isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)) and bool(BUILDER_NAME.search(scope.name)) \
        and scope.name not in ("call", "forward", "__call__")


CACHING_DECORATORS = ("cache", "lru_cache", "cached_property", "cached")


def cached_on_self(node: ast.AST, text: str) -> bool:
    """The construction sits in a method whose decorator keeps the first result on the instance
    (`functools.cached_property`, or a decorator of this file that reads `getattr(self, key)` and
    stores with `setattr(self, key, ...)`, as BYOL/DINO's `@singleton('projector')` does): the layer
    is built once, lazily, and registered like any attribute."""
    found = _index(text).call(_position(node))
    if found is None or not _same_call(found[0], node):
        return False
    scope = found[1]
    if not isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    return any(_caches(decorator, text) for decorator in scope.decorator_list)


def _caches(decorator: ast.expr, text: str) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    name = target.attr if isinstance(target, ast.Attribute) else target.id if isinstance(target, ast.Name) else ""
    if name in CACHING_DECORATORS:
        return True
    definition = _module_functions(text).get(name)
    if definition is None:
        return False
    called = {_callee(n.func) for n in ast.walk(definition) if isinstance(n, ast.Call)}
    return {"getattr", "setattr"} <= called


@functools.lru_cache(maxsize=4)
def _module_functions(text: str) -> dict[str, ast.FunctionDef]:
    try:
        tree = parsed.tree_of(text)  # the checker's own parse
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return {}
    return {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}


SPLITTERS = ("chunk", "split", "unbind", "unstack", "tensor_split", "array_split")


def chunks_of_one_input(events: list[CallEvent], text: str) -> bool:
    """One call repeated by a loop over the pieces of one tensor (`for part in x.chunk(n):
    self.bn(part)`, `torch.split`, `tf.unstack`): ghost batch normalization and chunked evaluation.
    The pieces come from one batch, so even running statistics see a single distribution."""
    loop = events[0].loop
    if isinstance(loop, (ast.ListComp, ast.GeneratorExp, ast.SetComp, ast.DictComp)):
        loop = loop.generators[0]  # `[self.bn(part) for part in x.chunk(n)]`
    if len(_distinct_sites(events)) != 1 or not isinstance(loop, (ast.For, ast.AsyncFor, ast.comprehension)) \
            or not isinstance(loop.target, ast.Name):
        return False
    found = _index(text).call(_position(events[0].node))
    if found is None or not _same_call(found[0], events[0].node):
        return False
    call, function = found
    if not (call.args and isinstance(call.args[0], ast.Name) and call.args[0].id == loop.target.id):
        return False
    pieces: ast.AST = loop.iter
    if isinstance(pieces, ast.Name):
        reaching = _reaching_value(pieces, pieces, function)
        pieces = reaching[1] if reaching is not None else pieces
    return isinstance(pieces, ast.Call) and _callee(pieces.func).rsplit(".", 1)[-1] in SPLITTERS
