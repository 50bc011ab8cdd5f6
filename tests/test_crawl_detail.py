"""Report-page parsing on real saved pages (tests/fixtures/corpus/docs)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from scrapy.http import HtmlResponse

from crawler.detail import attachment_ext, metadata_block, parse_report
from tests.conftest import CORPUS

PUTIAN = "https://www.putian.gov.cn/zfxxgk/bmzfxxgk/"


def response(doc_id: str, url: str) -> HtmlResponse:
    body = (CORPUS / "docs" / f"{doc_id}.html").read_bytes()
    return HtmlResponse(url=url, body=body, encoding="utf-8")


def test_putian_2021_page_meta_tags_and_attachment() -> None:
    url = PUTIAN + "ptcg/zfxxgk/zfxxgknb/202201/t20220113_1697903.htm"
    page = parse_report(url, response("fj-putian-cgj-2021", url).text)
    assert page.title == "莆田市城市管理局2021年度政府信息公开工作年度报告"
    assert page.published_date == "2022-01-13"
    assert page.agency == "莆田市城市管理局"
    assert page.site_id_code == "3503000001"
    assert page.index_no is None and page.doc_no is None
    assert [(a.url, a.ext, a.name) for a in page.attachments] == [
        (
            PUTIAN + "ptcg/zfxxgk/zfxxgknb/202201/P020220113432966463029.pdf",
            "pdf",
            "莆城管发[2022]1号关于2021年度政府信息公开工作年度报告.pdf",
        )
    ]


def test_putian_kjj_2024_visible_header_and_meta_agree() -> None:
    url = PUTIAN + "ptkjj/zfxxgk/zfxxgknb/202501/t20250121_1971034.htm"
    page = parse_report(url, response("fj-putian-kjj-2024", url).text)
    assert page.title == "莆田市科学技术局2024年政府信息公开工作年度报告"
    assert page.published_date == "2025-01-21"  # 发布时间：2025-01-21 10:30
    assert page.agency == "莆田市科技局"  # 来源：莆田市科技局
    assert page.attachments == []


def test_putian_2008_numeric_source_is_not_an_agency() -> None:
    url = PUTIAN + "ptwgj/zfxxgk/zfxxgknb/201904/t20190401_1314091.htm"
    page = parse_report(url, response("fj-putian-lvyou-2008", url).text)
    assert page.title == "莆田市旅游局2008年政府信息公开工作年度报告"
    assert page.published_date == "2009-01-16"
    assert page.agency is None  # the page says 来源：2126611


def test_putian_prose_mentioning_labels_is_not_metadata() -> None:
    url = PUTIAN + "ptsslj/zfxxgk/zfxxgknb/202108/t20210831_1642154.htm"
    page = parse_report(url, response("fj-putian-slj-2008", url).text)
    # "信息公开目录不仅包含索引号、文章标题、发布机构、发布时间和发布文号等内容"
    assert page.index_no is None and page.doc_no is None
    assert page.published_date == "2009-01-21"


def test_shuyang_metadata_table() -> None:
    url = "http://www.shuyang.gov.cn/sygfj/gknb/202401/2ecfb31a335f4d689220a3a23e24a986.shtml"
    page = parse_report(url, response("js-shuyang-fgj-2023", url).text)
    assert page.title == "沭阳县发展和改革局2023年政府信息公开年度报告"
    assert page.index_no == "014314799/2024-00002"
    assert page.agency == "沭阳县发展和改革局"  # 发布机构 wins over the capture's 来源
    assert page.published_date == "2024-01-17"  # 公开日期
    assert page.doc_no is None  # 文号 cell is empty


def test_metadata_block_variants_from_portals_md() -> None:
    qidong = (
        "索引号: 01424668-5/2021-00063 分类: 综合政务\\其他,机关事务 通知\n"
        "发布机构: 江苏省人民政府办公厅 文号: 苏政办函〔2020〕133号\n"
        "成文日期: 2020-12-22 发布日期: 2020-12-22 有效性: 有效"
    )
    assert metadata_block(qidong) == {
        "index_no": "01424668-5/2021-00063",
        "agency": "江苏省人民政府办公厅",
        "doc_no": "苏政办函〔2020〕133号",
        "written_date": "2020-12-22",
        "published_date": "2020-12-22",
    }
    zazf = (
        "索 引 号\nza779940273-2023-000071\n发布机构\n镇安县政府\n"
        "发布日期\n2023-01-30\n文 号\n是否有效\n有效"
    )
    assert metadata_block(zazf) == {
        "index_no": "za779940273-2023-000071",
        "agency": "镇安县政府",
        "published_date": "2023-01-30",
    }
    sanming = (
        "索引号：SM00100-1300-2020-00897\n文号：明政函〔2020〕102号\n"
        "发布机构：三明市人民政府\n来源：市政府办"
    )
    assert metadata_block(sanming) == {
        "index_no": "SM00100-1300-2020-00897",
        "doc_no": "明政函〔2020〕102号",
        "agency": "三明市人民政府",
    }
    hubei = (
        "索\xa0引\xa0号：011043/2021-00012\n文\u3000\u3000号：鄂政办发〔2021〕3号\n"
        "发文日期：2021年2月3日"
    )
    assert metadata_block(hubei) == {
        "index_no": "011043/2021-00012",
        "doc_no": "鄂政办发〔2021〕3号",
        "published_date": "2021-02-03",
    }


def test_attachment_types_from_path_or_downfile_name() -> None:
    assert attachment_ext("https://www.sm.gov.cn/x/202601/P020210706424919693595.OFD") == "ofd"
    assert (
        attachment_ext(
            "http://www.nbjb.gov.cn/module/download/downfile.jsp?classid=0&filename=160119113716798.docx"
        )
        == "docx"
    )
    assert attachment_ext("http://www.putian.gov.cn/x/W020220113.jpg") is None
    assert attachment_ext("http://www.putian.gov.cn/x/t20220113_1.htm") is None


@given(st.text(max_size=500))
def test_metadata_block_never_crashes(text: str) -> None:
    found = metadata_block(text)
    assert set(found) <= {"index_no", "agency", "published_date", "written_date", "doc_no", "title"}


def test_a_body_of_page_scans_makes_its_pictures_the_report() -> None:
    url = "http://www.zhangshu.gov.cn/zwgk/zfxxgknb/202601/t20260113_1690007.html"
    scans = (
        '<html><body><h1>樟树市2025年政府信息公开工作年度报告</h1><div class="xl_article">'
        '<div class=TRS_Editor><p><img src="./W020260113925240967582.jpg" /></p>'
        '<p><img src="./W020260113837421243397.jpg" /></p></div></div>'
        "<div>主办单位：樟树市人民政府办公室 " + "版权所有" * 50 + "</div></body></html>"
    )
    page = parse_report(url, scans)
    # in page order, apart from the attachments: they are pages of one report, not files
    assert page.pictures == [
        "http://www.zhangshu.gov.cn/zwgk/zfxxgknb/202601/W020260113925240967582.jpg",
        "http://www.zhangshu.gov.cn/zwgk/zfxxgknb/202601/W020260113837421243397.jpg",
    ]
    assert page.attachments == []
    putian = PUTIAN + "ptcg/zfxxgk/zfxxgknb/202201/t20220113_1697903.htm"
    text_page = parse_report(putian, response("fj-putian-cgj-2021", putian).text)
    assert [a.ext for a in text_page.attachments] == ["pdf"]  # its images are not the report
    assert text_page.pictures == []
