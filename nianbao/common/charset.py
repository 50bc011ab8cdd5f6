"""Bytes of a portal page or text file into str: the one decoding the crawler and the
extractor share.

Chinese portals declare GB2312 or GBK and use characters only GB18030 (their superset)
names; servers send a default `charset=iso-8859-1` they know nothing about; Word-pasted
markup names fonts such as 仿宋_GB2312 that are not charsets. The order: a BOM, then a
declaration that decodes cleanly, then UTF-8, then GB18030; a page that decodes cleanly
under none keeps its declaration (undecodable bytes replaced), or, undeclared, the
charset detected from its bytes.
"""

from __future__ import annotations

import re

# Every label of the GB family: decoded as GB18030, which names all their characters.
GB_FAMILY = frozenset({"gb2312", "gbk", "gb_2312-80", "x-gbk", "gb18030", "cp936"})
# Charsets a server sends by default rather than because it knows the page's.
WEAK_DEFAULTS = frozenset(
    {"iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii", "windows-1252", "cp1252"}
)
_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?([\w-]+)""", re.I)
DETECT_BYTES = 200_000  # enough of a page for detection, whatever its size


def codec(name: str) -> str:
    """The codec to decode a declared charset with (every GB label → gb18030)."""
    name = name.strip().lower()
    return "gb18030" if name in GB_FAMILY else name


def header_charset(content_type: str | None) -> str | None:
    """The charset a Content-Type header declares, unless it is a server's weak default."""
    match = _HEADER_CHARSET.search(content_type or "")
    if match is None or match[1].lower() in WEAK_DEFAULTS:
        return None
    return match[1]


def meta_charset(data: bytes) -> str | None:
    """The charset a page's <meta> declares in its first 4 KB."""
    match = _META_CHARSET.search(data[:4096])
    return match[1].decode("ascii").lower() if match else None


def decode_page(data: bytes, content_type: str | None = None, hint: str | None = None) -> str:
    """A fetched page or saved file: decoded by the sources registry's `hint`, else the
    charset its Content-Type header declares (not a weak default), else its <meta>."""
    return decode(data, hint or header_charset(content_type) or meta_charset(data))


def decode(data: bytes, declared: str | None = None) -> str:
    """Text of `data`: its BOM, else `declared` if it decodes cleanly, else UTF-8, else
    GB18030; else `declared` with undecodable bytes replaced, or the detected charset."""
    for bom, bom_codec in _BOMS:
        if data.startswith(bom):
            return data.decode(bom_codec, errors="replace").lstrip("\ufeff")
    declared = codec(declared) if declared else None
    for candidate in (declared, "utf-8", "gb18030"):
        if candidate is None:
            continue
        try:
            return data.decode(candidate)
        except (UnicodeDecodeError, LookupError):
            continue
    if declared is not None:
        try:
            return data.decode(declared, errors="replace")
        except LookupError:
            pass
    # Imported here: nearly every page declares or is UTF-8/GB18030, and the detector's
    # import is a twentieth of reading a page.
    from charset_normalizer import from_bytes

    best = from_bytes(data[:DETECT_BYTES]).best()
    return data.decode(codec(best.encoding) if best else "gb18030", errors="replace")
