"""Load a regulation folder: regulation.yaml, params.yaml and pasal-*.yaml.

Every problem is collected with its file, line and column; nothing stops at
the first error. Schema errors from pydantic are mapped back onto the YAML
locations, with a did-you-mean for unknown keys.
"""

from __future__ import annotations

import difflib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from . import errors
from .i18n import msg
from .clauses import PasalFile, Parameter, RegulationMeta
from .errors import Diagnostic, SourceLocation
from .naskah.numbers import ayat_plain, fill, reference_day
from .param_values import read_param_node
from .source import YMap, load_yaml, locate, locate_key

REGULATION_FILE = "regulation.yaml"
PARAMS_FILE = "params.yaml"
PASAL_GLOB = "pasal-*.yaml"


@dataclass
class LoadedClause:
    """A clause model with the pasal it sits in, its citation, its text and its YAML node."""

    model: Any
    pasal: PasalFile
    file: str
    node: YMap
    citation: str
    text: str

    @property
    def location(self) -> SourceLocation:
        return self.node.loc


@dataclass
class Regulation:
    """A loaded (not yet compiled) regulation: metadata, parameters and clauses."""

    root: Path
    meta: RegulationMeta
    params: dict[str, Parameter]
    param_nodes: dict[str, YMap]
    pasal_files: list[tuple[str, PasalFile, YMap]]
    clauses: list[LoadedClause]
    diagnostics: list[Diagnostic] = field(default_factory=list)
    texts: dict[str, list[str]] = field(default_factory=dict)

    def clause(self, clause_id: str) -> LoadedClause:
        for c in self.clauses:
            if c.model.id == clause_id:
                return c
        raise KeyError(clause_id)


def _unwrap(tp):
    """Strip Annotated/Optional; return the inner type (or a Union's members as a tuple)."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(tp)[0])
    if origin in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(tp) if a is not type(None)]
        return members[0] if len(members) == 1 else tuple(members)
    return tp


def _walk_model(model: type[BaseModel], loc: tuple) -> tuple[list, type[BaseModel] | None]:
    """Follow a pydantic error ``loc`` through the models; return (YAML path, model at the end)."""
    path: list = []
    cur: Any = model
    for part in loc:
        cur = _unwrap(cur)
        if isinstance(cur, tuple):  # a union: a discriminator tag picks the member
            chosen = [m for m in cur if isinstance(m, type) and issubclass(m, BaseModel)
                      and part in typing.get_args(m.model_fields.get("kind").annotation or ())] if isinstance(part, str) else []
            if chosen:
                cur = chosen[0]
                continue
        if isinstance(part, int):
            path.append(part)
            origin = typing.get_origin(cur)
            cur = typing.get_args(cur)[0] if origin in (list, tuple) and typing.get_args(cur) else None
            continue
        path.append(part)
        if isinstance(cur, type) and issubclass(cur, BaseModel):
            fld = cur.model_fields.get(part) or next(
                (f for f in cur.model_fields.values() if f.alias == part), None)
            cur = fld.annotation if fld else None
        elif typing.get_origin(cur) is dict:
            cur = typing.get_args(cur)[1]
        else:
            cur = None
    end = _unwrap(cur) if cur is not None else None
    return path, end if isinstance(end, type) and issubclass(end, BaseModel) else None


def _field_names(model: type[BaseModel]) -> list[str]:
    return sorted((f.alias or name) for name, f in model.model_fields.items())


def pydantic_diagnostics(err: ValidationError, model: type[BaseModel], root: Any, file: str,
                         clause_of=None) -> list[Diagnostic]:
    """Map each pydantic error onto the YAML node it concerns, with a stable code and a hint."""
    out = []
    for e in err.errors(include_url=False):
        loc = tuple(e["loc"])
        etype = e["type"]
        if etype == "extra_forbidden":
            parent_path, parent_model = _walk_model(model, loc[:-1])
            key = str(loc[-1])
            names = _field_names(parent_model) if parent_model else []
            close = difflib.get_close_matches(key, names, n=2, cutoff=0.5)
            close_text, allowed = " or ".join(repr(c) for c in close), ", ".join(names)
            hint = (msg("diag.hint.key_close_allowed", names=close_text, allowed=allowed) if close and names
                    else msg("diag.hint.did_you_mean", names=close_text) if close
                    else msg("diag.hint.allowed", allowed=allowed) if names else None)
            location = locate_key(root, parent_path + [key]) or SourceLocation(file)
            out.append(Diagnostic(errors.UNKNOWN_FIELD, msg("diag.unknown_key", key=repr(key)), location,
                                  clause=clause_of(parent_path) if clause_of else None, hint=hint or None))
            continue
        path, _ = _walk_model(model, loc)
        location = locate(root, path) or SourceLocation(file)
        where = ".".join(str(p) for p in path) or msg("diag.document")
        if etype == "missing":
            code, text = errors.MISSING_FIELD, msg("diag.missing_key", where=where)
        elif etype.startswith("date") or etype.startswith("datetime"):
            code, text = errors.BAD_DATE, msg("diag.bad_date", where=where, detail=e["msg"])
        else:
            code, text = errors.WRONG_TYPE, msg("diag.wrong_type", where=where, detail=e["msg"])
        out.append(Diagnostic(code, text, location, clause=clause_of(path) if clause_of else None))
    return out


def dataclasses_replace_message(d: Diagnostic, param: str) -> Diagnostic:
    """Prefix a parameter's schema problem with the parameter's name."""
    import dataclasses

    return dataclasses.replace(d, message=msg("diag.in_param", param=param, text=d.message))


def _read(path: Path, diags: list[Diagnostic]) -> Any:
    try:
        raw = path.read_bytes()
    except OSError as err:
        diags.append(Diagnostic(errors.FILE_NOT_FOUND, msg("diag.cannot_read", reason=err.strerror), SourceLocation(str(path))))
        return None
    data, d = load_yaml(raw, str(path))
    diags.extend(d)
    return data


def _clause_of(root: Any):
    def find(path: list) -> str | None:
        if len(path) >= 2 and path[0] == "clauses" and isinstance(path[1], int) and isinstance(root, YMap):
            try:
                return str(root["clauses"][path[1]].get("id"))
            except (KeyError, IndexError, TypeError, AttributeError):
                return None
        return None
    return find


def _add_schema_diags(diags: list[Diagnostic], new: list[Diagnostic]) -> None:
    """Add schema problems, except where the YAML reader already reported one at that spot."""
    seen = {d.location for d in diags if d.location is not None}
    diags.extend(d for d in new if d.location not in seen)


def _validate(model: type[BaseModel], data: Any, file: str, diags: list[Diagnostic], clause_of=None):
    if not isinstance(data, dict):
        diags.append(Diagnostic(errors.WRONG_TYPE, msg("diag.top_mapping"), SourceLocation(file, 1, 1)))
        return None
    try:
        return model.model_validate(data)
    except ValidationError as err:
        _add_schema_diags(diags, pydantic_diagnostics(err, model, data, file, clause_of))
        return None


def attach_source_lines(diags: list[Diagnostic]) -> list[Diagnostic]:
    """Diagnostics with the offending source line attached (so renders show a caret)."""
    import dataclasses

    cache: dict[str, list[str]] = {}
    out = []
    for d in diags:
        loc = d.location
        if loc is None or not loc.line or d.source_line is not None:
            out.append(d)
            continue
        if loc.file not in cache:
            try:
                cache[loc.file] = Path(loc.file).read_text(encoding="utf-8-sig", errors="replace").splitlines()
            except OSError:
                cache[loc.file] = []
        lines = cache[loc.file]
        out.append(dataclasses.replace(d, source_line=lines[loc.line - 1]) if loc.line <= len(lines) else d)
    return out


def citation(pasal: int, ayat: int | list[int] | None) -> str:
    """``Pasal 3 ayat (1)``, ``Pasal 3 ayat (1) dan (2)``, or ``Pasal 3``."""
    if ayat is None or ayat == []:
        return f"Pasal {pasal}"
    nums = [ayat] if isinstance(ayat, int) else list(ayat)
    parts = [f"({n})" for n in nums]
    joined = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " dan " + parts[-1]
    return f"Pasal {pasal} ayat {joined}"


def load_files(root: str | Path) -> Regulation | None:
    """Read and validate every file; return the Regulation (possibly with error diagnostics)."""
    root = Path(root)
    diags: list[Diagnostic] = []
    if not root.is_dir():
        raise errors.InvalidRulesError([Diagnostic(errors.FILE_NOT_FOUND, msg("diag.not_regulation_folder"), SourceLocation(str(root)))])
    meta_data = _read(root / REGULATION_FILE, diags)
    meta = _validate(RegulationMeta, meta_data, str(root / REGULATION_FILE), diags) if meta_data is not None else None

    params: dict[str, Parameter] = {}
    param_nodes: dict[str, YMap] = {}
    pfile = root / PARAMS_FILE
    if pfile.exists():
        pdata = _read(pfile, diags)
        if pdata is not None and not isinstance(pdata, dict):
            diags.append(Diagnostic(errors.WRONG_TYPE, msg("diag.params_mapping"), SourceLocation(str(pfile), 1, 1)))
        elif pdata:
            for name, node in pdata.items():
                # values written as text (40%, Rp15.000.000.000, 15 miliar) are read for the unit first
                data, value_diags = read_param_node(name, node, str(pfile))
                diags.extend(value_diags)
                param_nodes[name] = node
                if value_diags:
                    continue
                try:
                    params[name] = Parameter.model_validate(data)
                except ValidationError as err:
                    sub = pydantic_diagnostics(err, Parameter, node, str(pfile))
                    _add_schema_diags(diags, [dataclasses_replace_message(d, name) for d in sub])
                    param_nodes[name] = node

    if meta is not None and meta.files:
        files = [root / f for f in meta.files]
    else:
        files = sorted(root.glob(PASAL_GLOB))
    pasal_files: list[tuple[str, PasalFile, YMap]] = []
    clauses: list[LoadedClause] = []
    for f in files:
        data = _read(f, diags)
        if data is None:
            continue
        pf = _validate(PasalFile, data, str(f), diags, _clause_of(data))
        if pf is None:
            continue
        pasal_files.append((str(f), pf, data))
        # the ayat as the clauses cite it: its list flattened and {{param}} written from params.yaml
        ayat_text = {a.ayat: fill(ayat_plain(a), params, reference_day(meta)) for a in pf.ayat}
        for i, c in enumerate(pf.clauses):
            node = data["clauses"][i]
            nums = [] if c.ayat is None else ([c.ayat] if isinstance(c.ayat, int) else list(c.ayat))
            for n in nums:
                if n not in ayat_text:
                    diags.append(Diagnostic(errors.WRONG_TYPE, msg("diag.no_such_ayat", n=n, pasal=pf.pasal),
                                            node.value_loc("ayat"), clause=c.id,
                                            hint=msg("diag.hint.ayat_here", ayat=sorted(ayat_text) or msg("diag.none"))))
            text = c.text if c.text is not None else "\n".join(ayat_text.get(n, "") for n in nums).strip()
            # a pasal of one ayat has no ayat number in the text (UU 12/2011 Lampiran II): cite the pasal
            cited = None if len(pf.ayat) == 1 and nums and set(nums) <= set(ayat_text) else c.ayat
            clauses.append(LoadedClause(c, pf, str(f), node, citation(pf.pasal, cited), text))
    if meta is None:
        meta = RegulationMeta(id=root.name, title={"id": root.name, "en": root.name}, version="?")
        if not any(d.severity == "error" for d in diags):
            diags.append(Diagnostic(errors.FILE_NOT_FOUND, msg("diag.no_regulation_yaml"), SourceLocation(str(root / REGULATION_FILE))))
    return Regulation(root, meta, params, param_nodes, pasal_files, clauses, diags)
