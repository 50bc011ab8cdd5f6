"""`nianbao demo`, the README's main job: the whole pipeline offline, twice."""

from __future__ import annotations

import socket
from datetime import date
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from nianbao.cli import cli
from nianbao.datasets.coverage import deadline


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.1.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_demo_publishes_and_a_second_demo_fetches_nothing_new(tmp_path: Path) -> None:
    port = str(_free_port())
    args = ["demo", "--data-dir", str(tmp_path), "--reports", "6", "--port", port]
    first = CliRunner().invoke(cli, args)
    assert first.exit_code == 0, first.output
    assert "blocked sources: portal-waf-zhenan" in first.output
    con = duckdb.connect()
    reports = tmp_path / "datasets" / "reports"
    rows = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE status = 'ok') "
        f"FROM read_parquet('{reports}/**/*.parquet', hive_partitioning = true)"
    ).fetchone()
    assert rows[0] > 20 and rows[1] > 20
    # the demo also says who published on time, late, or was blocked, and what changed
    coverage = tmp_path / "datasets" / "coverage"
    statuses = dict(
        con.execute(
            f"SELECT status, count(*) FROM read_parquet('{coverage}/**/*.parquet', "
            "hive_partitioning = false) WHERE source_id LIKE 'portal-%' GROUP BY ALL"
        ).fetchall()
    )
    assert statuses["published"] > 0 and statuses["published_late"] > 0
    # the WAF site and the one robots.txt keeps out are blocked on the last year due; this
    # year is not yet due on every site (and, in January, last year too)
    today = date.today()
    january = today <= deadline(today.year - 1)
    assert statuses.get("blocked", 0) == (0 if january else 2)
    assert statuses["not_yet_due"] == 8 * (2 if january else 1)
    assert list((tmp_path / "datasets" / "changes").rglob("*.parquet"))
    second = CliRunner().invoke(cli, args)
    assert second.exit_code == 0, second.output
    assert " 0 new and 0 changed documents" in second.output


def test_demo_says_when_its_port_is_taken(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.1.1", 0))
        port = s.getsockname()[1]
        s.listen()
        result = CliRunner().invoke(cli, ["demo", "--data-dir", str(tmp_path), "--port", str(port)])
    assert result.exit_code == 1
    assert f"cannot serve the local portal on port {port}" in result.output
