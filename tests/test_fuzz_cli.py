"""Fuzz the command line: random argument lists for every subcommand.

Whatever the arguments, ``perbup`` exits 0, 1 or 2; no exception escapes and no traceback is
printed; an exit 2 comes with a reason (a line starting ``perbup:``, or click's ``Usage``/
``Error:``) - except ``perbup check``, whose exit 2 means "the draft has errors" and comes with
the located listing of them (or its JSON form).

To keep each run cheap, the defaults (bundled draft, bundled example data) are pointed at a
small copy of the Kutim draft and a 40-purchase slice of the example; the workspace also holds
a broken draft, broken CSVs, an empty file, a binary file and paths that do not exist.
Arguments never hold NUL: a real argv cannot. Input paths may hold undecodable bytes (surrogates,
as Python decodes such argv); output paths do not, because CliRunner's captured stdout is strict
UTF-8 where a real terminal's click stream replaces them ("wrote <path>" would fail only here).

The strategies and ``check_invocation`` are reused by benchmarks/fuzz_long.py.
"""

from __future__ import annotations

import atexit
import contextlib
import csv
import io
import itertools
import json
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import perbup_rules as pr
from perbup_rules import errors
from perbup_rules.cli import SUBCOMMANDS, main
from perbup_rules.importers import KINDS

REPO = Path(__file__).resolve().parents[1]
KUTIM = REPO / "rules" / "kutim-kemitraan"
CODES = frozenset(v for k, v in vars(errors).items() if k.isupper() and isinstance(v, str))
FUZZ = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_CTX = click.Context(main)
#: `perbup serve` runs a server until stopped, so random valid arguments would never return; its
#: arguments and refusals are tested in tests/test_service_cli.py, the server in tests/test_service*.py.
COMMANDS: dict[str, click.Command] = {name: main.get_command(_CTX, name) for name in sorted(SUBCOMMANDS) if name != "serve"}

#: Without pasal-02 (slow to compile), DEF-01 needs scale_effective: a small stand-in.
SCALE = """\
pasal: 2
title: {id: Skala, en: Scale}
clauses:
  - id: KMT-06
    kind: classify
    title: {id: Skala, en: Scale}
    attribute: scale_effective
    cases:
      - {when: known(capital_idr) and capital_idr <= params.mikro_capital_max, value: mikro}
      - {when: known(capital_idr), value: besar}
    default_from: scale
"""


@dataclass
class Workspace:
    root: Path
    rules: Path          # a small, valid draft (with scenario tests)
    broken_rules: Path   # a draft with a YAML error, an unknown key and a bad expression
    data: Path           # a small canonical dataset
    broken_data: Path    # canonical CSVs with missing columns, junk cells and bad encoding
    inputs: list[str]    # every path an input argument may get
    exports: list[str]   # files an importer reads (some broken)
    out: Path            # where outputs go (never over an input)

    def output_paths(self, folder: bool = False) -> list[str]:
        if folder:  # perbup import -o: a folder to create or fill
            return [str(self.out / "ds"), str(self.out / "a" / "b"), str(self.out / "dir"), str(self.out / "file.txt")]
        return [str(self.out / "new.txt"), str(self.out / "a" / "b" / "report.html"), str(self.out / "dir"),
                str(self.out / "file.txt"), str(self.out / "csvout")]

    def inputs_for(self, role: str) -> list[str]:
        """Paths for an input argument: mostly the right kind of thing, and every other kind too."""
        good = [str(self.rules)] * 4 if role == "rules" else [str(self.data)] * 3 + self.exports
        return good + self.inputs

    def reset_outputs(self) -> None:
        shutil.rmtree(self.out, ignore_errors=True)
        (self.out / "dir").mkdir(parents=True)
        (self.out / "cwd").mkdir()
        (self.out / "file.txt").write_text("old\n", encoding="utf-8")


def _slice_csv(src: Path, dst: Path, rows: int) -> None:
    with src.open(encoding="utf-8", newline="") as fh:
        lines = list(itertools.islice(fh, rows + 1))
    dst.write_text("".join(lines), encoding="utf-8")


def make_workspace(root: Path) -> Workspace:
    rules = root / "rules"
    rules.mkdir(parents=True)
    for name in ("regulation.yaml", "params.yaml", "pasal-01.yaml", "pasal-03.yaml", "pasal-05.yaml", "pasal-09.yaml"):
        shutil.copy(KUTIM / name, rules / name)
    (rules / "pasal-02.yaml").write_text(SCALE, encoding="utf-8")
    (rules / "tests").mkdir()
    for name in ("pasal-03.yaml", "pasal-05.yaml"):
        shutil.copy(KUTIM / "tests" / name, rules / "tests" / name)

    broken = root / "broken-rules"
    shutil.copytree(rules, broken)
    (broken / "pasal-03.yaml").write_text((KUTIM / "pasal-03.yaml").read_text(encoding="utf-8")
                                          .replace("subject: buyer_id", "subjek: buyer_id", 1)
                                          .replace("at_least: params.umkk_share_min", "at_least: params.umkk_share_mim", 1),
                                          encoding="utf-8")
    (broken / "pasal-05.yaml").write_text("pasal: 5\ntitle: {id: a, en: b\nclauses: [\n", encoding="utf-8")
    (broken / "tests" / "pasal-05.yaml").write_text("scenarios: {{{\n", encoding="utf-8")

    example = pr.EXAMPLE_DATA
    data = root / "data"
    data.mkdir()
    shutil.copy(example / "parties.csv", data / "parties.csv")
    _slice_csv(example / "purchases.csv", data / "purchases.csv", 40)
    _slice_csv(example / "partnerships.csv", data / "partnerships.csv", 10)

    bad = root / "broken-data"
    bad.mkdir()
    (bad / "parties.csv").write_text("id,name\npd1,Dinas\n,\n\"unclosed,x\n", encoding="utf-8")
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["id", "stage", "buyer_id", "value_idr", "date"])
    w.writerows([["p1", "award", "pd1", "1.500", "2026-02-30"], ["p1", "nope", "ghost", "-5", "x"], ["p2"] * 9])
    (bad / "purchases.csv").write_text(buf.getvalue(), encoding="utf-8")
    (bad / "partnerships.csv").write_bytes(b"id,party_id\n\xff\xfe\x00bad\n")

    empty = root / "empty.csv"
    empty.write_bytes(b"")
    binary = root / "binary.bin"
    binary.write_bytes(bytes(range(256)) * 4)
    bad_json = root / "releases.json"
    bad_json.write_text('{"releases": [{"ocid": 1, "tender": {"value": {"amount": "1e999"}}}, 7]', encoding="utf-8")
    ocds = root / "ocds.json"
    ocds.write_text(json.dumps({"releases": [{"ocid": "o1", "date": "2026-01-02", "tag": ["award"],
                                              "awards": [{"id": "a1", "value": {"amount": "NaN", "currency": "IDR"}}]}]}),
                    encoding="utf-8")
    spse = root / "nontender.csv"
    spse.write_text("tahun_anggaran,kd_satker,kd_nontender,nilai_kontrak,nilai_umk_kontrak,kd_penyedia,nama_penyedia\n"
                    "2026,100,9,1e-999999999,NaN,77,CV Maju\n2026,100,10,5000000,5000000,78,CV Jaya\n", encoding="utf-8")
    empty_dir = root / "empty-dir"
    empty_dir.mkdir()

    inputs = [str(p) for p in (rules, broken, data, bad, empty, binary, bad_json, ocds, spse, empty_dir,
                               rules / "params.yaml", rules / "tests")]
    inputs += [str(root / "does-not-exist"), str(root / "does-not-exist" / "x.csv"), "", " ", "-", "~",
               str(root / "\udcff\udcfe"), "é/ü"]
    ws = Workspace(root, rules, broken, data, bad, inputs, [str(spse), str(ocds), str(bad_json)], root / "out")
    ws.reset_outputs()
    return ws


_WS: Workspace | None = None


def workspace() -> Workspace:
    """The workspace, made once per process (in a temporary folder)."""
    global _WS
    if _WS is None:
        root = Path(tempfile.mkdtemp(prefix="perbup-fuzz-cli-"))
        atexit.register(shutil.rmtree, root, True)
        _WS = make_workspace(root)
    return _WS


# --- random argument lists ----------------------------------------------------------------

junk_text = st.one_of(st.text(max_size=12).filter(lambda s: "\x00" not in s),
                      st.sampled_from(["", "-", "--", "-1", "0", "1e999", "NaN", "☃", "\udcff", "a b", "--=", "=", "'", '"']))
JUNK_OPTIONS = ["--nope", "-x", "--help", "-h", "--version", "--", "-", "--format=", "--engine=durable", "--period=2026",
                "--fail-on=violation", "-qq", "--all=1"]

SETTINGS = ["params.umkk_share_min=0.5", "params.umkk_share_min=0.5@2026-01-01", "params.umkk_share_min=0.3",
            "params.umkk_reserved_max=20000000000", "umkk_reserved_max=1_000", "params.nope=1", "params.umkk_share_min",
            "params.umkk_share_min=", "=", "params.umkk_share_min=NaN", "params.umkk_share_min=sNaN",
            "params.umkk_reserved_max=Infinity", "params.umkk_reserved_max=1e5000", "params.umkk_share_min=1e-999999999",
            "params.umkk_reserved_max=1e999999999", "params.umkk_share_min=0.5@2026-13-01", "params.umkk_share_min=0.5@",
            "params.local_material_share_min=1.5", "params.umkk_reserved_max=-1", "params.umkk_reserved_max=1.5"]
CLAUSES = ["KMT-01", "KMT-03", "KMT-05", "KMT-15.1", "DEF-01", "KMT-99", "kmt-01", ""]
SUBJECTS = ["pd-disdikbud", "hotel-bukit-pelangi", "ppk-disdikbud-3", "ktr-2026-000001", "nobody", ""]


def _mostly(valid: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Usually a value of the right kind (so the command runs), sometimes junk."""
    return st.sampled_from([False] * 11 + [True]).flatmap(lambda junk: junk_text if junk else valid)


def _value_for(opt: click.Option, ws: Workspace) -> st.SearchStrategy[str]:
    name = opt.name
    t = opt.type
    if name in ("output", "out"):
        return st.sampled_from(ws.output_paths(folder=name == "out"))
    if isinstance(t, click.Path):
        return st.sampled_from(ws.inputs_for("data" if name in ("data", "src") else "rules"))
    if isinstance(t, click.Choice):
        return _mostly(st.sampled_from([str(c) for c in t.choices]))
    if name == "kind":
        return _mostly(st.sampled_from(list(KINDS)))
    if name in ("periods", "period"):
        return _mostly(st.sampled_from(["2025", "2026", "2026", "2027", "0", "-1", "10000", "99999999999999999999", "2026.5"]))
    if name == "settings":
        return _mostly(st.sampled_from(SETTINGS))
    if name == "clause_id":
        return _mostly(st.sampled_from(CLAUSES))
    if name == "subject":
        return _mostly(st.sampled_from(SUBJECTS))
    if name == "min_coverage":
        return _mostly(st.sampled_from(["0", "50", "100", "100.1", "-1", "nan", "inf", "1e309"]))
    return junk_text


@st.composite
def invocations(draw, command: str | None = None) -> list[str]:
    """[subcommand, ...]: real options with values of the right and wrong kinds, positionals, junk."""
    ws = workspace()
    name = command or draw(st.sampled_from(sorted(COMMANDS)))
    cmd = COMMANDS[name]
    groups: list[list[str]] = []
    for param in cmd.params:
        if isinstance(param, click.Argument):
            if draw(st.sampled_from([True, True, True, False])):
                groups.append([draw(st.sampled_from(ws.inputs_for("data" if param.name == "src" else "rules")))])
            continue
        if param.required:
            choices = [1, 1, 1, 1, 1, 0, 2]
        elif param.multiple:
            choices = [0, 1, 1, 2]
        else:
            choices = [0, 1, 1]
        for _ in range(draw(st.sampled_from(choices))):
            flag = draw(st.sampled_from(param.opts + param.secondary_opts))
            if param.is_flag:
                groups.append([flag])
            else:
                value = draw(_value_for(param, ws))
                groups.append([f"{flag}={value}"] if flag.startswith("--") and draw(st.booleans()) else [flag, value])
    for _ in range(draw(st.sampled_from([0] * 6 + [1, 2]))):
        groups.append([draw(st.one_of(st.sampled_from(JUNK_OPTIONS), st.sampled_from(ws.inputs), junk_text))])
    order = draw(st.permutations(range(len(groups))))
    return [name] + [tok for i in order for tok in groups[i]]


# --- the property ---------------------------------------------------------------------------

_REASON = re.compile(r"^(perbup:|Usage:|Error:)", re.MULTILINE)
_DIAG = re.compile(r"^\S.*?: (?:warning: )?([a-z_]+): ", re.MULTILINE)


def run(args: list[str]):
    ws = workspace()
    ws.reset_outputs()
    # relative paths ("", "-", "~", "é/ü") resolve in a scratch folder, never in the repository
    with contextlib.chdir(ws.out / "cwd"):
        return CliRunner().invoke(main, args, prog_name="perbup", catch_exceptions=True)


def check_invocation(args: list[str]) -> int:
    """The property for one invocation; returns the exit code."""
    result = run(args)
    where = f"perbup {' '.join(map(repr, args))}"
    exc = result.exception
    assert exc is None or isinstance(exc, SystemExit), (
        f"{where}: {type(exc).__name__}: {exc}\n" + "".join(__import__("traceback").format_exception(exc)))
    assert result.exit_code in (0, 1, 2), (where, result.exit_code, result.output[-2000:])
    assert "Traceback" not in result.output, (where, result.output[-2000:])
    if result.exit_code == 2:
        stderr = result.stderr
        if args[0] == "check" and not _REASON.search(stderr):
            _check_listing(result, where)
        else:
            assert _REASON.search(stderr), (where, "exit 2 without a reason on stderr", result.stdout[-1000:], stderr[-1000:])
            first = _REASON.search(stderr).group(0)
            if first == "perbup:":
                line = next(ln for ln in stderr.splitlines() if ln.startswith("perbup:"))
                assert len(line) > len("perbup: "), (where, stderr)
    return result.exit_code


def _check_listing(result, where: str) -> None:
    """``perbup check`` exit 2: the draft's errors, located and coded (text or JSON)."""
    out = result.stdout
    if out.lstrip().startswith("{"):
        doc = json.loads(out)
        assert doc["errors"] > 0 and doc["fingerprint"] is None, (where, doc)
        for d in doc["diagnostics"]:
            assert d["code"] in CODES and d["location"] and d["location"]["file"], (where, d)
        return
    text = out + result.stderr
    codes = _DIAG.findall(text)
    assert codes, (where, "exit 2 without a located diagnostic", text[-2000:])
    assert set(codes) <= CODES, (where, set(codes) - CODES)
    assert re.search(r"\d+ errors?(, .*not compiled|; no ruleset to dump)", text), (where, text[-2000:])


@pytest.fixture(scope="module", autouse=True)
def small_defaults():
    """Point the defaults (bundled draft and data) at the workspace's small copies."""
    ws = workspace()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pr, "BUNDLED_RULES", ws.rules)
        mp.setattr(pr, "EXAMPLE_DATA", ws.data)
        yield ws


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_random_arguments_exit_0_1_or_2_with_a_reason(command):
    @FUZZ
    @given(args=invocations(command))
    def prop(args):
        check_invocation(args)

    prop()


def test_the_workspace_drafts_behave_as_intended():
    ws = workspace()
    assert check_invocation(["check", str(ws.rules)]) == 0
    assert check_invocation(["check", str(ws.broken_rules)]) == 2
    assert check_invocation(["check"]) == 0  # the small default
    assert check_invocation(["audit", "-q"]) == 0
    assert check_invocation(["test", str(ws.broken_rules)]) == 2


# --- regressions found by this fuzz -------------------------------------------------------

@pytest.mark.parametrize("setting", ["params.umkk_share_min=NaN", "params.umkk_share_min=sNaN",
                                     "params.umkk_reserved_max=Infinity", "params.umkk_reserved_max=1e5000",
                                     "params.umkk_share_min=1e-999999999"])
def test_compare_set_with_a_non_finite_or_extreme_number_is_a_usage_error(setting):
    # was: decimal.InvalidOperation (NaN compared), OverflowError (int(Infinity)), ValueError (str of a
    # 5000-digit int) escaping; 1e-999999999 was accepted, and hung later in Fraction() given --data
    ws = workspace()
    result = run(["compare", str(ws.rules), "--set", setting])
    assert result.exit_code == 2, (result.exception, result.output)
    assert result.stderr.startswith("perbup: params."), result.stderr


def test_compare_set_with_a_huge_exponent_is_a_usage_error_not_a_hang():
    # was: int(Decimal("1e999999999")) - a billion-digit integer - hung; a subprocess so that a
    # regression fails on the timeout (a hang guard) instead of hanging the test run
    ws = workspace()
    code = "import sys; from perbup_rules.cli import main; main(sys.argv[1:], prog_name='perbup')"
    proc = subprocess.run([sys.executable, "-c", code, "compare", str(ws.rules), "--set", "params.umkk_reserved_max=1e999999999"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("perbup: params.umkk_reserved_max:"), proc.stderr


@pytest.mark.parametrize("period", ["0", "-1", "10000", "99999999999999999999"])
@pytest.mark.parametrize("command", ["audit", "explain", "compare"])
def test_a_period_outside_1_to_9999_is_a_usage_error(command, period):
    # was: ValueError "year 0 is out of range" / OverflowError from datetime.date escaping evaluate()
    ws = workspace()
    args = {"audit": ["audit", "-q"], "explain": ["explain", "--clause", "KMT-01", "--subject", "pd-disdikbud"],
            "compare": ["compare", str(ws.rules), "--set", "params.umkk_share_min=0.5", "--data", str(ws.data)]}[command]
    result = run(args + ["--period", period])
    assert result.exit_code == 2, (result.exception, result.output)
    assert result.stderr.startswith("perbup: period "), result.stderr
    with pytest.raises(pr.UsageError):
        pr.evaluate(pr.load_ruleset(ws.rules), pr.load_dataset(ws.data), "reference", periods=[int(period)])


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_explain_without_a_finding_exits_2_with_a_reason_on_stderr(fmt):
    # was: exit 2 with "no finding for that clause and subject" on stdout only, no reason on stderr
    result = run(["explain", "--clause", "KMT-01", "--subject", "nobody", "--format", fmt])
    assert result.exit_code == 2
    assert result.stderr == "perbup: no finding of KMT-01 for subject 'nobody'\n"


@pytest.mark.parametrize("value", ["nan", "NaN", "-nan"])
def test_test_min_coverage_nan_is_a_usage_error(value):
    # was: click.FloatRange(0, 100) lets nan through, then Decimal("nan") comparison raised
    # decimal.InvalidOperation out of the command
    result = run(["test", "--min-coverage", value, "-k", "no such scenario"])
    assert result.exit_code == 2, (result.exception, result.output)
    assert "Error: Invalid value for '--min-coverage'" in result.stderr, result.stderr
