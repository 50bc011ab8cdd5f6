"""`nianbao demo`, the README's main job: the whole pipeline offline, twice."""

from __future__ import annotations

import socket
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from nianbao.cli import cli


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
