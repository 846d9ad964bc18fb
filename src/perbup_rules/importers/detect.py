"""Guess which importer fits a file or folder from its shape and column names."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from .. import errors
from .tables import data_error, open_binary

#: How much of a file is looked at to guess its kind.
_PEEK = 1 << 16

#: Column sets that identify each LKPP export, most specific first.
_SIGNATURES: tuple[tuple[str, frozenset[str]], ...] = (
    ("spse-ekontrak", frozenset({"no_kontrak", "nilai_kontrak"})),
    ("spse-ekontrak", frozenset({"tgl_kontrak", "nilai_kontrak"})),
    ("sirup-rup", frozenset({"kd_rup", "pagu", "status_ukm"})),
    ("sirup-rup", frozenset({"kd_rup", "pagu", "metode_pengadaan"})),
    ("spse-nontender", frozenset({"kd_nontender", "nilai_kontrak"})),
    ("spse-tender", frozenset({"kd_tender", "nilai_kontrak"})),
)


def detect_kind(path: str | Path) -> str:
    """Return the importer kind for ``path``: canonical, sirup-rup, spse-*, or ocds.

    Raises:
        DataError: unreadable_input when the kind cannot be told; the message
            lists the kinds so the user can pass one with ``--from``.
    """
    path = Path(path)
    if path.is_dir():
        names = {p.name.lower() for p in path.iterdir()}
        if {"parties.csv", "purchases.csv"} & names:
            return "canonical"
        # --- flattened OCDS (helper `numbers`) ---
        from .ocds_flat import sniff_folder

        if sniff_folder(path):
            return "ocds-flat"
        # --- end flattened OCDS ---
        raise _undetectable(path, "the folder has neither parties.csv nor purchases.csv")
    if not path.is_file():
        raise data_error(errors.UNREADABLE_INPUT, "no such file or folder", str(path))
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        # --- flattened OCDS (helper `numbers`) ---
        from .ocds_flat import sniff_xlsx

        if sniff_xlsx(path):
            return "ocds-flat"
        # --- end flattened OCDS ---
        return "canonical"
    with open_binary(path, str(path)) as fh:
        head = fh.read(_PEEK)
    text = head.decode("utf-8-sig", errors="replace")
    stripped = text.lstrip()
    if suffix in (".json", ".jsonl", ".ndjson", ".jl") or stripped[:1] in ("{", "["):
        if '"ocid"' in text or '"releases"' in text or '"records"' in text:
            return "ocds"
        kind = _by_columns({k.strip('"').lower() for k in _json_keys(text)})
        if kind:
            return kind
        raise _undetectable(path, "JSON with neither OCDS releases nor known LKPP columns")
    header = _csv_header(text)
    # --- flattened OCDS (helper `numbers`) ---
    from .ocds_flat import sniff

    if sniff(header):
        return "ocds-flat"
    # --- end flattened OCDS ---
    kind = _by_columns(header)
    if kind:
        return kind
    if {"id", "stage"} <= header or {"id", "kind"} <= header:
        raise _undetectable(path, "this looks like one canonical table; pass the folder that holds parties.csv and purchases.csv")
    raise _undetectable(path, "the columns match no known export")


def _by_columns(columns: set[str]) -> str | None:
    for kind, needed in _SIGNATURES:
        if needed <= columns:
            return kind
    return None


def _csv_header(text: str) -> set[str]:
    first = text.splitlines()[0] if text else ""
    delimiter = max((",", ";", "\t"), key=first.count)
    try:
        row = next(csv.reader(io.StringIO(first), delimiter=delimiter), [])
    except csv.Error:
        return set()
    return {c.strip().lower() for c in row}


def _json_keys(text: str) -> set[str]:
    # Object keys in the first part of the file: "name": ... pairs.
    keys = set()
    for part in text.split('"')[1::2]:
        keys.add(part)
    return keys


def _undetectable(path: Path, why: str):
    from .registry import KINDS

    return data_error(
        errors.UNREADABLE_INPUT,
        f"cannot tell what kind of data this is: {why}",
        str(path),
        hint=f"name the kind with --from, one of: {', '.join(KINDS)}",
    )
