"""Compile a loaded Regulation into an engine-neutral, fingerprinted :class:`Ruleset`."""

from __future__ import annotations

from pathlib import Path

from ..errors import Diagnostic, InvalidRulesError, sort_diagnostics
from ..expr import encode_consts
from ..loader import Regulation, attach_source_lines, load_files
from .ruleset import RULESET_FORMAT, Ruleset
from .stages import STAGES, Build


def check_regulation(regulation: Regulation) -> tuple[Build, list[Diagnostic]]:
    """Run every stage; return the build state and all diagnostics (errors and warnings)."""
    b = Build(regulation)
    b.diags.extend(regulation.diagnostics)
    for _name, stage in STAGES:
        stage(b)
    return b, attach_source_lines(sort_diagnostics(b.diags))


def compile_ruleset(regulation: Regulation) -> Ruleset:
    """Compile, raising :class:`InvalidRulesError` with every problem if there are errors."""
    b, diags = check_regulation(regulation)
    errs = [d for d in diags if d.severity == "error"]
    if errs:
        raise InvalidRulesError(diags)
    meta = regulation.meta
    data = {
        "format": RULESET_FORMAT,
        "regulation": {"id": meta.id, "title": meta.title.model_dump(), "version": meta.version,
                       "status": meta.status, "in_force_from": meta.in_force_from.isoformat() if meta.in_force_from else None,
                       **({"promulgated": meta.promulgated.isoformat()} if meta.promulgated else {})},
        "params": b.params,
        "derived": b.derived_order,
        "clauses": encode_consts(b.clauses),
        "source_root": str(regulation.root),
    }
    return Ruleset.from_data(data, warnings=tuple(d for d in diags if d.severity != "error"))


def load_ruleset(path: str | Path) -> Ruleset:
    """Load and compile a regulation folder in one step."""
    reg = load_files(path)
    return compile_ruleset(reg)


__all__ = ["Ruleset", "compile_ruleset", "check_regulation", "load_ruleset", "STAGES"]
