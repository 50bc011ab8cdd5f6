"""One document in, one record out: read, map, check, describe — never raise.

Every document ends with a status and, when not `ok`, a one-line reason; a failure in
one document never stops a batch.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from extract import __version__
from extract.arithmetic import Choice, choose_by_sums
from extract.checks import (
    legacy_checks,
    narrative_checks,
    ocr_check,
    reader_check,
    report_checks,
)
from extract.files import DEFAULT_MAX_BYTES, read_capped, source_name
from extract.legacy import read_legacy
from extract.mapping import map_document
from extract.metadata import agency_and_year, is_annual_report, published_date
from extract.model import Document, ExtractError, Table
from extract.narrative import read_narrative
from extract.readers import ocr_reader, read_document
from extract.readers.text import table_from_paragraphs
from extract.record import Record

log = logging.getLogger(__name__)

TABLES = ("proactive", "applications", "review_litigation")
# Reports on years before this have no national tables (SCHEMA.md `pre2019`).
FIRST_NATIONAL_YEAR = 2019


def extract_path(
    path: Path,
    source: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    pictures: Pictures | None = None,
) -> Record:
    """Read the document at `path`; a page's pictures come from `pictures`, by default
    from the files saved beside it (`beside`)."""
    source = source if source is not None else source_name(path)
    try:
        data = read_capped(path, max_bytes)
    except ExtractError as exc:
        return Record(
            source=source, status=exc.status, error=exc.reason, extractor_version=__version__
        )
    return extract_bytes(data, source, path.name, pictures=pictures or beside(path))


# A page's picture by its address as the page gives it; None when it is none of the
# report's pages (a logo the crawler did not take for one).
Pictures = Callable[[str], bytes | None]


def beside(path: Path) -> Pictures:
    """Reads the pictures a saved page refers to (`page_files/p1.jpg`) from the files
    next to it; a web address or a path out of the folder is not followed. The path is
    judged as the page writes it (`..` resolved by name): the page is not trusted, the
    folder's own links (a fixture linking to the demo's copy) are the user's."""
    folder = Path(os.path.abspath(path.parent))

    def read(src: str) -> bytes:
        parsed = urlsplit(src)
        if parsed.scheme or parsed.netloc:
            raise ExtractError("needs_ocr", f"picture {src} is not saved beside the page")
        target = Path(os.path.normpath(folder / unquote(parsed.path)))
        if not target.is_relative_to(folder):
            raise ExtractError("needs_ocr", f"picture {src} is outside the page's folder")
        return _picture_bytes(target, src)

    return read


def stored(page_url: str, files: Mapping[str, Path], failed: Mapping[str, str]) -> Pictures:
    """Reads the pictures of a crawled page from the raw store: `files` holds the stored
    file of each picture the crawl took for a page of the report, by its absolute URL,
    and `failed` why the others could not be stored."""

    def read(src: str) -> bytes | None:
        url = urljoin(page_url, src).split("#", 1)[0]
        if url in failed:
            raise ExtractError("needs_ocr", f"picture {url} was not downloaded: {failed[url]}")
        return _picture_bytes(files[url], url) if url in files else None

    return read


def _picture_bytes(path: Path, src: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ExtractError(
            "needs_ocr", f"picture {src} of the page cannot be read: {exc.strerror}"
        ) from exc


def extract_bytes(
    data: bytes, source: str, name: str = "", pictures: Pictures | None = None
) -> Record:
    """Read one document. `pictures` fetches the pictures a page refers to by their
    address, for a page whose report is printed as pictures."""
    record = Record(
        source=source,
        sha256=hashlib.sha256(data).hexdigest(),
        bytes=len(data),
        extractor_version=__version__,
    )
    try:
        _fill(record, data, name, pictures)
    except ExtractError as exc:
        record.status, record.error = exc.status, exc.reason
    except Exception as exc:  # noqa: BLE001 - a batch must go on; the reason is kept
        log.exception("unexpected error reading %s", source)
        record.status, record.error = "failed", f"internal error: {type(exc).__name__}: {exc}"
    return record


def _fill(record: Record, data: bytes, name: str, pictures: Pictures | None) -> None:
    doc = read_document(data, name)
    record.kind = doc.kind
    record.pages = doc.pages
    record.title = doc.title
    record.agency, record.year = agency_and_year(doc)
    record.published_date = published_date(doc)
    mapped = map_document(doc)
    national = record.year is None or record.year >= FIRST_NATIONAL_YEAR
    if not mapped.found and doc.kind != "text" and national:
        # No table held the national tables: the page may print them as running text.
        # Taken only when it yields at least two of them, not a stray word of prose.
        table = table_from_paragraphs(doc)
        if table is not None:
            from_text = map_document(Document(kind=doc.kind, blocks=[table]))
            if len(from_text.found) >= 2:
                mapped = from_text
    if not mapped.found and doc.pictures and pictures is not None and national:
        # A page whose report is printed as pictures (图片版): read them.
        doc = _read_pictures(doc, pictures)
        mapped = map_document(doc)
    chosen: list[Choice] = []
    if doc.ocr is not None:
        tables, chosen = choose_by_sums(
            {"applications": mapped.applications, "review_litigation": mapped.review_litigation},
            mapped.formats,
        )
        mapped.applications = tables["applications"]
        mapped.review_litigation = tables["review_litigation"]
    record.proactive = mapped.proactive
    record.applications = mapped.applications
    record.review_litigation = mapped.review_litigation
    record.formats = mapped.formats
    record.warnings = doc.warnings + mapped.warnings
    record.checks = report_checks(
        mapped.proactive, mapped.applications, mapped.review_litigation, mapped.formats
    )
    record.narrative = read_narrative(doc)
    record.checks += narrative_checks(
        record.narrative, mapped.applications, mapped.review_litigation
    )
    found = mapped.found
    if not found:
        # No national table: a pre-2019 report's local 统计表 may be there instead.
        legacy = read_legacy(doc)
        record.legacy = legacy.values
        record.warnings += legacy.warnings
        doc.warnings += legacy.warnings
        record.checks += legacy_checks(legacy.values)
    if doc.warnings:
        record.checks.append(reader_check(doc.warnings))
    record.reader = "text"
    if doc.ocr is not None:
        record.reader = "ocr"
        record.ocr_engine = doc.ocr.engine
        record.ocr_pages = doc.ocr.pages
        record.warnings += doc.ocr.substitutions + [c.note for c in chosen]
        record.checks.append(ocr_check(doc.ocr.doubtful, [c.note for c in chosen]))
    if found == set(TABLES):
        return
    if not found:
        if not is_annual_report(doc):
            raise ExtractError("not_report", "not an annual report on open government information")
        if record.year is not None and record.year < FIRST_NATIONAL_YEAR:
            record.formats = {t: "pre2019" for t in TABLES}
            if record.legacy:
                record.formats["legacy"] = "pre2019"
            return
        if doc.images:
            raise ExtractError(
                "needs_ocr",
                f"no national statistical tables in the text; the body has {doc.images} "
                "pictures, which may hold them (OCR needed)",
            )
        tables = len(doc.tables)
        raise ExtractError(
            "partial",
            "no national statistical tables found"
            + (
                f" among {tables} tables"
                if tables
                else " (the page has no tables; they may be images or in an attachment)"
            ),
        )
    record.status = "partial"
    record.error = "missing " + ", ".join(t for t in TABLES if t not in found)


def _read_pictures(page: Document, pictures: Pictures) -> Document:
    """The page's pictures read by OCR, one page each, after the page's own text."""
    ocr = ocr_reader()
    pages = []
    for src in page.pictures:
        picture = pictures(src)
        if picture is not None:
            pages += ocr.pictures_of(picture, first_page=len(pages) + 1)
    doc = Document(kind=page.kind, title=page.title, meta=page.meta, pages=len(pages))
    doc.blocks = [b for b in page.blocks if not isinstance(b, Table)]
    ocr.read_pictures(pages, doc)
    return doc
