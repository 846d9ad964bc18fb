"""An each clause's common listed violations are made from SQL rows (bulk.violations), checked
against the per-record judge on a sample; any difference and they are judged per record."""

from __future__ import annotations

import pytest

import perbup_rules as pr
from perbup_rules.bulk import evaluate as bulk_evaluate
from perbup_rules.bulk import violations

from generated import generated

KUTIM = pr.load_ruleset(pr.BUNDLED_RULES)


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    # every 7th purchase undated (judged per record), a tenth of the parties not UMKK
    return generated(tmp_path_factory.mktemp("sqlv"), 23, 4000, 7)


@pytest.fixture(autouse=True)
def few_checked(monkeypatch):
    """Check only the first 50 (and the first of each row, entry and measured type) per record,
    so that most of this small dataset's violations are made from SQL rows alone; from 100 on."""
    monkeypatch.setattr(violations, "CHECKED_ROWS", 50)
    monkeypatch.setattr(violations, "MIN_ROWS", 100)


def _audit(data, path="column", **kw):
    return pr.audit(KUTIM, data, "reference", path=path, all_findings=True, **kw)


def _made(monkeypatch) -> dict[str, int]:
    """Spy: per clause, how many violations were made from SQL rows in the next audit."""
    made: dict[str, int] = {}
    real = bulk_evaluate._Bulk.made_from_sql

    def spy(self, clause, *a, **kw):
        left = real(self, clause, *a, **kw)
        if clause["id"] in self.from_sql:
            made[clause["id"]] = self.from_sql[clause["id"]]
        return left
    monkeypatch.setattr(bulk_evaluate._Bulk, "made_from_sql", spy)
    return made


def test_violations_made_from_sql_rows_give_the_per_record_report(data, monkeypatch):
    made = _made(monkeypatch)
    column = _audit(data).to_dict()
    assert made.get("KMT-03", 0) > 300  # the way was taken, for most of KMT-03's violations
    listed = sum(1 for f in column["findings"] if f["clause"] == "KMT-03" and f["status"] == "violation")
    assert made["KMT-03"] <= listed
    assert column == _audit(data, path="per-record").to_dict()


def test_with_assumptions_off_the_same(data, monkeypatch):
    monkeypatch.setattr(violations, "MIN_ROWS", 10)
    made = _made(monkeypatch)
    column = _audit(data, no_assume=["pagu"]).to_dict()
    assert made  # KMT-14's (KMT-03's violations all rest on the pagu assumption in this data)
    assert column == _audit(data, path="per-record", no_assume=["pagu"]).to_dict()


def _reading(monkeypatch, change) -> list:
    """Within violations.made only, the SQL of each value read as ``change(node, sql, missing)``
    gives it; what each call of made returned."""
    real = violations.made
    gave: list = []

    def made(bulk, *a, **kw):
        scope_value = bulk.scope.value
        bulk.scope.value = lambda node: change(node, *scope_value(node))
        try:
            got = real(bulk, *a, **kw)
        finally:
            del bulk.scope.value
        gave.append(got)
        return got
    monkeypatch.setattr(violations, "made", made)
    return gave


def test_a_value_sql_reads_differently_is_caught_and_judged_per_record(data, monkeypatch):
    want = _audit(data, path="per-record").to_dict()
    made = _made(monkeypatch)

    def off_by_one(node, sql, missing):  # money read one rupiah more: the texts differ
        return (f"({sql} + 1)" if node["op"] == "path" and node["path"] in (["value_idr"], ["pagu_idr"])
                else sql), missing
    gave = _reading(monkeypatch, off_by_one)
    assert _audit(data).to_dict() == want
    assert None in gave and "KMT-03" not in made  # refused, then judged per record


def test_a_value_sql_cannot_read_leaves_the_clause_per_record(data, monkeypatch):
    want = _audit(data, path="per-record").to_dict()
    made = _made(monkeypatch)

    def unsupported(node, sql, missing):
        raise bulk_evaluate.Unsupported("test")
    gave = _reading(monkeypatch, unsupported)
    assert _audit(data).to_dict() == want
    assert gave and all(g is None for g in gave) and not made


def test_unknown_values_a_text_reads_are_judged_per_record(data, monkeypatch):
    """Values read as NULL (here: a third of the stages) send their records to the per-record judge."""
    want = _audit(data, path="per-record").to_dict()
    made = _made(monkeypatch)

    def unknown_stage(node, sql, missing):
        return (f"CASE WHEN p.rownum % 3 = 0 THEN NULL ELSE {sql} END" if node["op"] == "path"
                and node["path"] == ["stage"] else sql), missing
    gave = _reading(monkeypatch, unknown_stage)
    assert _audit(data).to_dict() == want
    assert made.get("KMT-03", 0) > 0 and all(g is not None for g in gave)


def test_too_many_unknown_values_leave_the_clause_to_its_listing(data, monkeypatch):
    want = _audit(data, path="per-record").to_dict()
    monkeypatch.setattr(violations, "MAX_PER_RECORD", 5)
    made = _made(monkeypatch)

    def unknown_stage(node, sql, missing):
        return ("NULL" if node["op"] == "path" and node["path"] == ["stage"] else sql), missing
    gave = _reading(monkeypatch, unknown_stage)
    assert _audit(data).to_dict() == want
    assert None in gave and "KMT-03" not in made


# exists (KMT-05): violations of purchases without related records -------------------------------


def _made_exists(monkeypatch) -> list:
    gave: list = []
    real = violations.made_exists

    def spy(*a, **kw):
        got = real(*a, **kw)
        gave.append(None if got is None else len(got[0]))
        return got
    monkeypatch.setattr(violations, "made_exists", spy)
    return gave


def _merges(monkeypatch) -> list[tuple[int, int]]:
    """Spy on merge_grouped: per call, (partnerships whose first purchase was judged per record,
    partnerships first asked for by a violation made from SQL rows)."""
    seen: list[tuple[int, int]] = []
    real = violations.merge_grouped

    def spy(bulk, clause, key, kk, before, contrib):
        judged = {(r.party, r.category, r.period) for r in bulk.run.required[before:]}
        real(bulk, clause, key, kk, before, contrib)
        keys = {k for _rn, _pid, k in contrib}
        seen.append((len(judged), len(keys - judged)))
    monkeypatch.setattr(violations, "merge_grouped", spy)
    return seen


def test_exists_violations_made_from_sql_rows_give_the_per_record_report(data, monkeypatch):
    gave, merges = _made_exists(monkeypatch), _merges(monkeypatch)
    column = _audit(data).to_dict()
    assert gave and gave[0] and gave[0] > 100
    # partnerships asked for by purchases of both ways, merged in file order
    assert merges and merges[0][0] > 0 and merges[0][1] > 0
    assert column == _audit(data, path="per-record").to_dict()


def test_exists_violations_with_a_remedy_read_differently_are_judged_per_record(data, monkeypatch):
    want = _audit(data, path="per-record").to_dict()
    gave = _made_exists(monkeypatch)

    def other_party(node, sql, missing):  # the partnership asked of the buyer, not the supplier
        return ('p."buyer_id"' if node["op"] == "path" and node["path"] == ["supplier_id"] else sql), missing
    real = violations.made_exists

    def made(bulk, *a, **kw):
        scope_value = bulk.scope.value
        bulk.scope.value = lambda node: other_party(node, *scope_value(node))
        try:
            return real(bulk, *a, **kw)
        finally:
            del bulk.scope.value
    monkeypatch.setattr(violations, "made_exists", made)
    assert _audit(data).to_dict() == want
    assert gave == [None]


def test_exists_violations_below_the_threshold_are_judged_per_record(data, monkeypatch):
    monkeypatch.setattr(violations, "MIN_ROWS", 10**9)
    gave = _made_exists(monkeypatch)
    assert _audit(data).to_dict() == _audit(data, path="per-record").to_dict()
    assert not gave


def test_a_grouped_partnership_takes_its_candidates_from_its_first_purchase_either_way(data, tmp_path, monkeypatch):
    """With candidates ranked by the purchase's buyer (buyers in different kecamatan), the
    partnership's first purchase in file order decides its candidates, whichever way it was judged."""
    import csv
    import shutil

    rules = tmp_path / "rules"
    shutil.copytree(pr.BUNDLED_RULES, rules)
    p5 = rules / "pasal-05.yaml"
    text = p5.read_text(encoding="utf-8")
    assert "subject.supplier.kecamatan_code" in text
    p5.write_text(text.replace("subject.supplier.kecamatan_code", "subject.buyer.kecamatan_code"), encoding="utf-8")
    moved = tmp_path / "data"
    shutil.copytree(data, moved)
    places = ["Sangatta Utara", "Sangatta Selatan", "Bengalon", "Muara Wahau", "Batu Ampar", "Telen"]
    with open(moved / "parties.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    k = rows[0].index("kecamatan")
    buyers = [r for r in rows[1:] if r[rows[0].index("kind")] == "perangkat_daerah"]
    for i, r in enumerate(buyers):
        r[k] = places[i % len(places)]
    with open(moved / "parties.csv", "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    ruleset = pr.load_ruleset(rules)
    gave = _made_exists(monkeypatch)
    column = pr.audit(ruleset, moved, "reference", path="column", all_findings=True).to_dict()
    assert gave and gave[0]
    per_record = pr.audit(ruleset, moved, "reference", path="per-record", all_findings=True).to_dict()
    assert column["required_partnerships"] == per_record["required_partnerships"]
    assert column == per_record
