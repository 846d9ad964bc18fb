"""The parts of regulation.yaml and the pasal files that only the legal text needs.

``naskah:`` in regulation.yaml holds the frame of the Perbup (UU 12/2011 Lampiran II): its
number and year (blank while a draft), the *tentang*, the Menimbang considerations, the
Mengingat list of higher laws, the dates of *penetapan* and *pengundangan*, and the Berita
Daerah number. An ayat may carry a list under it, as ``huruf`` (a., b., ...) or ``angka``
(1., 2., ...), each item a text or a text with its own list.
"""

from __future__ import annotations

import datetime as _dt
from typing import Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, StrictInt, model_validator


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


#: Lampiran II order of the Mengingat: by the hierarchy of UU 12/2011 Pasal 7 (and the
#: ministerial and regional rules of Pasal 8), then by year and number within a level.
HIERARCHY = ("uud", "tap_mpr", "uu", "perppu", "pp", "perpres", "permen", "perda_provinsi", "pergub", "perda", "perbup")
JENIS_TEXT = {
    "uud": "Undang-Undang Dasar Negara Republik Indonesia Tahun 1945",
    "tap_mpr": "Ketetapan Majelis Permusyawaratan Rakyat",
    "uu": "Undang-Undang",
    "perppu": "Peraturan Pemerintah Pengganti Undang-Undang",
    "pp": "Peraturan Pemerintah",
    "perpres": "Peraturan Presiden",
    "permen": "Peraturan Menteri",
    "perda_provinsi": "Peraturan Daerah Provinsi",
    "pergub": "Peraturan Gubernur",
    "perda": "Peraturan Daerah",
    "perbup": "Peraturan Bupati",
}


class Mengingat(_Model):
    """One higher law in the Mengingat, written from its parts so that its form stays uniform."""

    jenis: Literal[HIERARCHY]  # type: ignore[valid-type]
    nomor: Optional[StrictInt] = None
    tahun: Optional[StrictInt] = None
    tentang: Optional[str] = None
    #: e.g. "Pasal 18 ayat (6)" for the UUD
    pasal: Optional[str] = None
    #: the issuing body for a Permen or regional rule, e.g. "Menteri Dalam Negeri"
    penerbit: Optional[str] = None
    #: "Lembaran Negara Republik Indonesia Tahun 2021 Nomor 17, Tambahan ... Nomor 6619" where known
    lembaran: Optional[str] = None
    #: "sebagaimana telah diubah ... dengan ..." where the law was amended
    perubahan: Optional[str] = None

    @model_validator(mode="after")
    def _numbered(self):
        if self.jenis != "uud" and (self.nomor is None or self.tahun is None or not self.tentang):
            raise ValueError(f"a {self.jenis} needs nomor, tahun and tentang")
        return self


class BeritaDaerah(_Model):
    tahun: Optional[StrictInt] = None
    nomor: Optional[StrictInt] = None


class NaskahFrame(_Model):
    """The frame of the Perbup around its pasal (regulation.yaml ``naskah:``)."""

    jenis: str = "Peraturan Bupati"
    daerah: str = "Kabupaten Kutai Timur"
    jabatan: str = "Bupati Kutai Timur"
    provinsi: Optional[str] = "Kalimantan Timur"
    ibukota: str = "Sangatta"
    nomor: Optional[StrictInt] = None
    tahun: Optional[StrictInt] = None
    tentang: str
    menimbang: list[str] = Field(min_length=1)
    mengingat: list[Mengingat] = Field(min_length=1)
    ditetapkan: Optional[_dt.date] = None
    diundangkan: Optional[_dt.date] = None
    bupati: Optional[str] = None
    sekretaris_daerah: Optional[str] = None
    berita_daerah: BeritaDaerah = BeritaDaerah()


class Item(_Model):
    """An item of a list under an ayat, with its own list (huruf under angka, or angka under huruf)."""

    text: str
    huruf: list[Union[str, "Item"]] = []
    angka: list[Union[str, "Item"]] = []

    @model_validator(mode="after")
    def _one_list(self):
        if self.huruf and self.angka:
            raise ValueError("an item has either huruf or angka under it, not both")
        return self


Item.model_rebuild()
