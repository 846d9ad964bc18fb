"""``perbup init DIR``: write an editable copy of the bundled draft, with a README in Indonesian."""

from __future__ import annotations

from pathlib import Path

import click

from ._common import handle_errors


@click.command("init")
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--from", "source", type=click.Path(path_type=Path), default=None,
              help="Copy this regulation folder instead of the bundled Kutai Timur draft.")
@click.option("--force", is_flag=True, help="Write into a folder that is not empty (files of the same name are overwritten).")
@handle_errors
def command(directory, source, force):
    """Write an editable copy of the draft (rules, params, tests) into DIRECTORY."""
    from ..init_draft import init_draft

    files = init_draft(directory, source, force)
    click.echo(f"{len(files)} berkas ditulis ke / files written to {directory}")
    click.echo(f"berikutnya / next: perbup check {directory} && perbup test {directory} && "
               f"perbup render {directory} --format docx -o rancangan.docx")
