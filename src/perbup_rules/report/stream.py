"""Reports written to a file in batches: the same bytes as :func:`perbup_rules.report.render`, at scale.

``json.dumps(..., indent=2)`` runs Python's pure-Python encoder (the C one serves only
compact output), about 80 µs per finding; a report with a million listed findings spent
most of its writing time there and held the whole text in memory. Here:

* JSON: the report's skeleton (every key but ``findings``) is dumped as before; the findings
  are encoded by :func:`dump`, an indent-2 encoder for the plain data ``Finding.to_dict()``
  gives (str through the C string encoder, int, None, bool, lists, dicts; anything else
  through :func:`json.dumps`), joined and written in batches of :data:`BATCH`. A finding is
  encoded by :func:`finding` straight from its fields (constant keys, no dict), about three
  times cheaper; it checks itself against ``dump(f.to_dict())`` on the first finding and
  against Finding's fields, and gives way to the generic encoder when they differ, so new
  keys in ``Finding.to_dict()`` or new report sections are never lost (add them to
  :func:`finding` to keep the speed).
* CSV: rows written a batch at a time by :func:`.csv_report.lines` (``csv.writer``'s bytes).
* Both: a long list of findings is encoded by more than one process (:mod:`.parallel`: the
  parent and forked children take chunks in turn, the children write theirs to temporary files,
  the parent passes every chunk on in order; the JSON skeleton is made meanwhile).
* Markdown, HTML and text: list at most 500 rows per section (``--all`` lifts it) and are
  rendered whole, as before.

The result is byte-identical to ``Report.to_json()`` and ``render(report, fmt)``
(tests/test_report_stream.py compares them on the example and on generated data).
"""

from __future__ import annotations

import json
import os
from itertools import islice
from typing import IO, Any, Iterable, Iterator

from ..findings import Finding, Report, Status
from . import parallel

#: findings encoded and written per write call
BATCH = 2000

try:  # the C string encoder json uses for ensure_ascii=False
    from _json import encode_basestring as _enc  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - CPython always has it
    from json.encoder import encode_basestring as _enc


def dump(o: Any, indent: str = "") -> str:
    """``json.dumps(o, ensure_ascii=False, indent=2)`` for plain data, with ``indent`` prefixed to
    every line after the first (the object's own nesting in the document)."""
    t = type(o)
    if t is str:
        return _enc(o)
    if o is None:
        return "null"
    if t is bool:
        return "true" if o else "false"
    if t is int:
        return int.__repr__(o)
    if t is dict:
        if not o:
            return "{}"
        if any(type(k) is not str for k in o):
            return _fallback(o, indent)
        inner = indent + "  "
        return "{\n" + ",\n".join(f"{inner}{_enc(k)}: {dump(v, inner)}" for k, v in o.items()) + "\n" + indent + "}"
    if t is list or t is tuple:
        if not o:
            return "[]"
        inner = indent + "  "
        return "[\n" + ",\n".join(inner + dump(v, inner) for v in o) + "\n" + indent + "]"
    return _fallback(o, indent)


def _fallback(o: Any, indent: str) -> str:
    return json.dumps(o, ensure_ascii=False, indent=2).replace("\n", "\n" + indent)


#: the fields of Finding :func:`finding` was written for; another set (a field added) uses :func:`dump`
_FIELDS = ("clause", "citation", "subject", "period", "status", "explanation", "subject_kind", "stage",
           "category", "measured", "threshold", "evidence", "evidence_count", "exception", "missing",
           "severity", "rule_location", "channels", "as_if_in_force", "assumptions")
#: a finding's keys are indented 6 spaces in the report (the findings list is at depth 2)
_IN = "      "
_IN2 = _IN + "  "
_K = {k: f",\n{_IN}{_enc(k)}: " for k in _FIELDS}
_STATUS = {s: _enc(s.value) for s in Status}


def _v(x: Any) -> str:
    """A scalar field: str through the C string encoder, None as null, anything else through :func:`dump`."""
    return _enc(x) if type(x) is str else ("null" if x is None else dump(x, _IN))


def _items(xs: Any) -> str:
    """``dump(list(xs), _IN)``; a list of str (evidence ids, missing fields) without the generic walk."""
    if not xs:
        return "[]"
    for x in xs:
        if type(x) is not str:
            return dump(list(xs), _IN)
    return "[\n" + _IN2 + (",\n" + _IN2).join(map(_enc, xs)) + "\n" + _IN + "]"


class _Encoded(dict):
    """:func:`_v` of the values of fields that repeat across findings (a clause's id, citation,
    severity and rule location; stages, categories, thresholds), remembered per value: a dict
    lookup instead of a call. Bounded: emptied at :data:`_ENCODED_MAX` values."""

    def __missing__(self, value: Any) -> str:
        if len(self) >= _ENCODED_MAX:
            self.clear()
        text = self[value] = _v(value)
        return text


_ENCODED_MAX = 4096
_encoded = _Encoded()


def finding(f: Finding) -> str:
    """``dump(f.to_dict(), "    ")`` without building the dict: the keys are constants, the common
    values (str, None) go straight to the C string encoder, anything else through :func:`dump`.
    Written after ``Finding.to_dict``; :func:`_finding_encoder` checks it still agrees."""
    v, enc, r = _v, _enc, _encoded
    ev, ch, expl, count, period = f.evidence, f.channels, f.explanation, f.evidence_count, f.period
    e_id, e_en = expl.texts()  # made for this write, not kept by the finding
    if count is None:
        count = len(ev)
    subject = f.subject
    text = (
        f'{{\n      "clause": {r[f.clause]},\n      "citation": {r[f.citation]}'
        f',\n      "subject": {enc(subject) if type(subject) is str else v(subject)}'
        f',\n      "subject_kind": {r[f.subject_kind]}'
        f',\n      "period": {int.__repr__(period) if type(period) is int else v(period)}'
        f',\n      "stage": {r[f.stage]},\n      "category": {r[f.category]},\n      "status": {_STATUS[f.status]}'
        f',\n      "measured": {v(f.measured)},\n      "threshold": {r[f.threshold]}'
        f',\n      "evidence": {_items(ev)}'
        f',\n      "evidence_count": {int.__repr__(count) if type(count) is int else dump(count, _IN)}'
        f',\n      "exception": {r[f.exception]},\n      "missing": {_items(f.missing)}'
        f',\n      "severity": {r[f.severity]}'
        f',\n      "explanation": {{\n        "id": {enc(e_id) if type(e_id) is str else dump(e_id, _IN2)}'
        f',\n        "en": {enc(e_en) if type(e_en) is str else dump(e_en, _IN2)}\n      }}'
        f',\n      "rule_location": {r[f.rule_location]}'
        f',\n      "channels": {"null" if ch is None else _items(ch)}'
    )
    if f.as_if_in_force:
        text += _K["as_if_in_force"] + "true"
    if f.assumptions:
        text += _K["assumptions"] + dump(list(f.assumptions), _IN)
    return text + "\n    }"


def _generic(f: Finding) -> str:
    return dump(f.to_dict(), "    ")


def _finding_encoder(sample: Finding):
    """:func:`finding` when it gives the bytes of the generic way for ``sample`` and Finding has the
    fields it knows; else the generic way (``Finding.to_dict`` changed and :func:`finding` did not)."""
    from dataclasses import fields

    if tuple(fl.name for fl in fields(Finding)) != _FIELDS or finding(sample) != _generic(sample):
        return _generic
    return finding


def iter_json(report: Report, include: Iterable[Status] | None = None, spill_dir: str | None = None,
              raw: bool = False) -> Iterator[str | bytes]:
    """``report.to_json(include)`` in pieces of :data:`BATCH` findings (``spill_dir``, ``raw``:
    :func:`.parallel.pieces`)."""
    keep = None if include is None else {Status(s) for s in include}
    listed = [f for f in report.findings if keep is None or f.status in keep]
    if not listed:
        yield report.to_json(include)
        return
    marker = "findings-c0ffee-" + str(id(listed))
    tail = []

    def head() -> str:  # made while helper processes already encode the findings (parallel.pieces)
        skeleton = report.to_dict(include=[])
        skeleton["findings"] = marker
        skeleton["names"] = report._listed_names(listed)
        text = json.dumps(skeleton, ensure_ascii=False, indent=2, sort_keys=False)
        before, after = text.split(f'"{marker}"')
        tail.append(after)
        return before + "[\n    "

    encode = _finding_encoder(listed[0])

    def part(findings: list[Finding], first: bool) -> Iterator[str]:
        it = iter(findings)
        while batch := list(islice(it, BATCH)):
            chunk = ",\n    ".join(map(encode, batch))
            yield chunk if first else ",\n    " + chunk
            first = False

    yield from parallel.pieces(listed, part, BATCH, spill_dir, head=head, raw=raw)
    yield "\n  ]" + tail[0] + "\n"


def iter_csv(report: Report, spill_dir: str | None = None, raw: bool = False) -> Iterator[str | bytes]:
    """:func:`perbup_rules.report.csv_report.render` in pieces of :data:`BATCH` rows (``spill_dir``,
    ``raw``: :func:`.parallel.pieces`)."""
    from . import csv_report

    def part(findings: list[Finding], first: bool) -> Iterator[str]:
        head = csv_report.lines([csv_report.COLUMNS]) if first else ""
        it = iter(findings)
        while batch := list(islice(it, BATCH)):
            yield head + csv_report.lines(csv_report.rows(report, batch))
            head = ""
        if head:
            yield head

    yield from parallel.pieces(sorted(report.findings, key=Finding.sort_key), part, BATCH, spill_dir, raw=raw)


def pieces(report: Report, fmt: str, *, all_findings: bool = False, spill_dir: str | None = None,
           raw: bool = False) -> Iterator[str | bytes]:
    """The report as ``fmt`` in pieces whose concatenation is ``render(report, fmt)``
    (``spill_dir``: where the processes that help encode a long JSON or CSV report put their
    parts, :func:`.parallel.pieces`; the CLI gives the report's own folder). ``raw``: the
    helpers' text is given as the UTF-8 bytes they wrote (for a binary file: not decoded to be
    encoded again), the rest as str; else every piece is str."""
    if fmt == "json":
        return iter_json(report, spill_dir=spill_dir, raw=raw)
    if fmt == "csv":
        return iter_csv(report, spill_dir=spill_dir, raw=raw)
    from . import render

    return iter([render(report, fmt, all_findings=all_findings)])


def write(report: Report, fmt: str, fh: IO[str], *, all_findings: bool = False) -> None:
    """Write the report as ``fmt`` to an open text file (UTF-8, ``newline=""``)."""
    name = getattr(fh, "name", None)  # a file's folder; None for a stream ("<stdout>", a buffer)
    folder = os.path.dirname(os.path.abspath(name)) if isinstance(name, str) and os.path.isfile(name) else None
    for piece in pieces(report, fmt, all_findings=all_findings, spill_dir=folder):
        fh.write(piece)
