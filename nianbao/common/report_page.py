"""A report page on a government portal: the element its body sits in, and the labels of
its 信息公开 metadata block (索引号, 发布机构, 发文日期 …).

The crawler reads both with regular expressions on every page it fetches; the extractor
reads them from the parsed page. Both take them from here, so a CMS family or a label
variant found on one portal is added once.
"""

from __future__ import annotations

# The class or id of the element holding the report body on the CMS families (TRS,
# Hanweb, the 政府网站集约化 platforms …), most specific first.
CMS_BODY_CONTAINERS = (
    "TRS_Editor",
    "trs_editor_view",
    "TRS_UEDITOR",
    "TRS_PreAppend",
    "UCAP-CONTENT",
    "zoom",
    "article-content",
    "wzzw-article",
    "news_cont_d_wrap",
    "Custom_UnionStyle",
)
# Names too common to trust without reading what they hold: the extractor tries them after
# the CMS containers and keeps one only when it holds a report's text or tables.
GENERIC_BODY_CONTAINERS = ("view", "content", "article")

# Field → the labels a metadata block prints it under, the preferred label first.
# `source` (信息来源) names who posted the page: the crawler takes it for the agency when
# nothing better is printed, the extractor does not.
META_FIELDS: dict[str, tuple[str, ...]] = {
    "index_no": ("索引号",),
    "agency": ("发布机构", "发文机关", "发文机构", "发文单位", "发布单位"),
    "source": ("信息来源", "来源"),
    "published_date": ("发布日期", "发文日期", "生成日期", "发布时间", "公开日期", "公开时间"),
    "written_date": ("成文日期",),
    "doc_no": ("发文字号", "文件编号", "文号"),
    "title": ("名称", "标题"),
}
# Other labels such blocks print: read only to know where the value before them ends.
OTHER_META_LABELS = (
    "分类",
    "主题分类",
    "公开目录",
    "有效性",
    "是否有效",
    "主题词",
    "关键词",
    "组配分类",
    "统一编号",
    "公文种类",
    "所属机构",
    "有限期限",
    "体裁分类",
    "文件下载",
    "字号",
)


def meta_labels(*fields: str) -> tuple[str, ...]:
    """The labels of `fields`, in the order given and each field's order of preference."""
    return tuple(label for name in fields for label in META_FIELDS[name])
