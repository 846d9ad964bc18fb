"""The draft as a document people read: the Perbup's legal text (``naskah``), or the same text
with, beside each ayat, what the machine checks in plain Indonesian, its parameters with their
sources and basis, and the scenarios that test it with their coverage (``annotated``; literate
style, after Catala). The layout lives in :mod:`perbup_rules.naskah`.
"""

from __future__ import annotations

from pathlib import Path


def _params_used(clause: dict) -> list[str]:
    """The parameters a compiled clause reads, sorted."""
    names = set()

    def visit(x):
        if isinstance(x, dict):
            if x.get("op") == "param":
                names.add(x["name"])
            for v in x.values():
                visit(v)
        elif isinstance(x, list):
            for v in x:
                visit(v)
    visit(clause.get("decisions"))
    visit(clause.get("at_least"))
    return sorted(names)


def render_document(root: str | Path, fmt: str = "md", view: str = "annotated") -> str | bytes:
    """The regulation folder as Markdown (``md``), a self-contained HTML page (``html``) or Word (``docx``, bytes).

    ``view`` is ``naskah`` (the legal text only) or ``annotated`` (the default here, and the
    form of docs/kutim-kemitraan.md); ``perbup render`` defaults to ``naskah``.
    """
    from .naskah.writers import render_naskah

    return render_naskah(root, fmt, view)
