"""Summaries of walked functions (issue 14, point 2): a parent's constructor or a helper is walked once
per run and applied at later call sites, with the same findings as walking it again, and the files it
read stay dependencies of every file that uses it (the result cache, `--watch` and the editor)."""

from __future__ import annotations

from pathlib import Path

import pytest

from layerlint.static import summaries
from layerlint.static.checker import Project, check_source
from layerlint.static.selection import Selection

ALL = Selection(select=("ALL",))

SIZES = """
import torch.nn as nn

HIDDEN = 4


class Identity(nn.Module):  # a module that may hold a layer: read when imported from
    def forward(self, x):
        return x
"""

BASE = """
import torch.nn as nn

from .sizes import HIDDEN


class Base(nn.Module):
    def __init__(self):
        super().__init__()
        self.ready = True

    def width(self):
        return self.configured()

    def configured(self):
        return HIDDEN
"""

# `Linear(8, width)` applied to its own output: a crash when the width is not 8.
CHILD = """
import torch.nn as nn

from .base import Base


class {name}(Base):
    def __init__(self):
        super().__init__()
        width = self.width()
        self.lin = nn.Linear(8, width)
{override}
    def forward(self, x):
        x = self.lin(x)
        return self.lin(x)
"""

OVERRIDE = """
    def configured(self):
        return 8
"""


def write_package(root: Path) -> Path:
    package = root / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "sizes.py").write_text(SIZES)
    (package / "base.py").write_text(BASE)
    (package / "narrow.py").write_text(CHILD.format(name="Narrow", override=""))
    (package / "wide.py").write_text(CHILD.format(name="Wide", override=OVERRIDE))
    (package / "narrow_too.py").write_text(CHILD.format(name="NarrowToo", override=""))
    return package


def codes(path: Path, project: Project) -> list[str]:
    project.reads = set()
    return sorted(d.code for d in check_source(path.read_text(), str(path), ALL, project))


@pytest.fixture
def counted(monkeypatch):
    """How many times a stored summary was applied."""
    applied = []
    original = summaries._apply

    def apply(*args, **kwargs):
        applied.append(args[1])
        return original(*args, **kwargs)

    monkeypatch.setattr(summaries, "_apply", apply)
    return applied


@pytest.mark.parametrize("order", [("narrow", "wide", "narrow_too"), ("wide", "narrow", "narrow_too")])
def test_summaries_applied_across_files_give_the_findings_of_a_fresh_walk(tmp_path, counted, order):
    """One project for the run (as a `check` worker has): the parent's `width()` is summarised by the
    first file and applied in the later ones, except where a subclass overrides the method it calls
    (`configured`), which gets its own walk. Each file's findings equal those of a fresh project."""
    package = write_package(tmp_path)
    fresh = {name: codes(package / f"{name}.py", Project(roots=[tmp_path])) for name in order}
    assert "LL001" in fresh["narrow"] and "LL001" not in fresh["wide"]  # the test itself is sound
    counted.clear()
    shared = Project(roots=[tmp_path])
    assert {name: codes(package / f"{name}.py", shared) for name in order} == fresh
    assert shared.summaries and counted  # summaries were stored for the run, and applied


def test_a_summary_applied_in_a_later_file_keeps_the_files_it_read_as_dependencies(tmp_path, counted):
    """`narrow_too.py` gets the parent's `width()` from a summary recorded while checking
    `narrow.py`; the summary's walk read `sizes.py`, so the cache must re-check `narrow_too.py` when
    `sizes.py` changes: it is among the files its check read."""
    package = write_package(tmp_path)
    project = Project(roots=[tmp_path])
    codes(package / "narrow.py", project)
    counted.clear()
    codes(package / "narrow_too.py", project)
    assert counted
    assert str(package / "sizes.py") in project.reads
    assert str(package / "base.py") in project.reads


def test_a_memoised_project_lookup_keeps_its_files_as_dependencies(tmp_path, monkeypatch):
    """Without summaries too: the parent module's analyzer answers `HIDDEN` from its memo in the
    second file; that file still depends on `sizes.py`."""
    package = write_package(tmp_path)
    monkeypatch.setattr(summaries, "walk", lambda caller, analyzer, function, env, frame:
                        caller._walk_in(analyzer, function, env, frame))
    project = Project(roots=[tmp_path])
    codes(package / "narrow.py", project)
    codes(package / "narrow_too.py", project)
    assert str(package / "sizes.py") in project.reads


def test_a_parent_module_read_at_indexing_stays_a_dependency_of_later_files(tmp_path):
    """A parent class two modules away (`Net(Mid)`, `Mid(Root)` in another file): the module of
    `Root` is read while indexing `mid.py` for the first file only, yet every file using `Mid`
    depends on it."""
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "root.py").write_text("import torch.nn as nn\n\n\nclass Root(nn.Module):\n    pass\n")
    (package / "mid.py").write_text("from .root import Root\n\n\nclass Mid(Root):\n    pass\n")
    model = ("import torch.nn as nn\n\nfrom .mid import Mid\n\n\nclass Net(Mid):\n    def __init__(self):\n"
             "        super().__init__()\n        self.bn = nn.BatchNorm1d(8)\n\n    def forward(self, x):\n"
             "        return self.bn(self.bn(x))\n")
    (package / "a.py").write_text(model)
    (package / "b.py").write_text(model)
    project = Project(roots=[tmp_path])
    assert "LL002" in codes(package / "a.py", project)
    assert "LL002" in codes(package / "b.py", project)
    assert str(package / "root.py") in project.reads


def test_forget_drops_the_summaries_of_the_run(tmp_path):
    """A saved file (the editor, `--watch` with a long-lived project) may change what a summary
    walked: they all go, and the next check walks again."""
    package = write_package(tmp_path)
    project = Project(roots=[tmp_path])
    assert "LL001" in codes(package / "narrow.py", project)
    assert project.summaries
    (package / "sizes.py").write_text(SIZES.replace("4", "8"))
    project.forget(package / "sizes.py")
    assert not project.summaries
    assert "LL001" not in codes(package / "narrow_too.py", project)


def test_summary_keys_and_values():
    """What may be summarised: plain values compare by value, containers are copied where applied,
    a layer is never plain."""
    from layerlint.static.values import ConstValue, ContainerValue, TensorValue, TupleValue

    assert summaries._abstract(ConstValue(1), None, ((),)) == summaries._abstract(ConstValue(1), None, ((),))
    assert summaries._abstract(ConstValue(1), None, ((),)) != summaries._abstract(ConstValue(True), None, ((),))
    default = ConstValue(1)
    assert summaries._abstract(default, None, ({id(default)},)) != summaries._abstract(ConstValue(1), None, ((),))
    listed = ContainerValue([ConstValue(1), TupleValue((TensorValue(None),))])
    assert summaries._plain(listed)
    copy = summaries._copy(listed)
    assert copy is not listed and copy.items is not listed.items
    assert summaries._equivalent(copy, listed, ((),))
    copy.items.append(ConstValue(2))
    assert not summaries._equivalent(copy, listed, ((),))


RECURSIVE_BASE = """
import torch.nn as nn

from .sizes import HIDDEN


class Base(nn.Module):
    def __init__(self):
        super().__init__()
        self.enable()

    def enable(self, again=False):  # transformers' post_init helpers call each other like this
        if again:
            self._enable()
        self.width = HIDDEN

    def _enable(self):
        self.enable(again=False)
"""

RECURSIVE_CHILD = """
import torch.nn as nn

from .base import Base


class {name}(Base):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(8, self.width)

    def forward(self, x):
        return self.lin(self.lin(x))
"""


def test_a_walk_that_re_enters_its_own_functions_is_still_summarised(tmp_path, counted):
    """`enable` -> `_enable` -> `enable` is cut inside the walk of `Base.__init__`, the same way at any
    call site: that walk is summarised and applied in the next file, with a fresh walk's findings.
    The walk of `_enable` alone is not: there the cut re-entered `enable`, which ran around it."""
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "sizes.py").write_text(SIZES)
    (package / "base.py").write_text(RECURSIVE_BASE)
    (package / "a.py").write_text(RECURSIVE_CHILD.format(name="A"))
    (package / "b.py").write_text(RECURSIVE_CHILD.format(name="B"))
    fresh = codes(package / "b.py", Project(roots=[tmp_path]))
    assert "LL001" in fresh  # Linear(8, 4) applied to its own output
    project = Project(roots=[tmp_path])
    codes(package / "a.py", project)
    summarised = {key[0].name for key in project.summaries}
    assert {"__init__", "enable"} <= summarised and "_enable" not in summarised
    counted.clear()
    assert codes(package / "b.py", project) == fresh
    assert counted
