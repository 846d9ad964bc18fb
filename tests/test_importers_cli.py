"""``perbup import``: writes the canonical folder, summarises counts and reasons, exits 2 on bad input."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from perbup_rules.cli import main
from perbup_rules.cli.import_cmd import reason_pattern, summary
from perbup_rules.importers import load_dataset
from perbup_rules.records import Dataset, Rejection

from test_importers_lkpp import rup, write_csv


def invoke(*args: str):
    return CliRunner().invoke(main, ["import", *args])


def test_import_sirup_writes_the_canonical_folder(tmp_path):
    src = write_csv(tmp_path / "rup.csv", [rup(kd_rup="1"), rup(kd_rup="2", status_delete_rup="true"), rup(kd_rup="3", status_delete_rup="true"), rup(kd_rup="4", pagu="x")])
    out = tmp_path / "out"
    result = invoke("--from", "sirup-rup", str(src), "-o", str(out))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any(line.split()[:4] == ["purchases", "4", "1", "3"] for line in lines)
    assert "top rejection reasons:" in result.output
    deleted = next(line for line in lines if "deleted in SiRUP" in line)
    assert deleted.split()[0] == "2"  # the two deleted packages are one reason
    for name in ("parties.csv", "purchases.csv", "partnerships.csv", "rejected.csv"):
        assert (out / name).is_file()
    ds = load_dataset(out)
    assert [p.id for p in ds.purchases] == ["rup:1"]
    assert len((out / "rejected.csv").read_text().splitlines()) == 1 + 3


def test_kind_is_detected_by_default(tmp_path):
    src = write_csv(tmp_path / "rup.csv", [rup()])
    result = invoke(str(src), "-o", str(tmp_path / "out"))
    assert result.exit_code == 0 and "(sirup-rup)" in result.output


def test_bad_input_exits_2_with_the_located_problem_and_its_hint(tmp_path):
    src = tmp_path / "notes.csv"
    src.write_text("a,b\n1,2\n")
    result = invoke(str(src), "-o", str(tmp_path / "out"))
    assert result.exit_code == 2
    first, *rest = result.stderr.strip().splitlines()
    assert first.startswith(f"perbup: {src}") and "unreadable_input" in first
    assert [line.strip().split(":")[0] for line in rest] == ["hint"]  # the hint `perbup audit` gives too
    assert not (tmp_path / "out").exists()


def test_bad_encoding_points_at_the_line(tmp_path):
    src = tmp_path / "rup.csv"
    write_csv(src, [rup()])
    src.write_bytes(src.read_bytes() + b"2025,D1,Kab. X,KAB,1,,Caf\xe9\n")
    result = invoke("--from", "sirup-rup", str(src), "-o", str(tmp_path / "out"))
    assert result.exit_code == 2 and f"{src}:3:" in result.stderr


def test_unknown_kind_is_a_usage_error(tmp_path):
    src = write_csv(tmp_path / "rup.csv", [rup()])
    result = invoke("--from", "sirup", str(src), "-o", str(tmp_path / "o"))
    assert result.exit_code == 2


def test_reason_patterns_keep_the_advice_as_written():
    a = Rejection("purchases", "f", 2, "bad_value", "'06-13-2027' is not a calendar date", "date")
    b = Rejection("purchases", "f", 3, "bad_value", "'2027.03.06' is not a date (use 2025-03-31 or 31/03/2025)", "date")
    assert reason_pattern(a) == "bad_value  purchases.date: '…' is not a calendar date"
    assert reason_pattern(b) == "bad_value  purchases.date: '…' is not a date (use 2025-03-31 or 31/03/2025)"
    c = Rejection("purchases", "f", 4, "bad_value", "umk_value_idr 6 exceeds value_idr 5 (e.g. 5)", "umk_value_idr")
    assert reason_pattern(c) == "bad_value  purchases.umk_value_idr: umk_value_idr N exceeds value_idr N (e.g. 5)"


def test_reason_patterns_group_alike_rejections():
    a = Rejection("purchases", "f", 2, "duplicate_row", "purchase id 'x-1' repeats row 12", "id")
    b = Rejection("purchases", "f", 3, "duplicate_row", "purchase id 'y-9' repeats row 400", "id")
    assert reason_pattern(a) == reason_pattern(b)
    ds = Dataset()
    ds.stats["purchases"].read = 2
    ds.reject(a.table, a.file, a.row, a.code, a.reason, a.column)
    ds.reject(b.table, b.file, b.row, b.code, b.reason, b.column)
    lines = summary(ds)
    assert lines[-1].split()[0] == "2" and "duplicate_row" in lines[-1]


def test_import_folder_of_canonical_csvs(tmp_path):
    example = Path(__file__).resolve().parents[1] / "examples" / "kutim"
    result = invoke(str(example), "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert "(canonical)" in result.output and "unknown_reference" in result.output
