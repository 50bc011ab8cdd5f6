"""Fields shared by several tables, and the values an enumerated field may take."""

from __future__ import annotations

from nianbao.datasets.schema import Field

LEVELS = ("province", "city", "county", "department", "township")
FORMATS = ("2019", "2021", "pre2019")
DOCUMENT_KINDS = ("page", "attachment")
CHECK_KINDS = ("in_report", "cross_year")
LEGACY_PERIODS = ("year", "cumulative")
NARRATIVE_SCOPES = ("agency", "region")
# The panel's indicators and where a figure can come from, in order of preference
# (docs/crosswalk.md): a national table, then the local 统计表, then the prose.
INDICATORS = (
    "proactive_total",
    "applications_received",
    "granted",
    "partially_granted",
    "denied",
    "reviews",
    "litigations",
    "fees",
)
BASES = ("table_2019", "table_2021", "legacy", "narrative")
SOURCE_STATUSES = ("ok", "blocked", "truncated", "incomplete", "failed", "empty")

REPORT_ID = Field(
    "report_id",
    "string",
    "Report version id: the first 16 hex digits of the sha256 of the document read",
    "报告版本编号：所读文件 sha256 的前 16 位",
    required=True,
)
AGENCY_ID = Field(
    "agency_id",
    "string",
    "Stable agency id (division or source, and the agency name without parent place names)",
    "机关稳定编号（行政区划或来源，加去掉上级地名的机关名称）",
    required=True,
)
YEAR = Field(
    "year",
    "int32",
    "Year the report covers (统计期限), not the publishing year",
    "报告所述年度（统计期限，非发布年份）",
    minimum=2000,
    maximum=2100,
)
SOURCE_ID = Field("source_id", "string", "Id of the source in the sources registry", "来源编号")
URL = Field("url", "string", "URL of the document read", "所读文件的网址", required=True)
PAGE_URL = Field(
    "page_url",
    "string",
    "URL of the report page the document was published on",
    "发布该报告的页面网址",
)
SHA256 = Field(
    "sha256", "string", "sha256 of the document bytes", "文件内容的 sha256", required=True
)
PUBLISHED_DATE = Field("published_date", "date", "Publishing date", "发布日期")
FETCHED_AT = Field(
    "fetched_at", "timestamp", "When the document was fetched (UTC)", "抓取时间（UTC）"
)
RUN_ID = Field("run_id", "string", "Crawl run id", "抓取批次编号")
ROW_KEY = Field("row_key", "string", "Row key of SCHEMA.md", "行键（见 SCHEMA.md）", required=True)
COLUMN_KEY = Field(
    "column_key", "string", "Column key of SCHEMA.md", "列键（见 SCHEMA.md）", required=True
)
ROW_LABEL = Field(
    "row_label",
    "string",
    "Chinese row label (the printed one for rows not in the template)",
    "行的中文名称（模板外的行为原文）",
    required=True,
)
COLUMN_LABEL = Field("column_label", "string", "Chinese column label", "列的中文名称")
RAW = Field(
    "raw", "string", "Cell text as printed (blank and 0 differ here)", "单元格原文（可区分空白与0）"
)
DERIVED = Field(
    "derived",
    "bool",
    "Computed by the extractor, not printed",
    "由程序推算，非报告原文",
    required=True,
)
FORMAT = Field(
    "format",
    "string",
    "National table format of this table in the report",
    "该表采用的国家模板",
    enum=FORMATS,
)
LOC = (
    Field("source_table", "int32", "Index of the table in the document", "所在表格序号"),
    Field("source_page", "int32", "Page in the document (paged formats)", "所在页码"),
    Field("source_row", "int32", "Row in the table grid", "所在表格行"),
    Field("source_col", "int32", "Column in the table grid", "所在表格列"),
    Field(
        "source_bbox",
        "string",
        "Cell read by OCR: its box [x0, y0, x1, y1] in pixels on the page picture",
        "OCR 读取的单元格在页面图像上的像素框 [x0, y0, x1, y1]",
    ),
    Field(
        "source_dpi", "int32", "Resolution of that page picture (OCR)", "该页面图像的分辨率（OCR）"
    ),
    Field(
        "ocr_confidence",
        "float64",
        "Recogniser's confidence for the cell, 0–1 (OCR)",
        "OCR 识别该单元格的置信度（0–1）",
    ),
)
APPROXIMATE = Field(
    "approximate",
    "bool",
    "Printed with a qualifier (1500多, 约200): value is the number without it",
    "原文为约数（如“1500多”“约200”），数值为去掉限定词后的数",
    required=True,
)
COUNT = Field(
    "value", "int64", "Count as printed (null: unreadable)", "数量（无法识别时为空）", unit="件"
)
