"""`nianbao demo`: the whole pipeline, offline, against the bundled local portal."""

from __future__ import annotations

from pathlib import Path

import click

from nianbao.extraction import Workers
from nianbao.options import data_dir_option, workers_option

DEMO_PORT = 18964


@click.command("demo")
@data_dir_option
@click.option(
    "--reports",
    type=int,
    default=24,
    show_default=True,
    help="Reports served per site of the local portal.",
)
@click.option(
    "--port",
    type=int,
    default=DEMO_PORT,
    show_default=True,
    help="Port of the local portal (fixed, so a second demo finds the same URLs; 0: any).",
)
@workers_option
def demo_command(data_dir: Path, reports: int, port: int, workers: int | None) -> None:
    """Start the local test portal on loopback and run crawl → extract → publish on it.

    The portal serves realistic government sites (TRS in GBK, Hanweb, a JSON list API,
    plain pagination, one behind a WAF challenge) built from real published reports, so
    a new user sees nianbao work without any network. Afterwards the datasets are in
    DATA_DIR/datasets and can be queried. The portal keeps its port, so a second demo on
    the same data directory finds the same URLs and fetches nothing new.

    \b
    Examples:
      nianbao demo
      nianbao demo --data-dir /tmp/nianbao-demo && \\
        nianbao query --data-dir /tmp/nianbao-demo "SELECT agency_name, year, status FROM reports"
    """
    from nianbao.demo import Portal
    from nianbao.workflow import run

    data_dir.mkdir(parents=True, exist_ok=True)
    sources = data_dir / "demo-sources.yaml"
    portal = Portal(reports_per_site=reports, port=port)
    try:
        portal.start()
    except OSError as exc:
        raise click.ClickException(
            f"cannot serve the local portal on port {port} ({exc.strerror}); try --port 0"
        ) from exc
    try:
        portal.write_sources(sources)
        click.echo(f"local portal: {len(portal.sources())} sites on loopback; sources in {sources}")
        summary = run(
            data_dir,
            sources,
            crawl_options={"throttle": False},
            workers=Workers.from_options(workers, None),
        )
    finally:
        portal.stop()
    click.echo(summary.paragraph())
    query = "SELECT year, status, count(*) AS reports FROM reports GROUP BY ALL ORDER BY ALL"
    click.echo(f'\nTry: nianbao query --data-dir {data_dir} "{query}"')
    raise SystemExit(summary.exit_code)
