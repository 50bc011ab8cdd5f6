"""Readers: bytes of one file in, a `Document` out.

`read_document` sniffs what the bytes are (never trusting the file name alone) and
hands them to the reader for that kind. Every refusal is an `ExtractError` carrying the
status the document ends in.
"""

from __future__ import annotations

from types import ModuleType

from extract.model import Document, ExtractError
from extract.readers.sniff import sniff


def ocr_reader() -> ModuleType:
    """The OCR reader, or `needs_ocr` where it cannot load (OpenCV without libGL)."""
    try:
        from extract.readers import ocr
    except ImportError as exc:
        raise ExtractError("needs_ocr", f"OCR is not available here ({exc})") from exc
    return ocr


def read_document(data: bytes, name: str = "") -> Document:
    kind = sniff(data, name)
    if kind == "html":
        from extract.readers.html import read_html

        return read_html(data)
    if kind == "text":
        from extract.readers.text import read_text

        return read_text(data)
    if kind == "pdf":
        from extract.readers.pdf import read_pdf

        return read_pdf(data)
    if kind == "docx":
        from extract.readers.docx import read_docx

        return read_docx(data)
    if kind in ("doc", "wps", "odt", "rtf"):
        from extract.readers.convert import to_docx
        from extract.readers.docx import read_docx

        return read_docx(to_docx(data, kind))
    if kind == "image":
        return ocr_reader().read_image(data)
    if kind == "empty":
        raise ExtractError("failed", "empty file")
    raise ExtractError("unsupported", f"not a document nianbao reads ({kind})")
