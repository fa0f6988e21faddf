"""The `layerlint` command end to end: output, exit codes, selection, noqa, bad input, and the
promise that checked code is never imported or executed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from layerlint.cli import main

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "examples" / "keras" / "article_buggy.py"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    if argv and argv[0] == "check":  # the cache has tests of its own; here every run checks afresh
        argv = ("check", "--no-cache", *argv[1:])
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_article_model_reports_the_crash_with_both_call_sites(capsys):
    code, out, _ = run(capsys, "check", str(ARTICLE))
    assert code == 1
    first = out.splitlines()[0]
    assert first.startswith(f"{ARTICLE}:19:13: LL001 [error] `self.batchnorm` (BatchNormalization)")
    assert "built for 6 features by its call at line 16 but gets 16" in first
    assert "expected axis -1 of input shape to have value 6" in first
    assert f"{ARTICLE}:16:13: first call: builds `self.batchnorm` for 6 features" in out
    assert f"{ARTICLE}:10:26: `self.batchnorm` is created here" in out
    assert "help: give each call site its own BatchNormalization instance" in out


def test_clean_file_exits_zero(capsys):
    code, out, _ = run(capsys, "check", str(ROOT / "examples" / "keras" / "article_fixed.py"))
    assert (code, out.strip()) == (0, "All checks passed.")


def test_json_format_has_locations_related_and_help(capsys):
    code, out, _ = run(capsys, "check", "--format", "json", str(ARTICLE))
    [finding] = json.loads(out)
    assert code == 1
    assert finding["code"] == "LL001" and finding["severity"] == "error"
    assert finding["location"]["line"] == 19 and finding["location"]["column"] == 13
    assert [r["location"]["line"] for r in finding["related"]] == [16, 10]
    assert finding["help"].startswith("give each call site")


def test_select_ignore_and_info_rule_off_by_default(capsys, tmp_path):
    source = (ROOT / "src/layerlint/static/rules/ll003_shared_weights.py")
    from layerlint.static.rules.ll003_shared_weights import INVALID

    model = tmp_path / "siamese.py"
    model.write_text(INVALID[0])
    assert run(capsys, "check", str(model))[0] == 0
    code, out, _ = run(capsys, "check", "--extend-select", "LL003", str(model))
    assert code == 1 and "LL003 [info]" in out
    assert run(capsys, "check", "--select", "LL0", "--ignore", "LL003", str(model))[0] == 0
    assert source.exists()


def test_noqa_silences_one_code_on_its_line(capsys, tmp_path):
    text = ARTICLE.read_text().replace("# LL001: built for 6 channels, gets 16", "# noqa: LL001")
    (tmp_path / "silenced.py").write_text(text)
    assert run(capsys, "check", str(tmp_path / "silenced.py"))[0] == 0
    (tmp_path / "other.py").write_text(text.replace("noqa: LL001", "noqa: LL002"))
    assert run(capsys, "check", str(tmp_path / "other.py"))[0] == 1


def test_bad_input_gets_one_diagnostic_each_and_the_run_goes_on(capsys, tmp_path):
    model = "from keras.layers import Dense\nhead = Dense(8)\n"  # bad files that could hold a finding: parsed
    (tmp_path / "a_syntax.py").write_text("def forward(:\n")
    (tmp_path / "b_binary.py").write_bytes(b"\x00\x01\x02")
    (tmp_path / "c_latin1.py").write_bytes(model.encode() + b"x = '\xe9'\n")
    (tmp_path / "d_cookie.py").write_bytes(b"# -*- coding: latin-1 -*-\n" + model.encode() + b"x = '\xe9'\n")
    (tmp_path / "e_bom.py").write_bytes(b"\xef\xbb\xbf" + model.encode() + b"x = 1\r\n")
    (tmp_path / "f_deep.py").write_text("x = " + "(" * 5000 + ")" * 5000 + "\n" + model)
    (tmp_path / "g_chain.py").write_text(model + "x = 1" + " + 1" * 100000 + "\n")
    (tmp_path / "z_model.py").write_text(ARTICLE.read_text())
    code, out, err = run(capsys, "check", str(tmp_path), str(tmp_path / "missing.py"))
    assert code == 2
    assert "Traceback" not in out + err
    assert f"{tmp_path / 'a_syntax.py'}:1:13: LL901" in out
    assert f"{tmp_path / 'b_binary.py'}:1:1: LL902 [error] cannot read the file: binary file" in out
    assert f"{tmp_path / 'c_latin1.py'}:1:1: LL902 [error] cannot read the file: not valid utf-8" in out
    assert "d_cookie.py" not in out and "e_bom.py" not in out
    assert "f_deep.py:1:205: LL901 [error] syntax error: too many nested parentheses (parsed as Python 3.11)" in out
    assert "g_chain.py:1:1: LL902 [error] cannot read the file: nested too deeply" in out
    assert "missing.py:1:1: LL902 [error] cannot read the file: no such file or directory" in out
    assert "z_model.py:19:13: LL001" in out


def test_skips_virtualenv_build_and_vcs_folders(capsys, tmp_path):
    for folder in (".venv", "build", ".git", "node_modules", "pkg.egg-info"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "model.py").write_text(ARTICLE.read_text())
    assert run(capsys, "check", str(tmp_path))[0] == 0


def test_checked_code_is_never_imported_or_executed(tmp_path):
    marker = tmp_path / "MARKER"
    canary = tmp_path / "canary.py"
    canary.write_text(
        f"open({str(marker)!r}, 'w').write('executed')\n"
        "import keras\n"
        "class M(keras.Model):\n"
        f"    open({str(marker)!r}, 'w').write('executed')\n"
        "    def call(self, x):\n"
        f"        open({str(marker)!r}, 'w').write('executed')\n"
        "        return x\n"
        "__import__('os').system('touch " + str(marker) + "')\n")
    result = subprocess.run([sys.executable, "-m", "layerlint", "check", str(tmp_path)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not marker.exists()
    assert "keras" not in sys.modules or True  # the subprocess is what matters: see below
    probe = subprocess.run(
        [sys.executable, "-c", "import sys, layerlint; layerlint.check_paths([sys.argv[1]]); "
         "print(sorted(m for m in sys.modules if m.split('.')[0] in ('keras', 'tensorflow', 'torch')))",
         str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert probe.stdout.strip() == "[]", "checking must not import any deep-learning framework"


def test_rules_and_explain(capsys):
    code, out, _ = run(capsys, "rules")
    assert code == 0 and "LL001  reuse-shape-mismatch" in out and "(off by default)" in out
    code, out, _ = run(capsys, "explain", "LL002")
    assert code == 0 and "## Why is this bad?" in out
    code, out, _ = run(capsys, "explain", "reuse-shape-mismatch")
    assert code == 0 and out.startswith("LL001")
    code, out, _ = run(capsys, "explain", "torch.nn.BatchNorm2d")
    assert code == 0 and "running-statistics" in out and "track_running_stats=False" in out
    code, _, err = run(capsys, "explain", "NoSuchThing")
    assert code == 2 and "neither a rule nor a layer class" in err


def test_usage_errors_exit_two(capsys):
    with pytest.raises(SystemExit) as raised:
        main(["check", "--format", "nope"])
    assert raised.value.code == 2


def test_console_script_and_module_entry_point(tmp_path):
    result = subprocess.run([sys.executable, "-m", "layerlint", "check", str(ARTICLE)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and "LL001" in result.stdout
    assert os.path.exists(ARTICLE)


def test_a_file_that_cannot_hold_a_finding_is_not_even_parsed(capsys, tmp_path):
    (tmp_path / "notes.py").write_text("def broken(:\n")  # no layer class, no forward method
    assert run(capsys, "check", str(tmp_path))[0] == 0


def test_cache_returns_the_same_findings_and_notices_changes(capsys, tmp_path):
    model = tmp_path / "model.py"
    model.write_text(ARTICLE.read_text())
    cache = tmp_path / "cache"
    argv = ["check", "--cache-dir", str(cache), str(model)]
    first = main(argv), capsys.readouterr().out
    assert first[0] == 1 and list(cache.glob("index-*.json"))
    assert (main(argv), capsys.readouterr().out) == first  # served from the cache
    fixed = (ROOT / "examples" / "keras" / "article_fixed.py").read_text()
    model.write_text(fixed + "\n# changed\n")
    assert main(argv) == 0 and "All checks passed." in capsys.readouterr().out
    assert (cache / ".gitignore").read_text().strip().endswith("*")


def test_cache_notices_a_changed_parent_class_in_another_file(capsys, tmp_path):
    (tmp_path / "base.py").write_text(
        "import keras\nfrom keras import layers\n\nclass Base(keras.Model):\n"
        "    def __init__(self):\n        super().__init__()\n        self.conv_a = layers.Conv2D(6, 3)\n"
        "        self.conv_b = layers.Conv2D(6, 3)\n        self.norm = layers.BatchNormalization()\n")
    (tmp_path / "child.py").write_text(
        "from base import Base\n\nclass Child(Base):\n    def call(self, x):\n"
        "        return self.norm(self.conv_b(self.norm(self.conv_a(x))))\n")
    argv = ["check", "--cache-dir", str(tmp_path / "cache"), str(tmp_path / "child.py")]
    assert main(argv) == 1 and "LL002" in capsys.readouterr().out
    text = (tmp_path / "base.py").read_text().replace("Conv2D(6, 3)\n        self.norm", "Conv2D(16, 3)\n        self.norm")
    (tmp_path / "base.py").write_text(text)
    assert main(argv) == 1 and "LL001" in capsys.readouterr().out


def test_parallel_jobs_give_the_same_output_in_the_same_order(capsys, tmp_path):
    for index in range(40):
        source = ARTICLE if index % 2 else ROOT / "examples" / "keras" / "functional_shared.py"
        (tmp_path / f"m{index:02}.py").write_text(source.read_text())
    serial = run(capsys, "check", "--jobs", "1", str(tmp_path))
    parallel = run(capsys, "check", "--jobs", "2", str(tmp_path))
    assert serial == parallel and serial[1].count("LL001") == 20


def test_cached_findings_name_the_file_as_this_run_does(capsys, tmp_path, monkeypatch):
    (tmp_path / "model.py").write_text(ARTICLE.read_text())
    cache = str(tmp_path / "cache")
    main(["check", "--cache-dir", cache, str(tmp_path / "model.py")])
    assert str(tmp_path) in capsys.readouterr().out
    monkeypatch.chdir(tmp_path)
    main(["check", "--cache-dir", cache, "model.py"])
    out = capsys.readouterr().out
    assert out.startswith("model.py:19:13: LL001") and str(tmp_path) not in out
