"""Rule engines: each turns rows of atom values into outcome labels for one decision.

``reference`` walks the decision's guards with Kleene logic in plain Python.
``durable`` runs the decision's disjoint-outcome DNF as a durable-rules ruleset;
it is the only module that imports ``durable``. Both receive the same rows,
computed exactly by ``perbup_rules.atoms``, so their results must be identical.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Sequence

from ..compiler.ruleset import Ruleset
from ..errors import UsageError

ENGINES = ("durable", "reference", "durable-every-row")


class Engine(ABC):
    """Decides outcome labels for rows of atom values ('t', 'f', 'u')."""

    name: str = "?"

    @abstractmethod
    def decide(self, ruleset: Ruleset, clause_id: str, decision: str, rows: Sequence[list[str]]) -> list[str]:
        """One label per row, in order."""


def get_engine(name: str | Engine) -> Engine:
    """An engine by name (``durable`` or ``reference``), or the engine given."""
    if isinstance(name, Engine):
        return name
    if name == "reference":
        from .reference import ReferenceEngine
        return ReferenceEngine()
    if name in ("durable", "durable-every-row"):
        from .durable import DurableEngine
        return DurableEngine(distinct=name == "durable")
    raise UsageError(f"unknown engine {name!r}; choose one of: {', '.join(ENGINES)}")
