"""What a downloaded file really is: magic bytes, extensions and media types.

Every file is checked before it is kept (pudl-archiver's rule): not empty, not an HTML page
saved under a document name, and magic bytes that match its type.
"""

from __future__ import annotations

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
MAGIC: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF-",),
    "doc": (_OLE,),
    "xls": (_OLE,),
    "wps": (_OLE,),
    "docx": (_ZIP,),
    "xlsx": (_ZIP,),
    "ofd": (_ZIP,),
    "zip": (_ZIP,),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "gif": (b"GIF87a", b"GIF89a"),
    "tif": (b"II*\x00", b"MM\x00*"),
    "tiff": (b"II*\x00", b"MM\x00*"),
}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "wps": "application/vnd.ms-works",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ofd": "application/ofd",
    "zip": "application/zip",
    "html": "text/html",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "tif": "image/tiff",
    "tiff": "image/tiff",
}
_HTML_START = (b"<!doctype", b"<html", b"<head", b"<body", b"<script", b"<?xml", b"<meta", b"<!--")


class InvalidFile(ValueError):
    """Downloaded bytes that are not the document they claim to be."""


def detect_type(body: bytes) -> str | None:
    """The file family from magic bytes: pdf, ole (doc/xls/wps), zip (docx/xlsx/ofd), html."""
    head = body[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if body.startswith(_OLE):
        return "ole"
    if body.startswith(_ZIP):
        return "zip"
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").lower().startswith(_HTML_START):
        return "html"
    return None


def validate_file(body: bytes, ext: str) -> str:
    """The extension to store `body` under; raises InvalidFile with the reason."""
    if not body:
        raise InvalidFile("empty file")
    found = detect_type(body)
    if found == "html":
        raise InvalidFile(f"an HTML page saved as .{ext}")
    expected = MAGIC.get(ext)
    if expected is None:
        return ext
    if any(body.startswith(m) or (m == b"%PDF-" and found == "pdf") for m in expected):
        return ext
    # Office files are often published under the other generation's extension.
    if found == "ole" and ext in ("docx", "xlsx"):
        return ext[:-1]
    if found == "zip" and ext in ("doc", "xls", "wps"):
        return {"doc": "docx", "xls": "xlsx", "wps": "docx"}[ext]
    raise InvalidFile(f"magic bytes {body[:8]!r} do not match .{ext}")
