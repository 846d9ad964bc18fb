#!/usr/bin/env python3
"""Generate the Kutai Timur example dataset: parties.csv, purchases.csv, partnerships.csv, reports.csv.

Seeded and deterministic (same seed and size -> same bytes), standard library
only, and streaming: purchases are written one row at a time, so
``--purchases 1000000`` runs in bounded memory. The parties and every record
that plants a case for a clause of the draft Perbup are listed in
examples/README.md.

    python examples/generate.py                      # examples/kutim, ~3,000 purchases
    python examples/generate.py --purchases 1000000 --out /tmp/kutim-1m

All businesses are fictional; kecamatan and desa names are real places in
Kutai Timur. Random draws use only the Mersenne Twister and integer or
floating-point comparisons (no log/exp), so output does not depend on the
platform's maths library.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import itertools
import random
from pathlib import Path
from typing import Iterator, NamedTuple

KABUPATEN = "Kutai Timur"
YEARS = (2025, 2026, 2027)
DEFAULT_PURCHASES = 3000
DEFAULT_SEED = 20250601

KECAMATAN = (
    "Batu Ampar", "Bengalon", "Busang", "Kaliorang", "Karangan", "Kaubun", "Kongbeng",
    "Long Mesangat", "Muara Ancalong", "Muara Bengkal", "Muara Wahau", "Rantau Pulung",
    "Sandaran", "Sangatta Selatan", "Sangatta Utara", "Sangkulirang", "Telen", "Teluk Pandan",
)

PARTY_COLUMNS = (
    "id", "name", "kind", "legal_form", "capital_idr", "annual_sales_idr", "scale",
    "kecamatan", "desa", "kabupaten", "supplies", "star_rating",
)
PURCHASE_COLUMNS = (
    "id", "stage", "buyer_id", "ppk_id", "supplier_id", "category", "procurement_type", "method",
    "value_idr", "umk_value_idr", "reserved_for_umkk", "exemption_reason", "date", "currency", "keterangan",
)
PARTNERSHIP_COLUMNS = (
    "id", "party_id", "partner_id", "pattern", "categories", "start_date", "end_date",
    "written", "reported_to_dinas", "purchase_id", "reported_date", "keterangan",
)

REPORT_COLUMNS = (
    "id", "party_id", "year", "kind", "total_idr", "local_umkk_idr", "submitted_date", "keterangan",
)

M = 1_000_000
B = 1_000_000_000


class Shape(NamedTuple):
    """Knobs for benchmark data (issue 14: benchmarks that cannot be tuned to one dataset).

    ``None`` everywhere is the example's own shape (the bundled examples/kutim, byte for byte).
    Any knob set adds generated parties and partnerships after the example's, drawn from their
    own random streams, so the example's rows stay as they are and only the knobs' rows change:

    * ``parties``: total party rows (generated UMKM and non-UMKK firms fill up to it);
    * ``non_umkk_suppliers``: generated non-UMKK firms (capital above Rp10 bn) that win agency
      packages; each (firm, category, year) they win in without a partnership is one required
      partnership of KMT-05;
    * ``partnerships``: total partnership rows; ``covered`` of the firms' (firm, category) pairs
      get a written partnership with a local UMKK covering every year (they comply), the rest go
      to firms that do not supply agencies (KMT-16 subjects only);
    * ``non_umkk_rate``: the share of agency awards and contracts (every package is at most
      Rp15 bn) won by non-UMKK suppliers, replacing each agency's own habit;
    * ``categories_per_supplier``: categories each generated supplier supplies;
    * ``candidates_per_category``: about how many local UMKK supply each category (the
      candidates of a required partnership); the other generated UMKM are outside Kutai Timur.
    """

    parties: int | None = None
    partnerships: int | None = None
    non_umkk_suppliers: int = 0
    non_umkk_rate: float | None = None
    categories_per_supplier: int = 2
    candidates_per_category: int | None = None
    covered: float = 0.2

    @property
    def example(self) -> bool:
        return self == Shape()


#: Named shapes, at 1,000,000 purchases (scaled in proportion to the purchases asked for).
SHAPES_AT_1M = {
    "example": {},
    # issue 14: 50,000 parties, 6,000 partnerships, ~25% of packages up to Rp15 bn won by
    # non-UMKK, ~1,500 required partnerships each with over 1,000 local candidates.
    "hard": {"parties": 50_000, "partnerships": 6_000, "non_umkk_suppliers": 320, "non_umkk_rate": 0.25,
             "categories_per_supplier": 2, "candidates_per_category": 1_200},
}


def shape(name: str, purchases: int, **overrides) -> Shape:
    """The named shape scaled to ``purchases`` (counts in proportion, rates as they are), with overrides."""
    base = dict(SHAPES_AT_1M[name])
    f = purchases / 1_000_000
    for k in ("parties", "partnerships", "non_umkk_suppliers", "candidates_per_category"):
        if k in base:
            base[k] = max(1, round(base[k] * f))
    base.update({k: v for k, v in overrides.items() if v is not None})
    return Shape(**base)

#: category -> procurement type
TYPE_OF = {
    "seragam_sekolah": "barang", "seragam_guru": "barang", "material_pasir_batu": "barang",
    "makanan": "barang", "atk": "barang", "cetak": "barang", "alat_kesehatan": "barang",
    "laundry": "jasa_lainnya", "kebersihan": "jasa_lainnya",
    "konstruksi": "pekerjaan_konstruksi", "konsultansi_perencanaan": "jasa_konsultansi",
}

# (slug, name, kecamatan, number of PPK, categories bought, share of awards to UMKK)
# The UMKK share is each agency's habit: most are well above 40%, a few well below.
AGENCIES = (
    ("disdikbud", "Dinas Pendidikan dan Kebudayaan", "Sangatta Utara", 4,
     ("seragam_sekolah", "seragam_guru", "atk", "cetak", "makanan", "konstruksi"), 0.85),
    ("pupr", "Dinas Pekerjaan Umum dan Penataan Ruang", "Sangatta Utara", 4,
     ("konstruksi", "material_pasir_batu", "konsultansi_perencanaan", "atk"), 0.55),
    ("dinkes", "Dinas Kesehatan", "Sangatta Utara", 3, ("alat_kesehatan", "atk", "makanan", "kebersihan"), 0.7),
    ("rsud", "RSUD Kudungga", "Sangatta Utara", 3, ("makanan", "laundry", "kebersihan", "alat_kesehatan", "atk"), 0.75),
    ("bappeda", "Badan Perencanaan Pembangunan Daerah", "Sangatta Utara", 2, ("konsultansi_perencanaan", "atk", "cetak", "makanan"), 0.8),
    ("bpkad", "Badan Pengelolaan Keuangan dan Aset Daerah", "Sangatta Utara", 2, ("atk", "cetak", "makanan"), 0.9),
    ("diskopukm", "Dinas Koperasi dan UKM", "Sangatta Utara", 2, ("atk", "cetak", "makanan"), 0.95),
    ("dispar", "Dinas Pariwisata", "Sangatta Utara", 2, ("cetak", "makanan", "atk"), 0.8),
    ("perkim", "Dinas Perumahan dan Kawasan Permukiman", "Sangatta Utara", 3, ("konstruksi", "material_pasir_batu", "atk"), 0.45),
    ("dishub", "Dinas Perhubungan", "Sangatta Utara", 2, ("konstruksi", "atk", "kebersihan"), 0.2),
    ("dlh", "Dinas Lingkungan Hidup", "Sangatta Utara", 2, ("kebersihan", "atk", "konstruksi"), 0.25),
    ("dinsos", "Dinas Sosial", "Sangatta Utara", 2, ("makanan", "atk"), 0.9),
    ("distph", "Dinas Tanaman Pangan dan Hortikultura", "Sangatta Utara", 2, ("atk", "makanan", "konstruksi"), 0.7),
    ("disbun", "Dinas Perkebunan", "Sangatta Utara", 2, ("atk", "makanan"), 0.75),
    ("diskan", "Dinas Perikanan", "Sangatta Utara", 2, ("atk", "makanan"), 0.8),
    ("diskominfo", "Dinas Komunikasi, Informatika, Statistik dan Persandian", "Sangatta Utara", 2, ("atk", "cetak"), 0.2),
    ("disdukcapil", "Dinas Kependudukan dan Pencatatan Sipil", "Sangatta Utara", 1, ("atk", "cetak"), 0.85),
    ("dpmd", "Dinas Pemberdayaan Masyarakat dan Desa", "Sangatta Utara", 2, ("atk", "makanan", "cetak"), 0.85),
    ("satpolpp", "Satuan Polisi Pamong Praja", "Sangatta Utara", 1, ("atk", "makanan"), 0.6),
    ("bpbd", "Badan Penanggulangan Bencana Daerah", "Sangatta Utara", 2, ("makanan", "atk", "konstruksi"), 0.3),
    ("setda", "Sekretariat Daerah", "Sangatta Utara", 4, ("atk", "cetak", "makanan", "kebersihan"), 0.65),
    ("setwan", "Sekretariat DPRD", "Sangatta Utara", 2, ("atk", "cetak", "makanan"), 0.5),
    ("inspektorat", "Inspektorat Daerah", "Sangatta Utara", 1, ("atk", "cetak"), 0.9),
    ("bkpsdm", "Badan Kepegawaian dan Pengembangan SDM", "Sangatta Utara", 1, ("atk", "cetak", "makanan"), 0.85),
    ("disperindag", "Dinas Perindustrian dan Perdagangan", "Sangatta Utara", 2, ("atk", "makanan", "cetak"), 0.9),
)
#: Kecamatan offices also buy; Busang's office is kept out of the random rows so
#: its planted purchases give an exact 40% share.
EXACT_SHARE_OFFICE = "kec-busang"

# (slug, desa, kecamatan)
DESA = (
    ("swarga-bara", "Swarga Bara", "Sangatta Utara"),
    ("singa-gembara", "Singa Gembara", "Sangatta Utara"),
    ("teluk-lingga", "Teluk Lingga", "Sangatta Utara"),
    ("batu-timbau", "Batu Timbau", "Batu Ampar"),
    ("beno-harapan", "Beno Harapan", "Batu Ampar"),
    ("mugi-rahayu", "Mugi Rahayu", "Batu Ampar"),
    ("sangkima", "Sangkima", "Sangatta Selatan"),
    ("sepaso", "Sepaso", "Bengalon"),
)

# (slug, name, stars, kecamatan, share of food/laundry bought from local UMKK)
HOTELS = (
    ("bukit-pelangi", "Hotel Bukit Pelangi Indah", 3, "Sangatta Utara", "good"),
    ("teluk-lingga", "Hotel Teluk Lingga Asri", 2, "Sangatta Utara", "good"),
    ("grand-sangatta", "Grand Sangatta Hotel", 4, "Sangatta Utara", "poor"),
    ("royal-kudungga", "Royal Kudungga Hotel", 3, "Sangatta Selatan", "exact"),
    ("swarga-inn", "Swarga Inn", 1, "Sangatta Utara", "good"),
    ("mesra-bengalon", "Hotel Mesra Bengalon", 2, "Bengalon", "poor"),
    ("wahau-permai", "Hotel Wahau Permai", 1, "Muara Wahau", "good"),
    ("kenyamukan", "Hotel Kenyamukan Raya", 3, "Sangatta Selatan", "good"),
)
RESTAURANTS = (
    ("sari-laut", "Rumah Makan Sari Laut Sangatta", "Sangatta Utara", "good"),
    ("minang-raya", "RM Minang Raya", "Sangatta Utara", "poor"),
    ("pondok-ikan-bakar", "Pondok Ikan Bakar Teluk Lingga", "Sangatta Utara", "good"),
    ("dapur-acil", "Dapur Acil Bengalon", "Bengalon", "good"),
    ("bakso-manuntung", "Bakso Manuntung", "Sangatta Selatan", "good"),
    ("kedai-kapur", "Kedai Kopi Kapur", "Sangatta Utara", "poor"),
    ("soto-banjar", "Soto Banjar Kenyamukan", "Sangatta Selatan", "good"),
    ("ayam-geprek-pelangi", "Ayam Geprek Pelangi", "Sangatta Utara", "good"),
    ("lembah-wahau", "Resto Lembah Wahau", "Muara Wahau", "poor"),
    ("warung-sangkima", "Warung Makan Sangkima", "Sangatta Selatan", "good"),
)

# Large firms: (slug, name, kabupaten, kecamatan, capital, supplies)
LARGE = (
    ("batubara-perkasa", "PT Batubara Sangatta Perkasa", KABUPATEN, "Sangatta Utara", 850 * B, ()),
    ("bengalon-coal", "PT Bengalon Coal Nusantara", KABUPATEN, "Bengalon", 420 * B, ()),
    ("sawit-wahau", "PT Sawit Wahau Lestari", KABUPATEN, "Muara Wahau", 160 * B, ()),
    ("agro-kaubun", "PT Agro Kaubun Sentosa", KABUPATEN, "Kaubun", 95 * B, ()),
    ("karya-beton", "PT Karya Beton Kaltim", "Samarinda", "Samarinda Ulu", 64 * B, ("konstruksi", "material_pasir_batu")),
    ("mahakam-konstruksi", "PT Mahakam Konstruksi Utama", "Kutai Kartanegara", "Tenggarong", 120 * B, ("konstruksi",)),
    ("garmen-borneo", "PT Garmen Borneo Sejahtera", "Samarinda", "Samarinda Ilir", 18 * B, ("seragam_sekolah", "seragam_guru")),
    ("nusantara-catering", "PT Nusantara Catering Services", "Samarinda", "Sungai Kunjang", 26 * B, ("makanan",)),
    ("medika-kaltim", "PT Medika Kaltim Utama", "Samarinda", "Samarinda Ulu", 40 * B, ("alat_kesehatan", "atk")),
    ("sangatta-bangun", "PT Sangatta Bangun Persada", KABUPATEN, "Sangatta Utara", 22 * B, ("konstruksi", "kebersihan")),
)
# Medium firms (capital 5-10 bn or sales 15-50 bn): not UMKK.
MEDIUM = (
    ("cv-sangatta-jaya", "CV Sangatta Jaya Konstruksi", "cv", KABUPATEN, "Sangatta Utara", 7 * B, None, ("konstruksi", "material_pasir_batu")),
    ("pt-linen-kaltim", "PT Linen Bersih Kaltim", "pt", "Samarinda", "Samarinda Ulu", None, 32 * B, ("laundry", "kebersihan")),
    ("cv-pena-mandiri", "CV Pena Mandiri Samarinda", "cv", "Samarinda", "Samarinda Ulu", 6 * B, None, ("atk", "cetak")),
    ("pt-bengalon-teknik", "PT Bengalon Teknik Mandiri", "pt", KABUPATEN, "Bengalon", 9 * B, None, ("konstruksi",)),
    ("cv-boga-rasa", "CV Boga Rasa Kaltim", "cv", "Kutai Kartanegara", "Tenggarong", None, 21 * B, ("makanan",)),
    ("cv-resik", "CV Resik Prima", "cv", KABUPATEN, "Sangatta Selatan", 5_500 * M, None, ("kebersihan", "laundry")),
)
# Fronting: declared small, but capital or sales say otherwise (KMT-07).
FRONTING = (
    ("cv-kilau-emas", "CV Kilau Emas Sangatta", KABUPATEN, "Sangatta Utara", 7_500 * M, None, "kecil", ("konstruksi", "material_pasir_batu")),
    ("cv-tunas-bangsa", "CV Tunas Bangsa Konveksi", KABUPATEN, "Sangatta Selatan", None, 80 * B, "kecil", ("seragam_sekolah", "seragam_guru")),
    ("ud-harapan-makmur", "UD Harapan Makmur Bengalon", KABUPATEN, "Bengalon", 12 * B, None, "mikro", ("material_pasir_batu",)),
    ("cv-prima-boga", "CV Prima Boga Sangatta", KABUPATEN, "Sangatta Utara", None, 18 * B, "mikro", ("makanan",)),
)
# Koperasi: (slug, name, kecamatan, capital or None, supplies)
KOPERASI = (
    ("kop-guru-sangatta", "Koperasi Guru Sangatta", "Sangatta Utara", 1_200 * M, ("seragam_guru", "seragam_sekolah", "atk")),
    ("kop-wanita-teluk-lingga", "Koperasi Wanita Teluk Lingga", "Sangatta Utara", 450 * M, ("makanan", "seragam_sekolah")),
    ("ksu-batu-ampar", "KSU Tani Makmur Batu Ampar", "Batu Ampar", 800 * M, ("material_pasir_batu", "makanan")),
    ("kud-kaubun", "KUD Sawit Kaubun", "Kaubun", 12 * B, ("material_pasir_batu", "makanan")),
    ("kop-bengalon-sejahtera", "Koperasi Bengalon Sejahtera", "Bengalon", 2_100 * M, ("material_pasir_batu", "konstruksi")),
    ("kop-laundry-sangatta", "Koperasi Jasa Bersih Sangatta", "Sangatta Selatan", 300 * M, ("laundry", "kebersihan")),
    ("kop-nelayan-sangkulirang", "Koperasi Nelayan Sangkulirang", "Sangkulirang", 600 * M, ("makanan",)),
    ("kop-wahau", "Koperasi Produsen Wahau Mandiri", "Muara Wahau", None, ("makanan", "material_pasir_batu")),
    ("kop-rantau-pulung", "Koperasi Karya Rantau Pulung", "Rantau Pulung", 700 * M, ("konstruksi", "material_pasir_batu")),
    ("kop-penjahit-sangatta", "Koperasi Penjahit Sangatta Selatan", "Sangatta Selatan", 350 * M, ("seragam_sekolah", "seragam_guru")),
    ("kop-kongbeng", "Koperasi Serba Usaha Kongbeng", "Kongbeng", 500 * M, ("atk", "makanan")),
    ("kop-teluk-pandan", "Koperasi Pesisir Teluk Pandan", "Teluk Pandan", 250 * M, ("makanan", "kebersihan")),
)

#: Name patterns for UMKM, by what they supply (hand-written after the style of the Kutim register).
UMKM_NAMES = {
    "makanan": ("Warung Makan {w}", "Dapur {p}", "Catering {w}", "Kue Basah {p}", "Nasi Kuning {p}", "Ikan Segar {w}", "Sayur Masak {p}"),
    "laundry": ("Laundry {w}", "{w} Laundry Kiloan"),
    "seragam_sekolah": ("Penjahit {p}", "{w} Tailor", "Konveksi {w}"),
    "seragam_guru": ("Penjahit {p}", "Konveksi {w}", "{w} Collection"),
    "atk": ("Toko ATK {w}", "Alat Tulis {w}", "Kios {w}"),
    "cetak": ("Percetakan {w}", "Fotokopi & Cetak {w}"),
    "material_pasir_batu": ("UD Pasir Batu {w}", "UD Material {w}", "CV Galian {w}"),
    "konstruksi": ("CV {w} Konstruksi", "CV Karya {w}", "CV Bangun {w}"),
    "kebersihan": ("Jasa Kebersihan {w}", "{w} Cleaning Service"),
}
WORDS = (
    "Berkah", "Rejeki", "Sumber Rejeki", "Manuntung", "Harapan", "Bersama", "Maju", "Makmur", "Sejahtera",
    "Lestari", "Mandiri", "Kudungga", "Pelangi", "Mahakam", "Kenyamukan", "Tuah Himba", "Sinar", "Cahaya",
    "Barokah", "Amanah", "Mulia", "Teluk", "Tepian", "Kaltim", "Borneo", "Sangatta", "Jaya Abadi", "Bina Karya",
)
PERSONS = ("Acil Itah", "Ummu Naila", "Bu Yati", "Mama Qisya", "Pak Rahman", "Bu Sari", "Acil Ida", "Mbak Wati", "Bu Ros", "Pak Udin", "Bu Lina", "Mama Gigha")


def _party(**kw) -> dict:
    return {c: kw.get(c) for c in PARTY_COLUMNS}


def scale_of(p: dict) -> str | None:
    """The scale KMT-06 computes: from capital, else annual sales, else the declared scale."""
    cap, sales = p.get("capital_idr"), p.get("annual_sales_idr")
    if cap is not None:
        return "mikro" if cap <= 1 * B else "kecil" if cap <= 5 * B else "menengah" if cap <= 10 * B else "besar"
    if sales is not None:
        return "mikro" if sales <= 2 * B else "kecil" if sales <= 15 * B else "menengah" if sales <= 50 * B else "besar"
    return p.get("scale")


def is_umkk(p: dict) -> bool | None:
    if p.get("legal_form") == "koperasi":
        return True
    s = scale_of(p)
    return None if s is None else s in ("mikro", "kecil")


def is_local(p: dict) -> bool:
    return p.get("kabupaten") == KABUPATEN


class World:
    """Every party, built first (a few hundred rows), and the lookups purchases need."""

    def __init__(self, rng: random.Random, shape: Shape | None = None):
        self.rng = rng
        self.shape = shape or Shape()
        self.firms: list[dict] = []  # generated non-UMKK suppliers (Shape.non_umkk_suppliers)
        self.parties: list[dict] = []
        self.by_id: dict[str, dict] = {}
        self.agencies: list[tuple[str, tuple[str, ...], float]] = []  # (id, categories, umkk share)
        self.ppk: dict[str, list[str]] = {}
        self._pools: dict[tuple, list[dict]] = {}
        self._build()

    def add(self, p: dict) -> dict:
        self.parties.append(p)
        self.by_id[p["id"]] = p
        return p

    def _build(self) -> None:
        rng = self.rng
        for slug, name, kec, n_ppk, cats, share in AGENCIES:
            pid = f"pd-{slug}"
            self.add(_party(id=pid, name=name, kind="perangkat_daerah", kecamatan=kec, kabupaten=KABUPATEN))
            self.agencies.append((pid, cats, share))
            self.ppk[pid] = [f"ppk-{slug}-{i}" for i in range(1, n_ppk + 1)]
        for kec in KECAMATAN:
            slug = kec.lower().replace(" ", "-")
            pid = f"kec-{slug}"
            self.add(_party(id=pid, name=f"Kecamatan {kec}", kind="perangkat_daerah", kecamatan=kec, kabupaten=KABUPATEN))
            if pid != EXACT_SHARE_OFFICE:
                self.agencies.append((pid, ("atk", "makanan", "cetak", "kebersihan", "material_pasir_batu"), 0.7))
            self.ppk[pid] = [f"ppk-kec-{slug}-1"]
        for slug, desa, kec in DESA:
            self.add(_party(id=f"desa-{slug}", name=f"Pemerintah Desa {desa}", kind="desa", kecamatan=kec, desa=desa, kabupaten=KABUPATEN))
        for slug, name, stars, kec, _ in HOTELS:
            self.add(_party(id=f"hotel-{slug}", name=name, kind="hotel", legal_form="pt", capital_idr=rng.randrange(6, 40) * B,
                            kecamatan=kec, kabupaten=KABUPATEN, star_rating=stars))
        for slug, name, kec, _ in RESTAURANTS:
            self.add(_party(id=f"resto-{slug}", name=name, kind="restaurant", legal_form=rng.choice(("cv", "ud", "perorangan")),
                            capital_idr=rng.randrange(200, 3_000) * M, kecamatan=kec, kabupaten=KABUPATEN))
        for slug, name, kab, kec, cap, sup in LARGE:
            self.add(_party(id=f"pt-{slug}", name=name, kind="company", legal_form="pt", capital_idr=cap, scale="besar",
                            kecamatan=kec, kabupaten=kab, supplies=sup))
        for slug, name, form, kab, kec, cap, sales, sup in MEDIUM:
            self.add(_party(id=slug, name=name, kind="company", legal_form=form, capital_idr=cap, annual_sales_idr=sales,
                            scale="menengah", kecamatan=kec, kabupaten=kab, supplies=sup))
        for slug, name, kab, kec, cap, sales, declared, sup in FRONTING:
            self.add(_party(id=slug, name=name, kind="umkm", legal_form=slug.split("-")[0], capital_idr=cap, annual_sales_idr=sales,
                            scale=declared, kecamatan=kec, kabupaten=kab, supplies=sup))
        for slug, name, kec, cap, sup in KOPERASI:
            self.add(_party(id=slug, name=name, kind="koperasi", legal_form="koperasi", capital_idr=cap,
                            kecamatan=kec, kabupaten=KABUPATEN, supplies=sup))
        self._umkm()
        # Nothing is known about this one's size: clauses that need it cannot decide.
        self.add(_party(id="umkm-tanpa-data", name="CV Serba Ada Sangatta", kind="umkm", legal_form="cv",
                        kecamatan="Sangatta Utara", kabupaten=KABUPATEN, supplies=("atk", "makanan")))
        if not self.shape.example:
            self._generated(random.Random(self.rng.getrandbits(64)))
        self.suppliers = [p for p in self.parties if p["supplies"] and p["id"] != "umkm-tanpa-data"]

    def _umkm(self) -> None:
        rng = self.rng
        n = 0
        # Two UMKM in every listed desa (so desa can buy from their own village),
        # then UMKM across all 18 kecamatan, weighted toward Sangatta.
        homes: list[tuple[str, str | None, str]] = []
        for _slug, desa, kec in DESA:
            homes += [(kec, desa, KABUPATEN)] * 2
        weights = [6 if k.startswith("Sangatta") else 2 if k in ("Bengalon", "Muara Wahau", "Sangkulirang", "Kaliorang") else 1 for k in KECAMATAN]
        for _ in range(118):
            homes.append((rng.choices(KECAMATAN, weights)[0], None, KABUPATEN))
        homes += [("Tenggarong", None, "Kutai Kartanegara")] * 7 + [("Samarinda Ulu", None, "Samarinda")] * 7
        desa_by_kec = {kec: [d for _s, d, k in DESA if k == kec] for kec in KECAMATAN}
        cats = list(UMKM_NAMES)
        for kec, desa, kab in homes:
            n += 1
            if desa is None and desa_by_kec.get(kec) and rng.random() < 0.5:
                desa = rng.choice(desa_by_kec[kec])
            first = "makanan" if desa and n % 2 else "atk" if desa else rng.choice(cats)
            supplies = [first]
            if rng.random() < 0.3:
                extra_cat = rng.choice(cats)
                if extra_cat != first:
                    supplies.append(extra_cat)
            pattern = rng.choice(UMKM_NAMES[first])
            name = pattern.format(w=rng.choice(WORDS), p=rng.choice(PERSONS))
            if desa and n % 4 == 0 and first == "atk":
                supplies.append("material_pasir_batu")
            form = "cv" if name.startswith("CV") else "ud" if name.startswith("UD") else rng.choice(("perorangan", "perorangan", "ud", "cv"))
            r = rng.random()
            cap = sales = None
            declared = None
            if r < 0.55:
                cap = rng.randrange(50, 1_000) * M
                declared = "mikro"
            elif r < 0.83:
                cap = rng.randrange(1_001, 5_000) * M
                declared = "kecil"
            elif r < 0.94:
                sales = rng.randrange(300, 14_000) * M  # only sales reported: scale from sales
            else:
                declared = rng.choice(("mikro", "kecil"))  # only the declared scale is known
            self.add(_party(id=f"umkm-{n:03d}", name=name, kind="umkm", legal_form=form, capital_idr=cap,
                            annual_sales_idr=sales, scale=declared, kecamatan=kec, desa=desa, kabupaten=kab,
                            supplies=tuple(supplies)))

    def _generated(self, rng: random.Random) -> None:
        """The knobs' parties (Shape): non-UMKK firms, then UMKM up to ``parties``, local ones first."""
        sh = self.shape
        cats = sorted(TYPE_OF)
        k = max(1, min(sh.categories_per_supplier, len(cats)))
        for i in range(1, sh.non_umkk_suppliers + 1):
            local = rng.random() < 0.5
            kab, kec = (KABUPATEN, rng.choice(KECAMATAN)) if local else rng.choice((("Samarinda", "Samarinda Ulu"), ("Kutai Kartanegara", "Tenggarong")))
            firm = self.add(_party(id=f"gen-pt-{i:05d}", name=f"PT {rng.choice(WORDS)} {rng.choice(WORDS)} {i}", kind="company",
                                   legal_form="pt", capital_idr=rng.randrange(11, 300) * B, scale="besar", kecamatan=kec,
                                   kabupaten=kab, supplies=tuple(sorted(rng.sample(cats, k)))))
            self.firms.append(firm)
        rest = max(0, (sh.parties or 0) - len(self.parties) - 1)  # - 1: the rejected party row
        local_n = rest if sh.candidates_per_category is None else min(rest, -(-sh.candidates_per_category * len(cats) // k))
        weights = [6 if kk.startswith("Sangatta") else 1 for kk in KECAMATAN]
        for i in range(1, rest + 1):
            if i <= local_n:
                kab, kec = KABUPATEN, rng.choices(KECAMATAN, weights)[0]
            else:
                kab, kec = rng.choice((("Samarinda", "Samarinda Ulu"), ("Kutai Kartanegara", "Tenggarong"), ("Bontang", "Bontang Utara")))
            supplies = tuple(sorted(rng.sample(cats, k)))
            first = next((c for c in supplies if c in UMKM_NAMES), "atk")
            name = rng.choice(UMKM_NAMES[first]).format(w=rng.choice(WORDS), p=rng.choice(PERSONS))
            cap = rng.randrange(50, 4_900) * M
            self.add(_party(id=f"gen-umkm-{i:06d}", name=f"{name} {i}", kind="umkm", legal_form=rng.choice(("ud", "cv", "perorangan")),
                            capital_idr=cap, scale="mikro" if cap <= B else "kecil", kecamatan=kec, kabupaten=kab,
                            supplies=supplies))

    def pick(self, category: str, umkk: bool, local: bool | None = None) -> dict:
        """A supplier of ``category`` whose UMKK status (and, if given, locality) matches."""
        key = (category, umkk, local)
        pool = self._pools.get(key)
        if pool is None:
            pool = [p for p in self.suppliers if category in p["supplies"] and is_umkk(p) is umkk and (local is None or is_local(p) is local)]
            if not pool:  # nobody supplies this category with that profile: any supplier with the profile
                pool = [p for p in self.suppliers if is_umkk(p) is umkk and (local is None or is_local(p) is local)]
            self._pools[key] = pool
        return self.rng.choice(pool)


class Writer:
    """Formats canonical rows; a few cells are written the way people type them, as the loader must accept."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def money(self, v: int | None, human: bool = True) -> str:
        if v is None:
            return ""
        r = self.rng.random() if human else 1.0
        if r < 0.01:
            return f"{v:,}".replace(",", ".")          # 1.500.000
        if r < 0.015:
            return "Rp " + f"{v:,}".replace(",", ".")  # Rp 1.500.000
        if r < 0.018:
            return f"{v},00"                            # 1500000,00
        return str(v)

    def date(self, d: dt.date | None) -> str:
        if d is None:
            return ""
        return d.strftime("%d/%m/%Y") if self.rng.random() < 0.01 else d.isoformat()


def _value(rng: random.Random) -> int:
    """A package value: many small purchases, few large ones (rounded to Rp1,000)."""
    r = rng.random()
    lo, hi = (1 * M, 50 * M) if r < 0.42 else (50 * M, 200 * M) if r < 0.72 else (200 * M, 2 * B) if r < 0.92 else (2 * B, 10 * B) if r < 0.99 else (10 * B, 14_900 * M)
    return rng.randrange(lo // 1000, hi // 1000) * 1000


def _method(value: int, rng: random.Random) -> str:
    if value <= 200 * M:
        return rng.choice(("pengadaan_langsung", "e_purchasing", "e_purchasing"))
    return rng.choice(("tender", "e_purchasing")) if value <= 15 * B else "tender"


def _date(rng: random.Random, year: int, stage: str) -> dt.date:
    # Plans are announced early in the year, awards mid-year, contracts after.
    lo, hi = {"plan": (0, 90), "award": (60, 300), "contract": (90, 364)}[stage]
    return dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(lo, hi))


EXEMPT_TECH = "Kompetensi teknis tidak dapat dipenuhi usaha kecil (Perpres 16/2018 Ps. 65 ayat 4)"
EXEMPT_PAGU = "Pagu di atas Rp15 miliar"
EXEMPT_DESA = "Tidak ada penyedia di desa untuk barang ini"


def purchases(world: World, rng: random.Random, out: Writer, total: int) -> Iterator[list[str]]:
    """All purchase rows in order: random agency rows, hotels/restaurants, desa, planted cases, bad rows."""
    hospitality_k = max(4, round(total * 0.08 / ((len(HOTELS) + len(RESTAURANTS)) * len(YEARS))))
    desa_k = max(4, round(total * 0.04 / (len(DESA) * len(YEARS))))
    fixed = sum(1 for _ in _planted(world, rng=random.Random(0))) + len(_BAD_PURCHASES)
    # One hotel-year is planted instead of generated (the exact 20% case).
    hospitality = hospitality_k * ((len(HOTELS) + len(RESTAURANTS)) * len(YEARS) - 1)
    bulk = max(0, total - fixed - hospitality - desa_k * len(DESA) * len(YEARS))
    yield from _agency_rows(world, rng, out, bulk)
    yield from _hospitality_rows(world, rng, out, hospitality_k)
    yield from _desa_rows(world, rng, out, desa_k)
    yield from _planted(world, rng)
    yield from _BAD_PURCHASES


def _row(**kw) -> list[str]:
    return [kw.get(c) or "" for c in PURCHASE_COLUMNS]


def _agency_rows(world: World, rng: random.Random, out: Writer, n: int) -> Iterator[list[str]]:
    weights = [4 if pid in ("pd-disdikbud", "pd-pupr", "pd-rsud", "pd-setda") else 2 if pid.startswith("pd-") else 1 for pid, _c, _s in world.agencies]
    # Cumulative weights once (choices() would add them up on every call; same draws either way).
    agency_cum = list(itertools.accumulate(weights))
    stage_cum = list(itertools.accumulate((45, 30, 25)))
    seq = {y: 0 for y in YEARS}
    for _ in range(n):
        buyer, cats, share = rng.choices(world.agencies, cum_weights=agency_cum)[0]
        if world.shape.non_umkk_rate is not None:
            share = 1 - world.shape.non_umkk_rate
        year = rng.choice(YEARS)
        stage = rng.choices(("plan", "award", "contract"), cum_weights=stage_cum)[0]
        seq[year] += 1
        category = rng.choice(cats)
        value = _value(rng)
        kind = TYPE_OF[category]
        reserved = exemption = supplier = umk = None
        if stage == "plan":
            r = rng.random()
            reserved = "true" if r < 0.92 else "false"
            if reserved == "false" and r < 0.96:
                exemption = EXEMPT_TECH
        else:
            umkk = rng.random() < share
            # Uniform and material purchases follow the local-preference habits of KMT-11/12.
            local = None
            if category in ("seragam_sekolah", "seragam_guru", "material_pasir_batu") and umkk:
                local = rng.random() < (0.85 if buyer in ("pd-disdikbud", "pd-pupr") else 0.5)
            s = world.pick(category, umkk, local)
            supplier = s["id"]
            if not umkk and kind != "jasa_konsultansi" and rng.random() < 0.3:
                exemption = EXEMPT_TECH
            if rng.random() < 0.4:
                umk = value if umkk else rng.randrange(0, 4) * value // 10
        prefix = {"plan": "rup", "award": "awd", "contract": "ktr"}[stage]
        yield _row(
            id=f"{prefix}-{year}-{seq[year]:06d}", stage=stage, buyer_id=buyer,
            ppk_id="" if rng.random() < 0.01 else rng.choice(world.ppk[buyer]),
            supplier_id=supplier, category=category, procurement_type=kind, method=_method(value, rng),
            value_idr=out.money(value), umk_value_idr=out.money(umk, human=False) if umk is not None else "",
            reserved_for_umkk=reserved, exemption_reason=exemption, date=out.date(_date(rng, year, stage)), currency="IDR",
        )


def _split_local(rng: random.Random, values: list[int], profile: str) -> list[bool]:
    """Which purchases go to local UMKK: the larger half ('good'), none but the smallest ('poor')."""
    order = sorted(range(len(values)), key=lambda i: (-values[i], i))
    local = [False] * len(values)
    if profile == "good":
        for i in order[: (len(values) + 1) // 2]:
            local[i] = True
    elif profile == "poor":
        local[order[-1]] = rng.random() < 0.5
    return local


def _hospitality_rows(world: World, rng: random.Random, out: Writer, k: int) -> Iterator[list[str]]:
    buyers = [(f"hotel-{h[0]}", h[4], ("makanan", "laundry")) for h in HOTELS] + [(f"resto-{r[0]}", r[3], ("makanan",)) for r in RESTAURANTS]
    n = 0
    for buyer, profile, cats in buyers:
        for year in YEARS:
            if profile == "exact" and year == 2027:
                continue  # planted: exactly 20% (see _planted)
            values = [rng.randrange(1_000, 60_000) * 1000 for _ in range(k)]
            for v, local in zip(values, _split_local(rng, values, "good" if profile == "exact" else profile)):
                n += 1
                cat = cats[n % len(cats)]
                s = world.pick(cat, True, True) if local else world.pick(cat, rng.random() < 0.4, False)
                yield _row(id=f"bel-{year}-{n:06d}", stage="contract", buyer_id=buyer, supplier_id=s["id"], category=cat,
                           procurement_type=TYPE_OF[cat], method="pembelian_langsung", value_idr=out.money(v),
                           date=out.date(_date(rng, year, "contract")), currency="IDR")


def _desa_rows(world: World, rng: random.Random, out: Writer, k: int) -> Iterator[list[str]]:
    n = 0
    for slug, desa, kec in DESA:
        buyer = f"desa-{slug}"
        same = [p for p in world.suppliers if p.get("desa") == desa]
        elsewhere = [p for p in world.suppliers if p.get("desa") != desa and is_umkk(p)]
        for year in YEARS:
            for i in range(k):
                n += 1
                r = rng.random()
                # Same village mostly; otherwise with a reason, or (a violation) without one.
                s, exemption = (rng.choice(same), None) if r < 0.6 else (rng.choice(elsewhere), EXEMPT_DESA if r < 0.85 else None)
                cat = s["supplies"][0]
                v = rng.randrange(2_000, 150_000) * 1000
                yield _row(id=f"des-{year}-{n:05d}", stage="contract", buyer_id=buyer, supplier_id=s["id"], category=cat,
                           procurement_type=TYPE_OF[cat], method="pengadaan_langsung", value_idr=out.money(v),
                           exemption_reason=exemption, date=out.date(_date(rng, year, "contract")), currency="IDR")


def _planted(world: World, rng: random.Random) -> Iterator[list[str]]:
    """Hand-placed purchases: each makes one clause outcome certain (examples/README.md lists them)."""
    def row(pid, stage, buyer, supplier, category, value, year, month, note, *, ppk=None, reserved=None, exemption=None, umk=None, kind=None):
        yield _row(id=pid, stage=stage, buyer_id=buyer, ppk_id=ppk or (world.ppk[buyer][0] if buyer in world.ppk else None),
                   supplier_id=supplier, category=category, procurement_type=kind or (TYPE_OF.get(category) if category else None),
                   method=_method(value, rng) if value else "tender", value_idr=str(value) if value is not None else "",
                   umk_value_idr=str(umk) if umk is not None else "", reserved_for_umkk=reserved, exemption_reason=exemption,
                   date=dt.date(year, month, 15).isoformat(), currency="IDR", keterangan=note)

    # KMT-01/02: Kecamatan Busang, 2026: UMKK 40 of 100 million at award stage, and 40% reserved in the plan.
    b = EXACT_SHARE_OFFICE
    yield from row("kmt01-busang-2026-awd-1", "award", b, "kop-kongbeng", "atk", 25 * M, 2026, 4, "KMT-01/02 exactly 40%: UMKK koperasi")
    yield from row("kmt01-busang-2026-awd-2", "award", b, "umkm-001", "makanan", 15 * M, 2026, 5, "KMT-01/02 exactly 40%: UMKK")
    yield from row("kmt01-busang-2026-awd-3", "award", b, "cv-pena-mandiri", "cetak", 60 * M, 2026, 6, "KMT-01/02 exactly 40%: menengah supplier, exempted",
                   exemption=EXEMPT_TECH)
    yield from row("kmt01-busang-2026-rup-1", "plan", b, None, "atk", 40 * M, 2026, 1, "KMT-01 plan: reserved", reserved="true")
    yield from row("kmt01-busang-2026-rup-2", "plan", b, None, "cetak", 60 * M, 2026, 1, "KMT-03 plan: not reserved, exempted", reserved="false", exemption=EXEMPT_TECH)
    yield from row("kmt03-busang-2025-rup-1", "plan", b, None, "makanan", 80 * M, 2025, 2, "KMT-03 plan: not reserved, no reason (violation)", reserved="false")

    # KMT-05: packages above Rp15 bn won by non-UMKK firms; partnerships.csv ties some to UMKK.
    big = (
        ("kmt05-jalan-bengalon-2025", "award", "pd-pupr", "pt-mahakam-konstruksi", "konstruksi", 48_500 * M, 2025, "subcontract to UMKK"),
        ("kmt05-jalan-bengalon-2025-ktr", "contract", "pd-pupr", "pt-mahakam-konstruksi", "konstruksi", 47_900 * M, 2025, "subcontract to UMKK"),
        ("kmt05-jembatan-sangkulirang-2026", "award", "pd-pupr", "pt-karya-beton", "konstruksi", 32_000 * M, 2026, "subcontract to koperasi"),
        ("kmt05-gedung-rsud-2026", "award", "pd-rsud", "pt-sangatta-bangun", "konstruksi", 21_750 * M, 2026, "no partnership (violation)"),
        ("kmt05-alkes-rsud-2026", "contract", "pd-rsud", "pt-medika-kaltim", "alat_kesehatan", 16_200 * M, 2026, "no partnership (violation)"),
        ("kmt05-sekolah-terpadu-2026", "award", "pd-disdikbud", "pt-mahakam-konstruksi", "konstruksi", 18_300 * M, 2026, "partner is medium, not UMKK (violation)"),
        ("kmt05-rusunawa-2025", "award", "pd-perkim", "pt-karya-beton", "konstruksi", 26_400 * M, 2025, "subcontract to UMKK"),
        ("kmt05-drainase-2026", "award", "pd-perkim", "cv-kilau-emas", "konstruksi", 15_600 * M, 2026, "fronting winner, no partnership (violation)"),
        ("kmt05-terminal-2026", "award", "pd-dishub", "pt-sangatta-bangun", "konstruksi", 19_900 * M, 2026, "partnership exists but not written"),
        ("kmt05-pasar-induk-2026", "award", "pd-disperindag", "kud-kaubun", "konstruksi", 17_250 * M, 2026, "won by a koperasi: KMT-05 not applicable"),
        ("kmt05-konsultan-2026", "award", "pd-bappeda", "pt-mahakam-konstruksi", "konsultansi_perencanaan", 16_000 * M, 2026, "jasa konsultansi: not applicable"),
    )
    for pid, stage, buyer, sup, cat, v, y, note in big:
        yield from row(pid, stage, buyer, sup, cat, v, y, 7, f"KMT-05: {note}", exemption=EXEMPT_PAGU if stage == "plan" else None)
    yield from row("kmt05-jalan-bengalon-2025-rup", "plan", "pd-pupr", None, "konstruksi", 50 * B, 2025, 1, "plan above Rp15 bn: not reserved",
                   reserved="false", exemption=EXEMPT_PAGU)

    # KMT-03: reserved-size packages won by non-UMKK, with and without the technical exemption.
    yield from row("kmt03-dlh-2026-awd", "award", "pd-dlh", "cv-resik", "kebersihan", 850 * M, 2026, 3, "KMT-03 non-UMKK without exemption (violation)")
    yield from row("kmt03-dishub-2026-awd", "award", "pd-dishub", "pt-sangatta-bangun", "konstruksi", 4_200 * M, 2026, 8, "KMT-03 non-UMKK with exemption",
                   exemption=EXEMPT_TECH)
    yield from row("kmt03-setda-2026-ktr", "contract", "pd-setda", "umkm-tanpa-data", "atk", 95 * M, 2026, 9, "KMT-03/06 supplier size unknown (cannot determine)")
    yield from row("kmt07-kilau-emas-2026-awd", "award", "pd-pupr", "cv-kilau-emas", "material_pasir_batu", 1_900 * M, 2026, 5, "KMT-07 fronting supplier wins reserved package")

    # KMT-11 (from obligations_from, 2027): PUPR buys sand and stone locally, Perkim does not.
    yield from row("kmt11-pupr-2027-ktr", "contract", "pd-pupr", "kop-bengalon-sejahtera", "material_pasir_batu", 3_400 * M, 2027, 6, "KMT-11 local koperasi material")
    yield from row("kmt11-perkim-2027-ktr", "contract", "pd-perkim", "pt-karya-beton", "material_pasir_batu", 2_600 * M, 2027, 6, "KMT-11 non-local large firm material")
    yield from row("kmt11-perkim-2026-before", "contract", "pd-perkim", "pt-karya-beton", "material_pasir_batu", 2_100 * M, 2026, 6, "KMT-11 before obligations_from (2027): not judged")

    # KMT-12 (from obligations_from, 2027): uniforms. Award stage goes partly to a large firm; contracts to local UMKK.
    yield from row("kmt12-seragam-2027-awd", "award", "pd-disdikbud", "pt-garmen-borneo", "seragam_sekolah", 12_000 * M, 2027, 4, "KMT-12 uniforms to a large firm (violation)")
    yield from row("kmt12-seragam-guru-2027-awd", "award", "pd-disdikbud", "kop-guru-sangatta", "seragam_guru", 1_100 * M, 2027, 4, "KMT-12 teacher uniforms to local koperasi")
    yield from row("kmt12-seragam-2027-ktr", "contract", "pd-disdikbud", "kop-penjahit-sangatta", "seragam_sekolah", 4_800 * M, 2027, 6, "KMT-12 uniforms to local koperasi")
    yield from row("kmt12-seragam-luar-2027-ktr", "contract", "pd-disdikbud", "cv-tunas-bangsa", "seragam_sekolah", 700 * M, 2027, 7, "KMT-12 fronting konveksi (not UMKK)")

    # KMT-15: a hotel buying exactly 20% of its food and laundry from local UMKK in 2027.
    yield from row("kmt15-royal-2027-1", "contract", "hotel-royal-kudungga", "kop-wanita-teluk-lingga", "makanan", 20 * M, 2027, 3, "KMT-15 exactly 20% local UMKK")
    yield from row("kmt15-royal-2027-2", "contract", "hotel-royal-kudungga", "pt-nusantara-catering", "makanan", 50 * M, 2027, 4, "KMT-15 exactly 20%: non-local")
    yield from row("kmt15-royal-2027-3", "contract", "hotel-royal-kudungga", "pt-linen-kaltim", "laundry", 30 * M, 2027, 5, "KMT-15 exactly 20%: non-local")

    # Missing data: no value; no procurement type; no date.
    yield from row("missing-value-2026", "award", "pd-bappeda", "umkm-002", "atk", None, 2026, 2, "value unknown (cannot determine)")
    yield from row("missing-type-2026", "award", "pd-setwan", "umkm-003", None, 75 * M, 2026, 2, "category and type unknown")


#: Rows the loader must reject (table purchases): unknown code, negative value,
#: repeated id, dangling supplier, impossible date, supplier that was itself rejected.
_BAD_PURCHASES = (
    _row(id="bad-unknown-type", stage="award", buyer_id="pd-dlh", supplier_id="kop-laundry-sangatta", category="kebersihan",
         procurement_type="jasa_kebersihan", value_idr="12500000", date="2026-03-01", keterangan="rejected: unknown procurement_type"),
    _row(id="bad-negative-value", stage="contract", buyer_id="pd-dinsos", supplier_id="umkm-004", category="makanan",
         procurement_type="barang", value_idr="-25000000", date="2026-03-02", keterangan="rejected: negative value"),
    _row(id="kmt01-busang-2026-awd-1", stage="award", buyer_id="kec-busang", supplier_id="umkm-005", category="atk",
         procurement_type="barang", value_idr="9000000", date="2026-03-03", keterangan="rejected: repeats an id"),
    _row(id="bad-dangling-supplier", stage="award", buyer_id="pd-setda", supplier_id="umkm-999", category="atk",
         procurement_type="barang", value_idr="4500000", date="2026-03-04", keterangan="rejected: supplier does not exist"),
    _row(id="bad-date", stage="contract", buyer_id="pd-bpkad", supplier_id="umkm-006", category="cetak",
         procurement_type="barang", value_idr="7800000", date="31/02/2026", keterangan="rejected: no 31 February"),
    _row(id="bad-rejected-supplier", stage="award", buyer_id="pd-dispar", supplier_id="umkm-sedang", category="cetak",
         procurement_type="barang", value_idr="6400000", date="2026-03-05", keterangan="rejected: supplier row was rejected"),
)

#: A party row the loader rejects: 'sedang' is not a scale code.
_BAD_PARTY = _party(id="umkm-sedang", name="UD Sedang Berkembang", kind="umkm", legal_form="ud", scale="sedang",
                    kecamatan="Kaliorang", kabupaten=KABUPATEN, supplies=("cetak",))


def partnerships(world: World, rng: random.Random) -> Iterator[list[str]]:
    """Kemitraan rows: hotels and restaurants (KMT-15), package subcontracts (KMT-05), companies (KMT-16)."""
    n = 0

    def row(party, partner, pattern, cats, start, end, written, reported, purchase=None, note="", reported_date=""):
        nonlocal n
        n += 1
        return [f"kmt-{n:03d}", party, partner, pattern, ";".join(cats), start, end, written, reported, purchase or "",
                reported_date, note]

    food = [p["id"] for p in world.suppliers if "makanan" in p["supplies"] and is_umkk(p) and is_local(p)]
    wash = [p["id"] for p in world.suppliers if "laundry" in p["supplies"] and is_umkk(p) and is_local(p)]
    for slug, _name, _stars, _kec, _profile in HOTELS:
        hotel = f"hotel-{slug}"
        if slug == "grand-sangatta":
            continue  # no partnership at all (KMT-15 violation, candidates required)
        if slug == "mesra-bengalon":
            yield row(hotel, "cv-boga-rasa", "rantai_pasok", ("makanan",), "2025-01-01", "2027-12-31", "true", "true",
                      note="KMT-15 partner is not local UMKK (violation)")
            continue
        if slug == "teluk-lingga":
            yield row(hotel, rng.choice(food), "perdagangan_umum", ("makanan",), "2024-07-01", "2025-06-30", "true", "true",
                      note="KMT-15 expired mid-2025: none active in 2026")
            continue
        dated = "" if slug == "bukit-pelangi" else "2027-03-15"
        yield row(hotel, rng.choice(food), "rantai_pasok", ("makanan",), "2025-01-01", "", "true", "true",
                  note="KMT-15 food; KMT-16.T " + ("reported, date unknown (cannot determine)" if not dated else "reported in the transition"),
                  reported_date=dated)
        if slug == "swarga-inn":
            continue  # food but no laundry partnership (hotel violation for laundry)
        reported = "false" if slug == "wahau-permai" else "true"
        yield row(hotel, rng.choice(wash), "penyumberluaran", ("laundry",), "2025-03-01", "2027-02-28", "true", reported,
                  note="KMT-15 laundry" + ("; KMT-16.T not reported to Dinas" if reported == "false" else ""),
                  reported_date="2025-04-15" if reported == "true" else "")
    for slug, _name, _kec, profile in RESTAURANTS:
        resto = f"resto-{slug}"
        if slug in ("minang-raya", "lembah-wahau"):
            continue  # none (violation)
        if slug == "kedai-kapur":
            yield row(resto, rng.choice(food), "perdagangan_umum", ("makanan",), "2025-01-01", "", "false", "false",
                      note="KMT-15/16 not written (violation)")
            continue
        pattern = "" if slug == "bakso-manuntung" else rng.choice(("rantai_pasok", "perdagangan_umum"))
        yield row(resto, rng.choice(food), pattern, ("makanan",), "2025-01-01", "2027-12-31", "true", "true",
                  note="no pattern given (not a requirement)" if not pattern else "KMT-15 food")
    # KMT-05: subcontracts tied to packages above Rp15 bn.
    yield row("pt-mahakam-konstruksi", "kop-bengalon-sejahtera", "subkontrak", ("konstruksi",), "2025-07-20", "2026-06-30", "true", "true",
              purchase="kmt05-jalan-bengalon-2025", note="KMT-05 subcontract to koperasi")
    yield row("pt-mahakam-konstruksi", "kop-bengalon-sejahtera", "subkontrak", ("konstruksi",), "2025-08-01", "2026-06-30", "true", "true",
              purchase="kmt05-jalan-bengalon-2025-ktr", note="KMT-05 subcontract (contract stage)")
    yield row("pt-karya-beton", "kop-rantau-pulung", "subkontrak", ("material_pasir_batu",), "2026-07-20", "2027-06-30", "true", "true",
              purchase="kmt05-jembatan-sangkulirang-2026", note="KMT-05 subcontract to koperasi")
    yield row("pt-mahakam-konstruksi", "cv-sangatta-jaya", "subkontrak", ("konstruksi",), "2026-07-20", "2027-06-30", "true", "true",
              purchase="kmt05-sekolah-terpadu-2026", note="KMT-05 partner is medium (violation)")
    yield row("pt-karya-beton", world.pick("konstruksi", True, True)["id"], "subkontrak", ("konstruksi",), "2025-07-20", "2026-07-19", "true", "false",
              purchase="kmt05-rusunawa-2025", note="KMT-05 subcontract; not reported, but ended before 2027")
    yield row("pt-sangatta-bangun", world.pick("konstruksi", True, True)["id"], "subkontrak", ("konstruksi",), "2026-07-20", "2027-07-19", "false", "false",
              purchase="kmt05-terminal-2026", note="KMT-05/16 not written")
    # Large companies' kemitraan (KMT-16 subjects).
    yield row("pt-sawit-wahau", "kop-wahau", "inti_plasma", ("makanan",), "2024-01-01", "2028-12-31", "true", "true", note="plantation plasma")
    yield row("pt-agro-kaubun", "kud-kaubun", "inti_plasma", ("material_pasir_batu",), "2024-01-01", "2028-12-31", "true", "true", note="plantation plasma")
    yield row("pt-batubara-perkasa", "kop-wanita-teluk-lingga", "rantai_pasok", ("makanan",), "2025-01-01", "2026-12-31", "true", "true", note="mine catering")
    yield row("pt-bengalon-coal", "kop-laundry-sangatta", "penyumberluaran", ("laundry",), "2025-01-01", "2025-12-31", "true", "false", note="ended 2025: not judged by KMT-16/16.T (before obligations_from)")
    yield row("pt-bengalon-coal", rng.choice(food), "", ("makanan",), "2026-01-01", "2026-12-31", "true", "true", note="ended 2026: not judged by KMT-16/16.T")
    # 'barter' is no listed pattern: another form of partnership (UU 20/2008 Ps 26: "bentuk kemitraan
    # lain"), read as `lainnya` with its words kept; it ended before 2027, so KMT-16/16.T do not judge it.
    yield row("pt-batubara-perkasa", "ksu-batu-ampar", "barter", ("material_pasir_batu",), "2025-01-01", "2025-12-31", "true", "true",
              note="unlisted pattern: lainnya (kept)")
    # The draft's own obligations from 2027 (params.obligations_from): KMT-16 for partnerships made
    # from 2027 on, KMT-16.T for those already running (deadline params.transition_deadline, 2027-06-30).
    yield row("pt-sawit-wahau", "kop-wahau", "kerja sama CSR", ("makanan",), "2027-03-01", "", "true", "true",
              note="KMT-16 compliant (unlisted pattern, lainnya)", reported_date="2027-03-20")
    yield row("pt-batubara-perkasa", "kop-wanita-teluk-lingga", "rantai_pasok", ("makanan",), "2027-02-01", "2028-01-31", "false", "false",
              note="KMT-16 not written (violation)")
    yield row("pt-bengalon-coal", "kop-laundry-sangatta", "penyumberluaran", ("laundry",), "2027-05-01", "", "true", "",
              note="KMT-16 report unknown (cannot determine)")
    yield row("pt-agro-kaubun", "kud-kaubun", "bagi_hasil", ("material_pasir_batu",), "2026-06-01", "", "true", "true",
              note="KMT-16.T reported after the transition (violation)", reported_date="2027-08-15")
    yield row("pt-sawit-wahau", "kop-wahau", "inti_plasma", ("laundry",), "", "", "false", "",
              note="no start date: KMT-16 or KMT-16.T, unwritten under both (violation)")
    if world.shape.example or not world.firms:
        return
    # Shape.partnerships: first the covered (firm, category) pairs, then partnerships of the
    # firms in categories they do not supply (no help for KMT-05; KMT-16 subjects).
    sh = world.shape
    wanted = max(0, (sh.partnerships or 0) - n)
    local_umkk = [p["id"] for p in world.suppliers if p["id"].startswith("gen-umkm-") and is_local(p)] or food
    pairs = [(f["id"], c) for f in world.firms for c in f["supplies"]]
    covered = [pc for pc in pairs if rng.random() < sh.covered][:wanted]
    for firm, cat in covered:
        yield row(firm, rng.choice(local_umkk), "subkontrak", (cat,), "2025-01-01", "2027-12-31", "true", "true", note="covers the category")
    cats = sorted(TYPE_OF)
    for i in range(wanted - len(covered)):
        firm = rng.choice(world.firms)
        other = [c for c in cats if c not in firm["supplies"]] or cats
        start = dt.date(rng.choice(YEARS), 1, 1) + dt.timedelta(days=rng.randrange(0, 365))
        yield row(firm["id"], rng.choice(local_umkk), rng.choice(("rantai_pasok", "subkontrak", "")), (rng.choice(other),),
                  start.isoformat(), (start + dt.timedelta(days=rng.randrange(90, 900))).isoformat(),
                  "true" if rng.random() < 0.9 else "false", "true" if rng.random() < 0.8 else "false")



#: Yearly reports of 2027 (filed in 2028): (party, kind, local UMKK share in percent or None for
#: "not stated", submitted date or "" for none, note). Parties not listed filed none. The latest
#: submission (20 May 2028) is the example audit's default as_of date, so 2027 reports are due.
PLANTED_REPORTS = (
    ("hotel-bukit-pelangi", "hotel_purchases", 35, "2028-02-20", "KMT-15.3/15.4 compliant"),
    ("hotel-teluk-lingga", "hotel_purchases", 12, "2028-03-10", "KMT-15.3 below 20% (warning)"),
    ("hotel-royal-kudungga", "hotel_purchases", 20, "2028-03-31", "KMT-15.3 exactly 20%, filed on the deadline"),
    ("hotel-swarga-inn", "hotel_purchases", 25, "2028-05-20", "KMT-15.4 late (after 31 March)"),
    ("hotel-mesra-bengalon", "hotel_purchases", None, "2028-03-01", "KMT-15.3 local part not stated (cannot determine)"),
    ("hotel-wahau-permai", "hotel_purchases", 22, "2028-01-30", "KMT-15.3/15.4 compliant"),
    ("hotel-kenyamukan", "hotel_purchases", 26, "", "KMT-15.4 submission date missing (cannot determine)"),
    # hotel-grand-sangatta filed none (KMT-15.4 violation)
    ("resto-sari-laut", "hotel_purchases", 40, "2028-02-14", "a small restaurant (UMKK): not a subject of Pasal 9, not judged"),
    ("resto-kedai-kapur", "hotel_purchases", 5, "2028-04-02", "a small restaurant (UMKK): not judged, though late and low"),
    ("pt-medika-kaltim", "company_annual", None, "2028-03-20", "KMT-18 filed on time"),
    ("pt-sangatta-bangun", "company_annual", None, "2028-04-15", "KMT-18 late"),
    ("pt-batubara-perkasa", "company_annual", 8, "2028-02-27", "KMT-18 filed on time (a subject by its report)"),
    # rejected by the loader: a second hotel_purchases report of the same restaurant and year
    ("resto-sari-laut", "hotel_purchases", 60, "2028-03-15", "rejected: repeats party, year and kind"),
)


def reports(rng: random.Random) -> Iterator[list[str]]:
    """reports.csv rows (KMT-15.3, KMT-15.4, KMT-18): PLANTED_REPORTS with seeded totals."""
    for n, (party, kind, pct, submitted, note) in enumerate(PLANTED_REPORTS, start=1):
        total = rng.randrange(200, 2000) * 5 * M
        local = "" if pct is None else str(total * pct // 100)
        yield [f"lap-2027-{n:03d}", party, "2027", kind, str(total), local, submitted, note]


def write(out_dir: Path, seed: int, total: int, shape: Shape | None = None) -> dict[str, int]:
    """Write the four CSVs into ``out_dir``; return rows written per table (``shape``: the knobs)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    world = World(random.Random(seed), shape)
    counts = {}
    with open(out_dir / "parties.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(PARTY_COLUMNS)
        rows = world.parties + [_BAD_PARTY]
        for p in rows:
            w.writerow([";".join(v) if isinstance(v, tuple) else "" if v is None else str(v) for v in (p[c] for c in PARTY_COLUMNS)])
        counts["parties"] = len(rows)
    rng = random.Random(seed + 1)
    with open(out_dir / "purchases.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(PURCHASE_COLUMNS)
        n = 0
        for row in purchases(world, rng, Writer(rng), total):
            w.writerow(row)
            n += 1
        counts["purchases"] = n
    with open(out_dir / "partnerships.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(PARTNERSHIP_COLUMNS)
        n = 0
        for row in partnerships(world, random.Random(seed + 2)):
            w.writerow(row)
            n += 1
        counts["partnerships"] = n
    with open(out_dir / "reports.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(REPORT_COLUMNS)
        rows = list(reports(random.Random(seed + 3)))
        w.writerows(rows)
        counts["reports"] = len(rows)
    return counts


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default %(default)s)")
    ap.add_argument("--purchases", type=int, default=DEFAULT_PURCHASES, help="about how many purchases (default %(default)s)")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "kutim", help="output folder (default examples/kutim)")
    ap.add_argument("--shape", choices=sorted(SHAPES_AT_1M), default="example",
                    help="named shape (counts given at 1M purchases, scaled to --purchases; default %(default)s)")
    ap.add_argument("--parties", type=int, help="total party rows")
    ap.add_argument("--partnerships", type=int, help="total partnership rows")
    ap.add_argument("--non-umkk-suppliers", type=int, help="generated non-UMKK firms winning agency packages")
    ap.add_argument("--non-umkk-rate", type=float, help="share of agency awards/contracts won by non-UMKK (0..1)")
    ap.add_argument("--categories-per-supplier", type=int, help="categories each generated supplier supplies")
    ap.add_argument("--candidates-per-category", type=int, help="about how many local UMKK supply each category")
    ap.add_argument("--covered", type=float, help="share of the firms' (firm, category) pairs with a covering partnership")
    args = ap.parse_args(argv)
    knobs = {k: getattr(args, k) for k in ("parties", "partnerships", "non_umkk_suppliers", "non_umkk_rate",
                                           "categories_per_supplier", "candidates_per_category", "covered")}
    counts = write(args.out, args.seed, args.purchases, shape(args.shape, args.purchases, **knobs))
    print(f"wrote {args.out}: " + ", ".join(f"{n} {t}" for t, n in counts.items()))


if __name__ == "__main__":
    main()
