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
        self._cache: dict[tuple, D.Decision] = {}

    def decide(self, ruleset: Ruleset, clause_id: str, decision: str, rows: Sequence[list[str]]) -> list[str]:
        key = (ruleset.fingerprint, clause_id, decision)
        dec = self._cache.get(key)
        if dec is None:
            dec = self._cache[key] = D.from_json(ruleset.clause(clause_id)["decisions"][decision])
        return [D.decide(dec, row) for row in rows]
