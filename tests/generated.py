"""Generated canonical datasets for tests (examples/generate.py), optionally with undated purchases."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def generated(tmp: Path, seed: int, n: int, undated_every: int = 0, *extra: str) -> Path:
    """A dataset of about ``n`` purchases in ``tmp`` (``extra``: more generate.py options); with
    ``undated_every``, every that-many-th purchase loses its date."""
    sys.path.insert(0, str(REPO / "examples"))
    try:
        import generate
    finally:
        sys.path.pop(0)
    generate.main(["--seed", str(seed), "--purchases", str(n), "--out", str(tmp), *extra])
    if undated_every:
        path = tmp / "purchases.csv"
        rows = list(csv.reader(open(path, encoding="utf-8", newline="")))
        i = rows[0].index("date")
        for k, r in enumerate(rows[1:]):
            if k % undated_every == 0:
                r[i] = ""
        with open(path, "w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows(rows)
    return tmp
