"""`nianbao publish` and `nianbao serve`: the datasets in a web browser via Datasette."""

from __future__ import annotations

from pathlib import Path

import click

from nianbao.datasets.query import NoDatasets
from nianbao.datasets.sqlite import serve, write_sqlite
from nianbao.options import data_dir_option


@click.command("publish")
@data_dir_option
def publish_command(data_dir: Path) -> None:
    """Write the current datasets to DATA_DIR/site/nianbao.db (SQLite) with Datasette
    metadata (titles, column descriptions in English and Chinese, facets).

    \b
    Example:
      nianbao publish && nianbao serve
    """
    try:
        path = write_sqlite(data_dir)
    except NoDatasets as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"wrote {path}")


@click.command("serve")
@data_dir_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=8001, show_default=True)
def serve_command(data_dir: Path, host: str, port: int) -> None:
    """Browse the datasets with Datasette (runs `nianbao publish` first when needed).

    \b
    Example:
      nianbao serve --port 8001     # then open http://127.0.0.1:8001/nianbao/reports
    """
    try:
        raise SystemExit(serve(data_dir, host, port))
    except NoDatasets as exc:
        raise click.ClickException(str(exc)) from exc
