"""Turn bytes of a page or text file into str: BOM, declared charset, then detection."""

from __future__ import annotations

import re

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
# GB2312 and GBK pages routinely use characters only GB18030 (their superset) names.
_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030"}


def decode_html(data: bytes, declared: str | None = None) -> str:
    """Decode a page: the BOM wins, then an HTTP/meta declaration that decodes cleanly,
    then UTF-8, then detection."""
    charset = declared or _meta_charset(data)
    return decode_bytes(data, charset)


def decode_bytes(data: bytes, charset: str | None = None) -> str:
    for bom, codec in (
        (b"\xef\xbb\xbf", "utf-8"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(codec, errors="replace").lstrip("\ufeff")
    candidates = []
    if charset:
        candidates.append(_ALIASES.get(charset.lower(), charset.lower()))
    candidates += ["utf-8", "gb18030"]
    for codec in candidates:
        try:
            return data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
    # Imported here: nearly every page declares or is UTF-8/GB18030, and the detector's
    # import is a twentieth of reading a page.
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    codec = _ALIASES.get(best.encoding, best.encoding) if best else "gb18030"
    return data.decode(codec, errors="replace")


def _meta_charset(data: bytes) -> str | None:
    match = _META_CHARSET.search(data[:4096])
    return match.group(1).decode("ascii").lower() if match else None
