"""Render a :class:`~perbup_rules.compare.Comparison` as text, JSON, Markdown or HTML."""

from __future__ import annotations

import html as _html
import json

from ..compare import Comparison
from ..errors import UsageError
from ..i18n import t

FORMATS = ("text", "json", "md", "html")


def _rule_lines(cmp: Comparison) -> list[str]:
    r = cmp.rules
    lines = []
    for cid in r.added:
        lines.append(t("cmp.clause_added", clause=cid))
    for cid in r.removed:
        lines.append(t("cmp.clause_removed", clause=cid))
    for cid, keys in sorted(r.changed.items()):
        lines.append(t("cmp.clause_changed", clause=cid, keys=", ".join(keys)))
    for p in r.params:
        lines.append(t("cmp.param", param=p["param"], start=p["from"], old=p["old"] if p["old"] is not None else "-",
                       new=p["new"] if p["new"] is not None else "-"))
    return lines or [t("cmp.no_rule_change")]


def _change_line(cmp: Comparison, c) -> str:
    who = c.subject or "?"
    name = cmp.names.get(c.subject or "")
    where = " ".join(str(x) for x in (c.period, c.stage, c.category) if x is not None)
    measured = t("cmp.measured", old=c.old_measured or "-", new=c.new_measured or "-", told=c.threshold_old or "-",
                 tnew=c.threshold_new or "-") if (c.old_measured or c.new_measured) else ""
    absent = t("cmp.absent")
    return f"{c.clause}  {who}{f' ({name})' if name else ''}  {where}: {c.old or absent} -> {c.new or absent}{measured}"


def render(cmp: Comparison, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(cmp.to_dict(), ensure_ascii=False, indent=2, default=str) + "\n"
    counts = cmp.counts()
    if fmt == "text":
        out = [f"A: {cmp.a['id']} {cmp.a['version']} {cmp.a['fingerprint']}",
               f"B: {cmp.b['id']} {cmp.b['version']} {cmp.b['fingerprint']}", "", t("cmp.rules")]
        out += ["  " + line for line in _rule_lines(cmp)]
        out += ["", t("cmp.verdicts", changed=len(cmp.changes), unchanged=cmp.unchanged)]
        for clause, moves in counts.items():
            out.append(f"  {clause}: " + "; ".join(f"{n} {m}" for m, n in moves.items()))
        if cmp.changes:
            out += ["", t("cmp.changes")] + ["  " + _change_line(cmp, c) for c in cmp.changes]
        return "\n".join(out) + "\n"
    if fmt == "md":
        out = ["# Perbandingan rancangan / Comparison of drafts", "",
               f"- A: `{cmp.a['id']}` {cmp.a['version']} `{cmp.a['fingerprint']}`",
               f"- B: `{cmp.b['id']}` {cmp.b['version']} `{cmp.b['fingerprint']}`", "",
               "## Perubahan aturan / Rule changes", ""]
        out += [f"- {line}" for line in _rule_lines(cmp)]
        out += ["", f"## Perubahan status / Status changes ({len(cmp.changes)} changed, {cmp.unchanged} unchanged)", ""]
        if counts:
            out += ["| clause | moves |", "|---|---|"]
            out += [f"| {k} | " + "; ".join(f"{n} {m}" for m, n in v.items()) + " |" for k, v in counts.items()]
            out += ["", "| clause | subject | period | stage/category | A | B | measured A → B |", "|---|---|---|---|---|---|---|"]
            for c in cmp.changes:
                name = cmp.names.get(c.subject or "", "")
                out.append(f"| {c.clause} | {c.subject or '?'} {name} | {c.period or ''} | {c.stage or c.category or ''} | "
                           f"{c.old or 'absent'} | {c.new or 'absent'} | {c.old_measured or '-'} → {c.new_measured or '-'} |")
        return "\n".join(out) + "\n"
    if fmt == "html":
        e = _html.escape
        rows = "".join(
            f"<tr><td>{e(c.clause)}</td><td>{e(c.subject or '?')}<br><small>{e(cmp.names.get(c.subject or '', ''))}</small></td>"
            f"<td>{e(str(c.period or ''))}</td><td>{e(c.stage or c.category or '')}</td><td class='{e(c.old or '')}'>{e(c.old or 'absent')}</td>"
            f"<td class='{e(c.new or '')}'>{e(c.new or 'absent')}</td><td>{e(c.old_measured or '-')} → {e(c.new_measured or '-')}</td></tr>"
            for c in cmp.changes)
        moves = "".join(f"<li><b>{e(k)}</b>: " + e("; ".join(f"{n} {m}" for m, n in v.items())) + "</li>" for k, v in counts.items())
        rules = "".join(f"<li>{e(line)}</li>" for line in _rule_lines(cmp))
        return f"""<!doctype html><html lang="id"><head><meta charset="utf-8"><title>Perbandingan rancangan / Comparison of drafts</title>
<style>body{{font-family:system-ui,sans-serif;margin:2em;max-width:1100px}}table{{border-collapse:collapse;width:100%}}
td,th{{border:1px solid #ccc;padding:4px 6px;text-align:left;vertical-align:top}}.violation{{color:#a40000}}.compliant{{color:#1a6b1a}}
.cannot_determine{{color:#8a5a00}}small{{color:#666}}</style></head><body>
<h1>Perbandingan rancangan <small>/ Comparison of drafts</small></h1>
<p>A: <code>{e(cmp.a['id'])} {e(cmp.a['version'])} {e(cmp.a['fingerprint'])}</code><br>B: <code>{e(cmp.b['id'])} {e(cmp.b['version'])} {e(cmp.b['fingerprint'])}</code></p>
<h2>Perubahan aturan <small>/ Rule changes</small></h2><ul>{rules}</ul>
<h2>Perubahan status <small>/ Status changes</small>: {len(cmp.changes)} changed, {cmp.unchanged} unchanged</h2><ul>{moves}</ul>
<table><thead><tr><th>clause</th><th>subject</th><th>period</th><th>stage / category</th><th>A</th><th>B</th><th>measured A → B</th></tr></thead><tbody>{rows}</tbody></table>
</body></html>
"""
    raise UsageError(f"unknown format {fmt!r}; expected one of: {', '.join(FORMATS)}")
