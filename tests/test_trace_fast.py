"""A faster trace says the same: the module tree kept between traces of one model is read again
whenever it changes, answers read from `_modules`/`_parameters` equal PyTorch's own methods, and a
kept tree never keeps a model alive (the fixed cost of a trace, issue 16)."""

from __future__ import annotations

import gc
import weakref

import pytest

torch = pytest.importorskip("torch")
nn = torch.nn

from layerlint.runtime import structure, trace  # noqa: E402
from layerlint.runtime import judge  # noqa: E402
from layerlint.runtime.paths import aliases, paths  # noqa: E402


class Block(nn.Module):
    def __init__(self, width: int = 4) -> None:
        super().__init__()
        self.conv1, self.bn1 = nn.Conv2d(width, width, 1), nn.BatchNorm2d(width)
        self.conv2, self.bn2 = nn.Conv2d(width, width, 1), nn.BatchNorm2d(width)
        self.relu = nn.ReLU()

    def forward(self, x):
        x = self.relu(self.bn1(self.conv1(x)))
        return self.relu(self.bn2(self.conv2(x)))


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 4, 1)
        self.blocks = nn.Sequential(Block(), Block())
        self.head = nn.Linear(4, 2)

    def forward(self, x):
        return self.head(self.blocks(self.stem(x)).mean((2, 3)))


def _x():
    return torch.randn(2, 3, 5, 5)


def _said(report) -> list:
    """What a report says, as text and JSON (the addresses of unnamed instances aside)."""
    return [report.render_text(), report.to_json(), [(i.path, i.aliases, i.composite, i.from_catalog, repr(i.traits))
                                                    for i in report.instances]]


def test_a_changed_model_is_read_again_bn_shared_after_a_clean_trace():
    model = Net().eval()
    with torch.no_grad():
        assert trace(model, _x()).codes == []
        assert trace(model, _x()).codes == []  # the kept tree
        block = model.blocks[0]
        kept_alive = block.bn2  # so that only the tree's shape tells the change
        block.bn2 = block.bn1  # the injected bug, after the tree was kept
        report = trace(model, _x())
    assert report.codes == ["LL002"]
    assert report.diagnostics[0].layer == "blocks[0].bn1"
    assert "blocks[0].bn2" in report.render_text()  # its other name, from the re-read tree
    assert report.instance("blocks[0].bn1").aliases == ["blocks[0].bn2"]
    assert kept_alive is not block.bn2


def test_a_changed_model_is_read_again_replaced_removed_added_renamed():
    model = Net().eval()
    x = _x()
    with torch.no_grad():
        trace(model, x)
        model.blocks[1] = Block()  # replaced in place: same name, another object
        first = trace(model, x)
        assert first.instance("blocks[1].bn1").obj is model.blocks[1].bn1
        model.extra = model.blocks[0].relu  # a shorter path to a module: named by it now
        assert trace(model, x).instance("extra").obj is model.blocks[0].relu
        del model.extra
        assert "extra" not in {inst.path for inst in trace(model, x).instances}
        model.blocks.add_module("2", model.blocks[0])  # the same block run twice: a reused composite
        report = trace(model, x)
    assert report.instance("blocks[0]").aliases == ["blocks[2]"]
    assert "LL003" in report.codes


def test_a_model_that_changes_during_its_pass_is_read_after_it():
    class Grows(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.a = nn.Linear(3, 3)

        def forward(self, x):
            if not hasattr(self, "b"):
                self.b = nn.BatchNorm1d(3)
            return self.b(self.a(self.b(x)))

    model = Grows().eval()
    with torch.no_grad():
        report = trace(model, torch.randn(4, 3))
        assert report.instance("b").calls and report.codes == ["LL002"]
        lazy = nn.Sequential(nn.LazyLinear(3), nn.ReLU())
        trace(lazy, torch.randn(2, 5))  # the LazyLinear becomes a Linear during the pass
        assert [type(m).__name__ for m in lazy] == ["Linear", "ReLU"]
        assert trace(lazy, torch.randn(2, 5)).instance("[0]").class_name == "Linear"


def test_a_frozen_composite_is_judged_from_its_parameters_at_each_trace():
    class Pair(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.inner = nn.Sequential(nn.Linear(3, 3), nn.Tanh())

        def forward(self, x):
            return self.inner(self.inner(x))

    model = Pair()
    assert trace(model, torch.randn(2, 3)).instance("inner").traits.weights
    for parameter in model.parameters():
        parameter.requires_grad_(False)
    assert not trace(model, torch.randn(2, 3)).instance("inner").traits.weights  # same tree, read again


def test_kept_paths_and_aliases_equal_a_fresh_walk_of_every_module():
    model = Net()
    model.alias = model.blocks[1].bn2  # a second path
    model.blocks[0].bn2 = model.blocks[0].bn1
    view = structure.read(model)
    every = {id(m) for m in model.modules()}
    assert view.paths("") == paths([(model, "")], {id(model): "torch"}, every)
    assert view.aliases("") == aliases([(model, "")], {id(model): "torch"}, every)
    assert view.count() == sum(1 for _ in model.modules()) - 1
    assert {id(m) for m in view.modules} == every


def test_answers_from_module_dicts_equal_pytorchs_methods():
    class WithBuffer(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.register_buffer("state", torch.zeros(2))
            self.register_parameter("none", None)

    class Frozen(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.a = nn.Linear(2, 2).requires_grad_(False)
            self.b = WithBuffer()
            self.register_module("gone", None)

    model = nn.Sequential(Frozen(), nn.ReLU(), WithBuffer(), nn.BatchNorm1d(2), nn.Linear(2, 2))
    model[0].b.loop = model[0]  # a module holding its ancestor
    for module in model.modules():
        assert structure.trainable(module) == any(p.requires_grad for p in module.parameters())
        assert structure.has_buffers(module) == any(True for _ in module.buffers(recurse=False))
        assert structure.composite(module) == bool(list(module.children()))


def test_a_class_with_its_own_parameters_method_is_asked_not_walked():
    class Custom(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.inner = nn.Linear(2, 2)

        def parameters(self, recurse: bool = True):
            return iter(())  # says it has none

        def forward(self, x):
            return self.inner(x)

    class Twice(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.c = Custom()

        def forward(self, x):
            return self.c(self.c(x))

    with pytest.raises(structure.NotStandard):
        structure.trainable(Custom())
    assert not structure.read(Twice()).standard
    report = trace(Twice(), torch.randn(1, 2))
    assert not report.instance("c").traits.weights  # as its own parameters() says


def test_a_kept_tree_does_not_keep_the_model_alive():
    model = Net()
    with torch.no_grad():
        trace(model, _x())
    ref = weakref.ref(model)
    key = id(model)
    assert structure._trees[key][0]() is model
    del model
    gc.collect()
    assert ref() is None
    assert key not in structure._trees  # forgotten with the model
    assert all(root() is not None for root, _ in structure._trees.values())


def test_the_report_is_the_same_with_and_without_a_kept_tree(monkeypatch):
    model = Net().train()
    model.blocks[1].bn2 = model.blocks[0].bn2  # shared statistics across blocks
    model.blocks[1].relu = model.blocks[0].relu  # stateless reuse: no finding

    def said() -> list:
        with torch.no_grad():
            return _said(trace(model, _x()))  # one call site for the three traces

    kept = [said(), said()]
    monkeypatch.setattr(structure, "read", lambda root: None)  # every answer walked, as before
    walked = said()
    assert kept[0] == kept[1] == walked
    assert "LL002" in walked[0]


def test_stateless_reuse_is_skipped_only_where_no_verdict_can_come():
    relu = judge._catalog_traits(nn.ReLU(), "torch")
    bn = judge._catalog_traits(nn.BatchNorm2d(2), "torch")
    linear = judge._catalog_traits(nn.Linear(2, 2), "torch")

    class Inst:
        def __init__(self, traits, composite=False):
            self.traits, self.composite = traits, composite

    assert judge._never_a_finding(Inst(relu)) and judge._never_a_finding(Inst(None))
    assert not judge._never_a_finding(Inst(bn)) and not judge._never_a_finding(Inst(linear))


def test_a_tracing_block_of_one_model_reads_its_changed_tree_again():
    from layerlint.runtime import tracing

    model = Net().eval()
    with torch.no_grad():
        for _ in range(2):
            with tracing() as report:
                model(_x())
            assert report.codes == [] and report.instance("blocks[1].bn2").aliases == []
        model.blocks[1].bn2 = model.blocks[1].bn1
        with tracing() as report:
            model(_x())
    assert report.codes == ["LL002"]
    assert report.instance("blocks[1].bn1").aliases == ["blocks[1].bn2"]


def test_modes_are_put_back_from_the_kept_tree_including_a_module_added_since():
    class Flips(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.a = nn.Linear(3, 3)
            self.idle = nn.Dropout()  # never called

        def forward(self, x):
            self.train()  # every module, the idle and the added ones too
            return self.a(x)

    model = Flips().eval()
    trace(model, torch.randn(2, 3))
    assert not any(m.training for m in model.modules())
    model.added = nn.BatchNorm1d(3)  # after the tree was kept: read again, its mode saved too
    model.added.eval()
    model.a.train()  # a mixed tree: each module gets its own mode back
    trace(model, torch.randn(2, 3))
    assert [m.training for m in model.modules()] == [False, True, False, False]


def test_a_compiled_module_is_found_from_the_kept_classes_as_from_a_walk():
    from layerlint.runtime import coverage

    inner = nn.Linear(3, 3)
    model = nn.Sequential(nn.ReLU(), torch.compile(inner))
    plain = nn.Sequential(nn.ReLU(), nn.Linear(3, 3))
    for each, holds in ((model, True), (plain, False)):
        view = structure.read(each)
        assert coverage.holds_compiled(each, view) is coverage.holds_compiled(each) is holds
