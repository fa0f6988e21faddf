"""The evaluation corpus under eval/: every case is well-formed, the static score never drops below
eval/baseline.json, and every case's expectation agrees with a real run of the framework.

The full confirm run (all cases, real frameworks, under the tracer) takes about 15 s on two CPU
cores, so it runs over every case here rather than a sample.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

EVAL_DIR = Path(__file__).resolve().parent.parent / "eval"
sys.path.insert(0, str(EVAL_DIR))

corpus = importlib.import_module("corpus")
CASES = corpus.all_cases()
BASELINE = json.loads((EVAL_DIR / "baseline.json").read_text(encoding="utf-8"))
TOLERANCE = 1e-9


def test_corpus_is_large_enough():
    assert len(CASES) >= 60
    assert sum(1 for c in CASES if c.negative) >= 20
    assert {c.framework for c in CASES} == {"keras", "tf_keras", "torch"}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case_is_well_formed(case):
    assert case.sources, "every case names its public source in a `# source:` comment"
    assert case.runs, "every case has a `# run: EXPR on SHAPES` line"
    assert case.expected or case.expect_none or not case.expect_raise, "a negative case cannot expect a raise"
    if case.expect_none:
        assert not case.expected, "`# expect-none` and `# expect:` contradict each other"
    for codes in case.expected.values():
        assert all(code.startswith("LL0") for code in codes)
    compile(case.text, str(case.path), "exec")


def test_score_never_drops_below_baseline():
    score = importlib.import_module("score")
    result = score.score(CASES)
    assert result["cases"] >= BASELINE["cases"], "cases were removed from the corpus"
    drops = []
    for code, figures in BASELINE["per_rule"].items():
        row = result["per_rule"].get(code, {})
        for metric in ("precision", "recall"):
            floor = figures.get(metric)
            value = row.get(metric)
            if floor is not None and (value is None or value + TOLERANCE < floor):
                drops.append(f"{code} {metric}: {value} < baseline {floor}")
    assert not drops, "\n".join(drops)


def test_every_expectation_agrees_with_a_real_run():
    for module in ("keras", "tf_keras", "torch"):
        pytest.importorskip(module)
    confirm = importlib.import_module("confirm")
    results = confirm.run(CASES)
    failures = [f"{r['case']}: {'; '.join(r['problems'])}" for r in results if r["problems"]]
    assert not failures, "\n".join(failures)


# -- multi-module cases (a package: `model.py` is the case, `_helpers.py` are its other modules) --------
FACTORY = "from keras import layers\n\n\ndef make_norm():\n    return layers.LayerNormalization()\n"
BLOCK = '''# source: test
import keras
from keras import layers

from ._norms import make_norm


class Block(keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.norm = make_norm()
        self.attn = layers.Dense(4)
        self.ff = layers.Dense(4)

    def call(self, x):
        x = x + self.attn(self.norm(x))
        return x + self.ff(self.norm(x))  # expect: LL002

# run: Block() on (2, 3, 4)
'''


def _package(root, name, files):
    folder = root / name
    folder.mkdir()
    (folder / "__init__.py").write_text("", encoding="utf-8")
    for file_name, text in files.items():
        (folder / file_name).write_text(text, encoding="utf-8")
    return folder


def test_package_case_helpers_are_not_cases(tmp_path):
    folder = _package(tmp_path, "k00_pkg", {"_norms.py": FACTORY, "model.py": BLOCK})
    found = corpus.all_cases(tmp_path)
    assert [c.path.name for c in found] == ["model.py"]
    assert found[0].package == folder
    single = tmp_path / "k01_single.py"
    single.write_text(BLOCK, encoding="utf-8")
    assert corpus.load(single).package is None


def test_score_checks_a_package_case_with_its_helper_modules(tmp_path):
    """The finding needs the factory in `_norms.py`: checked as a lone file the same text gives none."""
    score = importlib.import_module("score")
    _package(tmp_path, "k00_pkg", {"_norms.py": FACTORY, "model.py": BLOCK})
    case = corpus.all_cases(tmp_path)[0]
    assert (17, "LL002") in {(d.span.line, d.code) for d in score.findings(case)}
    lone = score.check_source(BLOCK, "k01_lone.py", score.Selection(select=("ALL",)))
    assert (17, "LL002") not in {(d.span.line, d.code) for d in lone}


def test_confirm_imports_a_package_case_and_forgets_it(tmp_path):
    pytest.importorskip("torch")
    confirm = importlib.import_module("confirm")
    helper = "import torch.nn as nn\n\n\ndef make_norm(width):\n    return nn.BatchNorm1d(width)\n"
    model = ("# source: test\nimport torch.nn as nn\n\nfrom ._norms import make_norm\n\n\n"
             "class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
             "        self.norm = make_norm(4)\n\n    def forward(self, x):\n        return self.norm(x)\n\n"
             "# run: Net() on (2, 4)\n")
    _package(tmp_path, "p00_pkg", {"_norms.py": helper, "model.py": model})
    case = corpus.all_cases(tmp_path)[0]
    net = confirm._build(case, "Net()", 0)
    assert type(net.norm).__name__ == "BatchNorm1d"
    assert not [name for name in sys.modules if name.startswith("p00_pkg")]
    assert str(tmp_path) not in sys.path
