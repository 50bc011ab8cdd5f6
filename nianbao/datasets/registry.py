"""Every published field and table, declared once.

PUDL's lesson: one registry drives the pyarrow schema used to write Parquet, the
validation run before every write, the Frictionless schema and the data dictionary
people read. Nothing else in nianbao spells out a column's type.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from extract.record import STATUSES

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

_ARROW_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "int32": pa.int32(),
    "int64": pa.int64(),
    "float64": pa.float64(),
    "bool": pa.bool_(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us", tz="UTC"),
}
_FRICTIONLESS_TYPES = {
    "string": "string",
    "int32": "integer",
    "int64": "integer",
    "float64": "number",
    "bool": "boolean",
    "date": "date",
    "timestamp": "datetime",
}


class SchemaError(ValueError):
    """A table about to be written breaks its declaration; nothing is written."""


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    en: str
    zh: str
    unit: str | None = None
    required: bool = False
    enum: tuple[str, ...] | None = None
    minimum: int | None = None
    maximum: int | None = None

    @property
    def arrow_type(self) -> pa.DataType:
        return _ARROW_TYPES[self.type]

    def frictionless(self) -> dict[str, Any]:
        type_ = _FRICTIONLESS_TYPES[self.type]
        if type_ == "integer" and not self.required:
            # Frictionless reads Parquet through pandas, where an integer column with nulls
            # becomes float with NaN; "number" accepts that, "integer" does not.
            type_ = "number"
        out: dict[str, Any] = {
            "name": self.name,
            "type": type_,
            "description": f"{self.en} / {self.zh}",
        }
        constraints: dict[str, Any] = {}
        if self.required:
            constraints["required"] = True
        if self.enum:
            constraints["enum"] = list(self.enum)
        if self.minimum is not None:
            constraints["minimum"] = self.minimum
        if self.maximum is not None:
            constraints["maximum"] = self.maximum
        if constraints:
            out["constraints"] = constraints
        if self.unit:
            out["unit"] = self.unit
        return out


@dataclass(frozen=True)
class Table:
    name: str
    en: str
    zh: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    partition_by: str | None = "year"
    sort_by: tuple[str, ...] = field(default=())

    @property
    def schema(self) -> pa.Schema:
        return pa.schema(
            [pa.field(f.name, f.arrow_type, nullable=not f.required) for f in self.fields]
        )

    @property
    def column_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    @property
    def order(self) -> tuple[str, ...]:
        """Row order on disk: partition, then the declared sort, then the primary key."""
        keys = [self.partition_by] if self.partition_by else []
        for name in (*self.sort_by, *self.primary_key):
            if name not in keys:
                keys.append(name)
        return tuple(keys)

    def conform(self, table: pa.Table) -> pa.Table:
        """Cast to the declared schema, in declared column order; unknown columns refuse."""
        missing = [n for n in self.column_names if n not in table.column_names]
        extra = [n for n in table.column_names if n not in self.column_names]
        if missing or extra:
            raise SchemaError(f"{self.name}: missing columns {missing}, undeclared columns {extra}")
        arrays = []
        for f in self.fields:
            column = table[f.name]
            if column.type != f.arrow_type:
                try:
                    column = column.cast(f.arrow_type)
                except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                    raise SchemaError(
                        f"{self.name}.{f.name}: cannot cast to {f.type}: {exc}"
                    ) from exc
            arrays.append(column)
        return pa.Table.from_arrays(arrays, schema=self.schema)

    def sort(self, table: pa.Table) -> pa.Table:
        return sort_table(table, self.order)

    def validate(self, table: pa.Table) -> None:
        """Refuse nulls in required fields, values outside enums and ranges, duplicate keys.

        Expects a conformed table sorted by `order` (duplicates are then adjacent)."""
        problems: list[str] = []
        for f in self.fields:
            column = table[f.name]
            if f.required and column.null_count:
                problems.append(f"{f.name}: {column.null_count} null values in a required field")
            if f.enum is not None and len(column):
                bad = pc.filter(column, pc.invert(pc.is_in(column, pa.array(f.enum))))
                bad = [v for v in pc.unique(bad).to_pylist() if v is not None]
                if bad:
                    problems.append(f"{f.name}: values {bad[:5]} not in {list(f.enum)}")
            if (f.minimum is not None or f.maximum is not None) and len(column):
                low, high = pc.min_max(column).values()
                if f.minimum is not None and low.is_valid and low.as_py() < f.minimum:
                    problems.append(f"{f.name}: minimum {low.as_py()} < {f.minimum}")
                if f.maximum is not None and high.is_valid and high.as_py() > f.maximum:
                    problems.append(f"{f.name}: maximum {high.as_py()} > {f.maximum}")
        for name in self.primary_key:
            if table[name].null_count:
                problems.append(f"primary key {name}: {table[name].null_count} null values")
        if table.num_rows > 1 and not problems:
            same = None
            for name in self.primary_key:
                column = table[name]
                eq = pc.equal(column.slice(1), column.slice(0, len(column) - 1))
                same = eq if same is None else pc.and_(same, eq)
            duplicates = pc.sum(pc.cast(same, pa.int64())).as_py() if same is not None else 0
            if duplicates:
                problems.append(f"primary key {list(self.primary_key)}: {duplicates} duplicates")
        if problems:
            raise SchemaError(f"{self.name}: " + "; ".join(problems))

    def prepare(self, table: pa.Table) -> pa.Table:
        """Conform, sort and validate: what every write goes through."""
        prepared = self.sort(self.conform(table))
        self.validate(prepared)
        return prepared

    def empty(self) -> pa.Table:
        return self.schema.empty_table()

    def frictionless(self) -> dict[str, Any]:
        return {
            "fields": [f.frictionless() for f in self.fields],
            "primaryKey": list(self.primary_key),
        }


def sort_table(table: pa.Table, keys: tuple[str, ...] | list[str]) -> pa.Table:
    """Rows ordered by `keys` ascending, nulls last. Strings are sorted through their
    (small) dictionaries, several times faster than comparing millions of strings, with
    the same result; a table already in order is returned as is, without a copy."""
    ranks = {name: _sort_key(table[name]) for name in keys}
    indices = pc.sort_indices(pa.table(ranks), sort_keys=[(name, "ascending") for name in ranks])
    identity = pa.array(np.arange(len(indices), dtype=np.uint64))
    if pc.all(pc.equal(indices, identity)).as_py() is not False:
        return table
    return table.combine_chunks().take(indices)


def _sort_key(column: pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """An integer that sorts like a string column (nulls stay null), or the column itself."""
    if not pa.types.is_string(column.type):
        return column
    encoded = pc.dictionary_encode(column.combine_chunks())
    rank = pc.rank(encoded.dictionary, sort_keys="ascending", tiebreaker="dense")
    return pc.take(rank, encoded.indices)


def _f(name: str, type_: str, en: str, zh: str, **kw: Any) -> Field:
    return Field(name, type_, en, zh, **kw)


# Fields shared by several tables: the same name means the same thing everywhere.
REPORT_ID = _f(
    "report_id",
    "string",
    "Report version id: the first 16 hex digits of the sha256 of the document read",
    "报告版本编号：所读文件 sha256 的前 16 位",
    required=True,
)
AGENCY_ID = _f(
    "agency_id",
    "string",
    "Stable agency id (division or source, and the agency name without parent place names)",
    "机关稳定编号（行政区划或来源，加去掉上级地名的机关名称）",
    required=True,
)
YEAR = _f(
    "year",
    "int32",
    "Year the report covers (统计期限), not the publishing year",
    "报告所述年度（统计期限，非发布年份）",
    minimum=2000,
    maximum=2100,
)
SOURCE_ID = _f("source_id", "string", "Id of the source in the sources registry", "来源编号")
URL = _f("url", "string", "URL of the document read", "所读文件的网址", required=True)
PAGE_URL = _f(
    "page_url",
    "string",
    "URL of the report page the document was published on",
    "发布该报告的页面网址",
)
SHA256 = _f("sha256", "string", "sha256 of the document bytes", "文件内容的 sha256", required=True)
PUBLISHED_DATE = _f("published_date", "date", "Publishing date", "发布日期")
FETCHED_AT = _f("fetched_at", "timestamp", "When the document was fetched (UTC)", "抓取时间（UTC）")
RUN_ID = _f("run_id", "string", "Crawl run id", "抓取批次编号")
ROW_KEY = _f("row_key", "string", "Row key of SCHEMA.md", "行键（见 SCHEMA.md）", required=True)
COLUMN_KEY = _f(
    "column_key", "string", "Column key of SCHEMA.md", "列键（见 SCHEMA.md）", required=True
)
ROW_LABEL = _f(
    "row_label",
    "string",
    "Chinese row label (the printed one for rows not in the template)",
    "行的中文名称（模板外的行为原文）",
    required=True,
)
COLUMN_LABEL = _f("column_label", "string", "Chinese column label", "列的中文名称")
RAW = _f(
    "raw", "string", "Cell text as printed (blank and 0 differ here)", "单元格原文（可区分空白与0）"
)
DERIVED = _f(
    "derived",
    "bool",
    "Computed by the extractor, not printed",
    "由程序推算，非报告原文",
    required=True,
)
FORMAT = _f(
    "format",
    "string",
    "National table format of this table in the report",
    "该表采用的国家模板",
    enum=FORMATS,
)
LOC = (
    _f("source_table", "int32", "Index of the table in the document", "所在表格序号"),
    _f("source_page", "int32", "Page in the document (paged formats)", "所在页码"),
    _f("source_row", "int32", "Row in the table grid", "所在表格行"),
    _f("source_col", "int32", "Column in the table grid", "所在表格列"),
    _f(
        "source_bbox",
        "string",
        "Cell read by OCR: its box [x0, y0, x1, y1] in pixels on the page picture",
        "OCR 读取的单元格在页面图像上的像素框 [x0, y0, x1, y1]",
    ),
    _f("source_dpi", "int32", "Resolution of that page picture (OCR)", "该页面图像的分辨率（OCR）"),
    _f(
        "ocr_confidence",
        "float64",
        "Recogniser's confidence for the cell, 0–1 (OCR)",
        "OCR 识别该单元格的置信度（0–1）",
    ),
)
APPROXIMATE = _f(
    "approximate",
    "bool",
    "Printed with a qualifier (1500多, 约200): value is the number without it",
    "原文为约数（如“1500多”“约200”），数值为去掉限定词后的数",
    required=True,
)
COUNT = _f(
    "value", "int64", "Count as printed (null: unreadable)", "数量（无法识别时为空）", unit="件"
)


def _cell_table(name: str, en: str, zh: str) -> Table:
    return Table(
        name,
        en,
        zh,
        (
            REPORT_ID,
            AGENCY_ID,
            YEAR,
            ROW_KEY,
            COLUMN_KEY,
            ROW_LABEL,
            COLUMN_LABEL,
            COUNT,
            RAW,
            DERIVED,
            FORMAT,
            *LOC,
        ),
        primary_key=("report_id", "row_key", "column_key"),
    )


REPORTS = Table(
    "reports",
    "One row per report version: the document read, its agency, year, status and checks",
    "每个报告版本一行：所读文件、机关、年度、状态与校验",
    (
        REPORT_ID,
        AGENCY_ID,
        _f("agency_name", "string", "Agency name as printed", "报告所载机关名称"),
        SOURCE_ID,
        _f("source_name", "string", "Name of the publishing site", "发布网站名称"),
        _f(
            "division_code",
            "string",
            "6-digit administrative division code",
            "6位行政区划代码",
        ),
        _f("level", "string", "Administrative level", "行政层级", enum=LEVELS),
        YEAR,
        _f("title", "string", "Title of the report", "报告标题"),
        _f("status", "string", "Extraction status", "提取状态", required=True, enum=STATUSES),
        _f("error", "string", "Why extraction failed", "提取失败原因"),
        _f(
            "proactive_format",
            "string",
            "Format of section 二 (proactive disclosure)",
            "第二部分（主动公开）模板",
            enum=FORMATS,
        ),
        _f(
            "applications_format",
            "string",
            "Format of section 三 (applications)",
            "第三部分（依申请公开）模板",
            enum=FORMATS,
        ),
        _f(
            "review_litigation_format",
            "string",
            "Format of section 四 (review and litigation)",
            "第四部分（复议诉讼）模板",
            enum=FORMATS,
        ),
        PAGE_URL,
        URL,
        _f("document_kind", "string", "page or attachment", "页面或附件", enum=DOCUMENT_KINDS),
        _f("reader", "string", "Reader used: html, pdf, text, docx, image", "所用读取器"),
        _f(
            "ocr_engine",
            "string",
            "OCR engine and model versions, when pages were read from pictures",
            "以 OCR 读取图像页面时所用的引擎和模型版本",
        ),
        SHA256,
        _f("bytes", "int64", "Size of the document", "文件大小", unit="bytes", minimum=0),
        PUBLISHED_DATE,
        FETCHED_AT,
        _f("index_no", "string", "索引号 on the page", "索引号"),
        _f("doc_no", "string", "文号 on the page", "文号"),
        _f(
            "extractor_version", "string", "Version of the extractor", "提取程序版本", required=True
        ),
        _f(
            "cells",
            "int32",
            "Number of table cells read (national tables and 统计表)",
            "读取的单元格数（国家表格与统计表）",
            minimum=0,
        ),
        _f("checks", "int32", "Number of checks run", "校验项数", minimum=0),
        _f(
            "failed_checks",
            "int32",
            "Number of failed checks (in the report and across years)",
            "未通过的校验数（含跨年度）",
            minimum=0,
        ),
        _f(
            "version",
            "int32",
            "Version number among this agency's reports on this year",
            "同一机关同一年度报告的版本序号",
            required=True,
            minimum=1,
        ),
        _f(
            "is_latest",
            "bool",
            "The latest version of this agency's report on this year",
            "是否为最新版本",
            required=True,
        ),
        _f("warnings", "string", "Extractor warnings, one per line", "提取警告（每行一条）"),
    ),
    primary_key=("report_id",),
    sort_by=("agency_id",),
)

PROACTIVE = Table(
    "proactive",
    "Section 二 主动公开: one row per cell (item × metric)",
    "第二部分主动公开政府信息情况：每个单元格一行（事项×指标）",
    (
        REPORT_ID,
        AGENCY_ID,
        YEAR,
        _f("row_key", "string", "Item key (rules, licensing, …)", "事项键", required=True),
        _f("column_key", "string", "Metric key (issued, in_force, …)", "指标键", required=True),
        ROW_LABEL,
        COLUMN_LABEL,
        _f(
            "value",
            "float64",
            "Value as printed; money in 万元 (10,000 yuan)",
            "数值；金额单位为万元",
        ),
        _f("unit", "string", "Unit of value", "单位"),
        RAW,
        DERIVED,
        FORMAT,
        *LOC,
    ),
    primary_key=("report_id", "row_key", "row_label", "column_key"),
)

APPLICATIONS = _cell_table(
    "applications",
    "Section 三 收到和处理政府信息公开申请情况: one row per cell (row × applicant column)",
    "第三部分收到和处理政府信息公开申请情况：每个单元格一行（行×申请人列）",
)
REVIEW_LITIGATION = _cell_table(
    "review_litigation",
    "Section 四 行政复议、行政诉讼: one row per cell (row × outcome column)",
    "第四部分行政复议、行政诉讼情况：每个单元格一行",
)

LEGACY = Table(
    "legacy",
    "Before 2019: the local 统计表, one row per indicator and period as printed",
    "2019年以前：地方统计表，每个指标每个统计期一行（按原表）",
    (
        REPORT_ID,
        AGENCY_ID,
        YEAR,
        _f(
            "indicator",
            "string",
            "Indicator key of SCHEMA.md (extra: a row the list does not name)",
            "指标键（见 SCHEMA.md；extra 为未列名的行）",
            required=True,
        ),
        _f(
            "period",
            "string",
            "year (年末统计, 本年度) or cumulative (历年累计)",
            "统计期：本年度或历年累计",
            required=True,
            enum=LEGACY_PERIODS,
        ),
        _f("label", "string", "Row label as printed", "原表指标名称", required=True),
        _f(
            "value",
            "float64",
            "Value as printed; money in 万元 (null: unreadable)",
            "数值；金额单位为万元（无法识别时为空）",
        ),
        _f("unit", "string", "Unit as printed (万元 for converted money)", "计量单位（按原表）"),
        RAW,
        APPROXIMATE,
        *LOC,
    ),
    primary_key=("report_id", "indicator", "label", "period"),
)

NARRATIVE = Table(
    "narrative",
    "Key figures the report states in its prose, with the sentence they were read from",
    "报告正文中陈述的关键数字及其原句",
    (
        REPORT_ID,
        AGENCY_ID,
        YEAR,
        _f(
            "indicator",
            "string",
            "Indicator key of SCHEMA.md (proactive_total, applications_total, …)",
            "指标键（见 SCHEMA.md）",
            required=True,
        ),
        _f(
            "value",
            "float64",
            "Figure stated (没有/未/无 are 0); money in 万元",
            "正文所述数字（“没有/未/无”为0）；金额单位为万元",
            required=True,
        ),
        _f("quote", "string", "Sentence the figure was read from", "数字所在原句"),
        _f(
            "scope",
            "string",
            "agency (the agency itself) or region (a figure for a whole region, 全区/全市)",
            "范围：本机关或全地区",
            required=True,
            enum=NARRATIVE_SCOPES,
        ),
    ),
    primary_key=("report_id", "indicator"),
)

INDICATORS_TABLE = Table(
    "indicators",
    "One comparable panel 2008–2025: per report a few indicators, each from the best "
    "basis the report has (national table, then 统计表, then prose; docs/crosswalk.md)",
    "2008—2025年可比面板：每份报告若干指标，按国家表格、统计表、正文的顺序取最优来源",
    (
        REPORT_ID,
        AGENCY_ID,
        YEAR,
        _f(
            "indicator",
            "string",
            "Panel indicator",
            "面板指标",
            required=True,
            enum=INDICATORS,
        ),
        _f("value", "float64", "Value; fees in 万元", "数值；收费金额单位为万元"),
        _f("unit", "string", "Unit of value", "单位"),
        _f(
            "basis",
            "string",
            "Where the value comes from: the 2019 or 2021 national table, the local 统计表 "
            "(legacy) or the prose (narrative)",
            "数值来源：2019或2021年国家表格、地方统计表或正文",
            required=True,
            enum=BASES,
        ),
        _f(
            "source_table",
            "string",
            "Dataset holding the figure (applications, review_litigation, legacy, narrative)",
            "数值所在数据集",
            required=True,
        ),
        _f(
            "source_ref",
            "string",
            "The cells summed (row_key/column_key, legacy indicator/period) or the quote",
            "所取单元格（行键/列键、统计表指标/统计期）或原句",
            required=True,
        ),
        APPROXIMATE,
        _f(
            "other_bases",
            "string",
            "What the bases not chosen say (basis=value; …), for comparison",
            "未采用的其他来源及其数值",
        ),
    ),
    primary_key=("report_id", "indicator"),
)

CHECKS = Table(
    "checks",
    "Consistency checks (勾稽关系) with both sides, in each report and across years",
    "勾稽关系校验（含两侧数值），包括报告内与跨年度",
    (
        REPORT_ID,
        AGENCY_ID,
        YEAR,
        _f(
            "check_key",
            "string",
            "Unique key of the check within the report: kind:table:name:row:column",
            "校验在报告内的唯一键",
            required=True,
        ),
        _f(
            "kind",
            "string",
            "in_report or cross_year",
            "报告内或跨年度",
            required=True,
            enum=CHECK_KINDS,
        ),
        _f("name", "string", "Check name", "校验名称", required=True),
        _f("table_name", "string", "Table checked", "所校验的表", required=True),
        _f("row_key", "string", "Row checked", "所校验的行"),
        _f("column_key", "string", "Column checked", "所校验的列"),
        _f("passed", "bool", "Both sides equal", "是否通过", required=True),
        _f("left", "float64", "Left side value", "左侧数值"),
        _f("right", "float64", "Right side value", "右侧数值"),
        _f("difference", "float64", "left − right", "差额（左减右）"),
        _f("left_expr", "string", "Left side expression", "左侧算式"),
        _f("right_expr", "string", "Right side expression", "右侧算式"),
        _f(
            "other_report_id",
            "string",
            "For cross-year checks: the previous year's report",
            "跨年度校验所对照的上年度报告",
        ),
    ),
    primary_key=("report_id", "check_key"),
)

DOCUMENTS = Table(
    "documents",
    "Every fetched document version (from the crawler's manifest)",
    "抓取到的每个文件版本（来自抓取清单）",
    (
        SOURCE_ID,
        URL,
        PAGE_URL,
        _f("title", "string", "Title on the list or page", "标题"),
        YEAR,
        PUBLISHED_DATE,
        SHA256,
        _f(
            "path",
            "string",
            "Path in the raw store, relative to the data directory",
            "原始文件路径",
        ),
        _f("content_type", "string", "HTTP Content-Type", "内容类型"),
        _f("bytes", "int64", "Size", "大小", unit="bytes", minimum=0),
        _f("http_status", "int32", "HTTP status", "HTTP 状态码"),
        FETCHED_AT,
        RUN_ID,
        _f("kind", "string", "page or attachment", "页面或附件", enum=DOCUMENT_KINDS),
        _f("agency", "string", "发布机构 on the page", "发布机构"),
        _f("index_no", "string", "索引号", "索引号"),
        _f("doc_no", "string", "文号", "文号"),
    ),
    primary_key=("url", "sha256"),
)

CRAWL_RUNS = Table(
    "crawl_runs",
    "One row per crawl run",
    "每次抓取一行",
    (
        _f("run_id", "string", "Crawl run id", "抓取批次编号", required=True),
        _f("started_at", "timestamp", "Start (UTC)", "开始时间"),
        _f("finished_at", "timestamp", "End (UTC)", "结束时间"),
        _f("finish_reason", "string", "Why the crawl stopped", "结束原因"),
        _f("pages", "int64", "Pages fetched", "抓取页面数", minimum=0),
        _f("reports", "int64", "Reports found", "发现报告数", minimum=0),
        _f("attachments", "int64", "Attachments fetched", "抓取附件数", minimum=0),
        _f("errors_by_kind", "string", "Errors by kind (JSON object)", "各类错误数（JSON）"),
        _f("blocked_sources", "string", "Blocked source ids (JSON list)", "被拦截的来源（JSON）"),
        _f("duration_s", "float64", "Duration", "耗时", unit="s", minimum=0),
    ),
    primary_key=("run_id",),
    partition_by=None,
)

CRAWL_SOURCES = Table(
    "crawl_sources",
    "Status of each source in each crawl run",
    "每次抓取中每个来源的状态",
    (
        _f("run_id", "string", "Crawl run id", "抓取批次编号", required=True),
        _f("source_id", "string", "Source id", "来源编号", required=True),
        _f(
            "status",
            "string",
            "ok, blocked, truncated (a crawl limit was hit), incomplete (listed documents "
            "dropped), failed or empty",
            "状态",
            enum=SOURCE_STATUSES,
        ),
        _f("evidence", "string", "What the status rests on", "判断依据"),
        _f(
            "dropped",
            "int64",
            "Requests not fetched on purpose (robots.txt, off-site, limits, WAF)",
            "按规则未抓取的请求数",
            minimum=0,
        ),
        _f(
            "dropped_by_reason",
            "string",
            "Dropped requests by reason (JSON object)",
            "各原因未抓取的请求数（JSON）",
        ),
    ),
    primary_key=("run_id", "source_id"),
    partition_by=None,
)

COVERAGE_STATUSES = (
    "published",
    "published_late",
    "missing",
    "not_yet_due",
    "blocked",
    "unreadable",
    "no_source",
)
CHANGE_KINDS = ("withdrawn", "new_version", "cell_changed", "cell_added", "cell_removed")
DIVISION_CHANGES = ("current", "renamed", "recoded", "abolished", "new")
DIVISION_CODE = _f(
    "division_code", "string", "6-digit administrative division code", "6位行政区划代码"
)
PROVINCE_CODE = _f(
    "province_code", "string", "Division code of the province", "所属省级行政区划代码"
)
EVIDENCE = _f("evidence", "string", "What the status rests on", "判断依据")
PACKAGE = _f(
    "package",
    "string",
    "Data package (and version) the division codes come from",
    "行政区划代码所据数据包及版本",
    required=True,
)
DATA_DATE = _f(
    "data_date", "string", "Date of the package's data", "数据包的数据日期", required=True
)

PUBLISHERS = Table(
    "publishers",
    "Who must publish: every province-, prefecture- and county-level people's government"
    " (GB/T 2260), and the departments and townships the sources registry names",
    "应发布年报的机关：省、地、县三级人民政府（GB/T 2260），及来源登记表所列部门、乡镇",
    (
        AGENCY_ID,
        DIVISION_CODE,
        _f("name", "string", "Name of the government or agency", "机关名称", required=True),
        _f("level", "string", "Administrative level", "行政层级", required=True, enum=LEVELS),
        _f("kind", "string", "Type of the unit (地级市, 县, 市辖区 …)", "单位类型"),
        _f("parent_code", "string", "Division code of the parent unit", "上级行政区划代码"),
        PROVINCE_CODE,
        _f("source_ids", "string", "Sources that publish for it (comma-separated)", "来源编号"),
        _f(
            "former_codes",
            "string",
            "Earlier codes of the same unit (comma-separated)",
            "该单位曾用的行政区划代码",
        ),
        PACKAGE,
        DATA_DATE,
    ),
    primary_key=("agency_id",),
    partition_by=None,
    sort_by=("division_code",),
)

DIVISION_CODES = Table(
    "division_codes",
    "Every code a unit has had since 1980, with the years it was used and its code now",
    "1980年以来各单位用过的行政区划代码、使用年份及现行代码",
    (
        _f("division_code", "string", "Code as used then", "当时的代码", required=True),
        _f("name", "string", "Name of the unit then", "当时的名称", required=True),
        _f("level", "string", "Administrative level", "行政层级", required=True, enum=LEVELS),
        _f("first_year", "int32", "First year of use (null: new after 2024)", "始用年份"),
        _f("last_year", "int32", "Last year of use (null: in use)", "末用年份"),
        _f(
            "current_code",
            "string",
            "Code of the same unit now (null: abolished; the package names no successor)",
            "该单位现行代码（空：已撤销）",
        ),
        _f(
            "change",
            "string",
            "current, renamed, recoded, abolished or new",
            "变更类型",
            required=True,
            enum=DIVISION_CHANGES,
        ),
        PACKAGE,
    ),
    primary_key=("division_code", "name", "level"),
    partition_by=None,
)

COVERAGE = Table(
    "coverage",
    "Who published what, on time: one row per publisher or source agency and report year",
    "年报发布情况：每个发布机关（或来源）每个年度一行",
    (
        _f(
            "unit_id",
            "string",
            "The source id, or division:CODE for a government nianbao has no source for",
            "来源编号，或无来源政府的 division:代码",
            required=True,
        ),
        SOURCE_ID,
        _f("agency_id", "string", "Agency id of the publisher (see publishers)", "机关稳定编号"),
        _f("name", "string", "Name of the source or government", "名称", required=True),
        _f("level", "string", "Administrative level", "行政层级", enum=LEVELS),
        DIVISION_CODE,
        PROVINCE_CODE,
        _f("city_code", "string", "Division code of the prefecture", "所属地级行政区划代码"),
        _f("year", "int32", "Report year", "报告年度", required=True, minimum=2000, maximum=2100),
        _f(
            "status",
            "string",
            "published, published_late, missing, not_yet_due, blocked, unreadable, no_source",
            "发布状态",
            required=True,
            enum=COVERAGE_STATUSES,
        ),
        _f(
            "deadline_date",
            "date",
            "Legal deadline: 31 January of the next year (31 March before the 2019 rules)",
            "法定期限：次年1月31日（2019年以前为3月31日）",
            required=True,
        ),
        _f(
            "published_date",
            "date",
            "Earliest date a report of that year is dated",
            "该年度报告的最早发布日期",
        ),
        _f(
            "first_seen_at",
            "timestamp",
            "When nianbao first fetched a report of that year (UTC)",
            "首次抓取到该年度报告的时间",
        ),
        _f(
            "last_crawled_at",
            "timestamp",
            "End of the last crawl of the source (UTC)",
            "最近一次抓取该来源的时间",
        ),
        _f("crawl_status", "string", "Status of the source in the last crawl", "最近抓取状态"),
        _f("reports", "int32", "Report versions of that year", "该年度报告版本数", minimum=0),
        _f("report_id", "string", "The latest report version of that year", "最新报告版本编号"),
        EVIDENCE,
    ),
    primary_key=("unit_id", "year"),
)

CHANGES = Table(
    "changes",
    "What changed after publication: withdrawn reports, new versions and the cells they change",
    "发布后的变化：撤下的报告、新版本及其改动的单元格",
    (
        _f(
            "change_key",
            "string",
            "Unique key: kind:report_id[:table:row:label:column]",
            "变化的唯一键",
            required=True,
        ),
        AGENCY_ID,
        YEAR,
        SOURCE_ID,
        _f("kind", "string", "Kind of change", "变化类型", required=True, enum=CHANGE_KINDS),
        _f("report_id", "string", "Report version concerned (the new one)", "所涉报告版本"),
        _f("previous_report_id", "string", "The version it replaces", "被替换的版本"),
        _f("url", "string", "URL of the report page", "报告页面网址"),
        _f("table_name", "string", "Table of the changed cell", "改动单元格所在表"),
        _f("row_key", "string", "Row key of the changed cell", "行键"),
        _f("row_label", "string", "Row label of the changed cell", "行名称"),
        _f("column_key", "string", "Column key of the changed cell", "列键"),
        _f("old_value", "float64", "Value before", "原值"),
        _f("new_value", "float64", "Value after", "新值"),
        _f("old_raw", "string", "Cell text before", "原单元格文字"),
        _f("new_raw", "string", "Cell text after", "新单元格文字"),
        _f(
            "last_seen_at",
            "timestamp",
            "Withdrawn: last crawl that still listed it (UTC)",
            "撤下前最后一次见到的时间",
        ),
        _f("detected_at", "timestamp", "When nianbao saw the change (UTC)", "发现变化的时间"),
        _f("evidence", "string", "What the change rests on", "判断依据"),
    ),
    primary_key=("change_key",),
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        REPORTS,
        PROACTIVE,
        APPLICATIONS,
        REVIEW_LITIGATION,
        LEGACY,
        NARRATIVE,
        INDICATORS_TABLE,
        CHECKS,
        DOCUMENTS,
        CRAWL_RUNS,
        CRAWL_SOURCES,
    )
}
# Coverage and change (issue 10): who must publish, who did, on time, what changed after.
TABLES.update({t.name: t for t in (PUBLISHERS, DIVISION_CODES, COVERAGE, CHANGES)})
