"""`nianbao publish` and `nianbao serve`: the datasets in a web browser via Datasette."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import click

from nianbao.options import data_dir_option, wait_option


def _write_sqlite(data_dir: Path, wait: float) -> Path:
    """`write_sqlite` under the data directory's lock, its failures as clean messages."""
    from nianbao.datasets.query import NoDatasets
    from nianbao.datasets.sqlite import write_sqlite
    from nianbao.lock import LockHeld, writer_lock

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
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; the default is this machine only, 0.0.0.0 is every "
    "network the machine is on.",
)
@click.option("--port", type=int, default=8001, show_default=True)
@wait_option
def serve_command(data_dir: Path, host: str, port: int, wait: float) -> None:
    """Browse the datasets with Datasette (runs `nianbao publish` first when needed).
    Listens on loopback unless --host says otherwise, and says where it listens.

    \b
    Examples:
      nianbao serve --port 8001     # then open http://127.0.0.1:8001/nianbao/reports
      nianbao serve --host 0.0.0.0  # share on the network
    """
    from nianbao.datasets.query import NoDatasets
    from nianbao.datasets.sqlite import serve, sqlite_path

    click.echo(where_served(host, port))
    if not sqlite_path(data_dir).exists():
        _write_sqlite(data_dir, wait)
    try:
        raise SystemExit(serve(data_dir, host, port))
    except NoDatasets as exc:
        raise click.ClickException(str(exc)) from exc


def where_served(host: str, port: int) -> str:
    """The line `serve` starts with: the address, and who can reach it."""
    url = f"http://{f'[{host}]' if ':' in host else host}:{port}/nianbao"
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if loopback:
        return f"serving the datasets at {url} (this machine only; --host 0.0.0.0 to share)"
    return f"serving the datasets at {url}, reachable from other machines on the network"
