"""The analysis engine against the robustness review's reproductions (H1, H11, E8, E9, E10, E11,
X12): it finishes on pathological files, stops with LL904 when a file passes its budget, and keeps
the findings the framework would confirm. Wall-clock bounds here only guard against a hang."""

from __future__ import annotations

import random
import textwrap
import time
from pathlib import Path

import pytest

from layerlint.cli import main
from layerlint.static import budget, source
from layerlint.static.analyzer import Analyzer
from layerlint.static.checker import Selection, check_source
from layerlint.static.facts import Branch, CallEvent, exclusive
from layerlint.static.shapes import Shape
from layerlint.static.verdicts import Crash, crash_of

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = (ROOT / "examples" / "keras" / "article_buggy.py").read_text()
ALL = Selection(select=("ALL",))
HANG_GUARD = 30.0  # seconds: far above the expected time (these took minutes before), only against a hang

HEADER = """\
from keras import layers, Model
class M(Model):
    def __init__(self):
        super().__init__()
        self.a = layers.Dense(8)
        self.b = layers.Dense(16)
        self.bn = layers.BatchNormalization()
    def call(self, x):
"""


def checked(text: str, selection: Selection = ALL) -> tuple[list[str], list]:
    started = time.monotonic()
    found = check_source(text, "m.py", selection, fixes=False)
    assert time.monotonic() - started < HANG_GUARD
    return [d.code for d in found], found


def nested_loops(header: str, loop: str, levels: int, body: list[str]) -> str:
    lines, indent = [], " " * 8
    for _ in range(levels):
        lines.append(f"{indent}{loop}")
        indent += "    "
    lines += [indent + line for line in body]
    return header + "\n".join(lines) + "\n        return x\n"


# --- H1: analysis time ------------------------------------------------------------------------------

TUPLE = "(" + ", ".join(str(i) for i in range(32)) + ")"


def test_h1_three_nested_loops_over_32_element_tuples_finish():
    text = nested_loops(HEADER, f"for i in {TUPLE}:", 3, ["x = self.a(x)"])
    assert checked(text)[0] == ["LL003"]  # Dense called in a loop shares its weights; no crash


def test_h1_nested_tuple_loops_still_find_the_crash():
    text = nested_loops(HEADER, f"for i in {TUPLE}:", 3, ["x = self.bn(self.a(x))", "x = self.bn(self.b(x))"])
    codes, found = checked(text, Selection(select=("LL001",)))
    assert codes == ["LL001"]
    assert "built for 8 features" in str(found[0].message) and "gets 16" in str(found[0].message)


def test_h1_past_the_unroll_bound_every_element_of_an_inner_loop_is_still_seen():
    layers = "(" + "self.a, " * 11 + "self.b)"  # 3 x 12 walks: past the bound; the 12th element crashes
    text = nested_loops(HEADER, "for _ in (0, 1, 2):", 1, [f"for layer in {layers}:", "    x = self.bn(layer(x))"])
    messages = [str(d.message) for d in checked(text, Selection(select=("LL001",)))[1]]
    assert any(m.startswith("`self.bn`") and "built for 8 features" in m and "gets 16" in m for m in messages)


@pytest.mark.parametrize("levels", [12, 20])
def test_h1_deeply_nested_range_loops_finish(levels):
    text = nested_loops(HEADER, "for _ in range(2):", levels, ["x = self.a(x)", "x = self.bn(x)"])
    assert sorted(checked(text)[0]) == ["LL002", "LL003"]


@pytest.mark.parametrize("calls", [4_000, 20_000])
def test_h1_thousands_of_calls_of_one_layer_finish(calls):
    text = HEADER + "        x = self.bn(self.a(x))\n" * calls + "        return x\n"
    assert sorted(checked(text)[0]) == ["LL002", "LL003"]


def test_h1_a_crash_after_thousands_of_calls_is_found_at_its_line():
    text = HEADER + "        x = self.bn(self.a(x))\n" * 4_000 + "        x = self.bn(self.b(x))\n        return x\n"
    codes, found = checked(text, Selection(select=("LL001",)))
    assert codes == ["LL001"]
    assert found[0].span.line == HEADER.count("\n") + 4_001


class _Event(CallEvent):
    """A call event with a given feature size, for comparing verdict algorithms on many layouts."""

    def __init__(self, instance, size, branches):
        super().__init__(instance, None, None, (Shape(),), branches, None, False, "M.call")
        self.size = size

    def feature(self):
        return self.size


def _reference_crash(events):
    """The pairwise definition crash_of used to compute: the first pair in execution order."""
    for index, first in enumerate(events):
        if first.feature() is None:
            continue
        for second in events[index + 1:]:
            received = second.feature()
            if received is not None and received != first.feature() and not exclusive(first, second):
                return first, second
    return None


def test_h1_crash_of_picks_the_same_pair_as_the_pairwise_definition():
    facts = Analyzer(__import__("ast").parse(HEADER + "        return self.bn(x)\n"), "m.py").run()
    instance = facts.events[0].instance
    rng = random.Random(7)
    arms = [(), (Branch(1, 1, "if"),), (Branch(1, 1, "else"),), (Branch(1, 1, "if"), Branch(2, 5, "else")),
            (Branch(2, 5, "if"),), (Branch("self.flag", 0, "if"),), (Branch("self.flag", 0, "else"),)]
    for _ in range(300):
        events = [_Event(instance, rng.choice([None, 6, 6, 16, 32]), rng.choice(arms))
                  for _ in range(rng.randint(1, 12))]
        expected = _reference_crash(events)
        crash = crash_of(events)
        assert (crash.first, crash.second) == expected if expected else crash is None
        if isinstance(crash, Crash):
            assert (crash.expected, crash.received) == (expected[0].feature(), expected[1].feature())


# --- the budget: LL904 ------------------------------------------------------------------------------


def test_h1_a_file_past_the_time_budget_is_reported_as_ll904(monkeypatch):
    monkeypatch.setattr(budget, "TIME_LIMIT", 0.0)
    monkeypatch.setattr(budget, "_CLOCK_EVERY", 1)
    codes, found = checked(ARTICLE)
    assert codes == ["LL904"]
    assert found[0].name == "analysis-budget-exceeded"
    assert "analysis stopped: the file exceeds the analysis budget (more than 0 seconds of analysis)" == str(found[0].message)
    assert "分析已停止" in found[0].message.render("zh_CN")


def test_h1_a_file_past_the_work_budget_is_reported_as_ll904(monkeypatch):
    monkeypatch.setattr(budget, "WORK_LIMIT", 50)
    monkeypatch.setattr(budget, "_CLOCK_EVERY", 1)
    codes, found = checked(ARTICLE)
    assert codes == ["LL904"]
    assert "more than 50 analysis steps" in str(found[0].message)
    monkeypatch.setattr(budget, "WORK_LIMIT", 100_000)
    assert checked(ARTICLE)[0] == ["LL001"]  # the default-sized budget leaves the real finding


def test_h1_ll904_makes_the_exit_code_2(monkeypatch, tmp_path, capsys):
    (tmp_path / "m.py").write_text(ARTICLE)
    monkeypatch.setattr(budget, "WORK_LIMIT", 10)
    monkeypatch.setattr(budget, "_CLOCK_EVERY", 1)
    assert main(["check", "--no-cache", str(tmp_path / "m.py")]) == 2
    assert "LL904" in capsys.readouterr().out


def test_h1_budget_is_only_charged_while_a_file_is_checked():
    assert budget.current().time_limit is None  # outside check_source: the tracer's verdicts are unbounded
    with budget.active(budget.Budget(work_limit=5, time_limit=None)) as active:
        with pytest.raises(budget.BudgetExceeded):
            for _ in range(budget._CLOCK_EVERY + 10):
                budget.current().charge()
        assert active.spent > 5
    assert budget.current().time_limit is None


def test_h1_an_analysis_outside_check_source_is_bounded_too(monkeypatch):
    """The editor's hover runs the analyzer directly: it gets the default budget."""
    monkeypatch.setattr(budget, "WORK_LIMIT", 10)
    monkeypatch.setattr(budget, "_CLOCK_EVERY", 1)
    with pytest.raises(budget.BudgetExceeded):
        Analyzer(__import__("ast").parse(ARTICLE), "m.py").run()


# --- H11: a huge literal -----------------------------------------------------------------------------


def test_h11_a_48_mb_list_literal_is_refused_before_parsing():
    text = "x = [" + "1, " * 16_000_000 + "]\n"  # 48 MB, under the 50 MB file limit
    codes, found = checked(text)
    assert codes == ["LL902"]
    assert "literal of more than 2000000 items" in str(found[0].message)


def test_h11_commas_in_strings_comments_and_many_small_literals_do_not_count(monkeypatch):
    monkeypatch.setattr(source, "MAX_LITERAL_ITEMS", 1_000)
    defs = "".join(f"def f{i}(a, b, c):\n    return g(a, b, c, [1, 2], '(,,,')\n" for i in range(2_000))
    assert source.too_big_to_parse(defs + "# " + ", " * 5_000 + "\ns = '''" + "[," * 5_000 + "'''\n") is None
    assert source.too_big_to_parse("x = {" + "1: (2, 3), " * 1_001 + "}\n") is not None
    assert source.too_big_to_parse(ARTICLE + "y = f(" + "a, " * 1_001 + ")\n") is not None


def test_h11_a_large_file_of_many_definitions_is_still_checked():
    defs = "".join(f"def f{i}(a, b, c):\n    return g(a, b, c, [1, 2], '(,,,')\n" for i in range(40_000))
    assert source.too_big_to_parse(defs * 5) is None  # 10 MB: not refused
    assert checked(ARTICLE + defs)[0] == ["LL001"]


# --- E8: a class defined twice --------------------------------------------------------------------------

FIXED = textwrap.dedent("""\
    class Net(Model):
        def __init__(self):
            super().__init__()
            self.c1 = Conv2D(6, 3)
            self.c2 = Conv2D(16, 3)
            self.bn1 = BatchNormalization()
            self.bn2 = BatchNormalization()

        def call(self, x):
            return self.bn2(self.c2(self.bn1(self.c1(x))))
    """)
BUGGY = textwrap.dedent("""\
    class Net(Model):
        def __init__(self):
            super().__init__()
            self.c1 = Conv2D(6, 3)
            self.c2 = Conv2D(16, 3)
            self.bn = BatchNormalization()

        def call(self, x):
            return self.bn(self.c2(self.bn(self.c1(x))))
    """)
IMPORTS = "from keras import Model\nfrom keras.layers import BatchNormalization, Conv2D\n\n\n"


def test_e8_a_buggy_redefinition_is_reported():
    text = IMPORTS + FIXED + "\n\n" + BUGGY
    codes, found = checked(text, Selection(select=("LL001",)))
    assert codes == ["LL001"]
    assert found[0].span.line == text.splitlines().index("        return self.bn(self.c2(self.bn(self.c1(x))))") + 1


def test_e8_each_definition_is_reported_at_its_own_lines():
    text = IMPORTS + BUGGY + "\n\n" + FIXED + "\n\n" + BUGGY
    lines = [i + 1 for i, line in enumerate(text.splitlines()) if "self.bn(self.c2" in line]
    codes, found = checked(text, Selection(select=("LL001",)))
    assert [d.span.line for d in found] == lines and len(lines) == 2


def test_e8_a_base_class_is_the_definition_above_the_subclass():
    text = IMPORTS + textwrap.dedent("""\
        class Base(Model):
            def __init__(self):
                super().__init__()
                self.bn = BatchNormalization()


        class Child(Base):
            def __init__(self):
                super().__init__()
                self.c1 = Conv2D(6, 3)
                self.c2 = Conv2D(16, 3)

            def call(self, x):
                return self.bn(self.c2(self.bn(self.c1(x))))


        class Base(Model):
            pass
        """)
    assert checked(text, Selection(select=("LL001",)))[0] == ["LL001"]


# --- E9 / X12: line breaks as Python's parser counts them ----------------------------------------------

FUNCTIONAL = textwrap.dedent("""\
    from keras import layers

    # note{separators}
    def build():
        inp = layers.Input(shape=(8,))
        bn = layers.BatchNormalization()
        x = bn(layers.Dense(6)(inp))
        return bn(layers.Dense(16)(x))
    """)


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x0c", "\x85", "\x1c", "\x1e", "\x0b"])
def test_e9_separators_that_do_not_end_a_python_line_keep_the_finding(separator):
    text = FUNCTIONAL.format(separators=separator * 40)
    codes, found = checked(text, Selection(select=("LL001",)))
    assert codes == ["LL001"]
    assert (found[0].span.line, found[0].span.column) == (8, 12)


def test_x12_columns_after_a_line_separator_in_class_code():
    plain = checked(ARTICLE)[1][0].span
    text = ARTICLE.replace("    def call(self, x):\n", "    def call(self, x):  # \u2028\x0c\n")
    span = checked(text)[1][0].span
    assert (span.line, span.column, span.end_column) == (plain.line, plain.column, plain.end_column) == (19, 13, 30)


def test_e9_split_lines_matches_the_parser():
    text = "a = 1  # \u2028\x0c\x85\r\nb = 2\rc = 3\n"
    assert source.split_lines(text) == ["a = 1  # \u2028\x0c\x85", "b = 2", "c = 3", ""]
    tree = __import__("ast").parse(text)
    assert [source.split_lines(text)[s.lineno - 1][:1] for s in tree.body] == ["a", "b", "c"]


# --- E10: match statements ------------------------------------------------------------------------------


def matching(arms: str, after: str = "") -> str:
    return HEADER + "        match self.mode:\n" + textwrap.indent(textwrap.dedent(arms), " " * 12) + after + "        return x\n"


def test_e10_a_call_in_an_arm_and_after_the_match_is_a_crash():
    text = matching('case "a":\n    x = self.bn(self.a(x))\n', "        x = self.bn(self.b(x))\n")
    codes, found = checked(text, Selection(select=("LL001",)))
    assert codes == ["LL001"] and found[0].span.line == text.count("\n") - 1


def test_e10_a_call_before_the_match_and_in_an_arm_is_a_crash():
    text = HEADER + "        x = self.bn(self.a(x))\n" + (
        "        match self.mode:\n            case [first, *rest] if rest:\n                x = self.bn(self.b(x))\n"
        "        return x\n")
    assert checked(text, Selection(select=("LL001",)))[0] == ["LL001"]


def test_e10_calls_in_two_arms_are_exclusive():
    text = matching('case "a":\n    x = self.bn(self.a(x))\ncase {"k": v, **others}:\n    x = self.bn(self.b(x))\n'
                    'case _:\n    x = self.bn(self.b(x))\n')
    assert checked(text, Selection(select=("LL001",)))[0] == []


def test_e10_an_arm_that_returns_excludes_the_code_after_the_match():
    text = matching('case "a":\n    return self.bn(self.a(x))\n', "        x = self.bn(self.b(x))\n")
    assert checked(text, Selection(select=("LL001",)))[0] == []
    every_arm_returns = matching('case "a":\n    return self.bn(self.a(x))\ncase _:\n    return self.bn(self.b(x))\n')
    assert checked(every_arm_returns, Selection(select=("LL001",)))[0] == []


# --- E11: long expressions -------------------------------------------------------------------------------


@pytest.mark.parametrize("expression", [
    " + ".join(["x"] * 600),  # the review's reproduction
    " ** ".join(["x"] * 900),  # nests to the right
    "x" + ".relu()" * 900,  # a method chain: deeper than the recursion limit in the interpreter
    "x" + "[0]" * 900,
])
def test_e11_a_long_expression_cpython_compiles_keeps_the_real_finding(expression):
    text = ARTICLE.replace("        return x\n", f"        y = {expression}\n        return x\n")
    compile(text, "m.py", "exec")
    codes, found = checked(text)
    assert codes == ["LL001"] and found[0].span.line == 19


def test_e10_a_match_with_hundreds_of_arms_is_analysed():
    arms = "".join(f"case {n}:\n    x = self.bn(self.a(x))\n" for n in range(400))
    text = matching(arms, "        x = self.bn(self.b(x))\n")
    compile(text, "m.py", "exec")
    codes, found = checked(text, Selection(select=("LL001",)))
    assert codes == ["LL001"] and found[0].span.line == text.count("\n") - 1


def test_h11_every_parse_is_guarded(monkeypatch):
    """A parent class's file and the editor's hover parse through `source.parse` too."""
    monkeypatch.setattr(source, "MAX_LITERAL_ITEMS", 1_000)
    with pytest.raises(ValueError, match="literal of more than 1000 items"):
        source.parse("x = (" + "1, " * 1_001 + ")\n")
    assert source.parse("x = (" + "1, " * 1_000 + ")\n").body


def test_a_call_retried_in_an_except_handler_is_one_call():
    """keras-hub's MobileNetV5 attention (found by eval/realworld): `try: layer(q, training=t)`
    `except TypeError: layer(q)` calls each layer once, whichever arm runs."""
    source = textwrap.dedent("""\
        import keras
        from keras import layers


        class Attention(layers.Layer):
            def __init__(self):
                super().__init__()
                self.query_layers = [layers.Conv2D(8, 1), layers.BatchNormalization()]
                self.norm = layers.BatchNormalization()

            def call(self, x, training=False):
                q = x
                for layer in self.query_layers:
                    try:
                        q = layer(q, training=training)
                    except TypeError:
                        q = layer(q)
                try:
                    q = self.norm(q)
                except ValueError:
                    pass
                return self.norm(q)
        """)
    found = [(d.code, d.span.line) for d in check_source(source, "m.py", Selection(select=("ALL",)))]
    assert found == [("LL002", 22)]  # the retry is one call; the call after the `try` is a second one
