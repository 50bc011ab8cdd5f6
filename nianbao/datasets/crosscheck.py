"""Checks across years for one agency (SCHEMA.md, 勾稽关系), vectorised with Arrow joins.

Only the latest version of each agency's report on each year takes part. A check is
filed under the later year's report and names the earlier one in `other_report_id`.
The checks of year N need only the few cells compared (`compared_cells`) of N-1 and N,
so a build holding one year at a time keeps the year before as that small summary.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from nianbao.datasets.tables.reports import CHECKS


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


def carried_forward(cells: pa.Table) -> pa.Table:
    """`carried_forward` of year N against `carried_over` of year N+1, per applicant column
    (`cells`: the compared applications cells)."""
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


def in_force(cells: pa.Table) -> pa.Table:
    """`in_force` of N plus `issued` minus `repealed` of N+1 against `in_force` of N+1
    (`cells`: the compared proactive cells)."""
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


def compared_cells(
    proactive: pa.Table, applications: pa.Table, reports: pa.Table
) -> dict[str, pa.Table]:
    """The few cells of the latest reports that the checks compare, by table: all that
    the checks of the year after need of a year."""
    latest_ids = reports.filter(reports["is_latest"])["report_id"].combine_chunks()
    # the few rows compared first, then only the latest reports: cheap at millions of cells
    wanted = pc.is_in(proactive["column_key"], pa.array(["in_force", "issued", "repealed"]))
    carried = pc.is_in(applications["row_key"], pa.array(["carried_forward", "carried_over"]))
    return {
        "proactive": _latest(proactive.filter(wanted), latest_ids),
        "applications": _latest(applications.filter(carried), latest_ids),
    }


def cross_year_checks(*years: dict[str, pa.Table]) -> pa.Table:
    """The checks between the `compared_cells` of the years given (filed under the later)."""
    proactive = pa.concat_tables([y["proactive"] for y in years])
    applications = pa.concat_tables([y["applications"] for y in years])
    tables = [carried_forward(applications), in_force(proactive)]
    return pa.concat_tables([CHECKS.conform(t) for t in tables])
