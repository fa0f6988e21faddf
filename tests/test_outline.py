"""Another module of the project is parsed only as far as a check needs it (`static/outline.py`):
its skeleton at once, each top-level definition when first named, at the positions a full parse
gives, and the whole text whenever the line test could be wrong."""

from __future__ import annotations

import ast
import textwrap

import pytest

from layerlint.api import check_paths
from layerlint.config import Overrides
from layerlint.static.checker import Project
from layerlint.static.outline import outline

MODULE = textwrap.dedent('''\
    """Docs.
    class NotAClass:
    def not_a_function():
    """
    import torch.nn as nn
    from .base import Base

    WIDTH = 8


    @decorator(
        "x",
    )
    @other
    class Norm(nn.Module):
        def __init__(self):
            super().__init__()
            self.bn = nn.BatchNorm1d(WIDTH)
            self.note = """
    def inside_a_string():
    """


    async def fetch(x):  # a comment
        return x


    def make_norm():
        return Norm()


    if WIDTH:
        def conditional():
            pass
    else:
        pass

    class Norm(Base):  # defined twice: the later one runs
        pass
    ''')


def _dumps(statements: list[ast.stmt]) -> list[str]:
    return [ast.dump(s, include_attributes=True) for s in statements]


def test_definitions_are_deferred_and_parse_at_the_positions_of_a_full_parse():
    skeleton, deferred = outline(MODULE)
    full = ast.parse(MODULE).body
    kept = {type(s).__name__ for s in skeleton.body}
    assert kept == {"Expr", "Import", "ImportFrom", "Assign", "If"}  # the `if` holds its own def
    assert deferred.pending == {"Norm", "fetch", "make_norm"}
    norm = deferred.take("Norm")
    assert _dumps(norm) == _dumps([s for s in full if isinstance(s, ast.ClassDef)])  # both, decorators included
    assert deferred.take("Norm") == []  # never twice
    assert _dumps(deferred.take("fetch")) == _dumps([s for s in full if isinstance(s, ast.AsyncFunctionDef)])
    assert deferred.pending == {"make_norm"}


def test_a_line_inside_a_triple_quoted_string_starts_no_definition():
    _, deferred = outline(MODULE)
    assert "NotAClass" not in deferred.pending and "inside_a_string" not in deferred.pending
    assert "not_a_function" not in deferred.pending


def test_a_definition_the_line_test_cut_wrongly_falls_back_to_the_whole_text():
    text = textwrap.dedent("""\
        import torch.nn as nn

        def first(a, b):
            return (a
        @ b)

        def second():
            return nn.ReLU()

        class Third(nn.Module):
            pass
        """)
    parsed = outline(text)
    assert parsed is not None
    _, deferred = parsed
    full = ast.parse(text).body
    taken = deferred.take("first")  # `@ b)` looked like the next definition's decorator: it does not parse alone
    assert _dumps(taken) == _dumps(full[1:])  # every definition not yet taken, from the full parse
    assert deferred.pending == set()
    assert deferred.take("second") == []


@pytest.mark.parametrize("text", [
    "x = 1\n",  # nothing to defer
    "def f(a,\nb):\n    return a\n",  # the continuation line lands in the skeleton, which does not parse
])
def test_texts_the_outline_does_not_take_are_parsed_whole(text):
    assert outline(text) is None


def test_a_parent_module_is_read_only_for_what_the_check_names(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "norms.py").write_text(textwrap.dedent("""\
        import torch.nn as nn

        class Base(nn.Module):
            pass

        class Norm(Base):
            def __init__(self):
                super().__init__()
                self.bn = nn.BatchNorm1d(8)

            def forward(self, x):
                return self.bn(x)

        def make_norm():
            return Norm()

        def unrelated():
            return [i for i in range(10)]
        """))
    (package / "model.py").write_text(textwrap.dedent("""\
        import torch.nn as nn
        from .norms import make_norm

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.norm = make_norm()

            def forward(self, x):
                return self.norm(self.norm(x))
        """))
    project = Project(roots=[tmp_path])
    results = check_paths([str(tmp_path)], Overrides(select=("ALL",)))
    found = [(d.code, d.related[-1].span.path) for r in results for d in r.diagnostics]
    assert found == [("LL003", str(package / "norms.py"))]  # built by the factory of the other module
    norm = project.find_class("pkg.norms.Norm")
    assert norm is not None and norm.is_layer  # through `Base`, defined in the same module and loaded for it
    names = {getattr(s, "name", None) for s in next(a for a in project._analyzers.values() if a).tree.body}
    assert {"Norm", "Base"} <= names and "unrelated" not in names and "make_norm" not in names


def test_imports_of_a_definition_parsed_later_keep_the_source_order(tmp_path):
    """An import inside a deferred function and a later top-level one bind the same name: the later
    line wins, as in a full parse, whichever was parsed first."""
    (tmp_path / "mod.py").write_text(textwrap.dedent("""\
        def helper():
            import torch.nn as nn
            return nn


        import tensorflow.keras.layers as nn
        """))
    project = Project(roots=[tmp_path])
    assert project.find_value("mod.helper") is not None
    analyzer = next(a for a in project._analyzers.values() if a)
    assert analyzer.imports.names["nn"] == "tensorflow.keras.layers"


def test_the_text_of_a_parsed_definition_is_not_kept_and_the_whole_text_is_read_only_on_a_fallback():
    reads = []

    def whole_text() -> str:
        reads.append(1)
        return MODULE

    _, deferred = outline(MODULE, whole_text)
    deferred.take("fetch")
    assert all(text is None for _, text, name in deferred._chunks if name == "fetch")
    assert any(text for _, text, name in deferred._chunks if name == "make_norm")
    assert reads == []


def test_a_line_after_a_backslash_continuation_continues_its_definition():
    """`assert text == \\` and the expected text on the next lines, from column 0 (sympy's tests): the
    string is the assertion's, not a statement of the module."""
    text = 'def test():\n    assert f() == \\\n"""expected\n"""\n\n\ndef other():\n    pass\n'
    skeleton, deferred = outline(text)
    assert skeleton.body == [] and deferred.pending == {"test", "other"}
    taken = deferred.take("test") + deferred.take("other")
    assert [ast.dump(s, include_attributes=True) for s in taken] == [
        ast.dump(s, include_attributes=True) for s in ast.parse(text).body]


@pytest.mark.parametrize("package", ["keras", "torch", "transformers"])
def test_outlined_modules_of_real_libraries_equal_their_full_parse(package):
    """Every tenth module of an installed library (read, never imported): the skeleton plus every
    definition taken is the full parse, statement for statement, positions included."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        pytest.skip(f"{package} is not installed")
    files = sorted(Path(next(iter(spec.submodule_search_locations))).rglob("*.py"))[::10]
    outlined = 0
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        try:
            full = ast.parse(text)
        except (SyntaxError, ValueError):
            continue
        parsed = outline(text)
        if parsed is None:
            continue
        skeleton, deferred = parsed
        body = [*skeleton.body, *(s for name in sorted(deferred.pending) for s in deferred.take(name))]
        body.sort(key=lambda s: (s.lineno, s.col_offset))
        assert _dumps(body) == _dumps(full.body), path
        outlined += 1
    assert outlined > len(files) // 3
