"""`layerlint init` as a library (issue 18, point 3): commented settings appended to a pyproject.toml
byte for byte, or a new layerlint.toml; never overwrites a configuration; atomic; valid TOML that the
configuration loader accepts, also with every setting uncommented."""

from __future__ import annotations

import os
import re
import tomllib

import pytest

from layerlint import config
from layerlint.init_config import SETTINGS, InitError, done_message, init

PYPROJECT = """\
[project]
name = "zoo"   # a comment that must stay
version = "1.0"

[tool.ruff]
line-length = 100
"""


def test_appends_to_a_pyproject_without_touching_its_bytes(tmp_path):
    target = tmp_path / "pyproject.toml"
    target.write_bytes(PYPROJECT.encode())
    path, added = init(str(tmp_path))
    assert path == str(target)
    data = target.read_bytes()
    assert data.startswith(PYPROJECT.encode()) and data == PYPROJECT.encode() + added.encode()
    assert added.startswith("\n[tool.layerlint]\n")
    document = tomllib.loads(data.decode())
    assert document["tool"]["layerlint"] == {} and document["tool"]["ruff"] == {"line-length": 100}
    assert config.settings_for(str(tmp_path / "model.py")).source == str(target)


def test_keeps_crlf_line_endings_and_a_missing_final_newline(tmp_path):
    original = PYPROJECT.replace("\n", "\r\n").rstrip("\r\n").encode()
    (tmp_path / "pyproject.toml").write_bytes(original)
    _, added = init(str(tmp_path))
    data = (tmp_path / "pyproject.toml").read_bytes()
    assert data.startswith(original) and data[len(original):].startswith(b"\r\n\r\n[tool.layerlint]\r\n")
    assert re.search(rb"[^\r]\n", data) is None  # no bare LF introduced
    assert "layerlint" in tomllib.loads(data.decode())["tool"]


def test_creates_layerlint_toml_when_there_is_no_pyproject(tmp_path):
    path, text = init(str(tmp_path))
    assert path == str(tmp_path / "layerlint.toml") and text == SETTINGS
    assert tomllib.loads((tmp_path / "layerlint.toml").read_text()) == {}
    assert not (tmp_path / "pyproject.toml").exists()
    assert config.settings_for(str(tmp_path / "model.py")).source == path
    assert path in done_message(path).render()


def test_every_commented_setting_is_valid_when_uncommented(tmp_path):
    """The template documents real keys with valid values: uncommenting all of them must load."""
    settings = "\n".join(line[2:] for line in SETTINGS.splitlines() if re.match(r"# [a-z-]+ = ", line))
    assert len(settings.splitlines()) == 8
    parsed = config.parse(tomllib.loads(settings), str(tmp_path / "layerlint.toml"))
    assert parsed.extend_select == ("LL003",) and parsed.lang == "zh"


@pytest.mark.parametrize("name, content, message", [
    ("pyproject.toml", PYPROJECT + "\n[tool.layerlint]\nignore = []\n", "already has a [tool.layerlint] table"),
    ("pyproject.toml", "[tool.layerlint.severity]\nLL002 = 'error'\n", "already has a [tool.layerlint] table"),
    ("layerlint.toml", "", "already configures layerlint"),
    ("pyproject.toml", "[project\nname = 1\n", "is not valid TOML"),
])
def test_refuses_and_changes_nothing(tmp_path, name, content, message):
    target = tmp_path / name
    target.write_text(content)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    with pytest.raises(InitError, match=re.escape(message)):
        init(str(tmp_path))
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_refuses_a_linked_pyproject(tmp_path):
    real = tmp_path / "real.toml"
    real.write_text(PYPROJECT)
    os.symlink(real, tmp_path / "pyproject.toml")
    with pytest.raises(InitError, match="symbolic link"):
        init(str(tmp_path))
    assert real.read_text() == PYPROJECT and (tmp_path / "pyproject.toml").is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pyproject.toml", "real.toml"]  # no temporary left


# --- through the real command line (docs/cli.md is the spec; expected to fail until it is wired) ---


def test_cli_init_writes_once_then_refuses(tmp_path):
    import subprocess
    import sys

    (tmp_path / "pyproject.toml").write_text(PYPROJECT)

    def run():
        return subprocess.run([sys.executable, "-m", "layerlint", "init"], cwd=tmp_path, capture_output=True,
                              text=True, timeout=60, env=dict(os.environ, LAYERLINT_LANG="en"))

    first = run()
    assert first.returncode == 0 and "pyproject.toml" in first.stdout, first.stdout + first.stderr
    written = (tmp_path / "pyproject.toml").read_bytes()
    second = run()
    assert second.returncode == 2 and "already has a [tool.layerlint] table" in second.stderr
    assert "Traceback" not in second.stderr and (tmp_path / "pyproject.toml").read_bytes() == written
