"""The language server: documents, when they are checked, and the LSP handlers (pygls).

Checking. A document is checked when it is opened or saved (at once) and when it changes (after a
short debounce). Checks run one at a time on a worker thread, so the server keeps reading messages
meanwhile; changes arriving during a check are coalesced into one check of the newest text, and the
result of a check whose text is already outdated is not published. The debounce adapts to the
document: it is `DEBOUNCE` for a quick file and shrinks as the file's check time (a moving average)
grows, so that diagnostics for a big file still arrive within `LATENCY_BUDGET` of a change.

Nothing here imports or runs the edited code: the text is parsed and analysed, as by `layerlint
check`. A file that does not parse gets its LL901 diagnostic like any other finding.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from layerlint import api
from layerlint._version import __version__
from layerlint.config import FileSettings
from layerlint.diagnostics import Applicability, Diagnostic
from layerlint.server import convert
from layerlint.server import settings as settings_module
from layerlint.server.hover import Analysis
from layerlint.server.hover import hover as hover_at
from layerlint.server.positions import UTF16, LineIndex
from layerlint.server.settings import settings_for
from layerlint.static.checker import check_source

logger = logging.getLogger("layerlint.server")

DEBOUNCE = 0.050  # seconds to wait for more typing before checking a quick file
LATENCY_BUDGET = 0.100  # a change's diagnostics should be out within this
LATENCY_MARGIN = 0.015  # for reading, applying the change and writing the diagnostics
PYTHON_SUFFIXES = (".py", ".pyi")
QUICKFIX = types.CodeActionKind.QuickFix


@dataclass
class CheckResult:
    version: int | None
    text: str
    settings: FileSettings
    findings: list[Diagnostic]
    diagnostics: list[types.Diagnostic]  # findings[i] as LSP
    encoding: str
    fixes_attached: bool = False


@dataclass(eq=False)
class DocumentState:
    uri: str
    path: str | None
    dirty: bool = False
    closed: bool = False
    timer: asyncio.TimerHandle | None = None
    task: asyncio.Task | None = None
    cost: float | None = None  # moving average of a check's duration, in seconds
    result: CheckResult | None = None
    analysis: tuple[str, Analysis | None] | None = None  # (text, its analysis) for hovers

    def debounce(self) -> float:
        if self.cost is None:
            return DEBOUNCE
        return max(0.0, min(DEBOUNCE, LATENCY_BUDGET - LATENCY_MARGIN - 1.25 * self.cost))


class LayerlintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("layerlint", __version__,
                         text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.documents: dict[str, DocumentState] = {}
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="layerlint-check")
        self.shown_errors: set[str] = set()

    def settings(self, path: str | None) -> FileSettings:
        """The document's settings; an unusable configuration is shown to the user once, and the
        defaults apply until it is fixed."""
        settings, error = settings_for(path)
        if error is not None and error not in self.shown_errors:
            self.shown_errors.add(error)
            logger.warning("%s", error)
            try:
                self.window_show_message(types.ShowMessageParams(type=types.MessageType.Error, message=error))
            except Exception:
                logger.exception("showing the configuration error failed")
        return settings

    # --- documents -------------------------------------------------------------------------------

    @property
    def encoding(self) -> str:
        try:
            value = self.workspace.position_encoding
        except Exception:
            return UTF16
        value = getattr(value, "value", value)
        return value if value in ("utf-8", "utf-16", "utf-32") else UTF16

    def state(self, uri: str) -> DocumentState:
        if uri not in self.documents:
            self.documents[uri] = DocumentState(uri, to_fs_path(uri))
        return self.documents[uri]

    def request_check(self, state: DocumentState, delay: float) -> None:
        logger.debug("check of %s requested in %.1f ms", state.uri, delay * 1000)
        state.dirty = True
        if state.timer is not None:
            state.timer.cancel()
            state.timer = None
        if delay > 0:
            state.timer = asyncio.get_running_loop().call_later(delay, self._kick, state)
        else:
            self._kick(state)

    def _kick(self, state: DocumentState) -> None:
        state.timer = None
        if state.task is None or state.task.done():
            state.task = asyncio.get_running_loop().create_task(self._run(state))
        # else: the running loop sees `dirty` and checks the newest text when its check ends

    async def _run(self, state: DocumentState) -> None:
        while state.dirty and not state.closed and state.timer is None:
            state.dirty = False
            document = self.workspace.get_text_document(state.uri)
            text, version = document.source, document.version
            settings = self.settings(state.path)
            started = time.perf_counter()
            try:
                result = await asyncio.get_running_loop().run_in_executor(
                    self.executor, self._check, state, text, version, settings, self.encoding)
            except Exception:
                logger.exception("checking %s failed", state.uri)
                return
            elapsed = time.perf_counter() - started
            logger.debug("checked %s v%s in %.1f ms (%s findings)%s", state.uri, version, elapsed * 1000,
                         len(result.findings), " (outdated)" if state.dirty else "")
            state.cost = elapsed if state.cost is None else 0.7 * state.cost + 0.3 * elapsed
            if state.closed or state.dirty:
                continue  # outdated: the newer text is checked next (now, or when its debounce ends)
            state.result = result
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
                uri=state.uri, diagnostics=result.diagnostics, version=version))

    def _check(self, state: DocumentState, text: str, version: int | None, settings: FileSettings,
               encoding: str) -> CheckResult:
        """On the worker thread: the findings of one text and their LSP form."""
        path = state.path or state.uri
        with _no_garbage_collection():  # a collection in mid-check doubles the latency of that keystroke
            findings = api.check_text(text, path, settings=settings, fixes=False)
        converter = convert.Converter(state.uri, path, LineIndex(text), encoding, settings.lang)
        return CheckResult(version, text, settings, findings,
                           [converter.diagnostic(finding) for finding in findings], encoding)

    async def current_result(self, state: DocumentState) -> CheckResult | None:
        """The check result of the document's current text (checking it now if needed)."""
        document = self.workspace.get_text_document(state.uri)
        settings = self.settings(state.path)
        result = state.result
        if (result is None or result.text != document.source or result.settings != settings
                or result.encoding != self.encoding):
            result = await asyncio.get_running_loop().run_in_executor(
                self.executor, self._check, state, document.source, document.version, settings, self.encoding)
        return result

    def recheck_all(self) -> None:
        for state in list(self.documents.values()):
            state.result = None
            self.request_check(state, 0)

    def close(self, uri: str) -> None:
        state = self.documents.pop(uri, None)
        if state is None:
            return
        state.closed = True
        if state.timer is not None:
            state.timer.cancel()
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    # --- code actions ----------------------------------------------------------------------------

    async def code_actions(self, params: types.CodeActionParams) -> list[types.CodeAction]:
        only = params.context.only
        if only and not any(QUICKFIX.value.startswith(kind.value if hasattr(kind, "value") else str(kind))
                            for kind in only):
            return []
        state = self.documents.get(params.text_document.uri)
        if state is None:
            return []
        result = await self.current_result(state)
        if result is None:
            return []
        wanted = [i for i, d in enumerate(result.diagnostics) if _overlaps(d.range, params.range)]
        if not wanted:
            return []
        if any(result.findings[i].fix is None for i in wanted) and not result.fixes_attached:
            result.findings = await asyncio.get_running_loop().run_in_executor(
                self.executor, _with_fixes, result, state.path or state.uri)
            result.fixes_attached = True
        index = LineIndex(result.text)
        converter = convert.Converter(state.uri, state.path, index, result.encoding, result.settings.lang)
        document_changes = bool(_capability(self, "workspace.workspace_edit.document_changes"))
        actions: list[types.CodeAction] = []
        ignores: list[types.CodeAction] = []
        silenced: set[tuple[int, str]] = set()
        for i in wanted:
            finding, diagnostic = result.findings[i], result.diagnostics[i]
            fix = finding.fix
            if fix is not None and fix.edits:
                safe = fix.applicability is Applicability.SAFE
                actions.append(types.CodeAction(
                    title=convert.fix_title(finding, result.settings.lang), kind=QUICKFIX,
                    diagnostics=[diagnostic], is_preferred=safe,
                    edit=convert.workspace_edit(state.uri, result.version, converter.text_edits(fix.edits),
                                                document_changes)))
            line = finding.span.line
            if (line, finding.code) in silenced:
                continue
            edit = convert.noqa_edit(result.text, index, line, finding.code)
            if edit is not None:
                silenced.add((line, finding.code))
                ignores.append(types.CodeAction(
                    title=f"{finding.code}: ignore this finding here (# noqa: {finding.code})", kind=QUICKFIX,
                    diagnostics=[diagnostic], is_preferred=False,
                    edit=convert.workspace_edit(state.uri, result.version, converter.text_edits([edit]),
                                                document_changes)))
        return actions + ignores

    # --- hover -----------------------------------------------------------------------------------

    async def hover(self, params: types.HoverParams) -> types.Hover | None:
        state = self.documents.get(params.text_document.uri)
        if state is None:
            return None
        text = self.workspace.get_text_document(state.uri).source
        if state.analysis is None or state.analysis[0] != text:
            analysis = await asyncio.get_running_loop().run_in_executor(
                self.executor, Analysis.of, text, state.path or state.uri)
            state.analysis = (text, analysis)
        analysis = state.analysis[1]
        if analysis is None:
            return None
        encoding = self.encoding
        index = LineIndex(text)
        offset = index.offset(params.position.line, params.position.character, encoding)
        line = index.line_of(offset)
        found = hover_at(analysis, line + 1, offset - index.starts[line])
        if found is None:
            return None
        start_line, start_column, end_line, end_column = found.span
        converter = convert.Converter(state.uri, state.path, index, encoding)
        return types.Hover(
            contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=found.markdown),
            range=converter.range(index.span_offset(start_line, start_column + 1),
                                  index.span_offset(end_line, end_column + 1)))


# --- helpers -------------------------------------------------------------------------------------


def _overlaps(a: types.Range, b: types.Range) -> bool:
    a_start, a_end = (a.start.line, a.start.character), (a.end.line, a.end.character)
    b_start, b_end = (b.start.line, b.start.character), (b.end.line, b.end.character)
    return a_start <= b_end and b_start <= a_end


def _capability(server: LanguageServer, dotted: str) -> Any:
    value: Any = server.client_capabilities
    for part in dotted.split("."):
        value = getattr(value, part, None)
        if value is None:
            return None
    return value


@contextlib.contextmanager
def _no_garbage_collection() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _with_fixes(result: CheckResult, path: str) -> list[Diagnostic]:
    """The published findings again, each with its fix: diagnostics are published without fixes (a
    fix costs a parse per finding), so fixes are built when the editor asks for actions, by the same
    pipeline and settings, and matched to the published findings by code and place, never by index."""
    try:
        built = api.check_text(result.text, path, settings=result.settings, fixes=True)
    except Exception:
        logger.exception("building the fixes of %s failed", path)
        return result.findings
    by_place = {(d.code, d.span): d for d in built}
    return [by_place.get((d.code, d.span), d) for d in result.findings]


def _is_python(uri: str, language_id: str | None) -> bool:
    return language_id == "python" or uri.endswith(PYTHON_SUFFIXES)


# --- the server and its handlers -------------------------------------------------------------------


def create_server() -> LayerlintServer:
    server = LayerlintServer()

    @server.feature(types.INITIALIZE)
    def initialize(ls: LayerlintServer, params: types.InitializeParams) -> None:
        settings_module.set_editor_settings(params.initialization_options)

    @server.feature(types.INITIALIZED)
    def initialized(ls: LayerlintServer, params: types.InitializedParams) -> None:
        ls.executor.submit(_warm_up)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: LayerlintServer, params: types.DidOpenTextDocumentParams) -> None:
        document = params.text_document
        if _is_python(document.uri, document.language_id):
            ls.request_check(ls.state(document.uri), 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: LayerlintServer, params: types.DidChangeTextDocumentParams) -> None:
        state = ls.documents.get(params.text_document.uri)
        if state is not None:
            ls.request_check(state, state.debounce())

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: LayerlintServer, params: types.DidSaveTextDocumentParams) -> None:
        state = ls.documents.get(params.text_document.uri)
        if state is not None:
            ls.request_check(state, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: LayerlintServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.close(params.text_document.uri)

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(ls: LayerlintServer, params: types.DidChangeConfigurationParams) -> None:
        raw = params.settings
        if not raw and _capability(ls, "workspace.configuration"):
            try:  # a client that expects to be asked (pull model)
                answer = await ls.workspace_configuration_async(types.ConfigurationParams(
                    items=[types.ConfigurationItem(section="layerlint")]))
                raw = answer[0] if answer else None
            except Exception:
                logger.exception("asking the client for its configuration failed")
        settings_module.set_editor_settings(raw)
        ls.recheck_all()

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION,
                    types.CodeActionOptions(code_action_kinds=[QUICKFIX], resolve_provider=False))
    async def code_action(ls: LayerlintServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        return await ls.code_actions(params)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def hover(ls: LayerlintServer, params: types.HoverParams) -> types.Hover | None:
        return await ls.hover(params)

    @server.feature(types.SHUTDOWN)
    def shutdown(ls: LayerlintServer, *args: Any) -> None:
        for state in ls.documents.values():
            state.closed = True
            if state.timer is not None:
                state.timer.cancel()
        ls.executor.shutdown(wait=False, cancel_futures=True)

    return server


def _warm_up() -> None:
    """Imports and loads what the first check and hover need, before the first document arrives."""
    try:
        text = ("from keras import layers\n\nclass M(layers.Layer):\n    def __init__(self):\n"
                "        super().__init__()\n        self.bn = layers.BatchNormalization()\n\n"
                "    def call(self, x):\n        return self.bn(x)\n")
        check_source(text, "<warm-up>")
        Analysis.of(text, "<warm-up>")
        import layerlint.catalog.probe  # noqa: F401  (the hover's verdict text)
    except Exception:
        logger.exception("warming up failed")


def serve(stdin: Any = None, stdout: Any = None) -> None:
    create_server().start_io(stdin, stdout)


__all__: Sequence[str] = ("DEBOUNCE", "LATENCY_BUDGET", "LayerlintServer", "create_server", "serve")
