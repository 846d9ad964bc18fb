"""Build a supplier registry CSV from the LKPP ISB e-kontrak contracts of Kab. Bandung.

    python tools/registry_from_isb.py ../shared/data/real/isb-kabbandung-2025 /tmp/reg.csv [--names-only]

One row per supplier NPWP id in spse-nontender-ekontrak-kontrak.json: the contract's
supplier name, NPWP id and bentuk_usaha_penyedia (its legal form), with kd_penyedia taken
from spse-nontender-selesai.json of the same kd_nontender. ``--names-only`` leaves the keys
out, so every join must be made by name (exact or fuzzy). Used by tests/test_registries.py
and docs/registries.md; nothing here is shipped.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path


def build(folder: Path, out: Path, names_only: bool = False) -> int:
    selesai = json.loads((folder / "spse-nontender-selesai.json").read_text(encoding="utf-8"))
    kontrak = json.loads((folder / "spse-nontender-ekontrak-kontrak.json").read_text(encoding="utf-8"))
    kd_of = {r["kd_nontender"]: r.get("kd_penyedia") for r in selesai}
    rows: dict[str, dict] = {}
    for r in kontrak:
        npwp = r.get("npwp_penyedia")
        if not npwp or not r.get("nama_penyedia") or r["nama_penyedia"].startswith("["):
            continue
        rows.setdefault(npwp, {
            "kd_penyedia": kd_of.get(r.get("kd_nontender")) or "",
            "nama_penyedia": r["nama_penyedia"],
            "npwp_penyedia": npwp,
            "bentuk_usaha_penyedia": r.get("bentuk_usaha_penyedia") or "",
        })
    cols = ["nama_penyedia", "bentuk_usaha_penyedia"] if names_only else \
        ["kd_penyedia", "nama_penyedia", "npwp_penyedia", "bentuk_usaha_penyedia"]
    with open(out, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, cols, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        for npwp in sorted(rows):
            w.writerow(rows[npwp])
    return len(rows)


if __name__ == "__main__":
    print(build(Path(sys.argv[1]), Path(sys.argv[2]), "--names-only" in sys.argv[3:]))
