"""Reading data in: the canonical dataset loader and importers for LKPP and OCDS exports.

    load_dataset(path)          canonical folder (parties/purchases/partnerships.csv) or .xlsx
    load(src, kind=None)        any supported kind; kind None/"auto" detects it
    detect_kind(path)           the kind a file or folder looks like
    write_dataset(ds, folder)   the canonical CSVs, read back unchanged by load_dataset
    IMPORTERS                   kind -> importer function

Bad rows are rejected (``Dataset.rejected``) and the rest loads; only input that
cannot be read at all raises :class:`~perbup_rules.errors.DataError`.
See docs/importers.md for every mapping and cell format.
"""

from __future__ import annotations

from .canonical import load_dataset
from .detect import detect_kind
from .registry import IMPORTERS, KINDS, load
from .writer import write_dataset, write_rejections

__all__ = ["IMPORTERS", "KINDS", "detect_kind", "load", "load_dataset", "write_dataset", "write_rejections"]
