"""`nianbao publish` writes SQLite + Datasette metadata; the pages render in headless Chromium."""

from __future__ import annotations

import json
import os
import re
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
from nianbao.datasets.release import publish
from nianbao.datasets.sqlite import datasette_args
from tests.conftest import load_gold, require_program
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


def test_sqlite_file_has_the_panel_and_the_pre2019_tables(site: Path) -> None:
    db = sqlite_utils.Database(site / "site" / "nianbao.db")
    assert db["indicators"].pks == ["report_id", "indicator"]
    row = next(
        db.query(
            "SELECT i.value, i.basis, i.other_bases FROM indicators i"
            " JOIN reports USING (report_id)"
            " WHERE agency_name = '莆田市旅游局' AND indicator = 'proactive_total'"
        )
    )
    assert row == {"value": 111, "basis": "legacy", "other_bases": "narrative=111"}
    approximate = list(db.query("SELECT label, raw FROM legacy WHERE approximate"))
    assert {r["raw"] for r in approximate} == {"1500多"}
    meta = json.loads((site / "site" / "metadata.json").read_text(encoding="utf-8"))
    tables = meta["databases"]["nianbao"]["tables"]
    assert tables["indicators"]["facets"] == ["year", "indicator", "basis"]
    assert tables["narrative"]["columns"]["scope"].startswith("agency (the agency itself)")


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


ARTIFACTS = Path(
    os.environ.get("NIANBAO_TEST_ARTIFACTS", Path(__file__).parent.parent / "test-artifacts")
)


def _screenshot(chromium: str, url: str, profile: Path, name: str) -> Path:
    """A PNG of the page, kept under test-artifacts/ for a person to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    out = ARTIFACTS / f"{name}.png"
    out.unlink(missing_ok=True)
    subprocess.run(
        [
            chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", f"--user-data-dir={profile}", "--window-size=1280,1600",
            f"--screenshot={out}", url,
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )  # fmt: skip
    assert out.stat().st_size > 10_000, f"{out} looks empty"
    return out


@pytest.mark.browser
def test_report_agency_and_table_pages_render_in_chromium(site: Path, tmp_path: Path) -> None:
    chromium = require_program("chromium")
    db = sqlite_utils.Database(site / "site" / "nianbao.db")
    report = next(db.query("SELECT * FROM reports WHERE agency_name = '淮安市人民政府'"))
    gold = load_gold("js-huaian-2024")
    port = _free_port()
    proc = subprocess.Popen(
        datasette_args(site, "127.0.0.1", port),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    profile = tmp_path / "profile"
    try:
        base = f"http://127.0.0.1:{port}"
        _wait(f"{base}/-/versions.json", proc)
        url = f"{base}/-/nianbao/report/{report['report_id']}"
        dom = _dump_dom(chromium, url, profile)
        assert "三、收到和处理政府信息公开申请情况" in dom and "法人或其他组织" in dom
        new = gold["applications"]["new_received"]
        row = dom.split("本年新收政府信息公开申请数量</td>")[1].split("</tr>")[0]
        assert re.findall(r'class="value">([^<]*)<', row) == [str(v) for v in new.values()]
        assert report["page_url"] or report["url"] in dom
        _screenshot(chromium, url, profile, "report-page")

        url = f"{base}/-/nianbao/agency/{report['agency_id']}"
        dom = _dump_dom(chromium, url, profile)
        assert '<svg class="nianbao-chart"' in dom and "<circle" in dom
        assert f"{gold['year']}: {new['total']}" in dom  # the point's tooltip
        _screenshot(chromium, url, profile, "agency-chart")

        url = f"{base}/nianbao/reports"
        dom = _dump_dom(chromium, url, profile)
        # the data first; the column descriptions folded below the table
        assert dom.index('class="rows-and-columns"') < dom.index('class="nianbao-columns"')
        assert '<details class="nianbao-columns">' in dom
        assert f'href="/-/nianbao/agency/{report["agency_id"]}"' in dom
        assert f'<a href="/-/nianbao/report/{report["report_id"]}">{report["title"]}</a>' in dom
        _screenshot(chromium, url, profile, "reports-table")

        answers = {}
        for query in ("agency_over_time", "who_denies_most", "totals_do_not_add_up",
                      "biggest_changes"):  # fmt: skip
            with urllib.request.urlopen(
                f"{base}/nianbao/{query}.json?_shape=array&agency_id={report['agency_id']}",
                timeout=30,
            ) as reply:
                answers[query] = json.load(reply)
        received = [
            r for r in answers["agency_over_time"] if r["indicator"] == "applications_received"
        ]
        assert [(r["year"], r["value"]) for r in received] == [(gold["year"], new["total"])]
        assert received[0]["basis"] == f"table_{gold['formats']['applications']}"
        denied = next(
            r for r in answers["who_denies_most"] if r["report_id"] == report["report_id"]
        )
        assert denied["new_received"] == new["total"]
        assert denied["denied"] == sum(
            v["total"] for k, v in gold["applications"].items() if k.startswith("denied_")
        )
        # the answer files hold no in-report checks; the query answers, with no rows
        assert answers["totals_do_not_add_up"] == []
        cgj = [r for r in answers["biggest_changes"] if r["agency_name"] == "莆田市城市管理局"]
        assert {(r["previous_year"], r["year"]) for r in cgj} == {
            (2021, 2022),
            (2022, 2023),
            (2023, 2024),
            (2024, 2025),
        }
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
