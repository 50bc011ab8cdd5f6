"""Pick the list parser for a reply: by what the page contains, the registry hint breaking ties.

Detection by content rather than by registry alone, because sites move between CMSs and a
信息公开 page often links to a 年报 column built by another system.
"""

from __future__ import annotations

from parsel import Selector

from crawler.listing import ListResult, hanweb, jsonapi, nextlink, trs

FAMILIES = ("trs", "hanweb", "fjdzapp", "gkmlpt", "nextlink", "auto")


def parse_list(url: str, text: str, hint: str = "auto") -> ListResult:
    """Entries and further list requests on one list reply of any known family."""
    if hint in ("fjdzapp", "gkmlpt") or text.lstrip()[:1] in ("{", "["):
        parsed = jsonapi.parse(url, text)
        if parsed is not None:
            return parsed
    if hanweb.detect(text) and hint in ("hanweb", "auto") or "<datastore>" in text:
        return hanweb.parse(url, text)
    selector = Selector(text=text)
    if "_CONFIG" in text and "/gkmlpt" in text + url:
        boot = jsonapi.gkmlpt_bootstrap(url, text)
        if boot.follow:
            return boot
    if jsonapi.FJ_API in text or "_lists/api_p" in text:
        parser = trs.parse if trs.detect(text) else nextlink.parse
        result = parser(url, text, selector)
        result.extend(jsonapi.fjdzapp_bootstrap(url, text))
        result.family = "fjdzapp"
        result.api_first = bool(result.follow)
        return result
    if trs.detect(text):
        return trs.parse(url, text, selector)
    return nextlink.parse(url, text, selector)
