"""Malformed exports to every importer: only PerbupError escapes, and every row read is accepted or rejected."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perbup_rules.errors import PerbupError
from perbup_rules.importers import IMPORTERS, detect_kind, load
from perbup_rules.records import Dataset, TABLES

FUZZ = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])

TEMPLATES = {
    "sirup-rup": dict(
        tahun_anggaran="2025", nama_klpd="Kab. Kutai Timur", kd_satker="100", nama_satker="DINAS", kd_rup="1", pagu="1500000",
        metode_pengadaan="Tender", jenis_pengadaan="Barang", status_ukm="UKM", alasan_non_ukm="", tgl_awal_kontrak="2025-03-01",
        ppk_id="PPK-1", status_aktif_rup="true", status_delete_rup="false",
    ),
    "spse-nontender": dict(
        tahun_anggaran="2025", nama_klpd="Kab. Kutai Timur", kd_satker="100", nama_satker="DINAS", kd_nontender="9", nilai_kontrak="5000000",
        nilai_umk_kontrak="5000000", kualifikasi_paket="Kecil", jenis_pengadaan="Jasa Lainnya", mtd_pemilihan="Pengadaan Langsung",
        tgl_selesai_nontender="2025-06-02 16:00:00", kd_penyedia="77", nama_penyedia="CV. Maju",
    ),
    "spse-tender": dict(
        tahun_anggaran="2025", kd_satker="100", kd_tender="9", nilai_kontrak="5000000.50", nilai_umk_kontrak="0", kualifikasi_paket="Non Kecil",
        tgl_penetapan_pemenang="2025-06-02", kd_penyedia="77", nama_penyedia="PT Maju",
    ),
    "spse-ekontrak": dict(
        tahun_anggaran="2025", kd_satker="100", kd_nontender="9", no_kontrak="K/1", nilai_kontrak="5000000", nilai_umk_kontrak="0",
        bentuk_usaha_penyedia="CV", tgl_kontrak="2025-05-05", versi_addendum="0", kd_penyedia="77", nama_penyedia="CV Maju",
    ),
}

junk = st.one_of(
    st.text(max_size=10),
    st.sampled_from(["", "0", "-1", "1.500", "1e999", "NaN", "2025-02-30", "true", "Non-UKM", "Kecil", "\x00", "9" * 30, "Jasa Konsultansi X"]),
)


@st.composite
def export_rows(draw, kind: str) -> list[dict]:
    rows = []
    for i in range(draw(st.integers(0, 8))):
        row = dict(TEMPLATES[kind])
        key = next(k for k in ("kd_rup", "kd_nontender", "kd_tender") if k in row)
        row[key] = draw(st.sampled_from([str(i), str(i), "0"]))  # sometimes a repeat
        for _ in range(draw(st.integers(0, 3))):
            row[draw(st.sampled_from(sorted(row)))] = draw(junk)
        if draw(st.integers(0, 9)) == 0:
            row.pop(draw(st.sampled_from(sorted(row))))
        rows.append(row)
    return rows


def csv_text(rows: list[dict], kind: str) -> str:
    cols = list(TEMPLATES[kind])
    buf = io.StringIO()
    w = csv.DictWriter(buf, cols, lineterminator="\n", extrasaction="ignore", restval="")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def assert_accounted(ds: Dataset) -> None:
    assert ds.reconciles()
    for t in TABLES:
        s = ds.stats[t]
        assert s.rejected == sum(1 for r in ds.rejected if r.table == t)
        assert s.accepted == (len(ds.parties) if t == "parties" else len(getattr(ds, t)))
    for p in ds.purchases:
        for ref in (p.buyer_id, p.supplier_id):
            assert ref is None or ref in ds.parties


def run(path: Path, kind: str) -> Dataset | None:
    try:
        return load(path, kind)
    except PerbupError:
        return None


@FUZZ
@given(st.sampled_from(sorted(TEMPLATES)), st.data(), st.sampled_from(["csv", "json"]), st.binary(max_size=4))
def test_lkpp_importers(kind, data, fmt, tail):
    rows = data.draw(export_rows(kind))
    with tempfile.TemporaryDirectory() as tmp:
        if fmt == "csv":
            path = Path(tmp) / "x.csv"
            path.write_bytes(csv_text(rows, kind).encode() + tail)
            expected = None
            try:
                text = path.read_bytes().decode("utf-8")
                reader = csv.reader(io.StringIO(text, newline=""))
                next(reader, None)
                expected = sum(1 for r in reader if any(c.strip() for c in r))
            except (UnicodeDecodeError, csv.Error):
                pass
        else:
            path = Path(tmp) / "x.json"
            path.write_text(json.dumps(rows + ([] if not tail else [1, None])))
            expected = len(rows) + (2 if tail else 0)
        ds = run(path, kind)
        if ds is None:
            return
        assert_accounted(ds)
        if expected is not None:
            assert ds.stats["purchases"].read == expected


ocds_junk = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=6), st.floats(allow_nan=False, allow_infinity=False)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(["id", "amount", "currency", "date", "suppliers", "value", "awardID", "roles", "details", "scale", "status"]), inner, max_size=4)),
    max_leaves=12,
)


@st.composite
def ocds_release(draw, i: int) -> object:
    if draw(st.integers(0, 9)) == 0:
        return draw(ocds_junk)
    return {
        "ocid": draw(st.sampled_from([f"ocds-{i}", "ocds-0", ""])),
        "date": draw(st.sampled_from(["2026-01-01T00:00:00Z", "2026-02-01", "junk", None])),
        "buyer": draw(st.one_of(st.just({"id": "b"}), ocds_junk)),
        "parties": draw(st.one_of(st.just([{"id": "b", "roles": ["buyer"]}, {"id": "s", "roles": ["supplier"], "details": {"scale": "small"}}]), ocds_junk)),
        "tender": draw(st.one_of(st.just({"mainProcurementCategory": "goods"}), ocds_junk)),
        "awards": draw(st.lists(st.one_of(st.just({"id": "a", "value": {"amount": 5, "currency": "IDR"}, "suppliers": [{"id": "s"}]}), ocds_junk), max_size=3)),
        "contracts": draw(st.lists(st.one_of(st.just({"id": "c", "awardID": "a"}), ocds_junk), max_size=2)),
    }


@FUZZ
@given(st.data(), st.sampled_from(["package", "lines", "records"]))
def test_ocds_importer(data, shape):
    releases = [data.draw(ocds_release(i)) for i in range(data.draw(st.integers(0, 5)))]
    with tempfile.TemporaryDirectory() as tmp:
        if shape == "lines":
            path = Path(tmp) / "x.jsonl"
            path.write_text("\n".join(json.dumps(r) for r in releases))
        else:
            doc = {"releases": releases} if shape == "package" else {"records": [{"ocid": "o", "compiledRelease": r} for r in releases]}
            path = Path(tmp) / "x.json"
            path.write_text(json.dumps(doc))
        ds = run(path, "ocds")
        if ds is not None:
            assert_accounted(ds)


@FUZZ
@given(st.binary(max_size=200), st.sampled_from([".csv", ".json", ".jsonl", ".xlsx", ".txt"]), st.sampled_from(sorted(IMPORTERS)))
def test_arbitrary_bytes_to_every_importer_and_detect(data, suffix, kind):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"x{suffix}"
        path.write_bytes(data)
        try:
            detect_kind(path)
        except PerbupError:
            pass
        ds = run(path, kind)
        if ds is not None:
            assert_accounted(ds)
