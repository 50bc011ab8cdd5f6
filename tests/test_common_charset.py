"""The one charset decoding of the crawler and the extractor, on a real page in the forms
portals serve it, and its properties over any text and any bytes."""

from __future__ import annotations

import re

from hypothesis import assume, given
from hypothesis import strategies as st

from nianbao.common.charset import GB_FAMILY, codec, decode, decode_page, header_charset
from tests.conftest import CORPUS

PUTIAN = (CORPUS / "docs/fj-putian-cgj-2023.html").read_text(encoding="utf-8")
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def _gb2312_page() -> str:
    return re.sub(r'<meta charset="UTF-8">', '<meta charset="gb2312">', PUTIAN)


def test_a_real_page_in_every_form_a_portal_serves_it() -> None:
    page = _gb2312_page()
    gbk = page.encode("gb18030")
    assert decode_page(gbk) == page  # GB2312 declared in <meta> only
    assert decode_page(gbk, "text/html; charset=ISO-8859-1") == page  # a server's default
    assert decode_page(gbk, "text/html; charset=utf-8", hint="gbk") == page  # the registry
    assert decode_page(PUTIAN.encode("utf-8"), "text/html; charset=utf-8") == PUTIAN
    assert decode_page(b"\xef\xbb\xbf" + PUTIAN.encode("utf-8")) == PUTIAN  # BOM dropped
    bare = re.sub(r"<meta charset=[^>]*>", "", PUTIAN)
    assert decode_page(bare.encode("gb18030")) == bare  # no declaration anywhere
    assert "莆田市城市管理局2023年度" in decode(bare.encode("gbk", errors="replace"))


def test_header_declarations() -> None:
    assert header_charset("text/html; charset=GBK") == "GBK"
    assert header_charset('text/html; charset="gb2312"') == "gb2312"
    assert header_charset("text/html; charset=iso-8859-1") is None
    assert header_charset("text/html") is None
    assert header_charset(None) is None
    assert {codec(name.upper()) for name in GB_FAMILY} == {"gb18030"}


def test_font_names_are_not_charsets() -> None:
    fonts = '<p><span style="font-family: 仿宋_GB2312"><font face="仿宋_GB2312">根据</font></span>'
    assert decode_page(fonts.encode("utf-8"), "text/html") == fonts


@given(st.text())
def test_utf8_text_reads_back(text: str) -> None:
    assume(not text.startswith("\ufeff"))
    assert decode(text.encode("utf-8")) == text
    assert decode(text.encode("utf-8"), "utf-8") == text


@given(st.text(), st.sampled_from(sorted(GB_FAMILY)))
def test_gb_text_declared_by_any_gb_label_reads_back(text: str, label: str) -> None:
    data = text.encode("gb18030")
    assume(not data.startswith(_BOMS))
    assert decode(data, label) == text


@given(st.binary(max_size=2000), st.sampled_from([None, "gbk", "utf-8", "big5", "no-such", ""]))
def test_any_bytes_decode_without_raising(data: bytes, declared: str | None) -> None:
    assert isinstance(decode(data, declared), str)
    assert isinstance(decode_page(data, f"text/html; charset={declared}"), str)
