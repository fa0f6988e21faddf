"""The machine-readable formats: SARIF (validated against the official 2.1.0 schema), GitHub Actions
workflow commands, JUnit XML, and the `--statistics` table."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import layerlint
from layerlint.cli import main
from layerlint.diagnostics import Applicability, Diagnostic, Edit, Fix, Related, Severity, Span, Text
from layerlint.baseline import SourceLines
from layerlint.report import FORMATS, github, junit, sarif
from layerlint.report.statistics import counts, statistics
from layerlint.static.problems import PROBLEMS
from layerlint.static.rules import ALL_RULES

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "examples" / "keras" / "article_buggy.py"
SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"

MODEL = '''\
from tensorflow.keras import Model
from tensorflow.keras.layers import BatchNormalization, Conv2D


class Net(Model):
    def __init__(self):
        super().__init__()
        self.conv_1 = Conv2D(6, 4)
        self.conv_2 = Conv2D(16, 4)
        self.bn = BatchNormalization()

    def call(self, x):
        x = self.bn(self.conv_1(x))
        x = self.bn(self.conv_2(x))  # crashes: 6 then 16 features
        return x
'''


def validate_sarif(log: dict) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(log), key=lambda error: list(error.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def synthetic(path: str, text: str) -> list[Diagnostic]:
    """Diagnostics exercising every corner: a fix with an insertion and a replacement on a line with
    non-ASCII text, a multi-line span, an info finding, an LL9xx problem and a notebook cell."""
    line_of = {number: line for number, line in enumerate(text.splitlines(), start=1)}
    assert "self.bn(self.conv_2(x))" in line_of[14]
    second_call = text.index("self.bn(self.conv_2")
    created = text.index("self.bn = BatchNormalization()") + len("self.bn = BatchNormalization()")
    fix = Fix(Text("split `self.bn`"), Applicability.SAFE, (
        Edit(created, created, "\n        self.bn_2 = BatchNormalization()"),
        Edit(second_call, second_call + len("self.bn"), "self.bn_2"),
    ))
    return [
        Diagnostic("LL001", "reuse-shape-mismatch", Severity.ERROR, Span(path, 14, 13, 14, 36),
                   Text("`self.bn` gets {n} features: 100% wrong, a:b,c", {"n": 16}),
                   help=Text("give each call site its own instance"),
                   related=(Related(Span(path, 13, 13, 13, 36), Text("first call")),
                            Related(Span(path, 10, 19, 10, 39), Text("created here"))),
                   fix=fix),
        Diagnostic("LL003", "shared-weights", Severity.INFO, Span(path, 12, 5, 15, 17), Text("multi-line span")),
        Diagnostic("LL002", "shared-normalization-state", Severity.WARNING, Span(path, 2, 1, cell=3),
                   Text("in a notebook cell")),
        Diagnostic("LL902", "unreadable-file", Severity.ERROR, Span("missing/file.py", 1, 1),
                   Text("cannot read the file: {reason}", {"reason": "file not found"})),
    ]


def apply_sarif_fix(text: str, fix: dict) -> str:
    """Applies a SARIF fix's replacements (line/column regions) to `text`, last first."""
    starts = [0] + [match.end() for match in re.finditer(r"\r\n|\r|\n", text)]
    edits = []
    for change in fix["artifactChanges"]:
        for replacement in change["replacements"]:
            region = replacement["deletedRegion"]
            start = starts[region["startLine"] - 1] + region["startColumn"] - 1
            end = starts[region["endLine"] - 1] + region["endColumn"] - 1
            edits.append((start, end, replacement["insertedContent"]["text"]))
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    return text


def apply_edits(text: str, fix: Fix) -> str:
    for edit in sorted(fix.edits, key=lambda e: e.start, reverse=True):
        text = text[:edit.start] + edit.replacement + text[edit.end:]
    return text


# --- SARIF -------------------------------------------------------------------------------------------

def test_sarif_of_the_article_model_is_valid_and_complete(monkeypatch):
    monkeypatch.chdir(ROOT)
    diagnostics = layerlint.check_paths(["examples/keras/article_buggy.py"])
    log = json.loads(sarif.render(diagnostics, None, sources=SourceLines().text))
    validate_sarif(log)
    assert log["version"] == "2.1.0"
    [run] = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "layerlint" and driver["version"] == layerlint.__version__
    assert driver["informationUri"].startswith("https://")
    [result] = run["results"]
    assert result["ruleId"] == "LL001" and result["level"] == "error"
    assert driver["rules"][result["ruleIndex"]]["id"] == "LL001"
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "examples/keras/article_buggy.py", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 19, "startColumn": 13, "endLine": 19, "endColumn": 30}
    assert [r["physicalLocation"]["region"]["startLine"] for r in result["relatedLocations"]] == [16, 10]
    assert [r["id"] for r in result["relatedLocations"]] == [1, 2]
    assert result["relatedLocations"][1]["message"]["text"] == "`self.batchnorm` is created here"
    assert "built for 6 features" in result["message"]["text"]
    assert set(result["partialFingerprints"]) == {"layerlint/v1"}
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == ROOT.as_uri() + "/"


def test_sarif_lists_every_rule_and_problem_code_with_docs():
    log = sarif.build([])
    validate_sarif(log)
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [rule.code for rule in ALL_RULES] + list(PROBLEMS)
    by_id = {r["id"]: r for r in rules}
    for rule in ALL_RULES:
        descriptor = by_id[rule.code]
        assert descriptor["name"] == rule.name
        assert descriptor["shortDescription"]["text"] == rule.summary()
        assert descriptor["help"]["markdown"] == rule.documentation()
        assert descriptor["fullDescription"]["markdown"] == rule.documentation()
        assert descriptor["helpUri"] == f"https://layerlint.readthedocs.io/en/latest/rules/{rule.code}.html"
        level = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}[rule.severity]
        assert descriptor["defaultConfiguration"] == {"enabled": rule.enabled_by_default, "level": level}
    assert by_id["LL901"]["name"] == "syntax-error"
    assert by_id["LL003"]["defaultConfiguration"]["enabled"] is False
    assert log["runs"][0]["results"] == []


def test_sarif_of_every_corner_is_valid_and_fix_regions_reproduce_the_edits(tmp_path, monkeypatch):
    text = MODEL.replace("# crashes", "# é crashes")  # non-ASCII after the edited span
    (tmp_path / "pkg").mkdir()
    path = tmp_path / "pkg" / "model.py"
    path.write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    diagnostics = synthetic("pkg/model.py", text)
    log = json.loads(sarif.render(diagnostics, None, sources={"pkg/model.py": text}.get))
    validate_sarif(log)
    results = log["runs"][0]["results"]
    assert [r["level"] for r in results] == ["error", "note", "warning", "error"]
    assert [r["ruleId"] for r in results] == ["LL001", "LL003", "LL002", "LL902"]
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in results)

    [fix] = results[0]["fixes"]
    assert fix["description"]["text"] == "split `self.bn`"
    assert fix["artifactChanges"][0]["artifactLocation"] == {"uri": "pkg/model.py", "uriBaseId": "%SRCROOT%"}
    assert apply_sarif_fix(text, fix) == apply_edits(text, diagnostics[0].fix)
    insertion = fix["artifactChanges"][0]["replacements"][0]["deletedRegion"]
    assert insertion == {"startLine": 10, "startColumn": 39, "endLine": 10, "endColumn": 39}

    assert results[0]["message"]["text"].endswith("\nhelp: give each call site its own instance")
    assert results[1]["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 12, "startColumn": 5, "endLine": 15, "endColumn": 17}
    assert results[2]["locations"][0]["physicalLocation"]["properties"] == {"cell": 3}
    assert "fixes" not in results[1]
    fingerprints = [r["partialFingerprints"]["layerlint/v1"] for r in results]
    assert len(set(fingerprints)) == len(fingerprints)


def test_sarif_fix_falls_back_on_char_offsets_when_the_file_is_gone(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    [diagnostic, *_] = synthetic("gone.py", MODEL)
    log = sarif.build([diagnostic])
    validate_sarif(log)
    region = log["runs"][0]["results"][0]["fixes"][0]["artifactChanges"][0]["replacements"][1]["deletedRegion"]
    assert region == {"charOffset": MODEL.index("self.bn(self.conv_2"), "charLength": len("self.bn")}


def fingerprint_of(tmp_path, text: str) -> tuple[str, int]:
    path = tmp_path / "model.py"
    path.write_text(text, encoding="utf-8")
    [diagnostic] = layerlint.check_source(text, str(path))
    [result] = sarif.build([diagnostic], cwd=str(tmp_path), sources={str(path): text}.get)["runs"][0]["results"]
    region = result["locations"][0]["physicalLocation"]["region"]
    return result["partialFingerprints"]["layerlint/v1"], region["startLine"]


def test_sarif_fingerprint_survives_edits_elsewhere_but_not_on_the_reported_lines(tmp_path):
    before, line = fingerprint_of(tmp_path, MODEL)
    moved = MODEL.replace("class Net", "import os\n\n\n# a comment\nclass Net")
    after, moved_line = fingerprint_of(tmp_path, moved)
    assert moved_line == line + 4 and after == before
    reindented = MODEL.replace("        x = self.bn(self.conv_2(x))", "        x  =  self.bn(self.conv_2(x))")
    assert fingerprint_of(tmp_path, reindented)[0] == before  # whitespace is normalised
    changed = MODEL.replace("self.bn(self.conv_2(x))  # crashes", "self.bn(self.conv_2(x * 2))  # crashes")
    assert fingerprint_of(tmp_path, changed)[0] != before
    related_changed = MODEL.replace("self.bn = BatchNormalization()", "self.bn = BatchNormalization(axis=-1)")
    assert fingerprint_of(tmp_path, related_changed)[0] != before


def test_sarif_fingerprints_of_identical_lines_differ_by_occurrence(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "m.py").write_text("x = 1\nx = 1\n")
    one = Diagnostic("LL005", "layer-created-in-forward", Severity.WARNING, Span("m.py", 1, 1), Text("a"))
    two = Diagnostic("LL005", "layer-created-in-forward", Severity.WARNING, Span("m.py", 2, 1), Text("a"))
    results = sarif.build([one, two], sources=SourceLines().text)["runs"][0]["results"]
    prints = [r["partialFingerprints"]["layerlint/v1"] for r in results]
    assert prints[0].split(":")[0] == prints[1].split(":")[0]
    assert [p.split(":")[1] for p in prints] == ["1", "2"]


def test_sarif_uri_is_relative_to_the_working_directory_or_absolute(tmp_path, monkeypatch):
    inside = tmp_path / "work"
    (inside / "a dir").mkdir(parents=True)
    monkeypatch.chdir(inside)
    assert sarif.artifact_location(str(inside / "a dir" / "m%1.py")) == {
        "uri": "a%20dir/m%251.py", "uriBaseId": "%SRCROOT%"}
    assert sarif.artifact_location("a dir/x.py") == {"uri": "a%20dir/x.py", "uriBaseId": "%SRCROOT%"}
    outside = sarif.artifact_location(str(tmp_path / "other.py"))
    assert outside == {"uri": (tmp_path / "other.py").as_uri()}
    log = sarif.build([Diagnostic("LL001", "reuse-shape-mismatch", Severity.ERROR,
                                  Span(str(tmp_path / "other.py"), 1, 1), Text("x"))])
    validate_sarif(log)


def test_sarif_language_only_when_it_fits_the_schema():
    assert sarif.build([], "zh_CN")["runs"][0]["language"] == "zh-CN"
    assert "language" not in sarif.build([], None)["runs"][0]
    assert "language" not in sarif.build([], "C.UTF-8")["runs"][0]


def test_cli_writes_sarif(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    code = main(["check", "--no-progress", "--no-cache", "--format", "sarif", "examples/keras/article_buggy.py"])
    log = json.loads(capsys.readouterr().out)
    assert code == 1
    validate_sarif(log)
    assert [r["ruleId"] for r in log["runs"][0]["results"]] == ["LL001"]


# --- GitHub Actions ----------------------------------------------------------------------------------

def test_github_annotation_of_the_article_model(monkeypatch):
    monkeypatch.chdir(ROOT)
    out = github.render(layerlint.check_paths(["examples/keras/article_buggy.py"]))
    first, summary = out.splitlines()
    assert first.startswith("::error file=examples/keras/article_buggy.py,line=19,col=13,endLine=19,"
                            "endColumn=30,title=LL001 reuse-shape-mismatch::`self.batchnorm` (BatchNormalization)")
    assert "%0A  examples/keras/article_buggy.py:16:13: first call" in first
    assert "%0A  help: give each call site" in first
    assert summary == "Found 1 finding(s) (1 error(s))."


def test_github_escaping_follows_the_workflow_command_rules():
    assert github.escape_data("100% a:b,c\r\nd") == "100%25 a:b,c%0D%0Ad"
    assert github.escape_property("100% a:b,c\r\nd") == "100%25 a%3Ab%2Cc%0D%0Ad"
    diagnostic = Diagnostic("LL002", "shared-normalization-state", Severity.WARNING,
                            Span("dir,x/we:ird%.py", 3, 2, 3, 9), Text("50% of a,b: c\nd"))
    line = github.render_one(diagnostic)
    assert line == ("::warning file=dir%2Cx/we%3Aird%25.py,line=3,col=2,endLine=3,endColumn=9,"
                    "title=LL002 shared-normalization-state::50%25 of a,b: c%0Ad")
    assert "\n" not in line


def test_github_info_is_a_notice_and_multi_line_spans_have_no_columns():
    info = Diagnostic("LL003", "shared-weights", Severity.INFO, Span("m.py", 4, 5, 7, 2), Text("shared"))
    assert github.render_one(info) == "::notice file=m.py,line=4,endLine=7,title=LL003 shared-weights::shared"
    cell = Diagnostic("LL001", "reuse-shape-mismatch", Severity.ERROR, Span("nb.ipynb", 2, 1, cell=4), Text("x"))
    assert github.render_one(cell) == "::error file=nb.ipynb,line=2,col=1,title=LL001 reuse-shape-mismatch::[cell 4] x"


def test_github_clean_run_prints_only_the_summary():
    assert github.render([]) == "All checks passed.\n"


# --- JUnit -------------------------------------------------------------------------------------------

def test_junit_counts_failures_and_errors_and_escapes():
    diagnostics = synthetic("pkg/model.py", MODEL)
    diagnostics.append(Diagnostic("LL005", "layer-created-in-forward", Severity.WARNING,
                                  Span("a&b<c>.py", 1, 1), Text('quote " & <tag> \x00\x1b end')))
    root = ET.fromstring(junit.render(diagnostics).encode("utf-8"))
    assert root.tag == "testsuites"
    [suite] = root.findall("testsuite")
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("5", "4", "1")
    assert root.get("tests") == "5"
    cases = suite.findall("testcase")
    assert len(cases) == 5
    assert cases[0].get("name") == "LL001 reuse-shape-mismatch at pkg/model.py:14:13"
    assert cases[0].get("classname") == "pkg/model.py" and cases[0].get("line") == "14"
    failure = cases[0].find("failure")
    assert failure.get("type") == "LL001"
    assert failure.get("message") == "`self.bn` gets 16 features: 100% wrong, a:b,c"
    assert "pkg/model.py:13:13: first call" in failure.text
    assert "help: give each call site its own instance" in failure.text
    error = cases[3].find("error")
    assert error is not None and cases[3].find("failure") is None and error.get("type") == "LL902"
    assert cases[4].get("file") == "a&b<c>.py"
    assert cases[4].find("failure").get("message") == 'quote " & <tag> \ufffd\ufffd end'


def test_junit_clean_run_has_one_passing_case():
    root = ET.fromstring(junit.render([]))
    [suite] = root.findall("testsuite")
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("1", "0", "0")
    [case] = suite.findall("testcase")
    assert list(case) == []


def test_cli_writes_junit(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    code = main(["check", "--no-progress", "--no-cache", "--format", "junit", "examples/keras/article_buggy.py",
                 "examples/keras/article_fixed.py"])
    root = ET.fromstring(capsys.readouterr().out)
    assert code == 1
    assert [case.get("name") for case in root.iter("testcase")] == [
        "LL001 reuse-shape-mismatch at examples/keras/article_buggy.py:19:13"]


# --- statistics --------------------------------------------------------------------------------------

def test_statistics_counts_per_code_most_frequent_first():
    diagnostics = synthetic("m.py", MODEL) + [
        Diagnostic("LL003", "shared-weights", Severity.INFO, Span("n.py", 1, 1), Text("x"))]
    rows = counts(diagnostics)
    assert [(r.code, r.count) for r in rows] == [("LL003", 2), ("LL001", 1), ("LL002", 1), ("LL902", 1)]
    table = statistics(diagnostics).splitlines()
    assert table[0].split() == ["2", "LL003", "shared-weights", "info"]
    assert table[1].split() == ["1", "LL001", "reuse-shape-mismatch", "error", "[*]"]
    assert len({line.index("LL") for line in table}) == 1  # aligned columns
    assert statistics([]) == ""


def test_schema_check_is_live_an_invalid_log_fails():
    log = sarif.build([])
    log["runs"][0]["results"] = [{"level": "fatal", "message": {"text": "x"}}]
    with pytest.raises(AssertionError, match="fatal"):
        validate_sarif(log)


def test_sarif_fix_regions_on_a_crlf_file(tmp_path, monkeypatch):
    text = MODEL.replace("\n", "\r\n")
    (tmp_path / "m.py").write_bytes(text.encode("utf-8"))
    monkeypatch.chdir(tmp_path)
    [diagnostic, *_] = synthetic("m.py", text)
    [result] = sarif.build([diagnostic], sources=SourceLines().text)["runs"][0]["results"]
    assert apply_sarif_fix(text, result["fixes"][0]) == apply_edits(text, diagnostic.fix)
    assert result["fixes"][0]["artifactChanges"][0]["replacements"][1]["deletedRegion"]["startLine"] == 14
