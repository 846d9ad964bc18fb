"""Real LKPP exports re-saved the way Excel saves them in an Indonesian locale read to the same amounts.

Excel with Indonesian regional settings writes CSV with ';' between cells and
amounts as 49.774.722,12. The real files in ../shared/data/real are rewritten so
here (nothing is copied into the project), and every amount must come out as
from the original machine-written file: the column's own cells settle the
convention, so 250.000 there is 250000, never Rp250.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from perbup_rules.importers import load

REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"
SPSE = REAL / "spse_nontender_selesai_kabbandung_2025.csv"
SIRUP = REAL / "sirup_rup_paket_penyedia_kalbar_2025.csv"


def indonesian(text: str) -> str:
    """A machine amount as Excel writes it in an Indonesian locale: 1234567.5 -> 1.234.567,50."""
    if not text:
        return text
    d = Decimal(text)
    whole = f"{int(d):,}".replace(",", ".")
    sen = d - int(d)
    return f"{whole},{int(sen * 100):02d}" if sen else whole


def resave(src: Path, dst: Path, money: tuple[str, ...]) -> Path:
    with open(src, encoding="utf-8-sig", newline="") as fh, open(dst, "w", encoding="utf-8", newline="") as out:
        reader = csv.DictReader(fh)
        w = csv.DictWriter(out, reader.fieldnames or [], delimiter=";")
        w.writeheader()
        for row in reader:
            w.writerow({k: indonesian(v) if k in money else v for k, v in row.items()})
    return dst


@pytest.mark.skipif(not SPSE.is_file(), reason="shared real data not present")
def test_spse_results_saved_by_indonesian_excel(tmp_path):
    want = load(SPSE, "spse-nontender")
    path = resave(SPSE, tmp_path / "nt.csv", ("nilai_kontrak", "nilai_umk_kontrak"))
    assert "49.774.722,12" in path.read_text(encoding="utf-8")
    got = load(path)
    assert got.sources[0].kind == "spse-nontender"
    assert [(p.id, p.value_idr, p.umk_value_idr) for p in got.purchases] == [(p.id, p.value_idr, p.umk_value_idr) for p in want.purchases]
    assert len(got.rejected) == len(want.rejected)
    assert dict(got.sources[0].numbers)["nilai_kontrak"].startswith("Indonesian")


@pytest.mark.skipif(not SIRUP.is_file(), reason="shared real data not present")
def test_sirup_plan_saved_by_indonesian_excel(tmp_path):
    want = load(SIRUP, "sirup-rup")
    got = load(resave(SIRUP, tmp_path / "rup.csv", ("pagu",)))
    pairs = [(p.id, p.value_idr) for p in got.purchases]
    assert pairs == [(p.id, p.value_idr) for p in want.purchases]
    # the one-group amounts (Rp1.000 .. Rp999.999) were ambiguous alone; the column settled them
    assert any(v is not None and 1000 <= v < 1_000_000 for _id, v in pairs)
