"""`nianbao publish` and `nianbao serve`: the datasets in a web browser via Datasette."""

from __future__ import annotations

import ipaddress
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
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; the default is this machine only, 0.0.0.0 is every "
    "network the machine is on.",
)
@click.option("--port", type=int, default=8001, show_default=True)
def serve_command(data_dir: Path, host: str, port: int) -> None:
    """Browse the datasets with Datasette (runs `nianbao publish` first when needed).
    Listens on loopback unless --host says otherwise, and says where it listens.

    \b
    Examples:
      nianbao serve --port 8001     # then open http://127.0.0.1:8001/nianbao/reports
      nianbao serve --host 0.0.0.0  # share on the network
    """
    click.echo(where_served(host, port))
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
