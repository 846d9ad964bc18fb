"""``perbup render``: the draft as a Peraturan Bupati (Markdown, HTML or Word), plain or annotated."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import FILE_NOT_FOUND
from ..i18n import t
from ._common import handle_errors, existing


@click.command("render", help=t("help.render"))
@click.argument("rules", type=click.Path(path_type=Path), required=False, callback=existing(FILE_NOT_FOUND))
@click.option("--format", "fmt", type=click.Choice(["md", "html", "docx"]), default="md", show_default=True)
@click.option("--view", type=click.Choice(["naskah", "annotated"]), default="naskah", show_default=True,
              help=t("help.render.view"))
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help=t("help.render.output"))
@handle_errors
def command(rules, fmt, view, output):
    """``perbup render`` (its help text is ``help.render`` in the i18n catalogue)."""
    import perbup_rules as pr
    from ..document import render_document
    from ..errors import UsageError

    if fmt == "docx" and output is None:
        raise UsageError(t("cli.render.docx_needs_output"))
    out = render_document(rules or pr.BUNDLED_RULES, fmt, view)
    if output:
        if isinstance(out, bytes):
            output.write_bytes(out)
        else:
            output.write_text(out, encoding="utf-8")
    else:
        click.echo(out, nl=False)
