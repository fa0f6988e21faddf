"""The HTML trace report (`layerlint.runtime.html`) on small models: real traces of Keras 3 and
PyTorch models, the page's structure read with `html.parser`, then the page driven in headless
Chromium through the DevTools protocol (`browser.Page`: real clicks, console errors collected).
The large models (ResNet-50, transformers, 500 layers) are in test_html_report_scale.py.

The browser tests need Debian's chromium at /usr/bin/chromium; when it is missing they run
`scripts/install-browser` (as root) and skip only if that fails.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import pytest

from layerlint.runtime import TraceReport, trace
from layerlint.runtime.html import render_html, write_html_report
from layerlint.runtime.html_tree import GROUP_ABOVE
from zoo import keras_article

ROOT = Path(__file__).resolve().parent.parent
EVIL = 'Tied<script>alert("x")</script>&'


# ---------------------------------------------------------------------------------------------
# a small DOM built with html.parser
# ---------------------------------------------------------------------------------------------
VOID = {"meta", "link", "br", "hr", "img", "input", "area", "base", "col", "embed", "source", "track", "wbr"}


class Element:
    def __init__(self, tag, attrs, parent=None):
        self.tag, self.attrs, self.parent = tag, dict(attrs), parent
        self.children: list = []  # Element or str

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self):
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter()

    def find_all(self, tag=None, cls=None, **attrs):
        out = []
        for el in self.iter():
            if tag is not None and el.tag != tag:
                continue
            if cls is not None and cls not in el.classes:
                continue
            if any(el.attrs.get(k.replace("_", "-")) != v for k, v in attrs.items()):
                continue
            out.append(el)
        return out

    def find(self, tag=None, cls=None, **attrs):
        found = self.find_all(tag, cls, **attrs)
        return found[0] if found else None


class TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.current = self.root
        self.doctype = None

    def handle_decl(self, decl):
        self.doctype = decl

    def handle_starttag(self, tag, attrs):
        el = Element(tag, attrs, self.current)
        self.current.children.append(el)
        if tag not in VOID:
            self.current = el

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Element(tag, attrs, self.current))

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        el = self.current
        while el is not None and el.tag != tag:
            el = el.parent
        assert el is not None, f"</{tag}> closes nothing"
        self.current = el.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(text: str) -> Element:
    builder = TreeBuilder()
    builder.feed(text)
    builder.close()
    builder.root.doctype = builder.doctype
    return builder.root


def row(dom, instance):
    found = dom.find_all("li", cls="row", data_instance=instance)
    assert len(found) == 1, f"{len(found)} rows for {instance!r}"
    return found[0]


def line_text(el, cls) -> str | None:
    found = el.find("div", cls="line").find("span", cls=cls)
    return None if found is None else found.text()


def ancestors(el):
    up = el.parent
    while up is not None:
        if up.tag == "li" and "row" in up.classes:
            yield up
        up = up.parent


def children_names(el) -> list[str]:
    listing = next(c for c in el.children if isinstance(c, Element) and c.tag == "ul")
    return [c.find("span", cls="label").text() for c in listing.children if isinstance(c, Element)]


def flow(dom) -> dict:
    """The details card's data: row id -> {"from": [[row id, name, shapes, recorded, calls]], "to": ...}."""
    return json.loads(dom.find("script", id="layerlint-view").text())["rows"]


def inputs(dom, instance) -> list[tuple]:
    return [(name, shapes, recorded) for _, name, shapes, recorded, _ in flow(dom)[row(dom, instance).attrs["id"]]["from"]]


# ---------------------------------------------------------------------------------------------
# the models
# ---------------------------------------------------------------------------------------------
def torch_shared(torch):
    """Same-shape BatchNorm2d shared by three convolutions (LL002), a shared ReLU (stateless), a
    Linear applied twice (LL003) and a Linear subclass with markup in its class name (LL003)."""
    nn = torch.nn
    tied = type(EVIL, (nn.Linear,), {})

    class TorchNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.stem = nn.Conv2d(3, 8, 3, padding=1)
            self.blocks = nn.ModuleList([nn.Conv2d(8, 8, 3, padding=1) for _ in range(2)])
            self.bn = nn.BatchNorm2d(8)
            self.act = nn.ReLU()
            self.pool = nn.AdaptiveAvgPool2d(1)
            self.head = nn.Linear(8, 8)
            self.tied = tied(8, 8)

        def forward(self, x):
            x = self.act(self.bn(self.stem(x)))
            for block in self.blocks:
                x = self.act(self.bn(block(x)))
            x = self.pool(x).flatten(1)
            x = self.head(self.head(x))
            return self.tied(self.tied(x))

    return TorchNet()


def keras_functional(keras):
    layers = keras.layers
    inputs = keras.Input((12, 12, 3), name="image")
    shared = layers.BatchNormalization(name="shared_bn")
    left = shared(layers.Conv2D(4, 3, padding="same", name="conv_a")(inputs))
    right = shared(layers.Conv2D(4, 3, padding="same", name="conv_b")(inputs))
    out = layers.Add(name="merge")([left, right])
    return keras.Model(inputs, out, name="twin")


@pytest.fixture(scope="module")
def pages(tmp_path_factory, request):
    """name -> (report, path of the written page), built lazily per framework."""
    out_dir = tmp_path_factory.mktemp("html")
    cache: dict = {}

    def get(name):
        if name not in cache:
            if name == "keras_article":
                keras = request.getfixturevalue("keras")
                import numpy as np

                report = trace(keras_article(keras), np.zeros((2, 28, 28, 1), "float32"), raise_on_error=False)
            elif name == "keras_functional":
                keras = request.getfixturevalue("keras")
                import numpy as np

                report = trace(keras_functional(keras), np.zeros((2, 12, 12, 3), "float32"))
            elif name == "torch_shared":
                torch = request.getfixturevalue("torch")
                report = trace(torch_shared(torch), torch.zeros(2, 3, 16, 16))
            else:
                raise KeyError(name)
            path = out_dir / f"{name}.html"
            assert write_html_report(report, path) == str(path)
            cache[name] = (report, path)
        return cache[name]

    return get



# ---------------------------------------------------------------------------------------------
# structure, without a browser
# ---------------------------------------------------------------------------------------------
def assert_self_contained(text: str, dom: Element) -> None:
    assert dom.doctype.lower() == "doctype html"
    for el in dom.iter():
        for key, value in el.attrs.items():
            if key in ("src", "href") or (key == "xlink:href"):
                assert value is None or value.startswith(("#", "data:")), (el.tag, key, value)
    assert "http://" not in text.replace('"http://www.w3.org/2000/svg"', "")  # a namespace name, never fetched
    assert "https://" not in text
    scripts = dom.find_all("script")
    assert [s.attrs.get("type") for s in scripts] == [None, "application/json", "application/json", None]
    csp = dom.find("meta", http_equiv="Content-Security-Policy")
    assert csp is not None and "default-src 'none'" in csp.attrs["content"]
    assert not dom.find_all("link", rel="stylesheet")


def test_keras_article_page_structure(pages):
    report, path = pages("keras_article")
    assert report.error is not None and report.codes == ["LL001"]
    text = path.read_text(encoding="utf-8")
    dom = parse(text)
    assert_self_contained(text, dom)

    # the tree: the traced model, then its layers in first-call order
    (root,) = dom.find("ul", id="tree").children
    assert "kind-model" in root.classes and "open" in root.classes
    assert children_names(root) == ["conv1", "bn", "pool", "conv2"]
    bn = row(dom, "bn")
    assert {"verdict-error", "raised", "flagged", "kind-layer"} <= bn.classes
    assert bn.attrs["data-class"] == "BatchNormalization" and bn.attrs["data-calls"] == "2"
    assert line_text(bn, "calls") == "\u00d72" and line_text(bn, "raised-mark") == "\u26a0 raised here"
    assert [a.text() for a in bn.find_all("a", cls="chip")] == ["LL001"]
    for name in ("conv1", "pool", "conv2"):
        assert "verdict-single" in row(dom, name).classes
    assert "1 finding inside" in line_text(root, "inside")

    # inputs by call order, labelled with the shapes that went in
    assert inputs(dom, "conv1") == [("input", "(2,28,28,1)", False)]
    assert inputs(dom, "bn") == [("conv1", "(2,25,25,6)", False), ("conv2", "(2,9,9,16)", False)]
    assert inputs(dom, "conv2") == [("pool", "(2,12,12,6)", False)]
    assert "call order" in dom.find(id="details").text()

    # the diagnostic beside it: code, severity, message, call sites with their source lines
    (diag,) = dom.find_all("li", cls="diagnostic")
    assert diag.attrs["data-code"] == "LL001" and diag.attrs["data-severity"] == "error"
    assert diag.attrs["data-instance"] == "bn" and diag.attrs["data-rows"] == bn.attrs["id"]
    assert bn.attrs["data-diagnostics"] == diag.attrs["id"]
    assert "is built for 6 features by its call at line 24 but gets 16 here" in diag.find("p", cls="message").text()
    sites = diag.find_all("li", cls="site")
    assert [s.find("code").text().split(":")[0].endswith("zoo.py") for s in sites] == [True, True]
    assert "return self.pool(self.bn2(self.conv2(x), training=training))" in sites[0].find("pre").text()
    assert "first call: builds `bn` for 6 features" in sites[1].text()
    assert "forward pass raised ValueError" in dom.find(id="forward-error").text()
    # every call in the table, each linked to its row
    calls = dom.find("table", id="calls").find_all("tr", cls="call")
    assert len(calls) == 6 and all(tr.attrs["data-row"].startswith("row-") for tr in calls)


def test_torch_shared_batchnorm_page_structure(pages):
    report, path = pages("torch_shared")
    assert sorted(report.codes) == ["LL002", "LL003", "LL003"]
    text = path.read_text(encoding="utf-8")
    dom = parse(text)
    assert_self_contained(text, dom)

    assert "verdict-warning" in row(dom, "bn").classes and row(dom, "bn").attrs["data-calls"] == "3"
    assert "verdict-reuse" in row(dom, "act").classes
    assert "verdict-info" in row(dom, "head").classes
    assert "verdict-info" in row(dom, "tied").classes
    for name in ("stem", "blocks[0]", "blocks[1]", "pool"):
        assert "verdict-single" in row(dom, name).classes
    assert not dom.find_all("li", cls="raised")
    # a ModuleList is never called: its row is a container, closed (nothing flagged inside)
    (blocks,) = [r for r in dom.find_all("li", cls="kind-container") if r.find("span", cls="label").text() == "blocks"]
    assert children_names(blocks) == ["[0]", "[1]"] and "open" not in blocks.classes

    # call order: each conv feeds the shared BatchNorm; the Linear applied to its own output loops
    assert [name for name, _, _ in inputs(dom, "bn")] == ["stem", "blocks[0]", "blocks[1]"]
    assert {shapes for _, shapes, _ in inputs(dom, "bn")} == {"(2,8,16,16)"}
    assert inputs(dom, "head") == [("pool", "(2,8)", False), ("head", "(2,8)", False)]
    (to_act,) = flow(dom)[row(dom, "bn").attrs["id"]]["to"]
    assert to_act[1] == "act" and to_act[4] == 3

    severities = [(li.attrs["data-code"], li.attrs["data-severity"], li.attrs["data-instance"])
                  for li in dom.find_all("li", cls="diagnostic")]
    assert severities[0] == ("LL002", "warning", "bn")
    assert sorted(severities[1:]) == [("LL003", "info", "head"), ("LL003", "info", "tied")]
    ll002 = dom.find("li", cls="diagnostic", data_code="LL002")
    assert "called 3 times in one forward pass" in ll002.text()
    assert len(ll002.find_all("li", cls="site")) == 3  # the call site, then the two others

    # markup in a class name and in the messages is text, never markup
    assert "<script>alert" not in text
    assert row(dom, "tied").attrs["data-class"] == EVIL
    assert line_text(row(dom, "tied"), "cls") == EVIL
    tied_diag = dom.find("li", cls="diagnostic", data_instance="tied")
    assert f"`tied` ({EVIL})" in tied_diag.find("p", cls="message").text()
    assert EVIL in json.loads(dom.find("script", id="layerlint-data").text())["instances"][-1]["class"]


def test_keras_functional_inputs_follow_the_recorded_producers(pages):
    report, path = pages("keras_functional")
    dom = parse(path.read_text(encoding="utf-8"))
    assert report.codes == ["LL002"]
    assert "verdict-warning" in row(dom, "shared_bn").classes
    # both convolutions read the model input (not one another, as the call order would say)
    for conv in ("conv_a", "conv_b"):
        assert inputs(dom, conv) == [("input", "(2,12,12,3)", True)]
    assert [(name, recorded) for name, _, recorded in inputs(dom, "shared_bn")] == [("conv_a", True), ("conv_b", True)]
    (merge,) = inputs(dom, "merge")
    assert merge[0] == "shared_bn" and merge[2] is True
    assert flow(dom)[row(dom, "merge").attrs["id"]]["from"][0][4] == 2  # both calls of the BN feed it
    assert "Keras functional graph" in dom.find(id="details").text()


def test_a_reused_sub_network_is_flagged_on_its_row_and_colours_its_layers(torch):
    nn = torch.nn

    class Siamese(nn.Module):
        def __init__(self):
            super().__init__()
            self.tower = nn.Sequential(nn.Linear(4, 4), nn.ReLU())
            self.out = nn.Linear(4, 2)

        def forward(self, a, b):
            return self.out(self.tower(a) + self.tower(b))

    report = trace(Siamese(), torch.zeros(2, 4), torch.zeros(2, 4))
    assert report.codes == ["LL003"]
    dom = parse(render_html(report))
    tower = row(dom, "tower")
    assert {"kind-module", "verdict-info", "flagged"} <= tower.classes
    assert children_names(tower) == ["[0]", "[1]"]
    members = [row(dom, "tower[0]"), row(dom, "tower[1]")]
    for member in members:
        assert {"verdict-info", "in-shared-composite"} <= member.classes
        assert member.attrs["data-composite"] == "tower"
    assert "verdict-single" in row(dom, "out").classes
    diag = dom.find("li", cls="diagnostic")
    assert diag.attrs["data-instance"] == "tower"
    assert diag.attrs["data-rows"].split() == [tower.attrs["id"]] + [m.attrs["id"] for m in members]


def nested_torch(torch):
    """Three stages of four blocks of (conv, bn, relu); the BatchNorm of stages[1][2] is applied
    twice (LL002). Only the path to it opens by default."""
    nn = torch.nn

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv, self.bn, self.act = nn.Conv2d(4, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU()

        def forward(self, x):
            return self.act(self.bn(self.conv(x)))

    class Twice(Block):
        def forward(self, x):
            return self.act(self.bn(self.conv(self.bn(x))))

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.stages = nn.ModuleList(
                nn.Sequential(*[Twice() if (s, b) == (1, 2) else Block() for b in range(4)]) for s in range(3))

        def forward(self, x):
            for stage in self.stages:
                x = stage(x)
            return x

    return Net()


def test_the_tree_opens_only_down_to_the_findings(torch):
    report = trace(nested_torch(torch), torch.zeros(1, 4, 6, 6))
    assert report.codes == ["LL002"]
    dom = parse(render_html(report))
    flagged = row(dom, "stages[1][2].bn")
    assert "flagged" in flagged.classes
    path_up = list(ancestors(flagged))
    assert [r.find("span", cls="label").text() for r in path_up] == ["[2]", "[1]", "stages", "Net (traced model)"]
    assert all("open" in r.classes and r.attrs["aria-expanded"] == "true" for r in path_up)
    opened = {r.attrs["id"] for r in dom.find_all("li", cls="open")}
    assert opened == {r.attrs["id"] for r in path_up}  # nothing else is open
    assert "1 finding inside" in line_text(row(dom, "stages[1]"), "inside")
    assert line_text(row(dom, "stages[0]"), "inside") == "12 layers"
    assert {"worst-warning"} <= row(dom, "stages[1]").classes and "worst-single" in row(dom, "stages[0]").classes
    # the verdict filter counts the layers per verdict
    counts = {label.attrs["class"].split()[1]: label.find("span", cls="count").text()
              for label in dom.find_all("label", cls="filter")}
    assert counts == {"verdict-error": "0", "verdict-warning": "1", "verdict-info": "0",
                      "verdict-reuse": "0", "verdict-single": "50"}


def test_a_long_flat_list_of_layers_is_grouped_by_name(torch):
    """A Keras-style flat namespace (conv2_block1_1_conv, ...) folds into its blocks."""
    nn = torch.nn

    class Flat(nn.Module):
        def __init__(self):
            super().__init__()
            self.names = []
            for stage in (2, 3):
                for block in (1, 2, 3):
                    for part in ("1_conv", "1_relu", "2_conv", "2_relu"):
                        name = f"conv{stage}_block{block}_{part}"
                        self.add_module(name, nn.Conv2d(2, 2, 1) if part.endswith("conv") else nn.ReLU())
                        self.names.append(name)
            self.head = nn.Flatten()

        def forward(self, x):
            for name in self.names:
                x = getattr(self, name)(x)
            return self.head(x)

    model = Flat()
    assert len(model.names) > GROUP_ABOVE
    dom = parse(render_html(trace(model, torch.zeros(1, 2, 3, 3))))
    (root,) = dom.find("ul", id="tree").children
    assert children_names(root) == ["conv2", "conv3", "head"]
    conv2 = next(r for r in dom.find_all("li", cls="kind-group") if r.find("span", cls="label").text() == "conv2")
    assert children_names(conv2) == ["conv2_block1_1_conv", "conv2_block1_1_relu", "conv2_block1_2_conv",
                                     "conv2_block1_2_relu", "conv2_block2_1_conv", "conv2_block2_1_relu",
                                     "conv2_block2_2_conv", "conv2_block2_2_relu", "conv2_block3_1_conv",
                                     "conv2_block3_1_relu", "conv2_block3_2_conv", "conv2_block3_2_relu"]
    assert line_text(conv2, "inside") == "12 layers"


def test_the_page_is_deterministic(torch):
    first = render_html(trace(torch_shared(torch), torch.zeros(2, 3, 16, 16)))
    second = render_html(trace(torch_shared(torch), torch.zeros(2, 3, 16, 16)))

    def tree(text):  # the call sites differ: the two traces ran on two lines of this file
        return text[text.index('<ul id="tree"'):text.index("</section>")]

    assert tree(first) == tree(second)


def test_an_empty_report_renders():
    dom = parse(render_html(TraceReport()))
    (root,) = dom.find("ul", id="tree").children
    assert root.find("span", cls="label").text() == "model"
    assert "No unsafe layer reuse found." in dom.find(id="diagnostics").text()


def test_write_replaces_a_link_instead_of_writing_through_it(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    link = tmp_path / "report.html"
    link.symlink_to(victim)
    assert write_html_report(TraceReport(), link) == str(link)
    assert victim.read_text(encoding="utf-8") == "keep me"
    assert not link.is_symlink() and link.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".layerlint-")] == []


# ---------------------------------------------------------------------------------------------
# in a real browser
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def page():
    from browser import Page, chromium_or_skip

    opened = Page(chromium_or_skip(), 1400, 1000)
    yield opened
    opened.close()


def load(page, path, fragment=""):
    page.errors.clear()
    page.open(path, fragment)
    assert page.evaluate("document.body.dataset.ready") == "ok", page.evaluate("document.body.dataset.errors")
    assert page.evaluate("document.body.dataset.errors || ''") == ""
    assert page.errors == []


def selected_instances(page) -> list[str]:
    return page.evaluate("Array.prototype.map.call(document.querySelectorAll('#tree li.row.selected'),"
                         " function (r) { return r.dataset.instance; })")


@pytest.mark.parametrize("name", ["keras_article", "torch_shared", "keras_functional"])
def test_page_runs_in_headless_chromium_without_errors(page, pages, name):
    report, path = pages(name)
    load(page, path)
    assert page.evaluate("document.body.dataset.rows") == str(len(parse(path.read_text("utf-8")).find_all("li", cls="row")))
    # one click on each diagnostic selects its layers and shows their details
    for number, diag in enumerate(report.diagnostics):
        page.click(f"#diag-{number}")
        instance = str(diag.layer)
        assert selected_instances(page)[0] == instance
        assert instance in page.evaluate("document.getElementById('details').innerText")
    assert page.errors == []


def test_clicking_a_layer_shows_its_calls_and_inputs(page, pages):
    _, path = pages("torch_shared")
    load(page, path)
    page.click('#tree li.row[data-instance="bn"] > .line')
    assert selected_instances(page) == ["bn"]
    details = page.evaluate("document.getElementById('details').innerText")
    assert "BatchNorm2d (torch)" in details and "inputs from" in details and "call order" in details
    assert details.count("(2,8,16,16) float32") == 3
    assert page.evaluate("document.querySelector('#diagnostics .selected').dataset.code") == "LL002"
    assert page.evaluate("document.querySelectorAll('#calls tr.selected').length") == 3
    # a link in the card selects the layer it names
    page.click("#details a")
    assert selected_instances(page) == ["stem"]
    # the hostile class name stayed text in the card
    page.click('#tree li.row[data-instance="tied"] > .line')
    assert EVIL in page.evaluate("document.getElementById('details').innerText")
    assert page.evaluate("document.querySelectorAll('#details script').length") == 0
    assert page.errors == []


def test_search_filter_and_links_in_chromium(page, pages):
    _, path = pages("torch_shared")
    load(page, path)
    # the ModuleList's blocks are closed; a search opens them and hides what does not match
    assert page.evaluate("document.querySelector('#tree li.row[data-instance=\"blocks[1]\"]').offsetParent") is None
    page.evaluate("var s = document.getElementById('search'); s.value = 'blocks[1'; "
                  "s.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter'}))")
    visible = page.evaluate("Array.prototype.filter.call(document.querySelectorAll('#tree li.row[data-instance]'),"
                            " function (r) { return r.offsetParent !== null; }).map(function (r) { return r.dataset.instance; })")
    assert visible == ["<TorchNet (traced model)>", "blocks[1]"]
    assert page.evaluate("document.getElementById('match-count').textContent") == "1 matching row(s)"
    # only warnings: the shared BatchNorm and the rows above it
    page.click("#show-findings")
    for value in ("error", "info", "reuse", "single"):
        page.click(f'input[name="verdict"][value="{value}"]')
    visible = page.evaluate("Array.prototype.filter.call(document.querySelectorAll('#tree li.row'),"
                            " function (r) { return r.offsetParent !== null; }).map(function (r) { return r.dataset.verdict; })")
    assert visible == ["single", "warning"]  # the model row, then bn
    # a link to a layer or a finding opens the page with it selected
    dom = parse(path.read_text("utf-8"))
    load(page, path, "#select=" + row(dom, "head").attrs["id"])
    assert selected_instances(page) == ["head"]
    diag_id = dom.find("li", cls="diagnostic", data_instance="tied").attrs["id"]
    load(page, path, "#select=" + diag_id)
    assert selected_instances(page) == ["tied"]
    assert page.evaluate(f"document.getElementById('{diag_id}').classList.contains('selected')")


def test_the_tree_works_from_the_keyboard(page, torch, tmp_path):
    path = tmp_path / "nested.html"
    write_html_report(trace(nested_torch(torch), torch.zeros(1, 4, 6, 6)), path)
    load(page, path)

    def selected():
        return page.evaluate("document.querySelector('#tree li.selected > .line > .label').textContent")

    page.evaluate("document.getElementById('tree').focus()")
    page.press("ArrowDown")  # from the model row to its first child, the ModuleList
    assert selected() == "stages"
    page.press("ArrowDown")
    page.press("ArrowDown")  # stages[0] is folded: the next row shown is stages[1]
    assert selected_instances(page) == ["stages[1]"]
    page.press("ArrowLeft")  # open: close it
    assert not page.evaluate("document.querySelector('#tree li.selected').classList.contains('open')")
    page.press("ArrowRight")
    page.press("ArrowDown")
    assert selected_instances(page) == ["stages[1][0]"]
    page.press("ArrowLeft")  # closed: go to the parent
    assert selected_instances(page) == ["stages[1]"]
    assert page.errors == []


def test_trace_command_writes_the_page(tmp_path):
    out = tmp_path / "report.html"
    done = subprocess.run([sys.executable, "-m", "layerlint", "trace", "examples/torch/article_buggy.py:FeatureExtractor",
                           "--input-shape", "2,1,28,28", "--html", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stderr
    dom = parse(out.read_text(encoding="utf-8"))
    bn = row(dom, "batchnorm")
    assert {"verdict-error", "raised", "flagged"} <= bn.classes
    assert dom.find("li", cls="diagnostic").attrs["data-rows"] == bn.attrs["id"]
    assert oct(out.stat().st_mode & 0o777) == oct(0o644)


def test_markup_in_a_module_name_stays_text_in_the_tree_and_the_card(page, torch, tmp_path):
    hostile = '<img src=x onerror="alert(1)">'
    model = torch.nn.Sequential()
    model.add_module(hostile, torch.nn.Linear(2, 2))
    report = trace(model, torch.zeros(1, 2))
    path = tmp_path / "hostile.html"
    write_html_report(report, path, title=f"run {EVIL}")
    text = path.read_text(encoding="utf-8")
    assert "<img" not in text and "<script>alert" not in text
    dom = parse(text)
    assert row(dom, hostile).find("span", cls="label").text() == hostile
    assert dom.find("h1").text() == f"run {EVIL}"
    load(page, path)
    page.click(f"#{row(dom, hostile).attrs['id']} > .line")
    assert hostile in page.evaluate("document.getElementById('details').innerText")
    assert page.evaluate("document.querySelectorAll('img, #details script').length") == 0
    assert page.errors == []


def test_the_page_speaks_the_report_language(page, pages, tmp_path):
    report, _ = pages("torch_shared")
    path = tmp_path / "zh.html"
    write_html_report(report, path, lang="zh_CN")
    dom = parse(path.read_text(encoding="utf-8"))
    assert dom.find("html").attrs["lang"] == "zh-CN"
    assert dom.find("h1").text() == "layerlint trace：TorchNet"
    assert "选中的层" in dom.find(id="details").text() and "全部展开" in dom.find(id="expand-all").text()
    assert "不是数据流" in dom.find(id="details").text()  # call order, said so
    load(page, path)
    page.click('#tree li.row[data-instance="bn"] > .line')
    card = page.evaluate("document.getElementById('details').innerText")
    assert "输入来自" in card and "调用顺序" in card
    assert page.errors == []
    assert parse(render_html(report, lang="en")).find("html").attrs["lang"] == "en"


def test_a_long_list_of_blocks_is_cut_into_nested_ranges(torch):
    nn = torch.nn
    model = nn.Sequential(*[nn.Linear(2, 2) for _ in range(230)])
    model[117] = model[3]  # LL003, deep in the list
    dom = parse(render_html(trace(model, torch.zeros(1, 2))))
    (root,) = dom.find("ul", id="tree").children
    # [117] is [3]: the model's children are the 229 others
    assert children_names(root) == ["[0] \u2026 [99]", "[100] \u2026 [200]", "[201] \u2026 [229]"]
    hundred = next(r for r in dom.find_all("li", cls="kind-range") if r.find("span", cls="label").text() == "[100] \u2026 [200]")
    assert children_names(hundred)[:2] == ["[100] \u2026 [109]", "[110] \u2026 [120]"] and "open" not in hundred.classes
    # the finding's layer is named by its first path, [3]; that range opens, no other
    opened = [r.find("span", cls="label").text() for r in dom.find_all("li", cls="kind-range") if "open" in r.classes]
    assert opened == ["[0] \u2026 [99]", "[0] \u2026 [9]"]


def test_the_card_draws_the_module_around_the_selected_layer(page, pages):
    _, path = pages("keras_functional")
    load(page, path)
    page.click('#tree li.row[data-instance="shared_bn"] > .line')
    drawn = page.evaluate("Array.prototype.map.call(document.querySelectorAll('#details .flow-node'), function (g) {"
                          " return [g.querySelector('text').textContent, g.classList.contains('current')]; })")
    # first-call order (Keras ran conv_b first); the BN is current and called twice
    assert drawn == [["conv_b", False], ["conv_a", False], ["shared_bn \u00d72", True], ["merge", False]]
    # data flow: both convolutions side by side on the first row, feeding the BN, which feeds merge
    boxes = page.evaluate("Array.prototype.map.call(document.querySelectorAll('#details .flow-node rect'),"
                          " function (r) { return [Number(r.getAttribute('x')), Number(r.getAttribute('y'))]; })")
    assert boxes[0][1] == boxes[1][1] < boxes[2][1] < boxes[3][1] and boxes[0][0] < boxes[1][0]
    assert page.evaluate("document.querySelectorAll('#details .flow-edge').length") == 3
    assert page.evaluate("document.querySelectorAll('#details .flow-edge.back').length") == 0
    assert "Keras functional graph" in page.evaluate("document.querySelector('#details .flow').innerText")
    # a box in the drawing selects its layer
    page.click("#details .flow-node:nth-of-type(4) rect")
    assert selected_instances(page) == ["merge"]
    assert page.errors == []
