"""Why a finding came out as it did: the conditions, the values read, the exception, the evidence.

Used by ``perbup explain``. It re-evaluates the one clause for the one subject
with the reference semantics and the same atom evaluation the engines use.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from .atoms import Compiled, Ctx, Missing, Period, in_force
from .compiler import decisions as D
from .compiler.ruleset import Ruleset
from .evaluate import evaluate
from .judge import Judge, atoms_of, partnership_active, unit_of as _unit
from .explain import explain_values
from .i18n import get_lang, phrases, t
from .records import Dataset


def _parts(clause: dict, decision: str) -> list[tuple[str, dict]]:
    """(name, logic tree) of the conditions whose atoms belong to ``decision``."""
    logic = clause.get("logic", {})
    if decision == "match":
        return [("match", logic["match"])]
    out = [(name, logic[name]) for name in ("applies", "require") if name in logic]
    out += [(f"unless {u['id']}", lg) for u, lg in zip(clause.get("unless", []), logic.get("unless", []))]
    if decision == "member":
        out += [(f"part case {i + 1}", lg) for i, lg in enumerate(logic.get("part", []))]
    return out


def why(ruleset: Ruleset, dataset: Dataset, clause_id: str, subject: str, period: int | None = None) -> list[dict]:
    """Explanations of every finding of ``clause_id`` about ``subject`` (optionally one period)."""
    clause = ruleset.clause(clause_id)
    periods = [period] if period is not None else None
    report = evaluate(ruleset, dataset, "reference", periods=periods, clauses=[clause_id])
    found = [f for f in report.findings if f.subject == subject and (period is None or f.period == period)]
    run = Judge(ruleset, dataset, report_engine(), sorted({f.period for f in found if f.period is not None}) or dataset.periods(), None, None)
    for c in ruleset.clauses:
        if c["kind"] == "classify":
            run.classify(c)
    out = []
    for f in found:
        item: dict[str, Any] = {"finding": f.to_dict(), "clause": {k: clause[k] for k in ("id", "citation", "title", "text")},
                                "unit": _unit(ruleset, clause)}
        kind = clause["kind"]
        if kind == "each":
            item["conditions"] = _each_conditions(run, clause, f)
        elif kind == "share":
            item["members"] = _share_members(run, clause, f)
        elif kind == "exists":
            item["conditions"], item["related"] = _exists_details(run, clause, f)
        item["provenance"] = _provenance(run, f, item)
        out.append(item)
    return out


def _provenance(run: Judge, f, item: dict) -> dict[str, dict[str, str]]:
    """Where the fields of the parties behind a finding came from (party id -> field -> source):
    the subject when it is a party, the buyer and supplier of its evidence purchases, the parties
    of its related partnerships."""
    parties = run.dataset.parties
    ids: set[str] = set()
    if f.subject in parties:
        ids.add(f.subject)
    for rid in list(f.evidence) + [r["record"] for r in item.get("related", [])]:
        if rid in parties:
            ids.add(rid)
            continue
        rec = _record(run, "purchases", rid) or _record(run, "partnerships", rid) or _record(run, "reports", rid)
        for ref in ("buyer_id", "supplier_id", "party_id", "partner_id"):
            pid = getattr(rec, ref, None)
            if pid in parties:
                ids.add(pid)
    from .evaluate import party_provenance

    full = party_provenance(Dataset(parties={pid: parties[pid] for pid in ids}, sources=run.dataset.sources))
    return {pid: full[pid] for pid in sorted(ids) if full[pid]}


def report_engine():
    from .engine.reference import ReferenceEngine
    return ReferenceEngine()


def _record(run: Judge, table: str, rid: str):
    if table == "parties":
        return run.dataset.parties.get(rid)
    rows = {"purchases": run.dataset.purchases, "reports": run.dataset.reports}.get(table, run.dataset.partnerships)
    return next((r for r in rows if r.id == rid), None)


def _conditions(clause: dict, decision: str, row: list[str], comp: Compiled, ctx: Ctx) -> list[dict]:
    atoms = clause["decisions"][decision]["atoms"]
    values = explain_values(atoms, row, comp, ctx)
    out = []
    for name, logic in _parts(clause, decision):
        overall = D.decide(D.tri(logic), row)
        out.append({"part": name, "value": {"t": "true", "f": "false", "u": "unknown"}[overall],
                    "conditions": [values[i] for i in atoms_of(logic)]})
    return out


def _each_conditions(run: Judge, clause: dict, f) -> list[dict]:
    over = clause["over"]
    # a finding over a yearly report is its party's; the report is the evidence
    rec = _record(run, over, f.evidence[0] if over == "reports" and f.evidence else f.subject)
    if over == "purchases":
        ctx = Ctx(rec=rec, day=rec.date, year=rec.date.year if rec.date else None)
    else:
        p = Period.of(f.period)
        ctx = Ctx(rec=rec, day=p.end, year=f.period, period=p)
        if over == "partnerships" and partnership_active(rec, p) == "u":
            ctx.day = None
    fns = run.atom_fns(clause, "verdict", over)
    row = run.row(fns, ctx, [], {0: in_force(clause, ctx.day)})
    comp = Compiled(run.env, over)
    return _conditions(clause, "verdict", row, comp, ctx)


def _share_members(run: Judge, clause: dict, f) -> list[dict]:
    fns = run.atom_fns(clause, "member", "purchases")
    comp = Compiled(run.env, "purchases")
    dec = D.from_json(clause["decisions"]["member"])
    out = []
    for rid in f.evidence:
        rec = _record(run, "purchases", rid)
        ctx = Ctx(rec=rec, day=rec.date, year=rec.date.year if rec.date else None)
        row = run.row(fns, ctx, [], {0: in_force(clause, rec.date)})
        label = D.decide(dec, row)
        value = None
        if label.startswith("case:"):
            case = clause["part"][int(label[5:])]
            value = comp.value(case["value_from"])(ctx) if case["value_from"] else case["value"]
        out.append({"record": rid, "total": str(rec.value_idr) if rec.value_idr is not None else None,
                    "outcome": label, "qualifying": None if value is None or isinstance(value, Missing) else str(value),
                    "conditions": _conditions(clause, "member", row, comp, ctx)})
    return out


def _exists_details(run: Judge, clause: dict, f) -> tuple[list[dict], list[dict]]:
    over = clause["over"]
    rec = _record(run, over, f.subject)
    year = f.period
    from .duties import due_date

    period = Period.of(year, due_date(clause, year)) if year is not None else None
    day = (rec.date if over == "purchases" else (_dt.date(year, 12, 31) if year else None))
    ctx = Ctx(rec=rec, category=f.category, period=period, day=day, year=year)
    vfns = run.atom_fns(clause, "verdict", over)
    pseudo = {0: in_force(clause, day), 1: "t" if f.status.value == "compliant" else "f", 2: "?"}
    row = [pseudo.get(i, "u") if fn is None else fn(ctx, []) for i, fn in enumerate(vfns)]
    comp = Compiled(run.env, over)
    conditions = [c for c in _conditions(clause, "verdict", [v if v in "tfu" else "u" for v in row], comp, ctx)
                  if c["part"] == "applies"]
    mfns = run.atom_fns(clause, "match", clause["related"], over)
    mcomp = Compiled(run.env, clause["related"], over)
    related = []
    for k in (run.dataset.reports if clause["related"] == "reports" else run.dataset.partnerships):
        if getattr(k, clause["link"]) != rec.id:
            continue
        mctx = Ctx(rec=k, subject=rec, category=f.category, period=period, day=day, year=year)
        mrow = run.row(mfns, mctx, [], {})
        related.append({"record": k.id, "match": {"t": "true", "f": "false", "u": "unknown"}[D.decide(D.tri(clause["logic"]["match"]), mrow)],
                        "conditions": explain_values(clause["decisions"]["match"]["atoms"], mrow, mcomp, mctx)})
    return conditions, related


def _part_name(name: str, lang: str) -> str:
    if name.startswith("unless "):
        return t("why.explain.part.unless", lang, name=name[7:])
    if name.startswith("part case "):
        return t("why.explain.part.case", lang, n=name[10:])
    return t(f"why.explain.part.{name}", lang)


def _outcome(label: str, lang: str) -> str:
    return t("why.explain.part.case", lang, n=int(label[5:]) + 1) if label.startswith("case:") else label


def _figure(value: str | None, unit: str | None, lang: str) -> str:
    """A measured/threshold decimal string as a reader writes it (rupiah, percent), else as is."""
    if value is None:
        return "-"
    try:
        if unit == "idr":
            return phrases.rupiah(int(value)) if value.lstrip("-").isdigit() else value
        if unit == "ratio" and ".." not in value:
            return phrases.percent(value, lang)
    except (ValueError, ArithmeticError):
        pass
    return value


def render_text(items: list[dict], lang: str | None = None) -> str:
    """``perbup explain`` output: one block per finding, in ``lang`` (default: the current language).

    Conditions read as sentences ("[salah] tahap paket pemilihan, bukan perencanaan"), never as code.
    """
    lang = lang or get_lang()
    if not items:
        return t("why.explain.none", lang) + "\n"
    lines = []
    val = {name: t(f"why.value.{c}", lang) for name, c in (("true", "t"), ("false", "f"), ("unknown", "u"))}
    width = max(len(v) for v in val.values())

    def cond_lines(conds: list[dict]) -> None:
        for cond in conds:
            lines.append(f"    [{val[cond['value']]:>{width}}] {cond['sentence'][lang]}")

    for it in items:
        f, c = it["finding"], it["clause"]
        other = "en" if lang == "id" else "id"
        lines.append(f"{c['id']} {c['citation']} — {c['title'][lang]} / {c['title'][other]}")
        head = t("why.explain.subject", lang, subject=f["subject"], period=f["period"])
        if f["stage"]:
            head += "  " + t("why.explain.stage", lang, stage=phrases.label(f"code.stage.{f['stage']}", f["stage"], lang))
        if f["category"]:
            head += "  " + t("why.explain.category", lang, category=f["category"])
        lines.append("  " + head)
        status = t("why.explain.status", lang, status=t(f"status.{f['status']}", lang))
        if f["exception"]:
            status += "  " + t("why.explain.exception", lang, exception=f["exception"])
        if f["measured"] is not None:
            unit = it.get("unit")
            status += "  " + t("why.explain.measured", lang, measured=_figure(f["measured"], unit, lang),
                               threshold=_figure(f["threshold"], unit, lang))
        lines.append("  " + status)
        if f["missing"]:
            lines.append("  " + t("why.explain.missing", lang, fields=", ".join(f["missing"])))
        lines.append("  " + t("why.explain.why", lang, text=f["explanation"][lang]))
        for part in it.get("conditions", []):
            lines.append(f"  {_part_name(part['part'], lang)}: {val[part['value']]}")
            cond_lines(part["conditions"])
        for m in it.get("members", []):
            lines.append("  " + t("why.explain.member", lang, record=m["record"], total=_figure(m["total"], "idr", lang),
                                  outcome=_outcome(m["outcome"], lang), qualifying=_figure(m["qualifying"], "idr", lang)))
        for r in it.get("related", []):
            lines.append("  " + t("why.explain.related", lang, record=r["record"], match=val[r["match"]]))
            cond_lines(r["conditions"])
        lines.append("  " + t("why.explain.evidence", lang, evidence=", ".join(f["evidence"]) or "-"))
        for pid, fields in it.get("provenance", {}).items():
            lines.append("  " + t("why.explain.provenance", lang, party=pid))
            lines.extend(f"    {name}: {src}" for name, src in fields.items())
        lines.append("")
    return "\n".join(lines)
