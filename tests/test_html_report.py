"""The HTML trace report (`layerlint.runtime.html`): real traces of Keras 3 and PyTorch models,
the page's structure read with `html.parser`, then the page opened in headless Chromium
(`--dump-dom` for the DOM after its script ran, `--screenshot` for a picture).

The browser tests need Debian's chromium at /usr/bin/chromium; when it is missing they run
`scripts/install-browser` (as root) and skip only if that fails. The screenshots are written
under pytest's tmp_path (the paths are printed), and copied into $LAYERLINT_TEST_ARTIFACTS when
that is set.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import pytest

from layerlint.runtime import TraceReport, trace
from layerlint.runtime.html import render_html, write_html_report
from zoo import keras_article

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
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


def node(dom, instance):
    found = dom.find_all("g", cls="node", data_instance=instance)
    assert len(found) == 1, f"{len(found)} nodes for {instance!r}"
    return found[0]


def edges(dom, src, dst):
    return dom.find_all("g", cls="edge", data_from=src, data_to=dst)


def edge_labels(edge) -> list[str]:
    return [t.text() for t in edge.find("text", cls="edge-label").find_all("tspan")]


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
    assert "http://" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in text
    scripts = dom.find_all("script")
    assert [s.attrs.get("type") for s in scripts] == [None, "application/json", None]
    csp = dom.find("meta", http_equiv="Content-Security-Policy")
    assert csp is not None and "default-src 'none'" in csp.attrs["content"]


def test_keras_article_page_structure(pages):
    report, path = pages("keras_article")
    assert report.error is not None and report.codes == ["LL001"]
    text = path.read_text(encoding="utf-8")
    dom = parse(text)
    assert_self_contained(text, dom)

    # nodes: the input, then the leaf layers in first-call order; the model itself is not a node
    names = [g.attrs.get("data-instance", "(input)") for g in dom.find_all("g", cls="node")]
    assert names == ["(input)", "conv1", "bn", "pool", "conv2"]
    bn = node(dom, "bn")
    assert {"verdict-error", "raised"} <= bn.classes
    assert bn.attrs["data-class"] == "BatchNormalization" and bn.attrs["data-calls"] == "2"
    assert bn.find("text", cls="node-badge-text").text() == "\u00d72"
    assert "call 2: (2,9,9,16) float32" in bn.find("title").text()
    for name in ("conv1", "pool", "conv2"):
        assert "verdict-single" in node(dom, name).classes
    assert "<Net (traced model)>" in dom.find("section", id="composites").text()

    # edges carry the input shapes; conv2 -> bn goes back to an earlier column
    (first,) = edges(dom, "input", "conv1")
    assert edge_labels(first) == ["(2,28,28,1)"]
    assert edge_labels(edges(dom, "conv1", "bn")[0]) == ["(2,25,25,6)"]
    (back,) = edges(dom, "conv2", "bn")
    assert {"back", "raised", "call-order"} <= back.classes
    assert edge_labels(back) == ["(2,9,9,16)"]
    assert edge_labels(edges(dom, "pool", "conv2")[0]) == ["(2,12,12,6)"]

    # the diagnostic beside it: code, severity, message, call sites with their source lines
    (diag,) = dom.find_all("li", cls="diagnostic")
    assert diag.attrs["data-code"] == "LL001" and diag.attrs["data-severity"] == "error"
    assert diag.attrs["data-instance"] == "bn" and diag.attrs["data-nodes"] == bn.attrs["id"]
    assert bn.attrs["data-diagnostics"] == diag.attrs["id"]
    assert "first called with 6 features but receives 16" in diag.find("p", cls="message").text()
    sites = diag.find_all("li", cls="site")
    assert [s.find("code").text().split(":")[0].endswith("zoo.py") for s in sites] == [True, True]
    assert "return self.pool(self.bn2(self.conv2(x), training=training))" in sites[0].find("pre").text()
    assert "built here for 6 features" in sites[1].text()
    assert "forward pass raised ValueError" in dom.find(id="forward-error").text()
    # every call in the table
    assert len(dom.find("table", id="calls").find_all("tr", cls="call")) == 6


def test_torch_shared_batchnorm_page_structure(pages):
    report, path = pages("torch_shared")
    assert sorted(report.codes) == ["LL002", "LL003", "LL003"]
    text = path.read_text(encoding="utf-8")
    dom = parse(text)
    assert_self_contained(text, dom)

    assert "verdict-warning" in node(dom, "bn").classes and node(dom, "bn").attrs["data-calls"] == "3"
    assert "verdict-reuse" in node(dom, "act").classes
    assert "verdict-info" in node(dom, "head").classes
    assert "verdict-info" in node(dom, "tied").classes
    for name in ("stem", "blocks[0]", "blocks[1]", "pool"):
        assert "verdict-single" in node(dom, name).classes
    assert not dom.find_all("g", cls="raised")

    # call order: each conv feeds the shared BatchNorm; the Linear applied to its own output loops
    for conv in ("stem", "blocks[0]", "blocks[1]"):
        (edge,) = edges(dom, conv, "bn")
        assert edge_labels(edge) == ["(2,8,16,16)"]
    (bn_act,) = edges(dom, "bn", "act")
    assert bn_act.attrs["data-calls"] == "3" and edge_labels(bn_act) == ["(2,8,16,16)"]
    (loop,) = edges(dom, "head", "head")
    assert "self" in loop.classes and edge_labels(loop) == ["(2,8)"]
    assert edge_labels(edges(dom, "act", "pool")[0]) == ["(2,8,16,16)"]

    severities = [(li.attrs["data-code"], li.attrs["data-severity"], li.attrs["data-instance"])
                  for li in dom.find_all("li", cls="diagnostic")]
    assert severities[0] == ("LL002", "warning", "bn")
    assert sorted(severities[1:]) == [("LL003", "info", "head"), ("LL003", "info", "tied")]
    ll002 = dom.find("li", cls="diagnostic", data_code="LL002")
    assert "called 3 times in one forward pass" in ll002.text()
    assert len(ll002.find_all("li", cls="site")) == 3  # the call site, then the two others

    # markup in a class name and in the messages is text, never markup
    assert "<script>alert" not in text
    assert node(dom, "tied").attrs["data-class"] == EVIL
    tied_diag = dom.find("li", cls="diagnostic", data_instance="tied")
    assert f"tied ({EVIL})" in tied_diag.find("p", cls="message").text()
    assert EVIL in node(dom, "tied").find("title").text()


def test_keras_functional_edges_follow_the_recorded_producers(pages):
    report, path = pages("keras_functional")
    dom = parse(path.read_text(encoding="utf-8"))
    assert report.codes == ["LL002"]
    assert "verdict-warning" in node(dom, "shared_bn").classes
    # both convolutions read the model input (not one another, as the call order would say)
    for conv in ("conv_a", "conv_b"):
        (edge,) = edges(dom, "input", conv)
        assert "recorded" in edge.classes and edge_labels(edge) == ["(2,12,12,3)"]
        (edge,) = edges(dom, conv, "shared_bn")
        assert "recorded" in edge.classes
    assert not edges(dom, "conv_a", "conv_b") and not edges(dom, "conv_b", "conv_a")
    (merge,) = edges(dom, "shared_bn", "merge")
    assert merge.attrs["data-calls"] == "2"


def test_a_reused_sub_network_colours_its_layers(torch):
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
    members = [node(dom, "tower[0]"), node(dom, "tower[1]")]
    for member in members:
        assert {"verdict-info", "in-shared-composite"} <= member.classes
        assert member.attrs["data-composite"] == "tower"
    assert "verdict-single" in node(dom, "out").classes
    diag = dom.find("li", cls="diagnostic")
    assert diag.attrs["data-instance"] == "tower"
    assert diag.attrs["data-nodes"].split() == [m.attrs["id"] for m in members]
    assert [li.attrs["data-instance"] for li in dom.find(id="composites").find_all("li")] == ["<Siamese (traced model)>", "tower"]


def test_layout_is_deterministic(pages, torch):
    first = render_html(trace(torch_shared(torch), torch.zeros(2, 3, 16, 16)))
    second = render_html(trace(torch_shared(torch), torch.zeros(2, 3, 16, 16)))

    def geometry(text):
        dom = parse(text)
        return [(g.attrs.get("data-instance"), g.find("rect").attrs["x"], g.find("rect").attrs["y"])
                for g in dom.find_all("g", cls="node")]

    assert geometry(first) == geometry(second)
    xs = {name: float(x) for name, x, _ in geometry(first)}
    ys = {name: float(y) for name, _, y in geometry(first)}
    # columns: the longest path over forward edges; the shared ReLU feeds three layers, stacked in
    # the order of their first calls
    assert xs[None] < xs["stem"] < xs["bn"] < xs["act"] < xs["blocks[0]"] < xs["head"] < xs["tied"]
    assert xs["blocks[0]"] == xs["blocks[1]"] == xs["pool"]
    assert ys["blocks[0]"] < ys["blocks[1]"] < ys["pool"]


def test_an_empty_report_renders():
    dom = parse(render_html(TraceReport()))
    assert [g.attrs.get("data-role") for g in dom.find_all("g", cls="node")] == ["input"]
    assert "No unsafe layer reuse found." in dom.find(id="diagnostics").text()


# ---------------------------------------------------------------------------------------------
# in a real browser
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def chromium():
    if not os.path.exists(CHROMIUM):
        script = ROOT / "scripts" / "install-browser"
        try:
            done = subprocess.run(["bash", str(script)], check=False, capture_output=True, text=True, timeout=900)
        except (OSError, subprocess.TimeoutExpired) as exc:
            pytest.skip(f"{CHROMIUM} is missing and scripts/install-browser could not install it: {exc}")
        if done.returncode != 0 or not os.path.exists(CHROMIUM):
            reason = (done.stderr or done.stdout).strip().splitlines()[-3:]
            pytest.skip(f"{CHROMIUM} is missing and scripts/install-browser could not install it "
                        f"(exit {done.returncode}): {' / '.join(reason)}")
    return CHROMIUM


def run_browser(chromium, *args, timeout=120):
    with tempfile.TemporaryDirectory(prefix="layerlint-chromium-") as profile:
        command = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                   "--disable-background-networking", "--disable-component-update", "--disable-sync",
                   f"--user-data-dir={profile}", "--virtual-time-budget=2000", *args]
        done = subprocess.run(command, check=False, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


def save_artifact(path: Path) -> None:
    target = os.environ.get("LAYERLINT_TEST_ARTIFACTS")
    if target:
        os.makedirs(target, exist_ok=True)
        shutil.copy(path, target)
        print(f"screenshot copied to {os.path.join(target, path.name)}")


@pytest.mark.parametrize("name", ["keras_article", "torch_shared"])
def test_page_runs_in_headless_chromium(chromium, pages, name):
    _report, path = pages(name)
    done = run_browser(chromium, "--dump-dom", path.as_uri())
    dom = parse(done.stdout)
    body = dom.find("body")
    assert body is not None, done.stdout[:500]
    assert body.attrs.get("data-errors") is None, body.attrs.get("data-errors")
    assert body.attrs.get("data-ready") == "ok"
    drawn = dom.find_all("g", cls="node")
    assert body.attrs["data-nodes"] == str(len(drawn))
    assert body.attrs["data-edges"] == str(len(dom.find_all("g", cls="edge")))
    assert float(body.attrs["data-zoom"]) > 0
    if name == "keras_article":
        assert {"verdict-error", "raised"} <= node(dom, "bn").classes
        assert dom.find("li", cls="diagnostic", data_code="LL001", data_nodes=node(dom, "bn").attrs["id"])
    else:
        assert "verdict-warning" in node(dom, "bn").classes
        assert "verdict-reuse" in node(dom, "act").classes
        assert "verdict-info" in node(dom, "head").classes
        # the browser kept the hostile class name as text
        assert node(dom, "tied").attrs["data-class"] == EVIL
        assert len(dom.find_all("script")) == 3


def test_selection_links_layers_and_diagnostics_in_chromium(chromium, pages):
    _, path = pages("torch_shared")
    dom = parse(path.read_text(encoding="utf-8"))
    bn_id = node(dom, "bn").attrs["id"]
    # a layer selects its diagnostic, its edges and its rows of the call table
    shown = parse(run_browser(chromium, "--dump-dom", f"{path.as_uri()}#select={bn_id}").stdout)
    assert shown.find("body").attrs.get("data-ready") == "ok"
    assert [g.attrs.get("data-instance") for g in shown.find_all("g", cls="selected") if "node" in g.classes] == ["bn"]
    assert [li.attrs["data-code"] for li in shown.find_all("li", cls="selected")] == ["LL002"]
    selected_edges = [g for g in shown.find_all("g", cls="selected") if "edge" in g.classes]
    assert selected_edges and all(bn_id in (g.attrs["data-from-node"], g.attrs["data-to-node"]) for g in selected_edges)
    assert len(shown.find_all("tr", cls="selected")) == 3
    # a diagnostic selects its layer
    diag_id = dom.find("li", cls="diagnostic", data_instance="head").attrs["id"]
    shown = parse(run_browser(chromium, "--dump-dom", f"{path.as_uri()}#select={diag_id}").stdout)
    assert [g.attrs.get("data-instance") for g in shown.find_all("g", cls="selected") if "node" in g.classes] == ["head"]
    assert "selected" in shown.find(id=diag_id).classes


@pytest.mark.parametrize("name", ["keras_article", "torch_shared"])
def test_screenshot(chromium, pages, name):
    _, path = pages(name)
    shot = path.with_suffix(".png")
    run_browser(chromium, "--hide-scrollbars", "--window-size=1400,900", "--run-all-compositor-stages-before-draw",
                f"--screenshot={shot}", path.as_uri())
    assert png_size(shot) == (1400, 900)
    assert shot.stat().st_size > 20_000  # a blank page compresses to a few kB
    print(f"screenshot: {shot}")
    save_artifact(shot)
