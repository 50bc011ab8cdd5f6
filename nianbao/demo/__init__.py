"""A local test portal: realistic government sites on loopback for crawling end to end.

with Portal(reports_per_site=24) as portal:
    portal.write_sources(tmp / "sources.yaml")
    ...crawl...
    truth = portal.expected()["portal-trs-zhangshu"]
"""

from nianbao.demo.portal import Portal
from nianbao.demo.sites import Truth

__all__ = ["Portal", "Truth"]
