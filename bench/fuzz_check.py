"""A long fuzzing run of the static checker: no crash, and no file over 2 s (issue 17, "Done when").

Generates N programs (seeded: program i is the same for the same --seed) from three families, mixed
so that a run cut short by --time-budget still holds every kind:
  grammar   -- hypothesmith `from_grammar` programs (a pool generated once per seed and cached outside
               the repo, since hypothesmith needs ~0.1 s a program), plain, after a model header, and
               inside a model's `call()`;
  model     -- Keras 3 / tf.keras / tf_keras / PyTorch models of many shapes: containers, decorators,
               helper chains, lambdas, match, comprehensions, walrus, noqa comments, functional
               builders, written with tabs, CRLF, form feeds or unicode line separators;
  adversarial -- deep nested loops (up to 12 levels, literal tuples of up to 32 elements), thousands
               of calls of one layer, 600-term expressions, huge literals, recursion-heavy helper
               chains and fan-outs, classes defined several times, deep nesting of ifs/calls/defs.

Each program is checked with `layerlint.api.check_text` (every rule selected) in ONE worker process
with a hard timeout per program (the worker is killed and restarted when it runs out, so a hang costs
the timeout and is counted, not waited for). For a sample, `api.fix_bytes(unsafe=True)` runs too: the
fixed text must parse and a second fix must change nothing. Recorded: crashes (an exception, a dead
worker, or an LL903 internal error), LL9xx "gave up" results, the time of each check. Printed: counts,
crashes with a reproducer saved in a temporary folder, time percentiles per category, the slowest
programs, and how many took over 2 s (timeouts included).

    python bench/fuzz_check.py [-n 20000] [--seed 0] [--timeout 5] [--time-budget SECONDS]
                               [--fix-every 10] [--src DIR] [--only INDEX] [--json FILE]
                               [--categories deep_loops,many_calls]

`--src DIR` checks with the layerlint found in DIR (for example a `git archive` of a branch) instead of
the installed one. Exit code 0 when nothing crashed and nothing took over 2 s, else 1.
"""

from __future__ import annotations

import argparse
import ast
import json
import multiprocessing
import os
import random
import resource
import sys
import tempfile
import time
import traceback
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

SLOW = 2.0  # seconds: the limit issue 17 sets for one file
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "layerlint-bench"

# --- frameworks -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Framework:
    name: str
    header: str
    base: str
    method: str  # call() or forward()
    prefix: str  # where layer classes are looked up
    sequential: str
    layers: tuple[str, ...]  # constructors, {n} is a size


KERAS_LAYERS = ("Dense({n})", "Conv2D({n}, 3)", "BatchNormalization()", "LayerNormalization()", "Dropout(0.1)",
                "Embedding(100, {n})", "LSTM({n})", "Flatten()", "ReLU()", "Conv1D({n}, 3, padding='same')")
TORCH_LAYERS = ("Linear({n}, {n})", "Conv2d({n}, {n}, 3)", "BatchNorm2d({n})", "LayerNorm({n})", "Dropout(0.1)",
                "ReLU()", "LazyLinear({n})", "Embedding(100, {n})", "LSTM({n}, {n})", "BatchNorm1d({n})")
FRAMEWORKS = (
    Framework("keras", "import keras\nfrom keras import layers, Model\n", "Model", "call", "layers.",
              "keras.Sequential", KERAS_LAYERS),
    Framework("tf.keras", "import tensorflow as tf\n", "tf.keras.Model", "call", "tf.keras.layers.",
              "tf.keras.Sequential", KERAS_LAYERS),
    Framework("tf_keras", "import tf_keras\nfrom tf_keras import layers\n", "tf_keras.layers.Layer", "call",
              "layers.", "tf_keras.Sequential", KERAS_LAYERS),
    Framework("torch", "import torch\nfrom torch import nn\n", "nn.Module", "forward", "nn.", "nn.Sequential",
              TORCH_LAYERS),
)


def layer(rng: random.Random, fw: Framework) -> str:
    return fw.prefix + rng.choice(fw.layers).format(n=rng.choice((1, 3, 4, 8, 16, 64)))


def indent(text: str, level: int) -> str:
    pad = "    " * level
    return "".join(pad + line if line.strip() else line for line in text.splitlines(keepends=True))


def model_class(fw: Framework, name: str, init: list[str], body: list[str], extra: str = "",
                decorator: str = "", signature: str = "self, x, training=False") -> str:
    """A model class whose __init__ and call()/forward() hold the given statement lines."""
    head = f"class {name}({fw.base}):\n    def __init__(self):\n        super().__init__()\n"
    method = f"    {decorator}\n" if decorator else ""
    method += f"    def {fw.method}({signature}):\n"
    return head + indent("\n".join(init) + "\n", 2) + method + indent("\n".join(body + ["return x"]) + "\n", 2) + extra


# --- generated models -------------------------------------------------------------------------------


class ModelWriter:
    """One random model: layers created in __init__ (some in containers), a call()/forward() built from
    random statements that reuse them in the ways users write, and helpers it calls."""

    def __init__(self, rng: random.Random, fw: Framework):
        self.rng, self.fw = rng, fw
        self.names = [f"l{i}" for i in range(rng.randint(1, 6))]
        self.helpers: list[str] = []

    def init_lines(self) -> list[str]:
        rng, fw = self.rng, self.fw
        lines = [f"self.{name} = {layer(rng, fw)}" for name in self.names]
        n = rng.randint(1, 6)
        form = rng.randrange(6)
        if form == 0:
            lines.append(f"self.blocks = [{layer(rng, fw)} for _ in range({n})]")
        elif form == 1:
            lines.append(f"self.blocks = [{layer(rng, fw)}] * {n}")
        elif form == 2:
            lines.append(f"self.blocks = {fw.sequential}([self.{self.names[0]}, self.{self.names[-1]}])")
        elif form == 3:
            lines.append(f"self.blocks = {{'a': self.{self.names[0]}, 'b': {layer(rng, fw)}}}.values()")
        elif form == 4:
            lines += [f"shared = {layer(rng, fw)}", f"for i in range({n}):", "    setattr(self, f'b{i}', shared)",
                      "self.blocks = [shared]"]
        else:
            lines.append(f"self.blocks = ({layer(rng, fw)}, self.{rng.choice(self.names)})")
        if fw.name == "torch" and rng.random() < 0.3:
            lines.append("self.blocks = nn.ModuleList(list(self.blocks))")
        return lines

    def call(self) -> str:
        name = self.rng.choice(self.names)
        return f"self.{name}(x)" if self.rng.random() < 0.8 else f"self.{name}(self.{self.rng.choice(self.names)}(x))"

    def statements(self, depth: int, count: int) -> list[str]:
        lines: list[str] = []
        for _ in range(count):
            lines += self.statement(depth)
        return lines or ["pass"]

    def nested(self, depth: int) -> list[str]:
        return indent("\n".join(self.statements(depth + 1, self.rng.randint(1, 3))), 1).splitlines()

    def statement(self, depth: int) -> list[str]:
        rng = self.rng
        kind = rng.randrange(16) if depth < 3 else rng.randrange(5)
        if kind <= 1:
            return [f"x = {self.call()}"]
        if kind == 2:
            return [f"y = {self.call()}", "x = x + y"]
        if kind == 3:
            return ["for blk in self.blocks:", "    x = blk(x)"]
        if kind == 4:
            return [f"x = {self.call()}  # noqa" + rng.choice(("", ": LL001", ": LL001, LL003", ": E501"))]
        if kind == 5:
            return [f"for i in range({rng.randint(1, 4)}):"] + self.nested(depth)
        if kind == 6:
            return ["if training:"] + self.nested(depth) + ["else:"] + self.nested(depth)
        if kind == 7:
            return ["n = 0", "while n < 3:"] + self.nested(depth) + ["    n += 1"]
        if kind == 8:
            return ["match self.mode if hasattr(self, 'mode') else 0:", "    case 0:"] + indent(
                "\n".join(self.nested(depth)), 1).splitlines() + ["    case 'a' | 'b':", f"        x = {self.call()}",
                                                         "    case _:", "        pass"]
        if kind == 9:
            return [f"f = lambda t: self.{rng.choice(self.names)}(t)", "x = f(f(x))"]
        if kind == 10:
            return [f"x = self.{self.helper()}(x)"]
        if kind == 11:
            return ["try:"] + self.nested(depth) + ["except ValueError:", "    pass", "finally:", "    x = x"]
        if kind == 12:
            return [f"outs = [self.{rng.choice(self.names)}(x) for _ in range({rng.randint(1, 3)})]", "x = outs[0]"]
        if kind == 13:
            return [f"if (y := {self.call()}) is not None:", "    x = y"]
        if kind == 14:
            return ["for i, blk in enumerate(self.blocks):", "    if i % 2:", "        continue", "    x = blk(x)"]
        return [f"with {rng.choice(('contextlib.nullcontext()', 'open(__file__)'))} as _ctx:"] + self.nested(depth)

    def helper(self) -> str:
        """A helper method, sometimes the head of a chain of helpers, sometimes calling itself back."""
        first = len(self.helpers)
        length = self.rng.choice((1, 1, 1, 2, 3, 8))
        for step in range(length):
            tail = f"self._h{first + step + 1}(x)" if step < length - 1 else "x"
            if step == length - 1 and self.rng.random() < 0.1:
                tail = f"self._h{first}(x) if x is None else x"
            self.helpers.append(f"    def _h{first + step}(self, x):\n        x = {self.call()}\n        return {tail}\n")
        return f"_h{first}"

    def write(self) -> str:
        rng, fw = self.rng, self.fw
        decorator = ""
        if rng.random() < 0.2:
            decorator = rng.choice(("@tf.function" if "tf" in fw.name else "@torch.no_grad()"
                                    if fw.name == "torch" else "@keras.saving.register_keras_serializable()",
                                    "@deco", "@functools.wraps(print)"))
        init, body = self.init_lines(), self.statements(0, rng.randint(1, 8))
        helpers = "".join(self.helpers)
        text = "import contextlib, functools\n" + fw.header + "\n\ndef deco(f):\n    return f\n\n\n"
        text += model_class(fw, "Net", init, body, helpers, decorator)
        if rng.random() < 0.15:  # defined twice: the second one is what runs
            text += "\n\n" + ModelWriter(rng, fw).write().split("\n\n\n", 1)[-1]
        if rng.random() < 0.2 and fw.name != "torch":
            text += functional_builder(rng, fw)
        if rng.random() < 0.3:
            text += "\n\nmodel = Net()\nout = model(None)\n"
        return text


def functional_builder(rng: random.Random, fw: Framework) -> str:
    inputs = "keras.Input((8,))" if fw.name == "keras" else "tf.keras.Input((8,))" if fw.name == "tf.keras" \
        else "tf_keras.Input((8,))"
    lines = ["", "", "def build():", f"    inputs = {inputs}", f"    shared = {layer(rng, fw)}", "    x = inputs"]
    lines += ["    x = shared(x)"] * rng.randint(1, 4)
    lines += [f"    x = {layer(rng, fw)}(x)", f"    return {fw.sequential}([shared, shared]), x", ""]
    return "\n".join(lines)


def restyle(rng: random.Random, text: str) -> tuple[str, str]:
    """The same program as people also write it: tabs, CRLF, form feeds, unicode line separators in
    comments, trailing blanks, no final newline."""
    style = rng.choice(("plain", "plain", "tabs", "crlf", "mixed-crlf", "formfeed", "u2028", "trailing", "no-eol"))
    if style == "tabs":
        text = "\n".join(line.replace("    ", "\t") for line in text.split("\n"))
    elif style == "crlf":
        text = text.replace("\n", "\r\n")
    elif style == "mixed-crlf":
        text = text.replace("\n", "\r\n", rng.randint(1, 20))
    elif style == "formfeed":
        text = text.replace("\n\n", "\n\x0c\n", 2)
    elif style == "u2028":
        text = text.replace("\n", "  # note\u2028with a line separator\n", 3)
    elif style == "trailing":
        text = text.replace("\n", "   \n")
    elif style == "no-eol":
        text = text.rstrip("\n")
    return text, style


def gen_model(rng: random.Random) -> str:
    text, _ = restyle(rng, ModelWriter(rng, rng.choice(FRAMEWORKS)).write())
    return text


# --- adversarial programs ---------------------------------------------------------------------------


def literal_tuple(rng: random.Random, size: int) -> str:
    return "(" + ", ".join(str(i) for i in range(size)) + ("," if size == 1 else "") + ")"


def gen_deep_loops(rng: random.Random) -> str:
    """Up to 12 nested loops over ranges, literal tuples of up to 32 elements, lists or containers
    (review H1: three levels over 32-element tuples ran for > 100 s)."""
    fw = rng.choice(FRAMEWORKS)
    body, pad = [], ""
    for level in range(rng.randint(1, 12)):
        iterable = rng.choice((f"range({rng.randint(1, 4)})", literal_tuple(rng, rng.randint(2, 32)),
                               "[" + ", ".join("0" * rng.randint(1, 3) for _ in range(rng.randint(2, 8))) + "]",
                               "self.blocks", f"zip(range(3), {literal_tuple(rng, rng.randint(2, 32))})"))
        body.append(f"{pad}for i{level} in {iterable}:")
        pad += "    "
        if rng.random() < 0.2:
            body.append(f"{pad}x = self.a(x)")
        if rng.random() < 0.1:
            body += [f"{pad}if i{level}:", f"{pad}    continue"]
    body += [f"{pad}x = self.a(x)"] + ([f"{pad}x = self.b(self.a(x))"] if rng.random() < 0.5 else [])
    init = [f"self.a = {layer(rng, fw)}", f"self.b = {layer(rng, fw)}", f"self.blocks = [self.a] * {rng.randint(1, 4)}"]
    return fw.header + "\n" + model_class(fw, "Deep", init, body)


def gen_many_calls(rng: random.Random) -> str:
    """Thousands of calls of one layer (review H1: 4,000 calls took 52 s, quadratic)."""
    fw = rng.choice(FRAMEWORKS)
    count = rng.choice((200, 500, 1000, 2000, 3000, 5000))
    line = rng.choice(("x = self.a(x)", "x = self.bn(self.a(x))", "y = self.a(x)", "x = x + self.a(x)"))
    init = [f"self.a = {layer(rng, fw)}", f"self.bn = {layer(rng, fw)}"]
    if rng.random() < 0.2 and fw.name != "torch":  # the same at module level, in a functional build
        return fw.header + f"\nd = {layer(rng, fw)}\nx = None\n" + "x = d(x)\n" * count
    return fw.header + "\n" + model_class(fw, "Many", init, [line] * count)


def gen_long_expr(rng: random.Random) -> str:
    """Long sums (review E11: a 600-term expression that CPython compiles was given up as too deep)."""
    fw = rng.choice(FRAMEWORKS)
    terms = rng.choice((50, 200, 400, 600, 600))
    term = rng.choice(("self.a(x)", "x", "1", "self.a(x) * 2"))
    expression = " + ".join([term] * terms)
    line = rng.choice((f"x = {expression}", f"x = self.a({expression})", f"y = [{expression}]"))
    init = [f"self.a = {layer(rng, fw)}"]
    return fw.header + "\n" + model_class(fw, "Long", init, ["x = self.a(x)", line, "x = self.a(x)"])


def gen_huge_literal(rng: random.Random) -> str:
    """Large literals beside a model (review H11: 48 MB of list took 160 s and 15.6 GB; kept under
    ~2 MB here so the run stays a run)."""
    fw = rng.choice(FRAMEWORKS)
    size = rng.choice((1_000, 10_000, 50_000, 200_000))
    kind = rng.randrange(4)
    if kind == 0:
        literal = "DATA = [" + ", ".join(str(i) for i in range(size)) + "]\n"
    elif kind == 1:
        literal = "DATA = {" + ", ".join(f"'k{i}': {i}" for i in range(size // 4)) + "}\n"
    elif kind == 2:
        literal = "DATA = '" + "x" * (size * 5) + "'\n"
    else:
        literal = "DATA = [\n" + "".join(f"    ({i}, [{i}, {{'a': {i}}}]),\n" for i in range(size // 10)) + "]\n"
    init = [f"self.a = {layer(rng, fw)}"]
    return fw.header + literal + model_class(fw, "Big", init, ["x = self.a(x)", "x = self.a(x)"])


def gen_recursion(rng: random.Random) -> str:
    """Helper chains (up to 3,000 methods), fan-outs (each helper calls the next twice), self- and
    mutual recursion, recursive module-level functions handed the layer."""
    fw = rng.choice(FRAMEWORKS)
    kind = rng.randrange(4)
    init = [f"self.a = {layer(rng, fw)}"]
    if kind == 0:
        length = rng.choice((10, 100, 1000, 3000))
        extra = "".join(f"    def h{i}(self, x):\n        return self.h{i + 1}(self.a(x))\n" for i in range(length))
        extra += f"    def h{length}(self, x):\n        return self.a(x)\n"
        return fw.header + model_class(fw, "Chain", init, ["x = self.h0(x)"], extra)
    if kind == 1:
        depth = rng.choice((5, 10, 20, 40))
        extra = "".join(f"    def f{i}(self, x):\n        return self.f{i + 1}(self.f{i + 1}(x))\n" for i in range(depth))
        extra += f"    def f{depth}(self, x):\n        return self.a(x)\n"
        return fw.header + model_class(fw, "Fan", init, ["x = self.f0(x)"], extra)
    if kind == 2:
        extra = ("    def even(self, x, n):\n        return x if n == 0 else self.odd(self.a(x), n - 1)\n"
                 "    def odd(self, x, n):\n        return self.even(self.a(x), n - 1)\n"
                 "    def again(self, x):\n        return self.again(self.a(x))\n")
        return fw.header + model_class(fw, "Mutual", init, ["x = self.even(x, 10)", "x = self.again(x)"], extra)
    module = "def apply(layer, x, n):\n    return x if n <= 0 else apply(layer, layer(x), n - 1)\n\n"
    return fw.header + module + model_class(fw, "Rec", init, [f"x = apply(self.a, x, {rng.randint(1, 50)})"])


def gen_twice(rng: random.Random) -> str:
    """Classes defined several times (review E7: only one was analysed), methods defined twice, and
    long inheritance chains."""
    fw = rng.choice(FRAMEWORKS)
    parts = [fw.header]
    for copy in range(rng.randint(2, 5)):
        init = [f"self.a = {layer(rng, fw)}"]
        body = ["x = self.a(x)"] * rng.randint(1, 3)
        parts.append(model_class(fw, "Twice", init, body))
    if rng.random() < 0.5:
        depth = rng.choice((10, 50, 200))
        parts.append(model_class(fw, "C0", ["self.a = " + layer(rng, fw)], ["x = self.a(x)", "x = self.a(x)"]))
        parts += [f"class C{i + 1}(C{i}):\n    pass\n" for i in range(depth)]
        parts.append(f"m = C{depth}()\n")
    return "\n".join(parts)


def gen_deep_nesting(rng: random.Random) -> str:
    """Nested ifs (up to 95), nested calls of one layer (up to 150), nested defs and lambdas."""
    fw = rng.choice(FRAMEWORKS)
    kind = rng.randrange(3)
    init = [f"self.a = {layer(rng, fw)}"]
    if kind == 0:
        depth = rng.choice((10, 50, 95))
        body = ["    " * i + f"if x is not None{' and i' * 0}:" for i in range(depth)] + ["    " * depth + "x = self.a(x)"]
        body.append("x = self.a(x)")
    elif kind == 1:
        depth = rng.choice((10, 50, 150))
        body = ["x = " + "self.a(" * depth + "x" + ")" * depth]
    else:
        depth = rng.choice((5, 20, 50))
        body = ["    " * i + f"def inner{i}(x):" for i in range(depth)] + ["    " * depth + "return self.a(self.a(x))"]
        body += ["    " * (i + 1) + f"return inner{i + 1}(x)" for i in reversed(range(depth - 1))]
        body.append("x = inner0(x)")
    return fw.header + model_class(fw, "Nest", init, body)


# --- hypothesmith programs --------------------------------------------------------------------------


def grammar_pool(seed: int, size: int) -> list[str]:
    """Distinct hypothesmith `from_grammar` programs, cached per (seed, size): generating them costs
    about 0.1 s each."""
    path = CACHE / f"hypothesmith-grammar-{seed}-{size}.json"
    if path.exists():
        return json.loads(path.read_text())
    import hypothesmith
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hypothesis_seed

    found: dict[str, None] = {}

    @hypothesis_seed(seed)
    @settings(max_examples=size, database=None, phases=[Phase.generate], deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(hypothesmith.from_grammar())
    def collect(source: str) -> None:
        found[source] = None

    started = time.perf_counter()
    collect()
    pool = list(found)
    print(f"hypothesmith: {len(pool)} distinct programs of {size} drawn in {time.perf_counter() - started:.0f} s",
          file=sys.stderr)
    CACHE.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(pool))
    temporary.replace(path)
    return pool


def grammar_variant(rng: random.Random, pool: list[str]) -> str:
    """A pool program as is, after a model that reuses a layer, or as the body of a model's call()."""
    source = rng.choice(pool)
    fw = rng.choice(FRAMEWORKS)
    variant = rng.randrange(3)
    if variant == 0:
        return source
    if variant == 1:
        init = [f"self.a = {layer(rng, fw)}"]
        return fw.header + model_class(fw, "Pre", init, ["x = self.a(x)", "x = self.a(x)"]) + "\n" + source
    init = [f"self.a = {layer(rng, fw)}"]
    return fw.header + model_class(fw, "Inside", init, ["x = self.a(x)"] + source.splitlines() + ["x = self.a(x)"])


# --- the mix ----------------------------------------------------------------------------------------

ADVERSARIAL = {"deep_loops": (gen_deep_loops, 5), "many_calls": (gen_many_calls, 3), "long_expr": (gen_long_expr, 3),
               "huge_literal": (gen_huge_literal, 1), "recursion": (gen_recursion, 3), "twice": (gen_twice, 3),
               "deep_nesting": (gen_deep_nesting, 3)}
FAMILY_WEIGHTS = {"grammar": 20, "model": 59}  # the adversarial ones add up to 21


def categories(only: tuple[str, ...] = ()) -> tuple[list[str], list[int]]:
    names = list(FAMILY_WEIGHTS) + list(ADVERSARIAL)
    weights = list(FAMILY_WEIGHTS.values()) + [weight for _, weight in ADVERSARIAL.values()]
    if only:
        kept = [(name, weight) for name, weight in zip(names, weights) if name in only]
        names, weights = [name for name, _ in kept], [weight for _, weight in kept]
    return names, weights


def program(seed: int, index: int, pool: list[str], only: tuple[str, ...] = ()) -> tuple[str, str]:
    """Program `index` of the run seeded `seed`: (category, text). Each index has its own generator,
    so one program can be made again without the ones before it (with the same `only`)."""
    rng = random.Random(f"{seed}:{index}")
    names, weights = categories(only)
    category = rng.choices(names, weights)[0]
    if category == "grammar":
        return category, grammar_variant(rng, pool) if pool else gen_model(rng)
    if category == "model":
        return category, gen_model(rng)
    return category, ADVERSARIAL[category][0](rng)


# --- the worker -------------------------------------------------------------------------------------


def serve(connection, memory_mb: int) -> None:
    """The worker: checks each text it is sent and answers with what happened. Memory is capped so a
    runaway program ends as a MemoryError rather than taking the shared machine down."""
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    folder = tempfile.mkdtemp(prefix="layerlint-fuzz-work-")  # no configuration above it
    check, fixer = checker(os.path.join(folder, "model.py"))
    while True:
        try:
            text, fix = connection.recv()
        except EOFError:
            return
        connection.send(check_one(check, fixer, text, fix))


def checker(path: str):
    """check(text) -> diagnostics and fix(data) -> fixed bytes or None, with every rule selected. From
    `layerlint.api` where it exists; an older tree (before the pipeline module) is checked with
    `check_source`, and not fixed."""
    try:
        from layerlint import api
        from layerlint.config import Overrides, resolve
    except ImportError:
        from layerlint.static.checker import Selection, check_source

        selection = Selection(select=("ALL",))
        return (lambda text: check_source(text, path, selection, None, False)), None
    settings = resolve(path, Overrides(select=("ALL",)))
    api.tune_garbage_collection()  # as `layerlint check` does in a checking process
    return ((lambda text: api.check_text(text, path, settings=settings)),
            (lambda data: api.fix_bytes(data, path, settings=settings, unsafe=True)[0]))


def check_one(check, fixer, text: str, fix: bool) -> dict:
    outcome: dict = {"error": None, "codes": [], "fix": None}
    started = time.perf_counter()
    try:
        diagnostics = check(text)
        outcome["codes"] = sorted({d.code for d in diagnostics})
        internal = [str(d.message) for d in diagnostics if d.code == "LL903"]
        if internal:
            outcome["error"] = "LL903 " + internal[0]
    except BaseException:  # noqa: BLE001 - everything is a finding of this run
        outcome["error"] = traceback.format_exc()
    outcome["seconds"] = time.perf_counter() - started
    if fix and fixer is not None and outcome["error"] is None:
        outcome["fix"] = fix_one(fixer, text)
    outcome["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return outcome


def fix_one(fixer, text: str) -> dict:
    """`fix --unsafe` twice: the first result must parse, the second must change nothing."""
    started = time.perf_counter()
    result: dict = {"changed": False, "problem": None}
    try:
        fixed = fixer(text.encode("utf-8", "surrogatepass"))
        if fixed is not None:
            result["changed"] = True
            try:
                ast.parse(fixed)
            except (SyntaxError, ValueError) as error:
                result["problem"] = f"fixed text does not parse: {error}"
            if fixer(fixed) is not None and result["problem"] is None:
                result["problem"] = "second fix changed the text again (not idempotent)"
    except BaseException:  # noqa: BLE001
        result["problem"] = "fix raised:\n" + traceback.format_exc()
    result["seconds"] = time.perf_counter() - started
    return result


class Worker:
    """One checking process; killed and replaced when a program outlives the timeout."""

    def __init__(self, memory_mb: int):
        self.memory_mb = memory_mb
        self.context = multiprocessing.get_context("fork")  # layerlint is imported once, in the parent
        self.restarts = 0
        self._start()

    def _start(self) -> None:
        self.connection, child = self.context.Pipe()
        self.process = self.context.Process(target=serve, args=(child, self.memory_mb), daemon=True)
        self.process.start()
        child.close()

    def run(self, text: str, fix: bool, timeout: float) -> dict:
        started = time.perf_counter()
        try:
            self.connection.send((text, fix))
        except OSError:  # it died after its last answer
            self._restart()
            self.connection.send((text, fix))
        limit = timeout * (3 if fix else 1)  # a fix re-checks the text several times
        if self.connection.poll(limit):
            try:
                return self.connection.recv()
            except (EOFError, OSError):  # the worker died while answering
                pass
            outcome = {"error": f"worker died (exit code {self.process.exitcode})", "seconds": time.perf_counter() - started}
        else:
            outcome = {"timeout": True, "seconds": limit}
        self._restart()
        return {"codes": [], "fix": None, "error": None, **outcome}

    def _restart(self) -> None:
        self.process.kill()
        self.process.join()
        self.restarts += 1
        self._start()

    def close(self) -> dict:
        self.connection.close()
        self.process.join(5)
        return {"restarts": self.restarts}


# --- the run and its report -------------------------------------------------------------------------


@dataclass
class Record:
    index: int
    category: str
    seconds: float
    lines: int
    size: int
    timeout: bool = False
    error: str | None = None
    codes: list[str] = field(default_factory=list)
    fix: dict | None = None
    saved: str = ""


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


def save(folder: Path, record: Record, text: str, note: str) -> str:
    path = folder / f"{record.category}-{record.index}.py"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    if note:
        path.with_suffix(".txt").write_text(note)
    return str(path)


def run(args: argparse.Namespace) -> tuple[list[Record], dict]:
    pool = grammar_pool(args.seed, args.pool) if args.pool else []
    folder = Path(tempfile.mkdtemp(prefix="layerlint-fuzz-"))
    worker = Worker(args.memory_mb)
    records: list[Record] = []
    started = time.perf_counter()
    indexes = [args.only] if args.only is not None else range(args.count)
    peak = 0.0
    for index in indexes:
        if args.time_budget and time.perf_counter() - started > args.time_budget:
            break
        category, text = program(args.seed, index, pool, args.categories)
        fix = args.fix_every > 0 and index % args.fix_every == 0
        outcome = worker.run(text, fix, args.timeout)
        peak = max(peak, outcome.get("rss_mb") or 0.0)
        record = Record(index, category, outcome["seconds"], text.count("\n") + 1, len(text),
                        bool(outcome.get("timeout")), outcome["error"], outcome["codes"], outcome["fix"])
        problem = record.error or (record.fix or {}).get("problem")
        if problem or record.timeout or record.seconds > SLOW:
            record.saved = save(folder, record, text, problem or "")
        records.append(record)
        if args.progress and len(records) % args.progress == 0:
            print(f"  {len(records)} programs, {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    meta = {"wall_seconds": time.perf_counter() - started, "folder": str(folder), "peak_rss_mb": peak,
            "pool": len(pool), **worker.close()}
    return records, meta


def report(records: list[Record], meta: dict, args: argparse.Namespace) -> dict:
    crashes = [r for r in records if r.error]
    fixes = [r for r in records if r.fix is not None]
    fix_problems = [r for r in fixes if r.fix["problem"]]
    slow = [r for r in records if r.timeout or r.seconds > SLOW]
    times = [r.seconds for r in records]
    print(f"\nprograms checked: {len(records)} of {args.count} asked (seed {args.seed}) in "
          f"{meta['wall_seconds']:.0f} s; hypothesmith pool {meta['pool']}; worker restarts {meta['restarts']}; "
          f"worker peak RSS {meta['peak_rss_mb']:.0f} MB")
    codes = Counter(code for r in records for code in r.codes if code.startswith("LL9"))
    print(f"crashes (exception, dead worker or LL903): {len(crashes)}; LL9xx results: {dict(sorted(codes.items()))}")
    print(f"fix sample: {len(fixes)} fixed with --unsafe, {sum(r.fix['changed'] for r in fixes)} changed, "
          f"{len(fix_problems)} problems (unparsable, not idempotent, or raised)")
    for r in (crashes + fix_problems)[:20]:
        reason = (r.error or r.fix["problem"]).strip().splitlines()[-1][:160]
        print(f"  CRASH #{r.index} {r.category}: {reason}\n    reproducer: {r.saved}")
    print(f"check time: p50 {percentile(times, .5) * 1000:.1f} ms, p90 {percentile(times, .9) * 1000:.1f} ms, "
          f"p99 {percentile(times, .99) * 1000:.0f} ms, p99.9 {percentile(times, .999) * 1000:.0f} ms, "
          f"max {max(times, default=0):.2f} s")
    print_categories(records)
    print(f"slowest {min(10, len(records))}:")
    for r in sorted(records, key=lambda r: -r.seconds)[:10]:
        state = f">{r.seconds:.1f} s TIMEOUT" if r.timeout else f"{r.seconds:.2f} s"
        print(f"  #{r.index:<6} {r.category:<13} {state:>16} {r.lines:>6} lines {r.size:>9} bytes  {r.saved}")
    print(f"over {SLOW:.0f} s (timeouts of {args.timeout:g} s included): {len(slow)}"
          f" ({sum(r.timeout for r in slow)} timeouts); reproducers in {meta['folder']}")
    return {"meta": meta, "checked": len(records), "crashes": len(crashes), "fix_problems": len(fix_problems),
            "over_2s": len(slow), "timeouts": sum(r.timeout for r in records),
            "p50": percentile(times, .5), "p99": percentile(times, .99), "max": max(times, default=0),
            "worst": [r.__dict__ for r in sorted(records, key=lambda r: -r.seconds)[:50] + crashes],
            "all": [[r.index, r.category, round(r.seconds, 5), r.timeout, r.codes] for r in records]}


def print_categories(records: list[Record]) -> None:
    """Per category: time percentiles, the total time (where the run went), and what went wrong; "gave
    up" counts LL902 answers (nested too deeply, unreadable) on programs that are not syntax errors."""
    groups: dict[str, list[Record]] = defaultdict(list)
    for r in records:
        groups[r.category].append(r)
    print(f"{'category':<14}{'programs':>9}{'p50 ms':>9}{'p99 ms':>9}{'max s':>8}{'total s':>8}{'>2 s':>6}"
          f"{'timeout':>8}{'crash':>6}{'gave up':>8}")
    for name, group in sorted(groups.items(), key=lambda item: -len(item[1])):
        times = [r.seconds for r in group]
        print(f"{name:<14}{len(group):>9}{percentile(times, .5) * 1000:>9.1f}{percentile(times, .99) * 1000:>9.0f}"
              f"{max(times):>8.2f}{sum(times):>8.0f}{sum(r.timeout or r.seconds > SLOW for r in group):>6}"
              f"{sum(r.timeout for r in group):>8}{sum(bool(r.error) for r in group):>6}"
              f"{sum('LL902' in r.codes for r in group):>8}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", "--count", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds before a check is killed (x3 with a fix)")
    parser.add_argument("--time-budget", type=float, default=0, help="stop starting programs after this many seconds")
    parser.add_argument("--fix-every", type=int, default=10, help="also fix every k-th program (0: never)")
    parser.add_argument("--pool", type=int, default=1500, help="hypothesmith programs drawn (0: none)")
    parser.add_argument("--memory-mb", type=int, default=3000, help="address-space cap of the worker")
    parser.add_argument("--src", help="a folder holding the layerlint package to check with")
    parser.add_argument("--only", type=int, help="check program INDEX alone (to reproduce)")
    parser.add_argument("--show", type=int, help="print program INDEX and exit")
    parser.add_argument("--progress", type=int, default=1000, help="a progress line every k programs (0: none)")
    parser.add_argument("--json", help="write the summary here")
    parser.add_argument("--categories", type=lambda text: tuple(text.split(",")), default=(),
                        help="only these categories, comma-separated (programs differ from the full mix's)")
    args = parser.parse_args()
    unknown = set(args.categories) - set(categories()[0])
    if unknown:
        parser.error(f"unknown categories {sorted(unknown)}; known: {', '.join(categories()[0])}")
    if args.src:
        sys.path.insert(0, os.path.abspath(args.src))
    if args.show is not None:
        pool = grammar_pool(args.seed, args.pool) if args.pool else []
        print(program(args.seed, args.show, pool, args.categories)[1])
        return 0
    import layerlint

    checker(os.path.join(tempfile.gettempdir(), "model.py"))  # fails here, not in every worker; and each
    print(f"layerlint from {os.path.dirname(layerlint.__file__)}", file=sys.stderr)  # fork starts loaded
    records, meta = run(args)
    summary = report(records, meta, args)
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=1, default=str))
    return 0 if not summary["crashes"] and not summary["fix_problems"] and not summary["over_2s"] else 1


if __name__ == "__main__":
    sys.exit(main())
