"""Business names normalised for matching: "PT. Maju Jaya", "MAJU JAYA, PT" and "Pt Maju Jaya" are one name.

The legal-form words (PT, CV, UD, Koperasi, Kop., Firma, ...) are moved out of the name and
returned beside it, punctuation and case are folded, and the usual abbreviations are
expanded ("Kop" -> koperasi, "Bgn" -> bangunan, "Sej" -> sejahtera). What remains is
compared as a whole: "Maju Jaya Abadi" is not "Maju Jaya" at the exact step, and at the
fuzzy step its score is far under the threshold (docs/registries.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NON_WORD = re.compile(r"[^0-9a-z]+")
# P.T. / C.V. written with dots between the letters are one word after folding dots away first
_DOTTED = re.compile(r"\b([a-z])\.\s?([a-z])\.?(?=\s|,|$)")

#: legal-form words (folded) -> canonical legal form (records.LEGAL_FORMS)
LEGAL_FORM_WORDS: dict[str, str] = {
    "pt": "pt", "perseroan terbatas": "pt", "persero": "pt", "tbk": "pt",
    "cv": "cv", "persekutuan komanditer": "cv",
    "ud": "ud", "usaha dagang": "ud",
    "fa": "firma", "firma": "firma",
    "koperasi": "koperasi", "kop": "koperasi", "kpri": "koperasi", "ksu": "koperasi", "ksp": "koperasi",
    "kud": "koperasi", "kopwan": "koperasi",
}

#: abbreviation -> word, applied to every word after folding (documented in docs/registries.md)
ABBREVIATIONS: dict[str, str] = {
    "kop": "koperasi", "bgn": "bangunan", "sej": "sejahtera", "sejht": "sejahtera", "mdr": "mandiri",
    "mandri": "mandiri", "prs": "perkasa", "kontr": "kontraktor", "kons": "konstruksi", "tek": "teknik",
    "tehnik": "teknik", "techn": "teknik", "ind": "indonesia", "indo": "indonesia", "nus": "nusantara",
    "utm": "utama", "brs": "bersaudara", "bros": "bersaudara", "gen": "general", "gn": "gunung",
    "tbk": "", "dan": "", "and": "", "n": "",
}


@dataclass(frozen=True, slots=True)
class NormalName:
    """A business name reduced for matching: the words that identify it, and its legal form."""

    key: str
    legal_form: str | None

    def __bool__(self) -> bool:
        return bool(self.key)


def normalise(name: str | None) -> NormalName:
    """The matching key of a business name ('' when nothing is left, e.g. '[perorangan]')."""
    if not name or (name.strip().startswith("[") and name.strip().endswith("]")):
        return NormalName("", None)  # nothing, or a redaction placeholder such as "[perorangan]"
    text = name.casefold()
    text = _DOTTED.sub(lambda m: m.group(1) + m.group(2) + " ", text)
    words = _NON_WORD.sub(" ", text).split()
    form = None
    # two-word legal forms first ("usaha dagang"), then single words, at either end
    kept: list[str] = []
    i = 0
    while i < len(words):
        two = " ".join(words[i:i + 2])
        if two in LEGAL_FORM_WORDS and (i == 0 or i + 2 >= len(words)):
            form = form or LEGAL_FORM_WORDS[two]
            i += 2
            continue
        w = words[i]
        if w in LEGAL_FORM_WORDS and (i == 0 or i == len(words) - 1):
            form = form or LEGAL_FORM_WORDS[w]
            i += 1
            continue
        kept.append(w)
        i += 1
    out = [ABBREVIATIONS.get(w, w) for w in kept]
    return NormalName(" ".join(w for w in out if w), form)


def forms_agree(a: str | None, b: str | None) -> bool:
    """Two legal forms can be the same business: equal, or one of them not written."""
    return a is None or b is None or a == b
