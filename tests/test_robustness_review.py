"""Regression tests for the robustness review (shared/reviews/robustness-review.md): each test is the
review's reproduction, named by its item, run against the pipeline, the writer, the cache and the
configuration."""

from __future__ import annotations

import errno
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from layerlint import api
from layerlint.cli import main
from layerlint.config import ConfigError, Overrides, resolve
from layerlint.static.cache import Cache
from layerlint.writes import WriteRefused, replace_file

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = (ROOT / "examples" / "keras" / "article_buggy.py").read_text(encoding="utf-8")


def check(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["check", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def codes(paths, **options) -> list[str]:
    return [d.code for result in api.check_paths(paths, **options) for d in result.diagnostics]


# --- D: data loss and integrity ------------------------------------------------------------------

def test_d3_an_edit_saved_while_fixing_is_not_overwritten(capsys, tmp_path, monkeypatch):
    import layerlint.fix.engine as engine

    model = tmp_path / "m.py"
    model.write_text(ARTICLE)
    real = engine.apply_fixes

    def user_saves_meanwhile(*args, **kwargs):
        with open(model, "a") as handle:
            handle.write("# USER EDIT\n")
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "apply_fixes", user_saves_meanwhile)
    code, out, err = check(capsys, "--no-cache", "--fix", str(model))
    assert model.read_text().endswith("# USER EDIT\n") and "batchnorm_2" not in model.read_text()
    assert code == 2 and "changed while it was being fixed" in err
    assert "LL001" in out  # E12: the finding that was not fixed is still shown


def test_d4_an_empty_cache_folder_setting_writes_nothing_into_the_project(capsys, tmp_path, monkeypatch):
    (tmp_path / "m.py").write_text(ARTICLE)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LAYERLINT_CACHE_DIR", "")
    import layerlint.cli

    assert layerlint.cli._cache_folder() == ".layerlint_cache"
    code, _, _ = check(capsys, "--cache-dir", "", "m.py")
    assert code == 1 and not (tmp_path / ".gitignore").exists()
    with pytest.raises(ValueError):
        Cache("", "")


@pytest.mark.parametrize("kind", ["symlink", "hardlink", "readonly"])
def test_d5_fix_refuses_links_and_read_only_files(capsys, tmp_path, kind):
    outside = tmp_path / "outside"
    outside.mkdir()
    real = outside / "real.py"
    real.write_text(ARTICLE)
    project = tmp_path / "project"
    project.mkdir()
    target = project / "m.py"
    if kind == "symlink":
        target.symlink_to(real)
    elif kind == "hardlink":
        os.link(real, target)
    else:
        target.write_text(ARTICLE)
        target.chmod(0o444)
    code, out, err = check(capsys, "--no-cache", "--fix", str(target))
    assert code == 2 and "not rewritten" in err and "LL001" in out
    assert real.read_text() == ARTICLE and target.read_text() == ARTICLE
    if kind == "symlink":
        assert target.is_symlink()
    if kind == "hardlink":
        assert os.stat(target).st_ino == os.stat(real).st_ino


def test_d5_fix_keeps_owner_and_mode(tmp_path):
    model = tmp_path / "m.py"
    model.write_text(ARTICLE)
    model.chmod(0o640)
    if os.geteuid() == 0:
        os.chown(model, 12345, 12345)
    before = os.stat(model)
    [result] = api.fix_paths([str(model)])
    after = os.stat(model)
    assert result.applied and "batchnorm_2" in model.read_text()
    assert (after.st_uid, after.st_gid, stat.S_IMODE(after.st_mode)) == (before.st_uid, before.st_gid, 0o640)


def test_d5_the_writer_checks_the_content_it_replaces(tmp_path):
    model = tmp_path / "m.py"
    model.write_bytes(b"new contents")
    with pytest.raises(WriteRefused, match="changed while it was being fixed"):
        replace_file(str(model), b"fixed", b"old contents")
    assert model.read_bytes() == b"new contents" and [p.name for p in tmp_path.iterdir()] == ["m.py"]


def test_e12_a_long_file_name_is_still_fixable(tmp_path):
    model = tmp_path / ("m" * 240 + ".py")  # the old `.{name}.XXXXXXXX.layerlint` temporary was too long
    model.write_text(ARTICLE)
    [result] = api.fix_paths([str(model)])
    assert result.write_error is None and "batchnorm_2" in model.read_text()


def test_d7_a_committed_cache_symlink_is_never_followed(capsys, tmp_path, monkeypatch):
    victim = tmp_path / "victim"
    victim.mkdir()
    project = tmp_path / "project"
    (project / ".layerlint_cache").mkdir(parents=True)
    (project / ".layerlint_cache" / ".gitignore").symlink_to(victim / "created_by_layerlint")
    (project / "m.py").write_text(ARTICLE)
    monkeypatch.chdir(project)
    assert check(capsys, "m.py")[0] == 1
    assert not (victim / "created_by_layerlint").exists()
    linked = tmp_path / "linked"
    linked.mkdir()
    (project / "other").mkdir()
    (project / "other" / ".layerlint_cache").symlink_to(linked)
    (project / "other" / "m.py").write_text(ARTICLE)
    monkeypatch.chdir(project / "other")
    assert check(capsys, "m.py")[0] == 1
    assert list(linked.iterdir()) == []


# --- C: the cache ----------------------------------------------------------------------------------

BASE = """\
from keras import Model, layers


class Base(Model):
    def __init__(self):
        super().__init__()
        self.bn = layers.BatchNormalization()
        self.a = layers.Dense(8)
        self.b = layers.Dense(16)
"""
CHILD = """\
from base import Base


class Child(Base):
    def call(self, x):
        x = self.bn(self.a(x))
        return self.bn(self.b(x))
"""


def test_c1_a_parent_module_broken_at_the_first_run_is_a_dependency(tmp_path):
    (tmp_path / "base.py").write_text(BASE + "x = (\n")
    (tmp_path / "child.py").write_text(CHILD)
    cache = Cache(tmp_path / "cache", "")
    assert "LL001" not in codes([str(tmp_path)], cache=cache)
    (tmp_path / "base.py").write_text(BASE)
    assert "LL001" in codes([str(tmp_path)], cache=Cache(tmp_path / "cache", ""))


def test_c2_the_cache_key_holds_the_project_roots(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "base.py").write_text(BASE)
    (package / "child.py").write_text(CHILD.replace("from base import", "from pkg.base import"))
    cache_folder = tmp_path / "cache"
    single = codes([str(package / "child.py")], cache=Cache(cache_folder, ""))
    whole = codes([str(tmp_path)], cache=Cache(cache_folder, ""))
    assert whole.count("LL001") == codes([str(tmp_path)]).count("LL001") == 1
    assert single == codes([str(package / "child.py")])


def test_c3_contents_swapped_between_files_of_equal_size_and_time(tmp_path):
    a, b = tmp_path / "a.py", tmp_path / "b.py"
    a.write_text(ARTICLE)
    b.write_text(ARTICLE.replace("x = self.batchnorm(x)  # LL001", "x = self.maxpool(x)    # LL001"))
    for path in (a, b):
        os.utime(path, ns=(1_700_000_000_000_000_000, 1_700_000_000_000_000_000))
    cache_folder = tmp_path / "cache"
    first = api.check_paths([str(a), str(b)], cache=Cache(cache_folder, ""))
    assert [r.path for r in first if r.diagnostics] == [str(a)]
    swap = tmp_path / "t.py"
    a.rename(swap), b.rename(a), swap.rename(b)
    second = api.check_paths([str(a), str(b)], cache=Cache(cache_folder, ""))
    assert [r.path for r in second if r.diagnostics] == [str(b)]


def test_h9_a_crafted_cache_entry_is_dropped_not_rendered(capsys, tmp_path, monkeypatch):
    (tmp_path / "m.py").write_text(ARTICLE)
    monkeypatch.chdir(tmp_path)
    assert check(capsys, "m.py")[0] == 1
    [index] = (tmp_path / ".layerlint_cache").glob("index-*.json")
    entries = json.loads(index.read_text())
    for entry in entries.values():
        entry[2][0]["message"]["t"] = "{nope}{x:>300000000}"
    index.write_text(json.dumps(entries))
    code, out, err = check(capsys, "m.py")
    assert code == 1 and "LL001" in out and len(out) < 10_000 and "Traceback" not in err


# --- E and H: configuration, discovery, exit codes -------------------------------------------------

@pytest.mark.parametrize("argv", [["--select", "XYZ"], ["--ignore", "LL0O1"], ["--select", ""], ["--select", ","]])
def test_e2_unknown_codes_on_the_command_line_are_errors(capsys, tmp_path, argv):
    (tmp_path / "m.py").write_text(ARTICLE)
    with pytest.raises(SystemExit) as raised:  # argparse: exit 2 for an empty list
        code = main(["check", "--no-cache", *argv, str(tmp_path)])
        raise SystemExit(code)
    assert raised.value.code == 2
    assert "rule code" in capsys.readouterr().err


@pytest.mark.parametrize("config, message", [
    ('select = ["XYZ999"]', "unknown rule code"),
    ('ignore = ["LL0O1"]', "unknown rule code"),
    ('exclude = "m.py"', "expected a list of strings"),  # E14: not split into characters
    ('allow-shared = "self.encoder"', "expected a list of strings"),
    ("exclude = 5", "expected a list of strings"),  # H4
    ("extend-exclude = [5]", "expected a list of strings"),
    ("allow-shared = 5", "expected a list of strings"),
    ("lang = 5", "is not a language"),
    ('lang = "/abs/dir"', "is not a language"),  # H8
    ('lang = "../../x"', "is not a language"),
    ('severity = { LL001 = "fatal" }', "expected"),
    ('per-file-ignores = { "*" = "LL001" }', "expected a list of strings"),
])
def test_h4_e14_h8_every_configuration_value_is_checked_by_type(capsys, tmp_path, config, message):
    (tmp_path / "layerlint.toml").write_text(config + "\n")
    (tmp_path / "m.py").write_text(ARTICLE)
    code, out, err = check(capsys, "--no-cache", str(tmp_path))
    assert code == 2 and message in err and "configuration error" in err and "Traceback" not in err


@pytest.mark.parametrize("pyproject", ['tool = "x"\n', "[tool]\nlayerlint = 5\n", "[tool]\nlayerlint = [1, 2]\n"])
def test_h4_a_malformed_tool_table_is_a_configuration_error(capsys, tmp_path, pyproject):
    (tmp_path / "pyproject.toml").write_text(pyproject)
    (tmp_path / "m.py").write_text(ARTICLE)
    code, _, err = check(capsys, "--no-cache", str(tmp_path))
    assert code == 2 and "configuration error" in err


def test_h4_a_binary_pyproject_is_a_configuration_error(capsys, tmp_path):
    (tmp_path / "pyproject.toml").write_bytes(b"\xff\xfe[tool]\n")
    (tmp_path / "m.py").write_text(ARTICLE)
    code, _, err = check(capsys, "--no-cache", str(tmp_path))
    assert code == 2 and "pyproject.toml" in err


def test_e17_an_empty_select_with_extend_select_runs_only_the_extension(tmp_path):
    (tmp_path / "layerlint.toml").write_text('select = []\nextend-select = ["LL003"]\n')
    assert [rule.code for rule in resolve(str(tmp_path / "m.py")).selection.rules()] == ["LL003"]


def test_h8_a_language_that_is_a_path_loads_no_catalog():
    from layerlint.i18n import language_candidates

    assert language_candidates("/abs/dir") == () and language_candidates("../../x") == ()
    with pytest.raises(ConfigError):
        Overrides(lang="../zh")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_h3_e15_fifos_neither_hang_nor_pass_silently(capsys, tmp_path):
    folder = tmp_path / "d"
    folder.mkdir()
    os.mkfifo(folder / "f.py")
    (folder / "m.py").write_text(ARTICLE)
    assert codes([str(folder)]) == ["LL001"]  # H3: a FIFO in a walked folder is skipped
    code, out, _ = check(capsys, "--no-cache", str(folder / "f.py"))
    assert code == 2 and "not a regular file" in out  # E15: named, it is reported


def test_h6_a_symlink_loop_named_on_the_command_line(capsys, tmp_path):
    loop = tmp_path / "loop.py"
    loop.symlink_to(loop)
    code, out, err = check(capsys, "--no-cache", str(loop))
    assert code == 2 and "symbolic link loop" in out and "Traceback" not in err
    code, out, err = check(capsys, "--no-cache", "--fix", str(loop))
    assert code == 2 and "Traceback" not in err


def test_e3_x11_an_unreadable_folder_is_reported(tmp_path, monkeypatch):
    (tmp_path / "ok.py").write_text(ARTICLE)
    (tmp_path / "locked").mkdir()
    real_scandir = os.scandir

    def scandir(path):  # root reads mode-000 folders, so the refusal is simulated
        if str(path).endswith("locked"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    found = [(Path(r.path).name, d.code, str(d.message)) for r in api.check_paths([str(tmp_path)]) for d in r.diagnostics]
    assert ("locked", "LL902", "cannot read the file: cannot read the folder: Permission denied") in found


def test_x2_a_file_named_twice_is_reported_once(tmp_path, monkeypatch):
    (tmp_path / "m.py").write_text(ARTICLE)
    monkeypatch.chdir(tmp_path)
    assert codes(["m.py", "./m.py", "."]) == ["LL001"]


def test_h12_workers_are_capped():
    assert api.worker_count(100, 40) == min(os.cpu_count() or 1, 40 // api.PARALLEL_THRESHOLD)
    assert api.worker_count(10**20, 10**6) == (os.cpu_count() or 1)


def test_h12_jobs_below_one_are_refused(capsys):
    with pytest.raises(SystemExit) as raised:
        main(["check", "--jobs", "0", "."])
    assert raised.value.code == 2


def test_e16_a_file_named_alone_resolves_its_package(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "base.py").write_text(BASE)
    (package / "child.py").write_text(CHILD.replace("from base import", "from pkg.base import"))
    assert codes([str(package / "child.py")]) == codes([str(tmp_path)]) == ["LL001"]


def test_x10_explain_into_a_closed_pipe_has_no_traceback():
    result = subprocess.run(f"{sys.executable} -m layerlint explain LL001 | head -1", shell=True,
                            capture_output=True, text=True, timeout=60, check=False)
    assert "Traceback" not in result.stderr and "BrokenPipeError" not in result.stderr


def test_the_cache_key_follows_layerlints_own_code(tmp_path, monkeypatch):
    """A development checkout keeps its version while the rules change: old results must not be served."""
    import layerlint.static.cache as cache_module

    before = Cache(tmp_path, "").index_path
    monkeypatch.setattr(cache_module, "code_fingerprint", lambda: "rules changed")
    assert Cache(tmp_path, "").index_path != before


@pytest.mark.parametrize("form", ["text", "json", "sarif", "github", "junit"])
def test_h7_a_file_name_that_is_not_utf8_is_reported_in_every_format(tmp_path, form):
    folder = os.fsencode(tmp_path)
    with open(os.path.join(folder, b"bad\xff\xfe.py"), "w") as handle:
        handle.write(ARTICLE)
    result = subprocess.run([sys.executable, "-m", "layerlint", "check", "--no-cache", "--format", form, "."],
                            cwd=tmp_path, capture_output=True, timeout=120, check=False,
                            env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    assert result.returncode == 1 and b"Traceback" not in result.stderr
    text = result.stdout.decode("utf-8")  # valid UTF-8
    assert "LL001" in text and "bad" in text
    if form in ("json", "sarif"):
        json.loads(text)


def test_x1_control_characters_in_a_file_name_are_shown_escaped(tmp_path):
    (tmp_path / "a\x1b[2Jb.py").write_text(ARTICLE)
    result = subprocess.run([sys.executable, "-m", "layerlint", "check", "--no-cache", "."], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 1 and "\x1b" not in result.stdout and "a\\x1b[2Jb.py:19:13: LL001" in result.stdout
