"""Issue 14's factory-with-a-branch road (eval/README.md "Known misses", p88): a factory in another
module whose return depends on a test of a default argument (`if kind == "group": ...`). A call that
does not pass the argument holds its default for certain, so the test picks the arm; where the
caller is unknown (the function as an entry point) a default still decides nothing."""

from __future__ import annotations

from layerlint.static.checker import Project, Selection, check_source

ALL = Selection(select=("ALL",))

NORMS = """\
import torch.nn as nn


def make_norm(width, kind="{default}"):
    if kind == "none":
        return nn.Identity()
    if kind in ("group", "gn"):
        return nn.GroupNorm(4, width)
    return nn.BatchNorm2d(width)
"""

MODEL = """\
import torch.nn as nn

from .norms import make_norm


class Features(nn.Module):
    def __init__(self, width=8):
        super().__init__()
        self.conv1 = nn.Conv2d(3, width, 3, padding=1)
        self.conv2 = nn.Conv2d(width, width, 3, padding=1)
        self.norm = make_norm(width)

    def forward(self, x):
        x = self.norm(self.conv1(x))
        return self.norm(self.conv2(x))
"""


def _check(tmp_path, default: str) -> set[tuple[int, str]]:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "norms.py").write_text(NORMS.format(default=default))
    (package / "model.py").write_text(MODEL)
    found = check_source(MODEL, str(package / "model.py"), ALL, project=Project(roots=[tmp_path]))
    return {(d.span.line, d.code) for d in found if d.code != "LL003"}


def test_factory_branch_on_a_default_picks_the_batchnorm(tmp_path):
    assert _check(tmp_path, "batch") == {(15, "LL002")}


def test_factory_branch_on_a_default_picks_the_groupnorm_for_two_roles(tmp_path):
    assert _check(tmp_path, "gn") == {(15, "LL002")}


def test_factory_branch_on_a_default_picks_a_stateless_identity(tmp_path):
    assert _check(tmp_path, "none") == set()


def test_a_default_decides_no_arm_where_the_caller_is_unknown():
    # The builder as an entry point: `separate` may be passed as True, so both arms stay possible and
    # the one norm called twice in the `else` arm is still a finding.
    source = """\
import torch.nn as nn


def build(kind="separate"):
    norm = nn.BatchNorm1d(8)
    if kind == "separate":
        return nn.Sequential(norm, nn.Linear(8, 8), nn.BatchNorm1d(8))
    return nn.Sequential(norm, nn.Linear(8, 8), norm)
"""
    assert {d.code for d in check_source(source, "model.py", ALL)} == {"LL004"}


def test_a_comparison_with_unknown_tuple_elements_is_no_internal_error():
    # Found on keras' own tests (LL903): `x in (known, unknown)` must fold to unknown, not raise.
    source = """\
import torch.nn as nn


def pick(kind, other, mode="a"):
    if kind in ("a", other) or mode in (other, ("b", other)):
        return nn.BatchNorm1d(8)
    return nn.Identity()
"""
    assert [d.code for d in check_source(source, "model.py", ALL)] == []


def test_a_test_on_the_variable_of_a_longer_loop_decides_no_arm():
    # `range(6)` is walked twice, the second walk standing for iterations 1..5: the call under
    # `idx != 0` runs five times (designed sharing across decoder layers: LL003 "in a loop").
    source = """\
import torch.nn as nn


class Decoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(8, 8) for _ in range(6)])
        self.query_scale = nn.Linear(8, 8)

    def forward(self, x):
        for idx in range(6):
            if idx != 0:
                x = self.query_scale(x)
            x = self.layers[idx](x)
        return x
"""
    found = [(d.code, d.layer) for d in check_source(source, "model.py", ALL)]
    assert found == [("LL003", "self.query_scale")]


def test_a_test_on_the_index_of_enumerate_over_a_family_decides_no_arm():
    # conditional_detr's decoder: `for idx, layer in enumerate(self.layers): if idx == 0: ... else:
    # self.query_scale(...)`, the layers a comprehension of unknown length.
    source = """\
import torch.nn as nn


class Decoder(nn.Module):
    def __init__(self, depth=6):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(8, 8) for _ in range(depth)])
        self.query_scale = nn.Linear(8, 8)

    def forward(self, x, depth=6):
        for idx, layer in enumerate(self.layers):
            if idx == 0:
                scale = 1
            else:
                scale = self.query_scale(x)
            x = layer(x * scale)
        return x
"""
    found = [(d.code, d.layer) for d in check_source(source, "model.py", ALL)]
    assert found == [("LL003", "self.query_scale")]


def test_a_comparison_on_an_attribute_is_not_folded():
    # BigBird: `if self.attention_type == "block_sparse":` after a call that may set it in the pass;
    # a test on state is left to both arms, as before comparisons were folded.
    source = """\
import torch.nn as nn


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.mode = "full"
        self.embed = nn.Linear(8, 8)

    def switch(self, value):
        self.mode = value

    def forward(self, x, short=True):
        if short:
            self.switch("full")
        if self.mode == "sparse":
            x = self.embed(x)
        return self.embed(x)
"""
    assert [(d.code, d.layer) for d in check_source(source, "model.py", ALL)] == [("LL003", "self.embed")]
