"""Regions by Kemendagri code: the fact tables, the resolver (never a guess) and the enrichment on import."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import perbup_rules as pr
from perbup_rules.records import Dataset, Party
from perbup_rules.regions import DATA, KUTIM, enrich, gazetteer, resolve_party

SHARED = Path(__file__).resolve().parents[2] / "shared"
ISB = SHARED / "data" / "real" / "isb-kabbandung-2025"
REGULATION = SHARED / "design" / "REGULATION.md"


@pytest.fixture(scope="module")
def g():
    return gazetteer()


def test_every_table_states_its_source_and_date():
    for f in sorted(DATA.glob("*.csv")):
        first = f.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# source: npm package idn-area-data 4.0.1"), f
        assert re.search(r"published \d{4}-\d{2}-\d{2}", first) and "Open Database License" in first, f


@pytest.mark.parametrize("name", ["Kab. Kutai Timur", "KUTAI TIMUR", "Kabupaten Kutai Timur", "Kutim", "kutai timur",
                                  "Kutai Timur (Kab.)", "KAB KUTAI TIMUR", "64.08", "Sangatta, Kutai Timur",
                                  "Kab. Kutai Timur, Kalimantan Timur", "Kutim - Kaltim",
                                  "Kabupaten Kutai Timur Provinsi Kalimantan Timur", "Kab. Kutai Timur Prov. Kaltim",
                                  "KAB KUTAI TIMUR (KUTIM)"])
def test_kutai_timur_spellings_resolve_to_6408(g, name):
    assert g.kabupaten(name) == KUTIM


@pytest.mark.parametrize("name,code", [("Kutai Barat", "64.07"), ("Kab. Kutai Kartanegara", "64.02"), ("Kukar", "64.02"),
                                       ("Kota Samarinda", "64.72"), ("KOTA BONTANG", "64.74"), ("Bandung (Kab.)", "32.04"),
                                       ("Bandung (Kota)", "32.73")])
def test_other_regencies_are_not_kutai_timur(g, name, code):
    assert g.kabupaten(name) == code != KUTIM


@pytest.mark.parametrize("name", ["Bandung", "Kutai", "Timur", "Kota Kutai Timur", "", "   ", "Jl. Yos Sudarso", "Kendari",
                                  "Bandung, Jawa Barat", "Kota Samarinda, Kutai Timur", "Provinsi Kalimantan Timur",
                                  "Kab. Kutai Timur (Kutai Kartanegara)", "Bandung Provinsi Jawa Barat"])
def test_ambiguous_or_unknown_names_resolve_to_none(g, name):
    # Bandung is both Kabupaten 32.04 and Kota 32.73; Kendari both the kota and the old name of Kab. Konawe
    assert g.kabupaten(name) is None


def test_the_18_kecamatan_of_regulation_5_3_are_the_18_of_6408(g):
    text = REGULATION.read_text(encoding="utf-8")
    section = text[text.index("### 5.3"):text.index("### 6", text.index("### 5.3"))]
    names = re.findall(r"^\d+\. ([A-Z][A-Za-z ]+?)(?: \(|$)", section, re.M)
    assert len(names) == 18
    codes = {g.kecamatan(n, KUTIM) for n in names}
    assert None not in codes and len(codes) == 18
    assert codes == {r.code for r in g.regions.values() if r.level == "kecamatan" and r.parent == KUTIM}
    assert g.kecamatan("Kongbeng", KUTIM) == g.kecamatan("Kombeng", KUTIM) == "64.08.08"  # the document's spelling


def test_kecamatan_without_kabupaten_only_when_unique_in_indonesia(g):
    assert g.kecamatan("Bengalon") == "64.08.09"
    assert g.kecamatan("Batu Ampar") is None  # also in Batam, Kubu Raya, ...
    assert g.kecamatan("Batu Ampar", KUTIM) == "64.08.17"
    assert g.kecamatan("Kec. Batu Ampar", KUTIM) == "64.08.17"
    assert g.kecamatan("Bengalon", "64.02") is None  # not a kecamatan of Kutai Kartanegara


def test_desa_are_matched_inside_their_kecamatan(g):
    assert g.desa("BATU TIMBAU", "64.08.17") == "64.08.17.2001"
    assert g.desa("Desa Swarga Bara", "64.08.04") == "64.08.04.2012"
    assert g.desa("Swarga Bara", "64.08.17") is None  # a desa of Sangatta Utara named in Batu Ampar
    assert g.desa("Swarga Bara", None) is None


def test_kabkota_masters_of_lkpp_cross_check(g):
    """Every e-katalog kab/kota name resolves, to distinct codes; SiRUP's master (with its own typos) nearly all."""
    ecat = json.loads((ISB / "ecat-master-kabkota.json").read_text(encoding="utf-8"))
    codes = [g.kabupaten(r["nama_kabupaten"]) for r in ecat]
    assert None not in codes and len(set(codes)) == len(ecat) == 514
    rup = json.loads((ISB / "rup-master-kabkota.json").read_text(encoding="utf-8"))
    resolved = {r["nama_kabkota"]: g.kabupaten(r["nama_kabkota"]) for r in rup}
    assert resolved["Kutai Timur (Kab.)"] == KUTIM
    unresolved = sorted(n for n, c in resolved.items() if c is None)
    # a province, a name that is no kab/kota, wrong kinds, a split regency: unknown, never a guess
    assert len(unresolved) <= 6, unresolved
    ours = {g.regions[c].name for c in resolved.values() if c}
    assert "Kabupaten Kutai Timur" in ours


_KAB_ROWS = sorted((r.code, r.name) for r in gazetteer().regions.values() if r.level == "kabupaten")


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(_KAB_ROWS), st.sampled_from(["{}", "{}.", "  {}  "]), st.booleans(), st.booleans())
def test_official_names_resolve_whatever_the_case_and_punctuation(row, wrap, upper, abbreviate):
    code, name = row
    text = name.upper() if upper else name.lower()
    if abbreviate:
        text = re.sub(r"^(kabupaten|KABUPATEN) ", lambda m: "Kab. " if m.group(1).islower() else "KAB. ", text)
    assert gazetteer().kabupaten(wrap.format(text)) == code


def test_resolve_party_fills_codes_with_provenance_and_keeps_given_codes():
    p = resolve_party(Party(id="x", kabupaten="KUTAI TIMUR", kecamatan="Sangatta Utara", desa="Teluk Lingga"))
    assert (p.kabupaten_code, p.kecamatan_code, p.desa_code) == ("64.08", "64.08.04", "64.08.04.1010")
    prov = dict(p.provenance)
    assert "KUTAI TIMUR" in prov["kabupaten_code"] and "kabkota.csv" in prov["kabupaten_code"]
    given_code = resolve_party(Party(id="y", kabupaten="Kutai Timur", kabupaten_code="64.02"))
    assert given_code.kabupaten_code == "64.02"  # the source's own code is not replaced
    # a kabupaten that does not resolve is not overridden by a kecamatan that does
    q = resolve_party(Party(id="z", kabupaten="Kutai", kecamatan="Bengalon"))
    assert q.kabupaten_code is None and q.kecamatan_code == "64.08.09"


def test_enrich_is_idempotent_and_import_fills_codes():
    ds = Dataset.build([Party(id="a", kabupaten="Kutim"), Party(id="b")])
    once = dict(enrich(ds).parties)
    assert enrich(ds).parties == once
    assert ds.parties["a"].kabupaten_code == KUTIM and ds.parties["b"].kabupaten_code is None
    ex = pr.load_dataset(pr.EXAMPLE_DATA)
    assert ex.parties["pd-pupr"].kabupaten_code == KUTIM
    assert ex.parties["pd-pupr"].kecamatan_code == "64.08.04"


def test_parties_in_another_country_are_not_resolved():
    ds = Dataset.build([Party(id="uk", kabupaten="Kendal", extra=(("countryName", "United Kingdom"),)),
                        Party(id="jateng", kabupaten="Kendal", extra=(("countryName", "Indonesia"),))])
    enrich(ds)
    assert ds.parties["uk"].kabupaten_code is None and ds.parties["jateng"].kabupaten_code == "33.24"
