"""One instance of this file handed to a block of another module that calls it twice (`Pair(norm,
norm)`): the other file never sees the sharing, so this file reports it, at the call that reaches the
block (a regression found by the generated programs after the roles learned to leave an inherited
forward to the file that holds it)."""

from pathlib import Path

from layerlint.static.checker import Project, Selection, check_source

BLOCKS = """\
from tf_keras import layers


class Pair(layers.Layer):
    def __init__(self, first, second, mid):
        super().__init__()
        self.first, self.second, self.mid = first, second, mid

    def call(self, x):
        return self.second(self.mid(self.first(x)))
"""

MODEL = """\
import tf_keras
from tf_keras import layers

from .blocks import Pair


class Net(tf_keras.Model):
    def __init__(self):
        super().__init__()
        norm = layers.LayerNormalization()
        self.pair = Pair(norm, {second}, layers.Dense(7))

    def call(self, x):
        return self.pair(x)
"""


def check(tmp_path: Path, second: str):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "blocks.py").write_text(BLOCKS)
    text = MODEL.format(second=second)
    (package / "model.py").write_text(text)
    return check_source(text, str(package / "model.py"), Selection(), Project(roots=[tmp_path]))


def test_a_norm_handed_twice_to_another_modules_block_is_reported_here(tmp_path):
    found = check(tmp_path, "norm")
    assert [(d.code, d.span.line) for d in found] == [("LL002", 14)]
    message = found[0].message.render()
    assert "2 times by code of another module, reached from line 14" in message
    assert all(r.span.path.endswith("model.py") for r in found[0].related)  # no line of blocks.py as ours


def test_two_instances_handed_to_the_block_are_clean(tmp_path):
    assert check(tmp_path, "layers.LayerNormalization()") == []


WRAPPERS = """\
import torch.nn as nn


class Residual(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return x + self.fn(x)


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        hidden = nn.Linear(16, 16)
        self.blocks = nn.Sequential(Residual(hidden), Residual(hidden))

    def forward(self, x):
        return self.blocks(x)
"""


def test_one_layer_in_two_wrappers_is_not_said_to_be_in_a_loop():
    """The two wrappers run one call node twice, with no loop in the code: the message says how."""
    found = check_source(WRAPPERS, "m.py", Selection(select=("ALL",)))
    assert [(d.code, d.span.line) for d in found] == [("LL003", 17)]
    message = found[0].message.render()
    assert "2 times, through the blocks it is handed to" in message and "in a loop" not in message


def test_a_shared_norm_built_by_another_modules_factory_points_at_that_module(tmp_path):
    """LL002 names where the instance was built the way LL001 and LL006 do: the call in this file
    and the factory's line in the other module (one mechanism, `rules._origins.created_here`)."""
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "norms.py").write_text("import torch.nn as nn\n\n\ndef make_norm(width):\n"
                                      "    return nn.BatchNorm1d(width)\n")
    text = ("import torch.nn as nn\n\nfrom .norms import make_norm\n\n\nclass Net(nn.Module):\n"
            "    def __init__(self):\n        super().__init__()\n        self.norm = make_norm(8)\n\n"
            "    def forward(self, x):\n        return self.norm(self.norm(x))\n")
    (package / "model.py").write_text(text)
    found = check_source(text, str(package / "model.py"), Selection(), Project(roots=[tmp_path]))
    assert [(d.code, d.span.line) for d in found] == [("LL002", 12)]
    places = {(Path(r.span.path).name, r.span.line) for r in found[0].related}
    assert ("model.py", 9) in places and ("norms.py", 5) in places
