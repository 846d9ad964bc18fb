"""Linking the records of one package across files into one life: plan -> award -> contract -> handover.

Each file is read on its own (:mod:`.part`); this module then

1. maps buyers to the satker master (``kd_satker_str``; SiRUP's ``kd_satker`` for files
   that carry only that) and names them from it;
2. applies every supporting fact (announcement, SPPBJ, SPMK/SPP, BAPBAST, realisasi,
   bidders) to the package its key names;
3. gives an award what its plan knows (RUP by ``kd_rup``: pagu, UKM reservation, PDN
   status, location, account codes) when every plan the award names agrees;
4. gives a contract what its award knows (supplier, procurement type, method, UMK value when
   both state the same value, kualifikasi, and what the award got from its plan), by
   ``kd_tender``/``kd_nontender``;
   a contract whose award is not in the input reaches its supplier by NPWP id.

A field is only ever filled where the record has no value: what a row says itself is
never overwritten. Every filled field names its source row in ``provenance``. Records are
never added or dropped here: the linked dataset has exactly the purchases read, and every
fact is counted once in its link rate, linked or not (tests/test_link*.py).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from typing import Any, Iterable

from ..records import Dataset, LinkRate, Party, Purchase, merge_datasets
from .part import Fact, Part

#: What a contract takes from its award.
FROM_AWARD = ("supplier_id", "procurement_type", "method", "category", "umk_value_idr", "pagu_idr", "kd_rup",
              "reserved_for_umkk", "exemption_reason", "exemption_code", "pdn", "fiscal_year")
#: What an award (or a record without a plan of its own) takes from its plan.
FROM_PLAN = ("pagu_idr", "reserved_for_umkk", "exemption_reason", "exemption_code", "pdn", "procurement_type", "category")
#: Evidence columns passed down with those fields.
EXTRA_FROM_AWARD = ("kualifikasi_paket", "mak", "lokasi_pekerjaan", "status_pdn")
EXTRA_FROM_PLAN = ("status_pdn", "lokasi", "mak", "status_ukm")


class _Work:
    """The purchases being linked: changes are collected per record and applied once."""

    def __init__(self, purchases: list[Purchase]):
        self.recs = purchases
        self.changes: list[dict[str, Any]] = [{} for _ in purchases]
        self.extra: list[dict[str, str]] = [dict(p.extra) for p in purchases]
        self.prov: list[list[tuple[str, str]]] = [list(p.provenance) for p in purchases]

    def get(self, i: int, name: str) -> Any:
        return self.changes[i].get(name, getattr(self.recs[i], name))

    def fill(self, i: int, name: str, value: Any, where: str) -> bool:
        """Set a field that has no value yet; True when it was set."""
        if value in (None, ()) or self.get(i, name) not in (None, ()):
            return False
        self.changes[i][name] = value
        self.prov[i].append((name, where))
        return True

    def set(self, i: int, name: str, value: Any, where: str) -> None:
        self.changes[i][name] = value
        self.prov[i].append((name, where))

    def add_extra(self, i: int, key: str, value: str) -> None:
        self.extra[i].setdefault(key, value)

    def where(self, i: int) -> str:
        """The record's own source row (its ``id`` provenance), or its id."""
        return next((w for f, w in self.recs[i].provenance if f in ("id", "stage")), self.recs[i].id)

    def build(self) -> list[Purchase]:
        out = []
        for i, p in enumerate(self.recs):
            extra = tuple(sorted(self.extra[i].items()))
            if self.changes[i] or extra != p.extra or len(self.prov[i]) != len(p.provenance):
                p = replace(p, **self.changes[i], extra=extra, provenance=tuple(self.prov[i]))
            out.append(p)
        return out


def link(parts: Iterable[Part]) -> Dataset:
    """One dataset from the parts read, with every package's records linked and the link rates measured.

    Parts that are not linkable (canonical, OCDS) are merged as they are.
    """
    parts = list(parts)
    others = [p.ds for p in parts if not p.linkable]
    parts = [p for p in parts if p.linkable]
    if not parts:
        return others[0] if len(others) == 1 else merge_datasets(others)
    linked = _link(parts)
    return merge_datasets([linked, *others]) if others else linked


def _link(parts: list[Part]) -> Dataset:
    ds = merge_datasets([p.ds for p in parts]) if len(parts) != 1 else parts[0].ds
    facts = [f for p in parts for f in p.facts]
    work = _Work(ds.purchases)
    rates: list[LinkRate] = []
    _buyers(ds, work, [f for f in facts if f.target == "satker"], rates)
    npwp_party = _npwp_index(ds)
    index = _index(work)
    _apply_facts(ds, work, index, [f for f in facts if f.target not in ("satker", "reference")], rates, npwp_party)
    _plans(work, index, rates)
    _contracts(work, index, rates, npwp_party)
    ds.purchases = work.build()
    _kualifikasi_scale(ds)
    ds.link_rates.extend(rates)
    return ds


# --- buyers ------------------------------------------------------------------------------


def _buyers(ds: Dataset, work: _Work, masters: list[Fact], rates: list[LinkRate]) -> None:
    if not masters:
        return
    by_dotted: dict[str, Fact] = {}
    by_sirup: dict[str, str] = {}
    for f in masters:
        keys = dict(f.keys)
        by_dotted.setdefault(keys["kd_satker_str"], f)
        if "kd_satker" in keys:
            by_sirup.setdefault(keys["kd_satker"], keys["kd_satker_str"])
    # Buyers known only by SiRUP's id get their dotted code.
    moved: dict[str, str] = {}
    for pid in list(ds.parties):
        if pid.startswith("satker-sirup:") and pid.split(":", 1)[1] in by_sirup:
            moved[pid] = f"satker:{by_sirup[pid.split(':', 1)[1]]}"
    for i, p in enumerate(work.recs):
        if p.buyer_id in moved:
            work.set(i, "buyer_id", moved[p.buyer_id], by_dotted[moved[p.buyer_id][len("satker:"):]].where)
    for old, new in moved.items():
        party = ds.parties.pop(old)
        if new not in ds.parties:
            ds.parties[new] = replace(party, id=new)
    # Names from the master; which buyers the master knows.
    first_row: dict[str, tuple[str, int]] = {}
    for i, p in enumerate(work.recs):
        b = work.get(i, "buyer_id")
        if b and b not in first_row:
            file, _, row = work.where(i).rpartition(":")
            first_row[b] = (file, int(row) if row.isdigit() else 0)
    linked, unlinked = 0, []
    for pid, (file, row) in first_row.items():
        code = pid[len("satker:"):] if pid.startswith("satker:") else None
        f = by_dotted.get(code) if code else None
        if f is None:
            unlinked.append((file, row))
            continue
        linked += 1
        party = ds.parties.get(pid)
        if party is not None:
            name = dict(f.fields).get("name")
            extra = dict(party.extra)
            for k, v in f.extra:
                extra.setdefault(k, v)
            ds.parties[pid] = replace(party, name=name or party.name, extra=tuple(sorted(extra.items())),
                                      provenance=party.provenance + ((("name", f.where),) if name else ()))
    rates.append(LinkRate("buyers", "rup-master-satker", "kd_satker_str", linked, len(first_row), tuple(unlinked)))


# --- indexes -----------------------------------------------------------------------------


def _index(work: _Work) -> dict[tuple[str, str, str], list[int]]:
    """(target, key name, value) -> record positions."""
    index: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for i, p in enumerate(work.recs):
        if p.stage == "award" and p.channel in ("tender", "non_tender"):
            if p.kd_tender:
                index["award", "kd_tender", p.kd_tender].append(i)
            if p.kd_nontender:
                index["award", "kd_nontender", p.kd_nontender].append(i)
        elif p.stage == "contract":
            if p.kd_tender:
                index["contract", "kd_tender", p.kd_tender].append(i)
            if p.kd_nontender:
                index["contract", "kd_nontender", p.kd_nontender].append(i)
            no = dict(p.extra).get("no_kontrak")
            if no:
                index["contract", "no_kontrak", no].append(i)
        elif p.stage == "plan":
            for code in p.kd_rup:
                index["plan", "kd_rup", code].append(i)
        if p.stage == "award" and p.channel == "pencatatan" and p.kd_paket:
            index["pencatatan", "kd_nontender_pct", p.kd_paket].append(i)
        if p.stage == "award" and p.channel == "swakelola" and p.kd_paket:
            index["swakelola", "kd_swakelola_pct", p.kd_paket].append(i)
    return index


def _npwp_index(ds: Dataset) -> dict[str, str]:
    """NPWP id -> the one party that has it (an NPWP held by two parties reaches neither)."""
    seen: dict[str, set[str]] = defaultdict(set)
    for pid, p in ds.parties.items():
        npwp = dict(p.extra).get("npwp")
        if npwp:
            seen[npwp].add(pid)
    return {n: next(iter(ids)) for n, ids in seen.items() if len(ids) == 1}


# --- facts -------------------------------------------------------------------------------


def _apply_facts(ds: Dataset, work: _Work, index, facts: list[Fact], rates: list[LinkRate], npwp_party: dict[str, str]) -> None:
    groups: dict[tuple[str, str], list[Fact]] = defaultdict(list)
    for f in facts:
        groups[f.kind, f.target].append(f)
    payees: dict[int, list[Fact]] = defaultdict(list)
    for (kind, target), group in groups.items():
        linked, unlinked, keys_used = 0, [], []
        for f in group:
            hits: list[int] = []
            for name, value in f.keys:
                hits = index.get((target, name, value), [])
                if hits:
                    keys_used.append(name)
                    break
            if not hits:
                unlinked.append((f.file, f.row))
                continue
            linked += 1
            for i in hits:
                _apply(work, i, f)
                if f.npwp and target in ("pencatatan", "swakelola"):
                    payees[i].append(f)
                if ("winner", True) in f.fields and f.kd_penyedia and f"penyedia:{f.kd_penyedia}" in ds.parties:
                    # the winning bidder names the supplier of a result that has none yet
                    work.fill(i, "supplier_id", f"penyedia:{f.kd_penyedia}", f.where)
        key = max(set(keys_used), key=keys_used.count) if keys_used else group[0].keys[0][0] if group[0].keys else "-"
        rates.append(LinkRate(kind, target, key, linked, len(group), tuple(unlinked)))
    # A recorded purchase whose payments all went to one payee has that payee as supplier.
    for i, fs in payees.items():
        npwps = {f.npwp for f in fs}
        if len(npwps) != 1 or work.get(i, "supplier_id") is not None:
            continue
        npwp = npwps.pop()
        pid = npwp_party.get(npwp) or f"npwp:{npwp}"
        if pid not in ds.parties:
            name = next((v for f in fs for k, v in f.extra if k in ("nama_penyedia", "nama_pelaksana") and v != "[perorangan]"), None)
            ds.parties[pid] = Party(pid, name=name, extra=(("npwp", npwp),), provenance=(("id", fs[0].where),))
            ds.stats["parties"].read += 1
            ds.stats["parties"].accepted += 1
            npwp_party[npwp] = pid
        work.fill(i, "supplier_id", pid, fs[0].where)


def _apply(work: _Work, i: int, f: Fact) -> None:
    for name, value in f.fields:
        if name == "winner":
            continue
        work.fill(i, name, value, f.where)
    for k, v in f.extra:
        work.add_extra(i, k, v)
    counts = work.extra[i]
    counted = f"{f.kind}_rows"
    counts[counted] = str(int(counts.get(counted, "0")) + 1)
    for col, amount in f.money:
        total = f"{col}_total"
        from decimal import Decimal

        old = counts.get(total)
        new = (Decimal(old) if old is not None else 0) + amount
        counts[total] = str(int(new) if new == int(new) else new)
    work.prov[i].append((f.kind, f.where))


# --- plan -> award, award -> contract ----------------------------------------------------------


def _agreed(work: _Work, plans: list[int], name: str) -> Any:
    values = {repr(work.get(j, name)): work.get(j, name) for j in plans}
    return next(iter(values.values())) if len(values) == 1 else None


def _plans(work: _Work, index, rates: list[LinkRate]) -> None:
    if not any(k[0] == "plan" for k in index):
        return  # no plan in the input: nothing to measure against
    tally: dict[str, list] = defaultdict(lambda: [0, 0, []])
    for i, p in enumerate(work.recs):
        if p.stage == "plan":
            continue
        codes = work.get(i, "kd_rup")
        if not codes:
            continue
        plans = sorted({j for c in codes for j in index.get(("plan", "kd_rup", c), [])})
        t = tally[f"{p.stage}:{p.channel or 'other'}"]
        t[1] += 1
        if not plans:
            file, _, row = work.where(i).rpartition(":")
            t[2].append((file, int(row) if row.isdigit() else 0))
            continue
        t[0] += 1
        where = work.where(plans[0]) if len(plans) == 1 else "; ".join(work.where(j) for j in plans)
        for name in FROM_PLAN:
            work.fill(i, name, _agreed(work, plans, name), where)
        for k in EXTRA_FROM_PLAN:
            vals = {work.extra[j].get(k) for j in plans} - {None}
            if len(vals) == 1:
                work.add_extra(i, k, vals.pop())
        work.prov[i].append(("plan", where))
    for source, (linked, total, unlinked) in sorted(tally.items()):
        rates.append(LinkRate(source, "plan", "kd_rup", linked, total, tuple(unlinked)))


def _contracts(work: _Work, index, rates: list[LinkRate], npwp_party: dict[str, str]) -> None:
    tally: dict[str, list] = defaultdict(lambda: [0, 0, [], "kd_nontender"])
    for i, p in enumerate(work.recs):
        if p.stage != "contract":
            continue
        key, value = ("kd_tender", p.kd_tender) if p.kd_tender else ("kd_nontender", p.kd_nontender)
        t = tally[f"contract:{p.channel or 'other'}"]
        t[3] = key
        t[1] += 1
        awards = index.get(("award", key, value), []) if value else []
        if len(awards) == 1:
            t[0] += 1
            a = awards[0]
            where = work.where(a)
            for name in FROM_AWARD:
                if name == "umk_value_idr" and work.get(i, "value_idr") != work.get(a, "value_idr"):
                    continue  # the UMK part of another amount (an addendum changed the value) is not this contract's
                work.fill(i, name, work.get(a, name), where)
            for k in EXTRA_FROM_AWARD:
                v = work.extra[a].get(k)
                if v is not None:
                    work.add_extra(i, k, v)
            work.prov[i].append(("award", where))
        else:
            file, _, row = work.where(i).rpartition(":")
            t[2].append((file, int(row) if row.isdigit() else 0))
        npwp = work.extra[i].get("npwp")
        if work.get(i, "supplier_id") is None and npwp and npwp in npwp_party:
            work.fill(i, "supplier_id", npwp_party[npwp], f"npwp {npwp}")
    for source, (linked, total, unlinked, key) in sorted(tally.items()):
        rates.append(LinkRate(source, f"award:{source.split(':', 1)[1]}", key, linked, total, tuple(unlinked)))


def _kualifikasi_scale(ds: Dataset) -> None:
    """A supplier that won a package whose kualifikasi_paket is Kecil is read as kecil (see spse.py),
    also when the kualifikasi came from the announcement rather than the result row."""
    for p in ds.purchases:
        if p.supplier_id is None or p.stage == "plan":
            continue
        kual = dict(p.extra).get("kualifikasi_paket")
        party = ds.parties.get(p.supplier_id)
        if kual and kual.strip().lower() == "kecil" and party is not None and party.scale is None:
            src = next((w for f, w in p.provenance if f == "kualifikasi_paket"), dict(p.provenance).get("supplier_id", p.id))
            ds.parties[p.supplier_id] = replace(party, scale="kecil", provenance=party.provenance + (("scale", src),))
