"""The compiled Ruleset: frozen, engine-neutral plain data, fingerprinted with sha256."""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from ..expr import strip_cols

RULESET_FORMAT = "perbup-ruleset/1"


def canonical_json(data: Any) -> str:
    """Sorted keys, no spaces, UTF-8 text: the bytes a fingerprint is taken over."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _without_locations(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _without_locations(v) for k, v in data.items() if k not in ("location", "locations", "source_root")}
    if isinstance(data, list):
        return [_without_locations(v) for v in data]
    return data


@dataclass(frozen=True)
class Ruleset:
    """A compiled regulation. ``data`` is JSON-ready; treat it as read-only.

    The fingerprint covers the rules' meaning (clauses, expressions, decisions,
    parameters, texts) but not where they sit in the files, so reformatting a
    YAML file does not change it.
    """

    data: dict = field(repr=False)
    fingerprint: str = ""
    warnings: tuple = ()

    @classmethod
    def from_data(cls, data: dict, warnings: tuple = ()) -> "Ruleset":
        body = strip_cols(_without_locations(data))
        digest = hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()
        return cls(data=data, fingerprint=f"sha256:{digest}", warnings=warnings)

    @property
    def id(self) -> str:
        return self.data["regulation"]["id"]

    @property
    def clauses(self) -> list[dict]:
        return self.data["clauses"]

    @property
    def params(self) -> dict:
        return self.data["params"]

    def clause(self, clause_id: str) -> dict:
        for c in self.data["clauses"]:
            if c["id"] == clause_id:
                return c
        raise KeyError(clause_id)

    def to_dict(self) -> dict:
        """A deep copy of the data with the fingerprint, safe to modify."""
        out = copy.deepcopy(self.data)
        out["fingerprint"] = self.fingerprint
        return out

    def to_json(self, indent: int | None = 1) -> str:
        return json.dumps(self.to_dict(), sort_keys=True, indent=indent, ensure_ascii=False, default=str) + "\n"

    def short_id(self) -> str:
        return self.fingerprint.split(":", 1)[-1][:16]
