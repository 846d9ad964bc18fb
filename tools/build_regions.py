"""Extract the project's region fact tables from the npm package idn-area-data.

Run once by hand when the package is updated (nothing downloads at run time)::

    cd /tmp && npm pack idn-area-data@4.0.1 && tar xzf idn-area-data-4.0.1.tgz
    python tools/build_regions.py /tmp/package src/perbup_rules/regions/data

Writes provinces.csv, kabkota.csv, kecamatan.csv (every kecamatan of Indonesia, so a
kecamatan name given without its kabupaten is known to be unique or not) and
desa-6408.csv (the desa/kelurahan of Kabupaten Kutai Timur only). Name variants that the
package does not carry are listed in VARIANTS below, each with why.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

KUTIM = "64.08"

#: code -> extra names it is written as (the package gives one official name per code).
VARIANTS: dict[str, list[str]] = {
    # kabupaten/kota: common abbreviations in East Kalimantan
    "64.08": ["Kutim"],
    "64.02": ["Kukar"],
    "64.07": ["Kubar"],
    "64.09": ["PPU", "Penajem Paser Utara"],
    "64.11": ["Mahulu"],
    # former names (renamed regencies) and spellings of LKPP's own kab/kota masters
    # (isb-kabbandung-2025/rup-master-kabkota.json, ecat-master-kabkota.json)
    "12.12": ["Toba Samosir"],
    "14.10": ["Meranti"],
    "73.01": ["Selayar"],
    "74.02": ["Kabupaten Kendari"],
    "76.01": ["Mamuju Utara"],
    "81.03": ["Maluku Tenggara Barat"],
    "12.77": ["Padang Sidempuan"],
    "35.03": ["Terenggalek"],
    "72.03": ["Dongala"],
    "71.01": ["Bolaang Mengondow"],
    # kecamatan of Kutai Timur: REGULATION.md section 5.3 and local usage write Kongbeng
    "64.08.08": ["Kongbeng"],
    "64.08.09": ["Bangalon"],
    "64.08.04": ["Sangata Utara"],
    "64.08.12": ["Sangata Selatan"],
}

HEADER = (
    "# source: npm package idn-area-data {version} (https://github.com/fityannugroho/idn-area-data), "
    "published {published}; data under the Open Database License 1.0 (package code MIT). "
    "Codes and names of Kepmendagri (Kode dan Data Wilayah Administrasi Pemerintahan) as carried by the package.\n"
    "# extracted by tools/build_regions.py; variants column: other names, separated by '|'\n"
)


def read(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def write(path: Path, header: str, cols: list[str], rows: list[list[str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(header)
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(cols)
        w.writerows(rows)


def main(pkg: Path, out: Path) -> None:
    meta = json.loads((pkg / "package.json").read_text(encoding="utf-8"))
    published = sys.argv[3] if len(sys.argv) > 3 else "2026-05-06"
    header = HEADER.format(version=meta["version"], published=published)
    data = pkg / "data"
    v = lambda code: "|".join(VARIANTS.get(code, []))  # noqa: E731
    write(out / "provinces.csv", header, ["code", "name", "variants"],
          [[r["code"], r["name"], v(r["code"])] for r in read(data / "provinces.csv")])
    write(out / "kabkota.csv", header, ["code", "province_code", "name", "variants"],
          [[r["code"], r["province_code"], r["name"], v(r["code"])] for r in read(data / "regencies.csv")])
    write(out / "kecamatan.csv", header, ["code", "kabupaten_code", "name", "variants"],
          [[r["code"], r["regency_code"], r["name"], v(r["code"])] for r in read(data / "districts.csv")])
    write(out / f"desa-{KUTIM.replace('.', '')}.csv", header, ["code", "kecamatan_code", "name", "variants"],
          [[r["code"], r["district_code"], r["name"], v(r["code"])] for r in read(data / "villages.csv")
           if r["district_code"].startswith(KUTIM + ".")])


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
