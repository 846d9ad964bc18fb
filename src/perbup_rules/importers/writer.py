"""Write a Dataset as the canonical CSV folder that :func:`load_dataset` reads back unchanged."""

from __future__ import annotations

import csv
import datetime as _dt
from decimal import Decimal
from pathlib import Path
from typing import Iterable

from ..records import COLUMNS, TABLES, Dataset, Rejection
from .cells import format_money


def format_cell(value: object) -> str:
    """Render one canonical value as the text the loader parses back to the same value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, Decimal)):
        return format_money(value)
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return ";".join(value)
    return str(value)


def _write_table(path: Path, columns: tuple[str, ...], records: Iterable) -> None:
    records = list(records)
    # Extra columns come after the contract's, sorted by name, so provenance a
    # source carried (nama_paket, kd_klpd...) survives a round trip.
    extra = sorted({name for r in records for name, _ in r.extra})
    header = list(columns) + extra
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        for r in records:
            row = [format_cell(getattr(r, c)) for c in columns]
            if extra:
                have = dict(r.extra)
                row.extend(have.get(name, "") for name in extra)
            w.writerow(row)


def write_dataset(ds: Dataset, folder: str | Path) -> list[Path]:
    """Write parties.csv, purchases.csv and partnerships.csv into ``folder`` (created if needed), and
    reports.csv when the dataset has a reports table (``Dataset.reports_read``).

    Returns:
        The paths written, in table order.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for table in TABLES:
        if table == "reports" and not ds.reports_read:
            continue  # an empty reports.csv would say "no business filed a report" (duties.py)
        records = ds.parties.values() if table == "parties" else getattr(ds, table)
        path = folder / f"{table}.csv"
        _write_table(path, COLUMNS[table], records)
        written.append(path)
    return written


def write_rejections(rejected: Iterable[Rejection], path: str | Path) -> Path:
    """Write rejected rows as CSV (table, file, row, column, code, reason, record_id)."""
    path = Path(path)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["table", "file", "row", "column", "code", "reason", "record_id"])
        for r in rejected:
            w.writerow([r.table, r.file, r.row, r.column or "", r.code, r.reason, r.record_id or ""])
    return path
