"""Configuration from pyproject.toml / layerlint.toml, found by walking up from each file."""

from __future__ import annotations

from pathlib import Path

from layerlint.cli import main

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = (ROOT / "examples" / "keras" / "article_buggy.py").read_text()
SHARED_BN = (ROOT / "examples" / "keras" / "functional_shared.py").read_text()


def check(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["check", "--no-cache", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_pyproject_select_ignore_and_per_file_ignores(capsys, tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.layerlint]\nignore = ["LL002"]\n'
        'per-file-ignores = { "legacy/*" = ["LL001"] }\n')
    (tmp_path / "legacy").mkdir()
    (tmp_path / "legacy" / "old.py").write_text(ARTICLE)
    (tmp_path / "shared.py").write_text(SHARED_BN)
    (tmp_path / "new.py").write_text(ARTICLE)
    code, out, _ = check(capsys, str(tmp_path))
    assert code == 1
    assert "new.py:19:13: LL001" in out and "old.py" not in out and "LL002" not in out


def test_nearest_configuration_wins_and_layerlint_toml_beats_pyproject(capsys, tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.layerlint]\nignore = ["LL001"]\n')
    inner = tmp_path / "inner"
    inner.mkdir()
    (inner / "pyproject.toml").write_text('[tool.layerlint]\nignore = ["LL001"]\n')
    (inner / "layerlint.toml").write_text('select = ["LL001"]\n')
    (tmp_path / "a.py").write_text(ARTICLE)
    (inner / "b.py").write_text(ARTICLE)
    code, out, _ = check(capsys, str(tmp_path))
    assert "a.py" not in out and "b.py:19:13: LL001" in out


def test_exclude_severity_and_allow_shared(capsys, tmp_path):
    (tmp_path / "layerlint.toml").write_text(
        'extend-exclude = ["generated/"]\nseverity = { LL002 = "error" }\nallow-shared = ["project"]\n'
        'extend-select = ["LL003"]\n')
    (tmp_path / "generated").mkdir()
    (tmp_path / "generated" / "model.py").write_text(ARTICLE)
    (tmp_path / "shared.py").write_text(SHARED_BN)
    code, out, _ = check(capsys, str(tmp_path))
    assert "generated" not in out
    assert "LL002 [error] `norm`" in out  # severity raised
    assert "LL003" not in out  # `project` is allowed to be shared


def test_show_settings_names_the_file_and_the_rules(capsys, tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.layerlint]\nextend-select = ["LL003"]\nlang = "en"\n')
    code, out, _ = check(capsys, "--show-settings", str(tmp_path))
    assert code == 0 and f"settings from {tmp_path / 'pyproject.toml'}" in out and "LL003" in out


def test_a_bad_configuration_is_a_clear_error_not_a_traceback(capsys, tmp_path):
    (tmp_path / "layerlint.toml").write_text("selec = ['LL001']\n")
    (tmp_path / "a.py").write_text(ARTICLE)
    code, out, err = check(capsys, str(tmp_path))
    assert code == 2 and "unknown key(s) selec" in err and "Traceback" not in err
    (tmp_path / "layerlint.toml").write_text("select = [\n")
    code, _, err = check(capsys, str(tmp_path))
    assert code == 2 and "layerlint.toml" in err


def test_statistics_counts_per_rule(capsys, tmp_path):
    (tmp_path / "a.py").write_text(ARTICLE)
    (tmp_path / "b.py").write_text(ARTICLE)
    code, out, _ = check(capsys, "--statistics", str(tmp_path))
    assert code == 1 and "2" in out and "LL001" in out and "reuse-shape-mismatch" in out
