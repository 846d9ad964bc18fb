"""Candidate pools (perbup_rules.candidates) rank exactly as judging every party per required partnership.

The reference below is the former algorithm: for each required partnership, ``where`` decided
for every party, every ``prefer`` decided per candidate, sorted by (prefer keys, id), candidate-only
parties with ``where`` unknown listed after. The pools must give the same lists, whole (``0``) and
as prefixes (``--max-candidates``), with ``candidate_count`` the whole list's length.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import perbup_rules as pr
from perbup_rules import Dataset, Partnership, Party, Purchase
from perbup_rules.atoms import Compiled, Ctx
from perbup_rules.compiler import decisions as D
from perbup_rules.engine import get_engine
from perbup_rules.errors import UsageError
from perbup_rules.judge import Judge
from regbuilder import ruleset

ENGINES = ["durable", "reference"]
KEC = ["Sangatta Utara", "Sangatta Selatan", "Bengalon", "Muara Wahau", "Kaliorang", None]
KAB = ["Kutai Timur", "Kutai Timur", "Kutai Timur", "Samarinda", None]
CATS = ["makanan", "laundry", "atk", "konstruksi"]


def reference(run: Judge, clause: dict, subject, category, year) -> tuple[tuple, tuple]:
    """(all candidates in rank order, the unverified ones): every party judged for this subject."""
    cand = clause["remedy"]["candidates"]
    decs = clause["decisions"]
    comp = Compiled(run.env, None, clause["over"])

    def tri(name, ctx):
        return D.decide(D.from_json(decs[name]), [comp.atom(a)(ctx, []) for a in decs[name]["atoms"]])

    parties = sorted(run.dataset.parties.values(), key=lambda p: p.id)
    ctxs = [Ctx(candidate=p, subject=subject, category=category, year=year,
                day=dt.date(year, 12, 31) if year else None) for p in parties]
    labels = [tri(cand["where"], c) for c in ctxs]
    chosen = [(p, c) for p, c, lab in zip(parties, ctxs, labels) if lab == "t"]
    maybe = [(p, c) for p, c, lab in zip(parties, ctxs, labels) if lab == "u" and p.id in run.dataset.candidates_only]

    def ranked(pairs):
        keys = [(tuple(0 if tri(n, c) == "t" else 1 for n in cand["prefer"]), p.id) for p, c in pairs]
        return tuple(pid for _k, pid in sorted(keys))
    return ranked(chosen) + ranked(maybe), ranked(maybe)


def check_against_reference(rs, ds: Dataset, engine: str, periods: list[int]) -> int:
    """Judge with all candidates and with the first 3; compare every required partnership to the reference."""
    checked = 0
    full = Judge(rs, ds, get_engine(engine), periods, None, None, max_candidates=0)
    full.run()
    short = Judge(rs, ds, get_engine(engine), periods, None, None, max_candidates=3)
    short.run()
    assert [(r.party, r.clause, r.period, r.category) for r in full.required] == \
        [(r.party, r.clause, r.period, r.category) for r in short.required]
    purchases = {p.id: p for p in ds.purchases}
    for r, s in zip(full.required, short.required):
        clause = rs.clause(r.clause)
        if not clause["remedy"].get("candidates"):
            continue
        subject = purchases[r.evidence[0] if r.evidence else r.purchase] if clause["over"] == "purchases" \
            else ds.parties[r.party]
        want, unverified = reference(full, clause, subject, r.category, r.period)
        assert r.candidates == want and r.unverified == unverified and r.candidate_count == len(want)
        assert s.candidates == want[:3] and s.candidate_count == len(want)
        assert s.unverified == tuple(c for c in want[:3] if c in unverified)
        checked += 1
    return checked


@st.composite
def many_suppliers(draw) -> tuple[Dataset, list[int]]:
    """Hotels, restaurants and PD purchases from non-UMKK winners over many local and other suppliers."""
    parties = [Party("pd1", "Dinas", "perangkat_daerah", kabupaten="Kutai Timur")]
    for i in range(draw(st.integers(1, 4))):
        parties.append(Party(f"h{i}", f"Hotel {i}", draw(st.sampled_from(["hotel", "restaurant"])),
                             legal_form="pt", capital_idr=50_000_000_000, annual_sales_idr=100_000_000_000,
                             kecamatan=draw(st.sampled_from(KEC)), kabupaten="Kutai Timur"))
    n = draw(st.integers(0, 40))
    for i in range(n):
        parties.append(Party(
            f"s{draw(st.integers(0, 999)):03d}x{i}", f"Usaha {i}", draw(st.sampled_from(["umkm", "koperasi", "company", None])),
            legal_form=draw(st.sampled_from(["pt", "cv", "ud", "koperasi", None])),
            scale=draw(st.sampled_from(["mikro", "kecil", "menengah", "besar", None])),
            capital_idr=draw(st.sampled_from([None, 100_000_000, 20_000_000_000])),
            kecamatan=draw(st.sampled_from(KEC)), kabupaten=draw(st.sampled_from(KAB)),
            supplies=tuple(draw(st.lists(st.sampled_from(CATS), max_size=3, unique=True)))))
    big = [Party(f"big{i}", f"PT Besar {i}", "company", "pt", capital_idr=50_000_000_000,
                 annual_sales_idr=100_000_000_000, kecamatan=draw(st.sampled_from(KEC)), kabupaten="Kutai Timur")
           for i in range(2)]
    parties += big
    purchases = [Purchase(f"p{j}", "award", "pd1", None, draw(st.sampled_from([b.id for b in big])),
                          draw(st.sampled_from(CATS)), "barang", None, 3_000_000_000, date=dt.date(2027, 3, 1 + j))
                 for j in range(draw(st.integers(0, 5)))]
    ds = Dataset.build(parties, purchases, [])
    # some suppliers are a registry's candidate-only businesses (listed last when `where` is unknown)
    ds.candidates_only |= {p.id for p in parties[1:] if p.id.startswith("s") and draw(st.booleans())}
    return ds, [2027]


@pytest.fixture(scope="module")
def kutim():
    return pr.load_ruleset(pr.BUNDLED_RULES)


@pytest.mark.parametrize("engine", ENGINES)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=many_suppliers())
def test_pools_rank_as_judging_every_party(kutim, engine, data):
    ds, periods = data
    check_against_reference(kutim, ds, engine, periods)


def test_example_data_ranks_as_before(kutim):
    ds = pr.load_dataset(pr.EXAMPLE_DATA)
    pr.categorize(ds, kutim)
    assert check_against_reference(kutim, ds, "durable", ds.periods()) > 20


GENERAL = """
- id: E-01
  kind: exists
  over: parties
  title: {id: Hotel bermitra, en: Hotel partners}
  valid_from: 2026-01-01
  applies: kind == "hotel"
  categories: [makanan, laundry]
  related: partnerships
  link: party_id
  match: written and partner.umkk and category in categories
  remedy:
    party: id
    candidates:
      where: candidate.umkk and category in candidate.supplies and candidate.kecamatan != subject.desa
      prefer: PREFER
"""

PREFERS = {
    # two equalities: both indexed
    "two_indexed": "[candidate.kecamatan == subject.kecamatan, candidate.desa == subject.kecamatan]",
    # a comparison with a parameter: ranked by the engine per pool member
    "general": "[candidate.capital_idr <= params.small_max, candidate.kecamatan == subject.kecamatan]",
    # a negated equality: first when different, ranked per member
    "negated": "[not (candidate.kecamatan == subject.kecamatan)]",
    "none": "[]",
}


@st.composite
def hotels(draw) -> Dataset:
    places = ["A", "B", "C", None]
    parties = [Party(f"h{i}", f"Hotel {i}", "hotel", kecamatan=draw(st.sampled_from(places)),
                     desa=draw(st.sampled_from(places))) for i in range(draw(st.integers(1, 4)))]
    for i in range(draw(st.integers(0, 25))):
        parties.append(Party(f"u{i:02d}", f"Usaha {i}", "umkm", draw(st.sampled_from(["ud", "koperasi", None])),
                             capital_idr=draw(st.sampled_from([None, 10, 500])),
                             kecamatan=draw(st.sampled_from(places)), desa=draw(st.sampled_from(places)),
                             supplies=tuple(draw(st.lists(st.sampled_from(["makanan", "laundry"]), max_size=2,
                                                          unique=True)))))
    ds = Dataset.build(parties, [], [Partnership("k1", "h0", parties[-1].id, "perdagangan_umum", ("makanan",),
                                                 dt.date(2025, 1, 1), None, True, True)])
    ds.candidates_only |= {p.id for p in parties if p.id.startswith("u") and draw(st.booleans())}
    return ds


@pytest.mark.parametrize("prefer", sorted(PREFERS))
def test_general_rankings(tmp_path_factory, prefer):
    """``where`` reading a subject field, several indexed preferences, and preferences the index cannot
    serve (a parameter, a negation) rank as the reference does, on both engines."""
    rs = ruleset(tmp_path_factory.mktemp(prefer), GENERAL.replace("PREFER", PREFERS[prefer]))

    @settings(max_examples=30, deadline=None)
    @given(ds=hotels(), engine=st.sampled_from(ENGINES))
    def check(ds, engine):
        check_against_reference(rs, ds, engine, [2026])
    check()


def test_where_is_decided_by_the_engine_once_per_party_category_and_year(kutim):
    """KMT-15.1's ``where`` reads no subject field: one engine call per (category, year), at most
    one row per party (one per group of parties reading the same values: perbup_rules.party_rows)."""
    ds = pr.load_dataset(pr.EXAMPLE_DATA)
    pr.categorize(ds, kutim)
    calls: list[tuple] = []
    report = pr.evaluate(kutim, ds, "durable", tracer=lambda c, d, rows, labels: calls.append((c, d, len(rows))))
    for cid in ("KMT-05", "KMT-15.1", "KMT-15.2"):
        made = [n for c, d, n in calls if c == cid and d == "candidates"]
        required = [r for r in report.required_partnerships if r.clause == cid]
        pools = {(r.category, r.period) for r in required}
        assert len(made) == len(pools) and all(0 < n < len(ds.parties) for n in made)


def test_max_candidates_is_a_count(kutim):
    ds = pr.load_dataset(pr.EXAMPLE_DATA)
    for bad in (-1, 1.5, True, "20"):
        with pytest.raises(UsageError):
            pr.evaluate(kutim, ds, "reference", max_candidates=bad)


@pytest.mark.parametrize("cap", ["0", "3"])
def test_cli_max_candidates_lists_the_first_n_and_counts_all(tmp_path, cap):
    """``perbup audit --max-candidates N``: the first N of the full ranking, the same count, on both paths;
    Markdown and HTML show the count and how many more there are."""
    import json

    from click.testing import CliRunner

    from perbup_rules.cli import main

    runner = CliRunner()
    out = {}
    for name, args in (("all", ["--max-candidates", "0"]), ("cap", ["--max-candidates", cap]),
                       ("bulk", ["--bulk", "--max-candidates", cap])):
        res = runner.invoke(main, ["audit", "--format", "json", "-o", str(tmp_path / name), "-q", *args])
        assert res.exit_code == 0, res.output
        out[name] = json.loads((tmp_path / name).read_text(encoding="utf-8"))["required_partnerships"]
    n = int(cap) or None
    assert out["all"] and any(len(r["candidates"]) > 3 for r in out["all"])
    assert [{**r, "candidates": r["candidates"][:n]} for r in out["all"]] == out["cap"] == out["bulk"]
    assert all(r["candidate_count"] == len(r["candidates"]) for r in out["all"])
    for fmt in ("md", "html"):
        res = runner.invoke(main, ["audit", "--format", fmt, "-o", str(tmp_path / fmt), "-q", "--max-candidates", cap])
        assert res.exit_code == 0, res.output
        text = (tmp_path / fmt).read_text(encoding="utf-8")
        more = [r["candidate_count"] - len(r["candidates"]) for r in out["cap"]]
        assert ("more (JSON: " in text) == any(more)
        assert "Jumlah calon" in text


def test_cli_refuses_a_negative_max_candidates():
    from click.testing import CliRunner

    from perbup_rules.cli import main

    res = CliRunner().invoke(main, ["audit", "--max-candidates", "-1"])
    assert res.exit_code == 2
