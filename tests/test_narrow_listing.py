"""Listed purchases of an ``each`` clause are read with only the fields their judging reads
(bulk.evaluate._Bulk.listing_fields, narrow_row); a field read beyond them is never a different
verdict: it raises Unread and the clause's listing is judged again from whole records."""

from __future__ import annotations

import copy

import pytest

import perbup_rules as pr
from perbup_rules.bulk import evaluate as bulk_evaluate
from perbup_rules.bulk import violations
from perbup_rules.bulk.evaluate import Unread, narrow_row

from generated import generated

KUTIM = pr.load_ruleset(pr.BUNDLED_RULES)


def test_a_narrow_record_holds_its_fields_and_refuses_the_others():
    row = narrow_row(("id", "value_idr"))._make(["p-1", 5])
    assert (row.id, row.value_idr) == ("p-1", 5)
    with pytest.raises(Unread):
        row.supplier_id
    with pytest.raises(Unread):  # getattr's default does not hide it
        getattr(row, "stage", None)
    try:  # nor does an ``except Exception`` on the way
        row.date
    except Exception:  # noqa: BLE001
        pytest.fail("Unread was caught as an Exception")
    except Unread:
        pass


def test_the_fields_of_the_bundled_each_clauses():
    clause = next(c for c in KUTIM.clauses if c["id"] == "KMT-03")
    fields = bulk_evaluate._Bulk.listing_fields(clause)
    # the record's own (channel: a group names them), KMT-03's atoms (stage, type, pagu, value,
    # reserved, exemption), the buyer's and supplier's keys (buyer.kind, supplier.umkk); no other
    assert set(fields) == {
        "id", "date", "fiscal_year", "stage", "channel", "procurement_type", "pagu_idr", "value_idr",
        "reserved_for_umkk", "exemption_code", "buyer_id", "supplier_id"}
    assert list(fields) == [c for c in pr.records.COLUMNS["purchases"] if c in fields]  # column order


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return generated(tmp_path_factory.mktemp("narrow"), 11, 3000)


def _report(data, monkeypatch=None, fields=None):
    if monkeypatch is not None:
        monkeypatch.setattr(bulk_evaluate._Bulk, "listing_fields", lambda self, clause: fields)
    return pr.audit(KUTIM, data, "reference", path="column", all_findings=True).to_dict()


def test_narrow_listing_gives_the_whole_records_report(data, monkeypatch):
    narrow = _report(data)
    read: list[tuple] = []
    real = bulk_evaluate._Bulk._narrow_records

    def spy(self, *a):
        read.append(a[3])
        return real(self, *a)
    monkeypatch.setattr(bulk_evaluate._Bulk, "_narrow_records", spy)
    assert _report(data) == narrow and read  # the narrow way was taken
    read.clear()
    assert _report(data, monkeypatch, None) == narrow and not read  # whole records: the same report


def test_a_field_read_beyond_the_narrow_ones_is_judged_again_from_whole_records(data, monkeypatch):
    whole = _report(data, monkeypatch, None)
    unread: list[str] = []
    real = bulk_evaluate._Bulk.judge_listed

    def spy(self, clause, *a, **kw):
        try:
            return real(self, clause, *a, **kw)
        except Unread as e:
            unread.append(f"{clause['id']}: {e}")
            raise
    monkeypatch.setattr(bulk_evaluate._Bulk, "judge_listed", spy)
    # too few fields: every listing reads one it was not given, and is judged again; what the
    # first try added (findings, required partnerships with their candidates, counts) is undone
    got = _report(data, monkeypatch, ("id", "date", "fiscal_year"))
    assert got == whole and whole["required_partnerships"]
    assert any(u.startswith("KMT-03: ") for u in unread)  # an each clause
    assert any(u.startswith("KMT-05: ") for u in unread)  # an exists clause


def test_narrow_records_hold_the_values_whole_records_hold(data, monkeypatch):
    real = bulk_evaluate._Bulk._narrow_records
    compared = []

    def check(self, where, key, span, fields, held=False):
        got, rows = real(self, where, key, span, fields, held)
        whole, whole_rows = self.records(where, key, span)
        assert rows == whole_rows and len(got) == len(whole)
        for n, w in zip(got, whole):
            assert type(n).__name__ == "_NarrowRow"
            for f in fields:
                assert getattr(n, f) == getattr(w, f) and type(getattr(n, f)) is type(getattr(w, f)), f
        compared.append(len(got))
        return got, rows
    monkeypatch.setattr(bulk_evaluate._Bulk, "_narrow_records", check)
    _report(data)
    assert sum(compared) > 100


@pytest.mark.parametrize("grouped", [True, False])
@pytest.mark.parametrize("every", [True, False])  # every verdict listed, or the counted form
def test_what_a_listing_added_before_an_unread_field_is_undone(data, monkeypatch, grouped, every):
    # the listing is read in batches of 300; a field found unread in a clause's second batch,
    # after the first batch's findings, required partnerships (KMT-05's, one per purchase when
    # not grouped) and counts were added
    rules = copy.deepcopy(KUTIM)
    next(c for c in rules.clauses if c["id"] == "KMT-05")["remedy"]["grouped"] = grouped
    whole = pr.audit(rules, data, "reference", path="column", all_findings=every).to_dict()
    assert any(r["purchase"] for r in whole["required_partnerships"]) is not grouped
    monkeypatch.setattr(bulk_evaluate, "BATCH", 300)
    monkeypatch.setattr(bulk_evaluate._Bulk, "listing_fields", staticmethod(real_fields))
    # KMT-03's violations listed in batches too, not made from SQL rows (test_sql_violations.py)
    monkeypatch.setattr(violations, "made", lambda *a, **kw: None)
    real, real_judge = bulk_evaluate._Bulk._narrow_records, bulk_evaluate._Bulk.judge_listed
    calls: dict[str, int] = {}  # batches read per clause
    clause_of: list[str] = [""]

    def judge_listed(self, clause, *a, **kw):
        clause_of[0] = clause["id"]
        return real_judge(self, clause, *a, **kw)

    def late(self, where, key, span, fields, held=False):
        calls[clause_of[0]] = calls.get(clause_of[0], 0) + 1
        if calls[clause_of[0]] == 2:
            raise Unread("late")
        return real(self, where, key, span, fields, held)
    monkeypatch.setattr(bulk_evaluate._Bulk, "judge_listed", judge_listed)
    monkeypatch.setattr(bulk_evaluate._Bulk, "_narrow_records", late)
    assert pr.audit(rules, data, "reference", path="column", all_findings=every).to_dict() == whole
    assert calls.get("KMT-03", 0) >= 2 and calls.get("KMT-05", 0) >= 2


def test_a_share_clause_reads_its_possible_members_narrow(data, monkeypatch):
    # the counted form (share groups summed in SQL): purchases without a PPK widen KMT-02's groups
    # per record, read narrow; too few fields, and they are read again whole: the same report
    whole = pr.audit(KUTIM, data, "reference", path="column").to_dict()
    read: list[str] = []
    real = bulk_evaluate._Bulk._narrow_records

    def spy(self, where, key, span, fields, held=False):
        read.append(held)
        return real(self, where, key, span, fields, held)
    monkeypatch.setattr(bulk_evaluate._Bulk, "_narrow_records", spy)
    assert pr.audit(KUTIM, data, "reference", path="column").to_dict() == whole
    assert True in read  # the share clauses' possible members (held) were read narrow
    monkeypatch.setattr(bulk_evaluate._Bulk, "listing_fields", lambda self, clause: ("id", "date", "fiscal_year"))
    assert pr.audit(KUTIM, data, "reference", path="column").to_dict() == whole


def test_groups_a_share_clause_widened_before_an_unread_field_are_put_back(data, monkeypatch):
    # an Unread after share_widen added the possible members to the groups: the groups are the
    # ones summed in SQL again before the whole records widen them
    whole = pr.audit(KUTIM, data, "reference", path="column").to_dict()
    real = pr.judge.Judge.share_widen
    failed: list[str] = []

    def widen_then_fail(self, clause, groups, purchases, given=None):
        unknown = real(self, clause, groups, purchases, given)
        if purchases and type(purchases[0]).__name__ == "_NarrowRow":
            failed.append(clause["id"])
            raise Unread("after widening")
        return unknown
    monkeypatch.setattr(pr.judge.Judge, "share_widen", widen_then_fail)
    assert pr.audit(KUTIM, data, "reference", path="column").to_dict() == whole
    assert "KMT-02" in failed


real_fields = bulk_evaluate._Bulk.listing_fields
