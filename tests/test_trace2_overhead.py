"""Issue 16, trace overhead: what the cheaper tracer must still do. Garbage collection is paused
only while the report is judged (never left off, never turned on when the caller had it off), the
user-frame answers survive across traces, and the train/eval modes and statistics are still put
back. (The timings themselves are in bench/trace_overhead.py, not in tests.)"""

from __future__ import annotations

import gc

import pytest

from layerlint.runtime import hooks, trace, tracing


def net(torch):
    nn = torch.nn
    return nn.Sequential(nn.Linear(4, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))


def test_gc_is_paused_while_judging_only(torch, monkeypatch):
    from layerlint.runtime import tracer

    seen = []
    original = tracer.build_report

    def spy(*args, **kwargs):
        seen.append(gc.isenabled())
        return original(*args, **kwargs)

    monkeypatch.setattr(tracer, "build_report", spy)
    model = net(torch).eval()
    forward_seen = []
    model[0].register_forward_hook(lambda *args: forward_seen.append(gc.isenabled()))
    trace(model, torch.zeros(3, 4))
    assert seen == [False] and forward_seen == [True] and gc.isenabled()
    with tracing():
        model(torch.zeros(3, 4))
    assert seen == [False, False] and gc.isenabled()


def test_gc_stays_off_when_the_caller_turned_it_off(torch):
    gc.disable()
    try:
        trace(net(torch).eval(), torch.zeros(3, 4))
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_gc_comes_back_when_judging_raises(torch, monkeypatch):
    from layerlint.runtime import tracer

    def broken(*args, **kwargs):
        raise RuntimeError("judge failed")

    monkeypatch.setattr(tracer, "build_report", broken)
    with pytest.raises(RuntimeError, match="judge failed"):
        trace(net(torch).eval(), torch.zeros(3, 4))
    assert gc.isenabled()


def test_user_frame_answers_are_kept_across_traces_and_renewed_for_a_new_framework(torch):
    model = net(torch).eval()
    trace(model, torch.zeros(3, 4))
    cache = dict(hooks._internal_cache)
    assert cache  # filled by the first trace
    trace(model, torch.zeros(3, 4))
    assert hooks._internal_cache == cache  # not recomputed
    hooks._prefixes_seen = ()  # as if another framework had been imported since
    trace(model, torch.zeros(3, 4))
    assert hooks._internal_cache  # recomputed, and filled again


def test_modes_and_statistics_are_still_put_back(torch):
    class FlipsModes(torch.nn.Module):
        """A forward that switches its siblings' modes (as some freezing code does)."""

        def __init__(self, others):
            super().__init__()
            self.others = others

        def forward(self, x):
            for module, mode in zip(self.others, (False, True)):
                module.training = mode
            return x

    model = net(torch).train()
    model[2].eval()  # a mixed model
    model.append(FlipsModes([model[1], model[2]]))
    mean = model[1].running_mean.clone()
    trace(model, torch.randn(3, 4))
    assert [m.training for m in model] == [True, True, False, True, True]
    assert torch.equal(model[1].running_mean, mean)
