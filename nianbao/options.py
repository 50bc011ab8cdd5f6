"""Options shared by several commands, defined once."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from nianbao.extraction import LOCAL_MIN_DOCUMENTS

data_dir_option = click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("data"),
    show_default=True,
    envvar="NIANBAO_DATA_DIR",
    help="Where raw documents, manifests and datasets live.",
)

wait_option = click.option(
    "--wait",
    type=float,
    default=0,
    metavar="SECONDS",
    envvar="NIANBAO_LOCK_WAIT",
    help="When another command is writing DATA_DIR, wait up to SECONDS for it to finish "
    "(default: give up at once, exit 1, naming it; -1: wait as long as it takes).",
)

allow_files_option = click.option(
    "--allow-files",
    is_flag=True,
    help="Give the SQL DuckDB's full reach: read and write any file or URL, ATTACH "
    "databases, install extensions, change settings. Off by default: only queries run, "
    "over the published datasets alone.",
)

workers_option = click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    envvar="NIANBAO_WORKERS",
    help="Processes reading documents in parallel on this machine (a process pool for "
    f"fewer than {LOCAL_MIN_DOCUMENTS} documents, a local Dask cluster for more; one "
    "document is read in this process) [default: every core; 1: always in this process].",
)
scheduler_option = click.option(
    "--scheduler",
    metavar="ADDRESS",
    default=None,
    envvar="NIANBAO_SCHEDULER",
    help="Read documents on the Dask cluster whose scheduler is at ADDRESS "
    "(tcp://host:8786) instead of on this machine; see docs/scale.md.",
)


def setup_logging(level: str) -> None:
    """One place that configures logging and turns noisy libraries down."""
    logging.basicConfig(
        level=getattr(logging, level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for noisy in ("pdfminer", "pdfplumber", "PIL", "charset_normalizer", "fontTools"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
