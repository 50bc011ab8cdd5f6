"""`nianbao extract`: read report files into canonical records."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import click
from tqdm import tqdm

from extract import labels as L
from extract.pipeline import DEFAULT_MAX_BYTES, extract_path
from extract.record import Record
from nianbao.options import data_dir_option

# A directory is walked for these; a file named on the command line is always read.
DOCUMENT_SUFFIXES = {
    ".html",
    ".htm",
    ".shtml",
    ".txt",
    ".pdf",
    ".docx",
    ".doc",
    ".wps",
    ".odt",
    ".rtf",
    ".png",
    ".jpg",
    ".jpeg",
    ".tif",
    ".tiff",
}
PROGRESS_MIN_DOCUMENTS = 10


def iter_documents(paths: tuple[Path, ...]) -> Iterator[tuple[Path, str]]:
    """(file, source as given) for every file named or found under a named directory."""
    for path in paths:
        if path.is_dir():
            for found in sorted(p for p in path.rglob("*") if p.is_file()):
                if found.suffix.lower() in DOCUMENT_SUFFIXES:
                    yield found, str(found)
        else:
            yield path, str(path)


@click.command("extract")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="One JSON object per document on standard output (JSON Lines).",
)
@click.option(
    "--max-bytes",
    type=int,
    default=DEFAULT_MAX_BYTES,
    show_default=True,
    help="Files larger than this are not read (status failed).",
)
@click.option(
    "--rebuild",
    is_flag=True,
    help="Instead of PATHS: re-extract the raw store of --data-dir (every document this "
    "extractor version has not read) and republish the datasets, without crawling.",
)
@click.option("--force", is_flag=True, help="With --rebuild: re-extract every document.")
@data_dir_option
def extract_command(
    paths: tuple[Path, ...],
    as_json: bool,
    max_bytes: int,
    rebuild: bool,
    force: bool,
    data_dir: Path,
) -> None:
    """Read annual reports (HTML, PDF, DOCX, DOC/WPS, text) into the canonical record.

    Scans and pictures (image-only or mixed PDFs, JPEG/PNG/TIFF, a saved page whose
    report is pictures, read from its `*_files/` folder) are read by OCR, offline.
    PATHS are files or directories (walked recursively). Without --json, prints each
    report's three tables and its consistency checks; with --json, the records of
    SCHEMA.md as JSON Lines. Exits 1 when any document failed.

    \b
    Examples:
      nianbao extract report.pdf
      nianbao extract scan.tif saved-page.html     # OCR: pictures, pages of pictures
      nianbao extract --json tests/fixtures/corpus/docs > records.jsonl
      nianbao extract --rebuild --data-dir data     # after upgrading nianbao
    """
    if rebuild:
        if paths:
            raise click.UsageError("give PATHS or --rebuild, not both")
        from nianbao.pipeline import rebuild as rebuild_datasets

        summary = rebuild_datasets(data_dir, force=force)
        click.echo(summary.paragraph())
        raise SystemExit(summary.exit_code)
    if not paths:
        raise click.UsageError("give one or more PATHS (files or directories), or --rebuild")
    documents = list(iter_documents(paths))
    failed = 0
    bar = tqdm(
        documents,
        desc="extract",
        unit="doc",
        file=sys.stderr,
        disable=len(documents) < PROGRESS_MIN_DOCUMENTS or None,
    )
    for path, source in bar:
        record = extract_path(path, source=source, max_bytes=max_bytes)
        failed += record.status == "failed"
        if as_json:
            click.echo(json.dumps(record.to_dict(), ensure_ascii=False))
        else:
            click.echo(render(record))
    if failed:
        click.echo(f"{failed} of {len(documents)} documents failed", err=True)
        sys.exit(1)


def render(record: Record) -> str:
    """A readable view of one record: metadata, the three tables, failed checks."""
    lines = [
        f"== {record.source}",
        f"status {record.status}" + (f" ({record.error})" if record.error else ""),
        f"agency {record.agency or '?'}  year {record.year or '?'}  "
        f"published {record.published_date or '?'}  formats {record.formats or '-'}",
    ]
    if record.proactive:
        lines.append("二、主动公开 proactive")
        for p in record.proactive:
            name = p.label if p.item == "extra" else L.KEY_LABELS.get(p.item, p.item)
            lines.append(
                f"  {name:<14} {L.KEY_LABELS.get(p.metric, p.metric):<12} {_fmt(p.cell.value)}"
            )
    for title, matrix in (
        ("三、依申请 applications", record.applications),
        ("四、复议诉讼 review_litigation", record.review_litigation),
    ):
        if not matrix:
            continue
        columns = list(next(iter(matrix.values())).keys())
        lines.append(title)
        lines.append(" " * 24 + "".join(f"{L.KEY_LABELS.get(c, c)[:5]:>8}" for c in columns))
        for row, cells in matrix.items():
            label = L.KEY_LABELS.get(row, row)[:12]
            values = "".join(f"{_fmt(cells[c].value) if c in cells else '':>10}" for c in columns)
            lines.append(f"  {label:<14}{values}")
    failed = record.failed_checks
    lines.append(f"checks {len(record.checks) - len(failed)}/{len(record.checks)} passed")
    for check in failed:
        where = "/".join(x for x in (check.row, check.column) if x)
        lines.append(
            f"  FAILED {check.name} {where}: {check.left_expr} = {_fmt(check.left)}"
            f" but {check.right_expr} = {_fmt(check.right)}"
        )
    for warning in record.warnings:
        lines.append(f"  warning: {warning}")
    return "\n".join(lines) + "\n"


def _fmt(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
