"""What the crawler fetched: documents, crawl runs and each source's status."""

from __future__ import annotations

from nianbao.datasets.schema import Field, Table
from nianbao.datasets.tables.fields import (
    DOCUMENT_KINDS,
    FETCHED_AT,
    PAGE_URL,
    PUBLISHED_DATE,
    RUN_ID,
    SHA256,
    SOURCE_ID,
    SOURCE_STATUSES,
    URL,
    YEAR,
)

DOCUMENTS = Table(
    "documents",
    "Every fetched document version (from the crawler's manifest)",
    "抓取到的每个文件版本（来自抓取清单）",
    (
        SOURCE_ID,
        URL,
        PAGE_URL,
        Field("title", "string", "Title on the list or page", "标题"),
        YEAR,
        PUBLISHED_DATE,
        SHA256,
        Field(
            "path",
            "string",
            "Path in the raw store, relative to the data directory",
            "原始文件路径",
        ),
        Field("content_type", "string", "HTTP Content-Type", "内容类型"),
        Field("bytes", "int64", "Size", "大小", unit="bytes", minimum=0),
        Field("http_status", "int32", "HTTP status", "HTTP 状态码"),
        FETCHED_AT,
        RUN_ID,
        Field("kind", "string", "page or attachment", "页面或附件", enum=DOCUMENT_KINDS),
        Field("agency", "string", "发布机构 on the page", "发布机构"),
        Field("index_no", "string", "索引号", "索引号"),
        Field("doc_no", "string", "文号", "文号"),
        Field(
            "pictures",
            "string",
            "A page whose body is pictures of the report's pages (图片版): the pictures in page"
            " order (JSON list of url, sha256 and path in the raw store, or the error that"
            " kept one from being stored); the report is read from them by OCR",
            "图片版页面的各页图片，按页序（JSON：网址、sha256、原始文件路径，或未能保存的原因）",
        ),
    ),
    primary_key=("url", "sha256"),
)

# The crawler's documents manifest (crawler.manifest): every column of `documents`, and what
# the next crawl needs to ask conditionally and to know a page again, which is not published.
DOCUMENT_MANIFEST = Table(
    "documents",
    "The crawler's documents manifest: the documents table and what the next crawl needs",
    "抓取清单：documents 表及下次抓取所需的列",
    (
        *DOCUMENTS.fields,
        Field("etag", "string", "ETag of the reply, for conditional requests", "ETag 响应头"),
        Field(
            "last_modified",
            "string",
            "Last-Modified of the reply, for conditional requests",
            "Last-Modified 响应头",
        ),
        Field(
            "attachment_urls",
            "strings",
            "Attachments a report page links (pages)",
            "报告页面所链接的附件网址",
        ),
        Field(
            "listed_url",
            "string",
            "URL the list gave, when the page was reached through a redirect",
            "列表所给网址（页面经重定向到达时）",
        ),
    ),
    primary_key=DOCUMENTS.primary_key,
    partition_by=None,
)

# The crawl_runs and crawl_sources manifests (crawler.manifest) keep every column the
# crawler records, lists as lists; the datasets publish a selection of the same fields, and
# their lists as JSON text.
_RUN_ID = Field("run_id", "string", "Crawl run id", "抓取批次编号", required=True)
_NEW_DOCUMENTS = Field(
    "new_documents", "int64", "Documents new to the manifest", "新文件数", minimum=0
)
_ERRORS = Field("errors", "int64", "Errors", "错误数", minimum=0)

CRAWL_RUN_MANIFEST = Table(
    "crawl_runs",
    "The crawler's crawl_runs manifest: one row per crawl run",
    "抓取批次清单：每次抓取一行",
    (
        _RUN_ID,
        Field("started_at", "timestamp", "Start (UTC)", "开始时间"),
        Field("finished_at", "timestamp", "End (UTC)", "结束时间"),
        Field("finish_reason", "string", "Why the crawl stopped", "结束原因"),
        Field("pages", "int64", "Pages fetched", "抓取页面数", minimum=0),
        Field("reports", "int64", "Reports found", "发现报告数", minimum=0),
        Field("attachments", "int64", "Attachments fetched", "抓取附件数", minimum=0),
        _NEW_DOCUMENTS,
        Field(
            "changed_documents",
            "int64",
            "Documents whose bytes changed at a known URL",
            "内容变化的文件数",
            minimum=0,
        ),
        Field("requests", "int64", "Requests made", "请求数", minimum=0),
        _ERRORS,
        Field("errors_by_kind", "string", "Errors by kind (JSON object)", "各类错误数（JSON）"),
        Field("blocked_sources", "strings", "Blocked source ids", "被拦截的来源"),
        Field("failed_sources", "strings", "Failed source ids", "失败的来源"),
        Field("monitors_passed", "bool", "Whether every crawl monitor passed", "监控是否全部通过"),
        Field("messages", "strings", "What the monitors said", "监控信息"),
        Field("duration_s", "float64", "Duration", "耗时", unit="s", minimum=0),
        Field("stats", "string", "Scrapy's stats (JSON object)", "Scrapy 统计（JSON）"),
    ),
    primary_key=("run_id",),
    partition_by=None,
)

CRAWL_RUNS = Table(
    "crawl_runs",
    "One row per crawl run",
    "每次抓取一行",
    (
        *(
            CRAWL_RUN_MANIFEST.field(name)
            for name in (
                "run_id",
                "started_at",
                "finished_at",
                "finish_reason",
                "pages",
                "reports",
                "attachments",
                "errors_by_kind",
            )
        ),
        Field(
            "blocked_sources", "string", "Blocked source ids (JSON list)", "被拦截的来源（JSON）"
        ),
        CRAWL_RUN_MANIFEST.field("duration_s"),
    ),
    primary_key=CRAWL_RUN_MANIFEST.primary_key,
    partition_by=None,
)

CRAWL_SOURCE_MANIFEST = Table(
    "crawl_sources",
    "The crawler's crawl_sources manifest: each source's status in each crawl run",
    "抓取来源清单：每次抓取中每个来源的状态",
    (
        _RUN_ID,
        Field("source_id", "string", "Source id", "来源编号", required=True),
        Field(
            "status",
            "string",
            "ok, blocked, truncated (a crawl limit was hit), incomplete (listed documents "
            "dropped), failed or empty",
            "状态",
            enum=SOURCE_STATUSES,
        ),
        Field("reports_listed", "int64", "Reports its lists gave", "列表中的报告数", minimum=0),
        _NEW_DOCUMENTS,
        _ERRORS,
        Field("evidence", "string", "What the status rests on", "判断依据"),
        Field("finished_at", "timestamp", "End of the run (UTC)", "结束时间"),
        Field(
            "dropped",
            "int64",
            "Requests not fetched on purpose (robots.txt, off-site, limits, WAF)",
            "按规则未抓取的请求数",
            minimum=0,
        ),
        Field(
            "dropped_by_reason",
            "string",
            "Dropped requests by reason (JSON object)",
            "各原因未抓取的请求数（JSON）",
        ),
    ),
    primary_key=("run_id", "source_id"),
    partition_by=None,
)

CRAWL_SOURCES = Table(
    "crawl_sources",
    "Status of each source in each crawl run",
    "每次抓取中每个来源的状态",
    tuple(
        CRAWL_SOURCE_MANIFEST.field(name)
        for name in ("run_id", "source_id", "status", "evidence", "dropped", "dropped_by_reason")
    ),
    primary_key=CRAWL_SOURCE_MANIFEST.primary_key,
    partition_by=None,
)
