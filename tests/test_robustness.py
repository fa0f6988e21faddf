"""Bad input never stops a run or shows a traceback; generated programs never crash the checker or
make the fixer write something that does not parse."""

from __future__ import annotations

import ast
import os
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from layerlint.cli import main
from layerlint import api
from layerlint.static.checker import Selection, check_source


def check_paths(paths, **options):
    return [d for result in api.check_paths(paths, **options) for d in result.diagnostics]

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = (ROOT / "examples" / "keras" / "article_buggy.py").read_text()
ALL = Selection(select=("ALL",))


def test_odd_files_in_one_tree(capsys, tmp_path):
    (tmp_path / "tabs.py").write_text(ARTICLE.replace("    ", "\t"))
    (tmp_path / "crlf.py").write_bytes(ARTICLE.replace("\n", "\r\n").encode())
    (tmp_path / "mixed.py").write_bytes(ARTICLE.replace("\n", "\r\n", 5).encode())
    (tmp_path / "big.py").write_text(ARTICLE + "x = [\n" + "    1,\n" * 1_700_000 + "]\n")  # ~10 MB
    (tmp_path / "loop").mkdir()
    (tmp_path / "loop" / "again").symlink_to(tmp_path, target_is_directory=True)  # a symlink loop
    (tmp_path / "dangling.py").symlink_to(tmp_path / "nowhere.py")
    outside = tmp_path.parent / f"{tmp_path.name}-outside.py"
    outside.write_text(ARTICLE)
    (tmp_path / "link_out.py").symlink_to(outside)
    code = main(["check", "--no-cache", str(tmp_path)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert code == 1  # only findings: nothing failed
    assert out.count("LL001") == 4  # tabs, crlf, mixed, big: the link out of the tree is not followed
    assert "outside" not in out


def test_tabs_and_crlf_keep_their_positions(capsys, tmp_path):
    (tmp_path / "crlf.py").write_bytes(ARTICLE.replace("\n", "\r\n").encode())
    main(["check", "--no-cache", str(tmp_path / "crlf.py")])
    assert "crlf.py:19:13: LL001" in capsys.readouterr().out


def test_a_file_deleted_during_the_run(tmp_path):
    for index in range(3):
        (tmp_path / f"m{index}.py").write_text(ARTICLE)

    def delete_the_next_one(done: int, total: int | None) -> None:
        victim = tmp_path / f"m{done}.py"
        if victim.exists():
            victim.unlink()

    found = check_paths([str(tmp_path)], progress=delete_the_next_one)
    assert [d.code for d in found] == ["LL001", "LL902", "LL902"]
    assert "deleted while checking" in str(found[1].message)


def test_unreadable_file(tmp_path):
    if os.geteuid() == 0:  # root reads any file mode; a read of /proc/self/mem fails even for root
        target = tmp_path / "model.py"
        target.symlink_to("/proc/self/mem")
        found = check_paths([str(target)])
    else:
        target = tmp_path / "model.py"
        target.write_text(ARTICLE)
        target.chmod(0)
        found = check_paths([str(target)])
    assert [d.code for d in found] == ["LL902"]


# --- generated input ---------------------------------------------------------------------------

@settings(max_examples=int(os.environ.get("LAYERLINT_FUZZ_EXAMPLES", "150")), deadline=None,
          suppress_health_check=list(HealthCheck))
@given(st.text(max_size=400))
def test_any_text_gives_diagnostics_not_exceptions(text):
    for diagnostic in check_source(text, "fuzz.py", ALL):
        assert diagnostic.code != "LL903", diagnostic.message


LAYERS = ["layers.Dense(8)", "layers.Dense(16)", "layers.BatchNormalization()", "layers.Conv2D(8, 3)",
          "layers.LayerNormalization()", "layers.ReLU()", "layers.MaxPool2D()", "[layers.Dense(8)] * 2",
          "[layers.Dense(4) for _ in range(3)]", "keras.Sequential([layers.Dense(8), layers.BatchNormalization()])"]
STATEMENTS = [
    "x = self.{a}(x)", "x = self.{a}(self.{b}(x))", "if self.flag:\n    x = self.{a}(x)\nelse:\n    x = self.{b}(x)",
    "for _ in range({n}):\n    x = self.{a}(x)", "while x is None:\n    x = self.{a}(x)",
    "try:\n    x = self.{a}(x)\nexcept ValueError:\n    x = self.{b}(x)", "layer = self.{a}\nx = layer(x)",
    "if self.flag:\n    return self.{a}(x)", "x = [self.{a}(v) for v in (x, x)][0]", "x = self.helper(x)",
    "x = layers.Dense({n})(x)", "x = keras.ops.concatenate([self.{a}(x), self.{b}(x)], axis=-1)",
    "with self.scope:\n    x = self.{a}(x)", "x = self.{a}(x).relu()",
]


@st.composite
def models(draw):
    names = [f"l{i}" for i in range(draw(st.integers(1, 4)))]
    init = "\n".join(f"self.{n} = {draw(st.sampled_from(LAYERS))}" for n in names)
    body = []
    for _ in range(draw(st.integers(1, 6))):
        template = draw(st.sampled_from(STATEMENTS))
        body.append(template.format(a=draw(st.sampled_from(names)), b=draw(st.sampled_from(names)),
                                    n=draw(st.integers(1, 3))))
    return ("import keras\nfrom keras import layers\n\n\nclass M(keras.Model):\n"
            "    def __init__(self):\n        super().__init__()\n        self.flag = True\n"
            + textwrap.indent(init, " " * 8) + "\n\n    def helper(self, x):\n"
            f"        return self.{names[0]}(x)\n\n    def call(self, x):\n"
            + textwrap.indent("\n".join(body), " " * 8) + "\n        return x\n")


@settings(max_examples=int(os.environ.get("LAYERLINT_FUZZ_EXAMPLES", "150")), deadline=None,
          suppress_health_check=list(HealthCheck))
@given(models())
def test_generated_models_never_crash_the_checker_and_fixes_parse(source):
    ast.parse(source)
    found = check_source(source, "model.py", ALL)
    assert not [d for d in found if d.code.startswith("LL9")], [str(d.message) for d in found]
    from layerlint.fix.engine import apply_fixes

    fixed = apply_fixes(source, found, unsafe=True, path="model.py", selection=ALL).text
    ast.parse(fixed)
    assert apply_fixes(fixed, check_source(fixed, "model.py", ALL), unsafe=True, path="model.py",
                       selection=ALL).text == fixed


try:
    import hypothesmith
except ImportError:  # the test extra installs it; without it the generic-text test above still runs
    hypothesmith = None


@pytest.mark.skipif(hypothesmith is None, reason="hypothesmith is not installed")
@settings(max_examples=int(os.environ.get("LAYERLINT_FUZZ_EXAMPLES", "60")), deadline=None,
          suppress_health_check=list(HealthCheck))
@given(st.builds(lambda s: s) if hypothesmith is None else hypothesmith.from_grammar())
def test_grammar_generated_python_never_crashes_the_checker(source):
    for diagnostic in check_source(source, "gen.py", ALL):
        assert diagnostic.code != "LL903", diagnostic.message
