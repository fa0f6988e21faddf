"""Issue 16, PyTorch data flow: each recorded call knows which call produced its input tensors
(`CallRecord.sources`, by tensor identity checked with a weak reference), and the HTML report draws
its edges from the producer, not from the layer called just before. Nothing of it may keep a
tensor alive after the pass.
"""

from __future__ import annotations

import gc
import weakref

import pytest

from layerlint.runtime import hooks, trace, tracing
from layerlint.runtime.html import write_html_report
from test_html_report import flow, inputs, load, page, parse, row, selected_instances  # noqa: F401  (page: fixture)


def skip_model(torch):
    """`c` reads `a`'s output (a skip over `b`); `d` reads `b + c`, made by no layer."""
    nn = torch.nn

    class Skip(nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b, self.c, self.d = (nn.Linear(4, 4) for _ in range(4))

        def forward(self, x):
            h = self.a(x)
            y = self.b(h)
            z = self.c(h)
            return self.d(y + z)

    return Skip()


def residual_model(torch):
    """A block that returns `self.inner(x) + x` (not a layer's output), then a head; a shared
    in-place ReLU after the stem (the later writer of its input tensor is its producer)."""
    nn = torch.nn

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.inner = nn.Linear(4, 4)

        def forward(self, x):
            return self.inner(x) + x

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.stem = nn.Linear(4, 4)
            self.act = nn.ReLU(inplace=True)
            self.block = Block()
            self.head = nn.Linear(4, 4)

        def forward(self, x):
            return self.head(self.block(self.act(self.stem(x))))

    return Net()


def calls_of(report, path):
    return report.instance(path).calls


def test_sources_name_the_producer_not_the_previous_call(torch):
    report = trace(skip_model(torch), torch.zeros(2, 4))
    (a,), (b,), (c,), (d,) = (calls_of(report, name) for name in "abcd")
    assert a.sources == (None,)  # the model input
    assert b.sources == (a,)
    assert c.sources == (a,)  # from `a`, although `b` was called just before
    assert d.sources == (None,)  # `y + z` is not a layer's output


def test_an_in_place_layer_and_a_block_returning_an_operation(torch):
    report = trace(residual_model(torch), torch.zeros(2, 4))
    (stem,), (act,), (inner,), (block,), (head,) = (calls_of(report, p) for p in
                                                     ("stem", "act", "block.inner", "block", "head"))
    assert act.sources == (stem,)
    assert block.sources == (act,) and inner.sources == (act,)  # the in-place ReLU wrote it last
    assert head.sources == (block,)  # the block's `+` made it: the block is its producer


def test_no_tensor_outlives_the_pass_and_the_table_is_emptied(torch):
    model = skip_model(torch)
    seen: list = []
    model.b.register_forward_hook(lambda module, args, output: seen.append(weakref.ref(output)))
    with torch.no_grad():
        trace(model, torch.zeros(2, 4))
    gc.collect()
    assert seen and seen[0]() is None  # an intermediate activation is freed once the pass is over
    assert not getattr(hooks._local, "produced", {})


def test_a_reused_address_is_not_taken_for_the_producer(torch):
    """A tensor freed inside the pass and a new one at the same address: the weak reference tells
    them apart, so the new tensor gets no producer."""
    nn = torch.nn

    class Recycle(nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b = nn.Linear(4, 4), nn.Linear(4, 4)
            self.ids: list = []
            self.recycled = False

        def forward(self, x):
            for _ in range(50):
                h = self.a(x)
                self.ids.append(id(h))
                del h
                fresh = x * 1.0  # made by no layer, often at the address `h` had
                if id(fresh) in self.ids:
                    self.recycled = True
                    return self.b(fresh)
            return self.b(x * 1.0)

    model = Recycle()
    with torch.no_grad():
        report = trace(model, torch.zeros(2, 4))
    assert model.recycled  # the allocator did give the address back
    (call,) = report.instance("b").calls
    assert call.sources == (None,)


def test_tracing_block_over_two_passes_links_within_each_pass(torch):
    model = skip_model(torch)
    with tracing() as report:
        model(torch.zeros(2, 4))
        model(torch.zeros(2, 4))
    a_calls, c_calls = report.instance("a").calls, report.instance("c").calls
    assert [call.sources for call in a_calls] == [(None,), (None,)]
    assert [call.sources[0] for call in c_calls] == a_calls


# ---------------------------------------------------------------------------------------------
# the page
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def skip_page(torch, tmp_path_factory):
    report = trace(skip_model(torch), torch.zeros(2, 4))
    path = tmp_path_factory.mktemp("dataflow") / "skip.html"
    write_html_report(report, path)
    return report, path


def test_the_page_draws_the_skip_edge_from_its_producer(skip_page):
    _, path = skip_page
    dom = parse(path.read_text(encoding="utf-8"))
    assert inputs(dom, "a") == [("input", "(2,4)", True)]
    assert inputs(dom, "b") == [("a", "(2,4)", True)]
    assert inputs(dom, "c") == [("a", "(2,4)", True)]  # not ("b", ..., False): that was call order
    assert inputs(dom, "d") == [("c", "(2,4)", False)]  # `y + z`: call order, and marked so
    feeds = sorted(edge[1] for edge in flow(dom)[row(dom, "a").attrs["id"]]["to"])
    assert feeds == ["b", "c"]
    assert "data flow" in dom.find(id="details").text()


def test_the_skip_edge_in_chromium(page, skip_page):  # noqa: F811  (page: the fixture imported above)
    _, path = skip_page
    load(page, path)
    page.click('#tree li.row[data-instance="c"] > .line')
    assert selected_instances(page) == ["c"]
    details = page.evaluate("document.getElementById('details').innerText")
    assert "inputs from" in details and "call order" not in details.split("feeds")[0]
    edges = page.evaluate("Array.prototype.map.call(document.querySelectorAll('#details .flow-edge'),"
                          " function (e) { return e.classList.contains('order'); })")
    assert sorted(edges) == [False, False, True]  # a->b and a->c: data flow; c->d: call order
    legend = page.evaluate("document.querySelector('#details .flow p.note').innerText")
    assert "data flow" in legend and "call order" in legend
    assert page.errors == []
