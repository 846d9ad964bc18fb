"""One `perbup audit`: whichever way it judges (per record, column-wise), the report is the same.

Every test forces both paths (``path="per-record"`` / ``"column"``, the CLI's
``--engine-path``) on one input kind and compares the whole report; the per-record
evaluator is the definition. Inputs: the bundled example, generated data (several
seeds, undated purchases), a canonical workbook, several inputs linked, registries,
an OCDS file and the real LKPP exports in shared/.
"""

from __future__ import annotations

import csv
import dataclasses
import json
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

import perbup_rules as pr
from perbup_rules.bulk import ALL, as_counted, choose, evaluate_bulk, from_dataset
from perbup_rules.bulk.feed import NotColumnWise, column_types
from perbup_rules.cli import main
from perbup_rules.errors import DataError, UsageError

from generated import generated

REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"
KUTIM = pr.load_ruleset(pr.BUNDLED_RULES)
needs_real = pytest.mark.skipif(not REAL.is_dir(), reason="shared/data/real is not beside the repository")


def _both(data, engine="reference", **kw) -> pr.Report:
    """The report of each forced path; they must be equal as wholes (engine name included)."""
    a = pr.audit(KUTIM, data, engine, path="per-record", **kw)
    b = pr.audit(KUTIM, data, engine, path="column", **kw)
    da, db = a.to_dict(), b.to_dict()
    for key in da:
        assert da[key] == db[key], key
    assert da == db
    return a


# --- whole reports on every input kind --------------------------------------------------


@pytest.mark.parametrize("engine", ["reference", "durable"])
def test_the_bundled_example(engine):
    report = _both(pr.EXAMPLE_DATA, engine)
    assert report.engine == engine and report.counted  # the counted form, whichever path
    # and it is the per-record evaluator's report in that form
    per = as_counted(pr.evaluate(KUTIM, pr.load_dataset(pr.EXAMPLE_DATA), engine))
    assert dataclasses.replace(per, engine=engine).to_dict() == report.to_dict()


def test_every_verdict_listed_with_all_findings():
    a = _both(pr.EXAMPLE_DATA, all_findings=True)
    assert not a.counted
    definition = pr.evaluate(KUTIM, pr.load_dataset(pr.EXAMPLE_DATA), "reference")
    assert a.to_dict() == definition.to_dict()


@pytest.mark.parametrize("kw", [{"stage": "contract"}, {"periods": [2026]}, {"as_if_in_force": True},
                                {"clauses": ["KMT-03", "KMT-05"]}, {"stage": "plan", "all_findings": True}])
def test_filters_and_readings(kw):
    _both(pr.EXAMPLE_DATA, **kw)


@pytest.mark.parametrize("seed, undated", [(1, 0), (7, 9), (20250601, 4)])
def test_generated_data_with_and_without_dates(tmp_path, seed, undated):
    folder = generated(tmp_path / "g", seed, 600, undated)
    report = _both(folder)
    if undated:
        assert any(d["missing"] == ["date"] for d in report.to_dict()["data_quality"])


def _messy(folder: Path, seed: int) -> Path:
    """Generated purchases with what real exports have: amounts grouped with dots (read per row by
    the column-wise loader), padded amounts, blank dates and categories, an unknown supplier, a
    UMK part over the value (in plain rows and in rows read per row), repeated ids."""
    import random

    rnd = random.Random(seed)
    path = folder / "purchases.csv"
    rows = list(csv.reader(open(path, encoding="utf-8", newline="")))
    head, body = rows[0], rows[1:]
    col = {name: head.index(name) for name in ("value_idr", "umk_value_idr", "date", "category", "supplier_id")}
    for n, r in enumerate(body):
        value = r[col["value_idr"]]
        x = rnd.random()
        if n % 41 == 5 and value.isdigit():  # a UMK part over the value, in a plain row
            r[col["umk_value_idr"]] = str(int(value) + 5)
        elif n % 41 == 6 and value.isdigit() and int(value) >= 1000:  # the same in a row read per row
            r[col["umk_value_idr"]] = str(int(value) + 5)
            r[col["value_idr"]] = f"{int(value):,}".replace(",", ".")
        elif x < 0.05:
            r[col["date"]] = ""
        elif x < 0.10 and value.isdigit() and int(value) >= 1000:
            r[col["value_idr"]] = f"{int(value):,}".replace(",", ".")
        elif x < 0.13:
            r[col["category"]] = ""
        elif x < 0.15:
            r[col["value_idr"]] = f" {value} "
        elif x < 0.16:
            r[col["supplier_id"]] = "no-such-party"
    body += [list(rnd.choice(body)) for _ in range(5)]  # repeated ids
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows([head, *body])
    return folder


@pytest.mark.parametrize("seed", [3, 4242])
def test_messy_canonical_data_is_read_and_rejected_alike(tmp_path, seed):
    report = _both(_messy(generated(tmp_path / "m", seed, 800), seed))
    over = [r for r in report.rejected if r["code"] == "bad_value" and r["column"] == "umk_value_idr"]
    assert len(over) >= 2 and all(r["reason"].startswith("umk_value_idr ") and "exceeds value_idr" in r["reason"]
                                  for r in over)
    assert any(r["code"] == "duplicate_row" for r in report.rejected)


def test_a_canonical_workbook_with_sen(tmp_path):
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for table in ("parties", "purchases", "partnerships"):
        ws = wb.create_sheet(table)
        for row in csv.reader(open(pr.EXAMPLE_DATA / f"{table}.csv", encoding="utf-8", newline="")):
            ws.append(row)
    ws = wb["purchases"]
    ws.append(["sen-1", "contract", *[c.value for c in ws[2][2:]]])  # a copy of row 2 with sen
    header = [c.value for c in ws[1]]
    ws.cell(ws.max_row, header.index("value_idr") + 1, 1500000.5)
    wb.save(tmp_path / "kutim.xlsx")
    ds = pr.load_dataset(tmp_path / "kutim.xlsx")
    assert any(isinstance(p.value_idr, Decimal) for p in ds.purchases)
    _both(tmp_path / "kutim.xlsx")


def test_several_inputs_are_linked_as_one(tmp_path):
    a = generated(tmp_path / "a", 3, 300)
    _both([a, pr.EXAMPLE_DATA])


@needs_real
def test_registries():
    _both(pr.EXAMPLE_DATA, registries=[REAL / "kutim_umkm_registry_excerpt.csv"])


@needs_real
def test_an_ocds_release_package():
    _both(REAL / "ocds_uk_contractsfinder_2025_releases_290.json")


@needs_real
def test_the_isb_folder_of_lkpp_exports():
    report = _both(REAL / "isb-kabbandung-2025")
    assert report.counted


@needs_real
def test_the_kalbar_sirup_export():
    _both(REAL / "sirup_rup_paket_penyedia_kalbar_2025.csv", periods=[2025])


@needs_real
def test_an_spse_export_with_every_verdict_listed():
    _both(REAL / "spse_nontender_selesai_kabbandung_2025.csv", all_findings=True)


def test_a_dataset_already_read_is_categorised_and_judged():
    ds = pr.load_dataset(pr.EXAMPLE_DATA)
    a = pr.audit(KUTIM, ds, "reference", path="column")
    b = pr.audit(KUTIM, pr.load_dataset(pr.EXAMPLE_DATA), "reference", path="per-record")
    assert a.to_dict() == b.to_dict()


def test_categories_filled_in_the_duckdb_table(tmp_path):
    """A canonical folder without categories, read by DuckDB: categories.yaml fills the table as
    it fills the records (package names in an extra column are the evidence)."""
    folder = tmp_path / "nocat"
    folder.mkdir()
    for t in ("parties", "partnerships"):
        (folder / f"{t}.csv").write_bytes((pr.EXAMPLE_DATA / f"{t}.csv").read_bytes())
    rows = list(csv.reader(open(pr.EXAMPLE_DATA / "purchases.csv", encoding="utf-8", newline="")))
    i = rows[0].index("category")
    names = {"makanan": "Belanja makanan dan minuman rapat", "atk": "Belanja alat tulis kantor",
             "seragam_sekolah": "Pengadaan seragam sekolah siswa"}
    rows[0].append("nama_paket")
    for r in rows[1:]:
        r.append(names.get(r[i], "Pekerjaan lain"))
        r[i] = ""
    with open(folder / "purchases.csv", "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    inp = choose.read([folder], path="column")
    try:
        assert inp.bulk is not None and inp.bulk.per_row is None
        got = choose.categorize(inp, KUTIM)
    finally:
        inp.close()
    ds = pr.load_dataset(folder)
    want = pr.categorize(ds, KUTIM)
    assert (got.found, got.ambiguous, got.unmatched, got.kept) == (want.found, want.ambiguous, want.unmatched, want.kept)
    assert sum(want.found.values()) > 100
    _both(folder)


# --- choosing ----------------------------------------------------------------------------


def test_auto_chooses_by_size(monkeypatch):
    monkeypatch.setattr(choose, "COLUMN_FROM", 10**9)
    small = choose.read([pr.EXAMPLE_DATA])
    n = small.purchase_count()
    monkeypatch.setattr(choose, "COLUMN_FROM", n + 1)
    choose.judge(KUTIM, small, "reference")
    assert small.path == "per-record" and small.bulk is None
    monkeypatch.setattr(choose, "COLUMN_FROM", n)
    big = choose.read([pr.EXAMPLE_DATA])
    try:
        assert big.bulk is not None  # a canonical folder over the threshold: DuckDB's CSV reader
        choose.judge(KUTIM, big, "reference")
    finally:
        big.close()
    assert big.path == "column"
    ds = choose.read([pr.EXAMPLE_DATA], kind="canonical", path="per-record")
    choose.judge(KUTIM, ds, "reference", path="per-record")  # records read by the importer
    assert ds.path == "per-record"
    choose.judge(KUTIM, ds, "reference", path="auto")
    assert ds.path == "column"


def test_the_environment_forces_a_path(monkeypatch):
    monkeypatch.setenv(choose.ENV, "column")
    assert choose.asked(None) == "column" and choose.asked("per-record") == "per-record"
    monkeypatch.setenv(choose.ENV, "fast")
    with pytest.raises(UsageError, match="per-record"):
        choose.asked(None)


def test_amounts_the_table_cannot_hold_exactly_are_judged_per_record():
    ds = pr.load_dataset(pr.EXAMPLE_DATA)
    p = ds.purchases[0]
    ds.purchases[0] = dataclasses.replace(p, value_idr=Decimal("1500000.12345678901"))
    with pytest.raises(NotColumnWise):
        column_types(ds.purchases)
    inp = choose.Input(ds)
    choose.judge(KUTIM, inp, "reference", path="column")
    assert inp.path == "per-record" and "DECIMAL" in inp.why


def test_a_fed_dataset_keeps_its_records_and_every_verdict():
    ds = pr.load_dataset(pr.EXAMPLE_DATA)
    data = from_dataset(ds)
    try:
        got = data.purchases()
        assert got == ds.purchases  # the records themselves (exact amounts, extra, provenance)
        assert data.con.execute("SELECT count(*) FROM purchases").fetchone()[0] == len(ds.purchases)
        report = evaluate_bulk(KUTIM, data, "reference", listed=ALL)
    finally:
        data.close()
    definition = pr.evaluate(KUTIM, pr.load_dataset(pr.EXAMPLE_DATA), "reference")
    assert dataclasses.replace(report, engine="reference").to_dict() == definition.to_dict()


def test_no_purchases_is_refused_alike(tmp_path):
    folder = tmp_path / "empty"
    folder.mkdir()
    (folder / "parties.csv").write_bytes((pr.EXAMPLE_DATA / "parties.csv").read_bytes())
    (folder / "purchases.csv").write_text("id,stage,buyer_id\n", encoding="utf-8")
    errs = []
    for path in ("per-record", "column"):
        with pytest.raises(DataError) as err:
            pr.audit(KUTIM, folder, path=path)
        errs.append([d.to_dict() for d in err.value.diagnostics])
    assert errs[0] == errs[1] and errs[0][0]["code"] == "no_data"


# --- the CLI -----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "csv", "md"])
def test_cli_paths_write_the_same_bytes(tmp_path, fmt):
    runner = CliRunner()
    outs = []
    for path in ("per-record", "column", "auto"):
        out = tmp_path / f"{path}.{fmt}"
        res = runner.invoke(main, ["audit", "--engine-path", path, "--format", fmt, "-o", str(out), "-q"])
        assert res.exit_code == 0, res.output
        outs.append(out.read_bytes())
    assert outs[0] == outs[1] == outs[2]
    if fmt == "json":
        data = json.loads(outs[0])
        assert data["engine"] == "durable" and data["counted"]


def test_cli_verbose_says_the_path_on_stderr(tmp_path):
    runner = CliRunner()
    res = runner.invoke(main, ["audit", "-v", "--engine-path", "column", "-o", str(tmp_path / "r.txt")])
    assert res.exit_code == 0, res.output
    assert "column" in res.output and ("evaluation path" in res.output or "jalur penilaian" in res.output)
    env = runner.invoke(main, ["audit", "-v", "-o", str(tmp_path / "s.txt")], env={choose.ENV: "per-record"})
    assert "per-record (forced)" in env.output
    assert (tmp_path / "r.txt").read_bytes() == (tmp_path / "s.txt").read_bytes()


def test_cli_all_lists_every_verdict_on_both_paths(tmp_path):
    runner = CliRunner()
    outs = []
    for path in ("per-record", "column"):
        out = tmp_path / f"{path}.json"
        res = runner.invoke(main, ["audit", "--all", "--engine-path", path, "--format", "json", "-o", str(out), "-q"])
        assert res.exit_code == 0, res.output
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    data = json.loads(outs[0])
    assert not data["counted"] and any(f["status"] == "compliant" for f in data["findings"])


# --- any Dataset, fed from records ---------------------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402

from strategies import datasets  # noqa: E402


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ds=datasets())
def test_any_dataset_gives_the_same_report_fed_column_wise(ds):
    import copy

    a = pr.audit(KUTIM, copy.deepcopy(ds), "reference", path="per-record")
    b = pr.audit(KUTIM, copy.deepcopy(ds), "reference", path="column")
    assert a.to_dict() == b.to_dict()
