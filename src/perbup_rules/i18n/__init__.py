"""Bahasa Indonesia first: the language of messages, and the one catalogue they come from.

Every text a user reads (CLI lines, diagnostics, explanations) is a message id in
:mod:`perbup_rules.i18n.catalogue` with an Indonesian and an English text and named
``{placeholders}``; code asks :func:`t` for it, never writes the words itself. So a
translator reviews one file, and a test can prove no message lacks its Indonesian.

The language is, in order: what :func:`set_lang` was given (``perbup --lang``), else the
locale of the environment (``LC_ALL``, ``LC_MESSAGES``, ``LANG``, as POSIX orders them:
``id``/``id_ID...`` gives ``id``, ``en...`` gives ``en``), else Indonesian: when unsure,
the drafter's language.
"""

from __future__ import annotations

import contextvars
import os
import string
from typing import Any, Mapping

from .catalogue import MESSAGES

LANGS = ("id", "en")
DEFAULT = "id"

_chosen: contextvars.ContextVar[str | None] = contextvars.ContextVar("perbup_lang", default=None)


def lang_from_env(environ: Mapping[str, str] | None = None) -> str:
    """The language the locale asks for: the first of LC_ALL, LC_MESSAGES, LANG that is set
    decides; ``id``/``in`` (the old ISO code) give ``id``, ``en`` gives ``en``, anything else
    (``C``, ``POSIX``, ``fr_FR``, unset) gives Indonesian."""
    env = os.environ if environ is None else environ
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = (env.get(var) or "").strip()
        if not value:
            continue
        code = value.split(".")[0].split("@")[0].replace("-", "_").split("_")[0].lower()
        if code in ("id", "in"):
            return "id"
        if code == "en":
            return "en"
        return DEFAULT
    return DEFAULT


def set_lang(lang: str | None) -> None:
    """Fix the language of this process (``None``: follow the locale again)."""
    if lang is not None and lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, not {lang!r}")
    _chosen.set(lang)


def get_lang() -> str:
    """The language messages are given in now."""
    return _chosen.get() or lang_from_env()


class _Params(dict):
    """Placeholders a message names but the caller did not give show as ``{name}``, never raise."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def t(msgid: str, lang: str | None = None, /, **params: Any) -> str:
    """The text of ``msgid`` in ``lang`` (default: :func:`get_lang`), placeholders filled.

    An unknown id is a programming error (KeyError): the catalogue test walks every id
    the code names, so it cannot reach a user.
    """
    entry = MESSAGES[msgid]
    text = entry[lang or get_lang()]
    # str.format_map fills the same {name} placeholders as string.Formatter().vformat, in C: a report's
    # explanations call this a few dozen times per finding
    return text.format_map(_Params(params)) if params else text


def count(n: int, noun: str, lang: str | None = None) -> str:
    """"3 errors" / "3 galat": the ``count.NOUN.one`` or ``count.NOUN.other`` message with ``n``."""
    return t(f"count.{noun}.{'one' if n == 1 else 'other'}", lang, n=n)


def both(msgid: str, /, **params: Any) -> tuple[str, str]:
    """(Indonesian, English) texts of ``msgid``: for the bilingual explanations of a report."""
    return t(msgid, "id", **params), t(msgid, "en", **params)


def pick(text: Any, lang: str | None = None) -> str:
    """The ``id`` or ``en`` side of a bilingual text (a findings.Text, a {"id", "en"} dict)."""
    lang = lang or get_lang()
    if isinstance(text, Mapping):
        return text.get(lang) or text.get("en") or text.get("id") or ""
    return getattr(text, lang)


class Msg(str):
    """A catalogue message with its parameters that is also its English text.

    Diagnostics and errors are made in many places and compared, sorted and stored as
    strings; a ``Msg`` goes everywhere a ``str`` did (its value is the English text, so
    sorting and de-duplication do not depend on the language), and whoever shows it asks
    :func:`tr` for the reader's language.
    """

    msgid: str
    params: dict

    def __new__(cls, msgid: str, /, **params: Any) -> "Msg":
        obj = super().__new__(cls, t(msgid, "en", **_plain_params(params, "en")))
        obj.msgid, obj.params = msgid, params
        return obj

    def text(self, lang: str | None = None) -> str:
        lang = lang or get_lang()
        return t(self.msgid, lang, **_plain_params(self.params, lang))

    def __reduce__(self):
        return (_rebuild, (self.msgid, self.params))


def _rebuild(msgid: str, params: dict) -> Msg:
    return Msg(msgid, **params)


def _plain_params(params: dict, lang: str) -> dict:
    """Parameters ready for a text: a Msg in ``lang``, a list of Msgs joined (continuation lines)."""
    def plain(v: Any) -> Any:
        if isinstance(v, Msg):
            return v.text(lang)
        if isinstance(v, list) and all(isinstance(i, Msg) for i in v):
            return "".join(i.text(lang) for i in v)
        return v
    return {k: plain(v) for k, v in params.items()}


def msg(msgid: str, /, **params: Any) -> Msg:
    """A :class:`Msg` (the catalogue id must exist: a typo fails here, and in the catalogue test)."""
    if msgid not in MESSAGES:
        raise KeyError(msgid)
    return Msg(msgid, **params)


def tr(text: Any, lang: str | None = None) -> Any:
    """``text`` in ``lang`` when it is a :class:`Msg`; any other value as it is."""
    return text.text(lang) if isinstance(text, Msg) else text


def placeholders(text: str) -> set[str]:
    """The ``{names}`` a message text uses (the catalogue test checks both languages agree)."""
    return {field for _lit, field, _spec, _conv in string.Formatter().parse(text) if field}
