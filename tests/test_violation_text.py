"""Violation texts made when read (perbup_rules.violation_text) are exactly those made per record from
``phrases.sentence``: templates are trusted only after a second record reproduced them, and one
that predicts wrong is dropped for the per-record text."""

from __future__ import annotations

import datetime as dt
import pickle
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import datasets

import perbup_rules as pr
from perbup_rules import Dataset, Party, Purchase, sentence_cache, violation_text
from perbup_rules.atoms import Missing
from perbup_rules.findings import HeldText, Status, Text
from perbup_rules.i18n import phrases

KUTIM = pr.load_ruleset(pr.BUNDLED_RULES)
B = 1_000_000_000
LIMIT = 15 * B  # umkk_reserved_max


def _dataset(values, dates=None, ids=None) -> Dataset:
    """Awards of goods by a regional agency to a large company: KMT-03 violations (not reserved for
    UMKK, supplier not UMKK) showing each package's value against the Rp15 billion ceiling."""
    parties = [Party("pd1", "Dinas Pendidikan", "perangkat_daerah", kabupaten="Kutai Timur"),
               Party("s1", "PT Besar", "company", legal_form="pt", scale="besar", kabupaten="Samarinda")]
    purchases = [Purchase(id=(ids[j] if ids else f"awd-{j:04d}"), stage="award", buyer_id="pd1", supplier_id="s1",
                          category="atk", procurement_type="barang", method="tender", value_idr=v,
                          date=(dates[j] if dates else dt.date(2026, 3, 1 + j % 28)))
                 for j, v in enumerate(values)]
    return Dataset.build(parties, purchases, [])


def _uncached(atom, value, comp, ctx):
    def get(node):
        return comp.value(node)(ctx)

    return tuple(phrases.sentence(atom, value, get, lang, comp.table, comp.subject_table,
                                  lambda v: isinstance(v, Missing)) for lang in ("id", "en"))


def _violations(ds):
    report = pr.evaluate(KUTIM, ds, "reference", periods=[2025, 2026, 2027])
    return [f for f in report.findings if f.status is Status.VIOLATION]


def _reference(ds, monkeypatch) -> list[tuple]:
    """The texts as made per record from phrases.sentence, nothing remembered."""
    with monkeypatch.context() as m:
        m.setattr(sentence_cache, "sentences", _uncached)
        m.setattr(violation_text, "deferred", lambda *a, **k: None)
        return [(f.clause, f.subject, f.explanation.id, f.explanation.en) for f in _violations(ds)]


def _made(ds) -> tuple[list[tuple], list]:
    """The texts as made by default, and the entries that made the KMT-03 ones."""
    found = _violations(ds)
    entries = [object.__getattribute__(f.explanation, "_make") for f in found
               if f.clause == "KMT-03" and type(f.explanation) is HeldText]
    return [(f.clause, f.subject, f.explanation.id, f.explanation.en) for f in found], entries


VALUES = [8_160_094_000, 9_126_000, 14_999_999_999, 2 * B, 123_456_789, 7 * B + 1, 40_000_000, 3 * B]


def test_a_template_is_trusted_after_a_second_record_and_gives_the_per_record_texts(monkeypatch):
    ds = _dataset(VALUES)
    want = _reference(ds, monkeypatch)
    got, entries = _made(ds)
    assert got == want
    assert len([t for t in got if t[0] == "KMT-03"]) == len(VALUES)
    assert entries and len({id(e) for e in entries}) == 1  # one entry: same row, same values but the amount
    assert entries[0].trusted and not entries[0].refuted
    first = next(t for t in got if t[0] == "KMT-03")
    assert "Rp8.160.094.000" in first[2] and "Rp8.160.094.000" in first[3]


def test_no_template_from_a_value_shown_twice_in_its_sentence(monkeypatch):
    # the first package is worth exactly the ceiling: "nilai paket Rp15.000.000.000 tidak melebihi
    # batas Rp15.000.000.000" cannot tell the value from the limit; a later record makes the template
    ds = _dataset([LIMIT, LIMIT, 5 * B, 6 * B, LIMIT, 7 * B])
    want = _reference(ds, monkeypatch)
    got, entries = _made(ds)
    assert got == want
    assert entries[0].trusted


def test_a_template_that_predicts_wrong_is_dropped_for_the_per_record_text(monkeypatch):
    """A sentence that changes with the value beyond the value's text (here: a word added for
    packages of Rp10 billion or more) refutes the template made from a smaller package when the
    second record is a larger one: never trusted, every text is made per record."""
    original = phrases.sentence

    def sentence(atom, value, get, lang, *a, **k):
        text = original(atom, value, get, lang, *a, **k)
        left = atom.get("left") or {}
        if atom.get("op") == "cmp" and left.get("path") == ["value_idr"]:
            v = get(left)
            if not isinstance(v, Missing) and v >= 10 * B:
                text += " (besar)"
        return text

    monkeypatch.setattr(phrases, "sentence", sentence)
    ds = _dataset([2 * B, 11 * B, 3 * B, 12 * B, 4 * B])
    want = _reference(ds, monkeypatch)
    assert sum("(besar)" in t[2] for t in want) == 2
    got, entries = _made(ds)
    assert got == want
    assert entries[0].refuted and not entries[0].trusted


def test_a_template_is_not_trusted_on_a_record_with_the_same_texts(monkeypatch):
    """A second record whose value prints as the first's cannot show where the value goes."""
    ds = _dataset([2 * B, 2 * B, 2 * B])
    want = _reference(ds, monkeypatch)
    got, entries = _made(ds)
    assert got == want
    assert not entries[0].trusted  # same amount: the amount's hole was never checked


def test_decimal_and_dated_values_keep_their_own_templates(monkeypatch):
    values = [Decimal("1500000.50"), 2 * B, Decimal("2500000000.00"), Decimal("99.99"), 3 * B, Decimal("1500000.50")]
    dates = [dt.date(2025, 5, 1), dt.date(2026, 1, 2), dt.date(2027, 6, 30), dt.date(2026, 12, 31),
             dt.date(2025, 12, 31), dt.date(2027, 1, 1)]
    ds = _dataset(values, dates)
    assert _made(ds)[0] == _reference(ds, monkeypatch)


def test_a_violation_holds_its_values_not_its_record():
    f = next(f for f in _violations(_dataset(VALUES)) if f.clause == "KMT-03")
    text = f.explanation
    assert type(text) is HeldText
    get = object.__getattribute__
    assert get(text, "_a") == f.subject and get(text, "_b") == VALUES[0]  # the one slot, as itself
    assert pickle.loads(pickle.dumps(text)) == text  # read, and pickled as a plain Text
    assert text == Text(text.id, text.en) and hash(text) == hash(Text(text.id, text.en))
    assert get(text, "_make") is None and get(text, "_a") is None


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(values=st.lists(st.one_of(st.sampled_from([0, 1, 999, 1000, B, LIMIT - 1, LIMIT, LIMIT + 1]),
                                 st.integers(0, 20 * B),
                                 st.decimals(0, 20 * B, places=2, allow_nan=False, allow_infinity=False)),
                       min_size=1, max_size=12),
       # subjects that are also words, amounts or format braces of the text around them
       ids=st.permutations(["a", "1", "Rp1", "awd-1", "{x}", "15", "b}", "Rp15.000.000.000", "{0}", "nilai",
                            "batas", "KMT-03"]),
       limit=st.sampled_from([2, 50_000]))
def test_generated_texts_are_those_made_per_record(values, ids, limit, monkeypatch):
    monkeypatch.setattr(sentence_cache, "LIMIT", limit)
    ds = _dataset(values, ids=ids)
    assert _made(ds)[0] == _reference(ds, monkeypatch)


def _eager_each_text(each_text):
    """``explain.each_text`` as it was before the other verdicts were made when read: their texts
    made at once from the catalogue."""
    from perbup_rules.i18n import both, t

    def old(clause, label, status, subject, exception, missing, *rest, **kw):
        cid, cit = clause["id"], clause["citation"]
        t_id, t_en = clause["title"]["id"], clause["title"]["en"]
        if label == "not_in_force":
            return Text(*both("why.each.not_in_force", cid=cid, cit=cit, subject=subject))
        if label == "no_date":
            return Text(*both("why.each.no_date", cid=cid, subject=subject))
        if status is Status.NOT_APPLICABLE:
            return Text(t("why.each.not_applicable", "id", cid=cid, cit=cit, subject=subject, title=t_id),
                        t("why.each.not_applicable", "en", cid=cid, cit=cit, subject=subject, title=t_en))
        if exception is not None:
            exc = next(u for u in clause["unless"] if u["id"] == exception)
            return Text(t("why.each.exception", "id", cid=cid, cit=cit, subject=subject, exception=exc["title"]["id"]),
                        t("why.each.exception", "en", cid=cid, cit=cit, subject=subject, exception=exc["title"]["en"]))
        if status is Status.COMPLIANT:
            return Text(t("why.each.compliant", "id", cid=cid, cit=cit, subject=subject, title=t_id),
                        t("why.each.compliant", "en", cid=cid, cit=cit, subject=subject, title=t_en))
        if status is Status.VIOLATION:
            return each_text(clause, label, status, subject, exception, missing, *rest, **kw)
        need = ", ".join(missing) or "-"
        return Text(*both("why.each.cannot_determine", cid=cid, cit=cit, subject=subject, need=need))
    return old


def _all_texts(report) -> list[tuple]:
    return [(f.clause, f.subject, f.period, f.status.value, f.explanation.id, f.explanation.en)
            for f in report.findings]


def _other_verdicts_as_before(evaluate, monkeypatch) -> list[tuple]:
    from perbup_rules import explain

    with monkeypatch.context() as m:
        m.setattr(explain, "each_text", _eager_each_text(explain.each_text))
        want = _all_texts(evaluate())
    assert _all_texts(evaluate()) == want
    return want


def test_other_verdicts_of_the_example_read_as_before(monkeypatch):
    def evaluate():
        ds = pr.load_dataset(pr.EXAMPLE_DATA)
        pr.categorize(ds, KUTIM)
        return pr.evaluate(KUTIM, ds, "durable")

    texts = _other_verdicts_as_before(evaluate, monkeypatch)
    assert {t[3] for t in texts} >= {"compliant", "not_applicable", "cannot_determine", "violation"}


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(ds=datasets())
def test_other_verdicts_of_generated_data_read_as_before(ds, monkeypatch):
    _other_verdicts_as_before(lambda: pr.evaluate(KUTIM, ds, "reference", periods=[2025, 2026, 2027]), monkeypatch)


def test_writing_a_report_keeps_no_text_per_finding():
    from perbup_rules.report import stream

    report = pr.evaluate(KUTIM, _dataset(VALUES), "reference", periods=[2025, 2026, 2027])
    held = [f.explanation for f in report.findings[1:] if type(f.explanation) is HeldText]
    assert held
    first = "".join(stream.iter_json(report))
    csv_text = "".join(stream.iter_csv(report))
    assert all(object.__getattribute__(x, "_make") is not None for x in held)  # made, written, not kept
    assert "".join(stream.iter_json(report)) == first == report.to_json()
    assert "".join(stream.iter_csv(report)) == csv_text


# ---- exists clauses: explain.ExistsText ---------------------------------------------------------

_EXISTS = next(c for c in KUTIM.clauses if c["kind"] == "exists" and c["over"] == "purchases")
_subjects = st.text(st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=12) | st.sampled_from(
    ["awd-1", "awd-22", "{who}", "{0}", "a\x00subject\x00b", "\x00subject\x00", ""])


@settings(max_examples=200, deadline=None)
@given(label=st.sampled_from(["violation", "compliant", "cannot_determine", "not_applicable", "not_in_force"]),
       year=st.sampled_from([None, 2025, 2027]), category=st.sampled_from([None, "seragam", "{x}"]),
       found=st.integers(0, 3), missing=st.lists(st.sampled_from(["supplier.umkk", "date", "value_idr"]), max_size=2),
       subjects=st.lists(_subjects, min_size=1, max_size=8))
def test_exists_texts_from_a_template_are_exists_texts(label, year, category, found, missing, subjects):
    """Every subject's texts equal explain.exists_text's, whether the template was trusted yet or not,
    with subjects that look like format fields or contain the template's own mark."""
    from perbup_rules import explain

    maker = explain.ExistsText(_EXISTS, label, year, category, found, tuple(missing))
    for s in subjects:
        want = explain.exists_text(_EXISTS, label, s, year, category, found, list(missing)).texts()
        assert maker.of(s).texts() == want
        assert maker.text(s) == want


def test_exists_template_is_used_after_two_subjects_of_different_lengths():
    from perbup_rules import explain

    maker = explain.ExistsText(_EXISTS, "violation", 2025, None, 0, ())
    maker.text("awd-1")
    assert maker.formats is None  # one subject proves nothing about padding
    maker.text("awd-2")
    assert maker.formats is None  # the same length: still not
    maker.text("awd-333")
    assert maker.formats is not None
    assert maker.text("x") == explain.exists_text(_EXISTS, "violation", "x", 2025, None, 0, []).texts()


def test_a_comparison_written_twice_is_said_once(monkeypatch):
    """KMT-03 writes ``value_idr <= params.umkk_reserved_max`` in both alternatives of ``applies``:
    a package without a pagu, taken under the assumption, once showed that sentence twice."""
    ds = _dataset(VALUES)
    for got in (_made(ds)[0], _reference(ds, monkeypatch)):
        texts = [t for t in got if t[0] == "KMT-03"]
        assert len(texts) == len(VALUES)
        for (_c, _s, id_, en), v in zip(texts, sorted(VALUES, key=VALUES.index)):
            shown = f"Rp{v:,}".replace(",", ".")
            assert id_.count(f"nilai paket {shown} tidak melebihi batas") == 1, id_
            assert en.count(f"value of the package {shown} does not exceed the limit") == 1, en
            assert "asumsi pagu dipakai" in id_ and "the assumption pagu is on" in en


def test_first_alike_ignores_where_an_atom_stands():
    from perbup_rules.atoms import Compiled
    from perbup_rules.expr import to_text

    atoms = KUTIM.clause("KMT-03")["decisions"]["verdict"]["atoms"]
    alike = sentence_cache.first_alike(atoms, Compiled(None, "purchases"))
    texts = [to_text(a) if a["op"] != "in_force" else "in_force" for a in atoms]
    for i, j in enumerate(alike):
        # the first atom written as this one is
        assert j == min(k for k in range(i + 1) if texts[k] == texts[i])
    assert [i for i, j in enumerate(alike) if j != i] == [6, 7]  # known(pagu_idr), value_idr <= ceiling
