"""HTML, XML and JSON the portal serves, one renderer per CMS family (docs/portals.md §2–§5).

Renderers take plain values and return text; the sites decide URLs and encodings. The markup
copies the real patterns the crawler must parse (TRS `createPageHTML`, Hanweb `<datastore>`,
Fujian list JSON, 信息公开 metadata blocks), including their quirks (unquoted
`class=TRS_Editor`, `'` vs `"` quotes, dotted dates in JSON).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from html import escape

# The pager function as TRS WCM writes it into each list page (docs/portals.md §2.1, 樟树).
TRS_PAGER_SCRIPT = """<script language="javascript">
<!--
function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt)
{
  if(_nPageCount == null || _nPageCount<=1){ return; }
  var nCurrIndex = _nCurrIndex || 0;
  function u(i){ return _sPageName + (i == 0 ? "" : "_" + i) + "." + _sPageExt; }
  function a(i, t){ return "<a href=\\"" + u(i) + "\\">" + t + "</a> "; }
  if(nCurrIndex == 0) document.write("首页 上一页 ");
  else document.write(a(0, "首页") + a(nCurrIndex - 1, "上一页"));
  if(nCurrIndex == (_nPageCount-1)) document.write("下一页 尾页");
  else document.write(a(nCurrIndex + 1, "下一页") + a(_nPageCount - 1, "尾页"));
  document.write(" 总共" + _nPageCount + "页 当前第" + (nCurrIndex+1) + "页 转到");
  document.write("<select onchange=\\"location.href=this.value\\">");
  for(var i=0;i<_nPageCount;i++){
    document.write("<option value=\\"" + u(i) + "\\">第" + (i+1) + "页</option>");
  }
  document.write("</select>");
} //WCM置标
-->
</script>"""


@dataclass(frozen=True)
class Item:
    """One row of a list: what a list page, a datastore record or a JSON row shows."""

    href: str
    title: str
    day: date
    doc_id: int = 0
    agency: str = ""
    index_no: str = ""
    doc_no: str = ""
    files: tuple[tuple[str, str], ...] = ()  # (absolute URL, shown name)
    published_at: str = ""  # when `href` is a second channel's URL: the document's own URL


@dataclass(frozen=True)
class Meta:
    """What a detail page says about its document (the 信息公开 block and <meta> tags)."""

    site_name: str
    site_code: str
    title: str
    day: date
    agency: str
    index_no: str
    doc_no: str
    url: str


def _h(text: str) -> str:
    return escape(text, quote=True)


def _files_block(files: list[tuple[str, str]]) -> str:
    if not files:
        return ""
    links = "".join(
        f'<p><a href="{_h(href)}" target="_BLANK">{_h(name)}</a></p>\n' for href, name in files
    )
    return f'<div class="fj">\n<h5>附件下载：</h5>\n{links}</div>\n'


def _site_metas(meta: Meta) -> str:
    return (
        f'<meta name="SiteName" content="{_h(meta.site_name)}">\n'
        f'<meta name="SiteIDCode" content="{meta.site_code}">\n'
        '<meta name="ColumnName" content="政府信息公开年报">\n'
        '<meta name="ColumnType" content="政府信息公开年报,">\n'
    )


def _article_metas(meta: Meta) -> str:
    return (
        f'<meta name="ArticleTitle" content="{_h(meta.title)}">\n'
        f'<meta name="PubDate" content="{meta.day.isoformat()} 09:30">\n'
        f'<meta name="ContentSource" content="{_h(meta.agency)}">\n'
        f'<meta name="Url" content="{_h(meta.url)}">\n'
    )


def _jiucuo(code: str) -> str:
    return f'<script id="_jiucuo_" sitecode=\'{code}\' src="/material/jiucuo.js"></script>\n'


# --- TRS WCM ---------------------------------------------------------------------------


# The six-argument pager (docs/portals.md §2.1, [uncertain]): it writes into a div; BASE is the
# number of the first page, whose file has no suffix (0: index, index_1…; 1: index, index_2…).
SIX_ARG_PAGER_SCRIPT = """<script type="text/javascript">
function createPageHTML(sDivId, nPageCount, nCurrent, sPageName, sPageExt, nRecords) {
  var base = BASE;
  function u(n) { return sPageName + (n == base ? "" : "_" + n) + "." + sPageExt; }
  function a(n, t) { return "<a href=\\"" + u(n) + "\\">" + t + "</a> "; }
  var last = nPageCount - 1 + base, html = "共" + nRecords + "条 ";
  if (nCurrent > base) html += a(base, "首页") + a(nCurrent - 1, "上一页");
  if (nCurrent < last) html += a(nCurrent + 1, "下一页") + a(last, "尾页");
  document.getElementById(sDivId).innerHTML = html;
}
</script>"""


def trs_pager(style: str, pages: int, current: int, records: int) -> str:
    """Pager script and call of page `current` (0-based) in the site's form (§2.1)."""
    if style == "trs4":
        call = f'<script>createPageHTML({pages}, {current}, "index", "html");</script>'
        return f"{TRS_PAGER_SCRIPT}\n{call}"
    if style not in ("trs6-0", "trs6-1"):
        raise ValueError(f"unknown TRS pager style {style!r}")
    base = int(style[-1])
    div = "paging" if base else "page_div"
    args = f"'{div}',{pages},{current + base},'index','html',{records}"
    script = SIX_ARG_PAGER_SCRIPT.replace("BASE", str(base))
    return f'<div id="{div}"></div>\n{script}\n<script>createPageHTML({args});</script>'


def trs_list(
    site_name: str,
    site_code: str,
    charset: str,
    items: list[Item],
    pager: str,
    column: str = "政府信息公开年报",
) -> str:
    rows = "".join(
        f'<li><a href="{_h(i.href)}" target="_blank" title="{_h(i.title)}">{_h(i.title)}</a>'
        f"<span>{i.day.isoformat()}</span></li>\n"
        for i in items
    )
    return (
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
        '<html xmlns="http://www.w3.org/1999/xhtml">\n<head>\n'
        f'<meta http-equiv="Content-Type" content="text/html; charset={charset}" />\n'
        f'<meta name="SiteName" content="{_h(site_name)}">\n'
        f'<meta name="SiteIDCode" content="{site_code}">\n'
        f'<meta name="ColumnName" content="{column}">\n'
        f"<title>{column}_{_h(site_name)}</title>\n</head>\n<body>\n"
        f'<div class="dqwz">当前位置：<a href="../../">首页</a> &gt; <a href="../">政府信息公开</a>'
        f" &gt; {column}</div>\n"
        f'<div class="list_box">\n<ul class="list_ul">\n{rows}</ul>\n'
        f'<div class="page">\n{pager}\n</div>\n</div>\n'
        f"{_jiucuo(site_code)}"
        '<div class="footer"><a href="http://202.109.164.35:9000/wcm/">管理</a></div>\n'
        "</body>\n</html>\n"
    )


def trs_detail(meta: Meta, charset: str, body: str, files: list[tuple[str, str]]) -> str:
    """A TRS article: metadata table (Hubei style labels), unquoted TRS_Editor div."""
    return (
        "<!DOCTYPE html>\n<html>\n<head>\n"
        f'<meta http-equiv="Content-Type" content="text/html; charset={charset}" />\n'
        f"{_site_metas(meta)}{_article_metas(meta)}"
        f"<title>{_h(meta.title)}</title>\n</head>\n<body>\n"
        '<div class="xxgk_table"><table>\n'
        f"<tr><td>索 引 号：</td><td>{_h(meta.index_no)}</td>"
        "<td>分&nbsp;&nbsp;&nbsp; 类：</td><td>政府信息公开年报</td></tr>\n"
        f"<tr><td>发布机构：</td><td>{_h(meta.agency)}</td>"
        f"<td>发文日期：</td><td>{meta.day.isoformat()}</td></tr>\n"
        f'<tr><td>名&nbsp;&nbsp;&nbsp; 称：</td><td colspan="3">{_h(meta.title)}</td></tr>\n'
        f"<tr><td>文&nbsp;&nbsp;&nbsp; 号：</td><td>{_h(meta.doc_no)}</td>"
        "<td>主 题 词：</td><td></td></tr>\n</table></div>\n"
        f'<div class="xl_title"><h1>{_h(meta.title)}</h1></div>\n'
        f'<div class="xl_article">\n<div class=TRS_Editor>{body}</div>\n</div>\n'
        f"{_files_block(files)}{_jiucuo(meta.site_code)}</body>\n</html>\n"
    )


def catalog_detail(meta: Meta, charset: str, body: str, files: list[tuple[str, str]]) -> str:
    """A TRS article under the older 目录 system: <B> labels, trs_editor_view body."""
    return (
        "<html>\n<head>\n"
        f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">\n'
        f"{_site_metas(meta)}{_article_metas(meta)}"
        f"<title>{_h(meta.title)}</title>\n</head>\n<body>\n"
        '<table class="xxgk_info" width="100%">\n'
        f"<tr><td><B>索 引 号:</B>{_h(meta.index_no)}</td>"
        '<td><B>主题分类:</B><span id="lSubcat">政务公开</span></td></tr>\n'
        f"<tr><td><B>发布机构:</B>{_h(meta.agency)}</td>"
        f"<td><B>发文日期:</B>{meta.day.isoformat()}</td></tr>\n"
        f"<tr><td><B>文　　号:</B>{_h(meta.doc_no)}</td><td><B>主 题 词:</B></td></tr>\n"
        "</table>\n"
        f'<h2 class="title">{_h(meta.title)}</h2>\n'
        f'<div class="trs_editor_view TRS_UEDITOR trs_paper_default trs_web">{body}</div>\n'
        f"{_files_block(files)}</body>\n</html>\n"
    )


# --- Fujian 集约化 (Putian) ----------------------------------------------------------------


def fj_column(
    site_name: str,
    site_code: str,
    items: list[Item],
    channel_id: int,
    api: str,
    pages: int,
    per_page: int,
) -> str:
    """Column page: first page static, later pages through the list API (docs/portals.md §5)."""
    rows = "".join(
        f'<li><a href="{_h(i.href)}" target="_blank" title="{_h(i.title)}">{_h(i.title)}</a>'
        f"<span>{i.day.isoformat()}</span></li>\n"
        for i in items
    )
    return (
        '<!DOCTYPE html>\n<html lang="zh">\n<head>\n<meta charset="UTF-8">\n'
        f'<meta name="SiteName" content="{_h(site_name)}">\n'
        f'<meta name="SiteIDCode" content="{site_code}">\n'
        '<meta name="ColumnName" content="政府信息公开年报">\n'
        '<meta name="ColumnType" content="政府信息公开年报,">\n'
        f"<title>政府信息公开年报 _ {_h(site_name)}</title>\n</head>\n<body>\n"
        f'<div class="list_box" ms-controller="list">\n<ul class="list" id="list">\n{rows}</ul>\n'
        f'<div id="page" data-channelid="{channel_id}" data-pagecount="{pages}"></div>\n</div>\n'
        "<script>\n"
        f"var channelid = '{channel_id}';\nvar pageCount = {pages};\n"
        "function loadPage(pageNo) {\n"
        f"{_fj_request(api, per_page)}"
        "}\n</script>\n"
        "</body>\n</html>\n"
    )


def _fj_request(api: str, per_page: int) -> str:
    """The script line that loads a page: the search API, or the static `_lists/` files."""
    done = "function (res) { render(res.data); pager(res.pageCount, pageNo); }"
    if api.endswith("/_lists/"):
        return f"  $.getJSON('{api}api_p' + ('00' + pageNo).slice(-3) + '.json', {done});\n"
    return (
        f"  $.ajax({{url: '{api}', type: 'GET', dataType: 'json',\n"
        f"    data: {{channelid: channelid, page: pageNo, prepage: {per_page},"
        " sortfield: '-docreltime'},\n"
        f"    success: {done}}});\n"
    )


def fj_json(page: int, per_page: int, total: int, items: list[Item], channel: str) -> str:
    """The list JSON, shaped as the Sanming `api_p001.json` (dates with dots)."""

    def row(i: Item) -> dict:
        stamp = i.day.strftime("%Y.%m.%d")
        urls = {"chnldocurl": i.href, "docpuburl": i.published_at} if i.published_at else {}
        return {
            "docid2": i.doc_id,
            "chnl": channel,
            "doctitle": i.title,
            "url": i.href,
            **urls,
            "docreltime": f"{stamp} 09:30:00",
            "pubdate": f"{stamp} 00:00:00",
            "puborg": i.agency,
            "fileno": i.doc_no,
            "idxid": i.index_no,
            "ztcx": "有效",
            "files": [
                {
                    "appfile": href.rsplit("/", 1)[-1],
                    "fileext": href.rsplit(".", 1)[-1],
                    "appdesc": name,
                    "_href": href,
                }
                for href, name in i.files
            ],
        }

    doc = {
        "error": False,
        "page": page,
        "prepage": per_page,
        "pageCount": max(1, -(-total // per_page)),
        "recordCount": total,
        "data": [row(i) for i in items],
    }
    return json.dumps(doc, ensure_ascii=False)


def fj_detail(meta: Meta, body: str, files: list[tuple[str, str]]) -> str:
    """A Putian article page: meta tags, 发布时间/来源 header, no 索引号 block (real), and the
    font name 仿宋_GB2312 in a UTF-8 page (docs/portals.md §9: a font, not an encoding)."""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="UTF-8">\n'
        f"{_site_metas(meta)}{_article_metas(meta)}"
        f"<title>\n{_h(meta.title)}\n_\n政府信息公开年报\n_\n{_h(meta.agency)}\n</title>\n"
        "</head>\n<body>\n"
        f'<div class="xl_tit"><h1>{_h(meta.title)}</h1>'
        f"<span>发布时间：{meta.day.isoformat()} 09:30</span> <em>|</em> "
        f"<span>来源：{_h(meta.agency)}</span></div>\n"
        '<div class="xl_article" style="font-family: 仿宋_GB2312, 仿宋; font-size: 16pt">\n'
        f"<div class=TRS_Editor>{body}</div>\n</div>\n"
        f"{_files_block(files)}</body>\n</html>\n"
    )


# --- Hanweb 大汉 -------------------------------------------------------------------------


def hanweb_record(i: Item, embedded: bool, base: str) -> str:
    """One <record>: embedded ones use ' and relative hrefs, proxy replies " and absolute."""
    day = i.day.isoformat()
    if embedded:
        return (
            f"<record><![CDATA[<li><a href='{i.href}' title='{i.title}' target='_blank'>"
            f"{i.title}</a><span>{day}</span></li>]]></record>"
        )
    return (
        f'<record><![CDATA[<li class="cf"><a href="{base}{i.href}" target="_blank" '
        f'title="{i.title}"><span>{i.title}</span><i>{day}</i></a></li>]]></record>'
    )


@dataclass(frozen=True)
class HanwebColumn:
    """The jpage parameters of a Hanweb column (the `param_<unitid>` object)."""

    col_id: int
    unit_id: int
    web_id: int
    web_name: str
    per_page: int
    group_size: int

    def proxy_query(self, page: int) -> str:
        return (
            f"page={page}&appid=1&webid={self.web_id}&path=/&columnid={self.col_id}"
            f"&unitid={self.unit_id}&webname={self.web_name}&permissiontype=0"
        )


def hanweb_column(site_code: str, column: HanwebColumn, items: list[Item], total: int) -> str:
    records = "\n".join(hanweb_record(i, True, "") for i in items)
    c = column
    return (
        '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="SiteName" content="{_h(c.web_name)}">\n'
        f'<meta name="SiteIDCode" content="{site_code}">\n'
        '<meta name="ColumnName" content="政府信息公开年报">\n'
        f"<title>政府信息公开年报 {_h(c.web_name)}</title>\n"
        '<script type="text/javascript" src="/module/jslib/jquery/jpage/jquery.jpage.js">'
        "</script>\n"
        "</head>\n<body>\n"
        f'<div class="main-list">\n<div id="{c.unit_id}"><script type="text/xml"><datastore>\n'
        f'<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?{c.proxy_query(1)}"></a>]]>'
        f"</nextgroup>\n<recordset>\n{records}\n</recordset>\n</datastore></script></div>\n"
        "<script>\n"
        f"var param_{c.unit_id} = {{col:1,webid:{c.web_id},path:'/',columnid:{c.col_id},"
        f"sourceContentType:1,unitid:'{c.unit_id}',webname:'{c.web_name}',permissiontype:0}};\n"
        f"$('#{c.unit_id}').jpage({{dataStore: dataStore,"
        " proxyUrl: '/module/web/jpage/dataproxy.jsp',"
        f" ajaxParam: param_{c.unit_id}, totalRecord:{total}, perPage:{c.per_page},"
        f" groupSize:{c.group_size}, barPosition:'bottom', showMode:'full'}});\n"
        "</script>\n</div>\n"
        "</body>\n</html>\n"
    )


def hanweb_datastore(
    items: list[Item], total: int, per_page: int, base: str, prologue: bool
) -> str:
    records = "\n".join(hanweb_record(i, False, base) for i in items)
    head = '<?xml version="1.0" encoding="UTF-8"?>\n' if prologue else ""
    pages = max(1, -(-total // per_page))
    return (
        f"{head}<datastore>\n<totalrecord>{total}</totalrecord>\n<totalpage>{pages}</totalpage>\n"
        f"<recordset>\n{records}\n</recordset>\n</datastore>\n"
    )


def hanweb_detail(meta: Meta, body: str, files: list[tuple[str, str]]) -> str:
    """A Hanweb article: ArticleTitle/PubDate metas, 信息公开元数据 block (永嘉), #zoom body."""
    return (
        '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n'
        f"{_site_metas(meta)}{_article_metas(meta)}"
        f"<title>{_h(meta.title)}</title>\n</head>\n<body>\n"
        '<div class="xxgkys"><p class="xxgkys-title">信息公开元数据</p><table>\n'
        f"<tr><td>索引号：</td><td>{_h(meta.index_no)}</td><td>文号：</td>"
        f"<td>{_h(meta.doc_no)}</td></tr>\n"
        f"<tr><td>发布机构：</td><td>{_h(meta.agency)}</td><td>生成日期：</td>"
        f"<td>{meta.day.isoformat()}</td></tr>\n</table></div>\n"
        f'<div class="article"><h1 class="article-title">{_h(meta.title)}</h1>\n'
        f'<div id="zoom">{body}</div>\n'
        f"{_files_block(files)}</div>\n</body>\n</html>\n"
    )


# --- Plain next-page links (Beijing / Jiangsu style) ---------------------------------------


def nextlink_list(
    site_name: str, site_code: str, items: list[Item], page: int, pages: int, base: str
) -> str:
    rows = "".join(
        f'<li><span class="date">{i.day.isoformat()}</span>'
        f'<a href="{_h(i.href)}" title="{_h(i.title)}">{_h(i.title)}</a></li>\n'
        for i in items
    )
    links = [f'<a href="{base}?currentPage=1">首页</a>']
    if page > 1:
        links.append(f'<a href="{base}?currentPage={page - 1}">上一页</a>')
    if page < pages:
        links.append(f'<a href="{base}?currentPage={page + 1}" class="next">下一页</a>')
    links.append(f'<a href="{base}?currentPage={pages}">尾页</a>')
    links.append(f"<span>第{page}页/共{pages}页</span>")
    return (
        "<!DOCTYPE html>\n<html>\n<head>\n"
        f"<title>政府信息公开年报-{_h(site_name)}</title>\n"
        f'<meta name="SiteIDCode" content="{site_code}">\n</head>\n<body>\n'
        f'<div class="list">\n<ul>\n{rows}</ul>\n'
        f'<div class="pagination">{" ".join(links)}</div>\n</div>\n</body>\n</html>\n'
    )


def nextlink_detail(meta: Meta, body: str, files: list[tuple[str, str]]) -> str:
    """A Jiangsu-style article: `table_content` metadata (沭阳), `#zoomcon` body."""
    downloads = "".join(f'<a href="{_h(h)}">{_h(n)}</a> ' for h, n in files)
    return (
        "<!DOCTYPE html>\n<html>\n<head>\n"
        f"<title>{_h(meta.title)}-{_h(meta.agency)}</title>\n"
        f'<meta name="SiteIDCode" content="{meta.site_code}">\n</head>\n<body>\n'
        '<table class="table_content">\n<tbody>\n'
        f'<tr><td>名称</td><td colspan="3">{_h(meta.title)}</td></tr>\n'
        f"<tr><td>索引号</td><td>{_h(meta.index_no)}</td>"
        "<td>分类</td><td>信息公开年报 其他 报告</td></tr>\n"
        f"<tr><td>发布机构</td><td>{_h(meta.agency)}</td><td>公开日期</td>"
        f"<td>{meta.day.isoformat()}</td></tr>\n"
        f"<tr><td>文号</td><td>{_h(meta.doc_no)}</td><td>关键词</td><td></td></tr>\n"
        f'<tr><td>文件下载</td><td colspan="3">{downloads}</td></tr>\n'
        "</tbody>\n</table>\n"
        f'<h1 class="article-title">{_h(meta.title)}</h1>\n'
        f'<div class="article-content" id="zoomcon">{body}</div>\n</body>\n</html>\n'
    )


# --- Discovery: the 信息公开 page ------------------------------------------------------------


def xxgk_home(site_name: str, charset: str, links: list[tuple[str, str]]) -> str:
    """A 信息公开 page: the 年报 column is found only by its link text (docs/portals.md §7.1)."""
    rows = "".join(f'<li><a href="{_h(h)}">{_h(t)}</a></li>\n' for h, t in links)
    return (
        "<html>\n<head>\n"
        f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">\n'
        f"<title>政府信息公开_{_h(site_name)}</title>\n</head>\n<body>\n"
        f'<div class="xxgk_nav"><h2>政府信息公开</h2>\n<ul>\n{rows}</ul></div>\n</body>\n</html>\n'
    )


# --- Short pages ---------------------------------------------------------------------------


def notice_body(title: str, agency: str, day: date) -> str:
    """Body of a non-report entry (工作要点, 通知, 指南): real-sounding, short, no tables."""
    return (
        f"<p>　　{_h(title)}。</p>\n"
        "<p>　　为深入贯彻落实《中华人民共和国政府信息公开条例》，进一步做好政务公开工作，"
        "现将有关事项通知如下。</p>\n"
        "<p>　　一、提高思想认识，压实工作责任。</p>\n<p>　　二、规范公开流程，加强审核把关。</p>\n"
        f'<p align="right">{_h(agency)}</p>\n'
        f'<p align="right">{day.year}年{day.month}月{day.day}日</p>\n'
    )


def image_paragraph(src: str) -> str:
    return f'<p style="text-align: center"><img src="{_h(src)}" border="0" /></p>\n'


def pdf_only_body(name: str) -> str:
    return f"<p>　　详见附件：{_h(name)}</p>\n"


NOT_FOUND = (
    "<html><head><title>404 Not Found</title></head><body>"
    "<h1>404</h1><p>您访问的页面不存在或已被删除。</p></body></html>\n"
)

SERVER_ERROR = (
    "<html><head><title>500 Internal Server Error</title></head><body>"
    "<h1>500</h1><p>服务器繁忙，请稍后再试。</p></body></html>\n"
)


def jsl_challenge(token: str) -> str:
    """加速乐 first response (521): a script that sets __jsl_clearance and reloads."""
    parts = "+".join(f"('{c}')" for c in "__jsl_clearance")
    return (
        f"<html><script>document.cookie={parts}+('=')+('{token}')+"
        "(';max-age=3600;path=/');location.href=location.pathname+location.search</script></html>"
    )


def ruishu_challenge(token: str) -> str:
    """瑞数 first response (412): meta token, inline $_ts script, the r="m" loader."""
    return (
        "<!DOCTYPE html>\n<html>\n<head>\n"
        '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\n'
        f'<meta id="9DhefwqGPrzGxEp9hPaoag" content="{token}">\n'
        "<script type=\"text/javascript\">$_ts=window['$_ts'];if(!$_ts)$_ts={};"
        f"$_ts.nsd=41236;$_ts.cd='{token}';</script>\n"
        '<script type="text/javascript" r="m" src="/4QbVtADbnLVIc/c.FxJzG50F.dfe1675.js">'
        "</script>\n"
        "</head>\n<body></body>\n</html>\n"
    )
