"""Hand-built Report fixtures shared by the tests/test_report_*.py modules (a conftest-like helper)."""

from __future__ import annotations

from decimal import Decimal

from perbup_rules.findings import Finding, Report, RequiredPartnership, Status, Text

HOSTILE = "<script>alert(1)</script>"
FINGERPRINT = "sha256:" + "3f9a0c1e" * 8

PDS = {
    "pd-disdik": "Dinas Pendidikan",
    "pd-dpupr": "Dinas Pekerjaan Umum dan Penataan Ruang",
    "pd-dinkes": "Dinas Kesehatan",
    "pd-bpkad": "Badan Pengelolaan Keuangan dan Aset Daerah",
    "pd-diskop": "Dinas Koperasi dan Usaha Kecil Menengah",
    "pd-dispar": "Dinas Kebudayaan dan Pariwisata",
    "pd-dishub": "Dinas Perhubungan",
    "pd-setda": "Sekretariat Daerah Kabupaten Kutai Timur",
}
PPKS = {"ppk-01": "PPK Bidang Bina Marga", "ppk-02": "PPK Sekolah Dasar", "ppk-03": "PPK Puskesmas"}
SUPPLIERS = {
    "sup-cv-maju": 'CV "Maju & Jaya" Sangatta',
    "sup-pt-besar": "PT Kaltim Konstruksi Utama",
    "sup-kop-sejahtera": "Koperasi Serba Usaha Sejahtera Bengalon",
    "sup-ud-laundry": "UD Bersih Wangi Laundry",
    "sup-hostile": HOSTILE,
    "sup-umkm-kue": "UMKM Kue Ibu Sari",
}
HOTELS = {"htl-royal": "Hotel Royal Victoria Sangatta", "rst-pondok": "Rumah Makan Pondok Selera"}

#: (pd, period, stage) -> measured share (None: cannot determine)
SHARES = {
    "pd-disdik": ["0.5120", "0.4711", "0.6002", "0.5533"],
    "pd-dpupr": ["0.1834", "0.2211", "0.3999", "0.4000"],
    "pd-dinkes": ["0.4213", "0.3876", "0.4590", None],
    "pd-bpkad": ["0.7700", "0.8123", "0.6644", "0.7010"],
    "pd-diskop": ["0.9050", "0.9500", "0.8800", "0.9100"],
    "pd-dispar": ["0.3001", None, "0.4102", "0.3388"],
    "pd-dishub": ["0.0000", "0.1250", "0.2500", "0.4444"],
    "pd-setda": ["0.6100", "0.5900", "0.4001", "0.3999"],
}
PANELS = [(2024, "plan"), (2024, "contract"), (2025, "plan"), (2025, "contract")]


def _clause(cid, kind, citation, title_id, title_en, text, derived, severity="error", line=1):
    return {
        "id": cid,
        "kind": kind,
        "citation": citation,
        "title": {"id": title_id, "en": title_en},
        "text": text,
        "derived_from": derived,
        "severity": severity,
        "location": f"rules/kutim-kemitraan/pasal-{citation.split()[1].zfill(2)}.yaml:{line}:3",
    }


CLAUSES = [
    _clause(
        "KMT-01", "share", "Pasal 3 ayat (1)",
        "Porsi belanja UMKK setiap Perangkat Daerah", "UMKK share of each agency's spend",
        "Setiap Perangkat Daerah wajib mengalokasikan paling sedikit 40% (empat puluh persen) dari nilai "
        "anggaran belanja barang/jasa untuk produk Usaha Mikro, Usaha Kecil, dan Koperasi.",
        ["UU 6/2023 Pasal 97", "Perpres 16/2018 jo. 46/2025 Pasal 65 ayat (2)"], line=12,
    ),
    _clause(
        "KMT-02", "share", "Pasal 3 ayat (2)",
        "Porsi belanja UMKK setiap PPK", "UMKK share of each commitment officer's spend",
        "Setiap PPK wajib mengalokasikan paling sedikit 40% dari nilai belanja barang/jasa yang dikelolanya "
        "untuk produk Usaha Mikro, Usaha Kecil, dan Koperasi.",
        ["Perpres 16/2018 jo. 46/2025 Pasal 20 ayat (3)"], line=40,
    ),
    _clause(
        "KMT-03", "each", "Pasal 4 ayat (1)",
        "Paket sampai Rp15 miliar dicadangkan untuk UMKK", "Packages up to Rp15 bn reserved for UMKK",
        "Paket pengadaan barang, pekerjaan konstruksi, dan jasa lainnya dengan nilai pagu anggaran paling "
        "banyak Rp15.000.000.000,00 diperuntukkan bagi Usaha Mikro, Usaha Kecil, dan Koperasi.",
        ["Perpres 16/2018 jo. 46/2025 Pasal 65 ayat (3) dan (4)"], line=5,
    ),
    _clause(
        "KMT-05", "exists", "Pasal 5 ayat (1)",
        "Penyedia non-UMKK bermitra dengan UMKK", "Non-UMKK winners partner with UMKK",
        "Penyedia yang bukan Usaha Mikro, Usaha Kecil, atau Koperasi wajib bekerja sama dengan Usaha Mikro, "
        "Usaha Kecil, dan/atau Koperasi melalui subkontrak atau bentuk kemitraan lainnya.",
        ["Perpres 16/2018 jo. 46/2025 Pasal 65 ayat (6)"], line=3,
    ),
    _clause(
        "KMT-06", "classify", "Pasal 2 ayat (1)",
        "Klasifikasi skala usaha penyedia", "Supplier business scale",
        "Usaha Mikro dan Usaha Kecil ditentukan berdasarkan modal usaha atau hasil penjualan tahunan.",
        ["PP 7/2021 Pasal 35"], severity="warning", line=2,
    ),
    _clause(
        "KMT-15", "exists", "Pasal 9 ayat (1)",
        "Hotel dan restoran bermitra dengan UMKK lokal", "Hotels and restaurants partner with local UMKK",
        "Setiap usaha hotel dan restoran wajib memiliki paling sedikit 1 (satu) perjanjian kemitraan "
        "tertulis dengan Usaha Mikro, Usaha Kecil, atau Koperasi di Kabupaten Kutai Timur.",
        ["UU 10/2009 Pasal 26 huruf f", "UU 20/2008 Pasal 30 ayat (2)"], line=4,
    ),
]


def _share_findings() -> list[Finding]:
    out = []
    for pd, values in SHARES.items():
        for (period, stage), measured in zip(PANELS, values):
            ev = (f"pur-{pd[3:]}-{period}-{stage}-1", f"pur-{pd[3:]}-{period}-{stage}-2")
            if measured is None:
                out.append(Finding(
                    "KMT-01", "Pasal 3 ayat (1)", pd, period, Status.CANNOT_DETERMINE,
                    Text("Nilai produk UMK tidak tercantum pada sebagian paket.",
                         "The UMK product value is missing on some packages."),
                    subject_kind="party", stage=stage, threshold="0.40", evidence=ev,
                    missing=("umk_value_idr",), rule_location="rules/kutim-kemitraan/pasal-03.yaml:12:3",
                ))
                continue
            ok = Decimal(measured) >= Decimal("0.40")
            out.append(Finding(
                "KMT-01", "Pasal 3 ayat (1)", pd, period, Status.COMPLIANT if ok else Status.VIOLATION,
                Text(f"Porsi UMKK {measured} {'memenuhi' if ok else 'di bawah'} ambang 0,40.",
                     f"UMKK share {measured} is {'at or above' if ok else 'below'} the 0.40 threshold."),
                subject_kind="party", stage=stage, measured=measured, threshold="0.40", evidence=ev,
                rule_location="rules/kutim-kemitraan/pasal-03.yaml:12:3",
            ))
    for ppk, measured in zip(PPKS, ["0.3120", "0.8800", None]):
        st = Status.CANNOT_DETERMINE if measured is None else (
            Status.VIOLATION if Decimal(measured) < Decimal("0.40") else Status.COMPLIANT)
        out.append(Finding(
            "KMT-02", "Pasal 3 ayat (2)", ppk, 2025, st,
            Text("Porsi UMKK per PPK.", "UMKK share per PPK."), subject_kind="ppk", stage="contract",
            measured=measured, threshold="0.40", missing=("supplier_scale",) if measured is None else (),
        ))
    out.append(Finding(
        "KMT-02", "Pasal 3 ayat (2)", "ppk-04", 2025, Status.NOT_APPLICABLE,
        Text("PPK tanpa belanja barang/jasa.", "PPK without goods/services spend."), subject_kind="ppk",
        stage="contract",
    ))
    return out


def _each_findings() -> list[Finding]:
    c, cit = "KMT-03", "Pasal 4 ayat (1)"
    return [
        Finding(c, cit, "pur-2025-0001", 2025, Status.VIOLATION,
                Text("Paket Rp2.350.000.000 dimenangkan PT Kaltim Konstruksi Utama (besar) tanpa alasan teknis.",
                     "Rp2,350,000,000 package won by a large supplier without a technical exemption."),
                stage="award", measured="2350000000", threshold="15000000000",
                evidence=("pur-2025-0001", "sup-pt-besar"), rule_location="rules/kutim-kemitraan/pasal-04.yaml:5:3"),
        Finding(c, cit, "pur-2025-0002", 2025, Status.VIOLATION,
                Text(f"Paket dimenangkan {HOSTILE}.", f"Package won by {HOSTILE}."),
                stage="award", measured="980000000", threshold="15000000000", evidence=("pur-2025-0002", "sup-hostile")),
        Finding(c, cit, "pur-2025-0003", 2025, Status.COMPLIANT,
                Text("Pemenang koperasi.", "Winner is a koperasi."), stage="award",
                measured="450000000", threshold="15000000000", evidence=("pur-2025-0003", "sup-kop-sejahtera")),
        Finding(c, cit, "pur-2025-0004", 2025, Status.COMPLIANT,
                Text("Dikecualikan: kemampuan teknis.", "Exempt: technical capability."), stage="award",
                measured="12000000000", threshold="15000000000", exception="technical_capability",
                evidence=("pur-2025-0004",)),
        Finding(c, cit, "pur-2025-0005", 2025, Status.CANNOT_DETERMINE,
                Text("Skala usaha penyedia tidak diketahui.", "The supplier's business scale is unknown."),
                stage="award", measured="300000000", threshold="15000000000",
                missing=("supplier.scale", "supplier.capital_idr"), evidence=("pur-2025-0005",)),
        Finding(c, cit, "pur-2025-0006", 2025, Status.NOT_APPLICABLE,
                Text("Jasa konsultansi tidak termasuk.", "Consultancy is out of scope."), stage="award"),
        Finding(c, cit, "pur-2024-0107", 2024, Status.VIOLATION,
                Text("Paket seragam dimenangkan usaha menengah.", "Uniform package won by a medium enterprise."),
                stage="contract", measured="760000000", threshold="15000000000",
                evidence=("pur-2024-0107", "sup-cv-maju")),
        Finding("KMT-06", "Pasal 2 ayat (1)", "sup-cv-maju", None, Status.COMPLIANT,
                Text("Skala kecil menurut modal usaha.", "Small by capital."), subject_kind="party",
                severity="warning"),
        Finding("KMT-06", "Pasal 2 ayat (1)", "sup-umkm-kue", None, Status.CANNOT_DETERMINE,
                Text("Modal dan penjualan tahunan kosong.", "Capital and annual sales are empty."),
                subject_kind="party", missing=("capital_idr", "annual_sales_idr"), severity="warning"),
    ]


def _exists_findings() -> list[Finding]:
    return [
        Finding("KMT-05", "Pasal 5 ayat (1)", "pur-2025-0001", 2025, Status.VIOLATION,
                Text("Tidak ada subkontrak dengan UMKK.", "No subcontract with UMKK."), stage="contract",
                measured="0", threshold="1", evidence=("pur-2025-0001",)),
        Finding("KMT-05", "Pasal 5 ayat (1)", "pur-2025-0009", 2025, Status.COMPLIANT,
                Text("Subkontrak kms-0003.", "Subcontract kms-0003."), stage="contract",
                measured="1", threshold="1", evidence=("kms-0003",)),
        Finding("KMT-15", "Pasal 9 ayat (1)", "htl-royal", 2025, Status.VIOLATION,
                Text("Tidak ada kemitraan tertulis untuk laundry.", "No written partnership for laundry."),
                subject_kind="party", category="laundry", measured="0", threshold="1"),
        Finding("KMT-15", "Pasal 9 ayat (1)", "htl-royal", 2025, Status.COMPLIANT,
                Text("Kemitraan makanan kms-0011.", "Food partnership kms-0011."), subject_kind="party",
                category="makanan", measured="1", threshold="1", evidence=("kms-0011",)),
        Finding("KMT-15", "Pasal 9 ayat (1)", "rst-pondok", 2025, Status.VIOLATION,
                Text("Tidak ada kemitraan tertulis untuk makanan.", "No written partnership for food."),
                subject_kind="party", category="makanan", measured="0", threshold="1"),
        Finding("KMT-15", "Pasal 9 ayat (1)", "rst-pondok", 2025, Status.CANNOT_DETERMINE,
                Text("Tanggal akhir kemitraan kosong.", "The partnership end date is empty."),
                subject_kind="party", category="laundry", missing=("end_date",), evidence=("kms-0020",)),
    ]


def _rejected() -> list[dict]:
    rows = []
    for i, (table, col, code, reason) in enumerate([
        ("parties", "scale", "unknown_code", "scale 'sedang' is not one of mikro, kecil, menengah, besar"),
        ("parties", "kind", "unknown_code", "kind 'hotell' is not a known party kind"),
        ("parties", "id", "duplicate_row", "id 'sup-cv-maju' repeats row 4"),
        ("purchases", "value_idr", "bad_value", "'1.2.3' is not a rupiah amount"),
        ("purchases", "date", "bad_value", "'2025-13-01' is not an ISO date"),
        ("purchases", "supplier_id", "unknown_reference", f"supplier '{HOSTILE}' does not exist"),
        ("purchases", "value_idr", "negative_value", "value_idr is below zero"),
        ("purchases", "buyer_id", "required_value", "buyer_id is empty"),
        ("partnerships", "pattern", "unknown_code", "pattern 'joint' is not a kemitraan pattern"),
    ]):
        rows.append({"table": table, "file": f"data/{table}.csv", "row": 10 + i, "column": col,
                     "code": code, "reason": reason})
    return rows


def make_report(extra_violations: int = 0, extra_pds: int = 0, extra_rejected: int = 0) -> Report:
    """A realistic report: every clause kind, 8 PDs x 2 periods x 2 stages, names, rejections.

    ``extra_violations`` adds KMT-03 violations, ``extra_pds`` adds compliant KMT-01 subjects to
    every panel and ``extra_rejected`` adds rejected purchase rows (with matching input counts).
    """
    findings = _share_findings() + _each_findings() + _exists_findings()
    extra_names = {}
    for i in range(extra_pds):
        pd = f"pd-extra-{i:03d}"
        extra_names[pd] = f"UPT Puskesmas Kecamatan {i:03d}"
        for period, stage in PANELS:
            findings.append(Finding(
                "KMT-01", "Pasal 3 ayat (1)", pd, period, Status.COMPLIANT,
                Text("Porsi UMKK memenuhi ambang.", "UMKK share meets the threshold."),
                subject_kind="party", stage=stage, measured=f"0.{50 + i % 50:02d}00", threshold="0.40"))
    for i in range(extra_violations):
        findings.append(Finding(
            "KMT-03", "Pasal 4 ayat (1)", f"pur-bulk-{i:05d}", 2025, Status.VIOLATION,
            Text("Paket dimenangkan penyedia besar.", "Package won by a large supplier."),
            stage="award", measured="100000000", threshold="15000000000"))
    required = [
        RequiredPartnership("sup-pt-besar", "KMT-05", 2025, "konstruksi",
                            ("sup-kop-sejahtera", "sup-cv-maju"), purchase="pur-2025-0001"),
        RequiredPartnership("htl-royal", "KMT-15", 2025, "laundry", ("sup-ud-laundry", "sup-hostile")),
        RequiredPartnership("rst-pondok", "KMT-15", 2025, "makanan", ("sup-umkm-kue", "sup-kop-sejahtera")),
    ]
    names = {**PDS, **PPKS, **SUPPLIERS, **HOTELS, **extra_names, "not-listed": "Never mentioned"}
    rejected = _rejected() + [
        {"table": "purchases", "file": "data/purchases.csv", "row": 100 + i, "column": "value_idr",
         "code": "bad_value", "reason": f"row {100 + i}: not a rupiah amount"}
        for i in range(extra_rejected)
    ]
    return Report(
        regulation={
            "id": "kutim-kemitraan",
            "title": {
                "id": "Rancangan Peraturan Bupati Kutai Timur tentang Kemitraan Koperasi dan UMKM",
                "en": "Draft Kutai Timur Regent Regulation on Cooperative and MSME Partnerships",
            },
            "version": "0.3.0",
            "status": "rancangan",
            "fingerprint": FINGERPRINT,
        },
        findings=findings,
        required_partnerships=required,
        input={
            "parties": {"read": 64, "accepted": 61, "rejected": 3},
            "purchases": {"read": 1200 + extra_rejected, "accepted": 1195, "rejected": 5 + extra_rejected},
            "partnerships": {"read": 40, "accepted": 39, "rejected": 1},
        },
        rejected=rejected,
        sources=[
            {"path": "data/parties.csv", "sha256": "a1" * 32, "kind": "parties"},
            {"path": "data/partnerships.csv", "sha256": "c3" * 32, "kind": "partnerships"},
            {"path": "data/purchases.csv", "sha256": "b2" * 32, "kind": "purchases"},
        ],
        engine="reference",
        clauses=CLAUSES,
        names=names,
    )


def share_clause_ids(report: Report) -> list[str]:
    """Ids of the share clauses that have findings."""
    return sorted({c["id"] for c in report.clauses if c["kind"] == "share"})


def test_fixture_is_consistent():
    """The fixture's input counts reconcile with its rejected rows."""
    r = make_report(extra_rejected=3)
    for table, counts in r.input.items():
        assert counts["read"] == counts["accepted"] + counts["rejected"]
        assert counts["rejected"] == sum(1 for x in r.rejected if x["table"] == table)
    assert {f.clause for f in r.findings} == {c["id"] for c in r.clauses}
