"""Checks across years for one agency (SCHEMA.md, 勾稽关系), on whole tables at once.

Only the latest version of each agency's report on each year takes part. A check is
filed under the later year's report and names the earlier one in `other_report_id`.
Vectorised with Arrow joins so that it costs the same at 100,000 reports as at ten.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from nianbao.datasets.registry import CHECKS


def _latest(cells: pa.Table, latest_ids: pa.Array) -> pa.Table:
    keep = pc.and_(pc.is_in(cells["report_id"], latest_ids), pc.is_valid(cells["year"]))
    return cells.filter(keep)


def _rows(cells: pa.Table, row_key: str, value: str) -> pa.Table:
    picked = cells.filter(pc.equal(cells["row_key"], row_key))
    return picked.select(["report_id", "agency_id", "year", "column_key", "value"]).rename_columns(
        ["report_id", "agency_id", "year", "column_key", value]
    )


def _check_table(
    joined: pa.Table, name: str, table: str, left_expr: str, right_expr: str
) -> pa.Table:
    """`joined`: report_id, agency_id, year, row_key, column_key, left, right, other_report_id."""
    left = pc.cast(joined["left"], pa.float64())
    right = pc.cast(joined["right"], pa.float64())
    n = joined.num_rows
    keys = pc.binary_join_element_wise(
        pa.array([f"cross_year:{table}:{name}"] * n, pa.string()),
        joined["row_key"],
        joined["column_key"],
        ":",
    )
    return pa.table(
        {
            "report_id": joined["report_id"],
            "agency_id": joined["agency_id"],
            "year": joined["year"],
            "check_key": keys,
            "kind": pa.array(["cross_year"] * n, pa.string()),
            "name": pa.array([name] * n, pa.string()),
            "table_name": pa.array([table] * n, pa.string()),
            "row_key": joined["row_key"],
            "column_key": joined["column_key"],
            "passed": pc.fill_null(pc.equal(left, right), False),
            "left": left,
            "right": right,
            "difference": pc.subtract(left, right),
            "left_expr": pa.array([left_expr] * n, pa.string()),
            "right_expr": pa.array([right_expr] * n, pa.string()),
            "other_report_id": joined["other_report_id"],
        }
    )


def carried_forward(applications: pa.Table, latest_ids: pa.Array) -> pa.Table:
    """`carried_forward` of year N against `carried_over` of year N+1, per applicant column."""
    # the few rows compared first, then only the latest reports: cheap at millions of cells
    wanted = pc.is_in(applications["row_key"], pa.array(["carried_forward", "carried_over"]))
    cells = _latest(applications.filter(wanted), latest_ids)
    before = _rows(cells, "carried_forward", "left")
    before = before.set_column(2, "year", pc.add(before["year"], pa.scalar(1, pa.int32())))
    before = before.rename_columns(["other_report_id", "agency_id", "year", "column_key", "left"])
    after = _rows(cells, "carried_over", "right")
    joined = after.join(before, ["agency_id", "year", "column_key"], join_type="inner")
    joined = joined.append_column(
        "row_key", pa.array(["carried_over"] * joined.num_rows, pa.string())
    )
    return _check_table(
        joined,
        "carried_forward_continuity",
        "applications",
        "carried_forward[year-1]",
        "carried_over[year]",
    )


def in_force(proactive: pa.Table, latest_ids: pa.Array) -> pa.Table:
    """`in_force` of N plus `issued` minus `repealed` of N+1 against `in_force` of N+1."""
    wanted = pc.is_in(proactive["column_key"], pa.array(["in_force", "issued", "repealed"]))
    cells = _latest(proactive.filter(wanted), latest_ids)
    parts = {}
    for metric in ("in_force", "issued", "repealed"):
        picked = cells.filter(pc.equal(cells["column_key"], metric))
        parts[metric] = picked.select(["report_id", "agency_id", "year", "row_key", "value"])
    before = parts["in_force"]
    before = pa.table(
        {
            "other_report_id": before["report_id"],
            "agency_id": before["agency_id"],
            "year": pc.add(before["year"], pa.scalar(1, pa.int32())),
            "row_key": before["row_key"],
            "in_force_before": before["value"],
        }
    )
    keys = ["report_id", "agency_id", "year", "row_key"]
    now = parts["in_force"].rename_columns([*keys, "right"])
    now = now.join(parts["issued"].rename_columns([*keys, "issued"]), keys, join_type="inner")
    now = now.join(parts["repealed"].rename_columns([*keys, "repealed"]), keys, join_type="inner")
    joined = now.join(before, ["agency_id", "year", "row_key"], join_type="inner")
    left = pc.subtract(pc.add(joined["in_force_before"], joined["issued"]), joined["repealed"])
    joined = pa.table(
        {
            "report_id": joined["report_id"],
            "agency_id": joined["agency_id"],
            "year": joined["year"],
            "row_key": joined["row_key"],
            "column_key": pa.array(["in_force"] * joined.num_rows, pa.string()),
            "left": left,
            "right": joined["right"],
            "other_report_id": joined["other_report_id"],
        }
    )
    return _check_table(
        joined,
        "in_force_continuity",
        "proactive",
        "in_force[year-1] + issued[year] - repealed[year]",
        "in_force[year]",
    )


def cross_year_checks(proactive: pa.Table, applications: pa.Table, reports: pa.Table) -> pa.Table:
    latest_ids = reports.filter(reports["is_latest"])["report_id"].combine_chunks()
    tables = [carried_forward(applications, latest_ids), in_force(proactive, latest_ids)]
    return pa.concat_tables([CHECKS.conform(t) for t in tables])
