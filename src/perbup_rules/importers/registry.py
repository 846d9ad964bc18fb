"""The importer registry: kind name -> function(path) -> Dataset, and ``load`` that dispatches on it."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Callable

from ..errors import UsageError
from ..records import Dataset
from .canonical import load_dataset
from .detect import detect_kind
from .ocds import import_ocds
from .sirup import import_sirup_rup
from .spse import import_spse_ekontrak, import_spse_nontender, import_spse_tender

Importer = Callable[[Path], Dataset]

#: Every importer by kind. Each maps what its source has onto the canonical
#: records, leaves the rest None, and rejects (never drops) rows it cannot use.
IMPORTERS: dict[str, Importer] = {
    "canonical": load_dataset,
    "sirup-rup": import_sirup_rup,
    "spse-nontender": import_spse_nontender,
    "spse-tender": import_spse_tender,
    "spse-ekontrak": import_spse_ekontrak,
    "ocds": import_ocds,
}

# --- flattened OCDS (helper `numbers`) ---
from .ocds_flat import import_ocds_flat  # noqa: E402

IMPORTERS["ocds-flat"] = import_ocds_flat
# --- end flattened OCDS ---

#: Kinds accepted by :func:`load` and ``perbup import --from``.
KINDS: tuple[str, ...] = (*IMPORTERS, "auto")


def load(src: str | Path, kind: str | None = None) -> Dataset:
    """Import ``src`` with the importer for ``kind`` (None or "auto": detect it).

    Raises:
        UsageError: ``kind`` is not a known kind.
        DataError: the input cannot be read, or its kind cannot be detected.
    """
    path = Path(src)
    if kind is None or kind == "auto":
        kind = detect_kind(path)
    importer = IMPORTERS.get(kind)
    if importer is None:
        near = difflib.get_close_matches(kind, KINDS, n=1)
        hint = f"; did you mean {near[0]!r}?" if near else ""
        raise UsageError(f"unknown import kind {kind!r} (one of {', '.join(KINDS)}){hint}")
    return importer(path)
