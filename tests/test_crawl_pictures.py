"""A report published as pictures of its pages (图片版), through a crawl: the spider stores
the pictures in the raw store, the documents manifest lists them with their page in page
order, and the extractor reads the report from them by OCR.

The local portal's late site publishes its 2024 report as the six page pictures of
tests/fixtures/scans (a scan of js-huaian-2024, whose gold is in scans/gold). OCR costs
seconds a page, so the crawls here cover that one small site only.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pyarrow.compute as pc
import pytest
import yaml
from click.testing import CliRunner

from crawler.manifest import page_pictures, read_documents
from extract.extractor import beside, stored
from extract.model import ExtractError
from nianbao.cli import cli
from nianbao.commands.extract import iter_documents
from nianbao.demo import Portal
from nianbao.workflow import run
from tests.conftest import FIXTURES, flatten_cells
from tests.test_datasets_build import read

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]

LATE = "portal-late-linan"
SCANS = FIXTURES / "scans"


@pytest.fixture
def portal() -> Iterator[Portal]:
    with Portal(reports_per_site=6, slow_seconds=0.1) as served:
        yield served


def late_only(portal: Portal, path: Path) -> Path:
    """A sources registry of the late site alone."""
    sources = [s for s in portal.sources() if s["id"] == LATE]
    path.write_text(yaml.safe_dump({"sources": sources}, allow_unicode=True), encoding="utf-8")
    return path


def picture_page(portal: Portal) -> tuple[str, list[str]]:
    """The late site's picture page and its pictures' URLs in page order."""
    site = portal.site(LATE)
    (doc,) = {d.path: d for d, _ in site.images.values()}.values()
    return site.url(doc.path), [site.url(path) for _, path in doc.images]


def test_picture_page_is_crawled_with_its_pictures_and_read_by_ocr(
    portal: Portal, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    summary = run(data, late_only(portal, tmp_path / "sources.yaml"))
    assert summary.ok, summary.error
    page, pictures = picture_page(portal)

    rows = read_documents(data).to_pylist()
    (row,) = [r for r in rows if r["url"] == page]
    # the pictures belong to the page: listed with it in page order, no rows of their own
    listed_with_page = page_pictures(row)
    assert [p["url"] for p in listed_with_page] == pictures
    assert not {r["url"] for r in rows} & set(pictures)
    for k, picture in enumerate(listed_with_page, start=1):
        served = (SCANS / "docs/js-huaian-2024-img_files" / f"p{k}.jpg").read_bytes()
        assert (data / picture["path"]).read_bytes() == served  # stored unedited
        assert picture["sha256"] == hashlib.sha256(served).hexdigest()
        assert picture["error"] is None

    # the published documents table lists them the same way
    documents = read(data, "documents")
    (listed,) = documents.filter(pc.equal(documents["url"], page))["pictures"].to_pylist()
    assert [p["url"] for p in json.loads(listed)] == pictures

    # read by OCR from the raw store: every cell of the scan's gold answers
    reports = read(data, "reports")
    (report,) = reports.filter(pc.equal(reports["page_url"], page)).to_pylist()
    # the page is the document read (reader: its kind), by OCR (the engine named)
    assert (report["reader"], report["status"], report["year"]) == ("html", "ok", 2024)
    assert report["url"] == page and report["ocr_engine"].startswith("rapidocr")
    record_file = data / "state/records" / row["sha256"][:2] / f"{row['sha256']}.json"
    record = json.loads(record_file.read_text(encoding="utf-8"))
    gold = json.loads((SCANS / "gold/js-huaian-2024-img.json").read_text(encoding="utf-8"))
    assert record["reader"] == "ocr" and len(record["ocr_pages"]) == 6
    got, expected = flatten_cells(record), flatten_cells(gold)
    assert {k: got.get(k) for k in expected} == expected
    applications = read(data, "applications")
    received = applications.filter(
        pc.and_(
            pc.equal(applications["report_id"], report["report_id"]),
            pc.and_(
                pc.equal(applications["row_key"], "new_received"),
                pc.equal(applications["column_key"], "total"),
            ),
        )
    )
    assert received["value"].to_pylist() == [3119.0]

    # `extract --rebuild` reads it again from the raw store alone, the same way
    shutil.rmtree(data / "state/records")
    result = CliRunner().invoke(cli, ["extract", "--rebuild", "--force", "--data-dir", str(data)])
    assert result.exit_code == 0, result.output
    again = json.loads(record_file.read_text(encoding="utf-8"))
    assert flatten_cells(again) == got and again["reader"] == "ocr"


def test_a_picture_that_fails_leaves_the_page_a_status_and_the_reason(
    portal: Portal, tmp_path: Path
) -> None:
    page, pictures = picture_page(portal)
    site = portal.site(LATE)
    del site.images[pictures[0].removeprefix(site.origin)]  # the first picture now answers 404
    data = tmp_path / "data"
    summary = run(data, late_only(portal, tmp_path / "sources.yaml"))
    assert summary.ok, summary.error

    (row,) = [r for r in read_documents(data).to_pylist() if r["url"] == page]
    first, *others = page_pictures(row)
    assert first == {"url": pictures[0], "sha256": None, "path": None, "error": "HTTP 404"}
    assert [p["url"] for p in others] == pictures[1:]
    assert all((data / p["path"]).is_file() for p in others)
    reports = read(data, "reports")
    (report,) = reports.filter(pc.equal(reports["page_url"], page)).to_pylist()
    assert report["status"] == "needs_ocr"
    assert report["error"] == f"picture {pictures[0]} was not downloaded: HTTP 404"


def test_a_saved_pages_pictures_are_not_documents_of_their_own(tmp_path: Path) -> None:
    saved = tmp_path / "saved"
    (saved / "js-huaian-2024-img_files").mkdir(parents=True)
    page = saved / "js-huaian-2024-img.html"
    page.write_bytes((SCANS / "docs/js-huaian-2024-img.html").read_bytes())
    for picture in (SCANS / "docs/js-huaian-2024-img_files").iterdir():
        (saved / "js-huaian-2024-img_files" / picture.name).write_bytes(picture.read_bytes())
    # a picture on its own, and a folder named like a saved page's without its page, are read
    photo = saved / "js-hongze-2023-photo.jpg"
    photo.write_bytes((SCANS / "docs/js-hongze-2023-photo.jpg").read_bytes())
    (saved / "scans_files").mkdir()
    loose = saved / "scans_files" / "p1.jpg"
    loose.write_bytes(photo.read_bytes())
    assert [f.path for f in iter_documents((tmp_path,))] == [photo, page, loose]


def test_stored_pictures_are_found_by_their_address_on_the_page(tmp_path: Path) -> None:
    page = "http://127.0.1.8/uploadfiles/202506/report.html"
    first = SCANS / "docs/js-huaian-2024-img_files/p1.jpg"
    read = stored(
        page,
        {"http://127.0.1.8/uploadfiles/202506/p1.jpg": first},
        {"http://127.0.1.8/pictures/p2.jpg": "HTTP 500"},
    )
    assert read("./p1.jpg#top") == first.read_bytes()  # relative to the page, as a browser
    assert read("/images/logo.png") is None  # not a page of the report: passed over
    with pytest.raises(ExtractError) as failed:
        read("../../pictures/p2.jpg")
    assert failed.value.status == "needs_ocr"
    assert failed.value.reason == (
        "picture http://127.0.1.8/pictures/p2.jpg was not downloaded: HTTP 500"
    )


def test_a_saved_page_reads_its_folder_and_nothing_outside(tmp_path: Path) -> None:
    """The page's `src` is judged by name: `..` out of the folder is refused, whatever the
    files are; a picture the user linked into the folder (as the scan fixtures link to the
    demo's copy) is read."""
    page = tmp_path / "saved" / "page.html"
    (page.parent / "page_files").mkdir(parents=True)
    (tmp_path / "outside.jpg").write_bytes(b"not the page's")
    real = SCANS / "docs/js-huaian-2024-img_files/p1.jpg"
    (page.parent / "page_files/p1.jpg").symlink_to(real.resolve())
    read = beside(page)
    assert read("page_files/p1.jpg") == real.read_bytes()
    with pytest.raises(ExtractError, match="outside the page's folder"):
        read("../outside.jpg")
    with pytest.raises(ExtractError, match="outside the page's folder"):
        read("page_files/../../outside.jpg")
