"""The documentation that is generated from the code is in step with it."""

from __future__ import annotations

from pathlib import Path

from nianbao.clidoc import render

ROOT = Path(__file__).resolve().parent.parent


def test_cli_reference_is_current() -> None:
    """Regenerate with: python -m nianbao.clidoc > docs/cli.md"""
    assert (ROOT / "docs/cli.md").read_text(encoding="utf-8") == render()


def test_every_command_has_an_example() -> None:
    import click

    from nianbao.cli import cli

    ctx = click.Context(cli, info_name="nianbao")
    missing = [
        name
        for name in cli.list_commands(ctx)
        if "nianbao " not in (cli.get_command(ctx, name).help or "")
    ]
    assert not missing, f"commands without an example in their help: {missing}"
