"""The one way layerlint writes a file: a user's file it fixes (`--fix`, notebooks), a configuration it
extends (`init`), or a file of its own (a baseline).

A fix is computed from the bytes that were read, sometimes seconds earlier; the file may have been
edited since, or may not be what it looks like. So the replacement:

- refuses a symbolic link (layerlint never follows a link it did not create: the target may be
  outside the project), a file with other hard links (a new file would split them), a file that is
  not regular, and a read-only file (its owner said "do not write");
- re-reads the file just before the rename and refuses if it no longer holds the bytes the fix was
  computed from (an edit saved meanwhile is never overwritten);
- writes a temporary file in the same folder (short name: a long file name still fits NAME_MAX),
  with the original's mode and, where permitted, owner and group, then renames it over the file in
  one step, so a reader sees the old or the new file, never half of one.

A refusal is a `WriteRefused` whose message says why, for the user; nothing is changed then.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable

from layerlint.diagnostics import Text
from layerlint.i18n import N_


class WriteRefused(OSError):
    """The file was not written; `reason` says why (an `OSError`, so callers that report write
    failures report this one too)."""

    def __init__(self, reason: Text):
        super().__init__(reason.render())
        self.reason = reason


def _refuse(template: str, **args: object) -> WriteRefused:
    return WriteRefused(Text(template, args))


def check_writable(path: str) -> os.stat_result:
    """The file's status, or `WriteRefused` when layerlint must not replace it."""
    try:
        status = os.lstat(path)
    except OSError as error:
        raise _refuse(N_("cannot be written: {reason}"), reason=error.strerror or str(error)) from None
    if stat.S_ISLNK(status.st_mode):
        raise _refuse(N_("is a symbolic link: not rewritten (fix the file it points to instead)"))
    if not stat.S_ISREG(status.st_mode):
        raise _refuse(N_("is not a regular file: not rewritten"))
    if status.st_nlink > 1:
        raise _refuse(N_("has other hard links: not rewritten (a new file would separate them)"))
    if not status.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        raise _refuse(N_("is read-only: not rewritten"))
    return status


def _current_bytes(path: str) -> bytes | None:
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    with os.fdopen(descriptor, "rb") as handle:
        return handle.read()


def replace_file(path: str, data: bytes, original: bytes) -> None:
    """Replaces the file at `path`, which must still hold `original`, with `data`."""
    status = check_writable(path)
    temporary = _temporary_copy(path, data, stat.S_IMODE(status.st_mode))

    def still_original() -> None:
        _keep_owner(temporary, status)
        if _current_bytes(path) != original or check_writable(path).st_ino != status.st_ino:
            raise _refuse(N_("changed while it was being fixed: not rewritten; run again"))

    _rename_or_discard(temporary, path, still_original)


def _temporary_copy(path: str, data: bytes, mode: int) -> str:
    """`data` in a new file beside `path`, flushed to disk, with `mode`; its name is short, so that
    a file whose own name is long still fits the folder's name limit."""
    folder = os.path.dirname(os.path.abspath(path))
    try:
        descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=".ll-", suffix=".tmp")
    except OSError as error:
        raise _refuse(N_("cannot be written: {reason}"), reason=error.strerror or str(error)) from None
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
    except BaseException:
        os.unlink(temporary)
        raise
    return temporary


def _keep_owner(temporary: str, status: os.stat_result) -> None:
    """A new file belongs to whoever runs layerlint; give it the original's owner and group where the
    system allows (as root in a CI container on a mounted volume, it does)."""
    if not hasattr(os, "chown"):
        return
    try:
        os.chown(temporary, status.st_uid, status.st_gid)
    except OSError:
        pass  # not permitted: keeps the running user's ownership, as any editor would


def write_file(path: str, data: bytes) -> None:
    """Creates `path`, or replaces what it holds now, with `data` in one rename: for files whose
    previous contents layerlint does not need to protect (a baseline it wrote itself). A symbolic
    link there is refused as by `replace_file`."""
    if os.path.lexists(path):
        replace_file(path, data, _current_bytes(path) or b"")
        return
    _rename_or_discard(_temporary_copy(path, data, 0o666 & ~_umask()), path, lambda: None)


def _rename_or_discard(temporary: str, path: str, before: Callable[[], None]) -> None:
    """Runs `before` (which may refuse), then renames `temporary` over `path`; on any failure the
    temporary file is removed, so nothing of layerlint's is left beside the user's file."""
    try:
        before()
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
