"""``perbup render``: the draft as a Peraturan Bupati (Markdown, HTML or Word), plain or annotated."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import FILE_NOT_FOUND
from ._common import handle_errors, existing


@click.command("render")
@click.argument("rules", type=click.Path(path_type=Path), required=False, callback=existing(FILE_NOT_FOUND))
@click.option("--format", "fmt", type=click.Choice(["md", "html", "docx"]), default="md", show_default=True)
@click.option("--view", type=click.Choice(["naskah", "annotated"]), default="naskah", show_default=True,
              help="naskah: the legal text as it would be signed; annotated: with each ayat's machine rule, "
                   "parameters and tests beside it.")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Write to FILE (required for docx).")
@handle_errors
def command(rules, fmt, view, output):
    """Write the draft as a Perbup: judul, Menimbang, Mengingat, BAB/Pasal/ayat, penutup and signatures."""
    import perbup_rules as pr
    from ..document import render_document
    from ..errors import UsageError

    if fmt == "docx" and output is None:
        raise UsageError("--format docx writes a Word file: give -o FILE.docx")
    out = render_document(rules or pr.BUNDLED_RULES, fmt, view)
    if output:
        if isinstance(out, bytes):
            output.write_bytes(out)
        else:
            output.write_text(out, encoding="utf-8")
    else:
        click.echo(out, nl=False)
