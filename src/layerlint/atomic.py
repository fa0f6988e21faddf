"""Writing a file so that a reader never sees it half-written and a crash never leaves it truncated:
the bytes go to a temporary file in the same folder, then one rename replaces the target.

A symbolic link at the target is refused rather than replaced or followed: replacing it would
turn the link into a plain file, following it would write somewhere the user did not name.
"""

from __future__ import annotations

import os
import tempfile


class LinkRefused(OSError):
    """The target is a symbolic link; the caller reports it as a could-not-write error."""


def _new_file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_bytes(path: str, data: bytes) -> None:
    """Replace (or create) `path` with `data` in one rename, keeping an existing file's permissions."""
    if os.path.islink(path):
        raise LinkRefused(f"{path} is a symbolic link; not writing through it")
    folder = os.path.dirname(os.path.abspath(path))
    mode = os.stat(path).st_mode & 0o7777 if os.path.exists(path) else _new_file_mode()
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(path)}.", suffix=".layerlint")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
