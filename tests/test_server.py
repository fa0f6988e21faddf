"""Acceptance tests of `layerlint server`: the real server process driven over stdio, as an editor
drives it (lsprotocol types, JSON-RPC framing of `layerlint.server.client`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("pygls")
from lsprotocol import types

from layerlint.server import RULE_DOCS_URL
from layerlint.server.client import StdioClient, apply_text_edits
from layerlint.server.convert import noqa_edit
from layerlint.server.positions import LineIndex

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "examples" / "keras" / "article_buggy.py"
FUNCTIONAL_SHARED = ROOT / "examples" / "keras" / "functional_shared.py"
SERVER = [sys.executable, "-m", "layerlint.server"]
TIMEOUT = 20


def start(**initialize) -> StdioClient:
    client = StdioClient(SERVER, cwd=str(ROOT))
    client.initialize(**initialize)
    return client


@pytest.fixture(scope="module")
def client():
    client = start()
    yield client
    client.kill()


def uri_for(tmp_path: Path, name: str) -> str:
    return (tmp_path / name).as_uri()


def open_and_wait(client: StdioClient, uri: str, text: str) -> types.PublishDiagnosticsParams:
    mark = client.mark()
    client.open(uri, text)
    published, _ = client.wait_diagnostics(uri, version=1, start=mark, timeout=TIMEOUT)
    return published


def replace_and_wait(client: StdioClient, uri: str, version: int, text: str) -> types.PublishDiagnosticsParams:
    mark = client.mark()
    client.replace_all(uri, version, text)
    published, _ = client.wait_diagnostics(uri, version=version, start=mark, timeout=TIMEOUT)
    return published


def code_actions(client: StdioClient, uri: str, diagnostic: types.Diagnostic) -> list[types.CodeAction]:
    return client.request(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=diagnostic.range,
        context=types.CodeActionContext(diagnostics=[diagnostic])), timeout=TIMEOUT)


def edits_of(action: types.CodeAction, uri: str) -> list[types.TextEdit]:
    (change,) = action.edit.document_changes
    assert change.text_document.uri == uri
    return list(change.edits)


def ll001(published: types.PublishDiagnosticsParams) -> list[types.Diagnostic]:
    return [d for d in published.diagnostics if d.code == "LL001"]


# --- diagnostics ---------------------------------------------------------------------------------


def test_article_model_gets_ll001_with_related_locations(client):
    uri = ARTICLE.as_uri()
    published = open_and_wait(client, uri, ARTICLE.read_text(encoding="utf-8"))
    (diagnostic,) = ll001(published)
    assert diagnostic.severity == types.DiagnosticSeverity.Error
    assert diagnostic.source == "layerlint"
    assert diagnostic.code_description.href == RULE_DOCS_URL.format(code="LL001")
    # line 19 of the file, `self.batchnorm(x)`: 0-based line 18, characters 12..29
    assert (diagnostic.range.start.line, diagnostic.range.start.character) == (18, 12)
    assert (diagnostic.range.end.line, diagnostic.range.end.character) == (18, 29)
    assert "6 features" in diagnostic.message and "gets 16" in diagnostic.message
    related = {(r.location.range.start.line, r.location.uri): r.message for r in diagnostic.related_information}
    assert "first call" in related[(15, uri)]  # the other call site, line 16
    assert "created here" in related[(9, uri)]  # the constructor, line 10


def test_quick_fix_removes_ll001(client, tmp_path, record_property):
    """Applies the finding's own fix when the rule attaches one, else the `# noqa` action."""
    uri = uri_for(tmp_path, "article_fix.py")
    text = ARTICLE.read_text(encoding="utf-8")
    (diagnostic,) = ll001(open_and_wait(client, uri, text))
    actions = code_actions(client, uri, diagnostic)
    assert actions and all(a.kind == types.CodeActionKind.QuickFix for a in actions)
    fixes = [a for a in actions if "noqa" not in a.title]
    ignores = [a for a in actions if "noqa" in a.title]
    assert len(ignores) == 1 and not ignores[0].is_preferred
    action = fixes[0] if fixes else ignores[0]
    record_property("quick_fix_used", action.title)
    if fixes:
        assert action.is_preferred and not action.title.endswith("(unsafe)")  # LL001's split is safe
    fixed = apply_text_edits(text, edits_of(action, uri))
    assert fixed != text
    published = replace_and_wait(client, uri, 2, fixed)
    assert not ll001(published), published.diagnostics


def test_ignore_action_adds_noqa(client, tmp_path):
    uri = uri_for(tmp_path, "article_noqa.py")
    text = ARTICLE.read_text(encoding="utf-8")
    (diagnostic,) = ll001(open_and_wait(client, uri, text))
    (ignore,) = [a for a in code_actions(client, uri, diagnostic) if "noqa" in a.title]
    fixed = apply_text_edits(text, edits_of(ignore, uri))
    line = fixed.splitlines()[18]
    assert line.endswith("# LL001: built for 6 channels, gets 16  # noqa: LL001")
    assert not ll001(replace_and_wait(client, uri, 2, fixed))


def test_unsafe_fix_is_marked_and_not_preferred(client):
    uri = FUNCTIONAL_SHARED.as_uri()
    published = open_and_wait(client, uri, FUNCTIONAL_SHARED.read_text(encoding="utf-8"))
    (diagnostic,) = [d for d in published.diagnostics if d.code == "LL002"]
    assert diagnostic.severity == types.DiagnosticSeverity.Warning
    fixes = [a for a in code_actions(client, uri, diagnostic) if "noqa" not in a.title]
    if not fixes:
        pytest.skip("the LL002 rule attaches no fix in this tree")
    assert fixes[0].title.endswith("(unsafe)") and not fixes[0].is_preferred


def test_code_actions_elsewhere_are_empty(client):
    uri = ARTICLE.as_uri()
    actions = client.request(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=5)),
        context=types.CodeActionContext(diagnostics=[])), timeout=TIMEOUT)
    assert not actions


# --- hover ---------------------------------------------------------------------------------------


def hover(client: StdioClient, uri: str, line: int, character: int) -> types.Hover | None:
    return client.request(types.TEXT_DOCUMENT_HOVER, types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=types.Position(line=line, character=character)), timeout=TIMEOUT)


def test_hover_on_layer_attribute_shows_verdict_and_calls(client):
    uri = ARTICLE.as_uri()
    open_and_wait(client, uri, ARTICLE.read_text(encoding="utf-8"))
    found = hover(client, uri, 18, 20)  # `self.batchnorm` in `x = self.batchnorm(x)`, line 19
    assert found is not None
    text = found.contents.value
    assert "`self.batchnorm`" in text and "BatchNormalization" in text
    assert "running-statistics" in text  # the catalog verdict
    assert "created at line 10" in text
    assert "line 16" in text and "6 features" in text and "line 19" in text and "16 features" in text
    assert (found.range.start.line, found.range.start.character, found.range.end.character) == (18, 12, 26)


def test_hover_on_layer_class_and_on_nothing(client):
    uri = ARTICLE.as_uri()
    open_and_wait(client, uri, ARTICLE.read_text(encoding="utf-8"))
    found = hover(client, uri, 9, 30)  # `BatchNormalization()` in the constructor, line 10
    assert found is not None and "running-statistics" in found.contents.value
    assert "keras.layers.BatchNormalization" in found.contents.value  # explain_class's text
    assert hover(client, uri, 13, 4) is None  # blank space before `def call`


# --- robustness ----------------------------------------------------------------------------------


def test_broken_file_gets_ll901_and_the_server_goes_on(client, tmp_path):
    uri = uri_for(tmp_path, "broken.py")
    broken = "import torch\n\nclass Net(torch.nn.Module:\n    pass\n"
    (diagnostic,) = open_and_wait(client, uri, broken).diagnostics
    assert diagnostic.code == "LL901" and diagnostic.severity == types.DiagnosticSeverity.Error
    assert diagnostic.range.start.line == 2
    assert hover(client, uri, 2, 8) is None
    assert code_actions(client, uri, diagnostic) is not None
    fixed = ARTICLE.read_text(encoding="utf-8")
    assert [d.code for d in replace_and_wait(client, uri, 2, fixed).diagnostics] == ["LL001"]


def test_rapid_changes_publish_the_newest_version(client, tmp_path):
    uri = uri_for(tmp_path, "typing.py")
    text = ARTICLE.read_text(encoding="utf-8")
    open_and_wait(client, uri, text)
    mark = client.mark()
    for version in range(2, 8):  # the last text sizes conv_2 for 6 channels: LL002, not LL001
        size = 16 if version < 7 else 6
        client.replace_all(uri, version, text.replace("Conv2D(16,", f"Conv2D({size},"))
    published, _ = client.wait_diagnostics(uri, version=7, start=mark, timeout=TIMEOUT)
    assert [d.code for d in published.diagnostics] == ["LL002"]
    later = [m for m in client.notifications[mark:] if (m.payload.get("params") or {}).get("uri") == uri]
    assert all(m.payload["params"]["version"] <= 7 for m in later)


# --- positions -----------------------------------------------------------------------------------

WIDE = ARTICLE.read_text(encoding="utf-8").replace(
    "        x = self.batchnorm(x)  # LL001", '        s = "é😀"; x = self.batchnorm(x)  # LL001')


@pytest.mark.parametrize("encoding, column", [("utf-16", 23), ("utf-8", 26)])
def test_positions_follow_the_negotiated_encoding(tmp_path, encoding, column):
    with start(position_encodings=[encoding]) as client:
        assert client.server_capabilities.position_encoding == encoding
        uri = uri_for(tmp_path, "wide.py")
        (diagnostic,) = ll001(open_and_wait(client, uri, WIDE))
        # `        s = "é😀"; x = ` is 22 characters: 23 UTF-16 units, 26 UTF-8 bytes
        assert (diagnostic.range.start.line, diagnostic.range.start.character) == (18, column)
        assert diagnostic.range.end.character == column + len("self.batchnorm(x)")
        (ignore,) = [a for a in code_actions(client, uri, diagnostic) if "noqa" in a.title]
        fixed = apply_text_edits(WIDE, edits_of(ignore, uri), encoding)
        assert fixed.splitlines()[18].endswith("gets 16  # noqa: LL001")


def test_line_index_units():
    index = LineIndex('a = "é😀"\r\nb\rc\n')
    assert index.line_count == 4 and index.line_text(0) == 'a = "é😀"' and index.line_text(2) == "c"
    end = len('a = "é😀"')
    assert index.position(end, "utf-16") == (0, 9)
    assert index.position(end, "utf-8") == (0, 12)
    assert index.position(end, "utf-32") == (0, 8)
    assert index.offset(0, 7, "utf-16") == 6  # inside the surrogate pair: the emoji's start
    assert index.offset(1, 0) == end + 2 and index.offset(2, 5) == end + 5  # clamped to "c"
    assert index.span_offset(2, 1) == end + 2


def test_noqa_edit_extends_an_existing_list():
    text = "x = f(1)  # noqa: LL003\ny = '''\n'''\nz = 1  # noqa\n"
    index = LineIndex(text)
    edit = noqa_edit(text, index, 1, "LL001")
    assert text[:edit.start] + edit.replacement + text[edit.end:] == text.replace("LL003", "LL003, LL001")
    assert noqa_edit(text, index, 1, "LL003") is None  # already silenced
    assert noqa_edit(text, index, 2, "LL001") is None  # the line ends inside a string
    assert noqa_edit(text, index, 4, "LL001") is None  # a bare noqa silences everything


# --- settings and lifecycle ----------------------------------------------------------------------


def test_select_and_ignore_from_the_editor(tmp_path):
    with start(initialization_options={"ignore": ["LL001"]}) as client:
        uri = uri_for(tmp_path, "settings.py")
        assert not ll001(open_and_wait(client, uri, ARTICLE.read_text(encoding="utf-8")))
        mark = client.mark()
        client.notify(types.WORKSPACE_DID_CHANGE_CONFIGURATION, types.DidChangeConfigurationParams(
            settings={"layerlint": {"select": "LL0"}}))
        published, _ = client.wait_diagnostics(uri, start=mark, timeout=TIMEOUT)
        assert ll001(published)


def test_shutdown_and_exit_cleanly():
    client = start()
    try:
        assert client.shutdown() == 0
    finally:
        client.kill()


def test_command_line_help():
    result = subprocess.run(SERVER + ["--help"], check=False, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "--log-file" in result.stdout


def test_project_configuration_applies_and_reloads(tmp_path):
    from layerlint.server.settings import settings_for

    model = tmp_path / "model.py"
    model.write_text("x = 1\n")
    assert settings_for(str(model))[0].selection.ignore == ()
    (tmp_path / "layerlint.toml").write_text('ignore = ["LL001"]\n')
    assert settings_for(str(model))[0].selection.ignore == ("LL001",)
    (tmp_path / "layerlint.toml").write_text('ignore = ["LL002"]\nlang = "zh"\n')
    settings, error = settings_for(str(model))
    assert settings.selection.ignore == ("LL002",) and settings.lang == "zh" and error is None
    (tmp_path / "layerlint.toml").write_text('exclude = 5\n')  # robustness review H4: defaults and a message
    settings, error = settings_for(str(model))
    assert settings.selection.ignore == () and "exclude" in error