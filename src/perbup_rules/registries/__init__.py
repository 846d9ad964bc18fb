"""Supplier registries: tables of businesses that enrich the parties of an audit.

    reg = load_registry("kutim_umkm.csv")          # CSV, xlsx or LKPP JSON (read.py)
    outcome = apply_registries(dataset, [reg])     # join and enrich in place (match.py)
    write_matches(outcome, "report.matches.csv")   # the match report

See docs/registries.md for the layouts, the join steps and threshold, and the conflict rule.
"""

from __future__ import annotations

import csv
from pathlib import Path

from .match import AMBIGUITY_MARGIN, FUZZY_THRESHOLD, Conflict, Match, Outcome, apply_registries, decide
from .names import normalise
from .read import AUTHORITIES, Entry, Registry, load_registry

MATCH_COLUMNS = ("registry", "row", "registry_name", "method", "score", "party_id", "party_name",
                 "fields_filled", "conflicts", "note")


def match_rows(outcome: Outcome) -> list[dict[str, str]]:
    """The match report as rows of text (MATCH_COLUMNS)."""
    rows = []
    for m in outcome.matches:
        rows.append({
            "registry": m.registry, "row": str(m.row), "registry_name": m.registry_name or "", "method": m.method,
            "score": "" if m.score is None else str(m.score), "party_id": m.party or "",
            "party_name": m.party_name or "", "fields_filled": " ".join(m.filled),
            "conflicts": " | ".join(c.text() for c in m.conflicts), "note": m.note,
        })
    for reg in outcome.registries:
        for row, code, reason in reg.rejected:
            rows.append({"registry": reg.path, "row": str(row), "registry_name": "", "method": "rejected",
                         "score": "", "party_id": "", "party_name": "", "fields_filled": "", "conflicts": "",
                         "note": f"{code}: {reason}"})
    return rows


def write_matches(outcome: Outcome, path: str | Path) -> Path:
    """Write the match report CSV (every registry row: key / exact_name / fuzzy / ambiguous / unmatched / rejected)."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    with open(p, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, MATCH_COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(match_rows(outcome))
    return p


def matches_path(report: str | Path) -> Path:
    """Where the match report of an audit report goes: ``<report>.matches.csv`` beside it."""
    return Path(f"{report}.matches.csv")


def load_and_apply(dataset, paths) -> Outcome:
    """Read each registry file and apply them all to ``dataset`` (in place), in the order given."""
    return apply_registries(dataset, [load_registry(p) for p in paths])


__all__ = ["AMBIGUITY_MARGIN", "AUTHORITIES", "FUZZY_THRESHOLD", "Conflict", "Entry", "Match", "Outcome", "Registry",
           "apply_registries", "decide", "load_and_apply", "load_registry", "match_rows", "matches_path",
           "normalise", "write_matches"]
