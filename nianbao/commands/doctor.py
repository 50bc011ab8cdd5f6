"""`nianbao doctor`: repair a data directory's crawl manifests and say what was done."""

from __future__ import annotations

from pathlib import Path

import click

from nianbao.options import data_dir_option, wait_option


@click.command("doctor")
@data_dir_option
@wait_option
def doctor_command(data_dir: Path, wait: float) -> None:
    """Repair the crawl manifests of DATA_DIR and say what was done.

    Readers already read each manifest row once and put aside a part file they cannot read
    (to manifests/TABLE/damaged/), so no command needs this to work; doctor writes the
    repair down — each table with rows written more than once (by crawls that overlapped)
    or many part files becomes one part — and reports, table by table. It holds DATA_DIR's
    lock, like every writer. See docs/faults.md.

    \b
    Example:
      nianbao doctor --data-dir data
    """
    from crawler.manifest import KEYS, compact
    from nianbao.lock import LockHeld, writer_lock

    if not data_dir.is_dir():
        raise click.ClickException(f"no data directory at {data_dir}")
    try:
        with writer_lock(data_dir, wait):
            done = [compact(data_dir, table) for table in KEYS]
    except LockHeld as exc:
        raise click.ClickException(str(exc)) from exc
    for compaction in done:
        click.echo(compaction.describe())
