"""The consistency checks of SCHEMA.md (勾稽关系), each kept with both sides.

A failed check is a fact about the report (or a sign of a misread cell); values are
never changed to make a check pass.
"""

from __future__ import annotations

import re

from extract import labels as L
from extract.record import CellValue, Check, LegacyValue, Matrix, NarrativeFigure, ProactiveCell

# A sentence counting last year's carried-over applications in its figure.
_CARRIED_OVER = re.compile(r"上一?年度?结转|结转上一?年|含上一?年")
APPLICANTS = tuple(k for k in L.APPLICANT_COLUMNS if k != "total")
REVIEW_PARTS = tuple(k for k in L.REVIEW_COLUMNS if k != "total")


def _v(matrix: Matrix, row: str, col: str) -> float | None:
    cell = matrix.get(row, {}).get(col)
    return cell.value if isinstance(cell, CellValue) else None


def _check(name, table, left, right, left_expr, right_expr, row=None, column=None) -> Check:
    passed = left is not None and right is not None and abs(left - right) < 1e-6
    return Check(name, table, passed, left, right, left_expr, right_expr, row, column)


def _sum(values: list[float | None]) -> float | None:
    return None if any(v is None for v in values) else sum(values)  # type: ignore[arg-type]


def application_checks(apps: Matrix, fmt: str | None) -> list[Check]:
    if not apps:
        return []
    checks: list[Check] = []
    leaves = (
        [r for r in L.RESULT_ROWS if r != "other_total"]
        if fmt == "2021"
        else [r for r in L.RESULT_ROWS if r not in L.OTHER_ROWS_2021]
    )
    expected_rows = ["new_received", "carried_over", *leaves, "total_processed", "carried_forward"]
    missing = [r for r in expected_rows if r not in apps]
    checks.append(
        _check(
            "applications.rows_present",
            "applications",
            len(expected_rows) - len(missing),
            len(expected_rows),
            "rows read" + (f" (missing {', '.join(missing)})" if missing else ""),
            "rows of the template",
        )
    )
    for col in (*APPLICANTS, "total"):
        if not any(col in apps.get(r, {}) for r in expected_rows):
            continue
        left = _sum([_v(apps, "new_received", col), _v(apps, "carried_over", col)])
        right = _sum([_v(apps, "total_processed", col), _v(apps, "carried_forward", col)])
        checks.append(
            _check(
                "applications.balance",
                "applications",
                left,
                right,
                "new_received + carried_over",
                "total_processed + carried_forward",
                column=col,
            )
        )
        parts = _sum([_v(apps, r, col) if r in apps else 0 for r in leaves])
        checks.append(
            _check(
                "applications.results_sum",
                "applications",
                _v(apps, "total_processed", col),
                parts,
                "total_processed",
                f"sum of the {len(leaves)} result rows",
                column=col,
            )
        )
    for row in expected_rows:
        if row not in apps:
            continue
        parts = _sum([_v(apps, row, c) for c in APPLICANTS])
        checks.append(
            _check(
                "applications.row_total",
                "applications",
                _v(apps, row, "total"),
                parts,
                "total",
                "sum of the six applicant columns",
                row=row,
            )
        )
    return checks


def review_checks(review: Matrix) -> list[Check]:
    checks = []
    for row in ("review", "litigation_direct", "litigation_after_review"):
        if row not in review:
            continue
        parts = _sum([_v(review, row, c) for c in REVIEW_PARTS])
        checks.append(
            _check(
                "review_litigation.row_total",
                "review_litigation",
                _v(review, row, "total"),
                parts,
                "total",
                " + ".join(REVIEW_PARTS),
                row=row,
            )
        )
    return checks


def proactive_checks(cells: list[ProactiveCell], fmt: str | None) -> list[Check]:
    """Section 二 has no sums to check; what can be checked is that every cell of the
    template was read, and read as a number."""
    if not cells:
        return []
    template = L.ITEM_METRICS_2021 if fmt == "2021" else L.ITEM_METRICS_2019
    expected = {(item, metric) for item, metrics in template.items() for metric in metrics}
    read = {(c.item, c.metric) for c in cells}
    missing = sorted(f"{i}.{m}" for i, m in expected - read)
    unreadable = [c for c in cells if c.cell.value is None]
    return [
        _check(
            "proactive.cells_present",
            "proactive",
            len(expected & read),
            len(expected),
            "template cells read" + (f" (missing {', '.join(missing)})" if missing else ""),
            f"cells of the {fmt} template",
        ),
        _check(
            "proactive.values_readable",
            "proactive",
            len(cells) - len(unreadable),
            len(cells),
            "cells read as numbers",
            "cells",
        ),
    ]


def report_checks(
    proactive: list[ProactiveCell], apps: Matrix, review: Matrix, formats: dict[str, str]
) -> list[Check]:
    return [
        *proactive_checks(proactive, formats.get("proactive")),
        *application_checks(apps, formats.get("applications")),
        *review_checks(review),
    ]


def reader_check(warnings: list[str]) -> Check:
    """The reader's own doubts (a copied row it could not lay out for certain) as a
    failed check, so such a record is never taken as clean."""
    return _check(
        "reader.layout_certain",
        "document",
        0,
        len(warnings),
        "rows laid out with certainty",
        "rows needing it",
    )


def _bound(name, left, right, left_expr, right_expr, row=None, column=None) -> Check:
    """A parts ≤ total check: passes when `left` does not exceed `right`."""
    passed = left is not None and right is not None and left <= right + 1e-6
    return Check(name, "legacy", passed, left, right, left_expr, right_expr, row, column)


def legacy_checks(values: list[LegacyValue]) -> list[Check]:
    """The sums a 统计表 implies (SCHEMA.md "Before 2019"), per period.

    Channels and responses must add up to their totals unless the table lists rows
    beyond the known ones under them (the 2016–2018 tables' 不属于本行政机关公开数 …),
    when the known parts can only be at most the total.
    """
    checks: list[Check] = []
    by_key = {(v.indicator, v.period): v.value for v in values if v.indicator != "extra"}
    extra_after = _extras_after(values)
    periods = [p for p in ("year", "cumulative") if any(k[1] == p for k in by_key)]
    for period in periods:

        def have(keys: tuple[str, ...], period: str = period) -> list[str]:
            return [k for k in keys if (k, period) in by_key]

        def total(keys: list[str], period: str = period) -> float | None:
            return _sum([by_key[(k, period)] for k in keys])

        parts = have(L.LEGACY_PROACTIVE_PARTS)
        if parts and ("proactive_total", period) in by_key:
            checks.append(
                _bound(
                    "legacy.website_le_total",
                    total(parts),
                    by_key[("proactive_total", period)],
                    " + ".join(parts),
                    "proactive_total",
                    column=period,
                )
            )
        for name, head, keys in (
            ("legacy.channels_sum", "applications_total", L.LEGACY_CHANNELS),
            ("legacy.responses_sum", "responses_total", L.LEGACY_RESPONSES),
        ):
            parts = have(keys)
            if not parts or (head, period) not in by_key:
                continue
            left, right = total(parts), by_key[(head, period)]
            if head.split("_")[0] in extra_after:
                checks.append(_bound(name, left, right, " + ".join(parts), head, column=period))
            else:
                checks.append(
                    _check(name, "legacy", left, right, " + ".join(parts), head, column=period)
                )
    for (indicator, period), value in by_key.items():
        if period == "cumulative" and (indicator, "year") in by_key:
            checks.append(
                _bound(
                    "legacy.cumulative_ge_year",
                    by_key[(indicator, "year")],
                    value,
                    "year",
                    "cumulative",
                    row=indicator,
                )
            )
    return checks


def _extras_after(values: list[LegacyValue]) -> set[str]:
    """The groups (applications, responses…) an unknown row was printed under."""
    groups, last = set(), None
    for v in values:
        if v.indicator == "extra":
            if last:
                groups.add(last.split("_")[0])
        else:
            last = v.indicator
    return groups


def _number_text(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


def narrative_checks(narrative: list[NarrativeFigure], apps: Matrix, review: Matrix) -> list[Check]:
    """The prose's figures against the report's own 表三 and 表四 (2019+).

    A sentence giving new and carried-over applications together ("共收到…（其中上年结转
    …）") is compared with their sum, any other with new_received.
    """
    checks: list[Check] = []
    stated = {f.indicator: f for f in narrative if f.scope == "agency"}
    apps_figure = stated.get("applications_total")
    if apps_figure is not None and "new_received" in apps:
        quote, value = apps_figure.quote, _number_text(apps_figure.value)
        new_only = re.search(rf"新收[^，。；\d]{{0,20}}{value}(?!\d)", quote)
        with_carried = bool(_CARRIED_OVER.search(quote)) and not new_only and "carried_over" in apps
        rows = ["new_received", "carried_over"] if with_carried else ["new_received"]
        checks.append(
            _check(
                "narrative.applications_total_vs_table",
                "narrative",
                apps_figure.value,
                _sum([_v(apps, r, "total") for r in rows]),
                "applications received, as the text states",
                " + ".join(f"applications.{r}.total" for r in rows),
            )
        )
    for indicator, rows in (
        ("reviews", ["review"]),
        ("litigations", ["litigation_direct", "litigation_after_review"]),
    ):
        figure = stated.get(indicator)
        if figure is None or not any(r in review for r in rows):
            continue
        checks.append(
            _check(
                f"narrative.{indicator}_vs_table",
                "narrative",
                figure.value,
                _sum([_v(review, r, "total") for r in rows if r in review]),
                f"{indicator}, as the text states",
                " + ".join(f"review_litigation.{r}.total" for r in rows if r in review),
            )
        )
    return checks


def ocr_check(doubtful: list[str], chosen: list[str]) -> Check:
    """Numeric cells the recogniser was not sure of, named, as a check: an OCR misread
    is never silent. One whose reading the table's sums chose (extract/arithmetic) still
    counts: it was not read with confidence, and the sums that chose it prove nothing."""
    return _check(
        "reader.ocr_confident",
        "document",
        0,
        len(doubtful),
        "numbers read with confidence"
        + (f" (doubtful: {'; '.join(doubtful[:20])})" if doubtful else "")
        + (f" (chosen by the table's sums: {'; '.join(chosen[:20])})" if chosen else ""),
        "numbers read below the confidence threshold",
    )
