"""`nianbao run` and `nianbao nightly`: crawl, extract, build and publish in one command."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from nianbao.extraction import Workers
from nianbao.options import (
    data_dir_option,
    scheduler_option,
    wait_option,
    workers_option,
)

if TYPE_CHECKING:
    from nianbao.workflow import RunSummary

sources_option = click.option(
    "--sources",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Sources registry (YAML or CSV); default: the bundled crawler/sources.yaml.",
)
publish_to_option = click.option(
    "--publish-to",
    metavar="URL",
    default=None,
    envvar="NIANBAO_PUBLISH_TO",
    help="Also copy the release to this fsspec URL (s3://bucket/prefix needs s3fs); "
    "URL/CURRENT names the latest release.",
)
throttle_option = click.option(
    "--no-throttle", is_flag=True, help="Crawl without AutoThrottle (local portal, tests)."
)


def _finish(summary: RunSummary, as_json: bool) -> None:
    click.echo(
        json.dumps(summary.to_dict(), ensure_ascii=False, indent=1)
        if as_json
        else summary.paragraph()
    )
    raise SystemExit(summary.exit_code)


@click.command("run")
@sources_option
@data_dir_option
@throttle_option
@publish_to_option
@wait_option
@click.option("--json", "as_json", is_flag=True, help="Print the run summary as JSON.")
@workers_option
@scheduler_option
def run_command(
    sources: Path | None,
    data_dir: Path,
    no_throttle: bool,
    publish_to: str | None,
    wait: float,
    as_json: bool,
    workers: int | None,
    scheduler: str | None,
) -> None:
    """Crawl the sources, extract new or changed reports, build and publish every dataset.

    Publishing is atomic: readers of DATA_DIR/datasets see the old release until the new
    one is complete; a failed run leaves it untouched. Exits 1 when the run failed, or
    when another command is writing DATA_DIR (the message names it; see --wait).
    New documents are read on every core, or on a Dask cluster with --scheduler.

    \b
    Examples:
      nianbao run                                   # bundled sources, ./data
      nianbao run --sources portal.yaml --data-dir /tmp/demo --no-throttle
      nianbao run --publish-to s3://my-bucket/nianbao      # with s3fs installed
      nianbao run --scheduler tcp://10.0.0.5:8786   # extraction on a Dask cluster
      nianbao query "SELECT year, count(*) FROM reports GROUP BY year"
    """
    from nianbao.workflow import run

    summary = run(
        data_dir,
        sources,
        crawl_options={"throttle": not no_throttle},
        workers=Workers.from_options(workers, scheduler),
        publish_to=publish_to,
        wait=wait,
    )
    _finish(summary, as_json)


@click.command("nightly")
@sources_option
@data_dir_option
@throttle_option
@publish_to_option
@wait_option
@workers_option
@scheduler_option
def nightly_command(
    sources: Path | None,
    data_dir: Path,
    no_throttle: bool,
    publish_to: str | None,
    wait: float,
    workers: int | None,
    scheduler: str | None,
) -> None:
    """The scheduled run: lock, log file under DATA_DIR/logs, a one-paragraph summary
    (new, changed and failed reports, blocked sources, failing checks) and exit code 1
    when the run failed or a crawl monitor fired. See docs/nightly.md for cron/systemd.

    \b
    Examples (crontab; the second waits up to an hour for a crawl still writing DATA_DIR):
      15 2 * * * cd /srv/nianbao && .venv/bin/nianbao nightly --data-dir /srv/nianbao/data
      15 2 * * * cd /srv/nianbao && .venv/bin/nianbao nightly --wait 3600
      nianbao nightly --wait -1     # by hand: wait for whatever writes ./data now
    """
    from nianbao.workflow import nightly

    summary = nightly(
        data_dir,
        sources,
        crawl_options={"throttle": not no_throttle},
        workers=Workers.from_options(workers, scheduler),
        publish_to=publish_to,
        wait=wait,
    )
    _finish(summary, as_json=False)
