"""The `nianbao` command: a thin layer over the library packages.

Each command lives in its own module under `nianbao.commands`, named in `COMMANDS` and
imported only when it runs or its help is shown, so a command pays at start-up for the
libraries it uses and no others (`nianbao --help` and `nianbao extract page.html` import
neither pandas, pyarrow, scrapy, duckdb nor dask). The command modules keep their heavy
imports inside the functions that need them, because `--help` loads every command for
its one-line description.
"""

from __future__ import annotations

import importlib
from typing import Any

import click

from extract import __version__
from nianbao.options import setup_logging

# One line per command: its name and "module:attribute" of its click command.
COMMANDS = {
    "accuracy": "nianbao.commands.accuracy:accuracy_command",
    "coverage": "nianbao.commands.coverage:coverage_command",
    "crawl": "nianbao.commands.crawl:crawl_command",
    "demo": "nianbao.commands.demo:demo_command",
    "doctor": "nianbao.commands.doctor:doctor_command",
    "export": "nianbao.commands.query:export_command",
    "extract": "nianbao.commands.extract:extract_command",
    "nightly": "nianbao.commands.run:nightly_command",
    "portal": "nianbao.commands.portal:portal_command",
    "publish": "nianbao.commands.publish:publish_command",
    "query": "nianbao.commands.query:query_command",
    "run": "nianbao.commands.run:run_command",
    "serve": "nianbao.commands.publish:serve_command",
    "show": "nianbao.commands.query:show_command",
    "sources": "nianbao.commands.sources:sources_group",
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported from `lazy` ("module:attribute") on first use,
    the pattern of click's documentation ("Lazily Loading Subcommands")."""

    def __init__(self, *args: Any, lazy: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy:
            module, attribute = self.lazy[cmd_name].split(":")
            self.add_command(getattr(importlib.import_module(module), attribute), cmd_name)
        return super().get_command(ctx, cmd_name)


@click.group(
    cls=LazyGroup,
    lazy=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, prog_name="nianbao")
@click.option(
    "--log-level",
    default="WARNING",
    show_default=True,
    type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False),
    envvar="NIANBAO_LOG_LEVEL",
    help="How much to log on standard error.",
)
def cli(log_level: str) -> None:
    """Collect, read and publish 政府信息公开工作年度报告 (annual reports on open
    government information) as one dataset.

    \b
    Examples:
      nianbao demo                                  # the whole pipeline, offline
      nianbao run --sources sources.yaml            # crawl, extract, publish
      nianbao extract report.pdf page.html          # readable tables and checks
      nianbao query "SELECT year, count(*) FROM reports GROUP BY year"
    """
    setup_logging(log_level)


def main() -> None:
    cli()
