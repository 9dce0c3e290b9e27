"""Reading the small files a command is pointed at (trust anchors, root hints, evidence,
DS sets): never a device, a FIFO or a directory, never more than a named size.

`/dev/zero` as `--trust-anchor` grew memory until the process was killed, and a FIFO
blocked the command forever.  Each reader calls :func:`read_small`; what it refuses is an
:class:`OSError` whose ``strerror`` is the one-line reason, so the callers' existing
"cannot read F (reason)" messages say it.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

#: Trust-anchor, root-hints and DS files: a root hints file is ~3 KB, a trust anchor
#: file a few hundred octets; a megabyte is far beyond any honest one.
MAX_TEXT_FILE = 1 << 20

#: Evidence files: a check of a deep name behind many servers saves a few MB.
MAX_EVIDENCE_FILE = 64 << 20


def read_small(path: str | Path, limit: int) -> bytes:
    """The bytes of the regular file *path*, at most *limit* of them, or OSError."""
    if "\0" in str(path):
        raise OSError(errno.EINVAL, "a path has no NUL character")
    # O_NONBLOCK: opening a FIFO must not wait for a writer; a regular file ignores it
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        if info.st_size > limit:
            raise OSError(errno.EFBIG, f"larger than {limit} bytes")
        with os.fdopen(fd, "rb", closefd=False) as stream:
            data = stream.read(limit + 1)
    finally:
        os.close(fd)
    if len(data) > limit:  # grew while being read
        raise OSError(errno.EFBIG, f"larger than {limit} bytes")
    return data
