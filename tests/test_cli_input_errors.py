"""No data is no audit, and one way to report input problems, for every command.

An input that yields no accepted purchase exits 2 with one line (rows read, rejected,
the most common reason) in ``audit`` (per record and ``--bulk``) and ``import``, whatever
``--fail-on`` says; a missing path is one located line for every command that takes
paths; ``import`` and ``audit`` show the same diagnostics with the same hints.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import perbup_rules as pr
from perbup_rules.cli import main
from perbup_rules.errors import DataError
from perbup_rules.records import Dataset, Party

EXAMPLE = Path(pr.EXAMPLE_DATA)
TABLES = ("parties", "purchases", "partnerships")


def run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


def _header(table: str) -> str:
    return (EXAMPLE / f"{table}.csv").read_text(encoding="utf-8").splitlines()[0]


@pytest.fixture
def header_only(tmp_path) -> Path:
    folder = tmp_path / "header-only"
    folder.mkdir()
    for t in TABLES:
        (folder / f"{t}.csv").write_text(_header(t) + "\n", encoding="utf-8")
    return folder


@pytest.fixture
def all_rejected(tmp_path) -> Path:
    """Parties are fine; every purchase names a buyer that does not exist."""
    folder = tmp_path / "all-rejected"
    folder.mkdir()
    shutil.copy(EXAMPLE / "parties.csv", folder / "parties.csv")
    width = len(_header("purchases").split(","))
    rows = [f"x{i},award,pd-nobody" + "," * (width - 3) for i in range(3)]
    (folder / "purchases.csv").write_text("\n".join([_header("purchases"), *rows]) + "\n", encoding="utf-8")
    return folder


def _one_no_data_line(result, where: Path) -> str:
    assert result.exit_code == 2, (result.exit_code, result.output)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"perbup: {where}: no_data: no accepted purchase in the input")
    return lines[0]


# --- no data is no audit ----------------------------------------------------------------


@pytest.mark.parametrize("extra", [[], ["--fail-on", "violation"], ["--fail-on", "cannot_determine"], ["--bulk"],
                                   ["--format", "json", "--fail-on", "violation"]])
def test_header_only_input_is_no_audit(header_only, extra):
    result = run("audit", "--data", header_only, *extra)
    line = _one_no_data_line(result, header_only)
    assert line.endswith("the input has no purchase rows")
    assert result.stdout == ""  # no report of zeros


@pytest.mark.parametrize("extra", [[], ["--fail-on", "violation"], ["--bulk"]])
def test_an_input_whose_every_purchase_is_rejected_is_no_audit(all_rejected, extra):
    result = run("audit", "--data", all_rejected, *extra)
    line = _one_no_data_line(result, all_rejected)
    assert "3 purchase rows read, all 3 rejected" in line
    assert "most often (3): unknown_reference purchases.buyer_id" in line


def test_import_of_header_only_or_all_rejected_input_exits_2_and_keeps_the_rejections(header_only, all_rejected,
                                                                                       tmp_path):
    out = tmp_path / "out-h"
    _one_no_data_line(run("import", header_only, "-o", out), header_only)
    assert not out.exists()  # nothing to write: no canonical tables pretending to be data
    out = tmp_path / "out-r"
    result = run("import", all_rejected, "-o", out)
    _one_no_data_line(result, all_rejected)
    assert sorted(p.name for p in out.iterdir()) == ["rejected.csv"]  # why, to read
    assert len((out / "rejected.csv").read_text(encoding="utf-8").splitlines()) == 1 + 3 + 1  # + a bad party row
    assert "purchases              3         0         3" in result.stdout


def test_an_empty_folder_exits_2_in_audit_and_import_alike(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    a = run("audit", "--data", empty)
    b = run("import", empty, "-o", tmp_path / "out")
    assert a.exit_code == b.exit_code == 2
    assert a.stderr == b.stderr and a.stderr.startswith(f"perbup: {empty}: unreadable_input:")
    assert "hint:" in a.stderr


def test_the_api_refuses_read_input_without_purchases_but_judges_a_built_dataset(header_only, all_rejected):
    rs = pr.load_ruleset(pr.BUNDLED_RULES)
    for folder in (header_only, all_rejected):
        with pytest.raises(DataError) as info:
            pr.evaluate(rs, pr.load_dataset(folder), "reference")
        assert [d.code for d in info.value.diagnostics] == ["no_data"]
        assert info.value.diagnostics[0].location.file == str(folder)
    # parties alone, built in code and judged for a named period (a scenario): judged as given
    # (a hotel that is not UMKK is a subject of KMT-15.1 in any period the Perbup's duties are in force)
    built = Dataset.build([Party("h1", kind="hotel", legal_form="pt", scale="besar", capital_idr=20_000_000_000,
                                 annual_sales_idr=60_000_000_000)])
    report = pr.evaluate(rs, built, "reference", periods=[2027])
    assert any(f.clause == "KMT-15.1" and f.subject == "h1" for f in report.findings)


def test_some_rejected_rows_still_run_and_the_summary_says_how_many_and_why(tmp_path):
    folder = tmp_path / "some"
    shutil.copytree(EXAMPLE, folder)
    result = run("audit", "--data", folder)
    assert result.exit_code == 0, result.output
    rejected = len(pr.load_dataset(folder).rejected)
    assert rejected > 0
    assert f"{rejected} input rows rejected; most often (" in result.stdout
    out = tmp_path / "r.json"
    result = run("audit", "--data", folder, "--format", "json", "-o", out)
    assert result.exit_code == 0 and f"; {rejected} input rows rejected; most often (" in result.stderr


# --- one way to report input problems ---------------------------------------------------


RULES = str(pr.BUNDLED_RULES)
MISSING = [
    (["audit", "--data", "{p}"], "unreadable_input"),
    (["audit", "--rules", "{p}"], "file_not_found"),
    (["audit", "--bulk", "--data", "{p}"], "unreadable_input"),
    (["import", "{p}", "-o", "out"], "unreadable_input"),
    (["check", "{p}"], "file_not_found"),
    (["test", "{p}"], "file_not_found"),
    (["compare", "{p}", RULES], "file_not_found"),
    (["compare", RULES, "{p}"], "file_not_found"),
    (["compare", RULES, RULES, "--data", "{p}"], "unreadable_input"),
    (["render", "{p}"], "file_not_found"),
    (["explain", "--clause", "KMT-01", "--subject", "x", "--data", "{p}"], "unreadable_input"),
    (["explain", "--clause", "KMT-01", "--subject", "x", "--rules", "{p}"], "file_not_found"),
]


@pytest.mark.parametrize("args,code", MISSING, ids=[" ".join(a[:2]) + f" {c}" for a, c in MISSING])
def test_a_missing_path_is_one_located_line(tmp_path, args, code):
    missing = tmp_path / "no such"
    result = CliRunner().invoke(main, [a.replace("{p}", str(missing)) for a in args])
    assert result.exit_code == 2
    assert result.stderr == f"perbup: {missing}: {code}: no such file or folder\n"
    assert "Usage:" not in result.output


def _two_problem_folder(tmp_path) -> Path:
    folder = tmp_path / "two-problems"
    folder.mkdir()
    (folder / "parties.csv").write_text("idd,name\n", encoding="utf-8")
    (folder / "purchases.csv").write_text("idx,stage\n", encoding="utf-8")
    return folder


def test_import_and_audit_show_the_same_located_diagnostics_with_hints(tmp_path):
    cases = [_two_problem_folder(tmp_path), tmp_path / "notes.csv"]
    cases[1].write_text("a,b\n1,2\n", encoding="utf-8")
    for src in cases:
        a = run("audit", "--data", src)
        b = run("import", src, "-o", tmp_path / "out")
        assert a.exit_code == b.exit_code == 2
        assert a.stderr == b.stderr, (a.stderr, b.stderr)
        assert "hint:" in a.stderr and "(and " not in b.stderr
    # every problem of the two-table folder, each located, not the first and "(and N more)"
    err = run("import", cases[0], "-o", tmp_path / "out").stderr
    assert f"{cases[0]}/parties.csv:1: missing_column" in err and f"{cases[0]}/purchases.csv:1: missing_column" in err


@pytest.mark.parametrize("step", ["load", "categorize_table", "evaluate_bulk"])
def test_a_duckdb_failure_is_one_coded_line_not_a_traceback(step, monkeypatch):
    """Out of memory or a full temporary disk while judging column-wise: exit 2 with the step, the
    code and the way round it (the per-record path), in the CLI and as an EngineError in the API."""
    import duckdb

    from perbup_rules.bulk import categorize, choose
    from perbup_rules.errors import EngineError

    def boom(*a, **k):
        raise duckdb.OutOfMemoryException("Out of Memory Error: could not allocate block of size 256 KiB\nmore")

    monkeypatch.setattr(categorize if step == "categorize_table" else choose, step, boom)
    got = run("audit", "--data", EXAMPLE, "--engine-path", "column", "--format", "json")
    assert got.exit_code == 2, got.output
    assert got.exception is None or isinstance(got.exception, SystemExit)
    line = got.output.strip().splitlines()[-1]
    assert line.startswith("perbup: engine_failure: DuckDB failed while ") and "OutOfMemoryException" in line
    assert "could not allocate block" in line and "more" not in line and "--engine-path per-record" in line
    assert "Traceback" not in got.output
    with pytest.raises(EngineError) as err:
        pr.audit(pr.BUNDLED_RULES, EXAMPLE, "reference", path="column")
    assert err.value.code == "engine_failure"
    # the per-record path does not use DuckDB: it still judges
    assert run("audit", "--data", EXAMPLE, "--engine-path", "per-record", "--format", "json").exit_code in (0, 1)
