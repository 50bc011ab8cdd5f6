"""Write-to-temp-then-rename: a reader sees the old file or the new one, never half of one,
and a run killed while writing leaves at most a hidden temporary file behind.

The temporary file sits beside the target (a rename is atomic only within one file
system) under a name of its own (`.NAME.<random>.tmp`), so two processes writing the same
target never write into each other's temporary file.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def replacing(target: Path, *, fsync: bool = False) -> Iterator[Path]:
    """A temporary path beside `target` to write (a file, a hard link or a symlink); when
    the block ends it is renamed over `target` (flushed to disk first with `fsync`), or
    removed if the block raised."""
    target = Path(target)
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        yield tmp
        if fsync:
            fd = os.open(tmp, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_bytes(target: Path, data: bytes, *, fsync: bool = False) -> None:
    """`data` as the whole content of `target`, atomically."""
    with replacing(target, fsync=fsync) as tmp:
        tmp.write_bytes(data)


def write_text(target: Path, text: str, *, fsync: bool = False) -> None:
    """`text` as the whole content of `target` in UTF-8, atomically."""
    with replacing(target, fsync=fsync) as tmp:
        tmp.write_text(text, encoding="utf-8")
