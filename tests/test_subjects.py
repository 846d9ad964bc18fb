"""Named subjects (issue 13): ``awards_won`` and the ``subjects:`` key of the clause format.

The scenarios in rules/kutim-kemitraan/tests/subjects.yaml pin the readings on both engines;
these tests pin the computed fact and the checker's refusal of ``subjects`` over purchases.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from hypothesis import given, strategies as st

from perbup_rules.compiler import check_regulation
from perbup_rules.loader import load_files
from perbup_rules.records import Party, Purchase
from perbup_rules.subjects import awards_won

MINI = Path(__file__).resolve().parent / "fixtures" / "mini"

PARTIES = {
    "pd": Party(id="pd", kind="perangkat_daerah"),
    "desa": Party(id="desa", kind="desa"),
    "hotel": Party(id="hotel", kind="hotel"),
    "nokind": Party(id="nokind"),
    "s1": Party(id="s1"),
    "s2": Party(id="s2"),
}

purchase = st.builds(
    Purchase,
    id=st.uuids().map(str),
    stage=st.sampled_from(["plan", "award", "contract"]),
    buyer_id=st.sampled_from(["pd", "desa", "hotel", "nokind"]),
    supplier_id=st.sampled_from(["s1", "s2"]),
    date=st.sampled_from([None, dt.date(2026, 3, 1), dt.date(2027, 5, 1)]),
    fiscal_year=st.sampled_from([None, 2026]),
)


@given(st.lists(purchase, max_size=12))
def test_awards_won_counts_sure_wins_and_is_unknown_only_when_a_possible_win_could_make_one(ps):
    won = awards_won(ps, PARTIES, [2026, 2027])
    for year in (2026, 2027):
        for sid in ("s1", "s2"):
            mine = [p for p in ps if p.supplier_id == sid and p.stage in ("award", "contract")
                    and p.buyer_id != "hotel"]
            period = [(p.fiscal_year or (p.date.year if p.date else None)) for p in mine]
            sure = sum(1 for p, y in zip(mine, period) if y == year and p.buyer_id in ("pd", "desa"))
            possible = any((y is None or y == year) and not (y == year and p.buyer_id in ("pd", "desa"))
                           for p, y in zip(mine, period))
            n = won[year][sid]
            if sure:
                assert n == sure
            elif possible:
                assert n is None
            else:
                assert n == 0
    assert won[2026]["pd"] == 0  # a buyer that sold nothing


def test_subjects_over_purchases_is_refused_with_a_located_error(tmp_path):
    root = tmp_path / "mini"
    shutil.copytree(MINI, root)
    path = root / "pasal-01.yaml"
    text = path.read_text(encoding="utf-8")
    assert "    over: purchases\n" in text
    path.write_text(text.replace("    over: purchases\n", "    over: purchases\n    subjects: value_idr > 0\n", 1),
                    encoding="utf-8")
    _build, diags = check_regulation(load_files(root))
    assert [d.code for d in diags] == ["expr_type"]
    assert "subjects" in diags[0].message
    assert diags[0].location.line > 0


def test_awards_won_reads_records_that_are_tuples():
    """A record may be a named tuple (tuples have a ``count`` method): each counts once, and only
    a ``stands_for`` field makes one stand for several purchases (the bulk path's grouped rows)."""
    from collections import namedtuple

    Rec = namedtuple("Rec", "stage supplier_id buyer_id fiscal_year date")
    Grouped = namedtuple("Grouped", "stage supplier_id buyer_id fiscal_year date stands_for")
    parties = {"b": Party("b", "Dinas", "perangkat_daerah"), "s": Party("s", "Usaha", "umkm")}
    plain = [Rec("award", "s", "b", 2025, None), Rec("contract", "s", "b", 2025, None)]
    assert awards_won(plain, parties, [2025])[2025]["s"] == 2
    assert awards_won([Grouped("award", "s", "b", 2025, None, 5)], parties, [2025])[2025]["s"] == 5
