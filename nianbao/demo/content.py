"""Report documents for the test portal: real corpus bodies, reused under varied titles.

The portal must serve real report pages (real tables, real numbers) so that a crawl of it
feeds the extractor something meaningful. Each corpus document is read once; generated
reports reuse a body of the right format for their year (before 2019, the 2019 format, the
2021 format) and vary only the agency and year in the title. Generated reports are examples
under a fictional place (示例…, `SiteInfo.example_place`; `Truth.examples` names the corpus
report each body comes from): their figures are real, the agency is not, so no real agency
is credited with another's numbers.
"""

from __future__ import annotations

import html
import io
import logging
import re
import zipfile
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

log = logging.getLogger(__name__)

# Shipped as package data, so the demo runs from an installed wheel (tests/fixtures links
# here: one copy of each file).
DOCUMENTS = Path(__file__).resolve().parent / "documents"

# The pages of a real report as pictures (JPEG, 150 dpi), and the year that report covers.
PICTURES = "pictures/js-huaian-2024"
PICTURES_YEAR = 2024
_DIV_TAG = re.compile(r"<(/?)div\b", re.IGNORECASE)
# A body that opens with its own title and 发布日期 (the Shanghai fragment).
_OWN_HEADER = re.compile(r"^\s*<p[^>]*>[^<]*报告</p>\s*<p[^>]*>发布日期：[\d-]+</p>")


@dataclass(frozen=True)
class CorpusDoc:
    """One real report from the corpus, with its body ready to embed in a page."""

    doc_id: str
    agency: str
    year: int
    kind: str  # "html" (body embedded in the page) or "pdf" (page links the file)
    path: Path
    published: str | None  # YYYY-MM-DD when the corpus page says

    @cached_property
    def raw(self) -> bytes:
        return self.path.read_bytes()

    @cached_property
    def body(self) -> str:
        """The report body as HTML: the editor div's content, or paragraphs for plain text."""
        if self.kind == "pdf":
            return ""
        text = self.raw.decode("utf-8")
        if self.path.suffix == ".txt":
            lines = (line.strip() for line in text.splitlines())
            return "\n".join(f"<p>{html.escape(line)}</p>" for line in lines if line)
        for opener in ("<div class=TRS_Editor>", '<div class="article-content" id="zoomcon">'):
            start = text.find(opener)
            if start >= 0:
                return _inner_div(text, start + len(opener))
        return text  # a bare body fragment (the Shanghai report)

    @cached_property
    def copy_body(self) -> str:
        """The body for reports generated from this one, without a title and date of its own
        (they would contradict the copy's title and page date)."""
        return _OWN_HEADER.sub("", self.body, count=1)

    @property
    def fmt(self) -> str:
        """Which report template the body follows: pre2019, 2019 or 2021."""
        return report_format(self.year)


def report_format(year: int) -> str:
    if year < 2019:
        return "pre2019"
    return "2019" if year < 2021 else "2021"


def _inner_div(text: str, start: int) -> str:
    """Content of the div whose opening tag ends at `start`, up to its matching close."""
    depth = 1
    for m in _DIV_TAG.finditer(text, start):
        depth += -1 if m.group(1) else 1
        if depth == 0:
            return text[start : m.start()]
    raise ValueError("unbalanced <div> in corpus document")


def _published(raw: bytes) -> str | None:
    m = re.search(rb'name="PubDate" content="(\d{4}-\d\d-\d\d)', raw) or re.search(
        "(?:发布日期|公开日期)(?:：|</td><td>)(\\d{4}-\\d\\d-\\d\\d)".encode(), raw
    )
    return m.group(1).decode() if m else None


@dataclass(frozen=True)
class Attachment:
    """A file served next to a report (a real PDF, or a DOCX made from a real report)."""

    name: str  # the file name the page shows
    ext: str  # pdf | docx
    source: Path

    @property
    def data(self) -> bytes:
        return read_file(self.source)


@cache
def read_file(path: Path) -> bytes:
    """File bytes, read once: thousands of attachments share a handful of real files."""
    return path.read_bytes()


class Corpus:
    """The real documents (`documents/`: MANIFEST.csv, docs/ and made/), loaded lazily."""

    def __init__(self, documents: Path = DOCUMENTS) -> None:
        manifest = (documents / "MANIFEST.csv").read_text(encoding="utf-8").splitlines()[1:]
        docs = []
        for line in manifest:
            doc_id, file, agency, year = line.split(",")[:4]
            path = documents / file
            kind = "pdf" if path.suffix == ".pdf" else "html"
            docs.append(CorpusDoc(doc_id, agency, int(year), kind, path, None))
        self.docs: list[CorpusDoc] = [
            CorpusDoc(d.doc_id, d.agency, d.year, d.kind, d.path, _published(d.raw)) for d in docs
        ]
        ids = {d.doc_id for d in self.docs}
        self.made: dict[str, dict[str, Path]] = {}  # corpus id -> ext -> a file made from it
        for path in sorted((documents / "made").glob("*.*")):
            ext = path.suffix[1:].lower()
            if path.stem in ids and ext in ("pdf", "docx", "doc"):
                self.made.setdefault(path.stem, {})[ext] = path
        self.docx = [m["docx"] for m in self.made.values() if "docx" in m]
        # A report's pages as pictures, for a body made only of pictures (docs/portals.md §7.4):
        # the scan of js-huaian-2024 (documents/README.md), a 2024 report.
        self.page_images = sorted((documents / PICTURES).glob("p*.jpg"))
        if not self.docx:
            log.warning("no DOCX under %s: the portal serves no DOCX attachments", documents)
        self.by_format: dict[str, list[CorpusDoc]] = {}
        for d in self.docs:
            if d.kind == "html":
                self.by_format.setdefault(d.fmt, []).append(d)
        self.pdfs = [d for d in self.docs if d.kind == "pdf"]

    def made_file(self, doc: CorpusDoc, ext: str, n: int) -> Path | None:
        """A file of type `ext` made from `doc` itself, else any made one, else None."""
        own = self.made.get(doc.doc_id, {}).get(ext)
        if own is not None:
            return own
        pool = [m[ext] for m in self.made.values() if ext in m]
        return pool[n % len(pool)] if pool else None

    def template_for(self, year: int, n: int) -> CorpusDoc:
        """An HTML body in the format of `year`, chosen by `n` so generated reports vary."""
        pool = self.by_format[report_format(year)]
        return pool[n % len(pool)]


def revised(data: bytes, ext: str, revision: int) -> bytes:
    """The bytes of a file after `revision` edits, still a valid file of its type."""
    if revision == 0:
        return data
    if ext == "docx":
        buf = io.BytesIO(data)
        with zipfile.ZipFile(buf, "a") as zf:
            zf.comment = f"revision {revision}".encode()
        return buf.getvalue()
    if ext == "doc":  # an OLE2 file: one more zero-padded 512-byte sector at the end
        return data + f"revision {revision}".encode().ljust(512, b"\0")
    return data + f"\n% revision {revision}\n".encode()  # PDF readers ignore bytes after %%EOF
