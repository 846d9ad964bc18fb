"""``perbup init DIR``: write an editable copy of the bundled draft, with a README in Indonesian."""

from __future__ import annotations

from pathlib import Path

import click

from ..i18n import t
from ._common import handle_errors


@click.command("init", help=t("help.init"))
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--from", "source", type=click.Path(path_type=Path), default=None,
              help=t("help.init.from"))
@click.option("--force", is_flag=True, help=t("help.init.force"))
@handle_errors
def command(directory, source, force):
    """``perbup init`` (its help text is ``help.init`` in the i18n catalogue)."""
    from ..init_draft import init_draft, shown_path

    files = init_draft(directory, source, force)
    shown = shown_path(directory)  # a file name that is not UTF-8 is shown escaped, not a crash
    click.echo(t("cli.init.written", count=len(files), folder=shown))
    click.echo(t("cli.init.next", folder=shown))
