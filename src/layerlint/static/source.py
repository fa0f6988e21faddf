"""Reading a file as Python source: bytes to text the way Python itself decodes it (BOM, coding
cookie), and a clear reason when that is impossible (binary, undecodable, unreadable)."""

from __future__ import annotations

import ast
import io
import tokenize
import warnings
from dataclasses import dataclass

MAX_BYTES = 50 * 1024 * 1024  # larger files are not model code; refuse rather than exhaust memory


@dataclass(frozen=True)
class SourceText:
    text: str
    encoding: str
    newline: str


class UnreadableSource(Exception):
    """The file cannot be read as Python text; the message says why, for a diagnostic."""


def decode(data: bytes) -> SourceText:
    if b"\x00" in data:
        raise UnreadableSource("binary file (contains NUL bytes)")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:
        if "missing" in str(error.msg):
            raise UnreadableSource("not valid utf-8, and no coding declaration names another encoding") from None
        raise UnreadableSource(f"bad encoding declaration: {error.msg}") from None
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as error:
        raise UnreadableSource(f"not valid {encoding}: {error}") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    newline = "\r\n" if "\r\n" in text else "\r" if "\r" in text else "\n"
    return SourceText(text, encoding, newline)


def read(path: str) -> SourceText:
    return decode(read_bytes(path))


def read_bytes(path: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise UnreadableSource("file not found (deleted while checking?)") from None
    except IsADirectoryError:
        raise UnreadableSource("is a directory") from None
    except OSError as error:
        raise UnreadableSource(error.strerror or str(error)) from None
    if len(data) > MAX_BYTES:
        raise UnreadableSource(f"larger than {MAX_BYTES // (1024 * 1024)} MB; not checked")
    return data


def parse(text: str, path: str = "<string>") -> ast.Module:
    """`ast.parse` without the SyntaxWarnings CPython prints for odd code (`"\\d"`, `[1] [2]`): they
    belong to the checked code's own compile, not to a lint run's output."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(text, filename=path)
