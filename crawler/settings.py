"""Polite base settings for crawling government portals, each overridable by environment.

The defaults follow what real crawlers of these sites found acceptable (docs/portals.md §10):
robots.txt obeyed, AutoThrottle, at most 2 requests at a time per host, retries with backoff,
a size cap and an identifying User-Agent with a contact URL.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

USER_AGENT = "nianbao/0.1 (+https://github.com/nianbao/nianbao; annual-report research crawler)"

BASE: dict[str, Any] = {
    "BOT_NAME": "nianbao",
    "SPIDER_MODULES": ["crawler.spiders.reports"],
    "NEWSPIDER_MODULE": "crawler.spiders",
    "NIANBAO_SOURCES": str(Path(__file__).with_name("sources.yaml")),
    "NIANBAO_DATA_DIR": "data",
    "FILES_STORE": "data",
    "USER_AGENT": USER_AGENT,
    "ROBOTSTXT_OBEY": True,
    "AUTOTHROTTLE_ENABLED": True,
    "AUTOTHROTTLE_START_DELAY": 1.0,
    "AUTOTHROTTLE_MAX_DELAY": 30.0,
    "AUTOTHROTTLE_TARGET_CONCURRENCY": 1.0,
    "CONCURRENT_REQUESTS": 32,
    # Scrapy starts CONCURRENT_ITEMS tasks for every callback's output; ours yield one item
    # (a report page) or a few dozen requests (a list page), so 100 only costs CPU.
    "CONCURRENT_ITEMS": 2,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 2,
    "DOWNLOAD_DELAY": 0.5,
    "DOWNLOAD_TIMEOUT": 30,
    "DOWNLOAD_MAXSIZE": 100 * 1024 * 1024,
    "DOWNLOAD_WARNSIZE": 30 * 1024 * 1024,
    "RETRY_ENABLED": True,
    "RETRY_TIMES": 3,
    "RETRY_HTTP_CODES": [500, 502, 503, 504, 522, 524, 408, 429],
    "NIANBAO_RETRY_BACKOFF_BASE": 1.0,
    "NIANBAO_RETRY_BACKOFF_MAX": 30.0,
    "REDIRECT_MAX_TIMES": 5,
    "COOKIES_ENABLED": False,
    "TELNETCONSOLE_ENABLED": False,
    "LOG_LEVEL": "INFO",
    "MEDIA_ALLOW_REDIRECTS": True,
    "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
    "CLOSESPIDER_ERRORCOUNT": 0,
    "NIANBAO_MAX_ERROR_RATE": 0.2,
    "NIANBAO_MAX_ERRORS": 50,
    # Crawl limits (crawler.limits, docs/faults.md); a registry row may set max_<limit>.
    "NIANBAO_MAX_LIST_PAGES": 1000,
    "NIANBAO_MAX_LIST_DEPTH": 3,
    "NIANBAO_MAX_REQUESTS_PER_LIST_PAGE": 1000,
    # Bytes all running downloads hold together (crawler.inflight); 0 switches it off.
    "NIANBAO_MAX_BYTES_IN_FLIGHT": 256 * 1024 * 1024,
    "NIANBAO_MANIFEST_FLUSH_ROWS": 200,
    "NIANBAO_MANIFEST_FLUSH_SECONDS": 5.0,
    # Read the lists only, fetch no report (`nianbao sources add` and `sources check`).
    "NIANBAO_LISTS_ONLY": False,
    # Built-ins that do nothing here are switched off: they cost CPU on every request.
    # (Offsite: SourceDomainsMiddleware checks each source's own domains instead.)
    "DOWNLOADER_MIDDLEWARES": {
        "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
        "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware": None,
        "scrapy.downloadermiddlewares.cookies.CookiesMiddleware": None,
        "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
        "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
        "crawler.middlewares.StrictRobotsTxtMiddleware": 100,
        "crawler.middlewares.BackoffRetryMiddleware": 550,
        "crawler.middlewares.SourceDomainsMiddleware": 50,  # before robots.txt is fetched
        # Before redirects (600) and decompression (590) see the response: a WZWS 307 is a
        # challenge, not a redirect to follow.
        "crawler.middlewares.WafDetectionMiddleware": 610,
        "crawler.inflight.BytesInFlightMiddleware": 950,  # next to the download itself
    },
    "ITEM_PIPELINES": {
        "crawler.pipelines.RawFilesPipeline": 100,
        "crawler.pipelines.ManifestPipeline": 200,
    },
    "SPIDERMON_ENABLED": True,
    "SPIDER_MIDDLEWARES": {
        "scrapy.spidermiddlewares.urllength.UrlLengthMiddleware": None,
        "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None,
        "scrapy.spidermiddlewares.depth.DepthMiddleware": None,  # hops are counted in meta
    },
    "EXTENSIONS": {
        "spidermon.contrib.scrapy.extensions.Spidermon": 500,
        "scrapy.extensions.remote_control.RemoteControl": None,  # no listening port on crawlers
    },
    "SPIDERMON_SPIDER_CLOSE_MONITORS": ["crawler.monitors.CrawlHealthSuite"],
}

# Environment variable -> (setting, type)
ENVIRONMENT: dict[str, tuple[str, type]] = {
    "NIANBAO_USER_AGENT": ("USER_AGENT", str),
    "NIANBAO_CONCURRENCY_PER_DOMAIN": ("CONCURRENT_REQUESTS_PER_DOMAIN", int),
    "NIANBAO_CONCURRENCY": ("CONCURRENT_REQUESTS", int),
    "NIANBAO_DOWNLOAD_DELAY": ("DOWNLOAD_DELAY", float),
    "NIANBAO_DOWNLOAD_TIMEOUT": ("DOWNLOAD_TIMEOUT", int),
    "NIANBAO_DOWNLOAD_MAXSIZE": ("DOWNLOAD_MAXSIZE", int),
    "NIANBAO_RETRY_TIMES": ("RETRY_TIMES", int),
    "NIANBAO_MAX_ERRORS": ("NIANBAO_MAX_ERRORS", int),
    "NIANBAO_MAX_ERROR_RATE": ("NIANBAO_MAX_ERROR_RATE", float),
    "NIANBAO_LOG_LEVEL": ("LOG_LEVEL", str),
    "NIANBAO_MAX_LIST_PAGES": ("NIANBAO_MAX_LIST_PAGES", int),
    "NIANBAO_MAX_LIST_DEPTH": ("NIANBAO_MAX_LIST_DEPTH", int),
    "NIANBAO_MAX_REQUESTS_PER_LIST_PAGE": ("NIANBAO_MAX_REQUESTS_PER_LIST_PAGE", int),
    "NIANBAO_MAX_BYTES_IN_FLIGHT": ("NIANBAO_MAX_BYTES_IN_FLIGHT", int),
}

UNTHROTTLED: dict[str, Any] = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS": 128,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 64,
    "NIANBAO_RETRY_BACKOFF_BASE": 0.1,
}


def crawl_settings(
    *,
    throttle: bool = True,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """BASE, then the unthrottled profile when asked, then the environment, then overrides."""
    environ = os.environ if environ is None else environ
    settings = dict(BASE)
    if not throttle:
        settings.update(UNTHROTTLED)
    for variable, (name, kind) in ENVIRONMENT.items():
        if environ.get(variable):
            settings[name] = kind(environ[variable])
    settings.update(overrides or {})
    return settings


def redis_settings(redis_url: str, job: str) -> dict[str, Any]:
    """scrapy-redis scheduler and duplicate filter shared by every worker of one job."""
    return {
        "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
        "SCHEDULER_QUEUE_KEY": f"nianbao:{job}:requests",
        "SCHEDULER_DUPEFILTER_KEY": f"nianbao:{job}:dupefilter",
        "SCHEDULER_PERSIST": True,
        "REDIS_URL": redis_url,
        # A worker waits this long on an empty shared queue before it stops.
        "NIANBAO_REDIS_IDLE_CLOSE_SECONDS": 6.0,
    }


# As the Scrapy project settings module (scrapy.cfg), so that plain Scrapy works too:
#   scrapy crawl reports -s NIANBAO_SOURCES=sites.yaml -s NIANBAO_DATA_DIR=data
# (`nianbao crawl` passes the same settings explicitly and also writes the run records.)
globals().update(crawl_settings())
