"""The `nianbao` command imports per command: `--help` and `extract` on a page load none of
the heavy libraries other commands use, and every command is still listed with its
one-line description."""

from __future__ import annotations

import json
import subprocess
import sys

import click
from click.testing import CliRunner

from nianbao.cli import COMMANDS, cli
from tests.conftest import CORPUS

# What other commands need and `--help` or reading one page must not pay for.
HEAVY = ("pandas", "pyarrow", "scrapy", "twisted", "datasette", "duckdb", "dask", "distributed")
# Run as `nianbao ARGS` would, then name the modules the process imported.
WRAPPER = """
import json, sys
from nianbao.cli import cli
try:
    cli.main(sys.argv[1:], prog_name="nianbao")
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)))
"""


def _imported(*args: str) -> tuple[list[str], set[str]]:
    """The output lines of `nianbao ARGS` in a fresh process, and the modules it imported."""
    done = subprocess.run(
        [sys.executable, "-c", WRAPPER, *args], capture_output=True, text=True, check=True
    )
    *lines, modules = done.stdout.splitlines()
    return lines, {name.split(".")[0] for name in json.loads(modules)}


def test_help_imports_no_heavy_library() -> None:
    lines, modules = _imported("--help")
    assert any(line.startswith("  extract ") for line in lines)
    assert not modules & set(HEAVY), sorted(modules & set(HEAVY))
    assert "extract" in modules  # the version: not the reading machinery
    assert not modules & {"lxml", "pdfplumber", "cn2an", "filelock", "yaml"}


def test_extract_on_a_page_imports_the_reader_it_needs_only() -> None:
    page = CORPUS / "docs" / "sh-szfbgt-2019.html"
    lines, modules = _imported("extract", "--json", str(page))
    (record,) = [json.loads(line) for line in lines]
    assert record["status"] == "ok" and record["agency"] == "上海市人民政府办公厅"
    assert record["year"] == 2019
    assert not modules & set(HEAVY), sorted(modules & set(HEAVY))
    assert "lxml" in modules
    # neither the PDF reader, nor cn2an and charset_normalizer (the page prints no figure in
    # Chinese numerals and is UTF-8: nothing to detect), nor a progress bar
    assert not modules & {"pdfplumber", "pdfminer", "cn2an", "charset_normalizer", "tqdm"}


def test_every_command_is_listed_with_its_one_line_description() -> None:
    result = CliRunner().invoke(cli, ["--help"], terminal_width=200)
    assert result.exit_code == 0
    listed = result.stdout.split("Commands:\n", 1)[1].splitlines()
    ctx = click.Context(cli, info_name="nianbao")
    assert cli.list_commands(ctx) == sorted(COMMANDS)
    for name, line in zip(sorted(COMMANDS), listed, strict=True):
        command = cli.get_command(ctx, name)
        assert command is not None and command.name == name, COMMANDS[name]
        shown, *described = line.split()
        description = " ".join(described).removesuffix("...")
        assert shown == name and len(description) > 20, line
        assert " ".join((command.help or "").split()).startswith(description), line
    assert any(line.split()[:2] == ["extract", "Read"] for line in listed)


def test_an_unknown_command_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["exrtact"])
    assert result.exit_code == 2 and "No such command 'exrtact'" in result.stderr
