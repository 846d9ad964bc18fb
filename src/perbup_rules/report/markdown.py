"""The Markdown memo: header, summary per clause and status, findings per clause, partnerships, rejections."""

from __future__ import annotations

import re

from ..findings import SCHEMA_VERSION, STATUS_ORDER, Finding, Report, Status
from ._format import DASH, KIND_LABELS, SEVERITY_LABELS, figures, grouped, short_list, stage_label, status_label
from ._view import (COVERAGE_CAP, ClauseView, cap, channels_text, clause_views, coverage_line, coverage_rows, coverage_value,
                    input_rows, link_percent, link_rates, name_of, not_evaluated_text, rejected_line, sorted_rejected,
                    sorted_required)

#: rejected input rows listed before "and N more"
REJECTED_CAP = 50

_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")
_LINE_START = re.compile(r"^(\s*)([#>+\-=]|\d+[.)])")


def esc(value: object, line_start: bool = False) -> str:
    """Text safe inside a Markdown paragraph or table cell (no markup, no HTML, one line).

    ``line_start``: the text begins a line, so a leading ``#``, ``-`` or ``1.`` is escaped too.
    """
    text = _SPECIAL.sub(r"\\\1", " ".join(str(value if value is not None else "").split()))
    return _LINE_START.sub(r"\1\\\2", text) if line_start else text


def code(value: object) -> str:
    """An id as inline code (escaped text when it holds a backtick)."""
    text = " ".join(str(value).split())
    return f"`{text}`" if text and "`" not in text else esc(text)


def italic(value: object) -> str:
    """Escaped text in italics (empty text stays empty)."""
    text = esc(value)
    return f"*{text}*" if text else ""


def _table(head: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return lines


def _status_head(s: Status) -> str:
    t = status_label(s)
    return f"{t.id} / {t.en}"


def _header(report: Report) -> list[str]:
    reg = report.regulation
    title = reg.get("title") or {}
    lines = [f"# Laporan kepatuhan: {esc(title.get('id') or reg.get('id', ''))}", ""]
    if title.get("en"):
        lines += [f"*Compliance report: {esc(title['en'])}*", ""]
    status = reg.get("status", "")
    draft = " (draft: not a regulation in force)" if status == "rancangan" else ""
    rows = [
        ["Regulasi / regulation", f"{code(reg.get('id', ''))} versi / version {esc(reg.get('version', DASH))}"],
        ["Status", f"**{esc(status)}**{draft}"],
        ["Sidik jari / fingerprint", code(reg.get("fingerprint", DASH))],
        ["Mesin / engine", esc(report.engine)],
        # the audit date: yearly reports due after it are not yet due (perbup_rules.duties)
        ["Tanggal audit / as of", esc(report.as_of or DASH)],
        ["Skema laporan / report schema", esc(SCHEMA_VERSION)],
    ]
    return lines + _table(["Butir / item", "Nilai / value"], rows) + [""]


def _inputs(report: Report) -> list[str]:
    lines = ["## Masukan / Inputs", ""]
    if report.sources:
        ordered = sorted(report.sources, key=lambda s: (s.get("path", ""), s.get("kind", "")))
        if any("read" in s for s in ordered):  # importers that count per file: each file reconciles on its own
            rows = [[code(s.get("path", "")), esc(s.get("kind", "")),
                     *(grouped(s[k]) if k in s else DASH for k in ("read", "accepted", "rejected")),
                     code(s.get("sha256", ""))] for s in ordered]
            head = ["Berkas / file", "Jenis / kind", "Dibaca / read", "Diterima / accepted", "Ditolak / rejected", "sha256"]
        else:
            rows = [[code(s.get("path", "")), esc(s.get("kind", "")), code(s.get("sha256", ""))] for s in ordered]
            head = ["Berkas / file", "Jenis / kind", "sha256"]
        lines += _table(head, rows) + [""]
    rows = []
    for r in input_rows(report):
        ok = "ya / yes" if r.reconciles else "**tidak / no**"
        rows.append([esc(r.table), *(DASH if v is None else grouped(v) for v in (r.read, r.accepted, r.rejected)),
                     grouped(r.listed), ok])
    if rows:
        head = ["Tabel / table", "Dibaca / read", "Diterima / accepted", "Ditolak / rejected",
                "Baris ditolak tercantum / rejected rows listed", "Cocok / reconciles"]
        lines += _table(head, rows) + ["", "*Cocok: dibaca = diterima + ditolak, dan setiap baris ditolak tercantum. "
                                           "Reconciles: read = accepted + rejected, and every rejected row is listed.*", ""]
    rates = link_rates(report)
    if rates:
        rows = [[esc(r["source"]), esc(r["target"]), code(r["key"]), grouped(r["linked"]), grouped(r["total"]),
                 link_percent(r), grouped(len(r["unlinked"]))] for r in rates]
        head = ["Sumber / source", "Sasaran / target", "Kunci / key", "Tertaut / linked", "Jumlah / total",
                "Laju / rate", "Tak tertaut / unlinked"]
        lines += ["### Tautan antarsumber / Links between sources", ""] + _table(head, rows) + [
            "", "*Baris yang tak tertaut tercantum di JSON (berkas, baris). "
                "The unlinked rows are listed in the JSON (file, row).*", ""]
    return lines + _registries(report) + _assumptions(report)


def _assumptions(report: Report) -> list[str]:
    """The named assumptions (perbup_rules.assumptions): on or off, the clauses, the records touched."""
    if not report.assumptions:
        return []
    rows = [[code(a["id"]), "ya / on" if a["on"] else "**tidak / off**", f"{esc(a['text']['id'])} / {esc(a['text']['en'])}",
             ", ".join(code(c) for c in a["clauses"]) or DASH, grouped(a["records"])] for a in report.assumptions]
    head = ["Asumsi / assumption", "Dipakai / on", "Bunyi / statement", "Ketentuan / clauses", "Catatan / records"]
    return (["### Asumsi bernama / Named assumptions", ""] + _table(head, rows)
            + ["", "*Catatan: jumlah catatan yang putusannya bergantung pada asumsi (bila dimatikan dengan "
                   "`--no-assume`, yang kini tidak diketahui). Records: how many records' outcome rests on the "
                   "assumption (when turned off with `--no-assume`, those now unknown).*", ""])


def _registries(report: Report) -> list[str]:
    """The supplier registries joined to the parties (docs/registries.md), when there were any."""
    if not report.registries:
        return []
    keys = ("read", "rejected", "key", "exact_name", "fuzzy", "ambiguous", "unmatched", "fields_filled", "conflicts")
    rows = [[code(r["path"]), esc(r["layout"]), *(grouped(r[k]) for k in keys)] for r in report.registries]
    head = ["Register / registry", "Tata letak / layout", "Dibaca / read", "Ditolak / rejected", "Kunci / key",
            "Nama sama / exact name", "Nama mirip / fuzzy", "Ambigu / ambiguous", "Tak cocok / unmatched",
            "Isian ditambah / fields filled", "Konflik / conflicts"]
    return (["### Register penyedia / Supplier registries", ""] + _table(head, rows)
            + ["", "*Setiap baris register tercantum di `<laporan>.matches.csv`. "
                   "Every registry row is listed in `<report>.matches.csv`.*", ""])


def _coverage(report: Report, all_findings: bool) -> list[str]:
    cov = report.coverage
    if cov is None or not cov.rows:
        return []
    lines = ["## Cakupan saluran / Channel coverage", "",
             "*Pembelian yang diterima menurut saluran LKPP asalnya; putusan porsi hanya berbicara atas saluran "
             "yang ada. Accepted purchases by the LKPP channel they came from; share verdicts speak only for the "
             "channels present.*", ""]
    rows = [[code(c), grouped(n), coverage_value(n, v, m), grouped(m)] for c, (n, v, m) in cov.totals.items()]
    rows += [[code(c), "0", DASH, DASH] for c in cov.absent]
    lines += _table(["Saluran / channel", "Jumlah / count", "Nilai / value", "Tanpa nilai / no value"], rows) + [""]
    if cov.absent:
        lines += ["Tidak ada pembelian tercatat lewat / no purchase recorded as from: "
                  + ", ".join(code(c) for c in cov.absent), ""]
    items = coverage_rows(report)
    shown, more = cap(items, all_findings, COVERAGE_CAP)
    rows = [[who(report, r.buyer), DASH if r.period is None else str(r.period), esc(stage_label(r.stage)),
             code(r.channel), grouped(r.count), coverage_value(r.count, r.value_idr, r.value_missing),
             grouped(r.value_missing)] for r in shown]
    head = ["Pembeli / buyer", "Tahun / year", "Tahap / stage", "Saluran / channel", "Jumlah / count",
            "Nilai / value", "Tanpa nilai / no value"]
    lines += ["### Per pembeli dan tahun / Per buyer and year", ""] + _table(head, rows) + [""]
    if more:
        lines += [f"… {more} lainnya / {more} more (lihat / see JSON)", ""]
    return lines


def _summary(views: list[ClauseView], report: Report) -> list[str]:
    head = ["Pasal / clause", "Kutipan / citation", "Judul / title", *(_status_head(s) for s in STATUS_ORDER),
            "Kemitraan wajib / required partnerships"]
    rows = []
    for v in views:
        note = not_evaluated_text(report, v.id) if v.not_evaluated else None
        if note is not None:  # no record lets it apply: say so, and show no zeros
            rows.append([f"[{v.id}](#{v.id.lower()})", esc(v.citation),
                         f"{esc(v.title.id)}<br>{italic(v.title.en)}<br>**{esc(note.id)}**<br>{italic(note.en)}",
                         *(str(v.count(s)) if v.total else DASH for s in STATUS_ORDER), str(len(v.required))])
            continue
        rows.append([f"[{v.id}](#{v.id.lower()})", esc(v.citation), f"{esc(v.title.id)}<br>{italic(v.title.en)}",
                     *(str(v.count(s)) for s in STATUS_ORDER), str(len(v.required))])
    return ["## Ringkasan / Summary", ""] + _table(head, rows) + [""] + _account(report)


def _account(report: Report) -> list[str]:
    """The lines beside the verdicts that say what they do not cover, and what input was rejected."""
    lines = []
    for line in (coverage_line(report), rejected_line(report)):
        if line is not None:
            lines += [f"**{esc(line.id)}**  ", italic(line.en), ""]
    return lines


def who(report: Report, ident: str | None, bold: bool = False) -> str:
    """``Name (`id`)`` when the id has a name, else the id as code."""
    if not ident:
        return DASH
    name = name_of(report, ident)
    shown = f"**{esc(name)}**" if bold else esc(name)
    return f"{shown} ({code(ident)})" if name != ident else code(ident)


def _item(report: Report, v: ClauseView, f: Finding) -> list[str]:
    parts = [who(report, f.subject, bold=True)]
    if f.period is not None:
        parts.append(str(f.period))
    if f.stage:
        parts.append(esc(stage_label(f.stage)))
    if f.category:
        parts.append(f"kategori / category {code(f.category)}")
    m, t = figures(f.measured, f.threshold, v.unit)
    if f.measured is not None and f.threshold is not None:
        parts.append(f"terukur / measured {m} vs ambang / threshold {t}")
    elif f.measured is not None:
        parts.append(f"terukur / measured {m}")
    elif f.threshold is not None:
        parts.append(f"ambang / threshold {t}")
    if f.exception:
        parts.append(f"pengecualian / exception {code(f.exception)}")
    if f.missing:
        parts.append("data kurang / missing: " + ", ".join(code(m) for m in f.missing))
    if f.assumptions:
        parts.append("asumsi / assumptions: " + ", ".join(code(a) for a in f.assumptions))
    if f.evidence:
        parts.append("bukti / evidence: " + esc(short_list(list(f.evidence), total=f.evidence_count)))
    came = channels_text(f)
    if came is not None:
        parts.append("saluran / channels: " + esc(came))
    lines = ["- " + " · ".join(parts)]
    if f.explanation.id:
        lines.append(f"  {esc(f.explanation.id, line_start=True)}")
    if f.explanation.en:
        lines[-1] += "  "  # hard line break before the English text
        lines.append(f"  {italic(f.explanation.en)}")
    return lines


def _status_block(report: Report, v: ClauseView, s: Status, all_findings: bool) -> list[str]:
    items = v.findings.get(s, [])
    if not items:
        return []
    shown, more = cap(items, all_findings, total=v.count(s))  # the first listed, the rest counted
    lines = [f"### {v.id}: {_status_head(s)} ({v.count(s)})", ""]
    for f in shown:
        lines += _item(report, v, f)
    if more:
        lines.append(f"- … {more} lainnya / {more} more (lihat / see CSV/JSON)")
    return lines + [""]


def _clause(report: Report, v: ClauseView, all_findings: bool) -> list[str]:
    lines = [f'<a id="{v.id.lower()}"></a>', "", f"## {esc(v.id)}: {esc(v.title.id)}", ""]
    if v.title.en and v.title.en != v.title.id:
        lines += [italic(v.title.en), ""]
    meta = [esc(v.citation)]
    if v.kind:
        k = KIND_LABELS.get(v.kind)
        meta.append(f"{k.id} ({k.en})" if k else esc(v.kind))
    if v.severity:
        sev = SEVERITY_LABELS.get(v.severity)
        meta.append(f"{sev.id} ({sev.en})" if sev else esc(v.severity))
    if v.location:
        meta.append(code(v.location))
    lines += [" · ".join(meta), ""]
    if v.derived_from:
        lines += ["Dasar / derived from: " + "; ".join(esc(d) for d in v.derived_from), ""]
    if v.text:
        lines += [f"> {esc(v.text, line_start=True)}", ""]
    listed = STATUS_ORDER if all_findings else (Status.VIOLATION, Status.CANNOT_DETERMINE)
    for s in listed:
        lines += _status_block(report, v, s, all_findings)
    if not all_findings:
        counts = [f"{_status_head(s)}: {v.count(s)}" for s in (Status.COMPLIANT, Status.NOT_APPLICABLE)]
        lines += [" · ".join(counts), ""]
    return lines


def _required(report: Report) -> list[str]:
    req = sorted_required(report)
    lines = [f"## Kemitraan yang diwajibkan / Required partnerships ({len(req)})", ""]
    if not req:
        return lines + ["Tidak ada. / None.", ""]
    rows = []
    for r in req:
        cands = "<br>".join(f"{i}. {who(report, c)}" for i, c in enumerate(r.candidates, 1))
        more = r.count - len(r.candidates)
        if more > 0:
            cands += f"<br>… {grouped(more)} lainnya / {grouped(more)} more (JSON: `--max-candidates 0`)"
        rows.append([who(report, r.party), esc(r.clause),
                     DASH if r.period is None else str(r.period), code(r.category) if r.category else DASH,
                     code(r.purchase) if r.purchase else DASH, grouped(r.count),
                     cands or "tidak ada calon / no candidates"])
    head = ["Pihak / party", "Pasal / clause", "Periode / period", "Kategori / category", "Paket / purchase",
            "Jumlah calon / candidates", "Calon mitra (berperingkat) / candidates (ranked)"]
    return lines + _table(head, rows) + [""]


def _rejected(report: Report) -> list[str]:
    rej = sorted_rejected(report)
    lines = [f"## Baris masukan yang ditolak / Rejected input rows ({len(rej)})", ""]
    if not rej:
        return lines + ["Tidak ada. / None.", ""]
    rows = [[esc(r.get("table", "")), code(r.get("file", "")), esc(r.get("row", "")),
             code(r["column"]) if r.get("column") else DASH,
             code(r.get("code", "")), esc(r.get("reason", ""))] for r in rej[:REJECTED_CAP]]
    head = ["Tabel / table", "Berkas / file", "Baris / row", "Kolom / column", "Kode / code", "Alasan / reason"]
    lines += _table(head, rows) + [""]
    if len(rej) > REJECTED_CAP:
        more = len(rej) - REJECTED_CAP
        lines += [f"… {more} lainnya / {more} more (lihat / see JSON)", ""]
    return lines


def render(report: Report, *, all_findings: bool = False) -> str:
    """The memo as Markdown; ``all_findings`` also lists compliant and not_applicable and lifts the caps."""
    views = clause_views(report)
    lines = _header(report) + _inputs(report) + _summary(views, report) + _coverage(report, all_findings)
    for v in views:
        lines += _clause(report, v, all_findings)
    lines += _required(report) + _rejected(report)
    return "\n".join(lines).rstrip("\n") + "\n"
