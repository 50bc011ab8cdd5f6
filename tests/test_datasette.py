"""`nianbao publish` writes SQLite + Datasette metadata; the pages render in headless Chromium."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner

from nianbao.cli import cli
from nianbao.commands.publish import where_served
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


def _listening(port: int) -> set[str]:
    """Local addresses (hex, as the kernel writes them) of the TCP sockets listening on `port`."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        lines = Path(table).read_text().splitlines()[1:] if Path(table).exists() else []
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            address, _, hex_port = local.partition(":")
            if state == "0A" and int(hex_port, 16) == port:
                found.add(address)
    return found


def test_serve_listens_on_loopback_and_says_where(site: Path) -> None:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-c", "from nianbao.cli import main; main()", "serve"]
        + ["--data-dir", str(site), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,  # datasette is its child: stop the whole group
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert f"serving the datasets at http://127.0.0.1:{port}/nianbao" in first
        assert "this machine only" in first
        _wait(f"http://127.0.0.1:{port}/-/versions.json", proc)
        assert _listening(port) == {"0100007F"}  # 127.0.0.1, and no other address
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)


def test_serve_says_when_it_is_reachable_from_the_network() -> None:
    for host in ("127.0.0.1", "localhost", "::1"):
        assert "this machine only" in where_served(host, 8001)
    shared = where_served("0.0.0.0", 8001)
    assert shared.startswith("serving the datasets at http://0.0.0.0:8001/nianbao")
    assert "reachable from other machines" in shared
    assert "http://[::]:9/nianbao" in where_served("::", 9)
    code = CliRunner().invoke(cli, ["serve", "--help"])
    assert code.exit_code == 0 and "--host" in code.output and "0.0.0.0" in code.output
