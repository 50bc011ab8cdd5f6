"""`nianbao publish` and `nianbao serve`: the datasets in a web browser via Datasette."""

from __future__ import annotations

from pathlib import Path

import click

from nianbao.datasets.query import NoDatasets
from nianbao.datasets.sqlite import serve, sqlite_path, write_sqlite
from nianbao.lock import LockHeld, writer_lock
from nianbao.options import data_dir_option, wait_option


def _write_sqlite(data_dir: Path, wait: float) -> Path:
    """`write_sqlite` under the data directory's lock, its failures as clean messages."""
    try:
        with writer_lock(data_dir, wait):
            return write_sqlite(data_dir)
    except (NoDatasets, LockHeld) as exc:
        raise click.ClickException(str(exc)) from exc


@click.command("publish")
@data_dir_option
@wait_option
def publish_command(data_dir: Path, wait: float) -> None:
    """Write the current datasets to DATA_DIR/site/nianbao.db (SQLite) with Datasette
    metadata (titles, column descriptions in English and Chinese, facets).

    \b
    Example:
      nianbao publish && nianbao serve
    """
    click.echo(f"wrote {_write_sqlite(data_dir, wait)}")


@click.command("serve")
@data_dir_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=8001, show_default=True)
@wait_option
def serve_command(data_dir: Path, host: str, port: int, wait: float) -> None:
    """Browse the datasets with Datasette (runs `nianbao publish` first when needed).

    \b
    Example:
      nianbao serve --port 8001     # then open http://127.0.0.1:8001/nianbao/reports
    """
    if not sqlite_path(data_dir).exists():
        _write_sqlite(data_dir, wait)
    raise SystemExit(serve(data_dir, host, port))
