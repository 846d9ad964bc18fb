"""The importer registry: kind name -> function(path) -> Dataset, and ``load`` that dispatches on it.

Every LKPP ISB kind also has a *reader* (path -> :class:`~.part.Part`): the file's own
records and facts before linking. :func:`load` and :func:`load_many` read each file with its
reader and link them all at once (:mod:`.link`), so the records of one package that sit in
different files, or in different ``--data`` arguments, become one life.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Callable, Iterable

from ..errors import DataError, UsageError
from ..i18n import msg
from ..records import Dataset, InputFile
from .canonical import load_dataset
from .detect import DATA_SUFFIXES, detect
from .ecat import read_ecat_v6, read_tokodaring
from .link import link
from .ocds import import_ocds
from .ocds_flat import import_ocds_flat
from .part import Part
from .tables import file_sha256
from .pencatatan import read_pencatatan_nontender, read_pencatatan_swakelola
from .spse import read_spse_ekontrak, read_spse_nontender, read_spse_tender
from .support import SPECS, read_reference, read_satker_master, read_support

Importer = Callable[[Path], Dataset]
Reader = Callable[..., Part]


def _sirup(path: Path, detected: str | None = None) -> Part:
    from .sirup import read_sirup_rup

    return read_sirup_rup(path, detected)


#: Readers of the LKPP ISB kinds: path (and the detection note) -> the file's Part.
READERS: dict[str, Reader] = {
    "sirup-rup": _sirup,
    "spse-nontender": read_spse_nontender,
    "spse-tender": read_spse_tender,
    "spse-ekontrak": read_spse_ekontrak,
    "spse-pencatatan-nontender": read_pencatatan_nontender,
    "spse-pencatatan-swakelola": read_pencatatan_swakelola,
    "ecat-paket-v6": read_ecat_v6,
    "tokodaring-realisasi": read_tokodaring,
    **{kind: read_support(kind) for kind in SPECS},
    "rup-master-satker": read_satker_master,
    "isb-reference": read_reference,
}


def _linked(reader: Reader) -> Importer:
    def importer(path: Path) -> Dataset:
        return link([reader(path)])

    importer.__doc__ = reader.__doc__
    return importer


#: Every importer by kind. Each maps what its source has onto the canonical
#: records, leaves the rest None, and rejects (never drops) rows it cannot use.
IMPORTERS: dict[str, Importer] = {
    "canonical": load_dataset,
    **{kind: _linked(reader) for kind, reader in READERS.items()},
    "ocds": import_ocds,
}

IMPORTERS["ocds-flat"] = import_ocds_flat

#: Kinds accepted by :func:`load` and ``perbup import --from``; "folder" reads every file of a folder with its own kind.
KINDS: tuple[str, ...] = (*IMPORTERS, "folder", "auto")


def load(src: str | Path, kind: str | None = None) -> Dataset:
    """Import ``src`` with the importer for ``kind`` (None or "auto": detect it).

    A folder without parties.csv/purchases.csv is a folder of exports: every file is read
    with its own detected kind and the records are linked across files.

    Raises:
        UsageError: ``kind`` is not a known kind.
        DataError: the input cannot be read, or its kind cannot be detected.
    """
    return load_many([src], kind)


def load_many(sources: Iterable[str | Path], kind: str | None = None) -> Dataset:
    """Read every source (a file, a canonical folder, or a folder of exports) and link them as one.

    ``kind`` applies to every file given directly; the files inside a folder of exports are
    always detected one by one. Problems in several files are raised together.

    Raises:
        UsageError: ``kind`` is not a known kind.
        DataError: a source cannot be read or its kind cannot be detected.
    """
    if kind is not None and kind != "auto" and kind not in IMPORTERS and kind != "folder":
        near = difflib.get_close_matches(kind, KINDS, n=1)
        hint = msg("diag.hint.did_you_mean_tail", names=repr(near[0])) if near else ""
        raise UsageError(msg("diag.data.unknown_kind", kind=repr(kind), kinds=", ".join(KINDS), hint=hint))
    parts: list[Part] = []
    problems = []
    for src in sources:
        path = Path(src)
        try:
            if kind in (None, "auto", "folder"):
                found, why = detect(path)
                if kind == "folder" and found != "folder" and path.is_dir():
                    found = "folder"
            else:
                found, why = kind, None
            if found == "folder":
                parts.extend(_folder(path, problems))
            else:
                parts.append(_read(path, found, why))
        except DataError as err:
            problems.extend(err.diagnostics)
    if problems:
        raise DataError(problems)
    from ..regions import enrich

    return enrich(link(parts))


def _read(path: Path, kind: str, why: str | None) -> Part:
    reader = READERS.get(kind)
    if reader is not None:
        return reader(path, why)
    ds = IMPORTERS[kind](path)
    # A canonical folder or workbook names its tables itself; the note matters for exports, whose
    # kind is a guess from columns (and the bulk path, which reads canonical folders only, agrees).
    if why and ds.sources and kind != "canonical":
        from dataclasses import replace

        ds.sources[0] = replace(ds.sources[0], detected=ds.sources[0].detected or why)
    return Part(ds, linkable=False)


def _folder(folder: Path, problems: list) -> list[Part]:
    """Every export file of a folder, each with its own detected kind, in name order."""
    parts = []
    skipped = Dataset()
    for path in sorted(folder.iterdir()):
        if path.name.startswith("."):
            continue
        if not path.is_file() or path.suffix.lower() not in DATA_SUFFIXES:
            # Listed, not read: a README or a subfolder is not an export, but the auditor sees it was there.
            why = "a subfolder: not read (pass it on its own)" if path.is_dir() else f"not a data file ({path.suffix or 'no suffix'}): not read"
            sha = file_sha256(path) if path.is_file() else ""
            skipped.sources.append(InputFile(str(path), sha, "skipped", why, 0, 0, 0))
            continue
        try:
            kind, why = detect(path)
            parts.append(_read(path, kind, why))
        except DataError as err:
            problems.extend(err.diagnostics)
    if skipped.sources:
        parts.append(Part(skipped, linkable=False))
    return parts
