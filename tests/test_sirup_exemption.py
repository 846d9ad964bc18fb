"""SiRUP ``alasan_non_ukm`` -> ``exemption_code`` (issue 13, KMT-03): only the competence reason is
the technical exemption; a pagu above the ceiling is not an exemption; the text is kept."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from perbup_rules.importers.sirup import exemption_code_of, import_sirup_rup
from perbup_rules.records import EXEMPTION_CODES

SIRUP = Path(__file__).resolve().parents[2] / "shared" / "data" / "real" / "sirup_rup_paket_penyedia_kalbar_2025.csv"


@pytest.mark.parametrize("text, code", [
    ("Kompetensi tidak sesuai dengan usaha kecil", "technical"),
    ("  KOMPETENSI  tidak sesuai\ndengan usaha kecil.", "technical"),
    ("Paket pengadaan Barang/Pekerjaan Konstuksi/Jasa Lainnya memiliki nilai Pagu Anggaran > Rp.15.000.000.000",
     "pagu_above_ceiling"),
    ("penyedia lama", "other"),
    ("", None),
    (None, None),
])
def test_reason_texts(text, code):
    assert exemption_code_of(text) == code


@given(st.text())
def test_any_text_gets_a_known_code_or_none(text):
    code = exemption_code_of(text)
    assert code is None if not text.strip() else code in EXEMPTION_CODES


@pytest.mark.skipif(not SIRUP.exists(), reason="real SiRUP export not available")
def test_kalbar_rup_reasons_are_coded_and_kept():
    ds = import_sirup_rup(SIRUP)
    codes = Counter(p.exemption_code for p in ds.purchases if p.exemption_reason)
    assert codes == {"technical": 46, "pagu_above_ceiling": 16}
    assert all(p.exemption_code is None for p in ds.purchases if not p.exemption_reason)
    tech = next(p for p in ds.purchases if p.exemption_code == "technical")
    assert tech.exemption_reason == "Kompetensi tidak sesuai dengan usaha kecil"
