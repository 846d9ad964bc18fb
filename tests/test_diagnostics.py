"""Diagnostics of broken regulations, golden-tested.

Each folder in tests/golden/diagnostics/ is a tiny broken regulation (regulation.yaml,
params.yaml, pasal-01.yaml) and ``expected.txt``: the rendered InvalidRulesError with
the folder replaced by ``<rules>``. ``pytest --update-golden`` rewrites expected.txt.
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

import perbup_rules as pr
from perbup_rules.compiler import check_regulation
from perbup_rules.loader import load_files
from perbup_rules import errors
from perbup_rules.errors import Diagnostic, InvalidRulesError

CASES_DIR = Path(__file__).parent / "golden" / "diagnostics"
PLACEHOLDER = "<rules>"

#: case -> the codes of its diagnostics, in reported (file, line, column) order
EXPECTED_CODES: dict[str, list[str]] = {
    "unknown_field": [errors.MISSING_FIELD, errors.UNKNOWN_FIELD],
    "missing_field": [errors.MISSING_FIELD],
    "wrong_type": [errors.WRONG_TYPE, errors.WRONG_TYPE],
    "bad_date": [errors.BAD_DATE, errors.BAD_DATE],  # the impossible date once, the reversed range once
    "duplicate_id": [errors.DUPLICATE_ID],
    "unknown_parameter": [errors.UNKNOWN_PARAMETER],
    "expr_syntax": [errors.EXPR_SYNTAX],
    "expr_type": [errors.EXPR_TYPE, errors.EXPR_TYPE],
    "unknown_path": [errors.UNKNOWN_PATH],
    "classify_cycle": [errors.CLASSIFY_CYCLE],
    "yaml_syntax": [errors.YAML_SYNTAX],
    "yaml_duplicate_key": [errors.YAML_DUPLICATE_KEY],
    "yaml_unsafe": [errors.YAML_UNSAFE],
    "weakens_higher_law": [errors.WEAKENS_HIGHER_LAW],
    "many_errors": [
        errors.WEAKENS_HIGHER_LAW, errors.MISSING_FIELD, errors.UNKNOWN_FIELD,  # params.yaml
        errors.BAD_DATE, errors.EXPR_TYPE, errors.UNKNOWN_PARAMETER, errors.UNKNOWN_PATH,  # pasal-01.yaml
        errors.DUPLICATE_ID, errors.EXPR_SYNTAX,
    ],
}

CASES = sorted(p.name for p in CASES_DIR.iterdir() if p.is_dir())


def run_case(case: str, tmp_path: Path) -> tuple[InvalidRulesError, Path]:
    root = tmp_path / case
    shutil.copytree(CASES_DIR / case, root, ignore=shutil.ignore_patterns("expected.txt", "expected.id.txt"))
    with pytest.raises(InvalidRulesError) as info:
        pr.load_ruleset(root)
    return info.value, root


def rendered(err: InvalidRulesError, root: Path) -> str:
    return str(err).replace(str(root), PLACEHOLDER) + "\n"


def by_code(err: InvalidRulesError, code: str) -> list[Diagnostic]:
    return [d for d in err.diagnostics if d.code == code]


def test_every_case_has_expected_codes():
    assert CASES == sorted(EXPECTED_CODES)


@pytest.mark.parametrize("case", CASES)
def test_golden(case, tmp_path, update_golden):
    err, root = run_case(case, tmp_path)
    text = rendered(err, root)
    expected_file = CASES_DIR / case / "expected.txt"
    if update_golden:
        expected_file.write_text(text, encoding="utf-8")
    assert text == expected_file.read_text(encoding="utf-8"), "run pytest --update-golden if intended"


@pytest.mark.parametrize("case", CASES)
def test_golden_indonesian(case, tmp_path, update_golden):
    """The same diagnostics in Bahasa Indonesia (expected.id.txt): same codes, locations and
    carets; messages, hints and the head line from the catalogue's ``id`` texts."""
    from perbup_rules import i18n

    i18n.set_lang("id")
    try:
        err, root = run_case(case, tmp_path)
        text = rendered(err, root)
    finally:
        i18n.set_lang(None)
    expected_file = CASES_DIR / case / "expected.id.txt"
    if update_golden:
        expected_file.write_text(text, encoding="utf-8")
    assert text == expected_file.read_text(encoding="utf-8"), "run pytest --update-golden if intended"
    english = (CASES_DIR / case / "expected.txt").read_text(encoding="utf-8")
    assert text != english  # every case says something in Indonesian
    codes = [line.split(": ")[1] for line in english.splitlines() if line.startswith(PLACEHOLDER)]
    assert codes == [line.split(": ")[1] for line in text.splitlines() if line.startswith(PLACEHOLDER)]


@pytest.mark.parametrize("case", CASES)
def test_codes(case, tmp_path):
    err, root = run_case(case, tmp_path)
    assert [d.code for d in err.diagnostics] == EXPECTED_CODES[case]
    assert err.errors == err.diagnostics  # all of these are errors, not warnings
    assert err.code == "invalid_rules"
    for d in err.diagnostics:
        assert d.location is not None and d.location.line >= 1
        assert Path(d.location.file).parent == root
        assert d.to_dict()["code"] == d.code
    # the rendered text starts with the count and lists every diagnostic
    first = str(err).splitlines()[0]
    n = len(err.diagnostics)
    assert first == ("1 error occurred:" if n == 1 else f"{n} errors occurred:")


def test_golden_text_does_not_leak_the_folder(tmp_path):
    for case in CASES:
        for name in ("expected.txt", "expected.id.txt"):
            text = (CASES_DIR / case / name).read_text(encoding="utf-8")
            assert str(tmp_path.parent) not in text
            assert "/tmp" not in text and "pytest-of" not in text


# --- per case: the details that matter to a drafter ----------------------------------------------


def test_unknown_field_did_you_mean(tmp_path):
    err, _ = run_case("unknown_field", tmp_path)
    (d,) = by_code(err, errors.UNKNOWN_FIELD)
    assert "'requier'" in d.message
    assert d.hint.startswith("did you mean 'require'?")
    assert d.clause == "KMT-01"
    assert (d.location.line, d.location.column) == (21, 5)  # the key itself


def test_missing_field_names_the_key(tmp_path):
    err, _ = run_case("missing_field", tmp_path)
    (d,) = err.diagnostics
    assert d.message.endswith("title") and d.clause == "KMT-01"
    assert (d.location.line, d.location.column) == (15, 5)  # the clause


def test_wrong_type_points_at_values(tmp_path):
    err, _ = run_case("wrong_type", tmp_path)
    over, severity = err.diagnostics
    assert "over" in over.message and "'purchases'" in over.message
    assert (over.location.line, over.location.column) == (17, 11)
    assert "severity" in severity.message and (severity.location.line, severity.location.column) == (21, 15)


def test_bad_dates(tmp_path):
    err, root = run_case("bad_date", tmp_path)
    in_params = [d for d in err.diagnostics if d.location.file.endswith("params.yaml")]
    assert in_params and all("2026-02-30" in d.message or "date" in d.message for d in in_params)
    assert all((d.location.line, d.location.column) == (8, 14) for d in in_params)
    (reversed_range,) = [d for d in err.diagnostics if d.location.file.endswith("pasal-01.yaml")]
    assert "before valid_from" in reversed_range.message and reversed_range.clause == "KMT-01"
    assert (reversed_range.location.line, reversed_range.location.column) == (21, 18)


def test_invalid_date_is_reported_once(tmp_path):
    # BUG (minor): an impossible date is reported twice at the same place: once by the
    # YAML reader and once more by the schema check of the text it left behind.
    err, _ = run_case("bad_date", tmp_path)
    at_invalid = [d for d in err.diagnostics if (d.location.line, d.location.column) == (8, 14)]
    assert len(at_invalid) == 1, [d.message for d in at_invalid]


def test_duplicate_id_points_at_both(tmp_path):
    err, root = run_case("duplicate_id", tmp_path)
    (d,) = err.diagnostics
    assert d.message == "clause id KMT-01 is already used"
    assert d.location.line == 21
    assert d.hint == f"first defined at {root / 'pasal-01.yaml'}:15:9"


def test_unknown_parameter_did_you_mean(tmp_path):
    err, _ = run_case("unknown_parameter", tmp_path)
    (d,) = err.diagnostics
    assert "params.umkk_share_mn" in d.message
    assert d.hint == "did you mean params.umkk_share_min?"
    assert (d.location.line, d.location.column) == (22, 15)  # at 'params' in the value


def test_expr_syntax_column(tmp_path):
    err, root = run_case("expr_syntax", tmp_path)
    (d,) = err.diagnostics
    line = (root / "pasal-01.yaml").read_text().splitlines()[d.location.line - 1]
    # the column points at the second 'and' in the YAML line
    assert line[d.location.column - 1:].startswith("and value_idr")
    assert "unexpected 'and'" in d.message
    assert d.hint.startswith("expected ")


def test_expr_syntax_caret_points_at_the_offending_token(tmp_path):
    # The loader attaches the offending source line, so the rendered error shows it with a
    # caret under the second 'and'.
    err, root = run_case("expr_syntax", tmp_path)
    (d,) = err.diagnostics
    src = (root / "pasal-01.yaml").read_text().splitlines()[d.location.line - 1]
    assert d.source_line == src
    lines = d.render().splitlines()
    assert lines[1] == "    " + src
    caret = lines[2].index("^")
    assert lines[2].strip() == "^"
    assert lines[1][caret:caret + 14] == "and value_idr "


def test_expr_type_messages(tmp_path):
    err, _ = run_case("expr_type", tmp_path)
    number, code = err.diagnostics
    assert "cannot compare code with int" in number.message and number.clause == "KMT-01"
    assert "'perangkat_daeran' is not a code of buyer.kind" in code.message and code.clause == "KMT-02"
    assert code.hint.startswith("did you mean 'perangkat_daerah'?")
    assert code.location.column == 28  # the opening quote of the misspelt code


def test_unknown_path_did_you_mean(tmp_path):
    err, root = run_case("unknown_path", tmp_path)
    (d,) = err.diagnostics
    assert "'scal'" in d.message and "did you mean 'scale'?" in d.message
    line = (root / "pasal-01.yaml").read_text().splitlines()[d.location.line - 1]
    assert line[d.location.column - 1:].startswith("supplier.scal")


def test_classify_cycle_names_the_cycle(tmp_path):
    err, _ = run_case("classify_cycle", tmp_path)
    (d,) = err.diagnostics
    assert "alpha -> beta -> alpha" in d.message
    assert d.clause == "DEF-02"


def test_yaml_problems_are_located(tmp_path):
    err, _ = run_case("yaml_syntax", tmp_path)
    assert (err.diagnostics[0].location.line, err.diagnostics[0].location.column) == (21, 13)
    err, _ = run_case("yaml_duplicate_key", tmp_path / "2")
    (d,) = err.diagnostics
    assert "'over'" in d.message and d.location.line == 21 and d.hint == "the first is at line 17"
    err, _ = run_case("yaml_unsafe", tmp_path / "3")
    (d,) = err.diagnostics
    assert "&judul" in d.message and (d.location.line, d.location.column) == (10, 12)


def test_weakens_higher_law(tmp_path):
    err, _ = run_case("weakens_higher_law", tmp_path)
    (d,) = err.diagnostics
    assert "0.30 from 2022-01-01 is below the minimum 0.40" in d.message
    assert d.location.file.endswith("params.yaml") and d.location.line == 8


def test_many_errors_in_one_run_sorted_by_file_and_line(tmp_path):
    err, root = run_case("many_errors", tmp_path)
    diags = err.diagnostics
    assert len(diags) >= 5
    assert len({d.code for d in diags}) >= 5
    files = {Path(d.location.file).name for d in diags}
    assert files == {"params.yaml", "pasal-01.yaml"}
    keys = [(d.location.file, d.location.line, d.location.column) for d in diags]
    assert keys == sorted(keys)
    # the rendered text lists them in the same order, one head line each
    heads = [line for line in str(err).splitlines() if line.startswith(str(root))]
    assert [h.split(": ", 2)[1] for h in heads] == [d.code for d in diags]


def test_error_limit_in_rendering(tmp_path):
    err, root = run_case("many_errors", tmp_path)
    limited = InvalidRulesError(err.diagnostics, limit=2)
    text = str(limited)
    assert text.startswith(f"{len(err.diagnostics)} errors occurred:")
    assert text.endswith(f"... and {len(err.diagnostics) - 2} more")


def test_parameter_gap_is_reported(tmp_path):
    # BUG: errors.PARAMETER_GAP is documented ("a parameter has no value in force on a
    # date a clause needs it") but no stage emits it. Here MINI-03 is in force from
    # 2019-01-01 while params.share_min has no value before 2021-02-02.
    root = tmp_path / "mini"
    shutil.copytree(Path(__file__).parent / "fixtures" / "mini", root)
    path = root / "pasal-01.yaml"
    text = path.read_text(encoding="utf-8")
    old = "    valid_from: 2021-02-02\n    applies: buyer.kind == \"perangkat_daerah\"\n    subject: buyer_id"
    assert text.count(old) == 1
    path.write_text(text.replace(old, old.replace("2021-02-02", "2019-01-01")), encoding="utf-8")
    _build, diags = check_regulation(load_files(root))
    gaps = [d for d in diags if d.code == errors.PARAMETER_GAP]
    assert len(gaps) == 1
    assert "share_min" in gaps[0].message and gaps[0].clause == "MINI-03"


def test_every_code_is_documented():
    doc = (Path(__file__).parent.parent / "docs" / "errors.md").read_text(encoding="utf-8")
    codes = [v for k, v in vars(errors).items() if k.isupper() and isinstance(v, str)]
    assert len(codes) >= 20
    missing = [c for c in codes if f"### `{c}`" not in doc]
    assert missing == []
