"""Label tables: every printed label variant → its SCHEMA.md key.

Data, not branches (PUDL's column maps): the matcher in `extract.match` is generic and
only reads these tables. Variants are written as printed; they are normalised with
`extract.normalize.norm_label` before matching, so brackets, numbering, spaces, line
breaks and 度 variations need not be repeated here. Add a variant when a real report
prints a label that does not match.
"""

from __future__ import annotations

# Section 二: item rows.
PROACTIVE_ITEMS: dict[str, tuple[str, ...]] = {
    "rules": ("规章",),
    "normative_documents": ("行政规范性文件", "规范性文件"),
    "licensing": ("行政许可",),
    "other_services": ("其他对外管理服务事项",),
    "penalty": ("行政处罚",),
    "coercion": ("行政强制",),
    "fees": ("行政事业性收费",),
    "procurement": ("政府集中采购",),
}

# Section 二: metric columns, with the format each metric belongs to.
PROACTIVE_METRICS: dict[str, tuple[str, ...]] = {
    "new_made": ("本年新制作数量", "本年制作数量"),
    "new_published": ("本年新公开数量", "本年公开数量"),
    "total_published": ("对外公开总数量", "对外公开总数"),
    "prev_year_items": ("上一年项目数量", "上年项目数量"),
    "change": ("本年增/减", "本年增减", "增/减"),
    "decisions": ("本年处理决定数量", "处理决定数量", "本年处理决定"),
    "issued": ("本年制发件数", "本年制发数量"),
    "repealed": ("本年废止件数", "本年废止数量"),
    "in_force": ("现行有效件数", "现行有效数量"),
    "items": ("采购项目数量",),
    "amount": ("采购总金额", "本年收费金额", "收费金额"),
}
METRICS_2021 = frozenset({"issued", "repealed", "in_force"})
METRICS_2019 = frozenset(
    {"new_made", "new_published", "total_published", "prev_year_items", "change"}
)
# Which metrics a 2021 item has (fees: amount only; 许可/处罚/强制: decisions only).
ITEM_METRICS_2021: dict[str, tuple[str, ...]] = {
    "rules": ("issued", "repealed", "in_force"),
    "normative_documents": ("issued", "repealed", "in_force"),
    "licensing": ("decisions",),
    "penalty": ("decisions",),
    "coercion": ("decisions",),
    "fees": ("amount",),
}
ITEM_METRICS_2019: dict[str, tuple[str, ...]] = {
    "rules": ("new_made", "new_published", "total_published"),
    "normative_documents": ("new_made", "new_published", "total_published"),
    "licensing": ("prev_year_items", "change", "decisions"),
    "other_services": ("prev_year_items", "change", "decisions"),
    "penalty": ("prev_year_items", "change", "decisions"),
    "coercion": ("prev_year_items", "change", "decisions"),
    "fees": ("prev_year_items", "change"),
    "procurement": ("items", "amount"),
}
# Metrics in 万元: a cell or header printed in 元 is converted.
MONEY_METRICS = frozenset({"amount"})

# Section 三: applicant columns, in printed order.
APPLICANT_COLUMNS: dict[str, tuple[str, ...]] = {
    "natural_person": ("自然人",),
    "commercial": ("商业企业",),
    "research": ("科研机构",),
    "social_org": ("社会公益组织",),
    "legal_service": ("法律服务机构",),
    "other_org": ("其他",),
    "total": ("总计", "合计"),
}

# Section 三: rows, in printed order. The label matched is the whole row label with its
# group prefixes (三、本年度办理结果（三）不予公开1.属于国家秘密), so a variant may name the
# group to tell 3.其他 (under （六）) from other rows.
APPLICATION_ROWS: dict[str, tuple[str, ...]] = {
    "new_received": ("本年新收政府信息公开申请数量", "本年新收申请数量", "本年新收"),
    "carried_over": ("上年结转政府信息公开申请数量", "上年结转申请数量", "上年结转"),
    "granted": ("予以公开",),
    "partially_granted": ("部分公开（区分处理的，只计这一情形，不计其他情形）", "部分公开"),
    "denied_state_secret": ("属于国家秘密",),
    "denied_prohibited": ("其他法律行政法规禁止公开", "其他法律行政止公开", "法律行政法规禁止公开"),
    "denied_security": ("危及“三安全一稳定”", "危及三安全一稳定"),
    "denied_third_party": ("保护第三方合法权益",),
    "denied_internal": ("属于三类内部事务信息", "三类内部事务信息"),
    "denied_process": ("属于四类过程性信息", "四类过程性信息"),
    "denied_enforcement": ("属于行政执法案卷", "行政执法案卷"),
    "denied_inquiry": ("属于行政查询事项", "行政查询事项"),
    "unable_not_held": ("本机关不掌握相关政府信息", "不掌握相关政府信息"),
    "unable_needs_creation": ("没有现成信息需要另行制作", "需要另行制作"),
    "unable_unclear": ("补正后申请内容仍不明确", "申请内容仍不明确"),
    "rejected_petition": ("信访举报投诉类申请", "信访举报投诉"),
    "rejected_duplicate": ("重复申请",),
    "rejected_publication": ("要求提供公开出版物", "公开出版物"),
    "rejected_excessive": ("无正当理由大量反复申请", "大量反复申请"),
    "rejected_confirmation": ("要求行政机关确认或重新出具已获取信息", "确认或重新出具已获取信息"),
    "other_no_correction": (
        "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        "逾期不补正",
    ),
    "other_unpaid_fee": (
        "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        "逾期未按收费通知要求缴纳费用",
    ),
    "other_misc": ("其他处理其他",),
    "other_total": ("其他处理",),
    "total_processed": ("总计", "合计"),
    "carried_forward": ("结转下年度继续办理", "结转下年继续办理", "结转下年度"),
}
# Rows of the three-row （六）其他处理 (2021); other_total is derived from them.
OTHER_ROWS_2021 = ("other_no_correction", "other_unpaid_fee", "other_misc")
# Leaf rows whose sum is total_processed, per layout.
RESULT_ROWS = tuple(
    k
    for k in APPLICATION_ROWS
    if k not in ("new_received", "carried_over", "total_processed", "carried_forward")
)

# Section 四.
REVIEW_GROUPS: dict[str, tuple[str, ...]] = {
    "review": ("行政复议",),
    "litigation_direct": ("未经复议直接起诉", "直接起诉"),
    "litigation_after_review": ("复议后起诉",),
}
REVIEW_COLUMNS: dict[str, tuple[str, ...]] = {
    "upheld": ("结果维持", "维持"),
    "corrected": ("结果纠正", "纠正"),
    "other": ("其他结果",),
    "pending": ("尚未审结", "未审结"),
    "total": ("总计", "合计"),
}

# A leaf label whose key depends on the row before it: "3.其他" printed without its
# （六）其他处理 group cell is other_misc when it follows the fee row.
CONTEXT_ROWS: dict[str, dict[str, str]] = {
    "其他": {"other_unpaid_fee": "other_misc", "other_no_correction": "other_misc"},
}

# Before 2019: rows of the local 统计表 (SCHEMA.md "Before 2019") and of the 2016–2018
# national-style tables some provinces used. Matched by containment only: a row the
# table does not name is kept as `extra` with its label, never guessed.
LEGACY_INDICATORS: dict[str, tuple[str, ...]] = {
    "proactive_total": ("主动公开信息数", "主动公开文件数", "主动公开政府信息数"),
    "proactive_website": ("网站公开", "政府网站公开数", "政府网站"),
    "proactive_gazette": ("政府公报", "政府公报公开数"),
    "proactive_press": ("新闻发布会",),
    "proactive_other_channels": ("其他便于公众知晓的方式",),
    "reading_room_visits": ("公开查阅点查阅人数",),
    "reading_room_uses": ("公开查阅点利用件次",),
    "website_column_visits": ("网站中政府信息公开专栏页面访问量",),
    "applications_total": (
        "受理依申请公开信息总数",
        "受理政府信息公开申请总数",
        "收到申请数",
        "受理申请总数",
    ),
    "applications_in_person": ("当面申请数",),
    "applications_fax": ("传真申请数",),
    "applications_email": ("电子邮件申请数",),
    "applications_online": ("网上申请数", "网络申请数"),
    "applications_mail": ("信函申请数",),
    "applications_mail_fax": ("信函、传真申请数", "信函传真申请数"),
    "applications_other_channel": ("其他形式申请数", "其它形式申请数"),
    "responses_total": ("对申请的答复总数", "本年度对申请的答复总数", "申请答复数"),
    "responses_granted": ("同意公开答复数",),
    "responses_partial": ("同意部分公开答复数",),
    "responses_denied": (
        "否决公开答复总数",
        "不予公开答复总数",
        "不予公开答复数",
        "不同意公开答复数",
    ),
    "responses_other": ("其他类型答复数",),
    "fees": ("政府信息公开收费减免金额", "依申请公开信息收取的费用"),
    "complaints": ("行政申诉数", "接受行政申诉、举报数", "举报投诉数量"),
    "reviews": ("行政复议数", "行政复议数量"),
    "litigations": ("行政诉讼数", "行政诉讼数量"),
}
# Parts of a legacy total, for its checks (SCHEMA.md "Before 2019").
LEGACY_PROACTIVE_PARTS = ("proactive_website", "proactive_gazette")
LEGACY_CHANNELS = tuple(k for k in LEGACY_INDICATORS if k.startswith("applications_"))[1:]
LEGACY_RESPONSES = tuple(k for k in LEGACY_INDICATORS if k.startswith("responses_"))[1:]
LEGACY_MONEY = frozenset({"fees"})
# The header of a 统计表: its label and unit columns, and its value columns by period.
LEGACY_HEADER_LABELS = ("指标名称", "统计指标", "指标", "名称", "项目", "统计项目")
LEGACY_HEADER_UNITS = ("计量单位", "单位")
LEGACY_PERIODS: dict[str, tuple[str, ...]] = {
    "cumulative": ("历年累计", "累计"),
    # and "2014年度"; 本年累计 is the year's figure (定西: 本期实际 | 本年累计)
    "year": ("年末统计", "本年累计", "本期实际", "本期", "本年度", "本年", "统计数", "数量"),
}
# Value columns printed beside the year's for comparison: not read.
LEGACY_OTHER_PERIODS = ("上年度", "上年", "去年")
# Units printed in a 统计表's unit column.
LEGACY_UNITS = frozenset(
    ("条", "件", "件次", "人次", "次", "个", "项", "份", "宗", "元", "万元", "人", "家", "期", "篇")
    + ("场",)
)
