"""The durable-rules adapter: isolation, reuse and failure behaviour."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

import perbup_rules as pr
from perbup_rules import Dataset, Party, Purchase
from perbup_rules.engine import durable, get_engine
from perbup_rules.errors import EngineError, UsageError
from regbuilder import ruleset

CLAUSE = """
- id: R-01
  kind: each
  over: purchases
  title: {{id: Uji, en: Test}}
  applies: value_idr <= {cap}
  require: supplier.umkk
"""

PARTIES = [Party("pd", kind="perangkat_daerah"), Party("s", kind="umkm", legal_form="ud", capital_idr=1),
           Party("b", kind="company", legal_form="pt", capital_idr=10**12)]


def data(n: int) -> Dataset:
    return Dataset.build(PARTIES, [Purchase(f"p{i}", "award", "pd", None, "s" if i % 2 else "b", value_idr=i,
                                            date=dt.date(2026, 1, 1)) for i in range(n)])


def test_many_rulesets_in_one_process_do_not_interfere(tmp_path):
    sets = [ruleset(tmp_path / f"r{cap}", CLAUSE.format(cap=cap)) for cap in (3, 5, 7)]
    ds = data(10)
    alone = [pr.evaluate(rs, ds, "durable").to_json() for rs in sets]
    # interleaved, again and again: same results, and each draft keeps its own threshold
    for _ in range(3):
        for rs, want in zip(sets, alone):
            assert pr.evaluate(rs, ds, "durable").to_json() == want
    counts = [sum(f.status.value == "not_applicable" for f in pr.evaluate(rs, ds, "durable").findings if f.clause == "R-01")
              for rs in sets]
    assert counts == [6, 4, 2]


def test_recompiling_the_same_draft_reuses_its_rulesets(tmp_path):
    a = ruleset(tmp_path / "a", CLAUSE.format(cap=3))
    pr.evaluate(a, data(4), "durable")
    before = durable.registered_rulesets()
    b = ruleset(tmp_path / "b", CLAUSE.format(cap=3))  # same meaning, other folder: same fingerprint
    assert a.fingerprint == b.fingerprint
    pr.evaluate(b, data(4), "durable")
    assert durable.registered_rulesets() == before


def test_threads_give_the_same_results_as_one_at_a_time(tmp_path):
    sets = [ruleset(tmp_path / f"t{cap}", CLAUSE.format(cap=cap)) for cap in (2, 4, 6, 8)]
    datas = [data(n) for n in (5, 9, 13)]
    jobs = [(rs, ds) for rs in sets for ds in datas]
    serial = [pr.evaluate(rs, ds, "durable").to_json() for rs, ds in jobs]
    with ThreadPoolExecutor(max_workers=6) as pool:
        parallel = list(pool.map(lambda job: pr.evaluate(job[0], job[1], "durable").to_json(), jobs * 3))
    assert parallel == serial * 3


def test_durable_threads_do_not_pile_up(tmp_path):
    # durable-rules runs short-lived timer threads (they come and go); what must not happen is
    # a thread (or a host) per evaluation: 60 evaluations would then leave 60+ threads
    rs = ruleset(tmp_path / "th", CLAUSE.format(cap=3))
    ds = data(6)
    seen = []
    for _ in range(60):
        pr.evaluate(rs, ds, "durable")
        seen.append(threading.active_count())
    assert max(seen) <= 12, seen


def test_a_row_matching_no_rule_is_an_engine_error_not_a_silent_default(tmp_path):
    rs = ruleset(tmp_path / "x", CLAUSE.format(cap=3))
    eng = get_engine("durable")
    with pytest.raises(EngineError) as err:
        eng.decide(rs, "R-01", "verdict", [["x", "t", "t"]])  # 'x' is no atom value
    assert err.value.code == "engine_contract"


def test_unknown_engine_is_a_usage_error():
    with pytest.raises(UsageError):
        get_engine("drools")
