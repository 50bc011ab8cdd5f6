"""`nianbao sources add` and `nianbao sources check`: grow the sources registry, and see
which sources still answer."""

from __future__ import annotations

import json
import re
from dataclasses import asdict
from pathlib import Path

import click

sources_file_option = click.option(
    "--sources",
    "sources_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Sources registry (YAML); default: the bundled crawler/sources.yaml.",
)
throttle_option = click.option(
    "--no-throttle", is_flag=True, help="Fetch as fast as the site allows (local test sites)."
)


@click.group("sources")
def sources_group() -> None:
    """The sources registry: where to crawl.

    \b
    Examples:
      nianbao sources add https://www.example.gov.cn/zwgk/ --name 某县人民政府 --level county
      nianbao sources check --json > sources-status.json
    """


def append_source(path: Path, entry: dict) -> None:
    """Append one entry under `sources:` of a YAML registry, keeping its comments, at the
    indentation its entries already have."""
    import yaml

    text = path.read_text(encoding="utf-8")
    items = re.findall(r"^( *)- ", text, re.M)
    indent = items[0] if items else "  "
    block = yaml.safe_dump([entry], allow_unicode=True, sort_keys=False)
    indented = "".join(indent + line if line.strip() else line for line in block.splitlines(True))
    path.write_text(text.rstrip("\n") + "\n" + indented, encoding="utf-8")


@sources_group.command("add")
@sources_file_option
@click.option("--name", default=None, help="Agency name (default: the portal's host).")
@click.option("--division-code", default=None, help="6-digit administrative division code.")
@click.option(
    "--level",
    type=click.Choice(["province", "city", "county", "department", "township"]),
    default=None,
    help="Administrative level of the agency.",
)
@click.option("--id", "source_id", default=None, help="Source id (default: from the host).")
@throttle_option
@click.argument("url")
def add_command(
    sources_path: Path | None,
    name: str | None,
    division_code: str | None,
    level: str | None,
    source_id: str | None,
    no_throttle: bool,
    url: str,
) -> None:
    """Find the 年报 column from a portal's home or 信息公开 page (fetched politely, like
    the crawl: robots.txt, throttling, WAF detection), detect its CMS family and append a
    checked entry to the registry. Nothing is written when no column is found.

    \b
    Examples:
      nianbao sources add http://www.bjmy.gov.cn/zwgk/ --name 北京市密云区人民政府 \\
          --division-code 110118 --level county
      nianbao sources add https://www.tonglu.gov.cn/col/col1229140160/index.html --sources my.yaml
    """
    from crawler.probe import ProbeError, discover
    from crawler.sources import SourceError, load_sources
    from nianbao.workflow import bundled_sources

    path = sources_path or bundled_sources()
    if path.suffix.lower() not in (".yaml", ".yml"):
        raise click.ClickException(f"{path}: sources add writes YAML registries only")
    try:
        existing = load_sources(path)
        entry, found = discover(
            url,
            name=name or url,
            division_code=division_code,
            level=level,
            source_id=source_id,
            taken={s.id for s in existing},
            throttle=not no_throttle,
        )
    except (SourceError, ProbeError) as exc:
        raise click.ClickException(str(exc)) from exc
    same = next((s for s in existing if s.url == entry.url), None)
    if same is not None:
        raise click.ClickException(f"{entry.url} is already registered as {same.id}")
    append_source(path, entry.to_dict())
    click.echo(
        f"added {entry.id}: {entry.url} ({entry.cms}, {found.reports_listed} reports listed)"
        f" to {path}"
    )


@sources_group.command("check")
@sources_file_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object per source.")
@throttle_option
def check_command(sources_path: Path | None, as_json: bool, no_throttle: bool) -> None:
    """Revisit every source's lists (no report is fetched) and say which still answer,
    which moved (the start URL redirects elsewhere) and which are blocked or failed.
    Exit code 1 when any source does not answer with reports.

    \b
    Examples:
      nianbao sources check
      nianbao sources check --sources my.yaml --json
    """
    from crawler.probe import probe
    from crawler.sources import SourceError, load_sources
    from nianbao.workflow import bundled_sources

    path = sources_path or bundled_sources()
    try:
        sources = load_sources(path)
    except SourceError as exc:
        raise click.ClickException(str(exc)) from exc
    found = probe(sources, throttle=not no_throttle)
    counts: dict[str, int] = {}
    for source in sources:
        result = found[source.id]
        counts[result.status] = counts.get(result.status, 0) + 1
        if as_json:
            click.echo(json.dumps(asdict(result), ensure_ascii=False))
            continue
        detail = f"{result.reports_listed} reports listed"
        if result.status == "moved":
            detail += f", now at {result.moved_to}"
        elif result.evidence:
            detail += f"; {result.evidence}"
        click.echo(f"{result.status:8} {source.id}: {detail}")
    if not as_json:
        click.echo("; ".join(f"{n} {status}" for status, n in sorted(counts.items())))
    if set(counts) - {"ok"}:
        raise SystemExit(1)
