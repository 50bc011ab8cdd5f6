"""Reading one document file from disk: regular files only, the size cap kept while reading.

A batch is pointed at whatever a directory holds, so the edge must refuse what is not a
document before it blocks or fills memory: a FIFO would wait for a writer forever,
`/dev/zero` never ends, and a file in /proc says it is empty while holding more. Every
refusal is an `ExtractError` carrying the status the document ends in.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from extract.model import ExtractError

# The size at which a file is refused unread, unless the caller says otherwise.
DEFAULT_MAX_BYTES = 100 * 1024 * 1024
# One read covers a typical report, so the common case joins nothing.
CHUNK_BYTES = 8 * 1024 * 1024

_NOT_REGULAR = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def read_capped(path: Path, max_bytes: int) -> bytes:
    """The bytes of the regular file at `path`, refused past `max_bytes` read."""
    try:
        _refuse_irregular(os.stat(path), max_bytes)
        # O_NONBLOCK: should the path have become a FIFO since the stat, opening it does
        # not wait for a writer; the fstat below then refuses it.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    except OSError as exc:
        raise ExtractError("failed", os_reason(exc)) from exc
    try:
        _refuse_irregular(os.fstat(fd), max_bytes)
        chunks: list[bytes] = []
        total = 0
        while chunk := os.read(fd, min(CHUNK_BYTES, max_bytes + 1 - total)):
            chunks.append(chunk)
            total += len(chunk)
            if total > max_bytes:
                raise ExtractError(
                    "failed", f"file holds more than the {human_size(max_bytes)} cap"
                )
    except OSError as exc:
        raise ExtractError("failed", os_reason(exc)) from exc
    finally:
        os.close(fd)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _refuse_irregular(st: os.stat_result, max_bytes: int) -> None:
    for test, kind in _NOT_REGULAR:
        if test(st.st_mode):
            raise ExtractError("unsupported", f"not a regular file: {kind}")
    if st.st_size > max_bytes:
        raise ExtractError(
            "failed", f"file is {human_size(st.st_size)}, over the {human_size(max_bytes)} cap"
        )


def os_reason(exc: OSError, action: str = "read file") -> str:
    """'cannot read file: permission denied' — the system's words, as one lower-case line."""
    words = exc.strerror or str(exc)
    return f"cannot {action}: {words[:1].lower()}{words[1:]}"


def source_name(path: Path | str) -> str:
    """A path as valid text for a record's `source`.

    A name is bytes on Linux and need not be UTF-8; bytes that are not are written as
    `\\xNN` (Python's backslashreplace), so the JSON stays UTF-8 and names that are
    valid UTF-8 come out exactly as given.
    """
    return os.fsencode(path).decode("utf-8", errors="backslashreplace")


def human_size(n: float) -> str:
    if n < 1024:
        return f"{n:.0f} bytes"
    for unit in ("KB", "MB"):
        n /= 1024
        if n < 1024:
            return f"{n:.1f} {unit}"
    return f"{n / 1024:.1f} GB"
