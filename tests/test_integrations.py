"""layerlint inside other tools: the flake8 plugin and the pre-commit hooks, each run for real as a
subprocess on the article model."""

from __future__ import annotations

import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import layerlint
from layerlint.flake8_plugin import Plugin

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "examples" / "keras" / "article_buggy.py"
ENTRY_POINT = "LL = layerlint.flake8_plugin:Plugin"


def test_plugin_yields_flake8_tuples_from_the_lines():
    lines = ARTICLE.read_text().splitlines(keepends=True)
    [(line, column, message, kind)] = list(Plugin(None, "article.py", lines).run())
    assert (line, column, kind) == (19, 12, Plugin)
    assert message.startswith("LL001 `self.batchnorm` (BatchNormalization) is built for 6 features")
    assert "\n" not in message
    assert Plugin.name == "layerlint" and Plugin.version == layerlint.__version__


def test_plugin_runs_layerlint_defaults_unless_the_option_selects(monkeypatch):
    from types import SimpleNamespace

    from layerlint.static.rules.ll003_shared_weights import INVALID

    def codes() -> set[str]:
        return {message.split()[0] for _, _, message, _ in Plugin(None, "m.py", INVALID[0].splitlines(True)).run()}

    monkeypatch.setattr(Plugin, "overrides", Plugin.overrides)
    Plugin.parse_options(SimpleNamespace(layerlint_select=None))
    assert "LL003" not in codes()
    Plugin.parse_options(SimpleNamespace(layerlint_select=["all"]))
    assert "LL003" in codes()
    Plugin.parse_options(SimpleNamespace(layerlint_select="LL001, LL002"))
    assert "LL003" not in codes()


def flake8_environment(tmp_path: Path) -> dict[str, str]:
    """The environment for a flake8 subprocess that finds the plugin: as installed when pyproject
    declares the entry point, else through a minimal dist-info on PYTHONPATH."""
    environment = dict(os.environ)
    installed = importlib.metadata.entry_points(group="flake8.extension")
    if not any(entry.name == "LL" and entry.value == "layerlint.flake8_plugin:Plugin" for entry in installed):
        info = tmp_path / "site" / "layerlint_flake8_test-0.0.0.dist-info"
        info.mkdir(parents=True, exist_ok=True)
        (info / "METADATA").write_text("Metadata-Version: 2.1\nName: layerlint-flake8-test\nVersion: 0.0.0\n")
        (info / "entry_points.txt").write_text(f"[flake8.extension]\n{ENTRY_POINT}\n")
        environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(info.parent), environment.get("PYTHONPATH")]))
    return environment


def run_flake8(tmp_path: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    """flake8 on the given arguments, reading no configuration file unless `--config` is given."""
    pytest.importorskip("flake8")
    isolated = [] if "--config" in args else ["--isolated"]
    return subprocess.run([sys.executable, "-m", "flake8", *isolated, *args], check=False, input=stdin,
                          capture_output=True, text=True, cwd=ROOT, env=flake8_environment(tmp_path), timeout=300)


def test_flake8_select_ll_reports_the_article_crash(tmp_path):
    result = run_flake8(tmp_path, "--select", "LL", "examples/keras/article_buggy.py")
    assert result.returncode == 1, result.stderr
    [line] = result.stdout.splitlines()
    assert line.startswith("examples/keras/article_buggy.py:19:13: LL001 `self.batchnorm` (BatchNormalization) "
                           "is built for 6 features by its call at line 16 but gets 16 here")


def test_flake8_reads_standard_input_and_honours_noqa(tmp_path):
    source = ARTICLE.read_text()
    result = run_flake8(tmp_path, "--select", "LL", "--stdin-display-name", "model.py", "-", stdin=source)
    assert result.returncode == 1, result.stderr
    assert result.stdout.startswith("model.py:19:13: LL001 ")
    silenced = source.replace("# LL001: built for 6 channels, gets 16", "# noqa: LL001")
    result = run_flake8(tmp_path, "--select", "LL", "-", stdin=silenced)
    assert (result.returncode, result.stdout) == (0, ""), result.stderr


def test_flake8_keeps_ll003_off_unless_the_plugin_option_selects_it(tmp_path):
    from layerlint.static.rules.ll003_shared_weights import INVALID

    model = tmp_path / "siamese.py"
    model.write_text(INVALID[0])
    assert "LL003" not in run_flake8(tmp_path, "--select", "LL", str(model)).stdout
    assert "LL003" in run_flake8(tmp_path, "--select", "LL", "--layerlint-select", "ALL", str(model)).stdout
    config = tmp_path / "setup.cfg"
    config.write_text("[flake8]\nselect = LL\nlayerlint-select = LL001,LL003\n")
    result = run_flake8(tmp_path, "--config", str(config), str(model))
    assert "LL003" in result.stdout, result.stderr


def test_nbqa_runs_the_plugin_on_notebook_cells(tmp_path):
    pytest.importorskip("nbqa")
    pytest.importorskip("flake8")
    import json

    notebook = tmp_path / "model.ipynb"
    cells = [{"cell_type": "markdown", "metadata": {}, "source": ["# The article's model"]},
             {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
              "source": ARTICLE.read_text().splitlines(keepends=True)}]
    notebook.write_text(json.dumps({"cells": cells, "metadata": {"language_info": {"name": "python"}},
                                    "nbformat": 4, "nbformat_minor": 5}))
    result = subprocess.run([sys.executable, "-m", "nbqa", "flake8", str(notebook), "--select", "LL"], check=False,
                            capture_output=True, text=True, cwd=tmp_path, env=flake8_environment(tmp_path),
                            timeout=300)
    assert result.returncode == 1, result.stdout + result.stderr
    assert re.search(r"model\.ipynb:cell_\d+:19:13: LL001 `self\.batchnorm`", result.stdout), result.stdout


# --- pre-commit --------------------------------------------------------------------------------------

def test_pre_commit_hooks_file_declares_both_hooks():
    yaml = pytest.importorskip("yaml")
    hooks = {hook["id"]: hook for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"layerlint", "layerlint-fix"}
    assert hooks["layerlint"]["entry"].split()[:2] == ["layerlint", "check"]
    assert "--fix" in hooks["layerlint-fix"]["entry"].split()
    for hook in hooks.values():
        assert hook["language"] == "python"
        assert hook["types_or"] == ["python", "jupyter"]


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=layerlint tests", "-c", "user.email=tests@invalid",
                    "-c", "commit.gpgsign=false", *args], cwd=cwd, check=True, capture_output=True, timeout=120)


def working_tree_copy(destination: Path) -> Path:
    """The project's working tree (tracked and new files, not ignored ones) committed to a fresh git
    repository: `pre-commit try-repo` installs a repository's committed state, and the hooks file or
    the code under test may not be committed yet."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, check=True, capture_output=True, timeout=60).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    git(destination, "init", "-q")
    git(destination, "add", "-A")
    git(destination, "commit", "-q", "-m", "working tree")
    return destination


def test_pre_commit_try_repo_runs_both_hooks_on_the_article_model_slow(tmp_path):
    """Slow (15 s to a minute): pre-commit builds a virtual environment and installs layerlint in it."""
    pytest.importorskip("pre_commit")
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs git and the project's git checkout")
    hooks_repo = working_tree_copy(tmp_path / "layerlint-repo")
    project = tmp_path / "project"
    (project / "models").mkdir(parents=True)
    shutil.copy(ARTICLE, project / "models" / "article.py")
    (project / "models" / "clean.py").write_text((ROOT / "examples" / "keras" / "article_fixed.py").read_text())
    (project / "README.md").write_text("not Python\n")
    git(project, "init", "-q")
    git(project, "add", "-A")
    environment = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "PRE_COMMIT_COLOR": "never"}
    environment.pop("PYTHONPATH", None)

    def try_repo(hook: str) -> tuple[int, str]:
        result = subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(hooks_repo), hook,
                                 "--all-files", "--verbose"],
                                    check=False, cwd=project, capture_output=True, text=True, env=environment,
                                timeout=900)
        return result.returncode, result.stdout + result.stderr

    code, output = try_repo("layerlint")
    assert code == 1, output
    assert "Failed" in output and "hook id: layerlint" in output
    assert "models/article.py:19:13: LL001 [error] `self.batchnorm` (BatchNormalization)" in output
    assert "clean.py" not in output and "README" not in output

    code, output = try_repo("layerlint-fix")  # its environment adds libcst
    assert code == 1, output  # pre-commit fails a hook that modified files
    assert "files were modified by this hook" in output
    fixed = (project / "models" / "article.py").read_text()
    assert "self.batchnorm_2 = BatchNormalization()" in fixed
    assert layerlint.check_source(fixed, "article.py") == []
