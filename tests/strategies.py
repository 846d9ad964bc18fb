"""Hypothesis strategies for datasets over the Kutim draft: boundary values, missing fields,
dates around every validity change."""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from perbup_rules import Dataset, Partnership, Party, Purchase
from perbup_rules.records import CHANNELS, DESA_REASON_CODES, PATTERNS, PROCUREMENT_TYPES, STAGES

B = 1_000_000_000
MONEY = [None, 0, 1, B, B + 1, 2 * B, 2 * B + 1, 5 * B, 5 * B + 1, 10 * B, 10 * B + 1, 15 * B, 15 * B + 1, 50 * B, 50 * B + 1]
DATES = [None, dt.date(2018, 3, 21), dt.date(2020, 6, 1), dt.date(2021, 2, 1), dt.date(2021, 2, 2), dt.date(2025, 4, 29),
         dt.date(2025, 4, 30), dt.date(2025, 12, 31), dt.date(2026, 1, 1), dt.date(2026, 7, 1), dt.date(2027, 1, 1),
         dt.date(2026, 1, 30), dt.date(2026, 1, 31)]  # day 30 and 31 of a window from 1 January (KMT-04)
#: values around the Pengadaan Langsung ceilings (KMT-04: Rp100, 200 and 400 juta)
SMALL = [50_000_000, 100_000_000, 100_000_001, 150_000_000, 200_000_000, 250_000_000, 400_000_000]
METHODS = [None, "pengadaan_langsung", "pengadaan_langsung", "tender", "e_purchasing"]
CATEGORIES = ["makanan", "laundry", "seragam_sekolah", "seragam_guru", "material_pasir_batu", "atk", "konstruksi"]
KECAMATAN = ["Sangatta Utara", "Sangatta Selatan", "Bengalon", None]
DESA = ["Swarga Bara", "Singa Gembara", None]
KABUPATEN = ["Kutai Timur", "Kutai Timur", "Samarinda", None]
#: Kemendagri codes: Kutai Timur (64.08) and its desa, Samarinda (64.72), unknown
KABUPATEN_CODE = ["64.08", "64.08", "64.72", None]
DESA_CODE = ["64.08.01.2001", "64.08.01.2002", None]

opt = lambda s: st.one_of(st.none(), s)  # noqa: E731


@st.composite
def suppliers(draw, i: int) -> Party:
    return Party(
        id=f"s{i}", name=f"Usaha {i}", kind=draw(st.sampled_from(["umkm", "koperasi", "company", None])),
        legal_form=draw(opt(st.sampled_from(["pt", "cv", "ud", "koperasi", "perorangan"]))),
        capital_idr=draw(st.sampled_from(MONEY)), annual_sales_idr=draw(st.sampled_from(MONEY)),
        scale=draw(opt(st.sampled_from(["mikro", "kecil", "menengah", "besar"]))),
        kecamatan=draw(st.sampled_from(KECAMATAN)), desa=draw(st.sampled_from(DESA)),
        kabupaten=draw(st.sampled_from(KABUPATEN)),
        supplies=tuple(draw(st.lists(st.sampled_from(CATEGORIES), max_size=3, unique=True))),
        licensed=draw(opt(st.booleans())), kabupaten_code=draw(st.sampled_from(KABUPATEN_CODE)),
        desa_code=draw(st.sampled_from(DESA_CODE)),
    )


@st.composite
def datasets(draw, max_purchases: int = 25) -> Dataset:
    buyers = [
        Party("pd1", "Dinas Pendidikan", "perangkat_daerah", kabupaten="Kutai Timur"),
        Party("pd2", "Dinas PUPR", "perangkat_daerah", kabupaten="Kutai Timur"),
        Party("desa1", "Desa Swarga Bara", "desa", desa="Swarga Bara", kabupaten="Kutai Timur",
              kabupaten_code="64.08", desa_code="64.08.01.2001"),
        Party("h1", "Hotel", "hotel", kecamatan=draw(st.sampled_from(KECAMATAN)), kabupaten="Kutai Timur"),
        Party("r1", "Restoran", "restaurant", kecamatan="Bengalon", kabupaten="Kutai Timur"),
    ]
    n = draw(st.integers(1, 6))
    sup = [draw(suppliers(i)) for i in range(n)]
    sup_ids = [s.id for s in sup]
    purchases = []
    for j in range(draw(st.integers(0, max_purchases))):
        value = draw(st.sampled_from(MONEY + SMALL))
        purchases.append(Purchase(
            id=f"p{j}", stage=draw(st.sampled_from(STAGES)), buyer_id=draw(st.sampled_from([b.id for b in buyers])),
            ppk_id=draw(st.sampled_from(["ppk1", "ppk2", None])), supplier_id=draw(opt(st.sampled_from(sup_ids))),
            category=draw(opt(st.sampled_from(CATEGORIES))), procurement_type=draw(opt(st.sampled_from(PROCUREMENT_TYPES))),
            value_idr=value, umk_value_idr=draw(st.sampled_from([None, None, 0, value // 2 if value else None])),
            reserved_for_umkk=draw(opt(st.booleans())), exemption_reason=draw(st.sampled_from([None, None, "teknis"])),
            date=draw(st.sampled_from(DATES)),
            # the period a purchase counts in: mostly its date's year, sometimes another fiscal year
            fiscal_year=draw(st.sampled_from([None, None, None, 2021, 2025, 2026])),
            method=draw(st.sampled_from(METHODS)),
            pagu_idr=draw(st.sampled_from([None, None, value, 15 * B, 15 * B + 1])),
            exemption_code=draw(st.sampled_from([None, None, "technical", "pagu_above_ceiling", "other"])),
            # PDN (KMT-01/02 count only domestic products), the channel, and a desa's reason codes (KMT-14)
            pdn=draw(opt(st.booleans())),
            pdn_value_idr=draw(st.sampled_from([None, None, None, 0, value // 2 if value else None, value])),
            channel=draw(opt(st.sampled_from(CHANNELS))),
            desa_reason_code=tuple(draw(st.lists(st.sampled_from(DESA_REASON_CODES), max_size=2, unique=True)))))
    partnerships = []
    for k in range(draw(st.integers(0, 6))):
        start = draw(st.sampled_from(DATES))
        partnerships.append(Partnership(
            id=f"k{k}", party_id=draw(st.sampled_from(["h1", "r1"] + sup_ids)), partner_id=draw(st.sampled_from(sup_ids)),
            pattern=draw(opt(st.sampled_from(PATTERNS))),
            categories=tuple(draw(st.lists(st.sampled_from(CATEGORIES), max_size=2, unique=True))),
            start_date=start, end_date=draw(st.sampled_from([e for e in (None, dt.date(2025, 12, 31), dt.date(2026, 6, 30)) if e is None or start is None or e >= start])),  # records refuse end < start
            written=draw(opt(st.booleans())), reported_to_dinas=draw(opt(st.booleans())),
            purchase_id=draw(opt(st.sampled_from([p.id for p in purchases]))) if purchases else None))
    return Dataset.build(buyers + sup, purchases, partnerships)


def condition_trees(atoms: list[str], depth: int):
    """Condition texts over ``atoms``: an atom, or not/and/or of smaller trees, ``depth`` levels deep."""
    leaf = st.sampled_from(atoms)
    if depth == 0:
        return leaf
    sub = condition_trees(atoms, depth - 1)
    return st.one_of(
        leaf,
        st.builds(lambda a: f"not ({a})", sub),
        st.builds(lambda xs: "(" + " and ".join(xs) + ")", st.lists(sub, min_size=2, max_size=3)),
        st.builds(lambda xs: "(" + " or ".join(xs) + ")", st.lists(sub, min_size=2, max_size=3)),
    )
