"""The baseline library (issue 18, point 2): accepted findings matched by a fingerprint that survives
line moves, counted per fingerprint, with stale entries listed and clear errors for a bad file."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from layerlint import baseline
from layerlint.report import sarif
from layerlint.report.fingerprint import finding_hash
from layerlint import api

MODEL = '''\
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv_1 = nn.Conv2d(1, 6, 3)
        self.conv_2 = nn.Conv2d(6, 16, 3)
        self.bn = nn.BatchNorm2d(6)

    def forward(self, x):
        x = self.bn(self.conv_1(x))
        return self.bn(self.conv_2(x))
'''


def findings(*paths: Path):
    return [d for r in api.check_paths([str(p) for p in paths]) for d in r.diagnostics]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "net.py").write_text(MODEL, encoding="utf-8")
    return tmp_path


def test_write_then_load_accepts_every_finding(project):
    found = findings(project / "models")
    assert [d.code for d in found] == ["LL001"]
    written = baseline.write(str(project / "layerlint-baseline.json"), found)
    document = json.loads((project / "layerlint-baseline.json").read_text(encoding="utf-8"))
    assert document["version"] == baseline.VERSION
    (entry,) = document["findings"]
    assert entry["path"] == "models/net.py" and entry["code"] == "LL001" and entry["count"] == 1
    assert entry["source"] == "return self.bn(self.conv_2(x))"
    loaded = baseline.load(str(project / "layerlint-baseline.json"))
    assert loaded.entries == written.entries
    new, accepted, stale = baseline.partition(found, loaded)
    assert (new, accepted, stale) == ([], found, [])


def test_the_file_is_the_same_whatever_the_order_and_the_working_folder(project, monkeypatch):
    (project / "models" / "other.py").write_text(MODEL.replace("Net", "Other"), encoding="utf-8")
    target = project / "baseline.json"
    baseline.write(str(target), findings(project / "models"))
    first = target.read_bytes()
    monkeypatch.chdir(project / "models")
    baseline.write(str(target), list(reversed(findings(Path("net.py"), Path("other.py")))))
    assert target.read_bytes() == first
    paths = [e["path"] for e in json.loads(first)["findings"]]
    assert paths == sorted(paths) == ["models/net.py", "models/other.py"]


def test_lines_moving_elsewhere_keep_a_finding_accepted(project):
    path = project / "models" / "net.py"
    accepted = baseline.write(str(project / "baseline.json"), findings(path))
    moved = MODEL.replace("import torch.nn as nn\n", "import torch.nn as nn\nimport math\n\n\nSCALE = 2\n")
    moved = moved.replace("        x = self.bn", "        # normalise\n        x  =  self.bn")  # re-spaced too
    path.write_text(moved, encoding="utf-8")
    found = findings(path)
    assert found[0].span.line != 13  # the finding really moved
    assert baseline.partition(found, accepted) == ([], found, [])


def test_editing_an_offending_line_makes_a_new_finding_and_a_stale_entry(project):
    path = project / "models" / "net.py"
    accepted = baseline.write(str(project / "baseline.json"), findings(path))
    path.write_text(MODEL.replace("return self.bn(self.conv_2(x))", "y = self.bn(self.conv_2(x))\n        return y"),
                    encoding="utf-8")
    found = findings(path)
    new, kept, stale = baseline.partition(found, accepted)
    assert new == found and kept == []
    assert [(e.path, e.code, e.count) for e in stale] == [("models/net.py", "LL001", 1)]
    assert "no longer found" in baseline.describe_stale(stale[0]).render()


def test_identical_findings_are_counted_and_extra_ones_are_new(project):
    """Two identical classes give two findings with one fingerprint: the entry counts 2; a third
    identical class adds a finding that the baseline does not accept."""
    path = project / "models" / "twins.py"
    twin = MODEL.split("\n\n\n", 1)[1]
    path.write_text(MODEL + "\n\n" + twin.replace("Net", "Twin"), encoding="utf-8")
    found = findings(path)
    assert len(found) == 2
    written = baseline.write(str(project / "baseline.json"), found)
    assert [e.count for e in written.entries] == [2]
    path.write_text(MODEL + "\n\n" + twin.replace("Net", "Twin") + "\n\n" + twin.replace("Net", "Third"),
                    encoding="utf-8")
    found = findings(path)
    new, accepted, stale = baseline.partition(found, baseline.load(str(project / "baseline.json")))
    assert len(accepted) == 2 and stale == []
    assert new == [found[-1]]  # the first two in file order are the accepted ones
    path.write_text(MODEL, encoding="utf-8")
    new, accepted, stale = baseline.partition(findings(path), written)
    assert new == [] and len(accepted) == 1 and [e.count for e in stale] == [1]
    assert "1 baseline entry(ies) no longer match" in baseline.summary(len(accepted), stale).render()


def test_paths_are_relative_to_the_baseline_folder(project, monkeypatch):
    """The check may run from another folder than the one that wrote the baseline."""
    target = project / "ci" / "baseline.json"
    target.parent.mkdir()
    written = baseline.write(str(target), findings(project / "models"))
    assert [e.path for e in written.entries] == ["../models/net.py"]
    monkeypatch.chdir(project / "models")
    found = findings(Path("net.py"))
    assert baseline.partition(found, baseline.load(str(target)))[1] == found


def test_could_not_check_findings_are_never_baselined(project):
    broken = project / "models" / "broken.py"
    broken.write_text("import torch.nn as nn\nbn = nn.BatchNorm2d(6\n", encoding="utf-8")
    found = findings(project / "models")
    assert sorted(d.code for d in found) == ["LL001", "LL901"]
    written = baseline.write(str(project / "baseline.json"), found)
    assert [e.code for e in written.entries] == ["LL001"]
    new, _, _ = baseline.partition(found, written)
    assert [d.code for d in new] == ["LL901"]


def test_the_fingerprint_is_the_one_sarif_reports(project, monkeypatch):
    monkeypatch.chdir(project)
    found = findings(Path("models"))
    log = sarif.build(found, cwd=str(project), sources=baseline.SourceLines().text)
    reported = log["runs"][0]["results"][0]["partialFingerprints"][sarif.FINGERPRINT_KEY]
    written = baseline.write(str(project / "baseline.json"), found)
    assert reported == f"{written.entries[0].fingerprint}:1"
    assert written.entries[0].fingerprint == finding_hash(found[0], "models/net.py", baseline.SourceLines())


@pytest.mark.parametrize("content, message", [
    (None, "cannot read the baseline file"),
    ('{"version": 1, "findings": [}', "baseline.json:1:29: the baseline file is not valid JSON"),
    ("[]", "not a layerlint baseline file"),
    ('{"version": 99, "findings": []}', "baseline format version 99 is not supported"),
    ('{"version": 1, "findings": [{"path": "a.py", "code": "LL001", "fingerprint": "f", "count": 0}]}',
     'finding 1 of the baseline has no valid "count"'),
    ('{"version": 1, "findings": [{"path": "a.py", "code": "LL001"}]}',
     'finding 1 of the baseline has no valid "fingerprint"'),
])
def test_a_bad_baseline_file_says_what_is_wrong(tmp_path, content, message):
    target = tmp_path / "baseline.json"
    if content is not None:
        target.write_text(content, encoding="utf-8")
    with pytest.raises(baseline.BaselineError) as raised:
        baseline.load(str(target))
    assert str(target) in str(raised.value) and message in str(raised.value)


def test_writing_is_atomic_and_refuses_a_link(project):
    target = project / "baseline.json"
    elsewhere = project / "elsewhere.json"
    elsewhere.write_text("keep me\n", encoding="utf-8")
    os.symlink(elsewhere, target)
    with pytest.raises(baseline.BaselineError, match="symbolic link"):
        baseline.write(str(target), findings(project / "models"))
    assert elsewhere.read_text(encoding="utf-8") == "keep me\n" and target.is_symlink()
    assert [p.name for p in project.iterdir() if p.name.endswith(".layerlint")] == []  # no temporary left


def test_text_from_standard_input_is_fingerprinted_as_checked(project):
    """With `--stdin-filename`, the lines come from the text that was checked, not from the disk."""
    from layerlint.static.checker import check_source

    path = project / "models" / "net.py"
    written = baseline.write(str(project / "baseline.json"), findings(path))
    edited = MODEL.replace("return self.bn(self.conv_2(x))", "return self.bn(self.conv_2(x)) * 2")
    found = check_source(edited, str(path), fixes=False)
    from_disk = baseline.partition(found, written)
    from_stdin = baseline.partition(found, written, baseline.SourceLines({str(path): edited}))
    assert from_disk[0] == [] and from_stdin[0] == found  # the disk still has the accepted line


# --- through the real command line (docs/cli.md is the spec; expected to fail until it is wired) ---


def _layerlint(*args: str, cwd: Path):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "layerlint", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120, env=dict(os.environ, LAYERLINT_LANG="en", NO_COLOR="1"))


def test_cli_baseline_adoption_path(project):
    """docs/cli.md, "Adopting layerlint on existing code": write, then only new findings count."""
    common = ("check", "--no-cache", "--no-progress", "--baseline", "baseline.json")
    wrote = _layerlint(*common, "--write-baseline", "models", cwd=project)
    assert wrote.returncode == 0, wrote.stdout + wrote.stderr
    assert [e["code"] for e in json.loads((project / "baseline.json").read_text())["findings"]] == ["LL001"]
    clean = _layerlint(*common, "models", cwd=project)
    assert clean.returncode == 0 and "LL001" not in clean.stdout, clean.stdout + clean.stderr
    (project / "models" / "new.py").write_text(MODEL.replace("Net", "New"), encoding="utf-8")
    new = _layerlint(*common, "models", cwd=project)
    assert new.returncode == 1 and "models/new.py" in new.stdout and "models/net.py:13" not in new.stdout
    shown = _layerlint(*common, "--show-baseline", "models", cwd=project)
    assert shown.returncode == 1 and "models/net.py:13" in shown.stdout and "models/new.py" in shown.stdout
    (project / "models" / "net.py").write_text(MODEL.replace("nn.BatchNorm2d(6)", "nn.Identity()"), encoding="utf-8")
    stale = _layerlint(*common, "models", cwd=project)
    assert "no longer match" in stale.stdout + stale.stderr


def test_cli_bad_baseline_file_exits_two_with_its_name(project):
    (project / "baseline.json").write_text("{", encoding="utf-8")
    run = _layerlint("check", "--no-cache", "--no-progress", "--baseline", "baseline.json", "models", cwd=project)
    assert run.returncode == 2 and "baseline.json:1:2" in run.stderr and "Traceback" not in run.stderr
