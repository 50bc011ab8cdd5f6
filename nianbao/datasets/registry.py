"""Every published field and table, declared once.

PUDL's lesson: one registry drives the pyarrow schema used to write Parquet, the
validation run before every write, the Frictionless schema and the data dictionary
people read. Nothing else in nianbao spells out a column's type.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from extract.record import STATUSES

LEVELS = ("province", "city", "county", "department", "township")
FORMATS = ("2019", "2021", "pre2019")
DOCUMENT_KINDS = ("page", "attachment")
CHECK_KINDS = ("in_report", "cross_year")
SOURCE_STATUSES = ("ok", "blocked", "failed", "empty")

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
        _f("cells", "int32", "Number of table cells read", "读取的单元格数", minimum=0),
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
        _f("status", "string", "ok, blocked, failed or empty", "状态", enum=SOURCE_STATUSES),
        _f("evidence", "string", "What the status rests on", "判断依据"),
    ),
    primary_key=("run_id", "source_id"),
    partition_by=None,
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        REPORTS,
        PROACTIVE,
        APPLICATIONS,
        REVIEW_LITIGATION,
        CHECKS,
        DOCUMENTS,
        CRAWL_RUNS,
        CRAWL_SOURCES,
    )
}


@dataclass(frozen=True)
class Key:
    table: str
    axis: str
    key: str
    zh: str
    en: str
    unit: str | None


@cache
def keys() -> tuple[Key, ...]:
    """The row and column keys of SCHEMA.md with their Chinese labels (keys.csv)."""
    text = resources.files("nianbao.datasets").joinpath("keys.csv").read_text(encoding="utf-8")
    return tuple(
        Key(r["table"], r["axis"], r["key"], r["label_zh"], r["label_en"], r["unit"] or None)
        for r in csv.DictReader(text.splitlines())
    )


@cache
def labels(table: str, axis: str) -> dict[str, str]:
    return {k.key: k.zh for k in keys() if k.table == table and k.axis == axis}


@cache
def units(table: str, axis: str) -> dict[str, str | None]:
    return {k.key: k.unit for k in keys() if k.table == table and k.axis == axis}
