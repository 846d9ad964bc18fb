"""Plain explanations of findings, in Bahasa Indonesia and English.

Texts are built from the clause, the outcome and the atom values the engines
decided on (the same for both engines), so explanations never depend on
which engine ran.
"""

from __future__ import annotations

import datetime as _dt
from decimal import ROUND_FLOOR, Decimal
from fractions import Fraction
from typing import Any, Iterable

from . import expr, sentence_cache, violation_text
from .atoms import Compiled, Ctx, Missing
from .findings import HeldText, LazyText, Status, Text
from .i18n import both, phrases, t

_VAL = {"t": ("benar", "true"), "f": ("salah", "false"), "u": ("tidak diketahui", "unknown")}


def rupiah(v: Any) -> str:
    """Rp1.500.000 (dots group thousands, as written in Indonesia)."""
    if isinstance(v, Decimal) and v != v.to_integral_value():
        whole, frac = f"{v:,.2f}".split(".")
        return "Rp" + whole.replace(",", ".") + "," + frac
    return "Rp" + f"{int(v):,}".replace(",", ".")


def percent(x: Fraction | Decimal | str, comma: bool = False) -> str:
    """40.00% (or 40,00% with ``comma``, as written in Indonesian); rounded down, so a share
    just under a threshold never prints as the threshold."""
    d = Decimal(x) if isinstance(x, str) else (Decimal(x.numerator) / Decimal(x.denominator) if isinstance(x, Fraction) else x)
    text = f"{(d * 100).quantize(Decimal('0.01'), rounding=ROUND_FLOOR)}%"
    return text.replace(".", ",") if comma else text


def _show(v: Any) -> str:
    if isinstance(v, Missing):
        return "?"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, _dt.date):
        return v.isoformat()
    if isinstance(v, tuple):
        return "[" + ", ".join(map(str, v)) + "]"
    return str(v)


def atom_facts(atoms: list[dict], row: list[str], comp: Compiled, ctx: Ctx, which: set[str],
               focus: set[int] | None = None) -> list[str]:
    """'supplier.umkk = false' style lines for atoms whose value is in ``which``."""
    out = []
    for i, shown, reads in _facts_plan(atoms, comp):
        if row[i] not in which or (focus is not None and i not in focus):
            continue
        if reads:
            vals = "; ".join(f"{text} = {_show(get(ctx))}" for text, get in reads)
            out.append(f"{shown} ({vals})")
        else:
            out.append(shown)
    return out


def _facts_plan(atoms: list[dict], comp: Compiled) -> list[tuple[int, str, list[tuple[str, Any]]]]:
    """Per atom that can be shown: (index, text, [(operand text, getter)]), built once per atom list."""
    plan = comp.memo(("facts", id(atoms)), atoms)
    if plan is None:
        plan = []
        for i, a in enumerate(atoms):
            if a["op"] in ("in_force", "fact"):
                continue
            reads = [(comp.text(node), comp.value(node)) for side in ("left", "right")
                     if (node := a.get(side)) and node["op"] in ("path", "param")]
            if a["op"] == "path":
                reads.append((comp.text(a), comp.value(a)))
            plan.append((i, comp.text(a), reads))
        comp.remember(("facts", id(atoms)), atoms, plan)
    return plan


def _param_comparisons(atoms: list[dict], logic: dict | None, out: list[int]) -> list[int]:
    for i in _logic_atoms(logic):
        a = atoms[i]
        if i not in out and a.get("op") == "cmp" and {a["left"].get("op"), a["right"].get("op")} == {"path", "param"}:
            out.append(i)
    return out


def measured_atoms(clause: dict) -> tuple[list[int], list[int]]:
    """Indexes of the verdict atoms whose figures a finding may report as ``measured``/``threshold``:
    (comparisons of a field with a parameter in what the clause requires, ``require``/``unless``;
    those in ``applies``). An applicability ceiling (KMT-03: packages up to Rp15 billion) is the
    measured figure only of a package it left out (not applicable); a package that fails the
    clause failed something else, and must not read as if it were measured against the ceiling."""
    atoms = clause.get("decisions", {}).get("verdict", {}).get("atoms", [])
    logic = clause.get("logic", {})
    required: list[int] = []
    for part in [logic.get("require")] + list(logic.get("unless", [])):
        _param_comparisons(atoms, part, required)
    return required, _param_comparisons(atoms, logic.get("applies"), [])


def measured_threshold(atoms: list[dict], row: list[str], comp: Compiled, ctx: Ctx,
                       clause: dict | None = None) -> tuple[str | None, str | None]:
    """(the field's value, the parameter's value) as text, from the comparison that decided:

    * a record outside the clause (not in force, or an ``applies`` condition false: not
      applicable): its ``applies`` comparison, the one that failed when one did, else the first
      (so the ceiling in force on its date is shown);
    * else a required comparison, the one that failed when one did, else the first;
    * else none: (None, None).

    Without ``clause`` (older callers), the first comparison with a parameter anywhere.
    """
    return measured_of(measured_chosen(atoms, row, comp, clause), ctx)


def measured_chosen(atoms: list[dict], row: list[str], comp: Compiled, clause: dict | None = None) -> tuple | None:
    """The comparison :func:`measured_threshold` reads for an atom row (None: none), for
    :func:`measured_of`: the same for every record of the row."""
    key = ("measured", id(atoms), id(clause))
    getters = comp.memo(key, atoms)
    if getters is None:
        if clause is not None:
            required, applies = measured_atoms(clause)
        else:
            required = [i for i, a in enumerate(atoms) if a["op"] == "cmp" and a["right"]["op"] == "param"
                        and a["left"]["op"] == "path"][:1]
            applies = []
        outside = [0] if atoms and atoms[0]["op"] == "in_force" else []
        applies_logic = clause.get("logic", {}).get("applies") if clause is not None else None
        getters = [(outside, applies_logic, {})]  # {}: the comparison chosen per atom row (a pure function of it)
        for group in (applies, required):
            gs = []
            for i in group:
                a = atoms[i]
                field, param = (a["left"], a["right"]) if a["left"]["op"] == "path" else (a["right"], a["left"])
                gs.append((i, comp.value(field), comp.value(param)))
            getters.append(gs)
        comp.remember(key, atoms, getters)
    (outside, applies_logic, chosen_for), applies_g, required_g = getters
    row_key = tuple(row)
    chosen = chosen_for.get(row_key, False)
    if chosen is False:
        chosen = chosen_for[row_key] = _chosen(row, outside, applies_logic, applies_g, required_g)
    return chosen


def measured_of(chosen: tuple | None, ctx: Ctx) -> tuple[str | None, str | None]:
    """(measured, threshold) of a record from its row's :func:`measured_chosen`."""
    if chosen is None:
        return None, None
    _i, left, right = chosen
    lv, rv = left(ctx), right(ctx)
    return (None if isinstance(lv, Missing) else figure_text(lv)), (None if isinstance(rv, Missing) else figure_text(rv))


def _chosen(row: list[str], outside: list[int], applies_logic: dict | None, applies_g: list,
            required_g: list) -> tuple | None:
    """The comparison :func:`measured_threshold` reads for an atom row (None: none)."""
    chosen = None
    # outside the clause: not in force, or ``applies`` false as a whole (an atom false inside an
    # ``or``, KMT-03's known(pagu_idr), does not put the record outside)
    if applies_g and (any(row[i] == "f" for i in outside) or _truth(applies_logic, row) == "f"):
        # the comparison that failed, else one whose figures are known, else the first
        chosen = next((g for g in applies_g if row[g[0]] == "f"), None) \
            or next((g for g in applies_g if row[g[0]] == "t"), applies_g[0])
    if chosen is None and required_g:
        chosen = next((g for g in required_g if row[g[0]] == "f"), required_g[0])
    return chosen


def figure_text(v: Any) -> str:
    """A measured or threshold figure as a finding shows it (an exact share to 4 places, rounded
    down; a date in ISO form; else its text)."""
    if isinstance(v, Fraction):  # an exact share (a report's local_umkk_share): 4 places, rounded down
        q = Decimal(v.numerator) / Decimal(v.denominator)
        return str(q.quantize(Decimal("0.0001"), rounding=ROUND_FLOOR))
    return v.isoformat() if isinstance(v, _dt.date) else str(v)


def _truth(logic: dict | None, row: list[str]) -> str:
    """Kleene value ('t', 'f', 'u') of a logic tree over an atom row; no tree is true."""
    if not logic:
        return "t"
    if "atom" in logic:
        return row[logic["atom"]]
    if "not" in logic:
        return {"t": "f", "f": "t"}.get(_truth(logic["not"], row), "u")
    if "and" in logic:
        vals = [_truth(p, row) for p in logic["and"]]
        return "f" if "f" in vals else ("u" if "u" in vals else "t")
    vals = [_truth(p, row) for p in logic.get("or", [])]
    return "t" if "t" in vals else ("u" if "u" in vals else "f")


def _logic_atoms(logic: dict | None) -> list[int]:
    """Indexes of the atoms a logic tree reads, in order."""
    if not logic:
        return []
    if "atom" in logic:
        return [logic["atom"]]
    if "not" in logic:
        return _logic_atoms(logic["not"])
    return [i for part in logic.get("and", logic.get("or", [])) for i in _logic_atoms(part)]


def atom_sentences(atoms: list[dict], row: list[str], comp: Compiled, ctx: Ctx, which: set[str],
                   among: Iterable[int] | None = None) -> tuple[list[str], list[str]]:
    """The atoms whose value is in ``which`` (only those ``among`` the given indexes, in that
    order) as plain sentences: (Indonesian, English); which atoms: :func:`sentence_cache.shown_atoms`."""
    ids, ens = [], []
    for i in sentence_cache.shown_atoms(atoms, row, which, range(len(atoms)) if among is None else among, comp):
        # phrases.sentence in both languages, remembered per the values read (perbup_rules.sentence_cache)
        id_, en = sentence_cache.sentences(atoms[i], row[i], comp, ctx)
        ids.append(id_)
        ens.append(en)
    return ids, ens


_FALSE, _TRUE = frozenset("f"), frozenset("t")


def _violation_atoms(clause: dict, comp: Compiled) -> tuple[list[int], list[int]]:
    """(atoms ``require`` reads, atoms ``applies`` reads) of a clause, in order: the same for every
    violation it explains, so worked out once per clause and compiled scope."""
    key = ("violation-atoms", id(clause))
    hit = comp.memo(key, clause)
    if hit is None:
        logic = clause.get("logic", {})
        hit = (_logic_atoms(logic.get("require")), _logic_atoms(logic.get("applies")))
        comp.remember(key, clause, hit)
    return hit


def violation_plan(clause: dict, label: str, status: Status, exception: str | None, atoms: list[dict],
                   row: list[str], comp: Compiled, focus: set[int] | None = None) -> Any:
    """For an atom row whose verdict is the common listed one (a violation, no exception): what
    its texts read, the same for each record of the row; None for other verdicts. A record's
    :func:`each_text` is then ``violation_text.held(plan, ctx, subject)``, or when that is None
    (a value could not be read ahead) :func:`each_text` itself."""
    if status is Status.VIOLATION and label not in ("not_in_force", "no_date") and exception is None:
        return violation_text.row_plan(clause, atoms, row, comp, focus, lambda: _violation_atoms(clause, comp))
    return None


def each_text(clause: dict, label: str, status: Status, subject: str, exception: str | None,
              missing: list[str], atoms: list[dict], row: list[str], comp: Compiled, ctx: Ctx,
              focus: set[int] | None = None) -> Text:
    if status is Status.VIOLATION and label not in ("not_in_force", "no_date") and exception is None:
        # the common listed verdict: only the values its text reads are kept, not the record
        # (perbup_rules.violation_text)
        def violation_atoms() -> tuple[list[int], list[int]]:
            return _violation_atoms(clause, comp)

        held = violation_text.deferred(clause, atoms, row, comp, ctx, subject, focus, violation_atoms)
        if held is not None:
            return held

        def make() -> tuple[str, str]:  # a value could not be read ahead: keep the context
            require, applies_atoms = _violation_atoms(clause, comp)
            among = require if focus is None else [i for i in require if i in focus]
            f_id, f_en = atom_sentences(atoms, row, comp, ctx, _FALSE, among)
            a_id, a_en = atom_sentences(atoms, row, comp, ctx, _TRUE, applies_atoms)
            return violation_text.compose(clause, subject, list(zip(f_id, f_en)), list(zip(a_id, a_en)))
        return LazyText(make)
    # the other verdicts' texts are made when read too, by a maker per clause and kind (the message
    # and the clause's words) from the subject: a listed finding holds no two strings of its own
    if label in ("not_in_force", "no_date"):
        kind: tuple = (label,)
    elif status is Status.NOT_APPLICABLE:
        kind = ("not_applicable",)
    elif exception is not None:
        kind = ("exception", exception)
    elif status is Status.COMPLIANT:
        kind = ("compliant",)
    else:
        kind = ("cannot_determine",)
    key = ("each-said", id(clause), kind)
    maker = comp.memo(key, clause)
    if maker is None:
        maker = _said(clause, kind)
        comp.remember(key, clause, maker)
    return HeldText(maker, subject, (", ".join(missing) or "-") if kind[0] == "cannot_determine" else None)


class _Said:
    """The text of an ``each`` verdict other than a violation: one message, the clause's words in
    each language (shared by the clause's findings), and per finding its subject (and, when it
    cannot be determined, the missing data)."""

    __slots__ = ("msgid", "words")

    def __init__(self, msgid: str, words: tuple[dict, dict]):
        self.msgid, self.words = msgid, words

    def text(self, subject: str, need: str | None) -> tuple[str, str]:
        own = {"subject": subject} if need is None else {"subject": subject, "need": need}
        return t(self.msgid, "id", **self.words[0], **own), t(self.msgid, "en", **self.words[1], **own)


def _said(clause: dict, kind: tuple) -> _Said:
    cid, cit, title = clause["id"], clause["citation"], clause["title"]
    if kind[0] == "not_in_force":
        return _Said("why.each.not_in_force", ({"cid": cid, "cit": cit},) * 2)
    if kind[0] == "no_date":
        return _Said("why.each.no_date", ({"cid": cid},) * 2)
    if kind[0] == "exception":
        exc = next(u for u in clause["unless"] if u["id"] == kind[1])
        return _Said("why.each.exception", tuple({"cid": cid, "cit": cit, "exception": exc["title"][lang]}
                                                 for lang in ("id", "en")))  # type: ignore[arg-type]
    if kind[0] == "cannot_determine":
        return _Said("why.each.cannot_determine", ({"cid": cid, "cit": cit},) * 2)
    return _Said(f"why.each.{kind[0]}", tuple({"cid": cid, "cit": cit, "title": title[lang]}
                                               for lang in ("id", "en")))  # type: ignore[arg-type]


def share_text(clause: dict, label: str, facts: dict, at_least: Any, subject: str | None, year: int | None,
               stage: str | None, missing: list[str]) -> Text:
    cid, cit = clause["id"], clause["citation"]
    base = f"{subject or '?'} {year if year is not None else '?'}"
    # Indonesian names the stage in words (tahap pemilihan); English keeps the stage code it always showed
    whos = {"id": base + (t("why.share.stage", "id", stage=phrases.label(f"code.stage.{stage}", stage, "id")) if stage else ""),
            "en": base + (t("why.share.stage", "en", stage=stage) if stage else "")}
    need = ", ".join(missing)

    def pair(msgid: str, **kw: Any) -> Text:
        return Text(t(msgid, "id", who=whos["id"], **kw), t(msgid, "en", who=whos["en"], **kw))

    if label == "no_date":
        return pair("why.share.no_date", cid=cid, need=need)
    if label == "not_in_force":
        return Text(*both("why.share.not_in_force", cid=cid, cit=cit, year=year))
    if label == "not_applicable":
        return pair("why.share.not_applicable", cid=cid)
    if facts["lower"] is None:
        return pair("why.share.no_share", cid=cid, need=need)

    def pct(x: Any, lang: str) -> str:
        return "?" if isinstance(x, Missing) else percent(Fraction(x), comma=lang == "id")

    amounts = f"{rupiah(facts['known'])} / {rupiah(facts['total'])}"
    out = []
    for lang in ("id", "en"):
        lo, hi, thr = pct(facts["lower"], lang), pct(facts["upper"], lang), pct(at_least, lang)
        common = dict(who=whos[lang], lo=lo, hi=hi, thr=thr, amounts=amounts, cid=cid, cit=cit)
        if label == "compliant":
            out.append(t("why.share.compliant", lang, **common))
        elif label == "violation":
            extra = t("why.share.at_most", lang, hi=hi) if hi != lo else ""
            out.append(t("why.share.violation", lang, extra=extra, **common))
        else:
            out.append(t("why.share.undetermined", lang, unknown=rupiah(facts["unknown"]), **common))
    return Text(out[0], out[1])


def window_text(clause: dict, label: str, subject: str | None, year: int | None, stage: str | None,
                group: str | None, shown: Any, missing: list[str]) -> Text:
    """A window group (KMT-04): the closest or flagged window's sum against its limit."""
    cid, cit, days = clause["id"], clause["citation"], clause["days"]
    out = []
    for lang in ("id", "en"):
        who = f"{subject or '?'} {year if year is not None else '?'}"
        if group:
            who += t("why.window.group", lang, group=group)
        if stage:
            who += t("why.share.stage", lang, stage=phrases.label(f"code.stage.{stage}", stage, "id") if lang == "id" else stage)
        common = dict(who=who, cid=cid, cit=cit, days=days)
        if shown is None:
            out.append(t("why.window.none", lang, **common))
        else:
            amounts = dict(total=rupiah(shown.certain_sum), upper=rupiah(shown.possible_sum), limit=rupiah(shown.limit),
                           n=len(shown.certain_ids), need=", ".join(missing) or "-")
            key = {"violation": "why.window.violation", "compliant": "why.window.compliant"}.get(label, "why.window.undetermined")
            out.append(t(key, lang, **common, **amounts))
    return Text(out[0], out[1])


def exists_text(clause: dict, label: str, subject: str, year: int | None, category: str | None, found: int,
                missing: list[str]) -> Text:
    cid, cit = clause["id"], clause["citation"]
    who = f"{subject} ({year})" if year is not None else subject
    if label == "not_in_force":
        return Text(*both("why.exists.not_in_force", cid=cid, cit=cit, year=year))
    if label == "no_date":
        return Text(*both("why.exists.no_date", cid=cid, subject=subject))
    if label == "not_applicable":
        return Text(*both("why.exists.not_applicable", cid=cid, cit=cit, who=who))
    out = []
    # a clause over yearly reports (reports.csv) speaks of reports, not partnerships
    what = "why.exists.report" if clause.get("related") == "reports" else "why.exists"
    for lang in ("id", "en"):
        cat = t("why.exists.category", lang, category=category) if category else ""
        if label == "compliant":
            out.append(t(f"{what}.compliant", lang, who=who, found=found, cat=cat, cid=cid, cit=cit))
        elif label == "violation":
            out.append(t(f"{what}.violation", lang, who=who, cat=cat, title=clause["title"][lang], cid=cid, cit=cit))
        else:
            out.append(t("why.exists.cannot_determine", lang, who=who, cat=cat, cid=cid, cit=cit,
                         need=", ".join(missing) or "-"))
    return Text(out[0], out[1])


class ExistsText:
    """:func:`exists_text` for the findings of one clause, label, year, category, count and
    missing fields, which differ only by subject: the two messages are made once with a mark
    where the subject goes and filled per finding when read (:class:`HeldText`: a listed
    finding keeps no strings of its own, 40 MB at a million findings). The filled form is
    trusted once it gave :func:`exists_text`'s texts for two subjects of different lengths (a
    subject in a padded field would differ); until then, and for good where it differed, each
    subject's texts are made by :func:`exists_text`."""

    __slots__ = ("args", "formats", "first")

    _MARK = "\x00subject\x00"

    def __init__(self, clause: dict, label: str, year: int | None, category: str | None, found: int,
                 missing: tuple[str, ...]):
        self.args = (clause, label, year, category, found, list(missing))
        self.formats: tuple[str, ...] | None = None  # the marked texts once trusted
        self.first: int | None = None  # the length of the first subject checked; -1: never trusted

    def of(self, subject: str) -> Text:
        return HeldText(self, subject, None)

    def text(self, subject: str, _unused: Any = None) -> tuple[str, str]:
        formats, mark = self.formats, self._MARK
        if formats is not None:
            return formats[0].replace(mark, subject), formats[1].replace(mark, subject)
        clause, label, year, category, found, missing = self.args
        plain = exists_text(clause, label, subject, year, category, found, missing).texts()
        if self.first == -1 or len(subject) == self.first:
            return plain
        marked = exists_text(clause, label, mark, year, category, found, missing).texts()
        if mark in subject or tuple(m.replace(mark, subject) for m in marked) != plain:
            self.first = -1
        elif self.first is None:
            self.first = len(subject)
        else:
            self.formats = marked
        return plain


def no_supplier_text(clause: dict, pool: dict, subject: str, year: int | None, category: str) -> Text:
    """A clause whose partner cannot exist: no business in the data or registries supplies the category."""
    who = f"{subject} ({year})" if year is not None else subject
    out = [t("why.exists.no_supplier", lang, cid=clause["id"], cit=clause["citation"], who=who, category=category,
             reason=pool["title"][lang]) for lang in ("id", "en")]
    return Text(out[0], out[1])


def explain_values(atoms: list[dict], row: list[str], comp: Compiled, ctx: Ctx) -> list[dict]:
    """Every atom with its value, the field values it read, and the plain sentence of what held
    (``sentence``: id and en), for ``perbup explain``."""
    def get(node: dict) -> Any:
        return comp.value(node)(ctx)

    def missing(v: Any) -> bool:
        return isinstance(v, Missing)

    out = []
    for a, v in zip(atoms, row):
        sentence = {lang: phrases.sentence(a, v, get, lang, comp.table, comp.subject_table, missing)
                    for lang in ("id", "en")}
        if a["op"] in ("in_force", "fact"):
            out.append({"condition": a.get("name", a["op"]), "value": _VAL[v][1], "reads": [], "sentence": sentence})
            continue
        reads = []
        for side in ("left", "right"):
            node = a.get(side)
            if node and node["op"] in ("path", "param"):
                reads.append((expr.to_text(node), _show(comp.value(node)(ctx))))
        if a["op"] in ("path", "known"):
            node = {"op": "path", "path": a["path"]}
            reads.append((".".join(a["path"]), _show(comp.value(node)(ctx))))
        out.append({"condition": expr.to_text(a), "value": _VAL[v][1], "reads": reads, "sentence": sentence})
    return out



def subject_unknown_text(clause: dict, parent: str, year: int | None, stage: str | None, subject: str) -> Text:
    """A share whose records name no subject (e.g. no PPK) where the parent (the buyer) has no known one."""
    cid, cit = clause["id"], clause["citation"]
    who = f"{parent} {year if year is not None else '?'}" + (f" ({stage})" if stage else "")
    return Text(f"{cid} ({cit}): {who}: {subject} tidak diketahui untuk catatan pembelian ini dan tidak ada "
                f"{subject} yang diketahui pada tahap dan tahun ini; pangsanya tidak dapat dihitung.",
                f"{cid} ({cit}): {who}: {subject} unknown for these purchases, and no {subject} is known at this "
                f"stage and year; the share cannot be computed.")
