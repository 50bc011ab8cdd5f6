"""Read published annual reports into the canonical record of SCHEMA.md."""

from __future__ import annotations

import hashlib
from pathlib import Path

RELEASE = "0.1.0"


def _fingerprint() -> str:
    """A short hash of the extractor's own code and label tables, and of the shared facts
    it reads with (`nianbao/common`: charsets, numeral years, page containers and labels).

    It is part of `__version__`, so records read by older code are re-extracted by
    `nianbao extract --rebuild` after any change to how reports are read, not only after
    a release.
    """
    here = Path(__file__).parent
    digest = hashlib.sha256()
    for path in [
        *sorted(here.rglob("*.py")),
        *sorted((here.parent / "nianbao" / "common").glob("*.py")),
    ]:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


__version__ = f"{RELEASE}+{_fingerprint()}"
