"""The national tables of 2019 and 2021: sections 二, 三 and 四, one row per cell."""

from __future__ import annotations

from nianbao.datasets.schema import Field, Table
from nianbao.datasets.tables.fields import (
    AGENCY_ID,
    COLUMN_KEY,
    COLUMN_LABEL,
    COUNT,
    DERIVED,
    FORMAT,
    LOC,
    RAW,
    REPORT_ID,
    ROW_KEY,
    ROW_LABEL,
    YEAR,
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


PROACTIVE = Table(
    "proactive",
    "Section 二 主动公开: one row per cell (item × metric)",
    "第二部分主动公开政府信息情况：每个单元格一行（事项×指标）",
    (
        REPORT_ID,
        AGENCY_ID,
        YEAR,
        Field("row_key", "string", "Item key (rules, licensing, …)", "事项键", required=True),
        Field("column_key", "string", "Metric key (issued, in_force, …)", "指标键", required=True),
        ROW_LABEL,
        COLUMN_LABEL,
        Field(
            "value",
            "float64",
            "Value as printed; money in 万元 (10,000 yuan)",
            "数值；金额单位为万元",
        ),
        Field("unit", "string", "Unit of value", "单位"),
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
