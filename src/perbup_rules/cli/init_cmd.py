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
    from ..init_draft import init_draft, shown_path

    files = init_draft(directory, source, force)
    shown = shown_path(directory)  # a file name that is not UTF-8 is shown escaped, not a crash
    click.echo(f"{len(files)} berkas ditulis ke / files written to {shown}")
    click.echo(f"berikutnya / next: perbup check {shown} && perbup test {shown} && "
               f"perbup render {shown} --format docx -o rancangan.docx")
