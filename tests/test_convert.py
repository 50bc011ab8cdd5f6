"""LibreOffice conversion of DOC (and kin) to DOCX, as the dispatcher uses it."""

from __future__ import annotations

import pytest

import extract.readers.convert as convert
from extract.model import ExtractError
from extract.readers import read_document
from extract.readers.convert import to_docx
from tests.conftest import FIXTURES, load_gold, require_program
from tests.grid_helpers import APPLICATION_ROWS, figures, gold_applications, row_with, table_with

DOC = FIXTURES / "made" / "sh-szfbgt-2019.doc"


def test_doc_read_through_libreoffice_matches_gold() -> None:
    require_program("soffice")
    doc = read_document(DOC.read_bytes(), "report.doc")
    assert doc.kind == "docx"
    table = table_with(doc, "本年新收")
    for key, numbers in gold_applications(load_gold("sh-szfbgt-2019")).items():
        assert figures(row_with(table, APPLICATION_ROWS[key]), 7) == numbers, key
    assert table.rows[0][3].text == "申请人情况"
    assert [c.origin for c in table.rows[0][3:]] == [(0, 3)] * 7


def test_rtf_converts() -> None:
    require_program("soffice")
    rtf = (
        rb"{\rtf1\ansi\ansicpg936{\fonttbl{\f0 SimSun;}}\f0 "
        rb"\trowd\cellx2000\cellx4000 \intbl Rules\cell 13\cell\row "
        rb"\pard Annual report\par}"
    )
    doc = read_document(rtf, "report.rtf")
    assert [c.text for c in doc.tables[0].rows[0]] == ["Rules", "13"]
    assert "Annual report" in doc.text


def test_missing_libreoffice_is_unsupported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(convert.shutil, "which", lambda name: None)
    with pytest.raises(ExtractError) as err:
        to_docx(DOC.read_bytes(), "doc")
    assert err.value.status == "unsupported"
    assert err.value.reason == ("reading .doc needs LibreOffice (soffice), which is not installed")


def test_unknown_kind_is_unsupported() -> None:
    with pytest.raises(ExtractError) as err:
        to_docx(b"x", "xls")
    assert err.value.status == "unsupported"
    assert err.value.reason == "no conversion to DOCX for .xls"


def test_conversion_timeout_fails() -> None:
    require_program("soffice")
    with pytest.raises(ExtractError) as err:
        to_docx(DOC.read_bytes(), "doc", timeout=0.01)
    assert err.value.status == "failed"
    assert err.value.reason == "LibreOffice did not convert the .doc within 0 s"


def test_conversion_failure_fails(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    fake = tmp_path / "soffice"
    fake.write_text("#!/bin/sh\necho 'Error: source file could not be loaded' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setattr(convert, "find_soffice", lambda: str(fake))
    with pytest.raises(ExtractError) as err:
        to_docx(b"\xd0\xcf\x11\xe0broken", "wps")
    assert err.value.status == "failed"
    assert err.value.reason == (
        "LibreOffice could not convert the .wps: Error: source file could not be loaded"
    )
