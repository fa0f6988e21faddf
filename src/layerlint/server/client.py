"""A minimal synchronous LSP client over a subprocess's stdio, as an editor drives a server.

For the acceptance tests and the latency benchmark (and scripting): JSON-RPC framing of our own,
the message types of `lsprotocol`. A reader thread collects responses and notifications, stamping
each with its arrival time; requests from the server are answered (`workspace/configuration` with
`configuration`, anything else with null).

    with StdioClient([sys.executable, "-m", "layerlint.server"]) as client:
        client.initialize()
        client.open(uri, text)
        published = client.wait_diagnostics(uri)
"""

from __future__ import annotations

import itertools
import json
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from lsprotocol import converters, types

_converter = converters.get_converter()


class ServerError(RuntimeError):
    """The server answered a request with an error."""


@dataclass
class Message:
    payload: dict[str, Any]
    received: float  # time.perf_counter() when it was read


def to_json(value: Any) -> Any:
    """An lsprotocol value (or plain data) as JSON data."""
    return _converter.unstructure(value) if value is not None and not isinstance(value, (dict, list)) else value


class StdioClient:
    def __init__(self, command: Sequence[str], cwd: str | None = None, env: dict[str, str] | None = None,
                 stderr: Any = None):
        self.process = subprocess.Popen(list(command), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=stderr, cwd=cwd, env=env)
        self._ids = itertools.count(1)
        self._condition = threading.Condition()
        self._responses: dict[Any, Message] = {}
        self.notifications: list[Message] = []
        self.server_requests: list[Message] = []  # requests from the server, each answered
        self.configuration: Any = {}
        self.server_capabilities: types.ServerCapabilities | None = None
        self._write_lock = threading.Lock()
        self._reader = threading.Thread(target=self._read_loop, name="lsp-client-reader", daemon=True)
        self._reader.start()

    # --- framing ---------------------------------------------------------------------------------

    def _send(self, payload: dict[str, Any]) -> float:
        body = json.dumps(payload, separators=(",", ":")).encode("utf-8")
        return self.send_raw(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def send_raw(self, data: bytes) -> float:
        """Writes bytes as they are (framing included): for tests of malformed input."""
        with self._write_lock:
            self.process.stdin.write(data)
            self.process.stdin.flush()
            return time.perf_counter()

    def _read_loop(self) -> None:
        stream = self.process.stdout
        try:
            while True:
                length = None
                while True:
                    line = stream.readline()
                    if not line:
                        return
                    line = line.strip()
                    if not line:
                        break
                    name, _, value = line.decode("ascii").partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value.strip())
                if length is None:
                    continue
                payload = json.loads(stream.read(length).decode("utf-8"))
                message = Message(payload, time.perf_counter())
                if "method" in payload and "id" in payload:
                    with self._condition:
                        self.server_requests.append(message)
                    self._answer(payload)
                    continue
                with self._condition:
                    if "method" in payload:
                        self.notifications.append(message)
                    else:
                        self._responses[payload.get("id")] = message
                    self._condition.notify_all()
        finally:
            with self._condition:
                self._condition.notify_all()

    def _answer(self, request: dict[str, Any]) -> None:
        result: Any = None
        if request["method"] == types.WORKSPACE_CONFIGURATION:
            result = [self.configuration for _ in request.get("params", {}).get("items", [])]
        self._send({"jsonrpc": "2.0", "id": request["id"], "result": result})

    # --- messages --------------------------------------------------------------------------------

    def notify(self, method: str, params: Any = None) -> float:
        """Sends a notification; returns when it was written (time.perf_counter())."""
        payload: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            payload["params"] = to_json(params)
        return self._send(payload)

    def request_raw(self, method: str, params: Any = None, timeout: float = 30.0) -> dict[str, Any]:
        payload: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            payload["params"] = to_json(params)
        return self.request_payload(payload, timeout)

    def request_payload(self, payload: dict[str, Any], timeout: float = 30.0) -> dict[str, Any]:
        """Sends a request given as JSON data (its id is added) and returns the response's JSON;
        raises ServerError for an error response."""
        ident = next(self._ids)
        payload = {**payload, "id": ident}
        method = payload.get("method")
        self._send(payload)
        deadline = time.monotonic() + timeout
        with self._condition:
            while ident not in self._responses:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or (self.process.poll() is not None and ident not in self._responses):
                    raise TimeoutError(f"no answer to {method} within {timeout} s")
                self._condition.wait(min(remaining, 0.5))
            response = self._responses.pop(ident).payload
        if "error" in response:
            raise ServerError(f"{method}: {response['error']}")
        return response

    def request(self, method: str, params: Any = None, timeout: float = 30.0) -> Any:
        """Sends a request and returns its result as lsprotocol types."""
        response = self.request_raw(method, params, timeout)
        response_type = types.METHOD_TO_TYPES[method][1]
        if response_type is None:
            return response.get("result")
        return _converter.structure(response, response_type).result

    def wait_for(self, predicate: Callable[[Message], bool], start: int = 0, timeout: float = 10.0) -> tuple[int, Message]:
        """The first notification from index `start` on that satisfies `predicate`, and its index."""
        deadline = time.monotonic() + timeout
        with self._condition:
            while True:
                for index in range(start, len(self.notifications)):
                    if predicate(self.notifications[index]):
                        return index, self.notifications[index]
                start = len(self.notifications)
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self.process.poll() is not None:
                    raise TimeoutError("the awaited notification did not come")
                self._condition.wait(min(remaining, 0.5))

    # --- the editor's side of LSP ----------------------------------------------------------------

    def initialize(self, initialization_options: Any = None, position_encodings: Sequence[str] | None = None,
                   root_uri: str | None = None, watch_files: bool = False) -> types.InitializeResult:
        """`watch_files`: offer `workspace/didChangeWatchedFiles` with dynamic registration."""
        capabilities = types.ClientCapabilities(
            general=types.GeneralClientCapabilities(position_encodings=list(position_encodings))
            if position_encodings else None,
            text_document=types.TextDocumentClientCapabilities(
                publish_diagnostics=types.PublishDiagnosticsClientCapabilities(
                    related_information=True, version_support=True, code_description_support=True),
                code_action=types.CodeActionClientCapabilities(
                    code_action_literal_support=types.ClientCodeActionLiteralOptions(
                        code_action_kind=types.ClientCodeActionKindOptions(value_set=[
                            types.CodeActionKind.QuickFix]))),
                hover=types.HoverClientCapabilities(content_format=[types.MarkupKind.Markdown]),
            ),
            workspace=types.WorkspaceClientCapabilities(
                workspace_edit=types.WorkspaceEditClientCapabilities(document_changes=True),
                did_change_watched_files=types.DidChangeWatchedFilesClientCapabilities(dynamic_registration=True)
                if watch_files else None,
                configuration=True),
        )
        result = self.request(types.INITIALIZE, types.InitializeParams(
            capabilities=capabilities, process_id=None, root_uri=root_uri,
            initialization_options=initialization_options))
        self.server_capabilities = result.capabilities
        self.notify(types.INITIALIZED, types.InitializedParams())
        return result

    def open(self, uri: str, text: str, version: int = 1, language_id: str = "python") -> float:
        return self.notify(types.TEXT_DOCUMENT_DID_OPEN, types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id=language_id, version=version, text=text)))

    def change(self, uri: str, version: int, changes: list[types.TextDocumentContentChangeEvent]) -> float:
        return self.notify(types.TEXT_DOCUMENT_DID_CHANGE, types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=changes))

    def replace_all(self, uri: str, version: int, text: str) -> float:
        return self.change(uri, version, [types.TextDocumentContentChangeWholeDocument(text=text)])

    def save(self, uri: str) -> float:
        return self.notify(types.TEXT_DOCUMENT_DID_SAVE, types.DidSaveTextDocumentParams(
            text_document=types.TextDocumentIdentifier(uri=uri)))

    def close_document(self, uri: str) -> float:
        return self.notify(types.TEXT_DOCUMENT_DID_CLOSE, types.DidCloseTextDocumentParams(
            text_document=types.TextDocumentIdentifier(uri=uri)))

    def mark(self) -> int:
        """The index the next notification will have (to wait only for later ones)."""
        with self._condition:
            return len(self.notifications)

    def wait_diagnostics(self, uri: str, version: int | None = None, start: int = 0,
                         timeout: float = 10.0) -> tuple[types.PublishDiagnosticsParams, float]:
        """The first diagnostics published for `uri` (for `version`, if given) from notification
        `start` on, and when they arrived."""
        def wanted(message: Message) -> bool:
            params = message.payload.get("params") or {}
            return (message.payload.get("method") == types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS
                    and params.get("uri") == uri and (version is None or params.get("version") == version))

        _, message = self.wait_for(wanted, start, timeout)
        return _converter.structure(message.payload["params"], types.PublishDiagnosticsParams), message.received

    def shutdown(self, timeout: float = 10.0) -> int:
        """shutdown, exit, and the server's exit code."""
        self.request(types.SHUTDOWN, None, timeout)
        self.notify(types.EXIT)
        try:
            return self.process.wait(timeout)
        finally:
            self._close_pipes()

    def _close_pipes(self) -> None:
        for stream in (self.process.stdin, self.process.stdout):
            try:
                stream.close()
            except Exception:
                pass

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._close_pipes()

    def __enter__(self) -> StdioClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.kill()


def apply_text_edits(text: str, edits: list[types.TextEdit], encoding: str = "utf-16") -> str:
    """Applies LSP text edits (positions in `encoding`, all relative to `text`) as an editor does."""
    from layerlint.server.positions import LineIndex

    index = LineIndex(text)
    spans = []
    for order, edit in enumerate(edits):
        start = index.offset(edit.range.start.line, edit.range.start.character, encoding)
        end = index.offset(edit.range.end.line, edit.range.end.character, encoding)
        spans.append((start, end, order, edit.new_text))
    for start, end, _, new_text in sorted(spans, key=lambda s: (s[0], s[1], s[2]), reverse=True):
        text = text[:start] + new_text + text[end:]
    return text
