"""The `nianbao` command: a thin layer over the library packages.

Each command lives in its own module under `nianbao.commands` and is registered here.
"""

from __future__ import annotations

import click

from extract import __version__
from nianbao.commands.accuracy import accuracy_command
from nianbao.commands.coverage import coverage_command
from nianbao.commands.crawl import crawl_command
from nianbao.commands.demo import demo_command
from nianbao.commands.doctor import doctor_command
from nianbao.commands.extract import extract_command
from nianbao.commands.portal import portal_command
from nianbao.commands.publish import publish_command, serve_command
from nianbao.commands.query import export_command, query_command, show_command
from nianbao.commands.run import nightly_command, run_command
from nianbao.commands.sources import sources_group
from nianbao.options import setup_logging


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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


cli.add_command(extract_command)
cli.add_command(demo_command)
cli.add_command(portal_command)
cli.add_command(crawl_command)
cli.add_command(run_command)
cli.add_command(nightly_command)
cli.add_command(query_command)
cli.add_command(export_command)
cli.add_command(show_command)
cli.add_command(publish_command)
cli.add_command(serve_command)
cli.add_command(doctor_command)
cli.add_command(coverage_command)
cli.add_command(sources_group)
cli.add_command(accuracy_command)


def main() -> None:
    cli()
