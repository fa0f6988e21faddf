"""pygls's LSP protocol with the corners the robustness review found mended (pygls 2.1.1).

- H10: `JsonRPCProtocol._execute_handler` keeps a future in `_request_futures` for every
  notification whose handler is a generator (pygls's own didOpen/didChange/didClose are) and for
  each step of such a handler, and never removes it: about 2 KB per keystroke, forever. Done
  futures are dropped after each message; a request's future is removed by pygls when it answers,
  so only finished bookkeeping goes.
- X7: a request whose params do not fit its method (`null`, a string, a negative position) got no
  answer at all, and neither did a request after `shutdown`; the editor waited. They get an
  InvalidParams / InvalidRequest error now.
- X7: an absurd Content-Length (`99999999999999999999`) made pygls call `read()` with a number
  that does not fit a C size and the server died with OverflowError; `GuardedInput` refuses such a
  length and the server reads on from the next header (even one glued to the refused body).
"""

from __future__ import annotations

import logging
from typing import Any, BinaryIO

from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams, JsonRpcInvalidRequest
from pygls.protocol import LanguageServerProtocol

logger = logging.getLogger("layerlint.server")

MAX_MESSAGE_BYTES = 256 * 1024 * 1024  # far above any source file an editor sends (H11: 50 MB)


class Unanswerable:
    """A request that cannot be handled; it is answered with `error`."""

    def __init__(self, ident: Any, method: str, error: JsonRpcException):
        self.id, self.method, self.error = ident, method, error
        self.jsonrpc = LanguageServerProtocol.VERSION


class LayerlintProtocol(LanguageServerProtocol):
    def structure_message(self, data: dict[str, Any]) -> Any:
        try:
            return super().structure_message(data)
        except JsonRpcException as error:
            if not _is_request(data):
                raise
            return Unanswerable(data["id"], data["method"], JsonRpcInvalidParams(
                f"the params do not fit {data['method']}: {error.__cause__ or error}"))

    def handle_message(self, message: Any) -> None:
        if isinstance(message, Unanswerable):
            logger.warning("request %r (%s): %s", message.id, message.method, message.error)
            self._send_response(message.id, error=message.error.to_response_error())
            return
        if self._shutdown and _is_request(message) and message.method != types.EXIT:
            self._send_response(message.id, error=JsonRpcInvalidRequest(
                f"the server is shut down; {message.method} is not handled").to_response_error())
            return
        try:
            super().handle_message(message)
        finally:
            self.forget_finished()

    def forget_finished(self) -> None:
        """H10: drops the futures of finished handlers (pygls keeps one per notification)."""
        done = [ident for ident, future in self._request_futures.items() if future.done()]
        for ident in done:
            self._request_futures.pop(ident, None)


def _is_request(message: Any) -> bool:
    if isinstance(message, dict):
        return "id" in message and isinstance(message.get("method"), str) and isinstance(message["id"], (int, str))
    return isinstance(getattr(message, "method", None), str) and isinstance(getattr(message, "id", None), (int, str))


class GuardedInput:
    """The server's stdin as pygls reads it, refusing a body length no editor sends (X7). After a
    refusal it looks for the next `Content-Length` header, even at the end of the refused body's
    line, so the messages that follow are read."""

    HEADER = b"Content-Length:"

    def __init__(self, stream: BinaryIO):
        self.stream = stream
        self.resync = False

    def readline(self) -> bytes:
        line = self.stream.readline()
        if self.resync:
            at = line.find(self.HEADER)
            if at >= 0:
                self.resync = False
                return line[at:]
        return line

    def read(self, size: int) -> bytes:
        if size > MAX_MESSAGE_BYTES:
            logger.error("a message of %d bytes (Content-Length) is refused; reading on from the next header", size)
            self.resync = True
            return b" "  # not JSON: pygls logs and drops the message, and reads headers again
        return self.stream.read(size)
