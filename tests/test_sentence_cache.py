"""Remembered sentences (perbup_rules.sentence_cache) and the finding encoder of the JSON writer
(perbup_rules.report.stream.finding) give exactly the text of the ways they replace."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from strategies import datasets

import perbup_rules as pr
from perbup_rules import sentence_cache, violation_text
from perbup_rules.atoms import Missing
from perbup_rules.findings import Status, Text
from perbup_rules.i18n import phrases
from perbup_rules.report import stream

KUTIM = pr.load_ruleset(pr.BUNDLED_RULES)


def test_keys_tell_apart_values_that_print_differently():
    k = sentence_cache._key
    assert k(Decimal("1.0")) != k(Decimal(1))
    assert k(True) != k(1) and k(1) != k(1.0) and k(0.0) != k(-0.0)
    assert k(dt.date(2025, 1, 2)) != k(dt.datetime(2025, 1, 2))
    assert k(Fraction(1, 2)) == k(Fraction(2, 4))
    assert k(("a", "b")) != k(["a", "b"]) and k(("a", "b")) != k(("b", "a"))
    assert k(Missing("x.y")) == k(Missing("z"))  # a sentence only asks whether it is missing
    assert k(object()) is None and k((1, object())) is None  # unknown kinds are never remembered


def _uncached(atom, value, comp, ctx):
    def get(node):
        return comp.value(node)(ctx)

    return tuple(phrases.sentence(atom, value, get, lang, comp.table, comp.subject_table,
                                  lambda v: isinstance(v, Missing)) for lang in ("id", "en"))


def _texts(report) -> list[tuple]:
    return [(f.clause, f.subject, f.period, f.stage, f.status.value, f.explanation.id, f.explanation.en)
            for f in report.findings]


def _explained_both_ways(evaluate, monkeypatch) -> list[tuple]:
    with monkeypatch.context() as m:
        m.setattr(sentence_cache, "sentences", _uncached)
        m.setattr(violation_text, "deferred", lambda *a, **k: None)  # every text made per record
        want = _texts(evaluate())
    got = _texts(evaluate())
    assert got == want
    with monkeypatch.context() as m:
        m.setattr(sentence_cache, "LIMIT", 2)  # the table empties and starts again, often
        assert _texts(evaluate()) == want
    return want


def test_example_explanations_are_those_of_phrases_sentence(monkeypatch):
    def evaluate():
        ds = pr.load_dataset(pr.EXAMPLE_DATA)
        pr.categorize(ds, KUTIM)
        return pr.evaluate(KUTIM, ds, "durable")

    texts = _explained_both_ways(evaluate, monkeypatch)
    assert sum(t[4] == "violation" for t in texts) >= 5  # the lazily explained verdicts are there


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(ds=datasets())
def test_generated_explanations_are_those_of_phrases_sentence(ds, monkeypatch):
    _explained_both_ways(lambda: pr.evaluate(KUTIM, ds, "reference", periods=[2025, 2026, 2027]), monkeypatch)


@pytest.fixture(scope="module")
def example():
    ds = pr.load_dataset(pr.EXAMPLE_DATA)
    pr.categorize(ds, KUTIM)
    return pr.evaluate(KUTIM, ds, "durable")


def _variants(f):
    """The finding, and copies that exercise every optional and unusual value of the JSON contract."""
    yield f
    yield dataclasses.replace(f, as_if_in_force=True, assumptions=("pagu", "scale"))
    yield dataclasses.replace(f, evidence=("p1", "p\"2"), evidence_count=9, missing=("a", "b"), channels=())
    yield dataclasses.replace(f, channels=("lkpp", "unknown"), subject=None, period=None, stage="plan",
                              explanation=Text("=baris\nkedua", "tab\there ü"))


def test_finding_encoder_is_dump_of_to_dict(example):
    assert example.findings
    for f in example.findings:
        for g in _variants(f):
            assert stream.finding(g) == stream.dump(g.to_dict(), "    ")
    assert stream._finding_encoder(example.findings[0]) is stream.finding


def test_finding_encoder_gives_way_when_to_dict_changes(example, monkeypatch):
    f = example.findings[0]
    original = type(f).to_dict
    monkeypatch.setattr(type(f), "to_dict", lambda self: {**original(self), "new_key": 1})
    assert stream._finding_encoder(f) is stream._generic
    assert "new_key" in "".join(stream.iter_json(example))


def test_finding_status_is_its_code(example):
    f = dataclasses.replace(example.findings[0], status=Status.CANNOT_DETERMINE)
    assert '"status": "cannot_determine"' in stream.finding(f)


def test_a_template_is_trusted_only_after_a_second_value_gave_what_it_predicts():
    tpl = sentence_cache._Template(("nilai Rp5 melebihi batas", "value Rp5 exceeds the limit"), ("Rp5", "Rp5"))
    assert not tpl.trusted
    tpl.check(("nilai Rp7 melebihi batas", "value Rp7 exceeds the limit"), ("Rp7", "Rp7"))
    assert tpl.trusted
    assert tpl.fill(("Rp9", "Rp9")) == ("nilai Rp9 melebihi batas", "value Rp9 exceeds the limit")


def test_no_template_where_the_value_is_not_shown_once():
    twice = sentence_cache._Template(("Rp5 melebihi Rp5", "Rp5 exceeds Rp5"), ("Rp5", "Rp5"))
    assert twice.parts is None
    # "5" happens to be in the constant text, not the value: the second record shows it
    unshown = sentence_cache._Template(("pasal 5 dilanggar", "clause 5 broken"), ("5", "5"))
    unshown.check(("pasal 5 dilanggar", "clause 5 broken"), ("7", "7"))
    assert unshown.parts is None and not unshown.trusted
