"""`nianbao crawl`: find and fetch every annual report on the sources of a registry."""

from __future__ import annotations

from pathlib import Path

import click

from nianbao.options import data_dir_option, wait_option

DEFAULT_SOURCES = Path(__file__).resolve().parents[2] / "crawler" / "sources.yaml"


@click.command("crawl")
@click.option(
    "--sources",
    "sources_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=DEFAULT_SOURCES,
    show_default="crawler/sources.yaml",
    help="Registry of sources: YAML (sources: [...]) or CSV with at least id, name, url.",
)
@data_dir_option
@click.option(
    "--jobdir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Job directory: a crawl killed and restarted with the same one resumes its run.",
)
@click.option(
    "--redis",
    "redis_url",
    envvar="NIANBAO_REDIS_URL",
    help="Share the request queue and duplicate filter through Redis (several workers).",
)
@click.option(
    "--job",
    help="Name shared by the workers of one Redis crawl (default: jobdir name or crawl-DATE).",
)
@click.option("--no-throttle", is_flag=True, help="No AutoThrottle, no delay (local tests only).")
@wait_option
def crawl_command(
    sources_file: Path,
    data_dir: Path,
    jobdir: Path | None,
    redis_url: str | None,
    job: str | None,
    no_throttle: bool,
    wait: float,
) -> None:
    """Crawl the 年报 columns of every source into DATA_DIR/raw and DATA_DIR/manifests.

    Politely (robots.txt, AutoThrottle, 2 requests at a time per host) and incrementally:
    pages and files kept by an earlier run are asked for conditionally and not kept twice.
    Exits 1 when a monitor fails (a source that had reports lists none, too many errors),
    or when another command is writing DATA_DIR (the message names it; see --wait):
    the workers of a Redis crawl each need their own data directory.

    \b
    Examples:
      nianbao crawl --data-dir data
      nianbao crawl --sources my-sites.csv --data-dir data --jobdir data/jobs/nightly
      nianbao crawl --sources sites.yaml --data-dir data --redis redis://127.0.0.1:6379/0 --job w1
    """
    from crawler.manifest import source_status
    from crawler.runner import CrawlError, run_crawl
    from crawler.sources import SourceError, load_sources
    from nianbao.lock import LockHeld, writer_lock

    try:
        sources = load_sources(sources_file)
        with writer_lock(data_dir, wait):
            summary = run_crawl(
                sources_file,
                data_dir,
                jobdir=jobdir,
                redis_url=redis_url,
                throttle=not no_throttle,
                job=job,
            )
    except (SourceError, CrawlError, LockHeld) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"run {summary.run_id}: {len(sources)} sources, {summary.reports} reports listed, "
        f"{summary.new_documents} new and {summary.changed_documents} changed documents, "
        f"{summary.pages} pages, {summary.errors} errors ({summary.finish_reason})"
    )
    for row in source_status(data_dir, summary.run_id):
        click.echo(
            f"  {row['status']:<8} {row['source_id']}: {row['reports_listed']} listed, "
            f"{row['new_documents']} new, {row['errors']} errors, {row['dropped'] or 0} dropped"
            + (f" ({row['evidence']})" if row["evidence"] else "")
        )
    for message in summary.messages:
        click.echo(f"  {message}", err=True)
    if not summary.ok:
        raise SystemExit(1)
