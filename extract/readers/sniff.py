"""Decide what a file is from its bytes (magic numbers first, the name only as a hint)."""

from __future__ import annotations

import io
import zipfile

_IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*", b"BM")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HTML_MARKERS = (b"<html", b"<!doctype html", b"<table", b"<body", b"<div", b"<p>", b"<p ")


def sniff(data: bytes, name: str = "") -> str:
    """Return one of: empty, pdf, docx, odt, doc, wps, rtf, xlsx, ofd, zip, image, html,
    text, binary."""
    lower_name = name.lower()
    if not data.strip():
        return "empty"
    head = data[:2048].lstrip()
    if data.startswith(b"%PDF") or data[:1024].find(b"%PDF-") >= 0:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    if data.startswith(_OLE_MAGIC):
        if lower_name.endswith(".wps"):
            return "wps"
        if lower_name.endswith((".xls", ".et")):
            return "xls"
        return "doc"
    if head.startswith(b"{\\rtf"):
        return "rtf"
    if data.startswith(_IMAGE_MAGIC) or data[8:12] == b"WEBP":
        return "image"
    if _looks_binary(data[:4096]):
        return "binary"
    if (
        any(m in head.lower() for m in _HTML_MARKERS)
        or lower_name.endswith((".html", ".htm", ".shtml", ".jsp"))
        and b"<" in head
    ):
        return "html"
    return "text"


def _zip_kind(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            if "word/document.xml" in names:
                return "docx"
            if "xl/workbook.xml" in names:
                return "xlsx"
            if "OFD.xml" in names:
                return "ofd"
            if "mimetype" in names and b"opendocument.text" in zf.read("mimetype"):
                return "odt"
    except (zipfile.BadZipFile, OSError, ValueError):
        return "binary"
    return "zip"


def _looks_binary(chunk: bytes) -> bool:
    if b"\x00" in chunk:
        # UTF-16 text has NULs too; a BOM says so.
        return not chunk.startswith((b"\xff\xfe", b"\xfe\xff"))
    control = sum(1 for b in chunk if b < 9 or 13 < b < 32)
    return control > len(chunk) // 20
