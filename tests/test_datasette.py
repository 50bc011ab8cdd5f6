"""`nianbao publish` writes SQLite + Datasette metadata; the pages render in headless Chromium."""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner

from nianbao.cli import cli
from nianbao.datasets.publish import publish
from nianbao.datasets.sqlite import datasette_args
from tests.conftest import require_program
from tests.datasets_helpers import gold_tables


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("data")
    publish(gold_tables(), data)
    result = CliRunner().invoke(cli, ["publish", "--data-dir", str(data)])
    assert result.exit_code == 0, result.output
    return data


def test_sqlite_file_and_metadata(site: Path) -> None:
    db = sqlite_utils.Database(site / "site" / "nianbao.db")
    assert db["reports"].count == 22
    assert db["reports"].pks == ["report_id"]
    assert db["applications"].pks == ["report_id", "row_key", "column_key"]
    row = next(
        db.query(
            "SELECT value FROM review_litigation r JOIN reports USING (report_id) "
            "WHERE agency_name = '淮安市人民政府' AND row_key = 'review' AND column_key = 'total'"
        )
    )
    assert row["value"] == 351
    hits = list(db["reports"].search("城市管理局"))
    assert len(hits) == 5
    meta = json.loads((site / "site" / "metadata.json").read_text(encoding="utf-8"))
    reports = meta["databases"]["nianbao"]["tables"]["reports"]
    assert reports["facets"][0] == "year"
    assert reports["columns"]["year"].startswith("Year the report covers")
    # the canned coverage query runs on the file and counts every coverage row once
    canned = meta["databases"]["nianbao"]["queries"]["coverage_by_province"]["sql"]
    counted = sum(sum(v for k, v in r.items() if k not in ("province_code", "year"))
                  for r in db.query(canned, {"year": ""}))  # fmt: skip
    assert counted == db["coverage"].count


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, proc: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"datasette exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"datasette did not answer at {url}")


def _dump_dom(chromium: str, url: str, profile: Path) -> str:
    done = subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.mark.browser
def test_table_page_and_facet_render_in_chromium(site: Path, tmp_path: Path) -> None:
    chromium = require_program("chromium")
    port = _free_port()
    proc = subprocess.Popen(
        datasette_args(site, "127.0.0.1", port),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait(f"{base}/-/versions.json", proc)
        dom = _dump_dom(chromium, f"{base}/nianbao/reports", tmp_path / "profile")
        assert "22 rows" in dom
        assert "淮安市人民政府" in dom and "莆田市城市管理局" in dom
        assert 'class="facet-info facet-nianbao-reports-year"' in dom
        assert "Year the report covers" in dom or "year" in dom
        dom = _dump_dom(
            chromium, f"{base}/nianbao/applications?year=2024&_facet=row_key", tmp_path / "profile"
        )
        assert "facet-nianbao-applications-row_key" in dom
        assert "new_received" in dom
    finally:
        proc.terminate()
        proc.wait(timeout=10)
