"""The everyday options a ruff user expects, each through the real command (a subprocess): standard
input, --exit-zero, --output-file, --quiet, --color, --watch, --statistics with --format json."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = (ROOT / "examples" / "keras" / "article_buggy.py").read_text(encoding="utf-8")
LAYERLINT = [sys.executable, "-m", "layerlint"]


def run(*argv: str, cwd: Path, stdin: str | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    environment = {**os.environ, **(env or {})}
    for variable in ("NO_COLOR", "FORCE_COLOR"):
        if env is None or variable not in env:
            environment.pop(variable, None)
    return subprocess.run([*LAYERLINT, "check", "--no-cache", *argv], cwd=cwd, input=stdin, capture_output=True,
                          text=True, timeout=120, check=False, env=environment)


def test_standard_input_with_a_stdin_filename_uses_that_files_settings(tmp_path):
    (tmp_path / "legacy").mkdir()
    (tmp_path / "pyproject.toml").write_text('[tool.layerlint]\nper-file-ignores = { "legacy/*" = ["LL001"] }\n')
    result = run("-", "--stdin-filename", "src/model.py", cwd=tmp_path, stdin=ARTICLE)
    assert result.returncode == 1 and "src/model.py:19:13: LL001" in result.stdout
    result = run("-", "--stdin-filename", "legacy/old.py", cwd=tmp_path, stdin=ARTICLE)
    assert result.returncode == 0 and "All checks passed." in result.stdout
    result = run("-", cwd=tmp_path, stdin=ARTICLE)
    assert result.returncode == 1 and "-:19:13: LL001" in result.stdout


def test_standard_input_with_fix_prints_the_fixed_text(tmp_path):
    result = run("--fix", "-", "--stdin-filename", "model.py", cwd=tmp_path, stdin=ARTICLE)
    assert result.returncode == 0, result.stderr
    assert "self.batchnorm_2 = BatchNormalization()" in result.stdout and result.stdout != ARTICLE
    assert not (tmp_path / "model.py").exists()
    clean = run("--fix", "-", cwd=tmp_path, stdin="x = 1\n")
    assert clean.returncode == 0 and clean.stdout == "x = 1\n"


def test_exit_zero_keeps_findings_but_not_failures(tmp_path):
    (tmp_path / "m.py").write_text(ARTICLE)
    result = run("--exit-zero", "m.py", cwd=tmp_path)
    assert result.returncode == 0 and "LL001" in result.stdout
    (tmp_path / "broken.py").write_text("from keras import layers\nlayers.Dense(2)\ndef (:\n")
    assert run("--exit-zero", "broken.py", cwd=tmp_path).returncode == 2


def test_output_file_gets_the_report(tmp_path):
    (tmp_path / "m.py").write_text(ARTICLE)
    result = run("--format", "json", "--output-file", "report.json", "m.py", cwd=tmp_path)
    assert result.returncode == 1 and result.stdout == ""
    assert [f["code"] for f in json.loads((tmp_path / "report.json").read_text())] == ["LL001"]
    (tmp_path / "elsewhere").write_text("keep me")
    (tmp_path / "link.txt").symlink_to(tmp_path / "elsewhere")
    result = run("--output-file", "link.txt", "m.py", cwd=tmp_path)
    assert result.returncode == 2 and "cannot write link.txt" in result.stderr
    assert (tmp_path / "elsewhere").read_text() == "keep me"


def test_quiet_prints_only_the_findings(tmp_path):
    (tmp_path / "m.py").write_text(ARTICLE)
    (tmp_path / "ok.py").write_text("x = 1\n")
    result = run("-q", "m.py", cwd=tmp_path)
    assert result.returncode == 1 and "LL001" in result.stdout and "Found" not in result.stdout
    result = run("--quiet", "ok.py", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout == ""


def test_color_follows_the_option_and_the_environment(tmp_path):
    (tmp_path / "m.py").write_text(ARTICLE)
    assert "\x1b[" not in run("m.py", cwd=tmp_path).stdout  # a pipe: no colour
    assert "\x1b[1;31mLL001\x1b[0m" in run("--color", "always", "m.py", cwd=tmp_path).stdout
    assert "\x1b[" in run("m.py", cwd=tmp_path, env={"FORCE_COLOR": "1"}).stdout
    assert "\x1b[" not in run("m.py", cwd=tmp_path, env={"FORCE_COLOR": "1", "NO_COLOR": "1"}).stdout
    assert "\x1b[" not in run("--color", "never", "m.py", cwd=tmp_path, env={"FORCE_COLOR": "1"}).stdout


def test_statistics_honour_the_json_format(tmp_path):
    """Robustness review X3."""
    (tmp_path / "m.py").write_text(ARTICLE)
    result = run("--statistics", "--format", "json", "m.py", cwd=tmp_path)
    assert json.loads(result.stdout) == [{"code": "LL001", "name": "reuse-shape-mismatch", "severity": "error",
                                          "count": 1, "fixable": True}]


def test_watch_checks_again_when_a_file_changes(tmp_path):
    model = tmp_path / "m.py"
    model.write_text(ARTICLE)
    process = subprocess.Popen([*LAYERLINT, "check", "--watch", "--no-progress", "m.py"], cwd=tmp_path,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert "LL001" in _read_until(process, "Found 1 finding(s)")
        time.sleep(0.1)  # a new modification time, whatever the file system's resolution
        model.write_text(ARTICLE.replace("x = self.batchnorm(x)  # LL001", "x = self.maxpool(x)    # LL001"))
        _read_until(process, "All checks passed.")
    finally:
        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=30)
    assert code == 0


def _read_until(process: subprocess.Popen, wanted: str, timeout: float = 60) -> str:
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        seen.append(line)
        if wanted in line:
            return "".join(seen)
    raise AssertionError(f"{wanted!r} never came; got {''.join(seen)!r}")
