"""One reuse verdict and one message set for static and runtime (issue 13, architecture review change
3), rule cases that carry their fix (change 2), and a report layer without file I/O (change 5)."""

from __future__ import annotations

import ast
import copy
import os
import pickle

import pytest

from example_runner import framework_of, run_lines
from layerlint import verdicts
from layerlint.catalog import LayerTraits
from layerlint.config import FileSettings, layer_names
from layerlint.report import fingerprint, sarif
from layerlint.static.analyzer import Analyzer
from layerlint.static.checker import check_source
from layerlint.static.rules import BY_CODE, messages
from layerlint.static.rules.base import Invalid
from layerlint.static.selection import Selection
from layerlint.static.verdicts import judge as static_judge
from layerlint.static.verdicts import reuse_of

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
ALL = Selection(select=("ALL",))
TEMPLATES = {value for value in vars(messages).values() if isinstance(value, str)}

BN = LayerTraits("torch", "BatchNorm2d", "running-statistics", weights=True, statistics=True, normalizes=True,
                 sizing="constructor", pins=frozenset({"feature"}))
DENSE = LayerTraits("keras", "Dense", "weights-first-call", weights=True, sizing="first-call",
                    pins=frozenset({"feature"}))
LAYER_NORM = LayerTraits("torch", "LayerNorm", "weights-constructor", weights=True, normalizes=True)
RELU = LayerTraits("torch", "ReLU", "stateless")


def reuse(traits, sizes, **options) -> verdicts.Reuse:
    calls = tuple(verdicts.CallSite(f"call{index}", size) for index, size in enumerate(sizes))
    return verdicts.Reuse("self.layer", traits.name, traits, calls, pins_feature=traits.pins_feature, **options)


# --- the verdict, over the neutral view ------------------------------------------------------------

def test_the_verdict_decides_crash_statistics_weights_or_nothing_from_the_view_alone():
    crash = verdicts.judge(reuse(DENSE, [8, 4]))
    assert isinstance(crash, verdicts.Crash) and (crash.first, crash.second) == ("call0", "call1")
    assert (crash.expected, crash.received, crash.declared) == (8, 4, False)
    assert verdicts.judge(reuse(BN, [16, 16])) == verdicts.Shared("statistics", ("call0", "call1"))
    assert verdicts.judge(reuse(LAYER_NORM, [16, 16])) == verdicts.Shared("weights", ("call0", "call1"))
    assert verdicts.judge(reuse(RELU, [3, 16])) is None  # stateless: reuse at any size
    # a composite holding statistics shares them as weights of a sub-network, and never "crashes" itself
    assert verdicts.judge(reuse(BN, [6, 16], composite=True)) == verdicts.Shared("weights", ("call0", "call1"))


def test_a_declared_size_is_what_the_calls_are_held_to():
    """`nn.BatchNorm2d(16)` called on 6 then 16: the 6 is the crash, kept against the call of the
    declared size (the one a fix leaves on the original instance)."""
    crash = verdicts.judge(reuse(BN, [6, 16], declared=16))
    assert (crash.first, crash.second, crash.expected, crash.received, crash.declared) == ("call1", "call0", 16, 6, True)
    assert verdicts.judge(reuse(BN, [16, None, 16], declared=16)).kind == "statistics"


def test_calls_that_exclude_each_other_never_crash_and_the_budget_is_charged():
    charged = []
    apart = reuse(DENSE, [8, 4], exclusive=lambda one, other: True, charge=charged.append)
    assert isinstance(verdicts.judge(apart), verdicts.Shared)
    assert sum(charged) >= 2


def test_static_verdict_is_the_neutral_one_over_the_modelled_calls():
    source = BY_CODE["LL001"].INVALID[5]  # BatchNorm2d(6) after a 16-channel convolution
    facts = Analyzer(ast.parse(source), "m.py").run()
    [events] = [g for g in facts.reuse_groups() if g[0].instance.label == "self.bn"]
    view = reuse_of(events)
    assert (view.layer, view.layer_class, view.declared, view.pins_feature) == ("self.bn", "BatchNorm2d", 6, True)
    assert [site.feature for site in view.calls] == [6, 16]
    assert static_judge(events) == verdicts.judge(view)


# --- one message set, both origins --------------------------------------------------------------

def _texts(diagnostic) -> set[str]:
    return {diagnostic.message.template, diagnostic.help.template}


def _runtime(source: str, name: str):
    import layerlint

    (expr, shapes), = run_lines(source)
    module: dict = {}
    exec(compile(source, name, "exec"), module)
    model = eval(expr, module)
    if framework_of(source) == "torch":
        import torch

        inputs = [torch.zeros(shape) for shape in shapes]
    else:
        import numpy

        inputs = [numpy.zeros(shape, dtype="float32") for shape in shapes]
    return layerlint.trace(model, inputs if len(inputs) > 1 else inputs[0], raise_on_error=False).diagnostics


@pytest.mark.parametrize("code, index", [("LL001", 5), ("LL002", 3), ("LL003", 2)])
def test_static_and_runtime_findings_use_one_message_set(code, index):
    """The same model checked and traced: the same code, the same message and help templates, and the
    same layer fields for allow-shared."""
    pytest.importorskip("torch")
    source = BY_CODE[code].INVALID[index]
    [static] = [d for d in check_source(source, "m.py", ALL) if d.code == code]
    [runtime] = [d for d in _runtime(source, f"unified_{code}") if d.code == code]
    assert _texts(static) == _texts(runtime)
    assert runtime.origin == "runtime" and static.origin == "static"
    assert static.layer == f"self.{runtime.layer}" and static.layer_class == runtime.layer_class
    assert (runtime.to_dict()["layer"], static.to_dict()["layer_class"]) == (runtime.layer, static.layer_class)
    assert runtime.message.template in TEMPLATES


def test_runtime_findings_have_no_words_of_their_own_for_the_shared_codes():
    from layerlint.runtime import judge

    assert not hasattr(judge, "MSG") and set(judge._HELP.values()) <= TEMPLATES


def test_allow_shared_reads_the_fields_of_a_runtime_finding():
    pytest.importorskip("torch")
    [finding] = [d for d in _runtime(BY_CODE["LL002"].INVALID[3], "unified_allow") if d.code == "LL002"]
    assert layer_names(finding) == {"norm", "BatchNorm2d"}
    keep = FileSettings(selection=ALL, allow_shared=())
    assert keep.filter([finding]) == [finding]
    assert FileSettings(selection=ALL, allow_shared=("BatchNorm2d",)).filter([finding]) == []


# --- cases carry their fix --------------------------------------------------------------------------

def test_an_invalid_case_says_its_fix_or_why_there_is_none():
    with pytest.raises(ValueError):
        Invalid("x = 1\n")
    with pytest.raises(ValueError):
        Invalid("x = 1\n", fixed="x = 2\n", no_fix="both")
    case = Invalid("x = 1\n", fixed="x = 2\n", fixed_shape=(2, 4))
    for again in (copy.copy(case), pickle.loads(pickle.dumps(case))):
        assert again == "x = 1\n" and (again.fixed, again.no_fix, again.fixed_shape) == ("x = 2\n", None, (2, 4))


def test_cases_are_not_keyed_by_their_position():
    """Reordering a rule's cases keeps every expectation with its program (the goldens used to be files
    named after the list index)."""
    rule = BY_CODE["LL002"]
    for case in reversed(rule.INVALID):
        assert case.fixed is None or case.fixed.splitlines()[0] == case.splitlines()[0]


# --- the report layer reads no file --------------------------------------------------------------------

def test_sarif_comes_from_the_texts_given_not_from_the_disk(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    source = BY_CODE["LL001"].INVALID[0]
    [diagnostic] = check_source(source, "model.py", ALL, fixes=True)
    (tmp_path / "model.py").write_text("# something else entirely\n", encoding="utf-8")
    given = sarif.build([diagnostic], sources={"model.py": source}.get)
    again = sarif.build([diagnostic], sources={"model.py": source}.get)
    assert given == again
    [result] = given["runs"][0]["results"]
    lines = source.splitlines()
    expected = fingerprint.finding_hash(diagnostic, "model.py", lambda path, number: lines[number - 1])
    assert result["partialFingerprints"][sarif.FINGERPRINT_KEY] == f"{expected}:1"
    region = result["fixes"][0]["artifactChanges"][0]["replacements"][0]["deletedRegion"]
    assert "startLine" in region  # positions from the given text, not from the file now on disk
    [bare] = sarif.build([diagnostic])["runs"][0]["results"]  # no texts: offsets, and the template
    assert "charOffset" in bare["fixes"][0]["artifactChanges"][0]["replacements"][0]["deletedRegion"]


def test_no_report_module_reads_files():
    from pathlib import Path

    import layerlint.report

    for path in Path(layerlint.report.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
        attributes = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
        imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert "open" not in names and not {"read_text", "read_bytes"} & attributes, path.name
        assert "layerlint.static.source" not in imported and "linecache" not in imported, path.name
