"""Issue 14, point 5: a generative differential test of `layerlint check` against real runs.

Programs come from eval/generated/generator.py, one named *spelling* (road a layer instance takes
to its call sites) each; eval/generated/runner.py gets the truth by running them with the real
framework under `layerlint.tracing()` and the checker's verdict from `layerlint.check_paths`. Here a
small fixed-seed sample per framework must show (a) the truth each program's spelling intends (the
generator is honest) and (b) full agreement outside the spellings' known gaps (the baseline spellings
and every road the checker follows). The gaps are reported, not asserted; the long run is
bench/generated_agreement.py and its table is in eval/README.md.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib.util
import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "eval"))

from generated import generator, report, runner  # noqa: E402
from generated.vocab import FRAMEWORKS, KINDS  # noqa: E402

TRUTHS = set(runner.ACCEPTS)
BASELINE = {"attr_twice", "separate_instances", "stateless_reuse", "list_times_n"}


def _installed(framework: str) -> bool:
    return importlib.util.find_spec(framework) is not None


def fixed_sample(framework: str) -> list[generator.Program]:
    """Three programs of each baseline spelling and one of every road, from fixed seeds."""
    programs = []
    for spelling in generator.spellings_for(framework):
        count = 3 if spelling.baseline else 1
        programs += [generator.generate(spelling.name, framework, 1000 + i) for i in range(count)]
    return programs


@pytest.fixture(scope="module", params=FRAMEWORKS)
def outcomes(request):
    framework = request.param
    module = pytest.importorskip(framework)
    if framework == "keras" and module.backend.backend() != "tensorflow":
        pytest.skip("the Keras 3 programs use tf.function: they run on the TensorFlow backend")
    return runner.evaluate(fixed_sample(framework))


# -- the differential test ------------------------------------------------------------------------
def test_i14_5_generator_is_honest(outcomes):
    """Every program's real run shows what its spelling means: the truth is observed, not assumed."""
    dishonest = [o for o in outcomes if not o.honest]
    assert not dishonest, report.disagreements(dishonest)
    assert {o.program.spelling for o in outcomes} == {s.name for s in generator.spellings_for(outcomes[0].program.framework)}


def test_i14_5_checker_agrees_outside_known_gaps(outcomes):
    """Baseline spellings, and every road the checker follows, agree with the run on every program."""
    held = [o for o in outcomes if not o.program.gap]
    assert any(o.program.reuse for o in held) and any(not o.program.reuse for o in held)
    assert {o.program.spelling for o in held} >= BASELINE
    failing = [o for o in held if not o.agree]
    assert not failing, f"{report.disagreements(failing)}\n\n{report.table(outcomes)}"


@pytest.mark.skipif(not _installed("torch"), reason="PyTorch is not installed")
@settings(max_examples=12, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
@given(generator.programs(("torch",)))
def test_i14_5_hypothesis_programs_torch(program):
    """Programs drawn by hypothesis (PyTorch: the quickest to run) hold to the same two claims."""
    (outcome,) = runner.evaluate([program])
    assert outcome.honest, report.disagreements([outcome])
    assert outcome.agree or program.gap, report.disagreements([outcome])


@pytest.mark.skipif(not _installed("torch"), reason="PyTorch is not installed")
def test_i14_5_truth_comes_from_the_run_not_the_label():
    """A program labelled clean that really reuses a BatchNorm is seen to share its statistics."""
    honest = generator.generate("attr_twice", "torch", 0)
    text = ("import torch\nfrom torch import nn\n\n\nclass Net(nn.Module):\n    def __init__(self):\n"
            "        super().__init__()\n        self.bn = nn.BatchNorm1d(6)\n\n    def forward(self, x):\n"
            "        return self.bn(self.bn(x))\n\n\ndef build():\n    return Net()\n\n\n"
            "def step(model):\n    return model(torch.randn(4, 6))\n")
    mislabelled = generator.Program("attr_twice", "torch", 0, True, "bn", "clean", (("model", text),))
    outcome, reference = runner.evaluate([mislabelled, honest])
    assert (outcome.truth, outcome.verdict, outcome.honest, outcome.agree) == ("stats", "stats", False, True)
    assert reference.honest


# -- the generator and its table --------------------------------------------------------------------
@settings(max_examples=150, derandomize=True, deadline=None)
@given(generator.programs())
def test_i14_5_programs_are_deterministic_packages(program):
    """Same (spelling, framework, seed), same program; every module parses; model.py has build() and
    step(model); a relative import names a module of the package."""
    assert generator.generate(program.spelling, program.framework, program.seed) == program
    assert program.intended in TRUTHS
    modules = dict(program.modules)
    tree = ast.parse(modules["model"])
    functions = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    assert {"build", "step"} <= functions
    for name, text in modules.items():
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ImportFrom) and node.level:
                assert node.module in modules, f"{name} imports .{node.module}"


def test_i14_5_spelling_table_is_well_formed():
    names = [s.name for s in generator.SPELLINGS]
    assert len(names) == len(set(names)) and len(names) >= 20
    assert {s.name for s in generator.SPELLINGS if s.baseline} == BASELINE
    for spelling in generator.SPELLINGS:
        for entry in spelling.known_gap:
            framework, _, kind = entry.partition(":")
            assert framework in spelling.frameworks, f"{spelling.name}: {entry}"
            assert not kind or kind in KINDS, f"{spelling.name}: {entry}"


def test_i14_5_report_tallies_each_part_of_a_row(monkeypatch):
    """The table splits a row into the bug in one module, the bug across modules, and negatives."""
    programs = [generator.generate("factory_module", "torch", seed) for seed in range(40)]
    kinds = {(p.reuse, p.split) for p in programs}
    assert kinds == {(True, True), (True, False), (False, True), (False, False)}
    outcomes = [runner.Outcome(p, p.intended, "clean", (), "", 0.0, 0.0) for p in programs]
    (row,) = report.rows(outcomes)
    negatives = [p for p in programs if not p.reuse]
    across = [p for p in programs if p.reuse and p.split]
    assert (row.all.n, row.all.agree) == (40, len(negatives))
    assert (row.negatives.n, row.negatives.agree) == (len(negatives), len(negatives))
    assert (row.bug_modules.n, row.bug_modules.agree) == (len(across), 0)
    assert row.bug_one_module.n == 40 - len(negatives) - len(across)
    assert "| factory_module | torch | 40 |" in report.table(outcomes)
    assert "| road |" in report.table(outcomes)  # followed: no known gap left on this road
    assert report.gap_note("lazy_two_widths", "torch") == ""  # no known gap left anywhere
    lazy = generator.BY_NAME["lazy_two_widths"]
    monkeypatch.setitem(report.BY_NAME, "lazy_two_widths", dataclasses.replace(lazy, known_gap=("torch:bn",)))
    assert report.gap_note("lazy_two_widths", "torch") == "bn"
    assert report.gap_note("lazy_two_widths", "keras") == ""
