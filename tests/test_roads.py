"""Issue 14's roads: the same layer instance reaching its call sites by another road than the
examples' `self.bn` called twice. Each case is a program that must be reported (the code on the line
its `# expect:` names) and its negative twin (one edit away, no reuse) that must not."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from layerlint import Overrides, api
from layerlint.static.cache import Cache
from layerlint.static.checker import Project, Selection, check_source
from layerlint.static.rules.base import expected_codes


def findings_by_line(source: str, path: str = "example.py", project: Project | None = None) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for diagnostic in check_source(source, path, Selection(select=("ALL",)), project=project):
        found.setdefault(diagnostic.span.line, []).append(diagnostic.code)
    return {line: sorted(codes) for line, codes in found.items()}


def unmarked(source: str) -> str:
    return re.sub(r"\s*# expect: .*", "", source)


def case(name: str, source: str, fix: tuple[str, str]):
    source = textwrap.dedent(source).lstrip()
    assert fix[0] in source, name
    return pytest.param(source, unmarked(source.replace(*fix)), id=name)


CASES = [
    case("class_alias_times_n", """
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                conv_cls = nn.Linear
                self.blocks = nn.ModuleList([conv_cls(8, 8)] * 2)  # expect: LL004

            def forward(self, x):
                for block in self.blocks:
                    x = block(x)
                return x
        """, ("[conv_cls(8, 8)] * 2", "[conv_cls(8, 8) for _ in range(2)]")),
    case("functools_partial", """
        import functools
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                make = functools.partial(nn.BatchNorm1d, eps=1e-5)
                self.norm = make(8)
                self.other = make(8)

            def forward(self, x):
                x = self.norm(x)
                return self.norm(x)  # expect: LL002
        """, ("return self.norm(x)", "return self.other(x)")),
    case("itertools_repeat", """
        import itertools
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.blocks = nn.ModuleList(itertools.repeat(nn.Linear(3, 8), 2))  # the crash's container: LL001 shows it, with its fix

            def forward(self, x):
                for block in self.blocks:
                    x = block(x)  # expect: LL001
                return x
        """, ("itertools.repeat(nn.Linear(3, 8), 2)", "[nn.Linear(3, 8)]")),
    case("setattr_fstring_one_instance", """
        import keras
        from keras import layers

        class Net(keras.Model):
            def __init__(self):
                super().__init__()
                shared = layers.BatchNormalization()
                for i in range(2):
                    setattr(self, f"block{i}", shared)

            def call(self, x):
                x = self.block0(x)
                return self.block1(x)  # expect: LL002
        """, ("setattr(self, f\"block{i}\", shared)", "setattr(self, f\"block{i}\", layers.BatchNormalization())")),
    case("getattr_fstring", """
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.bn0 = nn.BatchNorm1d(8)
                self.bn1 = nn.BatchNorm1d(8)

            def forward(self, x):
                first, second = 0, 0
                x = getattr(self, f"bn{first}")(x)
                return getattr(self, f"bn{second}")(x)  # expect: LL002
        """, ("first, second = 0, 0", "first, second = 0, 1")),
    case("append_in_loop_one_hoisted_instance", """
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                blocks = []
                block = nn.BatchNorm1d(8)
                for i in range(2):
                    blocks.append(block)
                self.blocks = nn.ModuleList(blocks)  # expect: LL004

            def forward(self, x):
                for block in self.blocks:
                    x = block(x)
                return x
        """, ("blocks.append(block)", "blocks.append(nn.BatchNorm1d(8))")),
    case("keras_list_attribute_filled_by_append", """
        import keras
        from keras import layers

        class Net(keras.Model):
            def __init__(self):
                super().__init__()
                blocks = []
                norm = layers.BatchNormalization()
                for i in range(3):
                    blocks.append(norm)
                self.blocks = blocks  # expect: LL004

            def call(self, x):
                for block in self.blocks:
                    x = block(x)
                return x
        """, ("blocks.append(norm)", "blocks.append(layers.BatchNormalization())")),
    case("model_add_twice", """
        import keras
        from keras import layers

        def build():
            layer = layers.BatchNormalization()
            model = keras.Sequential()
            model.add(layer)
            model.add(layers.Dense(4))
            model.add(layer)  # expect: LL004
            return model
        """, ("    model.add(layer)  # expect: LL004", "    model.add(layers.BatchNormalization())")),
    case("one_list_in_two_sequentials", """
        import keras
        from keras import layers

        class Net(keras.Model):
            def __init__(self):
                super().__init__()
                shared = [layers.BatchNormalization()]
                self.first = keras.Sequential([*shared])
                self.second = keras.Sequential([*shared])

            def call(self, x):
                x = self.first(x)
                return self.second(x)  # expect: LL002
        """, ("self.second = keras.Sequential([*shared])", "self.second = keras.Sequential([layers.BatchNormalization()])")),
    case("sizes_through_a_repeated_sequential_slot", """
        import keras
        from keras import layers

        def build(n=3):
            inputs = keras.Input(shape=(16, 16, 1))
            conv = layers.Conv2D(8, 3, padding="same")
            stack = keras.Sequential([conv] * n)  # the crash's container: LL001 shows it, with its fix
            outputs = stack(inputs)  # expect: LL001
            return keras.Model(inputs, outputs)
        """, ("[conv] * n", "[layers.Conv2D(8, 3, padding=\"same\") for _ in range(n)]")),
    case("sizes_through_a_sequential_built_elsewhere", """
        import keras
        from keras import layers

        def build():
            layer = layers.Dense(7)
            return keras.Sequential([layers.Dense(10), layer, layer])  # expect: LL001
        """, ("layer, layer]", "layer, layers.Dense(7)]")),
    case("default_constant_sizes_the_layer", """
        import keras
        from keras import layers

        def build_model(fm=8, n=4):
            inputs = keras.Input(shape=(16, 16, 1))
            convs = [layers.Conv2D(fm, 3, padding="same")] * n  # the crash's container: LL001 shows it, with its fix
            h = inputs
            for conv in convs:
                h = conv(h)  # expect: LL001
            return keras.Model(inputs, h)
        """, ("[layers.Conv2D(fm, 3, padding=\"same\")] * n", "[layers.Conv2D(fm, 3, padding=\"same\") for _ in range(n)]")),
    case("one_instance_passed_to_a_block_constructor", """
        import torch.nn as nn

        class Pair(nn.Module):
            def __init__(self, first, second):
                super().__init__()
                self.first = first
                self.second = second

            def forward(self, x):
                return self.second(self.first(x))

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                norm = nn.BatchNorm1d(8)
                self.pair = Pair(norm, norm)  # expect: LL002

            def forward(self, x):
                return self.pair(x)
        """, ("Pair(norm, norm)", "Pair(norm, nn.BatchNorm1d(8))")),
    case("one_instance_in_two_wrappers", """
        import keras
        from keras import layers

        class Wrapper(layers.Layer):
            def __init__(self, inner):
                super().__init__()
                self.inner = inner

            def call(self, x):
                return self.inner(x)

        class Net(keras.Model):
            def __init__(self):
                super().__init__()
                self.stem = layers.Dense(5)
                layer = layers.Dense(4)
                self.first = Wrapper(layer)
                self.second = Wrapper(layer)
                self.mid = layers.Dense(6)

            def call(self, x):
                x = self.first(self.stem(x))
                x = self.mid(x)
                return self.second(x)  # expect: LL001
        """, ("self.second = Wrapper(layer)", "self.second = Wrapper(layers.Dense(4))")),
    case("default_argument_built_once", """
        import torch.nn as nn

        class Tower(nn.Module):
            def __init__(self, heads=(nn.BatchNorm1d(8),)):
                super().__init__()
                self.heads = nn.ModuleList(heads)

            def forward(self, x):
                for head in self.heads:
                    x = head(x)
                return x

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.first = Tower()
                self.second = Tower()

            def forward(self, x):
                return self.second(self.first(x))  # expect: LL002
        """, ("self.second = Tower()", "self.second = Tower(heads=(nn.BatchNorm1d(8),))")),
    case("factory_function_same_module", """
        import torch.nn as nn

        def make_norm():
            return nn.BatchNorm1d(8)

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.norm = make_norm()
                self.other = make_norm()

            def forward(self, x):
                x = self.norm(x)
                return self.norm(x)  # expect: LL002
        """, ("return self.norm(x)", "return self.other(x)")),
    case("attribute_alias_behind_a_flag", """
        import keras
        from keras import layers

        class Net(keras.Model):
            def __init__(self):
                super().__init__()
                separate = False
                self.q_norm = layers.BatchNormalization()
                self.kv_norm = self.q_norm
                if separate:
                    self.kv_norm = layers.BatchNormalization()

            def call(self, x):
                q = self.q_norm(x)
                return self.kv_norm(q)  # expect: LL002
        """, ("separate = False", "separate = True")),
    case("a_default_flag_is_not_a_known_arm", """
        import keras
        from keras import layers

        class Net(keras.Model):
            def __init__(self, separate=False):
                super().__init__()
                self.q_norm = layers.BatchNormalization()
                if separate:
                    self.kv_norm = layers.BatchNormalization()
                else:
                    self.kv_norm = layers.BatchNormalization()

            def call(self, x):
                q = self.q_norm(x)
                return self.q_norm(q)  # expect: LL002
        """, ("return self.q_norm(q)", "return self.kv_norm(q)")),
    case("layer_built_in_keras_train_step", """
        import keras
        from keras import layers

        class Net(keras.Model):
            def __init__(self):
                super().__init__()
                self.body = layers.Dense(6)

            def call(self, x):
                return self.body(x)

            def train_step(self, data):
                x, y = data
                head = layers.Dense(3)  # expect: LL005
                return {"out": head(self(x))}
        """, ("head = layers.Dense(3)", "head = self.body")),
    case("layer_built_in_a_tf_function", """
        import tensorflow as tf
        from keras import layers

        @tf.function
        def predict(model, x):
            head = layers.Dense(3)  # expect: LL005
            return head(model(x))
        """, ("head = layers.Dense(3)", "head = layers.ReLU()")),
    case("layer_built_in_a_plain_train_step_function", """
        import torch.nn as nn

        def train_step(model, x):
            head = nn.Linear(9, 3)  # expect: LL005
            return head(model(x))
        """, ("def train_step(model, x):", "def build_head(model, x):")),
    case("unguarded_assignment_in_forward", """
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.stem = nn.Linear(9, 6)
                self.proj = None

            def forward(self, x):
                x = self.stem(x)
                self.proj = nn.Linear(6, 6)  # expect: LL005
                return self.proj(x)
        """, ("        self.proj = nn.Linear(6, 6)  # expect: LL005",
              "        if self.proj is None:\n            self.proj = nn.Linear(6, 6)")),
    case("factory_result_repeated", """
        import torch.nn as nn

        def make_block():
            return nn.Linear(8, 8)

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.blocks = nn.ModuleList([make_block()] * 3)  # expect: LL004

            def forward(self, x):
                for block in self.blocks:
                    x = block(x)
                return x
        """, ("[make_block()] * 3", "[make_block() for _ in range(3)]")),
    case("shared_block_is_judged_as_the_block", """
        import keras
        from keras import layers

        class Block(layers.Layer):
            def __init__(self):
                super().__init__()
                self.norm = layers.BatchNormalization()

            def call(self, x):
                return self.norm(x)

        class Net(keras.Model):
            def __init__(self):
                super().__init__()
                self.block = Block()
                self.other = Block()

            def call(self, x):
                x = self.block(x)
                return self.block(x)  # expect: LL003
        """, ("return self.block(x)", "return self.other(x)")),
    case("lambda_applies_one_layer_twice", """
        import keras
        from keras import layers

        def build():
            inputs = keras.Input(shape=(8,))
            norm = layers.BatchNormalization()
            twice = layers.Lambda(lambda t: norm(norm(t)))
            outputs = twice(inputs)  # expect: LL002
            return keras.Model(inputs, outputs)
        """, ("norm(norm(t))", "norm(t)")),
]


@pytest.mark.parametrize("source, negative", CASES)
def test_road_is_followed(source, negative):
    assert findings_by_line(source) == expected_codes(source)
    assert findings_by_line(negative) == {}


NORMS = """
import torch.nn as nn


def make_norm(width=8):
    return nn.BatchNorm1d(width)


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.inner = nn.LayerNorm(8)

    def forward(self, x):
        return self.inner(x)
"""

MODEL = """
import torch.nn as nn

from .norms import Block, make_norm


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.norm = make_norm()
        self.other = make_norm()
        self.block = Block()
        self.mid = nn.Linear(8, 6)

    def forward(self, x):
        x = self.norm(x)
        x = self.NORM(x)  # expect: LL002
        x = self.block(x)
        x = self.mid(x)
        return self.block(x)  # expect: LL001, LL003
"""


def check_package(tmp_path: Path, model: str) -> dict[int, list[str]]:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "norms.py").write_text(NORMS)
    (package / "model.py").write_text(model)
    project = Project(roots=[tmp_path])
    found = findings_by_line(model, str(package / "model.py"), project)
    assert str(package / "norms.py") in project.reads  # a change there re-checks model.py
    return found


def test_factory_and_block_class_from_another_module(tmp_path):
    """`from .norms import make_norm`; `self.norm = make_norm()` called twice (LL002), and a block
    class of that module shared between inputs of two widths (its inner LayerNorm: LL001)."""
    model = MODEL.replace("NORM", "norm")
    assert check_package(tmp_path, model) == expected_codes(model)


def test_factory_and_block_class_from_another_module_negative(tmp_path):
    model = unmarked(MODEL.replace("NORM", "other").replace("return self.block(x)", "return x"))
    assert check_package(tmp_path, model) == {}


BUILDERS = """
def fill(layer, n):
    return [layer for _ in range(n)]
"""

STACK = """
import torch.nn as nn

from .builders import fill


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = nn.ModuleList(fill(nn.BatchNorm1d(8), 2))  # expect: LL004

    def forward(self, x):
        for block in self.blocks:
            x = block(x)
        return x
"""


def test_builder_from_a_module_without_layers(tmp_path):
    """A builder module names no layer (the project does not parse such modules for their classes),
    yet its function is handed one and puts it in every slot."""
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "builders.py").write_text(BUILDERS)
    project = Project(roots=[tmp_path])
    assert findings_by_line(STACK, str(package / "model.py"), project) == expected_codes(STACK)
    negative = unmarked(STACK.replace("fill(nn.BatchNorm1d(8), 2)", "[nn.BatchNorm1d(8) for _ in range(2)]"))
    assert findings_by_line(negative, str(package / "model.py"), Project(roots=[tmp_path])) == {}


@pytest.mark.parametrize("source", [
    # a partial of itself
    "import functools\nimport torch.nn as nn\np = functools.partial(nn.Linear, 4)\np = functools.partial(p, 4)\n"
    "class M(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.a = p()\n"
    "    def forward(self, x):\n        return self.a(self.a(x))\n",
    # a block that builds itself, handed a layer, without end
    "import torch.nn as nn\nclass A(nn.Module):\n    def __init__(self, inner=None):\n        super().__init__()\n"
    "        self.inner = A(nn.Linear(2, 2))\n    def forward(self, x):\n        return self.inner(x)\n"
    "class M(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.a = A(nn.Linear(2, 2))\n"
    "    def forward(self, x):\n        return self.a(x)\n",
    # a default that calls the function it belongs to; a lambda calling itself
    "import torch.nn as nn\ndef f(x=f()):\n    return nn.Linear(2, 2)\ng = lambda x: g(x)\n"
    "class M(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.a = f()\n"
    "    def forward(self, x):\n        return g(self.a(x))\n",
])
def test_roads_end_on_self_reference(source):
    """Robustness: the new roads (partials, bound constructors, defaults, lambdas) end on code that
    refers to itself, without an internal error."""
    codes = {d.code for d in check_source(source, "loop.py", Selection(select=("ALL",)))}
    assert not codes & {"LL903", "LL904"}


BASE = """
import torch.nn as nn


class Base(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.norm = nn.BatchNorm1d(width)

    def norm_twice(self, x):
        return self.norm(self.norm(x))

    def norm_once(self, x):
        return self.norm(x)
"""

CHILD = """
from .base import Base


class Net(Base):
    def __init__(self):
        super().__init__(8)

    def forward(self, x):
        return self.norm_twice(x)  # expect: LL002
"""


def test_helper_of_a_parent_in_another_module(tmp_path):
    """A helper method of a parent class defined in another file calls the layer twice: the calls are
    this file's, at the helper's call."""
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "base.py").write_text(BASE)
    path = str(package / "model.py")
    assert findings_by_line(CHILD, path, Project(roots=[tmp_path])) == expected_codes(CHILD)
    negative = unmarked(CHILD.replace("norm_twice", "norm_once"))
    assert findings_by_line(negative, path, Project(roots=[tmp_path])) == {}


def test_a_change_in_the_factory_module_rechecks_the_importer(tmp_path):
    """The result cache knows model.py read norms.py: editing the factory there changes model.py's
    findings on the next cached run."""
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "norms.py").write_text(NORMS)
    model = MODEL.replace("NORM", "norm")
    (package / "model.py").write_text(model)

    def codes() -> set[str]:
        cache = Cache(tmp_path / "cache", "test")
        results = api.check_paths([str(package)], Overrides(select=("ALL",)), cache=cache)
        return {d.code for r in results for d in r.diagnostics}

    assert "LL002" in codes()
    (package / "norms.py").write_text(NORMS.replace("return nn.BatchNorm1d(width)", "return nn.ReLU()"))
    assert "LL002" not in codes()


def test_a_long_lived_project_forgets_a_changed_module(tmp_path):
    """The language server keeps one `Project`: after `forget(path)`, an edited factory module is read
    again."""
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "norms.py").write_text(NORMS)
    model = MODEL.replace("NORM", "norm")
    path = str(package / "model.py")
    project = Project(roots=[tmp_path])
    assert 17 in findings_by_line(model, path, project)
    (package / "norms.py").write_text(NORMS.replace("return nn.BatchNorm1d(width)", "return nn.ReLU()"))
    project.forget(package / "norms.py")
    assert 17 not in findings_by_line(model, path, project)
