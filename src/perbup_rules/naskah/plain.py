"""What the machine checks, in plain Indonesian sentences (for the annotated view of the naskah).

Expression trees become phrases ("jenis pembeli adalah Perangkat Daerah", "nilai paling
banyak Rp15.000.000.000,00 (lima belas miliar rupiah)") from a small vocabulary of the
canonical fields and codes; a name the vocabulary lacks is shown with its underscores as
spaces, so a new field still reads, if less well.
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal
from typing import Any

from ..expr import decode_const
from .numbers import format_value, values_from

WORDS = {
    "buyer": "pembeli", "supplier": "penyedia", "partner": "mitra", "party": "pelaku usaha", "purchase": "paket",
    "candidate": "calon mitra", "subject": "subjek", "period": "periode",
    "kind": "jenis", "legal_form": "bentuk badan usaha", "scale": "skala yang dinyatakan",
    "scale_computed": "skala menurut modal atau penjualan", "scale_effective": "skala usaha yang berlaku",
    "umkk": "tergolong UMKK", "local": "tergolong lokal Kutai Timur", "capital_idr": "modal usaha",
    "annual_sales_idr": "hasil penjualan tahunan", "kecamatan": "kecamatan", "kabupaten": "kabupaten", "desa": "desa",
    "supplies": "barang/jasa yang dipasok", "stage": "tahap", "category": "kategori",
    "procurement_type": "jenis pengadaan", "value_idr": "nilai paket", "pagu_idr": "pagu anggaran",
    "umk_value_idr": "nilai bagian UMK", "reserved_for_umkk": "dicadangkan untuk UMKK",
    "exemption_reason": "alasan pengecualian", "exemption_code": "kode pengecualian", "buyer_id": "pembeli",
    "ppk_id": "Pejabat Pembuat Komitmen", "supplier_id": "penyedia", "pattern": "pola kemitraan",
    "categories": "kategori kemitraan", "written": "tertulis", "reported_to_dinas": "dilaporkan kepada Dinas",
    "reported_date": "tanggal pelaporan kepada Dinas", "pattern_text": "uraian pola kemitraan",
    "start_date": "tanggal mulai", "end_date": "tanggal berakhir", "purchase_id": "paket terkait",
    "party_id": "pelaku usaha", "channel": "cara pengadaan", "licensed": "memiliki izin", "end": "akhir", "start": "awal",
    "method": "metode", "date": "tanggal", "fiscal_year": "tahun anggaran", "pdn": "produk dalam negeri",
}
CODES = {
    "perangkat_daerah": "Perangkat Daerah", "desa": "Pemerintah Desa", "hotel": "hotel", "restaurant": "restoran",
    "company": "perusahaan", "koperasi": "koperasi", "umkm": "UMKM", "plan": "perencanaan", "award": "pemilihan",
    "contract": "kontrak", "barang": "barang", "pekerjaan_konstruksi": "pekerjaan konstruksi",
    "jasa_lainnya": "jasa lainnya", "jasa_konsultansi": "jasa konsultansi", "mikro": "mikro", "kecil": "kecil",
    "menengah": "menengah", "besar": "besar",
}
CMP = {"==": "adalah", "!=": "bukan", "<=": "paling banyak", "<": "kurang dari", ">": "lebih dari", ">=": "paling sedikit"}


def _name(path: list[str]) -> str:
    words = [WORDS.get(p, p.replace("_", " ")) for p in path]
    if len(words) == 2 and path[-1] in ("umkk", "local", "written", "licensed", "reserved_for_umkk"):
        return f"{words[0]} {words[1]}"
    return " ".join(reversed(words)) if len(words) > 1 else words[0]


def _const(v: Any) -> str:
    if isinstance(v, bool):
        return "ya" if v else "tidak"
    if v is None:
        return "kosong"
    if isinstance(v, str):
        return CODES.get(v, v.replace("_", " "))
    if isinstance(v, _dt.date):
        from .numbers import format_date
        return format_date(v)
    if isinstance(v, Decimal):
        return format(v, "f").replace(".", ",")
    return str(v)


class Verbaliser:
    """Turns expression trees into Indonesian, with parameters written as their values in force."""

    def __init__(self, params: dict[str, dict]):
        self.params = params

    def operand(self, node: dict) -> str:
        op = node["op"]
        if op == "path":
            return _name(node["path"])
        if op == "param":
            p = self.params.get(node["name"])
            if p is None:
                return node["name"]
            vals = values_from(p, None)
            if not vals:
                return node["name"]
            return format_value(p["unit"], vals[-1]) + (" (nilai terakhir; lihat nilai menurut tanggal di bawah)"
                                                         if len(vals) > 1 else "")
        if op == "list":
            items = [self.operand(i) for i in node["items"]]
            return ", ".join(items[:-1]) + " atau " + items[-1] if len(items) > 1 else "".join(items)
        if op == "const":
            return _const(decode_const(node["value"]))
        return self.text(node)

    def text(self, node: dict) -> str:
        op = node["op"]
        if op in ("and", "or"):
            word = " dan " if op == "and" else " atau "
            return "(" + word.join(self.text(a) for a in node["args"]) + ")"
        if op == "not":
            return "tidak benar bahwa " + self.text(node["arg"])
        if op == "known":
            return f"{_name(node['path'])} diketahui"
        if op == "assume":
            return f"asumsi {node['id']} dipakai"
        if op == "in_force":
            return "ketentuan berlaku pada tanggal catatan"
        if op == "cmp":
            right = node["right"]
            if right["op"] == "const" and isinstance(decode_const(right["value"]), bool):
                val = decode_const(right["value"]) == (node["cmp"] == "==")
                return self.operand(node["left"]) if val else "tidak " + self.operand(node["left"])
            return f"{self.operand(node['left'])} {CMP[node['cmp']]} {self.operand(right)}"
        if op == "in":
            left, right = self.operand(node["left"]), self.operand(node["right"])
            if node["right"]["op"] == "list":
                return f"{left} {'bukan' if node['negate'] else ''} salah satu dari {right}".replace("  ", " ")
            return f"{left} {'tidak ' if node['negate'] else ''}termasuk dalam {right}"
        if op == "path":
            return _name(node["path"])
        if op == "const":
            return _const(decode_const(node["value"]))
        return self.operand(node)

    def logic(self, L: dict, atoms: list) -> str:
        if "atom" in L:
            return self.text(atoms[L["atom"]])
        if "const" in L:
            return "selalu" if L["const"] else "tidak pernah"
        if "not" in L:
            return "tidak benar bahwa " + self.logic(L["not"], atoms)
        key = "and" if "and" in L else "or"
        parts = [self.logic(x, atoms) for x in L[key]]
        parts = [p for p in parts if p != "ketentuan berlaku pada tanggal catatan"] or parts
        if len(parts) == 1:
            return parts[0]
        return "(" + (" dan " if key == "and" else " atau ").join(parts) + ")"


OVER = {"purchases": "setiap paket pengadaan", "parties": "setiap pelaku usaha", "partnerships": "setiap perjanjian kemitraan"}


def _strip(s: str) -> str:
    return s[1:-1] if s.startswith("(") and s.endswith(")") and s.count("(") == 1 else s


def describe(clause: dict, params: dict[str, dict]) -> list[str]:
    """Sentences saying what the machine checks for ``clause``."""
    v = Verbaliser(params)
    k, lg = clause["kind"], clause.get("logic", {})
    out: list[str] = []
    if k == "classify":
        dec = clause["decisions"]["case"]
        guards = [g for g in dec["guards"] if g["label"].startswith("case:")]
        attr = WORDS.get(clause["attribute"], clause["attribute"].replace("_", " "))
        for g, case in zip(guards, clause["cases"]):
            out.append(f"Pelaku usaha: {attr} = {_case(case, v)} jika {_strip(v.logic(g['when'][0]['logic'], dec['atoms']))}.")
        d = clause["default"]
        out.append(f"Selain itu: {attr} = " + ("tidak diketahui (ketentuan yang memerlukannya menghasilkan "
                                              "'tidak dapat ditentukan')" if d["value"] is None and not d["value_from"]
                                              else _case(d, v)) + ".")
        return out
    atoms_of = clause["decisions"]["member" if k in ("share", "window") else "verdict"]["atoms"] if k != "exists" else None
    if k in ("each", "share", "window") and "applies" in lg and lg["applies"] != {"const": True} \
            and v.logic(lg["applies"], atoms_of) != "selalu":
        out.append(f"Berlaku untuk {OVER.get(clause.get('over'), 'setiap catatan')} jika {_strip(v.logic(lg['applies'], atoms_of))}.")
    if k == "each":
        out.append(f"Wajib: {_strip(v.logic(lg['require'], atoms_of))}.")
        for u, ul in zip(clause.get("unless", []), lg.get("unless", [])):
            out.append(f"Kecuali {u['title']['id']} ({_strip(v.logic(ul, atoms_of))}).")
    if k == "share":
        subj = v.operand(clause["subject"])
        out.append(f"Untuk setiap {subj}, per tahun anggaran" + (" dan per tahap" if clause.get("per_stage") else "")
                   + f": bagian yang memenuhi dibagi {v.operand(clause['total'])} paling sedikit {v.operand(clause['at_least'])}.")
        atoms = clause["decisions"]["member"]["atoms"]
        for case, L in zip(clause["part"], lg.get("part", [])):
            out.append(f"Bagian yang memenuhi: {_case(case, v)} jika {_strip(v.logic(L, atoms))}.")
    if k == "window":
        out.append(f"Untuk setiap {v.operand(clause['subject'])} dan {v.operand(clause['group_by'])}, per tahun anggaran"
                   + (" dan per tahap" if clause.get("per_stage") else "")
                   + f": paket dalam {clause['days']} hari (kedua ujung dihitung), masing-masing paling banyak batasnya, "
                   f"tidak boleh bersama-sama berjumlah {v.operand(clause['total'])} melebihi batas terbesar di antaranya "
                   "(peringatan: indikasi pemecahan paket).")
        l_atoms = clause["decisions"]["limit"]["atoms"]
        for case, L in zip(clause["limit"], lg.get("limit", [])):
            when = "selain itu" if L == {"const": True} else "jika " + _strip(v.logic(L, l_atoms))
            out.append(f"Batas: {_case(case, v)} {when}.")
    if k == "exists":
        m_atoms = clause["decisions"]["match"]["atoms"]
        if "applies" in lg:
            out.append(f"Berlaku untuk {OVER.get(clause.get('over'), 'setiap catatan')} jika "
                       f"{_strip(v.logic(lg['applies'], clause['decisions']['verdict']['atoms']))}.")
        cats = ", ".join(clause.get("categories") or [])
        out.append(f"Wajib memiliki paling sedikit {clause['min_count']} perjanjian kemitraan"
                   + (f" untuk setiap kategori: {cats}" if cats else "")
                   + f" yang memenuhi: {_strip(v.logic(lg['match'], m_atoms))}.")
        r = clause.get("remedy")
        if r:
            out.append("Jika tidak ada: laporan menyebut kemitraan yang diperlukan"
                       + (f" (pola {', '.join(p.replace('_', ' ') for p in r['pattern'])})" if r.get("pattern") else "")
                       + (" dan calon mitranya" if r.get("candidates") else "") + ".")
    return out


def _case(case: dict, v: Verbaliser) -> str:
    if case.get("value_from"):
        vf = case["value_from"]
        return v.operand(vf) if isinstance(vf, dict) and "op" in vf else str(vf).replace("_", " ")
    return _const(case.get("value"))
