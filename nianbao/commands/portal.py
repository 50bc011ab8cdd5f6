"""`nianbao portal`: serve the local test portal in the foreground until Ctrl-C."""

from __future__ import annotations

import threading
from pathlib import Path

import click

from nianbao.options import data_dir_option


@click.command("portal")
@click.option("--port", type=int, default=0, help="Port for every site (default: a free one).")
@click.option(
    "--reports",
    type=click.IntRange(min=6),
    default=24,
    show_default=True,
    help="Reports per site (2000+ for a benchmark-sized site).",
)
@click.option(
    "--slow",
    "slow_seconds",
    type=float,
    default=1.0,
    show_default=True,
    help="Delay of the one slow page of each site, in seconds.",
)
@click.option(
    "--waf",
    type=click.Choice(["jsl", "ruishu"]),
    default="jsl",
    show_default=True,
    help="Challenge served by the WAF-protected site (加速乐 521 or 瑞数 412).",
)
@click.option(
    "--fj-api",
    type=click.Choice(["search", "static"]),
    default="search",
    show_default=True,
    help="List API of the Fujian site: /fjdzapp/search or _lists/api_pNNN.json files.",
)
@click.option(
    "--six-arg-base",
    type=click.IntRange(0, 1),
    default=1,
    show_default=True,
    help="Numbering of the discovery site's six-argument pager (1: index_2 follows index).",
)
@click.option(
    "--hostile",
    is_flag=True,
    help="Also serve the hostile sites: endless pages, Hanweb perPage 0 and a huge "
    "totalRecord, off-site redirects, large attachments (docs/faults.md).",
)
@click.option(
    "--sources-out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write the sources registry [default: DATA_DIR/portal/sources.yaml].",
)
@data_dir_option
def portal_command(
    port: int,
    reports: int,
    slow_seconds: float,
    waf: str,
    fj_api: str,
    six_arg_base: int,
    hostile: bool,
    sources_out: Path | None,
    data_dir: Path,
) -> None:
    """Serve realistic government sites on 127.0.1.x, built from the real corpus reports.

    Sites: TRS WCM in GBK, Hanweb with <datastore>/dataproxy.jsp, a Fujian JSON list API,
    plain next-page links, a 信息公开 page to discover the 年报 column from, one site behind a
    WAF challenge and one whose robots.txt disallows everything. Each has a duplicate listing,
    non-report entries, a 404, a transient 500, a slow page and a redirect chain.

    \b
    Examples:
      nianbao portal
      nianbao portal --port 8800 --reports 2000 --sources-out /tmp/portal.yaml
      nianbao portal --hostile --sources-out /tmp/hostile.yaml   # what a crawl must survive
      nianbao crawl --sources data/portal/sources.yaml --data-dir data   # in another shell
    """
    from nianbao.demo import Portal

    out = sources_out or data_dir / "portal" / "sources.yaml"
    portal = Portal(
        reports,
        slow_seconds=slow_seconds,
        port=port,
        waf=waf,
        fj_api=fj_api,
        six_arg_base=six_arg_base,
        hostile=hostile,
    )
    with portal:
        portal.write_sources(out)
        for source in portal.sources():
            click.echo(f"{source['id']:24} {source['cms']:9} {source['url']}")
        click.echo(f"sources file: {out}")
        click.echo("serving; press Ctrl-C to stop")
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            click.echo("stopped")
