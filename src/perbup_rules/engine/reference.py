"""The reference engine: decisions evaluated directly in plain Python (Kleene logic)."""

from __future__ import annotations

from typing import Sequence

from ..compiler import decisions as D
from ..compiler.ruleset import Ruleset
from . import Engine


class ReferenceEngine(Engine):
    """Walks each decision's ordered guards; the specification the durable engine must match."""

    name = "reference"

    def __init__(self) -> None:
        self._cache: dict[tuple, tuple[D.Decision, dict]] = {}

    def decide(self, ruleset: Ruleset, clause_id: str, decision: str, rows: Sequence[list[str]]) -> list[str]:
        key = (ruleset.fingerprint, clause_id, decision)
        entry = self._cache.get(key)
        if entry is None:
            entry = self._cache[key] = (D.from_json(ruleset.clause(clause_id)["decisions"][decision]), {})
        dec, memo = entry
        out = []
        for row in rows:
            # a decision is a pure function of its atom values: decide each combination once
            k = tuple(row)
            label = memo.get(k)
            if label is None:
                label = memo[k] = D.decide(dec, row)
            out.append(label)
        return out
