"""The scale benchmark's generator and journalist queries, on a small scale (no timing)."""

from __future__ import annotations

from pathlib import Path

import pyarrow.compute as pc

from benchmarks.dataset import QUERIES, generate
from nianbao.datasets.build import build
from nianbao.datasets.query import connect
from nianbao.datasets.release import publish
from tests.gold_records import whole_tables


def test_generated_reports_build_and_answer_the_queries(tmp_path: Path) -> None:
    generate(160, tmp_path)
    result = build(tmp_path)
    assert result.extracted == 0 and result.reused == 160  # all from the row cache
    tables = whole_tables(result)
    assert tables["reports"].num_rows == 160
    assert set(tables["reports"]["year"].to_pylist()) == set(range(2018, 2026))
    cross = tables["checks"].filter(pc.equal(tables["checks"]["kind"], "cross_year"))
    assert cross.num_rows > 0
    # the 2018 reports copy a 统计表 and prose (fj-putian-lvyou-2008), read back from the
    # row cache's year files into the panel
    panel = tables["indicators"].to_pylist()
    assert {r["year"] for r in panel} == set(range(2018, 2026))
    assert {r["basis"] for r in panel if r["year"] == 2018} == {"legacy", "narrative"}
    assert {r["basis"] for r in panel if r["year"] >= 2019} >= {"table_2019", "table_2021"}
    publish(tables, tmp_path)
    con = connect(tmp_path)
    try:
        answers = {name: con.sql(sql).fetchall() for name, sql in QUERIES.items()}
        total = con.sql(
            "SELECT sum(value) FROM applications JOIN reports USING (report_id) "
            "WHERE row_key = 'new_received' AND column_key = 'total' AND is_latest"
        ).fetchall()[0][0]
    finally:
        con.close()
    jiangsu = answers.pop("reports in Jiangsu whose checks fail")  # 20 agencies: maybe none
    assert all(row[2] > 0 for row in jiangsu)
    assert all(answers.values()), [n for n, rows in answers.items() if not rows]
    assert sum(row[2] for row in answers["applications per year by level"]) == total
    shares = [row[2] for row in answers["share of 不予公开 by reason, 2024"]]
    assert abs(sum(shares) - 100) < 1
