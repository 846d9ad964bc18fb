"""Supplier registries: reading, joining (key / exact name / fuzzy), conflicts, provenance, candidates."""

from __future__ import annotations

import csv
import importlib.util
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import perbup_rules as pr
from perbup_rules.cli import main
from perbup_rules.records import Dataset, Party, Purchase
from perbup_rules.registries import (FUZZY_THRESHOLD, apply_registries, decide, load_registry, match_rows,
                                     normalise)
from perbup_rules.registries.read import npwp_key

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[2] / "shared"
REAL = SHARED / "data" / "real"
KUTIM_REGISTER = REAL / "kutim_umkm_registry_excerpt.csv"
SPSE = REAL / "spse_nontender_selesai_kabbandung_2025.csv"


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def one(ds: Dataset, tmp_path: Path, header: list[str], rows: list[list[str]], name: str = "reg.csv"):
    reg = load_registry(write_csv(tmp_path / name, header, rows))
    return apply_registries(ds, [reg])


def maju_jaya(*extra: Party) -> Dataset:
    return Dataset.build([Party(id="penyedia:1", name="PT Maju Jaya", kind="company", legal_form="pt"), *extra])


# ---- names -------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["PT. Maju Jaya", "MAJU JAYA, PT", "P.T. Maju Jaya", "pt maju  jaya", "Maju-Jaya PT"])
def test_name_variants_normalise_alike(name):
    assert normalise(name) == normalise("PT Maju Jaya")


def test_extra_words_and_other_forms_do_not_normalise_alike():
    assert normalise("Pt Maju Jaya Abadi").key != normalise("PT Maju Jaya").key
    assert normalise("CV Maju Jaya").legal_form == "cv"
    assert normalise("Kop. Sawit Sejahtera") == normalise("Koperasi Sawit Sej.")
    assert not normalise("[perorangan]") and not normalise("")  # a redacted name joins nothing


_WORDS = st.lists(st.sampled_from(["maju", "jaya", "sinar", "abadi", "karya", "mandiri", "bumi", "sangatta"]),
                  min_size=1, max_size=4)


@settings(max_examples=150, deadline=None)
@given(_WORDS, st.sampled_from(["PT", "CV", "UD", "Koperasi"]), st.sampled_from(["{f} {n}", "{f}. {n}", "{n}, {f}", "{n} {f}."]),
       st.booleans())
def test_legal_form_position_case_and_punctuation_do_not_matter(words, form, shape, upper):
    name = " ".join(words)
    text = shape.format(f=form, n=name)
    text = text.upper() if upper else text
    assert normalise(text) == normalise(f"{form} {name}")


# ---- joining -----------------------------------------------------------------------

@pytest.mark.parametrize("written,method", [
    ("PT. Maju Jaya", "exact_name"),
    ("MAJU JAYA, PT", "exact_name"),
    ("Maju Jaya", "exact_name"),          # no form written: can be the PT
    ("PT Maju Jayaa", "fuzzy"),           # one letter more: ratio 95
    ("Pt Maju Jaya Abadi", "unmatched"),  # another business: ratio 75
    ("CV Maju Jaya", "unmatched"),        # another legal form
])
def test_planted_name_variants(tmp_path, written, method):
    out = one(maju_jaya(), tmp_path, ["nama_penyedia"], [[written]])
    (m,) = out.matches
    assert m.method == method, (written, m)
    if method == "unmatched":
        assert m.party.startswith("registry:")  # added as a candidate-only business
    else:
        assert m.party == "penyedia:1"
    if method == "fuzzy":
        assert m.score >= FUZZY_THRESHOLD


def test_same_name_in_another_kabupaten_is_not_joined(tmp_path):
    ds = Dataset.build([Party(id="a", name="UD Sinar Bengalon", kabupaten="Kutai Timur")])
    out = one(ds, tmp_path, ["nama_usaha", "kabupaten"], [["UD Sinar Bengalon", "Kutai Kartanegara"]])
    assert out.matches[0].method == "unmatched"
    out = one(Dataset.build([Party(id="a", name="UD Sinar Bengalon", kabupaten="Kutai Timur")]), tmp_path,
              ["nama_usaha", "kabupaten"], [["UD Sinar Bengalon", "Kab. Kutai Timur"]])
    assert out.matches[0].method == "exact_name"


def test_two_parties_with_one_name_are_ambiguous_and_nothing_is_filled(tmp_path):
    ds = maju_jaya(Party(id="penyedia:2", name="PT. MAJU JAYA", kind="company"))
    out = one(ds, tmp_path, ["nama_penyedia", "skala_usaha"], [["Maju Jaya", "menengah"]])
    assert out.matches[0].method == "ambiguous"
    assert ds.parties["penyedia:1"].scale is None and ds.parties["penyedia:2"].scale is None


def test_a_party_is_joined_once(tmp_path):
    out = one(maju_jaya(), tmp_path, ["nama_penyedia"], [["PT. Maju Jaya"], ["MAJU JAYA, PT"]])
    assert [m.method for m in out.matches] == ["exact_name", "ambiguous"]
    assert "already joined" in out.matches[1].note


def test_keys_come_first_and_clear_npwp_joins_its_redacted_id(tmp_path):
    npwp = "01.234.567.8-901.000"
    ds = Dataset.build([Party(id="p1", name="CV Lain Nama", extra=(("npwp_penyedia", npwp_key(npwp)),)),
                        Party(id="penyedia:77", name="CV Lain Lagi")])
    out = one(ds, tmp_path, ["npwp", "kd_penyedia", "nama_penyedia"],
              [[npwp, "", "CV Nama Berbeda"], ["", "77", "Nama Apa Saja"]])
    assert [(m.method, m.party) for m in out.matches] == [("key:npwp", "p1"), ("key:kd_penyedia", "penyedia:77")]
    assert npwp_key("NPWP-ABC123") == "NPWP-abc123" and npwp_key("000000000000000") is None


# ---- conflicts and provenance ------------------------------------------------------

def test_decide_authority_then_date():
    import datetime as dt
    assert decide("dinas", None)[0] == "registry"
    assert decide("lkpp", None, "oss")[0] == "export"
    assert decide("export", dt.date(2026, 1, 1), "export", dt.date(2025, 1, 1))[0] == "registry"
    assert decide("export", None)[0] == "export"


def test_conflict_is_reported_with_both_sources_and_the_rule_named(tmp_path):
    ds = Dataset.build([Party(id="penyedia:1", name="PT Maju Jaya", kind="company", legal_form="pt", scale="kecil")])
    out = one(ds, tmp_path, ["kd_penyedia", "nama_penyedia", "skala_usaha", "authority"], [["1", "PT Maju Jaya", "Menengah", "dinas"]])
    (c,) = out.matches[0].conflicts
    assert (c.field, c.export_value, c.registry_value, c.used) == ("scale", "kecil", "menengah", "registry")
    assert "reg.csv:2" in c.registry_source and "dinas over export" in c.rule
    p = ds.parties["penyedia:1"]
    assert p.scale == "menengah" and "dinas over export" in dict(p.provenance)["scale"]
    # the same registry as a plain export-level list: the export keeps its value, still reported
    ds2 = Dataset.build([Party(id="penyedia:1", name="PT Maju Jaya", scale="kecil")])
    out2 = one(ds2, tmp_path, ["kd_penyedia", "skala_usaha"], [["1", "menengah"]], "reg2.csv")
    assert out2.matches[0].conflicts[0].used == "export" and ds2.parties["penyedia:1"].scale == "kecil"
    assert "export kept" in dict(ds2.parties["penyedia:1"].provenance)["scale"]


def test_bad_cells_reject_their_row_with_its_number(tmp_path):
    out = one(maju_jaya(), tmp_path, ["nama_penyedia", "skala_usaha"], [["PT Maju Jaya", "raksasa"], ["UD Baru", "mikro"]])
    rows = match_rows(out)
    assert [r["method"] for r in rows] == ["unmatched", "rejected"]
    assert rows[1]["row"] == "2" and "unknown_code" in rows[1]["note"]


def test_a_file_without_name_or_key_is_refused(tmp_path):
    with pytest.raises(pr.DataError):
        load_registry(write_csv(tmp_path / "r.csv", ["alamat", "telepon"], [["Jl. A", "1"]]))


# ---- the Kutim UMKM register -------------------------------------------------------

def test_kutim_register_loads_unedited():
    reg = load_registry(KUTIM_REGISTER)
    assert (reg.layout, reg.read, len(reg.entries), reg.rejected) == ("kutim-umkm", 110, 110, [])
    ds = Dataset()
    apply_registries(ds, [reg])
    parties = list(ds.parties.values())
    assert len(parties) == 110 and ds.candidates_only == {p.id for p in parties}
    assert {p.kabupaten_code for p in parties} == {"64.08"}
    assert {p.kecamatan_code for p in parties} == {"64.08.17", "64.08.04"}  # Batu Ampar, Sangatta Utara
    assert all(p.desa_code and p.desa_code.startswith(p.kecamatan_code + ".") for p in parties)


def test_register_businesses_are_ranked_candidates_and_never_subjects():
    rs = pr.load_ruleset(pr.BUNDLED_RULES)
    before = pr.evaluate(rs, pr.load_dataset(pr.EXAMPLE_DATA), "reference")
    ds = pr.load_dataset(pr.EXAMPLE_DATA, registries=[KUTIM_REGISTER])
    after = pr.evaluate(rs, ds, "reference", max_candidates=0)  # every candidate: the register's come last
    assert after.summary() == before.summary()  # in the example no register row changes a verdict
    listed = pr.evaluate(rs, ds, "reference")  # the first 20 (the default), counting all
    assert [(r.candidates[:20], r.candidate_count) for r in after.required_partnerships] == \
        [(r.candidates, r.candidate_count) for r in listed.required_partnerships]
    assert all(r.candidate_count == len(r.candidates) for r in after.required_partnerships)
    assert not [f for f in after.findings if f.subject in ds.candidates_only]  # no KMT-07 (or any) finding on them
    assert [f for f in after.findings if f.clause == "KMT-07"] == [f for f in before.findings if f.clause == "KMT-07"]
    food = [r for r in after.required_partnerships if r.clause == "KMT-15.1"]
    assert food
    for r in food:
        reg = [c for c in r.candidates if c in ds.candidates_only]
        assert reg and tuple(reg) == r.unverified and r.candidates[-len(reg):] == tuple(reg)
        assert all("makanan" in ds.parties[c].supplies for c in reg)  # Kuliner & Makanan Khas only
        hotel = ds.parties[r.party]
        same = [ds.parties[c].kecamatan_code == hotel.kecamatan_code for c in reg]
        assert same == sorted(same, reverse=True)  # same kecamatan first, then the rest of Kutai Timur
    sangatta = next(r for r in food if ds.parties[r.party].kecamatan_code == "64.08.04")
    first = ds.parties[sangatta.unverified[0]]
    assert first.kecamatan_code == "64.08.04" and any(ds.parties[c].kecamatan_code == "64.08.17" for c in sangatta.unverified)


# ---- real data: changes only through listed matches ----------------------------------

def _isb_registry(tmp_path: Path, names_only: bool = False) -> Path:
    spec = importlib.util.spec_from_file_location("registry_from_isb", ROOT / "tools" / "registry_from_isb.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    out = tmp_path / ("names.csv" if names_only else "keys.csv")
    assert mod.build(REAL / "isb-kabbandung-2025", out, names_only) > 300
    return out


def _changed(a, b) -> list[tuple]:
    key = lambda f: (f.clause, f.subject, f.period, f.stage, f.category)  # noqa: E731
    sa = {key(f): f.status for f in a.findings}
    return [k for f in b.findings if sa.get(k := key(f)) != f.status]


def test_spse_with_isb_registry_changes_verdicts_only_through_listed_matches(tmp_path):
    reg = _isb_registry(tmp_path)
    # a Pemda register that says one supplier of the export is menengah (authority dinas)
    kd = next(r["kd_penyedia"] for r in csv.DictReader(open(SPSE, encoding="utf-8")) if r["kd_penyedia"])
    dinas = write_csv(tmp_path / "dinas.csv", ["kd_penyedia", "skala_usaha", "authority"], [[kd, "menengah", "dinas"]])
    rs = pr.load_ruleset(pr.BUNDLED_RULES)
    base_ds = pr.load_dataset(SPSE)
    base = pr.evaluate(rs, base_ds, "reference")
    ds = pr.load_dataset(SPSE, registries=[reg, dinas])
    report = pr.evaluate(rs, ds, "reference")
    rows = [r for o in ds.registries for r in match_rows(o)]
    joined = {r["party_id"] for r in rows if r["method"] not in ("unmatched", "ambiguous", "rejected")}
    summary = report.to_dict()["registries"]
    assert summary[0]["key"] == summary[0]["read"] and summary[1]["key"] == 1 and summary[1]["conflicts"] == 1
    purchases = {p.id: p for p in ds.purchases}
    changed = _changed(base, report)
    assert changed  # the dinas row turns one supplier's packages from UMKK to not
    for clause, subject, *_ in changed:
        p = purchases.get(subject)
        involved = {subject} if p is None else {p.supplier_id, p.buyer_id}
        assert involved & joined, (clause, subject)
    prov = report.to_dict()["provenance"][f"penyedia:{kd}"]
    assert "dinas over export" in prov["scale"]


def test_names_only_registry_joins_as_the_keys_do(tmp_path):
    by_key = pr.load_dataset(SPSE, registries=[_isb_registry(tmp_path)])
    by_name = pr.load_dataset(SPSE, registries=[_isb_registry(tmp_path, names_only=True)])
    k = {m.registry_name: m.party for m in by_key.registries[0].matches}
    n = {m.registry_name: m.party for m in by_name.registries[0].matches if m.method == "exact_name"}
    agree = sum(1 for name, party in n.items() if k.get(name) == party)
    assert len(n) >= 300 and agree == len(n)


# ---- CLI -----------------------------------------------------------------------------

def test_cli_audit_writes_the_match_report_beside_the_report(tmp_path):
    out = tmp_path / "r.json"
    res = CliRunner().invoke(main, ["audit", "--registry", str(KUTIM_REGISTER), "--format", "json", "-o", str(out)])
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(open(tmp_path / "r.json.matches.csv", encoding="utf-8")))
    assert len(rows) == 110
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["registries"][0]["read"] == 110 and "provenance" in data


def test_cli_with_registry_gives_the_same_report_on_both_paths(tmp_path):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    for flags, out in ((["--engine-path", "column"], a), (["--engine-path", "per-record"], b)):
        res = CliRunner().invoke(main, ["audit", "--data", str(pr.EXAMPLE_DATA), "--registry", str(KUTIM_REGISTER),
                                        "--format", "json", "-q", "-o", str(out), *flags])
        assert res.exit_code == 0, res.output
    assert a.read_bytes() == b.read_bytes()


def test_cli_import_with_registry_writes_codes_and_matches(tmp_path):
    res = CliRunner().invoke(main, ["import", str(pr.EXAMPLE_DATA), "-o", str(tmp_path / "out"),
                                    "--registry", str(KUTIM_REGISTER)])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "out" / "matches.csv").is_file()
    parties = list(csv.DictReader(open(tmp_path / "out" / "parties.csv", encoding="utf-8")))
    assert sum(1 for p in parties if p["id"].startswith("registry:")) == 109
    assert {p["kabupaten_code"] for p in parties if p["kabupaten"] == "Kutai Timur"} == {"64.08"}


def test_cli_explain_shows_provenance(tmp_path):
    dinas = write_csv(tmp_path / "d.csv", ["nama_usaha", "kabupaten", "authority"], [["Grand Sangatta Hotel", "Kutai Timur", "dinas"]])
    # (a hotel that is not UMKK: a subject of KMT-15.1; the example's restaurants are UMKK, so not subjects)
    res = CliRunner().invoke(main, ["explain", "--clause", "KMT-15.1", "--subject", "hotel-grand-sangatta",
                                    "--period", "2026", "--registry", str(dinas)])
    assert "provenance of hotel-grand-sangatta" in res.output, res.output
    assert "kabkota.csv" in res.output


def test_a_canonical_parties_csv_joins_by_id_and_fills_what_is_missing(tmp_path):
    ds = Dataset.build([Party(id="hotel-a", name="Hotel A", kind="hotel"), Party(id="pd", name="Dinas", kind="perangkat_daerah")])
    out = one(ds, tmp_path, ["id", "name", "kind", "kabupaten", "kecamatan"],
              [["hotel-a", "Nama Lain Sekali", "hotel", "Kutai Timur", "Sangatta Utara"], ["pd", "Dinas", "", "", ""]])
    assert out.matches[0].method == "key:id" and ds.parties["hotel-a"].kecamatan_code == "64.08.04"
    assert set(out.matches[0].filled) == {"kabupaten", "kecamatan"}
    assert out.matches[1].method == "unmatched"  # a buyer is never joined; the row becomes a candidate of its own
    assert ds.parties["pd"].kind == "perangkat_daerah" and out.matches[1].party != "pd"


def test_candidates_stay_candidates_after_import_and_reload(tmp_path):
    res = CliRunner().invoke(main, ["import", str(pr.EXAMPLE_DATA), "-o", str(tmp_path / "out"),
                                    "--registry", str(KUTIM_REGISTER)])
    assert res.exit_code == 0, res.output
    rs = pr.load_ruleset(pr.BUNDLED_RULES)
    ds = pr.load_dataset(tmp_path / "out")
    report = pr.evaluate(rs, ds, "reference")
    assert len(ds.candidates_only) == 109
    assert not [f for f in report.findings if f.subject in ds.candidates_only]
    assert report.summary() == pr.evaluate(rs, pr.load_dataset(pr.EXAMPLE_DATA), "reference").summary()


@pytest.mark.parametrize("fmt,needle", [("text", "Registry "), ("md", "Supplier registries"), ("html", "Supplier registries")])
def test_every_report_format_summarises_the_registries(fmt, needle):
    from perbup_rules.report import render

    rs = pr.load_ruleset(pr.BUNDLED_RULES)
    with_reg = pr.evaluate(rs, pr.load_dataset(pr.EXAMPLE_DATA, registries=[KUTIM_REGISTER]), "reference")
    without = pr.evaluate(rs, pr.load_dataset(pr.EXAMPLE_DATA), "reference")
    assert needle in render(with_reg, fmt) and needle not in render(without, fmt)
    assert "registries" not in without.to_dict() and "provenance" not in without.to_dict()
