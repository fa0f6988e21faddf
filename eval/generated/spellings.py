"""One writer per spelling: how a layer instance reaches its call sites, written as a small program.

Every writer gets a `Draft` (framework vocabulary, a seeded random source, whether this program
reuses one instance) and returns the program's modules and the truth it means: what a real run
will show. The runner checks that claim against the real framework, so a writer that lies fails
the suite rather than skewing the figures.

Three program shapes cover the spellings:
  * two call sites: `h = FIRST(x); h = self.mid(h); return SECOND(h)`: the reused layer sees its
    input width `a` at the first site and `b` at the second (a crash when they differ);
  * a container applied in a loop: `for block in self.blocks: x = block(x)`: a repeated Dense of
    `u` units first sees `a` features, then its own `u` (a crash when they differ);
  * whole programs of their own (Sequential models, entry points, layers built in `call()`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from generated.vocab import Vocab

SHARED_TRUTH = {"bn": "stats", "ln": "norm", "dense": "weights"}
BATCH = 4


@dataclass
class Draft:
    """What a writer draws from: the framework's words, the random source, and the intent."""

    vocab: Vocab
    rng: random.Random
    reuse: bool
    kind: str = field(init=False)
    a0: int = field(init=False)  # input width of the model; a stem layer maps it to `a`
    a: int = field(init=False)  # input width of the first call site
    b: int = field(init=False)  # input width of the second call site
    u: int = field(init=False)  # units of a Dense / out_features of a Linear
    n: int = field(init=False)  # copies in a container

    def __post_init__(self) -> None:
        self.kind = self.rng.choice(("bn", "ln", "dense"))
        self.a0 = self.rng.randint(2, 12)
        self.a = self.rng.randint(2, 12)
        self.b = self.a if self.rng.random() < 0.5 else self.rng.choice([w for w in range(2, 13) if w != self.a])
        self.u = self.a if self.rng.random() < 0.5 else self.rng.randint(2, 12)
        self.n = self.rng.randint(2, 4)

    def layer(self, width_in: int | str, kind: str | None = None) -> str:
        """A fresh layer of this draft's kind fed `width_in` features."""
        return self.vocab.layer(kind or self.kind, width_in, self.u)

    @property
    def out(self) -> int:
        """The width the shared layer gives back (norms keep it, a Dense gives `u`)."""
        return self.u if self.kind == "dense" else self.a

    def split(self) -> bool:
        """Whether a helper goes to another module of the package (else it stays in model.py)."""
        return self.rng.random() < 0.7


@dataclass
class Written:
    """A program: its modules (name -> text, `model` has `build()` and `step(model)`) and its truth."""

    modules: dict[str, str]
    truth: str


# -- assembling modules ----------------------------------------------------------------------------
def _module(draft: Draft, body: str, imports: tuple[str, ...] = ()) -> str:
    extra = "".join(f"import {name}\n" for name in imports)
    return f"{extra}{draft.vocab.imports}\n\n{body.strip()}\n"


def _helpers(draft: Draft, helper: str, names: str, module: str, imports: tuple[str, ...] = ()
             ) -> tuple[dict[str, str], str, str]:
    """Where a helper lives: (other modules, import line for model.py, code to inline in model.py)."""
    if draft.split():
        return {module: _module(draft, helper, imports)}, f"from .{module} import {names}\n", ""
    return {}, "", helper


def _step(draft: Draft) -> str:
    return f"def build():\n    return Net()\n\n\ndef step(model):\n    return model({draft.vocab.input(BATCH, draft.a0)})\n"


def _stem(draft: Draft) -> str:
    """The model's first layer, from its input width a0 to a: the first call site's width is then
    stated in the source (a Keras model's input width is not), as in most real models."""
    return f"nn.Linear({draft.a0}, {draft.a})" if draft.vocab.torch else f"layers.Dense({draft.a})"


def _net(draft: Draft, init: list[str], body: list[str], *, helper: str = "", names: str = "",
         module: str = "blocks", imports: tuple[str, ...] = ()) -> dict[str, str]:
    """A package whose model.py defines `Net` (its __init__ runs `init`, its call/forward runs `body`
    on `x`), `build()` and `step(model)`; the helper goes to `module` or stays in model.py."""
    v = draft.vocab
    modules, import_line, inline = _helpers(draft, helper, names, module, imports) if helper else ({}, "", "")
    init_text = "".join(f"        {line}\n" for line in [f"self.stem = {_stem(draft)}", *init])
    body_text = "".join(f"        {line}\n" for line in ["x = self.stem(x)", *body])
    text = (f"{import_line}{inline}\n\nclass Net({v.model_base}):\n    def __init__(self):\n"
            f"        super().__init__()\n{init_text}\n    def {v.method}(self, x):\n{body_text}\n\n{_step(draft)}")
    modules["model"] = _module(draft, text, imports)
    return modules


def _mid(draft: Draft) -> str:
    """A fresh layer from the first site's output width to the second site's input width b."""
    return f"nn.Linear({draft.out}, {draft.b})" if draft.vocab.torch else f"layers.Dense({draft.b})"


def _two_sites(draft: Draft, init: list[str], first: str, second: str, *, prelude: tuple[str, ...] = (),
               **helper) -> dict[str, str]:
    """Net calls FIRST on its input (width a), a fresh `mid` that maps it to width b, then SECOND."""
    body = [*prelude, f"h = {first}(x)", "h = self.mid(h)", f"return {second}(h)"]
    return _net(draft, [*init, f"self.mid = {_mid(draft)}"], body, **helper)


def _shared_truth(draft: Draft) -> str:
    if not draft.reuse:
        return "clean"
    return "crash" if draft.a != draft.b else SHARED_TRUTH[draft.kind]


def _site_widths(draft: Draft) -> tuple[int, int]:
    """The width each call site's own instance is built for (the same instance: the first's)."""
    return draft.a, (draft.a if draft.reuse else draft.b)


# -- two call sites ---------------------------------------------------------------------------------
def attr_twice(d: Draft) -> Written:
    """Baseline: `self.shared` made in __init__ and called at both sites (equal or different widths)."""
    d.reuse = True
    return Written(_two_sites(d, [f"self.shared = {d.layer(d.a)}"], "self.shared", "self.shared"), _shared_truth(d))


def separate_instances(d: Draft) -> Written:
    """Baseline negative: one instance per call site."""
    d.reuse = False
    init = [f"self.first = {d.layer(d.a)}", f"self.second = {d.layer(d.b)}"]
    return Written(_two_sites(d, init, "self.first", "self.second"), "clean")


def stateless_reuse(d: Draft) -> Written:
    """Baseline negative: a stateless layer called at both sites holds nothing to share."""
    d.reuse, d.kind = True, "stateless"
    index = d.rng.randint(0, 2)
    return Written(_two_sites(d, [f"self.act = {d.vocab.stateless(index)}"], "self.act", "self.act"), "clean")


def _pair(d: Draft, first: str, second: str) -> list[str]:
    if d.reuse:
        return [f"layer = {d.layer(d.a)}", first.replace("{1}", "layer"), second.replace("{2}", "layer")]
    return [first.replace("{1}", d.layer(d.a)), second.replace("{2}", d.layer(d.b))]


def factory_module(d: Draft) -> Written:
    """`from .norms import make_layer`; `self.shared = make_layer(...)`."""
    helper = f"def make_layer(width_in, width_out):\n    return {d.vocab.layer(d.kind, 'width_in', 'width_out')}\n"
    w1, w2 = _site_widths(d)
    init = ([f"self.shared = make_layer({w1}, {d.u})"] if d.reuse else
            [f"self.first = make_layer({w1}, {d.u})", f"self.second = make_layer({w2}, {d.u})"])
    first, second = ("self.shared", "self.shared") if d.reuse else ("self.first", "self.second")
    return Written(_two_sites(d, init, first, second, helper=helper, names="make_layer", module="norms"),
                   _shared_truth(d))


def _block_class(d: Draft) -> str:
    v = d.vocab
    return (f"class Block({v.layer_base}):\n    def __init__(self, width_in, width_out):\n        super().__init__()\n"
            f"        self.inner = {v.layer(d.kind, 'width_in', 'width_out')}\n\n"
            f"    def {v.method}(self, x):\n        return self.inner(x)\n")


def block_class_module(d: Draft) -> Written:
    """A block class from another module used as a value: `self.shared = Block(...)` called twice."""
    w1, w2 = _site_widths(d)
    init = ([f"self.shared = Block({w1}, {d.u})"] if d.reuse else
            [f"self.first = Block({w1}, {d.u})", f"self.second = Block({w2}, {d.u})"])
    first, second = ("self.shared", "self.shared") if d.reuse else ("self.first", "self.second")
    truth = _shared_truth(d)
    truth = "tower" if truth == "stats" else truth  # the shared object is the Block around the BatchNorm
    return Written(_two_sites(d, init, first, second, helper=_block_class(d), names="Block"), truth)


def block_on_its_output(d: Draft) -> Written:
    """A block built with stated sizes applied to its own output: `self.block(self.block(x))` with
    `Block(8, 16)` feeds 16 features to a layer sized for 8 (negative: a second block for the second
    width)."""
    out = d.u if d.kind == "dense" else d.a
    if d.reuse:
        init, body = [f"self.shared = Block({d.a}, {d.u})"], ["return self.shared(self.shared(x))"]
        truth = "crash" if out != d.a else {"bn": "tower", "ln": "norm", "dense": "weights"}[d.kind]
    else:
        init = [f"self.first = Block({d.a}, {d.u})", f"self.second = Block({out}, {d.u})"]
        body, truth = ["return self.second(self.first(x))"], "clean"
    return Written(_net(d, init, body, helper=_block_class(d), names="Block"), truth)


def ctor_arg_block(d: Draft) -> Written:
    """One instance passed twice to a block's constructor, which calls both: `Pair(layer, layer, mid)`."""
    v = d.vocab
    helper = (f"class Pair({v.layer_base}):\n    def __init__(self, first, second, mid):\n        super().__init__()\n"
              f"        self.first = first\n        self.second = second\n        self.mid = mid\n\n"
              f"    def {v.method}(self, x):\n        h = self.first(x)\n        h = self.mid(h)\n"
              f"        return self.second(h)\n")
    if d.reuse:
        init = [f"layer = {d.layer(d.a)}", f"self.pair = Pair(layer, layer, {_mid(d)})"]
    else:
        init = [f"self.pair = Pair({d.layer(d.a)}, {d.layer(d.b)}, {_mid(d)})"]
    return Written(_net(d, init, ["return self.pair(x)"], helper=helper, names="Pair"), _shared_truth(d))


def two_wrappers(d: Draft) -> Written:
    """One instance given to two wrapper layers: `Wrapper(layer)`, `Wrapper(layer)`."""
    v = d.vocab
    helper = (f"class Wrapper({v.layer_base}):\n    def __init__(self, inner):\n        super().__init__()\n"
              f"        self.inner = inner\n\n    def {v.method}(self, x):\n        return self.inner(x)\n")
    init = _pair(d, "self.first = Wrapper({1})", "self.second = Wrapper({2})")
    return Written(_two_sites(d, init, "self.first", "self.second", helper=helper, names="Wrapper"),
                   _shared_truth(d))


def setattr_fstring(d: Draft) -> Written:
    """`setattr(self, f"site{i}", layer)` in a loop with one hoisted instance."""
    if d.reuse:
        init = [f"layer = {d.layer(d.a)}", "for i in range(2):", '    setattr(self, f"site{i}", layer)']
    else:
        init = [f"for i, width in enumerate(({d.a}, {d.b})):", f'    setattr(self, f"site{{i}}", {d.layer("width")})']
    return Written(_two_sites(d, init, "self.site0", "self.site1"), _shared_truth(d))


def getattr_fstring(d: Draft) -> Written:
    """`getattr(self, f"site{index}")` where both sites name the same index."""
    init = [f"self.site0 = {d.layer(d.a)}", f"self.site1 = {d.layer(d.b)}"]
    prelude = (f"first, second = 0, {0 if d.reuse else 1}",)
    return Written(_two_sites(d, init, 'getattr(self, f"site{first}")', 'getattr(self, f"site{second}")',
                              prelude=prelude), _shared_truth(d))


def default_argument(d: Draft) -> Written:
    """`def __init__(self, heads=(Layer(),))`: the default is built once and shared by every Tower."""
    v = d.vocab
    if d.reuse:
        signature, heads = f"self, heads=({d.layer(d.a)},)", "list(heads)"
        init = ["self.first = Tower()", "self.second = Tower()"]
    else:
        signature = "self, width, heads=None"
        heads = f"list(heads) if heads is not None else [{d.layer('width')}]"
        init = [f"self.first = Tower({d.a})", f"self.second = Tower({d.b})"]
    helper = (f"class Tower({v.layer_base}):\n    def __init__({signature}):\n        super().__init__()\n"
              f"        self.heads = {v.container(heads)}\n\n    def {v.method}(self, x):\n"
              f"        for head in self.heads:\n            x = head(x)\n        return x\n")
    return Written(_two_sites(d, init, "self.first", "self.second", helper=helper, names="Tower"),
                   _shared_truth(d))


def partial_ctor(d: Draft) -> Written:
    """`make = functools.partial(Layer, ...)`; `self.shared = make(...)`."""
    v = d.vocab
    cls = v.layer_class(d.kind)
    if v.torch:
        bound = f"out_features={d.u}" if d.kind == "dense" else "eps=1e-5" if d.kind == "ln" else "momentum=0.1"
        args = lambda width: str(width)  # noqa: E731
    else:
        bound = f"{d.u}" if d.kind == "dense" else "epsilon=1e-3"
        args = lambda width: ""  # noqa: E731
    w1, w2 = _site_widths(d)
    init = [f"make = functools.partial({cls}, {bound})"]
    if d.reuse:
        init.append(f"self.shared = make({args(w1)})")
        first = second = "self.shared"
    else:
        init += [f"self.first = make({args(w1)})", f"self.second = make({args(w2)})"]
        first, second = "self.first", "self.second"
    return Written(_two_sites(d, init, first, second, imports=("functools",)), _shared_truth(d))


def attribute_alias(d: Draft) -> Written:
    """`self.second = self.first`, replaced by its own instance only if a flag asks."""
    if not d.reuse:
        init = [f"self.first = {d.layer(d.a)}", f"self.second = {d.layer(d.b)}"]
    elif d.rng.random() < 0.5:
        init = [f"self.first = {d.layer(d.a)}", "self.second = self.first"]
    else:
        init = ["separate = False", f"self.first = {d.layer(d.a)}", "self.second = self.first",
                "if separate:", f"    self.second = {d.layer(d.b)}"]
    return Written(_two_sites(d, init, "self.first", "self.second"), _shared_truth(d))


def stated_sizes(d: Draft) -> Written:
    """Widths stated by expressions, not literals: an attribute set to a constant (`self.width = 8`,
    then `nn.Linear(self.width, 4)`), arithmetic and size functions (`self.hidden = 5 + 1`, `max(6, 2)`,
    `int(6 * 1.0)`), as real models write `nn.Linear(16 * 5 * 5, 120)` and `int(dim * mlp_ratio)`."""
    v = d.vocab
    hidden = d.rng.choice((f"{d.b - 1} + 1", f"max({d.b}, 2)", f"int({d.b} * 1.0)", f"2 * {d.b} // 2"))
    init = [f"self.width = {d.a}", f"self.hidden = {hidden}", f"self.first = {v.layer(d.kind, 'self.width', d.u)}"]
    if d.reuse:
        init.append("self.second = self.first")
    else:
        init.append(f"self.second = {v.layer(d.kind, 'self.hidden', d.u)}")
    mid = f"nn.Linear({d.out}, self.hidden)" if v.torch else "layers.Dense(self.hidden)"
    body = ["h = self.first(x)", "h = self.mid(h)", "return self.second(h)"]
    return Written(_net(d, [*init, f"self.mid = {mid}"], body), _shared_truth(d))


def lazy_two_widths(d: Draft) -> Written:
    """PyTorch lazy modules are sized by their first call, like Keras layers."""
    if d.kind == "ln":
        d.kind = "dense"
    lazy = d.vocab.lazy(d.kind, d.u)
    init = [f"self.shared = {lazy}"] if d.reuse else [f"self.first = {lazy}", f"self.second = {lazy}"]
    first, second = ("self.shared", "self.shared") if d.reuse else ("self.first", "self.second")
    return Written(_two_sites(d, init, first, second), _shared_truth(d))


# -- containers applied in a loop -------------------------------------------------------------------
def _container_truth(d: Draft) -> str:
    if not d.reuse:
        return "clean"
    return "crash" if d.kind == "dense" and d.a != d.u else "repeat"


def _chained(d: Draft) -> str:
    """The input width of fresh block `i` in a comprehension: a Linear after a Linear sees `u`."""
    return f"{d.a} if i == 0 else {d.u}" if d.vocab.torch and d.kind == "dense" else f"{d.a}"


def _loop_net(d: Draft, init: list[str], blocks: str, **helper) -> dict[str, str]:
    init = [*init, f"self.blocks = {d.vocab.container(blocks)}"]
    return _net(d, init, ["for block in self.blocks:", "    x = block(x)", "return x"], **helper)


def list_times_n(d: Draft) -> Written:
    """Baseline: `[Layer(...)] * n` (negative: a comprehension)."""
    blocks = f"[{d.layer(d.a)}] * {d.n}" if d.reuse else f"[{d.layer(_chained(d))} for i in range({d.n})]"
    return Written(_loop_net(d, [], blocks), _container_truth(d))


def repeat_in_concat(d: Draft) -> Written:
    """`[first] + [block] * n + [last]`."""
    v = d.vocab
    middle = f"[{d.layer(d.a)}] * {d.n}" if d.reuse else f"[{d.layer(_chained(d))} for i in range({d.n})]"
    return Written(_loop_net(d, [], f"[{v.stateless(0)}] + {middle} + [{v.stateless(1)}]"), _container_truth(d))


def itertools_repeat(d: Draft) -> Written:
    """`list(itertools.repeat(block, n))`."""
    blocks = (f"list(itertools.repeat({d.layer(d.a)}, {d.n}))" if d.reuse else
              f"[{d.layer(_chained(d))} for i, _ in enumerate(itertools.repeat(None, {d.n}))]")
    return Written(_loop_net(d, [], blocks, imports=("itertools",)), _container_truth(d))


def append_hoisted(d: Draft) -> Written:
    """A list filled by `append` in a loop with one instance made before the loop."""
    if d.reuse:
        init = ["blocks = []", f"block = {d.layer(d.a)}", f"for i in range({d.n}):", "    blocks.append(block)"]
    else:
        init = ["blocks = []", f"for i in range({d.n}):", f"    blocks.append({d.layer(_chained(d))})"]
    return Written(_loop_net(d, init, "blocks"), _container_truth(d))


def factory_times_n(d: Draft) -> Written:
    """`[make_block(...)] * n` where the factory (maybe in another module) returns a layer."""
    helper = f"def make_block(width_in, width_out):\n    return {d.vocab.layer(d.kind, 'width_in', 'width_out')}\n"
    blocks = (f"[make_block({d.a}, {d.u})] * {d.n}" if d.reuse else
              f"[make_block({_chained(d)}, {d.u}) for i in range({d.n})]")
    return Written(_loop_net(d, [], blocks, helper=helper, names="make_block", module="factories"),
                   _container_truth(d))


def class_alias(d: Draft) -> Written:
    """`block_cls = Layer; [block_cls(...)] * n`."""
    v = d.vocab
    args = lambda width: v.layer_args(d.kind, width, d.u)  # noqa: E731
    blocks = (f"[block_cls({args(d.a)})] * {d.n}" if d.reuse else
              f"[block_cls({args(_chained(d))}) for i in range({d.n})]")
    return Written(_loop_net(d, [f"block_cls = {v.layer_class(d.kind)}"], blocks), _container_truth(d))


# -- Sequential models --------------------------------------------------------------------------------
def _sequential_program(d: Draft, lines: list[str]) -> dict[str, str]:
    body = "".join(f"    {line}\n" for line in lines)
    text = f"def build():\n{body}\n\ndef step(model):\n    return model({d.vocab.input(BATCH, d.a0)})\n"
    return {"model": _module(d, text)}


def _sequence_items(d: Draft) -> tuple[list[str], list[str]]:
    """(statements before, items): one layer listed n times (reuse) or n fresh chained layers,
    with a stateless layer between some of them."""
    items: list[str] = [_stem(d)]
    for i in range(d.n):
        if i and d.rng.random() < 0.5:  # a stateless layer between two of them
            items.append(d.vocab.stateless(i))
        items.append("layer" if d.reuse else d.layer(d.a if i == 0 or d.kind != "dense" else d.u))
    return ([f"layer = {d.layer(d.a)}"] if d.reuse else []), items


def _sequence_truth(d: Draft) -> str:
    """tf_keras keeps one copy of a layer listed twice in a Sequential (the later listing is dropped
    without a word), so its run shares nothing and cannot crash; Keras 3 and PyTorch keep both."""
    return "clean" if d.vocab.framework == "tf_keras" else _container_truth(d)


def sequential_twice(d: Draft) -> Written:
    """One layer listed several times in one `Sequential`."""
    before, items = _sequence_items(d)
    return Written(_sequential_program(d, [*before, f"return {d.vocab.sequential(items)}"]), _sequence_truth(d))


def sequential_input_twice(d: Draft) -> Written:
    """One layer listed several times in a Keras `Sequential` that starts with an `Input` (in the list or
    added first): the model is built at once, each listing called on the output before it. tf_keras, which keeps one slot of a
    layer listed twice when it builds later, then calls it at every listing too (its `model.layers`
    still shows it once, so its run shares or crashes without a repeated container)."""
    before, items = _sequence_items(d)
    items = [f"{d.vocab.package}.Input(shape=({d.a0},))", *items]
    truth = _container_truth(d)
    if d.vocab.framework == "tf_keras" and truth == "repeat":
        truth = SHARED_TRUTH[d.kind]
    if d.rng.random() < 0.5:  # `model.add(Input(...))` first, then the listings
        lines = [*before, f"model = {d.vocab.package}.Sequential()", *(f"model.add({i})" for i in items), "return model"]
    else:
        lines = [*before, f"return {d.vocab.sequential(items)}"]
    return Written(_sequential_program(d, lines), truth)


def model_add_twice(d: Draft) -> Written:
    """`model.add(layer)` several times (Keras)."""
    before, items = _sequence_items(d)
    adds = [f"model.add({item})" for item in items]
    lines = [*before, f"model = {d.vocab.package}.Sequential()", *adds, "return model"]
    return Written(_sequential_program(d, lines), _sequence_truth(d))


# -- layers built where each call builds them again -----------------------------------------------------
def _head(d: Draft) -> str:
    return f"nn.Linear({d.u}, 3)" if d.vocab.torch else "layers.Dense(3)"


def _entry_net(d: Draft, extra_init: list[str], methods: str) -> str:
    v = d.vocab
    init = "".join(f"        {line}\n" for line in [f"self.body = {d.layer(d.a, 'dense')}", *extra_init])
    return (f"class Net({v.model_base}):\n    def __init__(self):\n        super().__init__()\n{init}\n"
            f"    def {v.method}(self, x):\n        return self.body(x)\n{methods}")


def train_step_builds(d: Draft) -> Written:
    """A layer constructed in a custom `train_step` gets fresh weights at each step (LL005)."""
    v = d.vocab
    head = "head = " + _head(d) if d.reuse else "head = self.head"
    extra = [] if d.reuse else [f"self.head = {_head(d)}"]
    if v.torch:  # a training-loop step function
        head = "head = " + _head(d) if d.reuse else "head = model.head"
        fn = (f"\n\ndef train_step(model, x):\n    {head}\n    return head(model(x))\n")
        text = (f"{_entry_net(d, extra, '')}{fn}\n\ndef build():\n    return Net()\n\n\n"
                f"def step(model):\n    return train_step(model, {v.input(BATCH, d.a)})\n")
    else:
        method = (f"\n    def train_step(self, data):\n        x, y = data\n        {head}\n"
                  f"        return {{\"out\": head(self(x))}}\n")
        x = v.input(BATCH, d.a)
        text = (f"{_entry_net(d, extra, method)}\n\ndef build():\n    return Net()\n\n\n"
                f"def step(model):\n    x = {x}\n    return model.train_step((x, x))\n")
    return Written({"model": _module(d, text)}, "per_call" if d.reuse else "clean")


def tf_function_builds(d: Draft) -> Written:
    """A layer constructed in a `@tf.function` step (TensorFlow refuses the second trace's variables)."""
    head = "head = " + _head(d) if d.reuse else "head = model.head"
    extra = [] if d.reuse else [f"self.head = {_head(d)}"]
    fn = f"\n\n@tf.function\ndef predict_step(model, x):\n    {head}\n    return head(model(x))\n"
    text = (f"{_entry_net(d, extra, '')}{fn}\n\ndef build():\n    return Net()\n\n\n"
            f"def step(model):\n    return predict_step(model, {d.vocab.input(BATCH, d.a)})\n")
    return Written({"model": _module(d, text, ("tensorflow as tf",))}, "per_call" if d.reuse else "clean")


def assign_in_call(d: Draft) -> Written:
    """`self.proj = Layer(...)` assigned in call()/forward() without a guard (negative: in __init__)."""
    layer = d.layer(d.a, "dense")
    if d.reuse:
        init, body = ["self.scale = 2.0"], [f"self.proj = {layer}", "return self.proj(x) * self.scale"]
    else:
        init, body = [f"self.proj = {layer}", "self.scale = 2.0"], ["return self.proj(x) * self.scale"]
    return Written(_net(d, init, body), "per_call" if d.reuse else "clean")


# -- more roads: builders, shared lists, functional helpers ---------------------------------------------
def builder_every_slot(d: Draft) -> Written:
    """A builder (maybe in another module) that puts the layer it is handed in every slot."""
    helper = ("def fill(layer, n):\n    return [layer for _ in range(n)]\n\n\n"
              "def stack(make, n):\n    return [make(i) for i in range(n)]\n")
    blocks = (f"fill({d.layer(d.a)}, {d.n})" if d.reuse else
              f"stack(lambda i: {d.layer(_chained(d))}, {d.n})")
    return Written(_loop_net(d, [], blocks, helper=helper, names="fill, stack", module="builders"),
                   _container_truth(d))


def two_sequentials(d: Draft) -> Written:
    """One list of layer objects given to two Sequential models."""
    v = d.vocab
    if d.reuse:
        init = [f"shared = [{d.layer(d.a)}]", f"self.first = {v.sequential(['*shared'])}",
                f"self.second = {v.sequential(['*shared'])}"]
    else:
        init = [f"self.first = {v.sequential([d.layer(d.a)])}", f"self.second = {v.sequential([d.layer(d.b)])}"]
    return Written(_two_sites(d, init, "self.first", "self.second"), _shared_truth(d))


def functional_builders(d: Draft) -> Written:
    """Keras functional API: one layer handed to a helper that applies it, at two places of the graph."""
    v = d.vocab
    pkg = v.package
    first, second = ("layer", "layer") if d.reuse else (d.layer(d.a), d.layer(d.b))
    body = [*([f"layer = {d.layer(d.a)}"] if d.reuse else []), f"inputs = {pkg}.Input(shape=({d.a0},))",
            f"h = layers.Dense({d.a})(inputs)", f"h = apply(h, {first})", f"h = layers.Dense({d.b})(h)",
            f"outputs = apply(h, {second})", f"return {pkg}.Model(inputs, outputs)"]
    helper = "def apply(x, layer):\n    return layer(x)\n"
    modules, import_line, inline = _helpers(d, helper, "apply", "blocks")
    lines = "".join(f"    {line}\n" for line in body)
    text = (f"{import_line}{inline}\n\ndef build():\n{lines}\n\ndef step(model):\n"
            f"    return model({v.input(BATCH, d.a0)})\n")
    modules["model"] = _module(d, text)
    return Written(modules, _shared_truth(d))


def lambda_applies_n(d: Draft) -> Written:
    """A Keras `Lambda` that applies one layer n times through a helper (negative: n layers in turn)."""
    helper = ("def apply_n(layer, t, n):\n    for _ in range(n):\n        t = layer(t)\n    return t\n\n\n"
              "def chain(layers_, t):\n    for layer in layers_:\n        t = layer(t)\n    return t\n")
    if d.reuse:
        init = [f"self.layer = {d.layer(d.a)}", f"self.repeat = layers.Lambda(lambda t: apply_n(self.layer, t, {d.n}))"]
    else:
        init = [f"self.chained = [{d.layer(d.a)} for i in range({d.n})]",
                "self.repeat = layers.Lambda(lambda t: chain(self.chained, t))"]
    truth = "clean" if not d.reuse else "crash" if d.kind == "dense" and d.a != d.u else SHARED_TRUTH[d.kind]
    return Written(_net(d, init, ["return self.repeat(x)"], helper=helper, names="apply_n, chain"), truth)
