"""OCDS release packages, record packages and JSON Lines -> award- and contract-stage purchases.

Mapping (docs/importers.md has the full table):

* Each award becomes an ``award`` purchase and each contract a ``contract``
  purchase, with id ``ocds:<ocid>:<award or contract id>``. Tender and planning
  sections are not mapped: OCDS has no reservation flag and their values are
  estimates. A release without awards or contracts contributes parties only.
* Party ids are only unique within one contracting process (``org-2`` recurs
  across processes with different meanings), so a party becomes
  ``ocds:<scheme>-<id>`` when its identifier gives both, else
  ``ocds:<ocid>/<party id>``.
* Buyers (and procuring entities) are public bodies: ``perangkat_daerah``.
  Suppliers and tenderers are ``company``.
* ``details.scale``: micro/small/medium/large -> mikro/kecil/menengah/besar;
  ``sme`` spans kecil and menengah and ``selfEmployed`` is no size class, so for
  those the scale stays unknown and the raw value is kept in ``extra``.
* Releases are versions: when the same award or contract appears in several
  releases, the one from the latest release date is kept and the older versions
  are rejected as superseded (record packages: the compiled release is used when
  present).

Row numbers: the release's 1-based position in the file (JSON), or its line
number (JSON Lines). A release that cannot be read at all counts as one rejected
purchases row, so nothing disappears silently.
"""

from __future__ import annotations

import datetime as _dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterator

from .. import errors
from ..i18n import msg
from ..records import Dataset, Purchase
from . import cells
from .cells import CellError
from .collect import Collector
from .lkpp import keep, load_json
from .tables import check_utf8, data_error

KIND = "ocds"

_SCALES = {"micro": "mikro", "small": "kecil", "medium": "menengah", "large": "besar"}
_PROCUREMENT_CATEGORY = {"goods": "barang", "works": "pekerjaan_konstruksi"}
_PUBLIC_ROLES = ("buyer", "procuringEntity", "centralPurchasingBody")
_SUPPLIER_ROLES = ("supplier", "tenderer")
_DROPPED_STATUS = ("cancelled", "unsuccessful")
_JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jl")


def import_ocds(path: str | Path) -> Dataset:
    """Import OCDS data: a release package, record package, single release, or JSON Lines of those.

    Raises:
        DataError: the file is not JSON (or JSON Lines) or holds no OCDS releases or records.
    """
    path = Path(path)
    file = str(path)
    sha = check_utf8(path, file)
    return import_releases(Collector(file, KIND, sha), _releases(path, file))


def import_releases(c: Collector, releases: Callable[[], Iterator[tuple[int, Any]]]) -> Dataset:
    """Map releases onto the collector's dataset; ``releases()`` yields (row, release) and is called twice.

    The first pass scans every award and contract ``value.amount`` written as text
    for the file's number convention (cells.decide_money; a JSON number is a number),
    the second reads. Also used by :mod:`.ocds_flat` for releases rebuilt from a
    spreadsheet, so both read one mapping.
    """
    scan = cells.MoneyScan()
    for row, release in releases():
        if isinstance(release, dict):
            for key in ("awards", "contracts"):
                for obj in _list(release.get(key)):
                    scan.add(row, _obj(_obj(obj).get("value")).get("amount"))
    conv = cells.decide_money(scan)
    c.numbers = {AMOUNT: conv}
    awards_by_ocid: dict[str, dict[str, str | None]] = {}
    for row, release in releases():
        _release(c, row, release, awards_by_ocid, conv)
    return c.finish()


#: The name the amounts of awards and contracts go by in the import summary (one convention per file).
AMOUNT = "value.amount"


def _releases(path: Path, file: str) -> Callable[[], Iterator[tuple[int, Any]]]:
    if path.suffix.lower() in _JSONL_SUFFIXES or _looks_like_lines(path):
        return lambda: _lines(path, file)  # streamed on each pass
    doc = load_json(path, file)

    def numbered() -> Iterator[tuple[int, Any]]:
        n = 0
        for item in _unpack(doc, file):
            n += 1
            yield n, item

    return numbered


def _looks_like_lines(path: Path) -> bool:
    """True when the first line is a whole JSON document and more follows (JSON Lines without the suffix)."""
    with open(path, encoding="utf-8-sig") as fh:
        first = fh.readline()
        rest = fh.read(4096)
    if not rest.strip():
        return False
    try:
        json.loads(first)
    except (ValueError, RecursionError):
        return False
    return True


def _lines(path: Path, file: str) -> Iterator[tuple[int, Any]]:
    # One JSON document per line, read lazily: bulk OCDS downloads are JSON Lines.
    with open(path, encoding="utf-8-sig") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                doc = json.loads(line, parse_float=Decimal, parse_constant=str)
            except json.JSONDecodeError as err:
                raise data_error(errors.UNREADABLE_INPUT, msg("diag.data.line_json", detail=err.msg), file, lineno) from None
            except RecursionError:
                raise data_error(errors.UNREADABLE_INPUT, msg("diag.data.json_deep"), file, lineno) from None
            # A line that is no package or release is one unreadable row, not a reason
            # to refuse the whole file.
            for item in _unpack(doc, file, lineno, top=False):
                yield lineno, item


def _unpack(doc: Any, file: str, line: int = 0, top: bool = True) -> Iterator[Any]:
    """Releases inside a package, record, record package, list, or a bare release.

    Raises:
        DataError: ``top`` is set and the document holds no OCDS data at all.
    """
    if isinstance(doc, list):
        for d in doc:
            yield from _unpack(d, file, line, top=False)
        return
    if not isinstance(doc, dict):
        yield doc  # rejected by _release as unreadable
        return
    if isinstance(doc.get("releases"), list) and "ocid" not in doc:
        yield from doc["releases"]
    elif isinstance(doc.get("records"), list):
        for record in doc["records"]:
            yield from _record_releases(record)
    elif "ocid" in doc and ("compiledRelease" in doc or isinstance(doc.get("releases"), list)):
        yield from _record_releases(doc)
    elif "ocid" in doc or not top:
        yield doc
    else:
        raise data_error(
            errors.UNREADABLE_INPUT,
            msg("diag.data.no_ocds"),
            file,
            line,
        )


def _record_releases(record: Any) -> Iterator[Any]:
    if not isinstance(record, dict):
        yield record
        return
    compiled = record.get("compiledRelease")
    if isinstance(compiled, dict):
        yield compiled
        return
    # Linked releases ({"url": ...}) carry no data; embedded ones are used in order.
    for rel in record.get("releases") or []:
        if not (isinstance(rel, dict) and set(rel) <= {"url", "date", "tag"}):
            yield rel


def _release(c: Collector, row: int, release: Any, awards_by_ocid: dict[str, dict[str, str | None]], conv: cells.Convention) -> None:
    ocid = release.get("ocid") if isinstance(release, dict) else None
    if not isinstance(ocid, str) or not ocid.strip():
        c.read_row()
        c.reject(row, errors.UNREADABLE_INPUT, "release has no ocid (not an OCDS release)", "ocid")
        return
    ocid = ocid.strip()
    ids = _parties(c, ocid, release)
    buyer = _obj(release.get("buyer"))
    buyer_id = _ref(c, ocid, buyer, ids, "perangkat_daerah") if buyer else None
    tender = _obj(release.get("tender"))
    category = _text(tender.get("mainProcurementCategory"))
    ptype = _PROCUREMENT_CATEGORY.get(category) if category else None
    method_ = cells.normalise_token(m) if (m := _text(tender.get("procurementMethod"))) else None
    rdate = _text(release.get("date"))
    rank = _instant(rdate)
    known_awards = awards_by_ocid.setdefault(ocid, {})
    common = {"buyer_id": buyer_id, "procurement_type": ptype, "method": method_}
    common_extra = keep(("mainProcurementCategory", category if ptype is None else None), ("release_id", release.get("id")))
    for award in _list(release.get("awards")):
        c.read_row()
        supplier_id, more = _suppliers(c, ocid, _obj(award).get("suppliers"), ids)
        if isinstance(award, dict) and award.get("id") is not None:
            known_awards[str(award["id"])] = supplier_id
        _purchase(c, row, ocid, award, "award", "date", supplier_id, rdate, rank, common, common_extra + more, conv)
    for contract in _list(release.get("contracts")):
        c.read_row()
        award_id = _obj(contract).get("awardID")
        supplier_id = known_awards.get(str(award_id)) if award_id is not None else None
        extra = common_extra + keep(("awardID", award_id))
        _purchase(c, row, ocid, contract, "contract", "dateSigned", supplier_id, rdate, rank, common, extra, conv)


def _purchase(
    c: Collector,
    row: int,
    ocid: str,
    obj: Any,
    stage: str,
    date_field: str,
    supplier_id: str | None,
    release_date: str | None,
    rank: Any,
    common: dict[str, Any],
    extra: tuple[tuple[str, str], ...],
    conv: cells.Convention,
) -> None:
    if not isinstance(obj, dict) or obj.get("id") is None or not str(obj.get("id")).strip():
        c.reject(row, errors.REQUIRED_VALUE, f"{stage} has no id", "id")
        return
    pid = f"ocds:{ocid}:{str(obj['id']).strip()}"
    status = _text(obj.get("status"))
    if status in _DROPPED_STATUS:
        c.reject(row, errors.BAD_VALUE, f"{stage} status is {status}: no purchase", "status", pid)
        return
    value = _obj(obj.get("value"))
    try:
        amount = cells.parse_money_as(value.get("amount"), conv)
    except CellError as err:
        c.reject(row, err.code, f"{stage} value.amount: {err.reason}", "value", pid)
        return
    try:
        date = cells.parse_date(_text(obj.get(date_field)))
    except CellError as err:
        c.reject(row, err.code, f"{stage} {date_field}: {err.reason}", date_field, pid)
        return
    if date is None:
        try:
            date = cells.parse_date(release_date)
        except CellError:
            date = None  # the release date is metadata; an unreadable one leaves the date unknown
    currency = (_text(value.get("currency")) or "").upper() or None
    if currency is None:
        # ISO 4217 "XXX" = no currency: an amount without one is never counted as rupiah.
        currency = "IDR" if amount is None else "XXX"
    idr = currency == "IDR"
    record = Purchase.trusted(
        id=pid,
        stage=stage,
        supplier_id=supplier_id,
        value_idr=amount if idr else None,
        date=date,
        currency=currency,
        # Other currencies keep their amount as evidence, never as rupiah.
        extra=extra + keep(("amount", None if idr else amount), ("status", status)),
        **common,
    )
    c.purchase(row, record, rank=rank)


def _parties(c: Collector, ocid: str, release: dict) -> dict[str, str]:
    """Register the release's parties; return release-local id -> canonical id."""
    ids: dict[str, str] = {}
    for party in _list(release.get("parties")):
        if not isinstance(party, dict) or party.get("id") is None:
            continue  # a party nobody can reference; its details appear nowhere else
        local = str(party["id"]).strip()
        ident = _obj(party.get("identifier"))
        scheme, ident_id = _text(ident.get("scheme")), _text(ident.get("id"))
        pid = f"ocds:{scheme}-{ident_id}" if scheme and ident_id else f"ocds:{ocid}/{local}"
        ids[local] = pid
        roles = [r for r in _list(party.get("roles")) if isinstance(r, str)]
        kind = "perangkat_daerah" if any(r in _PUBLIC_ROLES for r in roles) else "company" if any(r in _SUPPLIER_ROLES for r in roles) else None
        raw_scale = _text(_obj(party.get("details")).get("scale"))
        address = _obj(party.get("address"))
        c.party(
            pid,
            name=_text(party.get("name")) or _text(ident.get("legalName")),
            kind=kind,
            scale=_SCALES.get(raw_scale) if raw_scale else None,
            # address.locality is the city or regency: the nearest OCDS field to kabupaten.
            kabupaten=_text(address.get("locality")),
            extra=keep(
                ("details.scale", raw_scale if raw_scale not in _SCALES else None),
                ("region", address.get("region")),
                ("countryName", address.get("countryName")),
                ("roles", ";".join(roles) or None),
            ),
        )
    return ids


def _ref(c: Collector, ocid: str, org: dict, ids: dict[str, str], kind: str | None) -> str | None:
    """The canonical id of an organisation reference, registering it if the release lists no such party."""
    local = org.get("id")
    if local is None:
        return None
    local = str(local).strip()
    if local in ids:
        return ids[local]
    pid = ids[local] = f"ocds:{ocid}/{local}"
    c.party(pid, name=_text(org.get("name")), kind=kind)
    return pid


def _suppliers(c: Collector, ocid: str, refs: Any, ids: dict[str, str]) -> tuple[str | None, tuple[tuple[str, str], ...]]:
    orgs = [o for o in _list(refs) if isinstance(o, dict)]
    found = [p for o in orgs if (p := _ref(c, ocid, o, ids, "company"))]
    if len(found) == 1:
        return found[0], ()
    # A joint or framework award has several suppliers; a purchase has one, so
    # the supplier stays unknown and the ids are kept as evidence.
    return None, keep(("suppliers", ";".join(found) or None))


def _obj(v: Any) -> dict:
    return v if isinstance(v, dict) else {}


def _list(v: Any) -> list:
    return v if isinstance(v, list) else []


def _text(v: Any) -> str | None:
    if isinstance(v, str):
        v = v.strip()
        return v or None
    if isinstance(v, (int, Decimal)) and not isinstance(v, bool):
        return str(v)
    return None


def _instant(s: str | None) -> _dt.datetime | None:
    """A release date as an aware datetime for ordering versions; None if unreadable."""
    if not s:
        return None
    try:
        d = _dt.datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError:
        return None
    return d if d.tzinfo else d.replace(tzinfo=_dt.timezone.utc)
