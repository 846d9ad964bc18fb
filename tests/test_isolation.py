"""No state leaks between evaluations, engine failures never pass silently, threads are safe.

* 1,000 evaluations alternating three drafts and both engines give, every time, the report of
  the first evaluation of that (draft, engine) pair; memory does not grow; the durable-rules
  host registers each draft's rulesets once.
* A durable-rules failure (an exception in ``post``, or an action that never ran) surfaces as
  :class:`perbup_rules.EngineError` with its code and the clause, and the next evaluation works.
* Threads evaluating different drafts and datasets with both engines give the serial results.
"""

from __future__ import annotations

import datetime as dt
import gc
import itertools
import json
import random
import tempfile
import tracemalloc
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import perbup_rules as pr
from perbup_rules import Dataset, EngineError, Partnership, Party, Purchase
from perbup_rules.engine import durable
from regbuilder import PARAMS, write_regulation
from strategies import datasets

CLAUSES = """
- id: R-01
  kind: each
  over: purchases
  title: {{id: Uji, en: Test}}
  applies: value_idr <= {cap}
  require: supplier.umkk
  unless:
    - id: e1
      when: known(exemption_reason)
      title: {{id: Pengecualian, en: Exemption}}
- id: R-03
  kind: exists
  over: purchases
  title: {{id: Mitra, en: Partner}}
  applies: value_idr > {cap} and not supplier.umkk
  link: purchase_id
  match: partner.umkk and start_date <= params.deadline
"""

SHARE = """
- id: R-02
  kind: share
  title: {{id: Porsi, en: Share}}
  applies: buyer.kind == "perangkat_daerah"
  subject: buyer_id
  part:
    - {{when: supplier.umkk, value_from: value_idr}}
  at_least: params.share_min
"""

DEADLINE = """\
deadline:
  title: {{id: Batas waktu, en: Deadline}}
  unit: date
  basis: draft
  values:
    - {{from: 2020-01-01, value: {deadline}, reference: test}}
"""

#: Three drafts: other thresholds in the clauses and in params.yaml (the tracemalloc run makes
#: every evaluation ~7x slower, so these drafts are small: each and exists, no share clause).
DRAFTS = [(3, "0.40", "2025-06-01"), (5, "0.50", "2026-01-01"), (7, "0.60", "2030-01-01")]


def _ruleset(root: Path, cap: int, share: str, deadline: str, share_clause: bool = False) -> pr.Ruleset:
    params = PARAMS.replace("value: 0.40", f"value: {share}") + DEADLINE.format(deadline=deadline)
    clauses = CLAUSES + (SHARE if share_clause else "")
    return pr.load_ruleset(write_regulation(root / f"cap{cap}{share_clause}", clauses.format(cap=cap), params=params))


def small_dataset() -> Dataset:
    parties = [Party("pd", "Dinas", "perangkat_daerah"), Party("pd2", "Dinas 2", "perangkat_daerah"),
               Party("s", "UMKM", "umkm", legal_form="ud", capital_idr=1),
               Party("b", "PT", "company", legal_form="pt", capital_idr=10**12),
               Party("k", "Koperasi", "koperasi", legal_form="koperasi"), Party("x", "Tanpa data", "company")]
    sup = ["s", "b", "k", "x", None]
    purchases = [Purchase(f"p{i}", ("plan", "award", "contract")[i % 3], "pd" if i % 4 else "pd2", f"ppk{i % 2}",
                          sup[i % 5], value_idr=None if i == 7 else i, exemption_reason="teknis" if i == 8 else None,
                          date=dt.date(2025 + i % 2, 1 + i, 1)) for i in range(10)]
    partnerships = [Partnership("k1", "b", "s", "subkontrak", start_date=dt.date(2025, 1, 1), purchase_id="p6"),
                    Partnership("k2", "b", "k", "subkontrak", start_date=dt.date(2026, 1, 1), purchase_id="p1")]
    return Dataset.build(parties, purchases, partnerships)


@pytest.fixture(scope="module")
def drafts():
    with tempfile.TemporaryDirectory() as tmp:
        yield [_ruleset(Path(tmp), *d) for d in DRAFTS]


@pytest.fixture(scope="module")
def share_drafts():
    with tempfile.TemporaryDirectory() as tmp:
        yield [_ruleset(Path(tmp), *d, share_clause=True) for d in DRAFTS]


def test_the_drafts_differ(drafts, share_drafts):
    # otherwise the isolation tests below would prove nothing
    ds = small_dataset()
    for sets in (drafts, share_drafts):
        reports = [pr.evaluate(rs, ds, "reference").to_dict() for rs in sets]
        assert len({rs.fingerprint for rs in sets}) == 3
        for clause in {f["clause"] for f in reports[0]["findings"]} - {"DEF-01"}:
            per_draft = [[f for f in r["findings"] if f["clause"] == clause] for r in reports]
            assert per_draft[0] != per_draft[1] != per_draft[2] != per_draft[0], clause


def test_a_thousand_alternating_evaluations_give_the_same_reports_in_constant_memory(drafts):
    ds = small_dataset()
    pairs = [(i, engine) for i in range(len(drafts)) for engine in ("durable", "reference")]
    first: dict = {}
    registered_after_first_round = None
    sizes: dict[int, int] = {}
    tracemalloc.start()
    try:
        for n in range(1, 1001):
            i, engine = pairs[(n - 1) % len(pairs)]
            got = pr.evaluate(drafts[i], ds, engine)  # Report is a dataclass: == compares every field
            want = first.setdefault((i, engine), got)
            assert got == want, (n, i, engine, got.to_json())
            if n == len(pairs):
                registered_after_first_round = durable.registered_rulesets()
                # both engines agree, too
                for j in range(len(drafts)):
                    a, b = first[(j, "durable")].to_dict(), first[(j, "reference")].to_dict()
                    assert (a.pop("engine"), b.pop("engine")) == ("durable", "reference")
                    assert a == b
            if n in (100, 1000):
                gc.collect()
                sizes[n] = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert durable.registered_rulesets() == registered_after_first_round
    growth = sizes[1000] - sizes[100]
    assert growth < 5 * 2**20, f"traced memory grew by {growth / 2**20:.2f} MB from evaluation 100 to 1000"


# --- failures of durable-rules surface --------------------------------------------------

ONE_CLAUSE = """
- id: F-01
  kind: each
  over: purchases
  title: {id: Uji, en: Test}
  applies: value_idr <= 4
  require: supplier.umkk
"""


@pytest.fixture(scope="module")
def one_clause():
    with tempfile.TemporaryDirectory() as tmp:
        yield pr.load_ruleset(write_regulation(Path(tmp) / "f", ONE_CLAUSE, with_classify=True))


def test_an_exception_in_post_is_an_engine_failure_naming_the_clause(one_clause, monkeypatch):
    ds = small_dataset()
    want = pr.evaluate(one_clause, ds, "durable").to_json()
    host = durable._host()
    real_post = host.post
    posted = []

    def flaky(name, event):
        posted.append(name)
        if len(posted) == 1:
            raise RuntimeError("simulated durable-rules crash")
        return real_post(name, event)

    monkeypatch.setattr(host, "post", flaky)
    with pytest.raises(EngineError) as err:
        pr.evaluate(one_clause, ds, "durable")
    assert err.value.code == "engine_failure"
    failed_clause = next(c["id"] for c in one_clause.clauses if f"_{c['id'].replace('-', '_')}_" in posted[0])
    assert f"{failed_clause}/" in str(err.value), str(err.value)
    assert "simulated durable-rules crash" in str(err.value)
    assert isinstance(err.value.__cause__, RuntimeError)
    # the failure was once: the next evaluation (through the same patched host) works again
    assert pr.evaluate(one_clause, ds, "durable").to_json() == want
    monkeypatch.undo()
    assert pr.evaluate(one_clause, ds, "durable").to_json() == want


@pytest.mark.parametrize("times", [0, 2])
def test_an_action_that_did_not_run_exactly_once_is_a_contract_error(one_clause, monkeypatch, times):
    ds = small_dataset()
    want = pr.evaluate(one_clause, ds, "durable").to_json()
    host = durable._host()
    real_post = host.post

    ids = itertools.count(10**12)  # fresh event ids, far from the adapter's counter

    def post(name, event):  # 0: a no-op (the action never ran); 2: the action ran twice
        for _ in range(times):
            real_post(name, dict(event, id=next(ids)))

    monkeypatch.setattr(host, "post", post)
    with pytest.raises(EngineError) as err:
        pr.evaluate(one_clause, ds, "durable")
    assert err.value.code == "engine_contract"
    assert f"{times} outcomes" in str(err.value)
    assert any(f"{c['id']}/" in str(err.value) for c in one_clause.clauses), str(err.value)
    monkeypatch.undo()
    assert pr.evaluate(one_clause, ds, "durable").to_json() == want


def test_the_reference_engine_does_not_touch_durable(one_clause, monkeypatch):
    def broken(name, event):
        raise AssertionError("the reference engine posted to durable-rules")

    monkeypatch.setattr(durable._host(), "post", broken)
    pr.evaluate(one_clause, small_dataset(), "reference")


# --- threads ------------------------------------------------------------------------------

KUTIM = pr.load_ruleset(pr.BUNDLED_RULES)


@pytest.fixture(scope="module")
def thread_drafts(share_drafts):
    return [KUTIM, share_drafts[0], share_drafts[2]]


def _job(job):
    rs, ds, engine = job
    report = pr.evaluate(rs, ds, engine)
    return report.to_json()


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(sets=st.lists(datasets(max_purchases=12), min_size=3, max_size=3), seed=st.integers(0, 2**16))
def test_threads_mixing_drafts_datasets_and_engines_give_the_serial_results(thread_drafts, sets, seed):
    jobs = [(rs, ds, engine) for rs in thread_drafts for ds in sets + [small_dataset()] for engine in ("durable", "reference")]
    serial = [_job(j) for j in jobs]
    order = list(range(len(jobs))) * 2
    random.Random(seed).shuffle(order)
    with ThreadPoolExecutor(max_workers=8) as pool:
        parallel = list(pool.map(lambda k: _job(jobs[k]), order))
    assert parallel == [serial[k] for k in order]
    # and the two engines agree on every job
    for k in range(0, len(jobs), 2):
        a, b = json.loads(serial[k]), json.loads(serial[k + 1])
        assert (a.pop("engine"), b.pop("engine")) == ("durable", "reference")
        assert a == b
