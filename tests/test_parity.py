"""The durable engine and the reference engine give identical reports.

Hypothesis generates datasets with values on every threshold and missing fields, and
rulesets with random conditions; any difference is a bug in the DNF compiler or in the
durable-rules adapter (ARCHITECTURE.md section 5 lists how durable-rules can silently lose
or double results)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import perbup_rules as pr
from regbuilder import write_regulation
from strategies import condition_trees, datasets

KUTIM = pr.load_ruleset(pr.BUNDLED_RULES)


def _comparable(report: pr.Report) -> dict:
    d = report.to_dict()
    d.pop("engine")
    return d


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ds=datasets())
def test_engines_agree_on_the_kutim_draft(ds):
    a = pr.evaluate(KUTIM, ds, "durable")
    b = pr.evaluate(KUTIM, ds, "reference")
    assert _comparable(a) == _comparable(b)


ATOMS = [
    'buyer.kind == "perangkat_daerah"', "value_idr <= params.cap", "value_idr > params.small_max",
    "supplier.umkk", 'stage == "plan"', "reserved_for_umkk", "known(exemption_reason)",
    'category in ["makanan", "atk"]', 'date >= date("2025-07-01")', "known(ppk_id)", 'supplier.kabupaten == "Kutai Timur"',
]


def _trees(depth: int):
    return condition_trees(ATOMS, depth)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(applies=_trees(2), require=_trees(2), unless=st.lists(_trees(1), max_size=2), ds=datasets(max_purchases=15))
def test_engines_agree_on_generated_rulesets(applies, require, unless, ds):
    unless_yaml = "".join(
        f"\n    - id: e{i}\n      when: '{u}'\n      title: {{id: e{i}, en: e{i}}}" for i, u in enumerate(unless))
    clause = f"""
- id: G-01
  kind: each
  over: purchases
  title: {{id: Uji, en: Generated}}
  applies: '{applies}'
  require: '{require}'
  unless:{unless_yaml if unless else " []"}
"""
    with tempfile.TemporaryDirectory() as tmp:
        rs = pr.load_ruleset(write_regulation(Path(tmp) / "reg", clause))
    a = pr.evaluate(rs, ds, "durable")
    b = pr.evaluate(rs, ds, "reference")
    assert _comparable(a) == _comparable(b)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ds=datasets(max_purchases=12))
def test_posting_every_row_gives_the_same_report_as_posting_distinct_rows(ds):
    a = pr.evaluate(KUTIM, ds, "durable")
    b = pr.evaluate(KUTIM, ds, "durable-every-row")
    assert _comparable(a) == _comparable(b)
