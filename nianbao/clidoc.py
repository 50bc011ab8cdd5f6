"""The CLI reference (docs/cli.md), generated from the commands themselves.

`python -m nianbao.clidoc > docs/cli.md` writes it; a test fails when the file and the
code disagree, so no command goes undocumented (as sqlite-utils does).
"""

from __future__ import annotations

import click

from nianbao.cli import cli


def render() -> str:
    lines = [
        "# Command-line reference",
        "",
        "Generated from the code by `python -m nianbao.clidoc > docs/cli.md`; do not edit.",
        "",
    ]
    # A fixed width, so the file does not depend on the terminal it was made in.
    ctx = click.Context(
        cli, info_name="nianbao", terminal_width=88, max_content_width=88, **cli.context_settings
    )
    lines += ["```", cli.get_help(ctx), "```", ""]
    for name in sorted(cli.list_commands(ctx)):
        command = cli.get_command(ctx, name)
        sub = click.Context(command, info_name=name, parent=ctx)
        lines += [f"## nianbao {name}", "", "```", command.get_help(sub), "```", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    click.echo(render(), nl=False)
