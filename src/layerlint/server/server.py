"""The language server: documents, when they are checked, and the LSP handlers (pygls).

Checking. A document is checked when it is opened or saved (at once) and when it changes (after a
short debounce). Checks and hover analyses run in a small pool of worker processes (`pool`), one job
of a document at a time, so the server keeps reading messages meanwhile and one slow document holds
one process while the others keep the rest (robustness review H2). A job past its time limit is
stopped with its process and the document shows an LL904 diagnostic saying so. Changes arriving
during a check are coalesced into one check of the newest text, the result of a check whose text is
already outdated is not published, and an outdated check that has run for long is cancelled. The
debounce adapts to the document: it is `DEBOUNCE` for a quick file and shrinks as the file's check
time (a moving average) grows, so that diagnostics for a big file still arrive within
`LATENCY_BUDGET` of a change.

Configuration. Open documents are checked again when a `pyproject.toml` or `layerlint.toml` changes:
at once when the editor reports it (`workspace/didChangeWatchedFiles`, registered when the client
allows), and otherwise when the settings found for a document differ from those of its published
check (looked at every `CONFIG_POLL` seconds). `exit` ends the process at once (0 after `shutdown`,
1 without), ending the worker processes first.

Nothing here imports or runs the edited code: the text is parsed and analysed, as by `layerlint
check`. A file that does not parse gets its LL901 diagnostic like any other finding.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, BinaryIO, cast

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from layerlint._version import __version__
from layerlint.config import CONFIG_FILES, FileSettings
from layerlint.diagnostics import Applicability, Diagnostic
from layerlint.server import convert
from layerlint.server import pool as pool_module
from layerlint.server import settings as settings_module
from layerlint.server.pool import GRACE, CheckStopped, WorkerFailed, WorkerPool
from layerlint.server.positions import UTF16, LineIndex
from layerlint.server.protocol import GuardedInput, LayerlintProtocol
from layerlint.server.settings import settings_for
from layerlint.static import problems

logger = logging.getLogger("layerlint.server")

DEBOUNCE = 0.050  # seconds to wait for more typing before checking a quick file
LATENCY_BUDGET = 0.100  # a change's diagnostics should be out within this
LATENCY_MARGIN = 0.015  # for reading, applying the change and writing the diagnostics
CONFIG_POLL = 2.0  # seconds between looks at the configuration of the open documents
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
    stopped: bool = False  # the check ran past the time limit: its only finding says so


@dataclass(eq=False)
class DocumentState:
    uri: str
    path: str | None
    dirty: bool = False
    closed: bool = False
    timer: asyncio.TimerHandle | None = None
    task: asyncio.Task | None = None  # the loop that checks while the document is dirty
    check: asyncio.Task | None = None  # its current check
    check_started: float = 0.0  # loop time
    superseded: bool = False  # the current check was cancelled for a newer text
    cost: float | None = None  # moving average of a check's duration, in seconds
    result: CheckResult | None = None
    jobs: asyncio.Lock = field(default_factory=asyncio.Lock)  # one worker job of a document at a time

    def debounce(self) -> float:
        if self.cost is None:
            return DEBOUNCE
        return max(0.0, min(DEBOUNCE, LATENCY_BUDGET - LATENCY_MARGIN - 1.25 * self.cost))


class LayerlintServer(LanguageServer):
    def __init__(self, pool: WorkerPool | None = None) -> None:
        super().__init__("layerlint", __version__, protocol_cls=LayerlintProtocol,
                         text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.documents: dict[str, DocumentState] = {}
        self.pool = pool or WorkerPool()
        self.shown_errors: set[str] = set()
        self.poller: asyncio.Task | None = None

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

    def folders(self) -> tuple[str, ...]:
        """The workspace folders' paths: roots for the classes a document inherits from."""
        try:
            uris = [self.workspace.root_uri, *self.workspace.folders]
        except Exception:  # not initialized
            return ()
        return tuple(dict.fromkeys(path for uri in uris if uri and (path := to_fs_path(uri))))

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
        self._cancel_long_check(state)
        if delay > 0:
            state.timer = asyncio.get_running_loop().call_later(delay, self._kick, state)
        else:
            self._kick(state)

    def _cancel_long_check(self, state: DocumentState, closing: bool = False) -> None:
        """A check of an outdated text (or of a closed file) that has run for long is stopped, its
        process with it: the newest text may be the one that no longer takes minutes. "Long" is
        past `GRACE` and, for an edit, twice the file's usual check time: a big file's ordinary
        check runs to its end, as replacing its process on every keystroke would cost more than
        it saves."""
        check = state.check
        if check is None or check.done():
            return
        usual = 2 * state.cost if state.cost is not None and not closing else 0.0
        if asyncio.get_running_loop().time() - state.check_started >= max(GRACE, usual):
            state.superseded = True
            check.cancel()

    def _kick(self, state: DocumentState) -> None:
        state.timer = None
        if state.task is None or state.task.done():
            state.task = asyncio.get_running_loop().create_task(self._run(state))
        # else: the running loop sees `dirty` and checks the newest text when its check ends

    async def _run(self, state: DocumentState) -> None:
        loop = asyncio.get_running_loop()
        while state.dirty and not state.closed and state.timer is None:
            state.dirty = False
            document = self.workspace.get_text_document(state.uri)
            text, version, encoding = document.source, document.version, self.encoding
            settings = self.settings(state.path)
            started = time.perf_counter()
            state.superseded = False
            state.check = loop.create_task(self.findings(state, text, settings))
            state.check_started = loop.time()
            try:
                findings, stopped = await state.check
            except asyncio.CancelledError:
                if state.superseded:
                    continue  # the newer text is checked next (now, or when its debounce ends)
                raise
            except WorkerFailed as error:  # only when the server is shutting down
                logger.debug("no check of %s: %s", state.uri, error)
                return
            finally:
                state.check = None
            elapsed = time.perf_counter() - started
            logger.debug("checked %s v%s in %.1f ms (%s findings)%s", state.uri, version, elapsed * 1000,
                         len(findings), " (outdated)" if state.dirty else "")
            if not stopped:  # a stopped check says nothing of how long the file's checks take
                state.cost = elapsed if state.cost is None else 0.7 * state.cost + 0.3 * elapsed
            if state.closed or state.dirty:
                continue  # outdated: the newer text is checked next (now, or when its debounce ends)
            result = self._result(state, text, version, settings, encoding, findings, stopped)
            state.result = result
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
                uri=state.uri, diagnostics=result.diagnostics, version=version))

    async def findings(self, state: DocumentState, text: str, settings: FileSettings,
                       fixes: bool = False) -> tuple[list[Diagnostic], bool]:
        """The findings of one text of the document, from a worker process, and whether the check
        was stopped at the time limit (then the only finding says so). A check that failed gives
        LL903; WorkerFailed is raised only when the server is shutting down."""
        path = state.path or state.uri
        async with state.jobs:
            try:
                return await self.pool.call("check", (text, path, settings, fixes, self.folders())), False
            except CheckStopped as stop:
                return [convert.stopped_check(path, stop.seconds)], True
            except WorkerFailed as error:
                if self.pool.closed:
                    raise
                logger.error("checking %s failed: %s", state.uri, error)
                return [problems.internal_error(path, error)], False

    def _result(self, state: DocumentState, text: str, version: int | None, settings: FileSettings,
                encoding: str, findings: list[Diagnostic], stopped: bool) -> CheckResult:
        converter = convert.Converter(state.uri, state.path or state.uri, LineIndex(text), encoding, settings.lang)
        return CheckResult(version, text, settings, findings,
                           [converter.diagnostic(finding) for finding in findings], encoding, stopped=stopped)

    async def current_result(self, state: DocumentState) -> CheckResult | None:
        """The check result of the document's current text (checking it now if needed)."""
        document = self.workspace.get_text_document(state.uri)
        text, version, encoding = document.source, document.version, self.encoding
        settings = self.settings(state.path)
        result = state.result
        if (result is None or result.text != text or result.settings != settings
                or result.encoding != encoding):
            findings, stopped = await self.findings(state, text, settings)
            result = self._result(state, text, version, settings, encoding, findings, stopped)
        return result

    def recheck_all(self) -> None:
        for state in list(self.documents.values()):
            state.result = None
            self.request_check(state, 0)

    async def watch_configuration(self) -> None:
        """Rechecks an open document whose configuration changed though no event said so (X8)."""
        while True:
            await asyncio.sleep(CONFIG_POLL)
            for state in list(self.documents.values()):
                result = state.result
                if result is not None and not state.closed and self.settings(state.path) != result.settings:
                    logger.info("the configuration of %s changed: checking it again", state.uri)
                    self.request_check(state, 0)

    def close(self, uri: str) -> None:
        state = self.documents.pop(uri, None)
        if state is None:
            return
        state.closed = True
        if state.timer is not None:
            state.timer.cancel()
        self._cancel_long_check(state, closing=True)
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    def stop(self) -> None:
        """For `shutdown` and `exit`: no more checks, and the worker processes end."""
        for state in self.documents.values():
            state.closed = True
            if state.timer is not None:
                state.timer.cancel()
        if self.poller is not None:
            self.poller.cancel()
        self.pool.close()

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
        if result.stopped:  # nothing to fix or silence: the check did not finish
            return []
        wanted = [i for i, d in enumerate(result.diagnostics) if _overlaps(d.range, params.range)]
        if not wanted:
            return []
        if any(result.findings[i].fix is None for i in wanted) and not result.fixes_attached:
            result.findings = await self._with_fixes(state, result)
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

    async def _with_fixes(self, state: DocumentState, result: CheckResult) -> list[Diagnostic]:
        """The published findings again, each with its fix: diagnostics are published without fixes
        (a fix costs a parse per finding), so fixes are built when the editor asks for actions, by
        the same pipeline and settings, and matched to the published findings by code and place,
        never by index."""
        built, stopped = await self.findings(state, result.text, result.settings, fixes=True)
        if stopped:
            return result.findings
        by_place = {(d.code, d.span): d for d in built}
        return [by_place.get((d.code, d.span), d) for d in result.findings]

    # --- hover -----------------------------------------------------------------------------------

    async def hover(self, params: types.HoverParams) -> types.Hover | None:
        state = self.documents.get(params.text_document.uri)
        if state is None:
            return None
        text = self.workspace.get_text_document(state.uri).source
        encoding = self.encoding
        index = LineIndex(text)
        offset = index.offset(params.position.line, params.position.character, encoding)
        line = index.line_of(offset)
        async with state.jobs:
            try:
                found = await self.pool.call("hover", (text, state.path or state.uri, line + 1,
                                                       offset - index.starts[line]), key=state.uri)
            except (CheckStopped, WorkerFailed) as error:
                logger.warning("no hover for %s: %s", state.uri, error)
                return None
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


def _is_python(uri: str, language_id: str | None) -> bool:
    return language_id == "python" or uri.endswith(PYTHON_SUFFIXES)


# --- the server and its handlers -------------------------------------------------------------------


def create_server(time_limit: float | None = None, workers: int | None = None,
                  pool: WorkerPool | None = None) -> LayerlintServer:
    """The server; its worker processes: `pool`, or a new pool of `workers` with `time_limit`."""
    if pool is None:
        pool = WorkerPool(size=workers or pool_module.SIZE,
                          time_limit=pool_module.TIME_LIMIT if time_limit is None else time_limit)
    server = LayerlintServer(pool)

    @server.feature(types.INITIALIZE)
    def initialize(ls: LayerlintServer, params: types.InitializeParams) -> None:
        settings_module.set_editor_settings(params.initialization_options)
        ls.pool.start()  # the processes warm up while the editor opens its first document

    @server.feature(types.INITIALIZED)
    def initialized(ls: LayerlintServer, params: types.InitializedParams) -> None:
        ls.poller = asyncio.get_running_loop().create_task(ls.watch_configuration())
        if _capability(ls, "workspace.did_change_watched_files.dynamic_registration"):
            asyncio.ensure_future(_watch_configuration_files(ls))

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
        # Another open module may import what was saved (`from .norms import make_norm`): each check
        # reads the project afresh from disk, so checking them again shows the saved version's effect.
        if _is_python(params.text_document.uri, None):
            for other in list(ls.documents.values()):
                if other is not state and not other.closed:
                    ls.request_check(other, 0)

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

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(ls: LayerlintServer, params: types.DidChangeWatchedFilesParams) -> None:
        if any(change.uri.rstrip("/").rpartition("/")[2] in CONFIG_FILES for change in params.changes):
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
        ls.stop()

    @server.feature(types.EXIT)
    def exit_(ls: LayerlintServer, *args: Any) -> None:
        """Ends the process now: a thread blocked on stdin would keep it alive otherwise (H2)."""
        ls.stop()
        logging.shutdown()
        os._exit(0 if ls.protocol._shutdown else 1)

    return server


async def _watch_configuration_files(ls: LayerlintServer) -> None:
    watchers = [types.FileSystemWatcher(glob_pattern=f"**/{name}") for name in CONFIG_FILES]
    try:
        await ls.client_register_capability_async(types.RegistrationParams(registrations=[types.Registration(
            id="layerlint-configuration-files", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
            register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers))]))
    except Exception:
        logger.exception("the editor refused to watch the configuration files")


def serve(stdin: Any = None, stdout: Any = None, time_limit: float | None = None,
          workers: int | None = None, pool: WorkerPool | None = None) -> None:
    server = create_server(time_limit, workers, pool)
    try:
        server.start_io(cast(BinaryIO, GuardedInput(stdin or sys.stdin.buffer)), stdout)
    finally:
        server.pool.close()


__all__: Sequence[str] = ("DEBOUNCE", "LATENCY_BUDGET", "LayerlintServer", "create_server", "serve")
