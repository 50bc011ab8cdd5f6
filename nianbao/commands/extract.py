"""`nianbao extract`: read report files into canonical records."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

import extract
from extract.files import DEFAULT_MAX_BYTES, os_reason, source_name
from extract.record import Record
from nianbao.common.keys import labels
from nianbao.extraction import ClusterError, Progress, Workers, ordered_map
from nianbao.options import data_dir_option, scheduler_option, wait_option, workers_option

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


@dataclass(frozen=True, slots=True)
class Found:
    """A file to read, or a directory that could not be listed (`error` says why)."""

    path: Path
    error: OSError | None = None


def iter_documents(paths: tuple[Path, ...]) -> Iterator[Found]:
    """Every file named, and every document file under a named directory, in path order.

    Entries that are not directories are kept whatever they are (a FIFO named `x.html`
    is reported `unsupported`, not passed over); a directory that cannot be listed is
    reported, not skipped.
    """
    for path in paths:
        yield from _walk(path) if path.is_dir() else [Found(path)]


def _walk(top: Path) -> list[Found]:
    found: list[Found] = []

    def unlisted(exc: OSError) -> None:
        found.append(Found(Path(exc.filename), exc))

    for folder, folders, files in os.walk(top, onerror=unlisted):
        folders[:] = [name for name in folders if not saved_with_page(name, files)]
        found += (
            Found(Path(folder, name))
            for name in files
            if Path(name).suffix.lower() in DOCUMENT_SUFFIXES
        )
    return sorted(found, key=lambda f: os.fsencode(f.path))


def saved_with_page(folder: str, files: list[str]) -> bool:
    """A browser saves a page's pictures in `page_files/` beside `page.html`: they are
    read with the page (extract.extractor.beside), not as documents of their own."""
    page = folder.removesuffix("_files")
    return page != folder and any(page + suffix in files for suffix in (".html", ".htm"))


def read(path: Path, source: str, error: OSError | None, max_bytes: int) -> Record:
    """One document's record (a task for the workers: `path` absolute, `source` as given)."""
    if error is not None:
        return Record(
            source=source,
            status="failed",
            error=os_reason(error, "list directory"),
            extractor_version=extract.__version__,
        )
    from extract.extractor import extract_path

    return extract_path(path, source=source, max_bytes=max_bytes)


@click.command("extract")
# readable=False: an unreadable file gets its status in the batch, not a usage error.
@click.argument("paths", nargs=-1, type=click.Path(exists=True, readable=False, path_type=Path))
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
    help="Stop reading a file at this many bytes (status failed, reason naming the cap).",
)
@click.option(
    "--rebuild",
    is_flag=True,
    help="Instead of PATHS: re-extract the raw store of --data-dir (every document this "
    "extractor version has not read) and republish the datasets, without crawling.",
)
@click.option("--force", is_flag=True, help="With --rebuild: re-extract every document.")
@data_dir_option
@wait_option
@workers_option
@scheduler_option
def extract_command(
    paths: tuple[Path, ...],
    as_json: bool,
    max_bytes: int,
    rebuild: bool,
    force: bool,
    data_dir: Path,
    wait: float,
    workers: int | None,
    scheduler: str | None,
) -> None:
    """Read annual reports (HTML, PDF, DOCX, DOC/WPS, text) into the canonical record.

    Scans and pictures (image-only or mixed PDFs, JPEG/PNG/TIFF, a saved page whose
    report is pictures, read from its `*_files/` folder) are read by OCR, offline.
    PATHS are files or directories (walked recursively; a saved page's `*_files/` folder
    is read with its page, not on its own). Without --json, prints each
    report's three tables (or, before 2019, its local 统计表), the figures its text
    states, and its consistency checks; with --json, the records of SCHEMA.md as JSON
    Lines, in the order of PATHS whatever the number of --workers. Exits 1 when any document failed.

    \b
    Examples:
      nianbao extract report.pdf
      nianbao extract tests/fixtures/corpus/docs/fj-putian-sjj-2012.html  # a 2012 统计表
      nianbao extract scan.tif saved-page.html     # OCR: pictures, pages of pictures
      nianbao extract --json tests/fixtures/corpus/docs > records.jsonl
      nianbao extract --rebuild --data-dir data     # after upgrading nianbao
      nianbao extract --rebuild --scheduler tcp://10.0.0.5:8786   # on a Dask cluster
      nianbao extract --json --workers 1 report.pdf  # in this process, no worker pool
    """
    on = Workers.from_options(workers, scheduler)
    if rebuild:
        if paths:
            raise click.UsageError("give PATHS or --rebuild, not both")
        from nianbao.workflow import rebuild as rebuild_datasets

        summary = rebuild_datasets(data_dir, force=force, wait=wait, workers=on)
        click.echo(summary.paragraph())
        raise SystemExit(summary.exit_code)
    if not paths:
        raise click.UsageError("give one or more PATHS (files or directories), or --rebuild")
    documents = [
        (found.path.absolute(), source_name(found.path), found.error, max_bytes)
        for found in iter_documents(paths)
    ]
    failed = 0
    with Progress(len(documents)) as progress:
        for record in _records(documents, on):
            failed += record.status == "failed"
            progress.advance(record.pages)
            if as_json:
                click.echo(json.dumps(record.to_dict(), ensure_ascii=False))
            else:
                click.echo(render(record))
    if failed:
        click.echo(f"{failed} of {len(documents)} documents failed", err=True)
        sys.exit(1)


def _records(documents: list[tuple[Any, ...]], on: Workers) -> Iterator[Record]:
    try:
        yield from ordered_map(read, documents, on, _crashed)
    except ClusterError as exc:
        raise click.ClickException(str(exc)) from exc


def _crashed(document: tuple[Any, ...], reason: str) -> Record:
    return Record(
        source=document[1], status="failed", error=reason, extractor_version=extract.__version__
    )


def render(record: Record) -> str:
    """A readable view of one record: metadata, the tables, stated figures, failed checks."""
    lines = [
        f"== {printable(record.source)}",
        f"status {record.status}" + (f" ({record.error})" if record.error else ""),
        f"agency {record.agency or '?'}  year {record.year or '?'}  "
        f"published {record.published_date or '?'}  formats {record.formats or '-'}",
    ]
    if record.proactive:
        lines.append("二、主动公开 proactive")
        items, metrics = labels("proactive", "item"), labels("proactive", "metric")
        for p in record.proactive:
            name = p.label if p.item == "extra" else items.get(p.item, p.item)
            lines.append(f"  {name:<14} {metrics.get(p.metric, p.metric):<12} {_fmt(p.cell.value)}")
    for table, title, matrix in (
        ("applications", "三、依申请 applications", record.applications),
        ("review_litigation", "四、复议诉讼 review_litigation", record.review_litigation),
    ):
        if not matrix:
            continue
        row_labels, column_labels = labels(table, "row"), labels(table, "column")
        columns = list(next(iter(matrix.values())).keys())
        lines.append(title)
        lines.append(" " * 24 + "".join(f"{column_labels.get(c, c)[:5]:>8}" for c in columns))
        for row, cells in matrix.items():
            label = row_labels.get(row, row)[:12]
            values = "".join(f"{_fmt(cells[c].value) if c in cells else '':>10}" for c in columns)
            lines.append(f"  {label:<14}{values}")
    if record.legacy:
        lines.append("统计表 legacy (pre-2019)")
        indicators = labels("legacy", "indicator")
        for v in record.legacy:
            name = v.label if v.indicator == "extra" else indicators[v.indicator]
            approx = " (approximate)" if v.approximate else ""
            lines.append(f"  {name:<20} {v.period:<10} {_fmt(v.value)} {v.unit or ''}{approx}")
    if record.narrative:
        lines.append("stated in the text narrative")
        for f in record.narrative:
            scope = " (region-wide)" if f.scope == "region" else ""
            lines.append(f"  {f.indicator:<20} {_fmt(f.value)}{scope}  「{f.quote[:40]}」")
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


def printable(text: str) -> str:
    """`text` on one line: control characters (a newline in a file name) as escapes."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


def _fmt(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
