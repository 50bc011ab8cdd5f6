"""`nianbao coverage`: who published their annual report, late, or not at all."""

from __future__ import annotations

from pathlib import Path

import click

from nianbao.options import data_dir_option


@click.command("coverage")
@data_dir_option
@click.option("--year", type=int, default=None, help="Report year (default: every year).")
@click.option(
    "--division",
    default=None,
    metavar="PREFIX",
    help="Division code prefix (33, 3301, 330100 …): that area only, counted per prefecture.",
)
def coverage_command(data_dir: Path, year: int | None, division: str | None) -> None:
    """How many governments and sources published their report on a year, late (after
    31 January of the next year; 31 March before 2019), or not at all, per province (or
    per prefecture with --division). Counts are rows of the `coverage` dataset: one per
    source or government and report year.

    \b
    Examples:
      nianbao coverage --year 2024
      nianbao coverage --year 2024 --division 33     # Zhejiang, per prefecture
      nianbao query "SELECT * FROM coverage WHERE status = 'missing' AND year = 2024"
    """
    if division is not None and not (division.isdigit() and len(division) <= 6):
        raise click.BadParameter(
            "a division code prefix is up to 6 digits", param_hint="--division"
        )
    import duckdb

    from nianbao.datasets.query import NoDatasets, coverage_summary

    try:
        table = coverage_summary(data_dir, year, division)
    except (NoDatasets, duckdb.Error) as exc:
        raise click.ClickException(str(exc)) from exc
    if table.num_rows == 0:
        click.echo("(no coverage rows match)")
        return
    frame = table.to_pandas().astype(object)
    frame = frame.where(frame.notna(), "")
    click.echo(frame.to_string(index=False))
    totals = {c: int(table[c].to_numpy().sum()) for c in table.column_names[2:]}
    click.echo("all: " + ", ".join(f"{k} {v}" for k, v in totals.items()))
