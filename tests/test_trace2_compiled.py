"""Issue 16, compiled PyTorch models: `tracing(model)` runs a compiled model's code eagerly so that
its layers are recorded; TorchDynamo never compiles layerlint's hooks (it used to compile `pre_hook`
as a frame of its own and recompile it for every module class: "Recompiling function pre_hook",
then "hit config.recompile_limit"); torch.compile's wrapper is not reported as a layer.
"""

from __future__ import annotations

from layerlint.runtime import trace, tracing
from test_trace_real_models import small_resnet


def dynamo_cache_of(function) -> list:
    from torch._dynamo.eval_frame import _debug_get_cache_entry_list

    return list(_debug_get_cache_entry_list(function.__code__))


def our_hooks(torch) -> list:
    from torch.nn.modules import module

    found = [hook for registry in (module._global_forward_pre_hooks, module._global_forward_hooks)
             for hook in registry.values() if "layerlint" in getattr(hook, "__code__", None).co_filename]
    assert len(found) == 2
    return found


def test_a_compiled_model_in_a_tracing_block_given_the_model_is_run_eagerly(torch):
    model = small_resnet(torch, reuse=True)
    x = torch.zeros(2, 3, 8, 8)
    compiled = torch.compile(model, backend="eager")
    compiled(x)  # compiled before the trace: its layers no longer run as Python
    with tracing(compiled) as report:
        compiled(x)
    assert report.codes == ["LL002"], report.render_text()
    assert "`layer1[0].bn1` (BatchNorm2d)" in report.diagnostics[0].message.render()  # named from inside
    assert any("ran eagerly during the trace" in note for note in report.notes)
    assert not any(inst.class_name == "OptimizedModule" for inst in report.instances)
    # the stance is back: outside the block the compiled code runs compiled again
    with tracing() as blind:
        compiled(x)
    assert blind.codes == [] and any("torch.compile" in note for note in blind.notes)


def test_a_lightning_style_module_holding_a_compiled_network(torch):
    """A training module whose network is compiled (`self.net = torch.compile(net)`): the callbacks
    trace `tracing(module, one_pass=True)`, which runs the network eagerly and finds the bug."""

    class Holder(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.net = torch.compile(small_resnet(torch, reuse=True), backend="eager")

        def forward(self, x):
            return self.net(x)

    holder = Holder()
    x = torch.zeros(2, 3, 8, 8)
    holder(x)
    with tracing(holder, one_pass=True) as report:
        holder(x)
    assert report.codes == ["LL002"], report.render_text()


def test_dynamo_never_compiles_the_hooks(torch):
    """A model compiled for the first time inside a trace calls the hooks from compiled code:
    Dynamo runs them as they are (a graph break), and the hooks still record every layer. Before,
    Dynamo compiled `pre_hook` once per module class (8 cache entries here, then the recompile
    limit's warning; `TORCH_LOGS=recompiles` showed "Recompiling function pre_hook")."""
    model = small_resnet(torch, reuse=True)
    x = torch.zeros(2, 3, 8, 8)
    compiled = torch.compile(model, backend="eager")
    reports = []
    for _ in range(3):
        with tracing() as report:
            compiled(x)
            hooks = our_hooks(torch)
        reports.append(report)
    for hook in hooks:
        assert dynamo_cache_of(hook) == []  # never compiled, so never recompiled
    assert [r.codes for r in reports] == [["LL002"]] * 3
    assert trace(compiled, x).codes == ["LL002"]


def test_trace_runs_compiled_sub_modules_eagerly(torch):
    """`trace(model, x)` of a model whose network is compiled and already ran: the network's code
    runs eagerly during the trace, so the bug inside is found, and it is compiled again after."""

    class Holder(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.net = torch.compile(small_resnet(torch, reuse=True), backend="eager")

        def forward(self, x):
            return self.net(x)

    holder = Holder()
    x = torch.zeros(2, 3, 8, 8)
    holder(x)
    report = trace(holder, x)
    assert report.codes == ["LL002"], report.render_text()
    assert any("ran eagerly during the trace" in note for note in report.notes)
    with tracing() as blind:
        holder(x)
    assert blind.codes == []  # outside the trace the compiled code runs compiled again


def test_pytorch_does_not_warn_about_the_traces_own_hooks(torch, recwarn):
    """PyTorch warns at every call of a compiled module while a global module hook is installed: inside
    a trace those hooks are layerlint's, so the user is not told about them; outside, the filter is gone."""
    import warnings

    model = torch.compile(small_resnet(torch, reuse=False), backend="eager")
    x = torch.zeros(2, 3, 8, 8)
    filters = list(warnings.filters)
    with tracing(model):
        model(x)
    assert not [w for w in recwarn if "global hooks" in str(w.message)]
    assert warnings.filters == filters
