"""The regulation's categories.yaml applied to purchases held in DuckDB, as :func:`perbup_rules.categorize` does.

Only purchases the source left without a category are read back as records (their
``extra`` columns carry the evidence the map matches: package name, account code,
commodity); each is classified by the same :class:`~perbup_rules.categories.CategoryMap`
method the per-record path calls, and the category found is written into the table.
"""

from __future__ import annotations

from typing import Any

from ..categories import Categorized, categorize
from .load import BulkData


def categorize_table(data: BulkData, cmap: Any) -> Categorized:
    """Fill ``category`` where the source gave none; the same summary as ``categorize``."""
    if cmap is None:
        return Categorized(data.dataset)
    con = data.con
    if data.per_row is not None:  # the records are the truth: categorise them, then copy into the table
        blank = [i for i, p in enumerate(data.dataset.purchases) if p.category is None]
        result = categorize(data.dataset, cmap)
        found = [(i + 2, c) for i in blank if (c := data.dataset.purchases[i].category) is not None]
    else:
        result = Categorized(data.dataset)
        result.kept = con.execute("SELECT count(*) FROM purchases WHERE category IS NOT NULL").fetchone()[0]
        rownums = [r[0] for r in con.execute(
            "SELECT rownum FROM purchases WHERE category IS NULL ORDER BY rownum").fetchall()]
        found = []
        for row, p in zip(rownums, data.purchases("category IS NULL")):
            match = result.tally(cmap, p)
            if match is not None:
                found.append((row, match.category))
    if found:
        con.execute("CREATE TEMP TABLE found_category AS SELECT unnest($1::BIGINT[]) AS rownum, "
                    "unnest($2::VARCHAR[]) AS category", [[r for r, _c in found], [c for _r, c in found]])
        con.execute("UPDATE purchases SET category = f.category FROM found_category f "
                    "WHERE purchases.rownum = f.rownum")
        con.execute("DROP TABLE found_category")
    return result
