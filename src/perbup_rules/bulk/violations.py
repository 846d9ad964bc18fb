"""The common listed violations of an ``each`` clause over purchases, made from SQL rows.

A listed violation is made per record by :meth:`perbup_rules.judge.Judge.each`: the purchase is
read into Python, given its context, its atom row rechecked, then its finding made. For the
common violation (a violation without exception: :func:`perbup_rules.explain.violation_plan`)
that finding is a function of the atom row and of a few values: the period, the stage, the
values its text reads (:mod:`perbup_rules.violation_text`: the paths and parameters of the atoms
it shows) and those its measured figures read (:func:`perbup_rules.explain.measured_chosen`).
Here SQL reads exactly those values (the scope's SQL for each path and parameter, the very
columns the records are read from) and each finding is made from its row with the objects the
per-record judge uses (the row's text plan, shape and entry; the same measured text). KMT-03
lists 180,000 such violations at 1M purchases (the example's shape).

Checked, never trusted: the first :data:`~perbup_rules.judge.CHECKED_ROWS` findings, and the first
of every atom row, text entry (the values its text holds fixed, by type) and type of measured
figures, are also judged per record from whole records (their atom rows recomputed as well), and
must be equal field by field, texts included. On any difference nothing made here is kept and
the clause's violations are judged per record as before: a difference costs time, never a
verdict (tests count that it does not happen on the generated shapes and the real exports). A
record whose text would read an unknown value (NULL) is judged per record.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ..atoms import Compiled
from ..errors import ENGINE_CONTRACT, EngineError
from ..explain import figure_text, measured_chosen, violation_plan
from ..findings import Finding, HeldText, Status
from ..judge import CHECKED_ROWS, Carried, atoms_of
from ..violation_text import picker
from .keys import Key
from .sql import Unsupported

if TYPE_CHECKING:
    from .evaluate import _Bulk


#: at most this many records judged per record (checked, or reading an unknown value) in one call
MAX_PER_RECORD = 20_000
#: fewer listed violations than this are judged per record (the usual listing): the query and
#: the check made here cost about what they would save (1M purchases: KMT-14's 5,000, KMT-12.1's 600)
MIN_ROWS = 20_000


def common(label: str, status: Status, exception: str | None) -> bool:
    """Whether a verdict is the common listed violation (what :func:`made` makes)."""
    return status is Status.VIOLATION and label not in ("not_in_force", "no_date") and exception is None


def _node_key(node: dict) -> tuple:
    return ("path", tuple(node["path"])) if node["op"] == "path" else ("param", node["name"])


class _RowWork:
    """One atom row: its text plan, which read values are its text's and its measured figures'."""

    __slots__ = ("pick", "measured", "rp")

    def __init__(self, rp: Any, pick: tuple[int, ...], measured: tuple[int, int] | None):
        self.rp = rp
        self.pick = picker(pick)  # the values its text reads, in the plan's order, as a tuple
        self.measured = measured


def made(bulk: _Bulk, clause: dict, key: str, kk: Key, labels: dict[str, str], keys: list[str],
         where: str) -> list[Finding] | None:
    """The findings of the purchases ``where`` selects (on ``facts``; their atom rows, column
    ``key``, are among ``keys``, each the common violation), in no particular order (the report
    sorts them); None when they cannot be made here (a value SQL cannot read as the judge does,
    too many unknown values) or the per-record check differs."""
    run = bulk.run
    atoms = clause["decisions"]["verdict"]["atoms"]
    comp = Compiled(run.env, "purchases")
    focus = set(atoms_of(clause["logic"]["require"]))
    columns: dict[tuple, int] = {}  # a path or parameter -> its position among the values read
    sqls: list[str] = []
    narrow = bulk.narrow()

    def column(node: dict) -> int:
        k = _node_key(node)
        pos = columns.get(k)
        if pos is None:
            sql, _missing = bulk.scope.value(node)  # Unsupported: not made here
            if node["op"] == "path" and len(node["path"]) == 1 and node["path"][0] in narrow:
                sql = f"CAST({sql} AS BIGINT)"
            pos = columns[k] = len(sqls)
            sqls.append(sql)
        return pos

    work: dict[Any, tuple[_RowWork, tuple[str, ...]]] = {}
    try:
        for k in keys:
            row = list(k)
            label = labels[k]
            rp = violation_plan(clause, label, Status.VIOLATION, None, atoms, row, comp, focus)
            chosen = measured_chosen(atoms, row, comp, clause)
            measured = None
            if chosen is not None:
                a = atoms[chosen[0]]
                field, param = (a["left"], a["right"]) if a["left"]["op"] == "path" else (a["right"], a["left"])
                measured = (column(field), column(param))
            pick = tuple(column(n) for n in rp.nodes)
            named = run.named(run.rests(clause, "verdict", row, label))  # SQL counted the records
            work[kk.value(k)] = (_RowWork(rp, pick, measured), named)
    except Unsupported:
        return None
    base = run.base(clause)
    out: list[Finding] = []
    append = out.append
    per_record: list[int] = []  # rownums judged per record: an unknown value read, or checked
    checked: dict[int, int] = {}  # rownum -> index in out of its finding made here
    strata: set[tuple] = set()
    stages: dict[str, str] = {}
    violation = Status.VIOLATION
    for r in bulk.facts_rows(where, [f"f.{key}", *sqls]):
        rownum, pid, yr, st, rk = r[:5]
        vals = r[5:]
        rw, named = work[rk]
        raw = rw.pick(vals)
        if None in raw:  # the text would read an unknown value: judged per record
            per_record.append(rownum)
            if len(per_record) > MAX_PER_RECORD:
                return None  # many: the clause's usual listing reads them in batches
            continue
        if rw.measured is not None:
            lv, rv = vals[rw.measured[0]], vals[rw.measured[1]]
            measured, threshold = (None if lv is None else figure_text(lv)), (None if rv is None else figure_text(rv))
        else:
            lv = rv = None
            measured = threshold = None
        shape = rw.rp.shape(tuple(map(type, raw)))
        entry = shape.entry(raw)
        stratum = (id(entry), type(lv), type(rv))
        if len(checked) < CHECKED_ROWS or stratum not in strata:
            strata.add(stratum)
            checked[rownum] = len(out)
            per_record.append(rownum)
        if st is not None:
            st = stages.setdefault(st, st)
        append(Finding(
            subject=pid, subject_kind="purchase", period=yr, stage=st, status=violation,
            measured=measured, threshold=threshold, evidence=(pid,),
            explanation=HeldText(entry, pid, shape.slots_of(raw)),
            **({"assumptions": named} if named else {}), **base))
    if per_record:
        theirs = {f.subject: f for f in judged(bulk, clause, key, kk, per_record)[0]}
        for i in checked.values():
            mine = out[i]
            other = theirs.pop(mine.subject, None)
            if other is None or other.to_dict() != mine.to_dict():
                return None  # not as the per-record judge makes it: judged per record
        # the records whose text reads an unknown value, as judged per record
        if any(f.status is not violation for f in theirs.values()):
            return None
        out.extend(theirs.values())
    return out


def judged(bulk: _Bulk, clause: dict, key: str, kk: Key, rownums: list[int]) -> tuple[list[Finding], list]:
    """What the per-record judge makes of these purchases (whole records, their SQL atom rows
    ``key`` given and rechecked): (their findings, the partnerships it asks for). Nothing of it
    is kept, nor counted: the caller's SQL counted these purchases."""
    run = bulk.run
    recs, given = bulk.records(f"rownum IN ({', '.join(map(str, rownums))})", kk.text_sql(key))
    findings, required = len(run.findings), len(run.required)
    run.purchases = recs
    run.counting = False
    try:
        carried = Carried()
        if clause["kind"] == "exists":
            run.exists(clause, given_rows=given, carried=carried)
            run.finish(carried)
        else:
            run.each(clause, given_rows=given, carried=carried)
    finally:
        run.counting = True
        run.purchases = []
    got, asked = run.findings[findings:], run.required[required:]
    del run.findings[findings:]
    del run.required[required:]
    return got, asked


def counts(findings: list[Finding]) -> Counter:
    """Per (period, stage, category, status), how many: what ``judge_listed`` checks."""
    return Counter((f.period, f.stage, f.category, f.status) for f in findings)


def made_exists(bulk: _Bulk, clause: dict, key: str, kk: Key, labels: dict[str, str], where: str,
                ) -> tuple[list[Finding], list[tuple[int, str, tuple]]] | None:
    """An ``exists`` clause's violations of purchases without related records (``where``, on
    ``facts``: dated, none related, their atom rows ``key`` among those whose verdict is a listed
    violation; a clause without categories whose remedy, if any, is grouped): (the findings, in
    file order; per finding (rownum, purchase id, the key of the grouped partnership it asks
    for: party, category, period)); None when they cannot be made here or the per-record check
    differs. A purchase without related records matches nothing, so its finding is its atom
    row's (none found: measured 0, itself as evidence) and its remedy's party and category."""
    from ..explain import ExistsText

    run = bulk.run
    remedy = clause.get("remedy") or {}
    try:
        party_sql = bulk.scope.value(remedy["party"])[0] if remedy.get("party") else "NULL"
        cat_sql = bulk.scope.value(remedy["category"])[0] if remedy.get("category") else "NULL"
    except Unsupported:
        return None
    base = run.base(clause)
    threshold = str(clause["min_count"])
    texts: dict[tuple, ExistsText] = {}
    of_row: dict[Any, str] = {}  # the row as fetched -> its label
    out: list[Finding] = []
    append = out.append
    contrib: list[tuple[int, str, tuple]] = []
    checked: dict[int, int] = {}  # rownum -> index in out
    strata: set[tuple] = set()
    stages: dict[str, str] = {}
    violation = Status.VIOLATION
    for rownum, pid, yr, st, rk, party, cat in bulk.facts_rows(where, [f"f.{key}", party_sql, cat_sql]):
        label = of_row.get(rk)
        if label is None:
            label = of_row[rk] = labels[kk.text(rk)]
        maker = texts.get((label, yr))
        if maker is None:
            maker = texts[(label, yr)] = ExistsText(clause, label, yr, None, 0, ())
        stratum = (rk, yr, party is None, cat is None)
        if len(checked) < CHECKED_ROWS or stratum not in strata:
            strata.add(stratum)
            checked[rownum] = len(out)
            if len(checked) > MAX_PER_RECORD:
                return None
        if st is not None:
            st = stages.setdefault(st, st)
        contrib.append((rownum, pid, (party, cat, yr)))
        append(Finding(
            subject=pid, subject_kind="purchase", period=yr, stage=st, category=None, status=violation,
            measured="0", threshold=threshold, evidence=(pid,), explanation=maker.of(pid), **base))
    if checked:
        found, asked = judged(bulk, clause, key, kk, list(checked))
        theirs = {f.subject: f for f in found}
        remedies = {pid: (r.party, r.category, r.period) for r in asked for pid in r.evidence}
        for rownum, i in checked.items():
            mine = out[i]
            other = theirs.get(mine.subject)
            if other is None or other.to_dict() != mine.to_dict():
                return None
            if remedy and remedies.get(mine.subject) != contrib[i][2]:
                return None
    return out, contrib


def merge_grouped(bulk: _Bulk, clause: dict, key: str, kk: Key, before: int,
                  contrib: list[tuple[int, str, tuple]]) -> None:
    """The grouped partnerships of an exists clause (``bulk.run.required[before:]``, from the
    purchases judged per record) joined with those the violations :func:`made_exists` made ask
    for (``contrib``: (rownum, purchase id, (party, category, period))), as the per-record judge
    groups them in file order: a partnership's evidence is its purchases in file order, and its
    first purchase gives it its candidates (a partnership whose first purchase was made here is
    asked for by the per-record judge of that purchase, :func:`judged`)."""
    run = bulk.run
    per_record = run.required[before:]
    ids = sorted({pid for r in per_record for pid in r.evidence})
    rownum_of = dict(bulk.con.execute("SELECT id, rownum FROM facts WHERE id IN (SELECT unnest(?))",
                                      [ids]).fetchall()) if ids else {}
    entries: dict[tuple, list[tuple[int, str]]] = defaultdict(list)
    first: dict[tuple, tuple[int, Any]] = {}  # key -> (rownum of its first purchase, its partnership)
    for r in per_record:
        k = (r.party, r.category, r.period)
        entries[k].extend((rownum_of[pid], pid) for pid in r.evidence)
        first[k] = (min(rownum_of[pid] for pid in r.evidence), r)
    for rownum, pid, k in contrib:
        entries[k].append((rownum, pid))
    starts = {k: min(e)[0] for k, e in entries.items()}
    new = {k: rn for k, rn in starts.items() if k not in first or rn < first[k][0]}
    asked = {(r.party, r.category, r.period): r
             for r in judged(bulk, clause, key, kk, sorted(new.values()))[1]} if new else {}
    out = []
    for k, e in entries.items():
        e.sort()
        need = asked.get(k) if k in new else first[k][1]
        if need is None:
            raise EngineError(f"{clause['id']}: the partnership {k} its first purchase asks for per record is "
                              f"not the one made from SQL rows (bulk path bug)", ENGINE_CONTRACT)
        out.append(replace(need, evidence=tuple(pid for _rn, pid in e)))
    run.required[before:] = out
