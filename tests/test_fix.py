"""`layerlint check --fix`: every rule case's fix is compared with the fixed program the case declares,
re-checked, and the fixed model is built and run with the real framework; the engine keeps encodings
and line endings, writes atomically, rejects fixes that do not parse, and is idempotent; a hypothesis
test fixes random models."""

from __future__ import annotations

import ast
import os
import stat
from collections import Counter

import pytest

from example_runner import ROOT, build_and_call, framework_of, run_lines
from layerlint.diagnostics import Applicability, Diagnostic, Edit, Fix, Severity, Span, Text
from layerlint import api
from layerlint.cli import main
from layerlint.fix import apply_fixes, comprehension_fix, move_to_init_fix, split_instance_fix
from layerlint.fix.engine import BREAKS, UNSAFE
from layerlint.fix.positions import parse
from layerlint.static.analyzer import Analyzer
from layerlint.static.checker import Selection, check_source
from layerlint.static.rules import ALL_RULES, BY_CODE

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
pytest.importorskip("libcst")

ALL = Selection(select=("ALL",))
FRAMEWORK_MODULES = {"keras": "keras", "tf_keras": "tf_keras", "torch": "torch"}

# Every Invalid case of every rule, with the fix it declares (`fixed=`, `no_fix=`, `fixed_shape=`).
INVALID = [pytest.param(rule.code, case, id=f"{rule.code}-invalid-{index}")
           for rule in ALL_RULES for index, case in enumerate(rule.INVALID)]
FIXABLE = [param for param in INVALID if param.values[1].fixed is not None]


def fixed(source: str, unsafe: bool = True, selection: Selection = ALL, path: str = "example.py"):
    return apply_fixes(source, check_source(source, path, selection), unsafe, path=path, selection=selection)


def output_shape(source: str, name: str, expr: str, shapes: list[tuple[int, ...]]) -> tuple[int, ...]:
    """Builds the model as the `# run:` line says and returns its output's shape (raises on failure)."""
    pytest.importorskip(FRAMEWORK_MODULES[framework_of(source)])
    return tuple(int(d) for d in build_and_call(source, name, expr, shapes).shape)


def article_fixed_shape(folder: str = "keras") -> tuple[int, ...]:
    source = (ROOT / "examples" / folder / "article_fixed.py").read_text(encoding="utf-8")
    (expr, shapes), = run_lines(source)
    return output_shape(source, f"article_fixed_{folder}", expr, shapes)


# --- every Invalid case of every rule --------------------------------------------------------------

@pytest.mark.parametrize("code, case", INVALID)
def test_invalid_case_is_fixed_as_it_declares(code, case):
    result = fixed(case)
    if case.no_fix is not None:
        assert result.text == case, case.no_fix
        assert not result.applied
        return
    assert result.text == case.fixed
    assert [d.code for d in result.applied] == [code]
    assert not [d for d in check_source(result.text, "example.py", ALL) if d.code == code]
    assert fixed(result.text).text == result.text  # idempotent


@pytest.mark.parametrize("code, case", FIXABLE)
def test_fixed_case_runs_with_the_real_framework(request, code, case):
    ident = request.node.callspec.id
    for expr, shapes in run_lines(case.fixed):
        shape = output_shape(case.fixed, ident.replace("-", "_"), expr, shapes)
        if case.fixed_shape is not None:
            assert shape == case.fixed_shape


def test_a_crash_fix_declares_the_corrected_models_shape():
    """Every LL001 case that is fixed says what the corrected model outputs (the fix must not only
    run, but build the model the code meant); the article's is the article's own corrected model."""
    from layerlint.static.rules.ll001_reuse_shape_mismatch import ReuseShapeMismatch

    cases = [case for case in ReuseShapeMismatch.INVALID if case.fixed is not None]
    assert cases and all(case.fixed_shape is not None for case in cases)
    assert cases[0].fixed_shape == article_fixed_shape()


def test_a_rule_is_fixable_exactly_when_it_declares_a_fix():
    """`fixable` is derived from the cases (Fixit's AUTOFIX): a rule with a `FixSpec` has a fixed
    case, one without has none, and every case of a rule without a fix says so."""
    for rule in ALL_RULES:
        assert rule.fixable() == (rule.fix is not None), rule.code
        if rule.fix is None:
            assert all(case.no_fix for case in rule.INVALID), rule.code


def test_every_fix_has_the_applicability_its_rule_declares_and_documents():
    """A rule's `FixSpec` is the one place its fixes' applicability is written; its "Fix safety"
    section says the same, and every fix it builds carries it."""
    for rule in ALL_RULES:
        safety = rule.documentation().split("## Fix safety", 1)[1].lower()
        if rule.fix is None:
            assert "no automatic fix" in safety, rule.code
            continue
        unsafe = rule.fix.applicability is Applicability.UNSAFE
        assert ("unsafe" in safety) == unsafe and "safe" in safety, rule.code
        for case in rule.INVALID:
            for diagnostic in fixed(case).applied:
                assert diagnostic.fix.applicability is BY_CODE[diagnostic.code].fix.applicability


# --- the seed article ----------------------------------------------------------------------------

def constructors_in_init(text: str) -> Counter:
    tree = ast.parse(text)
    init = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == "__init__")
    return Counter(s.value.func.id for s in init.body
                   if isinstance(s, ast.Assign) and isinstance(s.value, ast.Call) and isinstance(s.value.func, ast.Name))


def attributes_called(text: str) -> list[str]:
    tree = ast.parse(text)
    call = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == "call")
    return [n.func.attr for n in ast.walk(call) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)]


@pytest.mark.parametrize("folder", ["keras", "tf_keras"])
def test_fixed_article_is_the_articles_corrected_model(folder):
    buggy = (ROOT / "examples" / folder / "article_buggy.py").read_text(encoding="utf-8")
    corrected = (ROOT / "examples" / folder / "article_fixed.py").read_text(encoding="utf-8")
    result = fixed(buggy, unsafe=False, selection=Selection())
    assert [d.code for d in result.applied] == ["LL001"]
    assert constructors_in_init(result.text) == constructors_in_init(corrected)
    assert constructors_in_init(result.text)["BatchNormalization"] == 2
    assert constructors_in_init(result.text)["MaxPool2D"] == 1  # the stateless pool stays shared
    called = Counter(attributes_called(result.text))
    assert called["maxpool"] == 2 and called["batchnorm"] == 1 and called["batchnorm_2"] == 1
    assert check_source(result.text, "article.py") == []
    (expr, shapes), = run_lines(result.text)
    assert output_shape(result.text, f"article_{folder}", expr, shapes) == article_fixed_shape(folder)


# --- PyTorch: a size declared in the constructor --------------------------------------------------

TORCH_NET = """\
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.bn = nn.BatchNorm2d(6)  # shared by mistake
        self.conv2 = nn.Conv2d(6, 16, 5)

    def forward(self, x):
        x = self.bn(self.conv1(x))
        x = self.bn(self.conv2(x))
        return x

# run: Net() on (2, 3, 32, 32)
"""


def test_torch_batchnorm_gets_the_size_each_call_site_sees():
    result = fixed(TORCH_NET, unsafe=False, selection=Selection())
    assert [d.code for d in result.applied] == ["LL001"]
    assert "        self.bn = nn.BatchNorm2d(6)  # shared by mistake\n" \
           "        self.bn_2 = nn.BatchNorm2d(16)\n" in result.text
    assert "x = self.bn_2(self.conv2(x))" in result.text
    assert check_source(result.text, "net.py", ALL) == []
    (expr, shapes), = run_lines(result.text)
    assert output_shape(result.text, "torch_net", expr, shapes) == (2, 16, 24, 24)


def test_torch_keeper_is_the_call_site_matching_the_declared_size():
    source = TORCH_NET.replace("nn.BatchNorm2d(6)", "nn.BatchNorm2d(num_features=16)")
    result = fixed(source, unsafe=False, selection=Selection())
    assert "self.bn = nn.BatchNorm2d(num_features=16)" in result.text
    assert "self.bn_2 = nn.BatchNorm2d(num_features=6)" in result.text
    assert "x = self.bn_2(self.conv1(x))" in result.text and "x = self.bn(self.conv2(x))" in result.text
    (expr, shapes), = run_lines(result.text)
    assert output_shape(result.text, "torch_keeper", expr, shapes) == (2, 16, 24, 24)


def test_split_builder_on_the_analyzers_events_for_torch():
    facts = Analyzer(ast.parse(TORCH_NET), "net.py").run()
    events, = [g for g in facts.reuse_groups() if g[0].instance.label == "self.bn"]
    fix = split_instance_fix(TORCH_NET, events, Applicability.SAFE)
    assert fix is not None and fix.applicability is Applicability.SAFE
    assert sorted(e.replacement for e in fix.edits) == ["        self.bn_2 = nn.BatchNorm2d(16)\n", "self.bn_2"]


# --- builders: what they fix and what they refuse --------------------------------------------------

KERAS_HEAD = """\
import keras
from keras import layers


class Model(keras.Model):
    def __init__(self):
        super().__init__()
        self.norm = layers.BatchNormalization(
            momentum=0.9,  # slower statistics
            name="norm",
        )
        self.conv_a = layers.Conv2D(6, 3)
        self.conv_b = layers.Conv2D(16, 3)

    def call(self, x):
        s, x = "ééé", self.norm(self.conv_a(x))
        return self.norm(self.conv_b(x))
"""


def test_split_keeps_formatting_renames_the_layer_and_counts_characters():
    result = fixed(KERAS_HEAD)
    assert ('        self.norm_2 = layers.BatchNormalization(\n'
            '            momentum=0.9,  # slower statistics\n'
            '            name="norm_2",\n'
            '        )\n') in result.text
    assert 's, x = "ééé", self.norm(self.conv_a(x))' in result.text
    assert "return self.norm_2(self.conv_b(x))" in result.text


def test_split_names_avoid_every_name_in_use():
    source = KERAS_HEAD.replace('s, x = "ééé", ', "self.norm_2 = None\n        x = ")
    result = fixed(source)
    assert "self.norm_3 = layers.BatchNormalization(" in result.text
    assert "return self.norm_3(self.conv_b(x))" in result.text


def test_comprehension_fix_for_a_repeated_list_on_the_right():
    source = "import keras\nfrom keras import layers\n\nblocks = 3 * [layers.Dense(8)]\n"
    result = fixed(source)
    assert result.text.endswith("blocks = [layers.Dense(8) for _ in range(3)]\n")
    facts = Analyzer(ast.parse(source), "m.py").run()
    assert comprehension_fix(source, facts.aliased[0]).applicability is Applicability.UNSAFE


MOVE = """\
import keras
from keras import layers

WIDTH = 4


class Head(keras.Model):
    def __init__(self, units):
        super().__init__()
        self.units = units

    def call(self, x):
        x = layers.Dense(WIDTH, activation="relu")(x)
        return layers.Dense(self.units)(x)

# run: Head(3) on (2, 8)
"""


def test_move_to_init_uses_constants_only():
    result = fixed(MOVE)
    assert ("        super().__init__()\n"
            '        self.dense = layers.Dense(WIDTH, activation="relu")\n'
            "        self.units = units\n") in result.text
    assert "x = self.dense(x)" in result.text
    assert "return layers.Dense(self.units)(x)" in result.text  # self.units is no constructor-time value
    assert [d.code for d in check_source(result.text, "m.py", ALL)] == ["LL005"]
    (expr, shapes), = run_lines(result.text)
    assert output_shape(result.text, "move_head", expr, shapes) == (2, 3)


def test_move_to_init_refuses_a_construction_in_a_loop():
    source = MOVE.replace("        x = layers.Dense(WIDTH", "        for _ in range(2):\n            x = layers.Dense(WIDTH")
    facts = Analyzer(ast.parse(source), "m.py").run()
    assert facts.built_in_forward
    assert all(move_to_init_fix(source, built, facts) is None for built in facts.built_in_forward)


def test_builders_refuse_nodes_of_another_text():
    facts = Analyzer(ast.parse(TORCH_NET), "net.py").run()
    events, = [g for g in facts.reuse_groups() if g[0].instance.label == "self.bn"]
    assert split_instance_fix("\n\n" + TORCH_NET, events, Applicability.SAFE) is None


# --- the engine: safety ---------------------------------------------------------------------------

def test_a_fix_that_would_not_parse_is_rejected_and_a_good_one_still_applies():
    source = "x = 1\ny = 2\n"
    span = Span("m.py", 1)
    bad = Diagnostic("LL001", "reuse-shape-mismatch", Severity.ERROR, span, Text("bad"),
                     fix=Fix(Text("bad"), Applicability.SAFE, (Edit(0, 1, "x ="),)))
    good = Diagnostic("LL002", "shared-normalization-state", Severity.WARNING, Span("m.py", 2), Text("good"),
                      fix=Fix(Text("good"), Applicability.SAFE, (Edit(6, 7, "z"),)))
    result = apply_fixes(source, [bad, good], unsafe=False, path="m.py")
    assert result.text == "x = 1\nz = 2\n"
    assert result.applied == [good]
    alone = apply_fixes(source, [bad], unsafe=False, path="m.py")
    assert alone.text == source and not alone.applied
    assert [why for _, why in alone.skipped] == [BREAKS]


def test_unsafe_fixes_need_the_flag():
    source = next(case for case in BY_CODE["LL002"].INVALID if case.fixed is not None)
    result = fixed(source, unsafe=False)
    assert result.text == source
    assert [(d.code, why) for d, why in result.skipped] == [("LL002", UNSAFE)]
    assert fixed(source, unsafe=True).text != source


ARTICLE = (ROOT / "examples" / "keras" / "article_buggy.py").read_text(encoding="utf-8")


def fix_file(path: str, unsafe: bool = False):
    [result] = api.fix_paths([path], unsafe=unsafe)
    return result


def fix_command(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["check", "--no-cache", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_crlf_and_latin1_coding_survive_an_atomic_write(tmp_path):
    text = "# -*- coding: latin-1 -*-\n# café\n" + ARTICLE
    path = tmp_path / "model.py"
    path.write_bytes(text.replace("\n", "\r\n").encode("latin-1"))
    os.chmod(path, 0o640)
    result = fix_file(str(path))
    assert [d.code for d in result.applied] == ["LL001"] and result.diff
    data = path.read_bytes()
    assert data.startswith(b"# -*- coding: latin-1 -*-\r\n# caf\xe9\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert b"        self.batchnorm_2 = BatchNormalization()\r\n" in data
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["model.py"]  # no temporary file left
    again = fix_file(str(path))
    assert not again.applied and again.diff == "" and path.read_bytes() == data  # idempotent


def test_diff_writes_nothing_and_fix_writes(capsys, tmp_path):
    path = tmp_path / "model.py"
    path.write_text(ARTICLE, encoding="utf-8")
    code, out, err = fix_command(capsys, "--diff", str(path))
    assert code == 1 and path.read_text(encoding="utf-8") == ARTICLE
    assert "+        self.batchnorm_2 = BatchNormalization()" in out
    assert "Would fix 1 finding(s) in 1 file(s)." in err
    code, out, err = fix_command(capsys, "--fix", str(path))
    assert code == 0 and "self.batchnorm_2" in path.read_text(encoding="utf-8")
    assert "All checks passed." in out and "Fixed 1 finding(s) in 1 file(s)." in err
    code, out, err = fix_command(capsys, "--diff", str(path))
    assert code == 0 and out == ""


def test_fix_command_reports_what_remains_and_what_cannot_be_checked(capsys, tmp_path):
    loop = next(case for case in BY_CODE["LL001"].INVALID if case.no_fix and "loop" in case.no_fix)
    (tmp_path / "loop.py").write_text(loop, encoding="utf-8")
    code, out, err = fix_command(capsys, "--fix", "--unsafe-fixes", str(tmp_path))
    assert code == 1 and "LL001" in out and "Fixed 0 finding(s) in 0 file(s)." in err
    broken = "from keras import layers\nbn = layers.Dense(8)\ndef (:\n"
    (tmp_path / "broken.py").write_text(broken, encoding="utf-8")
    code, out, err = fix_command(capsys, "--fix", "--unsafe-fixes", str(tmp_path))
    assert code == 2 and "LL901" in out and (tmp_path / "broken.py").read_text(encoding="utf-8") == broken


# --- random models --------------------------------------------------------------------------------

def test_random_keras_models_fix_to_a_clean_fixpoint():
    hypothesis = pytest.importorskip("hypothesis")
    from hypothesis import strategies as st

    kinds = {"conv": ['layers.Conv2D(6, 3, padding="same")', 'layers.Conv2D(16, 3, padding="same")'],
             "bn": ["layers.BatchNormalization()", "layers.BatchNormalization(momentum=0.9)"],
             "dense": ["layers.Dense(8)", "layers.Dense(4)"]}
    names = {"conv": ["conv", "conv_2", "c1"], "bn": ["bn", "bn_2", "norm"], "dense": ["dense", "head"]}

    @st.composite
    def models(draw):
        attributes = []
        for kind in kinds:
            chosen = draw(st.lists(st.sampled_from(names[kind]), min_size=1, max_size=len(names[kind]), unique=True))
            attributes += [(name, draw(st.sampled_from(kinds[kind]))) for name in chosen]
        sequence = draw(st.lists(st.sampled_from([name for name, _ in attributes]), min_size=2, max_size=8))
        comments = draw(st.lists(st.booleans(), min_size=len(sequence), max_size=len(sequence)))
        lines = ["import keras", "from keras import layers", "", "", "class Net(keras.Model):",
                 "    def __init__(self):", "        super().__init__()"]
        lines += [f"        self.{name} = {ctor}" for name, ctor in attributes]
        lines += ["", "    def call(self, x):"]
        lines += [f"        x = self.{name}(x)" + ("  # keep me" if comment else "")
                  for name, comment in zip(sequence, comments)]
        lines += ["        return x", ""]
        return "\n".join(lines)

    @hypothesis.settings(max_examples=100, deadline=None, database=None,
                         suppress_health_check=list(hypothesis.HealthCheck))
    @hypothesis.given(models())
    def check(source):
        result = fixed(source, unsafe=True)
        ast.parse(result.text)
        assert result.text.count("# keep me") == source.count("# keep me")
        assert fixed(result.text, unsafe=True).text == result.text
        left = {d.code for d in check_source(result.text, "net.py", ALL)}
        assert not left & {"LL001", "LL002", "LL003"}, result.text
        safe_only = fixed(source, unsafe=False)
        assert not {d.code for d in check_source(safe_only.text, "net.py", ALL)} & {"LL001"}, safe_only.text

    check()


def test_positions_convert_utf8_columns_once():
    source = parse('s = "ééé"; t = 1\r\nu = 2\n')
    t = source.tree.body[1]
    assert source.text[source.start(t):source.end(t)] == "t = 1"
    u = source.tree.body[2]
    assert source.segment(u) == "u = 2"
