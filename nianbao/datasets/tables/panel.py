"""Before 2019 and beyond the tables: the 统计表, the figures in prose, and the panel."""

from __future__ import annotations

from nianbao.datasets.schema import Field, Table
from nianbao.datasets.tables.fields import (
    AGENCY_ID,
    APPROXIMATE,
    BASES,
    INDICATORS,
    LEGACY_PERIODS,
    LOC,
    NARRATIVE_SCOPES,
    RAW,
    REPORT_ID,
    YEAR,
)

LEGACY = Table(
    "legacy",
    "Before 2019: the local 统计表, one row per indicator and period as printed",
    "2019年以前：地方统计表，每个指标每个统计期一行（按原表）",
    (
        REPORT_ID,
        AGENCY_ID,
        YEAR,
        Field(
            "indicator",
            "string",
            "Indicator key of SCHEMA.md (extra: a row the list does not name)",
            "指标键（见 SCHEMA.md；extra 为未列名的行）",
            required=True,
        ),
        Field(
            "period",
            "string",
            "year (年末统计, 本年度) or cumulative (历年累计)",
            "统计期：本年度或历年累计",
            required=True,
            enum=LEGACY_PERIODS,
        ),
        Field("label", "string", "Row label as printed", "原表指标名称", required=True),
        Field(
            "value",
            "float64",
            "Value as printed; money in 万元 (null: unreadable)",
            "数值；金额单位为万元（无法识别时为空）",
        ),
        Field("unit", "string", "Unit as printed (万元 for converted money)", "计量单位（按原表）"),
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
        Field(
            "indicator",
            "string",
            "Indicator key of SCHEMA.md (proactive_total, applications_total, …)",
            "指标键（见 SCHEMA.md）",
            required=True,
        ),
        Field(
            "value",
            "float64",
            "Figure stated (没有/未/无 are 0); money in 万元",
            "正文所述数字（“没有/未/无”为0）；金额单位为万元",
            required=True,
        ),
        Field("quote", "string", "Sentence the figure was read from", "数字所在原句"),
        Field(
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
        Field(
            "indicator",
            "string",
            "Panel indicator",
            "面板指标",
            required=True,
            enum=INDICATORS,
        ),
        Field("value", "float64", "Value; fees in 万元", "数值；收费金额单位为万元"),
        Field("unit", "string", "Unit of value", "单位"),
        Field(
            "basis",
            "string",
            "Where the value comes from: the 2019 or 2021 national table, the local 统计表 "
            "(legacy) or the prose (narrative)",
            "数值来源：2019或2021年国家表格、地方统计表或正文",
            required=True,
            enum=BASES,
        ),
        Field(
            "source_table",
            "string",
            "Dataset holding the figure (applications, review_litigation, legacy, narrative)",
            "数值所在数据集",
            required=True,
        ),
        Field(
            "source_ref",
            "string",
            "The cells summed (row_key/column_key, legacy indicator/period) or the quote",
            "所取单元格（行键/列键、统计表指标/统计期）或原句",
            required=True,
        ),
        APPROXIMATE,
        Field(
            "other_bases",
            "string",
            "What the bases not chosen say (basis=value; …), for comparison",
            "未采用的其他来源及其数值",
        ),
    ),
    primary_key=("report_id", "indicator"),
)
