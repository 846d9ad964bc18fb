"""Write small regulation folders for tests from inline YAML."""

from __future__ import annotations

import textwrap
from pathlib import Path

import perbup_rules as pr

REGULATION = """\
id: test-reg
title: {id: Peraturan Uji, en: Test regulation}
version: "1"
status: rancangan
"""

PARAMS = """\
share_min:
  title: {id: Porsi minimal, en: Minimum share}
  unit: ratio
  basis: draft
  values:
    - {from: 2020-01-01, value: 0.40, reference: test}
    - {from: 2026-01-01, value: 0.50, reference: test}
cap:
  title: {id: Batas, en: Cap}
  unit: idr
  basis: draft
  values:
    - {from: 2020-01-01, value: 1000, reference: test}
    - {from: 2025-07-01, value: 2000, reference: test}
small_max:
  title: {id: Modal kecil, en: Small capital}
  unit: idr
  basis: draft
  values:
    - {from: 2020-01-01, value: 100, reference: test}
"""

CLASSIFY = """\
  - id: DEF-01
    kind: classify
    title: {id: UMKK, en: UMKK}
    attribute: umkk
    cases:
      - {when: legal_form == "koperasi" or capital_idr <= params.small_max, value: true}
      - {when: capital_idr > params.small_max, value: false}
    default: null
"""


def write_regulation(root: Path, clauses: str, params: str = PARAMS, with_classify: bool = True) -> Path:
    """A regulation folder with one pasal file holding ``clauses`` (a YAML list, any indentation)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "regulation.yaml").write_text(REGULATION, encoding="utf-8")
    (root / "params.yaml").write_text(params, encoding="utf-8")
    items = "  " + textwrap.dedent(clauses).strip().replace("\n", "\n  ") + "\n"
    text = "pasal: 1\ntitle: {id: Uji, en: Test}\nclauses:\n" + (CLASSIFY if with_classify else "") + items
    (root / "pasal-01.yaml").write_text(text, encoding="utf-8")
    return root


def ruleset(tmp_path: Path, clauses: str, **kw) -> pr.Ruleset:
    return pr.load_ruleset(write_regulation(tmp_path / "reg", clauses, **kw))
