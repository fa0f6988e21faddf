"""A model deriving from a class of an installed library is read like any other model: the library's
source is found the way `import` would find it and read, never imported (issue 14, point 1)."""

from __future__ import annotations

import sys
from pathlib import Path

from layerlint.static import installed
from layerlint.static.checker import Project, Selection, check_source

# The library's base class is two re-exports away from where users import it, like keras-hub's
# `keras_hub.models.Backbone` (api module -> src module) or transformers' lazy `__init__`.
LIBRARY = {
    "mylib/__init__.py": "from .models import (\n    Helper,\n    BaseNet as BaseNet,\n)\nopen('IMPORTED', 'w').write('ran')\n",
    "mylib/models/__init__.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                                "    from mylib.models.base import BaseNet\nelse:\n    BaseNet = None\n",
    "mylib/models/base.py": "import torch.nn as nn\n\nclass BaseNet(nn.Module):\n    pass\n",
}

MODEL = """\
import torch.nn as nn
from mylib import BaseNet


class Net(BaseNet):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 3)
        self.conv2 = nn.Conv2d(6, 16, 3)
        self.bn = nn.BatchNorm2d(6)

    def forward(self, x):
        x = self.bn(self.conv1(x))
        return self.bn(self.conv2(x))
"""


def write_tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def codes(project: Project, tmp_path: Path) -> list[str]:
    path = tmp_path / "project" / "model.py"
    path.parent.mkdir(exist_ok=True)
    path.write_text(MODEL)
    return [d.code for d in check_source(MODEL, str(path), Selection(), project)]


def test_a_base_class_from_an_installed_package_is_read_not_imported(tmp_path, monkeypatch):
    site = tmp_path / "site"
    write_tree(site, LIBRARY)
    monkeypatch.chdir(tmp_path)
    project = Project(roots=[tmp_path / "project"], library_path=[site])
    assert codes(project, tmp_path) == ["LL001"]
    assert not (tmp_path / "IMPORTED").exists()
    assert "mylib" not in sys.modules
    # the files read are dependencies of the result, so the cache re-checks when the library changes
    assert str(site / "mylib" / "models" / "base.py") in project.reads


def test_without_the_library_the_model_is_not_recognised(tmp_path):
    assert codes(Project(roots=[tmp_path / "project"], library_path=[]), tmp_path) == []


def test_module_file_follows_the_import_system(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    write_tree(first, {"ns/one.py": "", "single.py": ""})  # `ns` is a namespace package in two places
    write_tree(second, {"ns/two/__init__.py": "", "single.py": "", "pkg/__init__.py": "", "pkg/mod.py": ""})
    path = [first, second]
    assert installed.module_file("ns.one", path) == first / "ns" / "one.py"
    assert installed.module_file("ns.two", path) == second / "ns" / "two" / "__init__.py"
    assert installed.module_file("single", path) == first / "single.py"  # the first one wins
    assert installed.module_file("pkg.mod", path) == second / "pkg" / "mod.py"
    assert installed.module_file("pkg.missing", path) is None
    assert installed.module_file("os.path", path) is None  # the standard library is never read
    assert installed.module_file("torch.nn", [tmp_path]) is None  # nor a framework


def test_default_search_path_leaves_out_the_checked_tree_and_the_standard_library(tmp_path, monkeypatch):
    inside = tmp_path / "project" / "vendor"
    inside.mkdir(parents=True)
    monkeypatch.syspath_prepend(str(inside))
    found = installed.default_search_path(exclude=[tmp_path / "project"])
    assert inside.resolve() not in found
    assert all((p / "os.py").exists() is False for p in found)
