"""Indonesian regions by Kemendagri code, and the resolver that turns written names into codes.

Exports write a supplier's kabupaten as "Kab. Kutai Timur", "KUTAI TIMUR", "Kabupaten Kutai
Timur" or "Kutim"; a clause cannot compare such strings. The fact tables in ``data/`` (from
the npm package idn-area-data, see each file's header and docs/regions.md) give every
province, kabupaten/kota and kecamatan of Indonesia and the desa/kelurahan of Kutai Timur
(64.08) with their codes and common variants. :func:`enrich` fills ``kabupaten_code``,
``kecamatan_code`` and ``desa_code`` of every party from its names, recording where each
code came from in ``Party.provenance``.

Resolution never guesses: a name that fits no region, or more than one ("Bandung" is both
Kabupaten Bandung 32.04 and Kota Bandung 32.73; kecamatan "Batu Ampar" exists in five
kabupaten), gives None, which the rules read as unknown. A desa is looked up only inside its
own kecamatan (desa names repeat across kecamatan); desa outside Kutai Timur are not shipped.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from ..records import Dataset, Party

DATA = Path(__file__).resolve().parent / "data"
#: Kabupaten Kutai Timur.
KUTIM = "64.08"
#: The source line every table carries (its first comment line), for provenance and docs.
SOURCE = "idn-area-data 4.0.1 (ODbL-1.0)"

_NON_WORD = re.compile(r"[^0-9a-z]+")
_KAB_WORDS = {"kabupaten": "kab", "kab": "kab", "kota": "kota", "kotamadya": "kota", "kodya": "kota", "kotamdya": "kota"}
#: words that do not distinguish one kabupaten/kota from another ('Kota Administrasi Jakarta Barat', 'Pangkajene & Kepulauan')
_FILLER = {"adm", "administrasi", "dan"}
_KEC_WORDS = {"kecamatan", "kec"}
_DESA_WORDS = {"desa", "kelurahan", "kel", "ds"}
#: what separates the parts of a place written in one cell: 'Sangatta, Kutai Timur', 'Kab. Kutai Timur
#: (Kutim)', 'Kabupaten Kutai Timur Provinsi Kalimantan Timur'
_PARTS = re.compile(r"[,;/()]| - |\bprov(?:insi)?\b\.?", re.IGNORECASE)
_CODE = re.compile(r"^\d{2}(?:\.\d{2}){1,2}(?:\.\d{4})?$")


def fold(text: str) -> str:
    """Lower case, every run of punctuation and spaces one space: 'KAB.  Kutai-Timur' -> 'kab kutai timur'."""
    return _NON_WORD.sub(" ", text.casefold()).strip()


@dataclass(frozen=True, slots=True)
class Region:
    code: str
    parent: str | None
    name: str
    level: str  # provinsi, kabupaten, kecamatan, desa


def _read(name: str) -> list[dict[str, str]]:
    with open(DATA / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(line for line in fh if not line.startswith("#")))


def _kab_keys(text: str) -> list[tuple[str | None, str]]:
    """Readings of a kabupaten/kota name as (kind 'kab' | 'kota' | None, base name): 'Kab. Kutai Timur',
    'Kutai Timur (Kab.)' (SiRUP), 'KOTA SAMARINDA', 'Samarinda'. 'Kota Baru (Kab.)' and 'Kabupaten Lima
    Puluh Kota' start or end with such a word as part of the name, so both readings are tried."""
    words = [w for w in fold(text).split() if w not in _FILLER]
    out = [(None, "".join(words))]
    if len(words) > 1 and words[0] in _KAB_WORDS:
        out.append((_KAB_WORDS[words[0]], "".join(words[1:])))
    if len(words) > 1 and words[-1] in _KAB_WORDS:
        out.append((_KAB_WORDS[words[-1]], "".join(words[:-1])))
    # spaces are not significant: 'Batu Bara' = 'Batubara', 'Gunung Kidul' = 'Gunungkidul'
    return out


def _kab_key(name: str) -> tuple[str | None, str]:
    """The key of an official name, which always starts with Kabupaten or Kota."""
    keys = _kab_keys(name)
    return keys[1] if len(keys) > 1 else keys[0]


def _strip(text: str, prefixes: set[str]) -> str:
    words = fold(text).split()
    if len(words) > 1 and words[0] in prefixes:
        words = words[1:]
    return " ".join(words)


class Gazetteer:
    """The region tables, indexed by folded name. Build once (:func:`gazetteer`)."""

    def __init__(self) -> None:
        self.regions: dict[str, Region] = {}
        self._kab: dict[tuple[str | None, str], set[str]] = {}
        self._kec: dict[str, set[str]] = {}
        self._desa: dict[tuple[str, str], set[str]] = {}
        for r in _read("provinces.csv"):
            self.regions[r["code"]] = Region(r["code"], None, r["name"], "provinsi")
        for r in _read("kabkota.csv"):
            self.regions[r["code"]] = Region(r["code"], r["province_code"], r["name"], "kabupaten")
            kind, base = _kab_key(r["name"])
            for key in ((kind, base), (None, base)):
                self._kab.setdefault(key, set()).add(r["code"])
            for v in _variants(r):
                vk, vb = _kab_key(v)
                for key in {(vk, vb), (None, vb), (kind, vb)}:
                    self._kab.setdefault(key, set()).add(r["code"])
        for r in _read("kecamatan.csv"):
            self.regions[r["code"]] = Region(r["code"], r["kabupaten_code"], r["name"], "kecamatan")
            for n in (r["name"], *_variants(r)):
                self._kec.setdefault(_strip(n, _KEC_WORDS), set()).add(r["code"])
        for name in sorted(p.name for p in DATA.glob("desa-*.csv")):
            for r in _read(name):
                self.regions[r["code"]] = Region(r["code"], r["kecamatan_code"], r["name"], "desa")
                for n in (r["name"], *_variants(r)):
                    self._desa.setdefault((r["kecamatan_code"], _strip(n, _DESA_WORDS)), set()).add(r["code"])
        self.desa_covered = {self.regions[c].parent for c in self.regions if self.regions[c].level == "desa"}

    # lookups ---------------------------------------------------------------------
    def kabupaten(self, text: str | None) -> str | None:
        """The kabupaten/kota code of a name, or None when it fits none or several."""
        if not text or not text.strip():
            return None
        t = text.strip()
        if _CODE.match(t) and t in self.regions and self.regions[t].level == "kabupaten":
            return t
        codes = self._kab_codes(t)
        if not codes and _PARTS.search(t):
            # 'Sangatta, Kutai Timur', 'Kab. Kutai Timur, Kalimantan Timur', 'Kab. Kutai Timur (Kutim)':
            # the parts that name a kab/kota must all name the same one
            found = [self._kab_codes(part) for part in _PARTS.split(t) if part.strip()]
            if all(len(c) <= 1 for c in found):
                codes = set().union(*found)
        return next(iter(codes)) if len(codes) == 1 else None

    def _kab_codes(self, text: str) -> set[str]:
        codes: set[str] = set()
        for k in _kab_keys(text):
            codes |= self._kab.get(k, set())
        return codes

    def kecamatan(self, text: str | None, kabupaten_code: str | None = None) -> str | None:
        """The kecamatan code of a name inside ``kabupaten_code`` (or, without one, when the
        name is unique in Indonesia), else None."""
        if not text or not text.strip():
            return None
        codes = self._kec.get(_strip(text, _KEC_WORDS), set())
        if kabupaten_code is not None:
            codes = {c for c in codes if self.regions[c].parent == kabupaten_code}
        return next(iter(codes)) if len(codes) == 1 else None

    def desa(self, text: str | None, kecamatan_code: str | None) -> str | None:
        """The desa/kelurahan code of a name inside its kecamatan, else None."""
        if not text or not text.strip() or kecamatan_code is None:
            return None
        codes = self._desa.get((kecamatan_code, _strip(text, _DESA_WORDS)), set())
        return next(iter(codes)) if len(codes) == 1 else None

    def name(self, code: str | None) -> str | None:
        r = self.regions.get(code) if code else None
        return r.name if r else None


def _variants(row: dict[str, str]) -> list[str]:
    return [v for v in (row.get("variants") or "").split("|") if v.strip()]


@functools.cache
def gazetteer() -> Gazetteer:
    """The shared, read-only gazetteer (loaded on first use, about 8,000 rows)."""
    return Gazetteer()


def resolve_party(p: Party) -> Party:
    """``p`` with ``kabupaten_code``, ``kecamatan_code`` and ``desa_code`` filled from its names
    where the source gave no code; each code filled says in ``provenance`` which name gave it.
    Codes the source gave are kept as they are."""
    kab, kec, desa, prov = _resolve(p.kabupaten, p.kecamatan, p.desa, p.kabupaten_code, p.kecamatan_code, p.desa_code)
    if (kab, kec, desa) == (p.kabupaten_code, p.kecamatan_code, p.desa_code):
        return p
    # the codes come from the gazetteer, the rest from a party already checked: no second check
    # (at 50,000 parties the check was most of the time this took)
    fields = {name: getattr(p, name) for name in _field_names(type(p))}
    fields.update(kabupaten_code=kab, kecamatan_code=kec, desa_code=desa, provenance=p.provenance + prov)
    return type(p).trusted(**fields)


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


@functools.lru_cache(maxsize=65536)
def _resolve(kabupaten: str | None, kecamatan: str | None, desa_name: str | None, kab: str | None, kec: str | None,
             desa: str | None) -> tuple[str | None, str | None, str | None, tuple[tuple[str, str], ...]]:
    """The codes and their provenance for one combination of names (parties share places: cached)."""
    g = gazetteer()
    prov: list[tuple[str, str]] = []
    if kab is None and kabupaten:
        kab = g.kabupaten(kabupaten)
        if kab is not None:
            prov.append(("kabupaten_code", f"regions:kabkota.csv ({SOURCE}) from kabupaten {kabupaten!r}"))
    if kec is None and kecamatan:
        kec = g.kecamatan(kecamatan, kab)
        if kec is not None:
            prov.append(("kecamatan_code", f"regions:kecamatan.csv ({SOURCE}) from kecamatan {kecamatan!r}"
                         + (f" in {kab}" if kab else ", unique in Indonesia")))
            if kab is None and not kabupaten:
                # the kecamatan names one kabupaten; a written kabupaten that did not resolve is not overridden
                kab = g.regions[kec].parent
                prov.append(("kabupaten_code", f"regions:kecamatan.csv ({SOURCE}) from kecamatan {kecamatan!r}"))
    if desa is None and desa_name and kec is not None:
        desa = g.desa(desa_name, kec)
        if desa is not None:
            prov.append(("desa_code", f"regions:desa-6408.csv ({SOURCE}) from desa {desa_name!r} in kecamatan {kec}"))
    return kab, kec, desa, tuple(prov)


def enrich(ds: Dataset) -> Dataset:
    """Fill the region codes of every party of ``ds`` in place (see :func:`resolve_party`); returns ``ds``.

    Idempotent: a party whose codes are already set is left alone.
    """
    for pid, p in list(ds.parties.items()):
        if (p.kabupaten or p.kecamatan or p.desa) and in_indonesia(p):
            ds.parties[pid] = resolve_party(p)
    return ds


_COUNTRY_KEYS = ("countryname", "country", "negara")
_INDONESIA = {"indonesia", "id", "idn", "republik indonesia"}


def in_indonesia(p: Party) -> bool:
    """False when the source says the party is in another country (an OCDS address in the United
    Kingdom has a locality 'Kendal', which is also a kabupaten of Jawa Tengah)."""
    for k, v in p.extra:
        if k.casefold() in _COUNTRY_KEYS and v.strip().casefold() not in _INDONESIA:
            return False
    return True


def resolve_names(names: Iterable[str]) -> dict[str, str | None]:
    """Kabupaten code per name (a convenience for reports and tests)."""
    g = gazetteer()
    return {n: g.kabupaten(n) for n in names}


__all__ = ["KUTIM", "Gazetteer", "Region", "enrich", "fold", "gazetteer", "resolve_names", "resolve_party"]
