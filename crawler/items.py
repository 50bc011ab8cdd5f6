"""What the spider hands to the pipelines: one report page and the attachments it links."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ReportItem:
    """A report page found on a source's 年报 column.

    `page_body` is None when the page answered 304 Not Modified: then only the attachments
    known from earlier runs are re-checked (conditionally) and no page row is written.
    """

    source_id: str
    url: str
    listed_url: str | None = None  # the URL on the list page when it redirected to `url`
    title: str | None = None
    year: int | None = None
    published_date: str | None = None
    agency: str | None = None
    index_no: str | None = None
    doc_no: str | None = None
    page_body: bytes | None = None
    # Set when the list links the document file itself (a PDF, a downfile.jsp download):
    # then page_body holds that file, of this type, and is kept as an attachment.
    direct_ext: str | None = None
    content_type: str | None = None
    http_status: int = 200
    etag: str | None = None
    last_modified: str | None = None
    file_urls: list[str] = field(default_factory=list)
    files: list[dict] = field(default_factory=list)
    # A page whose body is pictures of the report's pages (图片版): their URLs in page order,
    # and what became of each (`ManifestPipeline.PICTURE` fields), in the same order.
    picture_urls: list[str] = field(default_factory=list)
    pictures: list[dict] = field(default_factory=list)
