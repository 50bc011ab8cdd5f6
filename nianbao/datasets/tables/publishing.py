"""Who must publish, who did and on time, and what changed after publication."""

from __future__ import annotations

from nianbao.datasets.schema import Field, Table
from nianbao.datasets.tables.fields import AGENCY_ID, LEVELS, SOURCE_ID, YEAR

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
DIVISION_CODE = Field(
    "division_code", "string", "6-digit administrative division code", "6位行政区划代码"
)
PROVINCE_CODE = Field(
    "province_code", "string", "Division code of the province", "所属省级行政区划代码"
)
EVIDENCE = Field("evidence", "string", "What the status rests on", "判断依据")
PACKAGE = Field(
    "package",
    "string",
    "Data package (and version) the division codes come from",
    "行政区划代码所据数据包及版本",
    required=True,
)
DATA_DATE = Field(
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
        Field("name", "string", "Name of the government or agency", "机关名称", required=True),
        Field("level", "string", "Administrative level", "行政层级", required=True, enum=LEVELS),
        Field("kind", "string", "Type of the unit (地级市, 县, 市辖区 …)", "单位类型"),
        Field("parent_code", "string", "Division code of the parent unit", "上级行政区划代码"),
        PROVINCE_CODE,
        Field("source_ids", "string", "Sources that publish for it (comma-separated)", "来源编号"),
        Field(
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
        Field("division_code", "string", "Code as used then", "当时的代码", required=True),
        Field("name", "string", "Name of the unit then", "当时的名称", required=True),
        Field("level", "string", "Administrative level", "行政层级", required=True, enum=LEVELS),
        Field("first_year", "int32", "First year of use (null: new after 2024)", "始用年份"),
        Field("last_year", "int32", "Last year of use (null: in use)", "末用年份"),
        Field(
            "current_code",
            "string",
            "Code of the same unit now (null: abolished; the package names no successor)",
            "该单位现行代码（空：已撤销）",
        ),
        Field(
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
        Field(
            "unit_id",
            "string",
            "The source id, or division:CODE for a government nianbao has no source for",
            "来源编号，或无来源政府的 division:代码",
            required=True,
        ),
        SOURCE_ID,
        Field("agency_id", "string", "Agency id of the publisher (see publishers)", "机关稳定编号"),
        Field("name", "string", "Name of the source or government", "名称", required=True),
        Field("level", "string", "Administrative level", "行政层级", enum=LEVELS),
        DIVISION_CODE,
        PROVINCE_CODE,
        Field("city_code", "string", "Division code of the prefecture", "所属地级行政区划代码"),
        Field(
            "year", "int32", "Report year", "报告年度", required=True, minimum=2000, maximum=2100
        ),
        Field(
            "status",
            "string",
            "published, published_late, missing, not_yet_due, blocked, unreadable, no_source",
            "发布状态",
            required=True,
            enum=COVERAGE_STATUSES,
        ),
        Field(
            "deadline_date",
            "date",
            "Legal deadline: 31 January of the next year (31 March before the 2019 rules)",
            "法定期限：次年1月31日（2019年以前为3月31日）",
            required=True,
        ),
        Field(
            "published_date",
            "date",
            "Earliest date a report of that year is dated",
            "该年度报告的最早发布日期",
        ),
        Field(
            "first_seen_at",
            "timestamp",
            "When nianbao first fetched a report of that year (UTC)",
            "首次抓取到该年度报告的时间",
        ),
        Field(
            "last_crawled_at",
            "timestamp",
            "End of the last crawl of the source (UTC)",
            "最近一次抓取该来源的时间",
        ),
        Field("crawl_status", "string", "Status of the source in the last crawl", "最近抓取状态"),
        Field("reports", "int32", "Report versions of that year", "该年度报告版本数", minimum=0),
        Field("report_id", "string", "The latest report version of that year", "最新报告版本编号"),
        EVIDENCE,
    ),
    primary_key=("unit_id", "year"),
)

CHANGES = Table(
    "changes",
    "What changed after publication: withdrawn reports, new versions and the cells they change",
    "发布后的变化：撤下的报告、新版本及其改动的单元格",
    (
        Field(
            "change_key",
            "string",
            "Unique key: kind:report_id[:table:row:label:column]",
            "变化的唯一键",
            required=True,
        ),
        AGENCY_ID,
        YEAR,
        SOURCE_ID,
        Field("kind", "string", "Kind of change", "变化类型", required=True, enum=CHANGE_KINDS),
        Field("report_id", "string", "Report version concerned (the new one)", "所涉报告版本"),
        Field("previous_report_id", "string", "The version it replaces", "被替换的版本"),
        Field("url", "string", "URL of the report page", "报告页面网址"),
        Field("table_name", "string", "Table of the changed cell", "改动单元格所在表"),
        Field("row_key", "string", "Row key of the changed cell", "行键"),
        Field("row_label", "string", "Row label of the changed cell", "行名称"),
        Field("column_key", "string", "Column key of the changed cell", "列键"),
        Field("old_value", "float64", "Value before", "原值"),
        Field("new_value", "float64", "Value after", "新值"),
        Field("old_raw", "string", "Cell text before", "原单元格文字"),
        Field("new_raw", "string", "Cell text after", "新单元格文字"),
        Field(
            "last_seen_at",
            "timestamp",
            "Withdrawn: last crawl that still listed it (UTC)",
            "撤下前最后一次见到的时间",
        ),
        Field("detected_at", "timestamp", "When nianbao saw the change (UTC)", "发现变化的时间"),
        Field("evidence", "string", "What the change rests on", "判断依据"),
    ),
    primary_key=("change_key",),
)
