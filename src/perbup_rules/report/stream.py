"""Reports written to a file in batches: the same bytes as :func:`perbup_rules.report.render`, at scale.

``json.dumps(..., indent=2)`` runs Python's pure-Python encoder (the C one serves only
compact output), about 80 µs per finding; a report with a million listed findings spent
most of its writing time there and held the whole text in memory. Here:

* JSON: the report's skeleton (every key but ``findings``) is dumped as before; the findings
  are encoded by :func:`dump`, an indent-2 encoder for the plain data ``Finding.to_dict()``
  gives (str through the C string encoder, int, None, bool, lists, dicts; anything else
  through :func:`json.dumps`), joined and written in batches of :data:`BATCH`. New keys in
  ``Finding.to_dict()`` or new report sections need no change here.
* CSV: rows written with ``csv.writer.writerows`` a batch at a time, straight to the file.
* Markdown, HTML and text: list at most 500 rows per section (``--all`` lifts it) and are
  rendered whole, as before.

The result is byte-identical to ``Report.to_json()`` and ``render(report, fmt)``
(tests/test_report_stream.py compares them on the example and on generated data).
"""

from __future__ import annotations

import csv
import json
from itertools import islice
from typing import IO, Any, Iterable, Iterator

from ..findings import Finding, Report, Status

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


def iter_json(report: Report, include: Iterable[Status] | None = None) -> Iterator[str]:
    """``report.to_json(include)`` in pieces of :data:`BATCH` findings."""
    keep = None if include is None else {Status(s) for s in include}
    listed = [f for f in report.findings if keep is None or f.status in keep]
    if not listed:
        yield report.to_json(include)
        return
    marker = "findings-c0ffee-" + str(id(listed))
    skeleton = report.to_dict(include=[])
    skeleton["findings"] = marker
    skeleton["names"] = report._listed_names(listed)
    text = json.dumps(skeleton, ensure_ascii=False, indent=2, sort_keys=False)
    head, tail = text.split(f'"{marker}"')
    yield head + "[\n    "
    it = iter(listed)
    first = True
    while True:
        batch = list(islice(it, BATCH))
        if not batch:
            break
        chunk = ",\n    ".join(dump(f.to_dict(), "    ") for f in batch)
        yield chunk if first else ",\n    " + chunk
        first = False
    yield "\n  ]" + tail + "\n"


def iter_csv(report: Report) -> Iterator[str]:
    """:func:`perbup_rules.report.csv_report.render` in pieces of :data:`BATCH` rows."""
    from . import csv_report

    class _Buf:
        def __init__(self) -> None:
            self.parts: list[str] = []

        def write(self, s: str) -> None:
            self.parts.append(s)

    buf = _Buf()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(csv_report.COLUMNS)
    it = iter(sorted(report.findings, key=Finding.sort_key))
    while True:
        batch = list(islice(it, BATCH))
        if not batch:
            break
        writer.writerows(csv_report.row(report, f) for f in batch)
        yield "".join(buf.parts)
        buf.parts.clear()
    if buf.parts:
        yield "".join(buf.parts)


def pieces(report: Report, fmt: str, *, all_findings: bool = False) -> Iterator[str]:
    """The report as ``fmt`` in pieces whose concatenation is ``render(report, fmt)``."""
    if fmt == "json":
        return iter_json(report)
    if fmt == "csv":
        return iter_csv(report)
    from . import render

    return iter([render(report, fmt, all_findings=all_findings)])


def write(report: Report, fmt: str, fh: IO[str], *, all_findings: bool = False) -> None:
    """Write the report as ``fmt`` to an open text file (UTF-8, ``newline=""``)."""
    for piece in pieces(report, fmt, all_findings=all_findings):
        fh.write(piece)
