"""The HTML trace report at scale (issue 16, point 6: "the HTML report does not scale"): a Keras
ResNet50, a PyTorch ResNet-50, a transformers ALBERT from a tiny config and a 500-layer PyTorch
network, each with random weights, no download, on CPU, and each with a reuse bug injected.

Each page is opened in headless Chromium at 1400x1000 through the DevTools protocol
(`browser.Page`): it loads without a console error; in the default view every flagged layer is
shown and the first one is on screen, readable; one real click on each finding brings its layer
on screen; the page is never wider than the window. The default view's screenshot is written
under pytest's tmp_path and copied into $LAYERLINT_TEST_ARTIFACTS when that is set (that is how
docs/img/trace-*.png are made: LAYERLINT_TEST_ARTIFACTS=docs/img).
"""

from __future__ import annotations

import os
import shutil
import struct
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import pytest

from layerlint.runtime import trace
from layerlint.runtime.html import write_html_report
from test_html_report import load, parse

# the state of one row as a reader sees it: shown, on screen in the tree's pane, not covered, readable
ROW_STATE = """(function (id) {
  var row = document.getElementById(id), line = row && row.querySelector(':scope > .line');
  if (!line || row.offsetParent === null) { return 'hidden'; }
  var r = line.getBoundingClientRect(), pane = document.getElementById('tree-panel').getBoundingClientRect();
  if (r.height < 12) { return 'flat'; }
  if (r.top < pane.top || r.bottom > pane.bottom || r.bottom > window.innerHeight) { return 'off-screen'; }
  var hit = document.elementFromPoint(Math.min(r.left + 40, r.right - 2), (r.top + r.bottom) / 2);
  if (!hit || !line.contains(hit)) { return 'covered'; }
  if (parseFloat(getComputedStyle(line.querySelector('.label')).fontSize) < 12) { return 'small'; }
  return 'ok';
})(%r)"""


@pytest.fixture(scope="module")
def page():
    from browser import Page, chromium_or_skip

    opened = Page(chromium_or_skip(), 1400, 1000)
    yield opened
    opened.close()


def row_state(page, row_id: str) -> str:
    return page.evaluate(ROW_STATE % row_id)


# ---------------------------------------------------------------------------------------------
# the models, each with an injected reuse bug
# ---------------------------------------------------------------------------------------------
def keras_resnet50(keras):
    """keras.applications.ResNet50, rebuilt so that conv3_block2's second BatchNormalization is
    its first one (same width: LL002, deep inside the flat functional namespace)."""
    base = keras.applications.ResNet50(weights=None, input_shape=(64, 64, 3))
    made = {}

    def clone(layer):
        if layer.name == "conv3_block2_2_bn":
            return made["conv3_block2_1_bn"]
        made[layer.name] = type(layer).from_config(layer.get_config())
        return made[layer.name]

    return keras.models.clone_model(base, clone_function=clone)


def torch_resnet(torch, depths=(3, 4, 6, 3)):
    """A ResNet with bottleneck blocks (torchvision's layout: conv1/bn1/relu/maxpool, layer1..4,
    avgpool, fc; depths 3-4-6-3 is ResNet-50). The torchvision wheels here do not load, so it is
    written out."""
    nn = torch.nn

    class Bottleneck(nn.Module):
        def __init__(self, inputs, width, stride):
            super().__init__()
            self.conv1, self.bn1 = nn.Conv2d(inputs, width, 1, bias=False), nn.BatchNorm2d(width)
            self.conv2, self.bn2 = nn.Conv2d(width, width, 3, stride, 1, bias=False), nn.BatchNorm2d(width)
            self.conv3, self.bn3 = nn.Conv2d(width, width * 4, 1, bias=False), nn.BatchNorm2d(width * 4)
            self.relu = nn.ReLU(inplace=True)
            self.downsample = None
            if stride != 1 or inputs != width * 4:
                self.downsample = nn.Sequential(nn.Conv2d(inputs, width * 4, 1, stride, bias=False),
                                                nn.BatchNorm2d(width * 4))

        def forward(self, x):
            identity = x if self.downsample is None else self.downsample(x)
            y = self.relu(self.bn1(self.conv1(x)))
            y = self.relu(self.bn2(self.conv2(y)))
            return self.relu(self.bn3(self.conv3(y)) + identity)

    class ResNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1, self.bn1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64)
            self.relu, self.maxpool = nn.ReLU(inplace=True), nn.MaxPool2d(3, 2, 1)
            inputs = 64
            for index, depth in enumerate(depths):
                blocks = []
                for block in range(depth):
                    blocks.append(Bottleneck(inputs, 64 * 2 ** index, 2 if block == 0 and index else 1))
                    inputs = 64 * 2 ** index * 4
                setattr(self, f"layer{index + 1}", nn.Sequential(*blocks))
            self.avgpool, self.fc = nn.AdaptiveAvgPool2d(1), nn.Linear(inputs, 10)

        def forward(self, x):
            x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
            x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
            return self.fc(torch.flatten(self.avgpool(x), 1))

    return ResNet()


def albert_tiny():
    transformers = pytest.importorskip("transformers")
    import torch

    config = transformers.AlbertConfig(vocab_size=100, embedding_size=16, hidden_size=32, num_hidden_layers=3,
                                       num_attention_heads=2, intermediate_size=37, max_position_embeddings=64)
    torch.manual_seed(0)
    return transformers.AlbertModel(config).eval(), torch.randint(0, 100, (1, 8))


@pytest.fixture(scope="module")
def reports(tmp_path_factory, request):
    """name -> (report, page path), traced once per module."""
    out_dir = tmp_path_factory.mktemp("html-scale")
    cache: dict = {}

    def get(name):
        if name in cache:
            return cache[name]
        if name == "keras_resnet50":
            keras = request.getfixturevalue("keras")
            import numpy as np

            report = trace(keras_resnet50(keras), np.zeros((1, 64, 64, 3), "float32"))
        elif name == "albert":
            model, ids = albert_tiny()
            report = trace(model, ids)
        else:
            torch = request.getfixturevalue("torch")
            torch.manual_seed(0)
            if name == "torch_resnet50":
                model = torch_resnet(torch).eval()
                model.layer3[4].bn2 = model.layer3[4].bn1  # same width: shared running statistics
                x = torch.zeros(1, 3, 64, 64)
            else:  # 530 instances: a ResNet-200-like stack, two bugs far apart
                model = torch_resnet(torch, depths=(3, 8, 50, 3)).eval()
                model.layer2[1].bn2 = model.layer2[1].bn1
                model.layer3[41].bn2 = model.layer3[41].bn1
                x = torch.zeros(1, 3, 32, 32)
            report = trace(model, x)
        path = out_dir / f"trace-{name.replace('_', '-')}.html"
        write_html_report(report, path)
        cache[name] = (report, path)
        return cache[name]

    return get


EXPECTED = {  # codes, instance named by the first finding, minimum number of layer instances
    "keras_resnet50": (["LL002"], "conv3_block2_1_bn", 170),
    "torch_resnet50": (["LL002"], "layer3[4].bn1", 150),
    "albert": (["LL003"], "encoder.albert_layer_groups[0]", 20),
    "torch_500_layers": (["LL002", "LL002"], "layer2[1].bn1", 500),
}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_d6_report_reads_at_scale_in_chromium(page, reports, name, tmp_path):
    report, path = reports(name)
    codes, first, at_least = EXPECTED[name]
    assert report.codes == codes and str(report.diagnostics[0].layer) == first
    assert len(report.instances) >= at_least
    load(page, path)
    dom = parse(path.read_text("utf-8"))

    # the default view: never wider than the window (no ribbon); every flagged layer is shown,
    # the first one on screen and readable; the tree opened only what leads to a finding
    assert page.evaluate("document.documentElement.scrollWidth") <= 1400
    panel = page.evaluate("[document.getElementById('tree-panel').clientWidth, document.getElementById('tree-panel').clientHeight]")
    assert panel[0] >= 700 and panel[1] >= 600, panel
    flagged = [li.attrs["id"] for li in dom.find_all("li", cls="flagged")]
    assert len(flagged) == len(report.diagnostics)
    assert row_state(page, flagged[0]) == "ok"
    assert all(row_state(page, row_id) in ("ok", "off-screen") for row_id in flagged)
    shown = int(page.evaluate("document.body.dataset.shown"))
    displayed = page.evaluate("Array.prototype.filter.call(document.querySelectorAll('#tree li.row'),"
                              " function (r) { return r.offsetParent !== null; }).length")
    assert displayed < min(60, len(dom.find_all("li", cls="row"))), displayed  # collapsed, not everything
    assert shown == len(dom.find_all("li", cls="row"))  # nothing filtered out
    shot = page.screenshot(tmp_path / f"{path.stem}.png")
    assert struct.unpack(">II", shot.read_bytes()[16:24]) == (1400, 1000)
    save_artifact(shot)

    # one click on each finding puts its layer on screen, selected, with its details
    for number, diag in enumerate(report.diagnostics):
        page.click("#collapse-all")
        page.click(f"#diag-{number}")
        rows = dom.find("li", id=f"diag-{number}").attrs["data-rows"].split()
        assert row_state(page, rows[0]) == "ok", (diag.code, rows[0])
        assert all(row_state(page, r) in ("ok", "off-screen") for r in rows)
        assert page.evaluate(f"document.getElementById('{rows[0]}').classList.contains('selected')")
        assert str(diag.layer) in page.evaluate("document.getElementById('details').innerText")
        # and the card draws the module around it, a few boxes, not the network
        assert 2 <= page.evaluate("document.querySelectorAll('#details .flow-node').length") <= 40
        assert page.evaluate("document.querySelector('#details .flow-svg').getBoundingClientRect().width") <= 440
        if number == 0 and name in ("keras_resnet50", "torch_resnet50"):  # the docs show this view too
            save_artifact(page.screenshot(tmp_path / f"{path.stem}-selected.png"))
    assert page.errors == []


def test_d6_search_and_filter_at_500_layers(page, reports):
    report, path = reports("torch_500_layers")
    load(page, path)
    dom = parse(path.read_text("utf-8"))
    # search: every row whose path holds the text, no other layer
    page.evaluate("var s = document.getElementById('search'); s.value = 'layer3[41].'; "
                  "s.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter'}))")
    expected = sorted(li.attrs["data-instance"] for li in dom.find_all("li", cls="row")
                      if li.attrs.get("data-instance", "").startswith("layer3[41]."))
    assert len(expected) == 6  # conv1..3, bn1 (also bn2), bn3, relu
    shown = page.evaluate("Array.prototype.filter.call(document.querySelectorAll('#tree li.row.match'),"
                          " function (r) { return r.offsetParent !== null; }).map(function (r) { return r.dataset.instance; })")
    assert sorted(shown) == expected
    # the filter: only warnings leaves the two shared BatchNorms and the rows that lead to them
    page.click("#show-findings")
    for value in ("error", "info", "reuse", "single"):
        page.click(f'input[name="verdict"][value="{value}"]')
    layers = page.evaluate("Array.prototype.filter.call(document.querySelectorAll('#tree li.row[data-instance]'),"
                           " function (r) { return r.offsetParent !== null && r.classList.contains('kind-layer'); })"
                           ".map(function (r) { return r.dataset.instance; })")
    assert layers == ["layer2[1].bn1", "layer3[41].bn1"]
    # a long list of blocks is cut into ranges; only the range with the finding opens
    ranges = [li for li in dom.find_all("li", cls="kind-range")]
    assert [r.find("span", cls="label").text() for r in ranges][:2] == ["[0] \u2026 [9]", "[10] \u2026 [19]"]
    assert [r.find("span", cls="label").text() for r in ranges if "open" in r.classes] == ["[40] \u2026 [49]"]
    assert page.errors == []


def save_artifact(path: Path) -> None:
    target = os.environ.get("LAYERLINT_TEST_ARTIFACTS")
    if target:
        os.makedirs(target, exist_ok=True)
        shutil.copy(path, target)
        print(f"screenshot copied to {os.path.join(target, path.name)}")


def test_d6_many_findings_never_push_the_selected_layer_out_of_view(page, torch, tmp_path):
    """Sixteen findings (every bottleneck shares its first BatchNorm): the list of findings and the
    selected layer's card scroll on their own, so a click on the twelfth finding shows both."""
    model = torch_resnet(torch).eval()
    for stage in (model.layer1, model.layer2, model.layer3, model.layer4):
        for block in stage:
            block.bn2 = block.bn1
    report = trace(model, torch.zeros(1, 3, 64, 64))
    assert report.codes == ["LL002"] * 16
    path = tmp_path / "many.html"
    write_html_report(report, path)
    load(page, path)
    page.click("#diag-11")
    instance = str(report.diagnostics[11].layer)
    rows = parse(path.read_text("utf-8")).find("li", id="diag-11").attrs["data-rows"].split()
    assert row_state(page, rows[0]) == "ok"
    card = page.evaluate("(function () { var r = document.querySelector('#details dd').getBoundingClientRect();"
                         " return [r.top, r.bottom, window.innerHeight, document.querySelector('#details dd').textContent]; })()")
    assert 0 <= card[0] < card[1] <= card[2] and card[3] == instance
    assert page.evaluate("document.documentElement.scrollHeight") <= 1000 + page.evaluate(
        "document.getElementById('call-table').getBoundingClientRect().height") + 40
    assert page.errors == []
