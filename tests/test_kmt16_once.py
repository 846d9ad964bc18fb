"""KMT-16 once per partnership and the transitional KMT-16.T (issue 13, "KMT-16").

The scenario files (rules/kutim-kemitraan/tests/pasal-10.yaml and pasal-12.yaml) pin each reading
on both engines; this module checks the readings as properties of generated partnerships around
every date that matters (obligations_from, the transition deadline, the years around them), on
both engines and on the bulk path, and the compiler's checks of ``once_on``/``transition_of``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import perbup_rules as pr
from perbup_rules import Dataset, Partnership, Party, Purchase
from perbup_rules.bulk import as_counted, audit
from perbup_rules.errors import PerbupError
from perbup_rules.findings import Status
from perbup_rules.importers.writer import write_dataset

KUTIM = pr.load_ruleset(pr.BUNDLED_RULES)
O = dt.date(2027, 1, 1)  # params.obligations_from
DEADLINE = dt.date(2027, 6, 30)  # params.transition_deadline
STARTS = [None, dt.date(2025, 6, 1), dt.date(2026, 12, 31), O, dt.date(2027, 6, 30), dt.date(2028, 2, 1)]
ENDS = [None, dt.date(2026, 12, 31), O, dt.date(2028, 12, 31)]
REPORTED = [None, dt.date(2026, 5, 1), DEADLINE, DEADLINE + dt.timedelta(days=1), dt.date(2028, 3, 1)]
opt = lambda s: st.one_of(st.none(), s)  # noqa: E731

PARTIES = [
    Party("pt", "PT Besar", "company", legal_form="pt", capital_idr=900_000_000_000, kabupaten="Kutai Timur"),
    Party("kop", "Koperasi", "koperasi", legal_form="koperasi", kabupaten="Kutai Timur"),
    Party("pd", "Dinas", "perangkat_daerah", kabupaten="Kutai Timur"),
]
# purchases only set the audited periods (2027 and 2028) and let the bulk path run
PURCHASES = [Purchase(id=f"p{y}", stage="award", buyer_id="pd", supplier_id="kop", category="atk",
                      procurement_type="barang", value_idr=100, date=dt.date(y, 3, 1)) for y in (2027, 2028)]


@st.composite
def partnerships(draw) -> list[Partnership]:
    out = []
    for k in range(draw(st.integers(1, 6))):
        start = draw(st.sampled_from(STARTS))
        end = draw(st.sampled_from([e for e in ENDS if e is None or start is None or e >= start]))
        out.append(Partnership(id=f"k{k}", party_id="pt", partner_id="kop", pattern=draw(opt(st.sampled_from(["subkontrak", "barter"]))),
                               start_date=start, end_date=end, written=draw(opt(st.booleans())),
                               reported_to_dinas=draw(opt(st.booleans())), reported_date=draw(st.sampled_from(REPORTED))))
    return out


def _ds(ks: list[Partnership]) -> Dataset:
    return Dataset.build(PARTIES, PURCHASES, ks)


def _kmt16(report: pr.Report) -> dict[str, list]:
    out: dict[str, list] = {}
    for f in report.findings:
        if f.clause in ("KMT-16", "KMT-16.T"):
            out.setdefault(f.subject, []).append(f)
    return out


def _comparable(report: pr.Report) -> dict:
    d = report.to_dict()
    d.pop("engine")
    return d


def _expected_dated(k: Partnership) -> tuple[str, int] | None:
    """(clause, period) the reading gives a dated partnership in an audit of 2027 and 2028."""
    if k.start_date >= O:
        return ("KMT-16", k.start_date.year) if k.start_date.year in (2027, 2028) else None
    if k.end_date is None or k.end_date >= O:
        return ("KMT-16.T", 2027)
    return None  # started and ended before obligations_from: no finding


def _expected_status(k: Partnership, clause: str) -> Status:
    """The verdict of each reading, written out independently of the rule files (Kleene)."""
    if k.written is False:
        return Status.VIOLATION
    if clause == "KMT-16":
        reported = True if k.reported_date is not None else k.reported_to_dinas
    elif k.reported_date is not None:
        reported = k.reported_date <= DEADLINE
    else:
        reported = None if k.reported_to_dinas is not False else False
    if reported is False:
        return Status.VIOLATION
    if k.written is None or reported is None:
        return Status.CANNOT_DETERMINE
    return Status.COMPLIANT


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ks=partnerships())
def test_once_per_partnership_in_its_period_with_the_decided_verdict(ks):
    report = pr.evaluate(KUTIM, _ds(ks), "reference")
    got = _kmt16(report)
    for k in ks:
        found = got.get(k.id, [])
        assert len(found) <= 1, found  # one finding per partnership, never one per year or two clauses
        if k.start_date is None:
            if k.end_date is not None and k.end_date < O:
                assert found == []
            else:
                assert [(f.clause, f.period) for f in found] == [("KMT-16", None)]
            continue
        want = _expected_dated(k)
        assert [(f.clause, f.period) for f in found] == ([want] if want else [])
        if want:
            assert found[0].status is _expected_status(k, want[0]), (k, found[0])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ks=partnerships())
def test_an_unknown_start_gives_what_both_readings_agree_on_else_cannot_determine(ks):
    ks = [dataclasses.replace(k, start_date=None) for k in ks]
    report = pr.evaluate(KUTIM, _ds(ks), "reference")
    got = _kmt16(report)
    for k in ks:
        if k.end_date is not None and k.end_date < O:
            assert k.id not in got
            continue
        (f,) = got[k.id]
        readings = {_expected_status(k, "KMT-16"), _expected_status(k, "KMT-16.T")}
        if len(readings) == 1 and readings != {Status.CANNOT_DETERMINE}:
            assert f.status is readings.pop(), (k, f)
        else:
            assert f.status is Status.CANNOT_DETERMINE and "start_date" in f.missing, (k, f)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ks=partnerships(), as_if=st.booleans())
def test_both_engines_and_the_bulk_path_agree(ks, as_if):
    ds = _ds(ks)
    ref = pr.evaluate(KUTIM, ds, "reference", as_if_in_force=as_if)
    assert _comparable(ref) == _comparable(pr.evaluate(KUTIM, ds, "durable", as_if_in_force=as_if))
    with tempfile.TemporaryDirectory() as tmp:
        write_dataset(ds, tmp)
        bulk = audit(KUTIM, tmp, "reference", as_if_in_force=as_if)
        per = as_counted(pr.evaluate(KUTIM, pr.load_dataset(tmp), "reference", as_if_in_force=as_if))
    a, b = _comparable(per), _comparable(bulk)
    assert a["findings"] == b["findings"]
    assert a == b


@pytest.mark.parametrize("engine", ["reference", "durable"])
def test_the_bundled_example_shows_both_clauses_with_every_status(engine):
    report = pr.evaluate(KUTIM, pr.load_dataset(pr.EXAMPLE_DATA), engine)
    bulk = audit(KUTIM, pr.EXAMPLE_DATA, engine)
    mine = [f for f in report.findings if f.clause.startswith("KMT-16")]
    assert [f.to_dict() for f in mine] == [f.to_dict() for f in bulk.findings if f.clause.startswith("KMT-16")]
    for clause in ("KMT-16", "KMT-16.T"):
        assert {f.status for f in mine if f.clause == clause} >= {Status.COMPLIANT, Status.VIOLATION, Status.CANNOT_DETERMINE}
    assert {f.period for f in mine if f.clause == "KMT-16.T"} == {2027}
    assert any(f.period is None for f in mine)  # the partnership without a start date...
    undated = [k.id for k in pr.load_dataset(pr.EXAMPLE_DATA).partnerships if k.start_date is None]
    assert undated and all({"table": "partnerships", "id": i, "missing": ["start_date"]} in report.to_dict()["data_quality"]
                           for i in undated)  # ...is listed once in data_quality
    # the unlisted pattern is kept, not rejected
    ds = pr.load_dataset(pr.EXAMPLE_DATA)
    assert not [r for r in ds.rejected if r.table == "partnerships"]
    assert {k.pattern_text for k in ds.partnerships if k.pattern == "lainnya"} >= {"barter", "kerja sama CSR"}


def test_as_if_in_force_has_no_transition_on_the_example():
    report = pr.evaluate(KUTIM, pr.load_dataset(pr.EXAMPLE_DATA), "reference", as_if_in_force=True)
    mine = [f for f in report.findings if f.clause.startswith("KMT-16")]
    assert mine and all(f.clause == "KMT-16" and f.as_if_in_force for f in mine)
    assert {f.period for f in mine} >= {2025, 2026, 2027}
    assert len({f.subject for f in mine}) == len(mine)  # once per partnership


# --- the compiler's checks ------------------------------------------------------------------


def _copy(tmp_path: Path) -> Path:
    dst = tmp_path / "rules"
    shutil.copytree(pr.BUNDLED_RULES, dst)
    return dst


def _codes(root: Path) -> list[str]:
    try:
        pr.load_ruleset(root)
    except PerbupError as err:
        return sorted(d.code for d in err.diagnostics)
    return []


@pytest.mark.parametrize("old,new", [
    ("once_on: start_date", "once_on: written"),  # not a date field
    ("once_on: start_date", "once_on: params.umkk_share_min"),  # not a date parameter
    ("once_on: params.obligations_from", "once_on: params.obligation_from"),  # no such parameter
    ("transition_of: KMT-16", "transition_of: KMT-15.1"),  # not an each clause with once_on
])
def test_once_on_and_transition_of_are_checked(tmp_path, old, new):
    root = _copy(tmp_path)
    for p in root.glob("pasal-*.yaml"):
        text = p.read_text(encoding="utf-8")
        if old in text:
            p.write_text(text.replace(old, new), encoding="utf-8")
            break
    else:
        pytest.fail(f"{old!r} not found")
    assert _codes(root), new
