"""``perbup render``: the draft as a readable document (Markdown or HTML)."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import FILE_NOT_FOUND
from ._common import handle_errors, existing


@click.command("render")
@click.argument("rules", type=click.Path(path_type=Path), required=False, callback=existing(FILE_NOT_FOUND))
@click.option("--format", "fmt", type=click.Choice(["md", "html"]), default="md", show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None)
@handle_errors
def command(rules, fmt, output):
    """Write the regulation as people read it: BAB/Pasal/ayat, what is checked, parameters, scenarios."""
    import perbup_rules as pr
    from ..document import render_document

    text = render_document(rules or pr.BUNDLED_RULES, fmt)
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
