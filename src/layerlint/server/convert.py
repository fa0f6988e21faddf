"""layerlint's findings and fixes as LSP values (lsprotocol types)."""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass

from lsprotocol import types

from layerlint.diagnostics import Applicability, Diagnostic, Edit, Severity, Span, Text
from layerlint.i18n import N_
from layerlint.server import SOURCE, rule_docs_url
from layerlint.server.positions import UTF16, LineIndex
from layerlint.static import problems
from layerlint.static.checker import NOQA

SEVERITIES = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}
UNSAFE_SUFFIX = " (unsafe)"


@dataclass
class Converter:
    """Converts for one version of one document."""

    uri: str
    path: str | None
    index: LineIndex
    encoding: str = UTF16
    lang: str | None = None

    def position(self, offset: int) -> types.Position:
        line, column = self.index.position(offset, self.encoding)
        return types.Position(line=line, character=column)

    def range(self, start: int, end: int) -> types.Range:
        return types.Range(start=self.position(start), end=self.position(max(start, end)))

    def span_offsets(self, span: Span) -> tuple[int, int]:
        start = self.index.span_offset(span.line, span.column)
        if span.end_line is not None and span.end_column is not None:
            end = self.index.span_offset(span.end_line, span.end_column)
        else:  # a point (LL9xx): mark the character there, if the line has one
            line_end = self.index.line_bounds(self.index.line_of(start))[1]
            end = start + 1 if start < line_end else start
        return start, max(start, end)

    def span_range(self, span: Span) -> types.Range:
        return self.range(*self.span_offsets(span))

    def uri_of(self, span: Span) -> str:
        if self.path is None or span.path == self.path:
            return self.uri
        from pygls.uris import from_fs_path

        return from_fs_path(span.path) or self.uri

    def diagnostic(self, finding: Diagnostic) -> types.Diagnostic:
        message = finding.message.render(self.lang)
        if finding.help is not None:
            message += "\nhelp: " + finding.help.render(self.lang)
        related = [
            types.DiagnosticRelatedInformation(
                location=types.Location(uri=self.uri_of(r.span), range=self.related_range(r.span)),
                message=r.message.render(self.lang))
            for r in finding.related
        ]
        return types.Diagnostic(
            range=self.span_range(finding.span),
            message=message,
            severity=SEVERITIES.get(finding.severity, types.DiagnosticSeverity.Warning),
            code=finding.code,
            code_description=types.CodeDescription(href=rule_docs_url(finding.code)),
            source=SOURCE,
            related_information=related or None,
        )

    def related_range(self, span: Span) -> types.Range:
        if self.uri_of(span) != self.uri:  # another file: its text is not at hand, count characters
            end_line = span.end_line or span.line
            end_column = span.end_column or span.column
            return types.Range(start=types.Position(line=span.line - 1, character=span.column - 1),
                               end=types.Position(line=end_line - 1, character=end_column - 1))
        return self.span_range(span)

    def text_edits(self, edits: tuple[Edit, ...] | list[Edit]) -> list[types.TextEdit]:
        return [types.TextEdit(range=self.range(edit.start, edit.end), new_text=edit.replacement)
                for edit in sorted(edits, key=lambda e: (e.start, e.end))]


def stopped_check(path: str, seconds: float) -> Diagnostic:
    """The diagnostic of a document whose check the server stopped at its time limit: without it
    the editor would show the last findings, of an older text, as if they were current."""
    return problems.problem("LL904", path, Text(N_("layerlint stopped checking this file after {seconds} s (the "
                                                   "language server's time limit); it is checked again when it "
                                                   "changes"), {"seconds": f"{seconds:g}"}))


def fix_title(finding: Diagnostic, lang: str | None = None) -> str:
    fix = finding.fix
    title = fix.title.render(lang) if fix is not None else ""
    title = f"{finding.code}: {title}" if title else f"{finding.code}: apply the fix"
    if fix is not None and fix.applicability is Applicability.UNSAFE:
        title += UNSAFE_SUFFIX
    return title


def workspace_edit(uri: str, version: int | None, edits: list[types.TextEdit],
                   document_changes: bool) -> types.WorkspaceEdit:
    """One document's edits, versioned when the client takes `documentChanges` (so an edit is
    refused by the editor if the document changed since)."""
    if document_changes:
        return types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(
            text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version),
            edits=edits)])
    return types.WorkspaceEdit(changes={uri: edits})


# --- `# noqa` -------------------------------------------------------------------------------------


def noqa_edit(text: str, index: LineIndex, line: int, code: str) -> Edit | None:
    """The edit that silences `code` on the 1-based `line`: `  # noqa: CODE` at the end of the line,
    or `, CODE` added to the line's `# noqa:` list. None when no comment can go there (the line
    ends inside a string or continues with a backslash) or the line already silences everything."""
    if not 1 <= line <= index.line_count:
        return None
    start, end = index.line_bounds(line - 1)
    content = text[start:end]
    kind, comment = _comment_on(text, line)
    if kind == "string":
        return None
    if kind == "unknown":  # the file does not tokenize: find a `#` outside quotes by hand
        at = _plain_comment_start(content)
        comment = (at, content[at:]) if at is not None else None
    if comment is not None:
        column, comment_text = comment
        for match in NOQA.finditer(comment_text):
            codes = match.group("codes")
            if codes is None:
                return None  # a bare `# noqa` already silences every code
            if code in re.split(r"[\s,]+", codes.upper()):
                return None
            at = start + column + match.end("codes")
            return Edit(at, at, f", {code}")
    stripped = content.rstrip(" \t\f")
    if stripped.endswith("\\"):
        return None
    at = start + len(stripped)
    separator = "  " if stripped.strip() else ""
    return Edit(at, start + len(content), f"{separator}# noqa: {code}")


def _comment_on(text: str, line: int) -> tuple[str, tuple[int, str] | None]:
    """("comment", (character column, text)) of the comment on `line`, ("none", None) when it has
    none, ("string", None) when the line ends inside a string, ("unknown", None) when the text does
    not tokenize up to that line."""
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.start[0] > line:
                break
            if token.type == tokenize.COMMENT and token.start[0] == line:
                return "comment", (token.start[1], token.string)  # columns count characters
            if token.start[0] <= line < token.end[0] and token.type not in (tokenize.NL, tokenize.NEWLINE):
                return "string", None
    except (tokenize.TokenError, SyntaxError):
        return "unknown", None
    return "none", None


def _plain_comment_start(content: str) -> int | None:
    quote: str | None = None
    escaped = False
    for index, ch in enumerate(content):
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "#":
            return index
    return None
