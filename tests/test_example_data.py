"""The Kutai Timur example: deterministic, matches its generator, loads with its planted rejections,
and holds both compliant and non-compliant cases for every clause it is meant to exercise.

The clause checks here are a deliberately small, independent reading of the
draft (REGULATION.md section 7) used only to prove the example covers both
outcomes; the rules engine has its own tests.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
from collections import defaultdict
from pathlib import Path

import pytest

from perbup_rules import errors
from perbup_rules.importers import load_dataset

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "kutim"
FILES = ("parties.csv", "purchases.csv", "partnerships.csv", "reports.csv")
B = 10**9


def _generator():
    spec = importlib.util.spec_from_file_location("kutim_generate", ROOT / "examples" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


gen = _generator()


@pytest.fixture(scope="module")
def ds():
    return load_dataset(EXAMPLE)


def test_same_seed_same_bytes_and_another_seed_differs(tmp_path):
    gen.write(tmp_path / "a", 7, 600)
    gen.write(tmp_path / "b", 7, 600)
    gen.write(tmp_path / "c", 8, 600)
    for name in FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert (tmp_path / "a" / "purchases.csv").read_bytes() != (tmp_path / "c" / "purchases.csv").read_bytes()


def test_checked_in_example_is_what_the_generator_writes(tmp_path):
    gen.main(["--out", str(tmp_path)])
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (EXAMPLE / name).read_bytes(), f"examples/kutim/{name} is stale: run python examples/generate.py"


def test_example_is_small():
    assert sum((EXAMPLE / n).stat().st_size for n in FILES) < 1_500_000


def test_size_argument_is_honoured(tmp_path):
    counts = gen.write(tmp_path, gen.DEFAULT_SEED, 5000)
    assert counts["purchases"] == 5000
    assert load_dataset(tmp_path).stats["purchases"].read == 5000


def test_loads_with_exactly_the_planted_rejections(ds):
    assert {t: s.to_dict() for t, s in ds.stats.items()} == {
        "parties": {"read": 251, "accepted": 250, "rejected": 1},
        "purchases": {"read": 3000, "accepted": 2994, "rejected": 6},
        "partnerships": {"read": 36, "accepted": 36, "rejected": 0},  # an unlisted pattern is kept (lainnya)
        "reports": {"read": 13, "accepted": 12, "rejected": 1},
    }
    got = sorted((r.table, r.code, r.column) for r in ds.rejected)
    assert got == sorted([
        ("parties", errors.UNKNOWN_CODE, "scale"),
        ("purchases", errors.UNKNOWN_CODE, "procurement_type"),
        ("purchases", errors.NEGATIVE_VALUE, "value_idr"),
        ("purchases", errors.DUPLICATE_ROW, "id"),
        ("purchases", errors.UNKNOWN_REFERENCE, "supplier_id"),
        ("purchases", errors.BAD_VALUE, "date"),
        ("purchases", errors.UNKNOWN_REFERENCE, "supplier_id"),
        ("reports", errors.DUPLICATE_ROW, "kind"),
    ])


def test_realistic_for_kutai_timur(ds):
    parties = ds.parties.values()
    assert {p.kecamatan for p in parties if p.kabupaten == "Kutai Timur"} >= set(gen.KECAMATAN)
    assert {p.kabupaten for p in parties} >= {"Kutai Timur", "Kutai Kartanegara", "Samarinda"}
    kinds = defaultdict(int)
    for p in parties:
        kinds[p.kind] += 1
    assert 40 <= kinds["perangkat_daerah"] <= 45 and kinds["desa"] >= 5 and kinds["hotel"] >= 5 and kinds["restaurant"] >= 5
    assert kinds["umkm"] > 100 and kinds["koperasi"] >= 10
    assert all(p.star_rating for p in parties if p.kind == "hotel")
    assert any(p.legal_form == "pt" and p.capital_idr and p.capital_idr > 10 * B for p in parties)
    values = sorted(p.value_idr for p in ds.purchases if p.value_idr is not None)
    assert values[len(values) // 2] < 200_000_000  # many small purchases...
    assert 5 <= sum(v > 15 * B for v in values) <= 20  # ...and few above Rp15 bn
    assert {p.date.year for p in ds.purchases if p.date} == {2025, 2026, 2027}
    assert {p.stage for p in ds.purchases} == {"plan", "award", "contract"}
    assert len({p.ppk_id for p in ds.purchases if p.ppk_id}) > 60


# --- clause coverage: a small independent reading of the draft ---------------------------


def scale(p):
    """KMT-06: capital, else annual sales, else the declared scale."""
    if p.capital_idr is not None:
        c = p.capital_idr
        return "mikro" if c <= 1 * B else "kecil" if c <= 5 * B else "menengah" if c <= 10 * B else "besar"
    if p.annual_sales_idr is not None:
        s = p.annual_sales_idr
        return "mikro" if s <= 2 * B else "kecil" if s <= 15 * B else "menengah" if s <= 50 * B else "besar"
    return p.scale


def umkk(p):
    if p.legal_form == "koperasi":
        return True
    s = scale(p)
    return None if s is None else s in ("mikro", "kecil")


def local(p):
    return p.kabupaten == "Kutai Timur"


def outcomes_share(groups: dict, threshold) -> set[str]:
    return {"violation" if part < threshold * total else "compliant" for total, part in groups.values() if total}


def coverage(ds) -> dict[str, set[str]]:
    P = ds.parties
    pd = lambda x: P[x.buyer_id].kind == "perangkat_daerah"  # noqa: E731
    out: dict[str, set[str]] = defaultdict(set)
    for p in P.values():
        if p.kind in ("umkm", "company", "koperasi"):
            out["KMT-06"].add("cannot_determine" if umkk(p) is None else "classified")
        if p.scale in ("mikro", "kecil"):
            out["KMT-07"].add("violation" if scale(p) in ("menengah", "besar") else "compliant")
    shares: dict[str, dict] = {"KMT-01": defaultdict(lambda: [0, 0]), "KMT-02": defaultdict(lambda: [0, 0])}
    for x in ds.purchases:
        if not pd(x) or x.value_idr is None or x.stage == "plan":
            continue
        for clause, key in (("KMT-01", x.buyer_id), ("KMT-02", x.ppk_id)):
            g = shares[clause][(key, x.date.year, x.stage)]
            g[0] += x.value_idr
            g[1] += x.value_idr if umkk(P[x.supplier_id]) else 0
    for clause, groups in shares.items():
        out[clause] |= outcomes_share(groups, 0.4)
        out[clause + " exact"] |= {"hit" for t, u in groups.values() if t and u * 10 == t * 4}
    partners = defaultdict(list)
    for k in ds.partnerships:
        if k.purchase_id:
            partners[k.purchase_id].append(k)
    for x in ds.purchases:
        if not pd(x) or x.procurement_type not in ("barang", "pekerjaan_konstruksi", "jasa_lainnya"):
            continue
        if x.value_idr is None:
            out["KMT-03"].add("cannot_determine")
        elif x.value_idr <= 15 * B:
            if x.stage == "plan":
                out["KMT-03"].add("compliant" if x.reserved_for_umkk or x.exemption_reason else "violation")
            else:
                u = umkk(P[x.supplier_id])
                out["KMT-03"].add("cannot_determine" if u is None else "compliant" if u or x.exemption_reason else "violation")
        elif x.stage != "plan" and not umkk(P[x.supplier_id]):
            ok = any(umkk(P[k.partner_id]) for k in partners[x.id])
            out["KMT-05"].add("compliant" if ok else "violation")
    for clause, cats, threshold in (("KMT-11", ("material_pasir_batu",), 0.5), ("KMT-12", ("seragam_sekolah", "seragam_guru"), 0.7)):
        groups = defaultdict(lambda: [0, 0])
        for x in ds.purchases:
            if pd(x) and x.category in cats and x.stage != "plan" and x.value_idr is not None and x.date.year >= 2027:
                s = P[x.supplier_id]
                g = groups[(x.buyer_id, x.stage)]
                g[0] += x.value_idr
                g[1] += x.value_idr if umkk(s) and local(s) else 0
                if clause == "KMT-12":
                    out["KMT-12 each"].add("compliant" if umkk(s) else "violation")
        out[clause] |= outcomes_share(groups, threshold)
    for x in ds.purchases:
        b = P[x.buyer_id]
        if b.kind == "desa":
            same = P[x.supplier_id].desa == b.desa
            out["KMT-14"].add("compliant" if same else "exempted" if x.exemption_reason else "violation")
    hotel_share = defaultdict(lambda: [0, 0])
    for x in ds.purchases:
        b = P[x.buyer_id]
        if b.kind in ("hotel", "restaurant") and x.category in ("makanan", "laundry") and x.date.year == 2027:
            s = P[x.supplier_id]
            g = hotel_share[x.buyer_id]
            g[0] += x.value_idr
            g[1] += x.value_idr if umkk(s) and local(s) else 0
    out["KMT-15 share"] |= outcomes_share(hotel_share, 0.2)
    out["KMT-15 share exact"] |= {"hit" for t, u in hotel_share.values() if u * 5 == t}
    in_2027 = dt.date(2027, 6, 30)  # the draft's own obligations start on obligations_from, 2027-01-01
    for b in P.values():
        for cat in ("makanan", "laundry"):
            if b.kind == "hotel" or (b.kind == "restaurant" and cat == "makanan"):
                ok = any(
                    k.party_id == b.id and cat in k.categories and k.written and umkk(P[k.partner_id]) and local(P[k.partner_id])
                    and (k.start_date is None or k.start_date <= in_2027) and (k.end_date is None or k.end_date >= in_2027)
                    for k in ds.partnerships
                )
                out["KMT-15 partnership"].add("compliant" if ok else "violation")
    for k in ds.partnerships:
        out["KMT-16"].add("compliant" if k.written and k.reported_to_dinas and k.pattern else "violation")
    return out


def test_every_clause_has_compliant_and_violating_cases(ds):
    cov = coverage(ds)
    for clause in ("KMT-01", "KMT-02", "KMT-03", "KMT-05", "KMT-07", "KMT-11", "KMT-12", "KMT-12 each", "KMT-14", "KMT-15 share", "KMT-15 partnership", "KMT-16"):
        assert {"compliant", "violation"} <= cov[clause], (clause, cov[clause])
    assert "exempted" in cov["KMT-14"]
    assert "cannot_determine" in cov["KMT-03"] and "cannot_determine" in cov["KMT-06"]
    assert cov["KMT-01 exact"] == {"hit"} and cov["KMT-02 exact"] == {"hit"}  # a share of exactly 40%
    assert cov["KMT-15 share exact"] == {"hit"}  # a hotel at exactly 20%


def test_planted_records_are_present(ds):
    ids = {p.id for p in ds.purchases}
    assert {"kmt01-busang-2026-awd-1", "kmt05-gedung-rsud-2026", "kmt12-seragam-2027-awd", "missing-value-2026"} <= ids
    missing = next(p for p in ds.purchases if p.id == "missing-value-2026")
    assert missing.value_idr is None
    nothing_known = ds.parties["umkm-tanpa-data"]
    assert (nothing_known.capital_idr, nothing_known.annual_sales_idr, nothing_known.scale) == (None, None, None)
    fronting = [p for p in ds.parties.values() if p.scale in ("mikro", "kecil") and scale(p) in ("menengah", "besar")]
    assert len(fronting) >= 3
    assert any(dict(p.extra).get("keterangan") for p in ds.purchases)
