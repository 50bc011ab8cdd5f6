"""`nianbao accuracy`: score the extractor against the hand-checked answers of the repository."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

CORPUS = Path("tests/fixtures/corpus")
SCANS = Path("tests/fixtures/scans")
TITLES = {"national": "national tables", "legacy": "legacy tables", "narrative": "narrative"}


def _read(path: Path) -> dict[str, Any]:
    from extract.extractor import extract_path

    return extract_path(path).to_dict()


def _line(title: str, figures: dict[str, Any]) -> str:
    def share(percent: float | None) -> str:
        return "—" if percent is None else f"{percent:.2f}%"

    line = (
        f"  {title:<16} {share(figures['cells_right_percent']):>8} of {figures['cells']:>5,} cells"
        f"  {share(figures['nonzero_right_percent']):>8} of {figures['nonzero_cells']:>4,} "
        f"non-zero  {figures['documents_perfect']:>3} of {figures['documents']:>3} documents "
        f"perfect  {figures['documents_wrong_unflagged']} wrong without a flag"
    )
    return line + (f"  {figures['invented']} invented" if title == TITLES["narrative"] else "")


@click.command("accuracy")
@click.argument("corpora", nargs=-1, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--scans", is_flag=True, help=f"Also score {SCANS} (read by OCR: minutes).")
@click.option(
    "--write",
    is_flag=True,
    help="Store the figures in the package (nianbao/accuracy.json), which releases carry.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.option("-v", "--verbose", is_flag=True, help="List every wrong, missing or invented cell.")
def accuracy_command(
    corpora: tuple[Path, ...], scans: bool, write: bool, as_json: bool, verbose: bool
) -> None:
    """Score the extractor against hand-checked answers, per table family.

    CORPORA are folders of MANIFEST.csv, documents and gold/<id>.json answers (default:
    tests/fixtures/corpus, so run it from a checkout). Prints, per family (the national
    tables, the pre-2019 统计表, the figures stated in prose) and over all: cells right,
    non-zero cells right, documents perfect and documents wrong without a flag (status ok
    and every check passed, yet a cell wrong: the error a user cannot see).

    \b
    Examples:
      nianbao accuracy                      # the corpus of real reports
      nianbao accuracy --scans -v           # and the scans; list what is wrong
      nianbao accuracy --scans --write      # store the figures for the next release
    """
    from nianbao import accuracy

    folders = list(corpora) or [CORPUS]
    if scans:
        folders.append(SCANS)
    for folder in folders:
        if not (folder / "MANIFEST.csv").is_file():
            raise click.UsageError(
                f"{folder} has no MANIFEST.csv: run from a checkout of nianbao or name a corpus"
            )
    from extract import __version__

    results = {}
    for folder in folders:
        result = accuracy.score(folder, _read)
        results[folder.name] = {
            "extractor": __version__,
            "date": datetime.now(UTC).date().isoformat(),
            **result.figures(),
        }
        if as_json:
            continue
        click.echo(f"{folder}: {result.total.documents} documents, extractor {__version__}")
        for family, tally in result.families.items():
            if tally.documents:
                click.echo(_line(TITLES[family], tally.figures()))
        click.echo(_line("all", result.total.figures()))
        for miss in result.misses if verbose else []:
            want = "(not stated)" if miss.want is None else miss.want
            got = "missing" if miss.got is None else miss.got
            click.echo(f"    {miss.document} {'/'.join(miss.cell)}: want {want}, got {got}")
    if as_json:
        click.echo(json.dumps(results, ensure_ascii=False, indent=1))
    if write:
        path = accuracy.STORED
        path.write_text(
            json.dumps({**accuracy.stored(path), **results}, ensure_ascii=False, indent=1) + "\n",
            encoding="utf-8",
        )
        click.echo(f"stored in {path}", err=True)
