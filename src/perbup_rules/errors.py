"""Errors, diagnostics and their stable codes.

Every problem a user can cause carries a stable ``code`` (documented in
``docs/errors.md``) and, where the problem sits in a file the user wrote, a
:class:`SourceLocation`. Problems are collected, not raised one at a time:
a drafter who fixes one typo per run gives up.

Exception tree::

    PerbupError
    ├── InvalidRulesError (ValueError)    the rule files have problems; .diagnostics
    ├── DataError (ValueError)            input data cannot be read at all; .diagnostics
    ├── UsageError (ValueError)           an API or CLI argument is wrong
    ├── RecordError (ValueError)          a record built in code breaks the contract; .field, .code
    └── EngineError (RuntimeError)        an engine failed or disagreed with its contract

Rejected *rows* are not exceptions: a dataset keeps them as :class:`Rejection`
entries so the rest loads (see ``perbup_rules.records``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Literal

Severity = Literal["error", "warning"]

# --- codes: rule files -------------------------------------------------------
#: The YAML text cannot be parsed.
YAML_SYNTAX = "yaml_syntax"
#: A mapping repeats a key; YAML would silently keep the last one.
YAML_DUPLICATE_KEY = "yaml_duplicate_key"
#: Anchors, aliases, tags or deep nesting: refused to keep loading safe and bounded.
YAML_UNSAFE = "yaml_unsafe"
#: A key that the clause format does not know (a did-you-mean is given).
UNKNOWN_FIELD = "unknown_field"
#: A required key is absent.
MISSING_FIELD = "missing_field"
#: A value has the wrong type or is not one of the allowed values.
WRONG_TYPE = "wrong_type"
#: A date is not a valid ISO date (YYYY-MM-DD), or a date range is reversed.
BAD_DATE = "bad_date"
#: Two clauses (or two scenarios, or two parameters) share an id.
DUPLICATE_ID = "duplicate_id"
#: An expression refers to a parameter that params.yaml does not define.
UNKNOWN_PARAMETER = "unknown_parameter"
#: A parameter has no value in force on a date a clause needs it.
PARAMETER_GAP = "parameter_gap"
#: An expression cannot be parsed.
EXPR_SYNTAX = "expr_syntax"
#: An expression is well formed but compares things of different kinds.
EXPR_TYPE = "expr_type"
#: An expression names a record field or derived attribute that does not exist.
UNKNOWN_PATH = "unknown_path"
#: Derived attributes depend on each other in a cycle.
CLASSIFY_CYCLE = "classify_cycle"
#: A draft value is on the wrong side of the higher rule it derives from.
WEAKENS_HIGHER_LAW = "weakens_higher_law"
#: A date of the Perbup's own obligations (obligations_from, a dated draft value) precedes its promulgation.
RETROACTIVE = "retroactive"
#: The regulation folder or a file in it is missing or unreadable.
FILE_NOT_FOUND = "file_not_found"
#: An ayat states a number that disagrees with the parameter it comes from, or with its own words.
TEXT_DISAGREES = "text_disagrees"
#: The rules or a category scenario name a category that categories.yaml does not define.
UNKNOWN_CATEGORY = "unknown_category"
#: A pattern of categories.yaml is not a regular expression, or matches every name.
BAD_PATTERN = "bad_pattern"
#: Two dated entries of one category in categories.yaml are in force on the same day.
OVERLAPPING_DATES = "overlapping_dates"

# --- codes: data -------------------------------------------------------------
#: A table file is missing a required column.
MISSING_COLUMN = "missing_column"
#: A cell is not of the expected type (money, date, boolean, number).
BAD_VALUE = "bad_value"
#: A cell holds a code outside the allowed list.
UNKNOWN_CODE = "unknown_code"
#: A required cell is empty.
REQUIRED_VALUE = "required_value"
#: A row repeats an id already seen (the first row is kept).
DUPLICATE_ROW = "duplicate_row"
#: A row refers to a party that does not exist or was itself rejected.
UNKNOWN_REFERENCE = "unknown_reference"
#: Money below zero.
NEGATIVE_VALUE = "negative_value"
#: The file cannot be read (encoding, format) or its kind cannot be detected.
UNREADABLE_INPUT = "unreadable_input"
#: The input yields no accepted purchase (empty, header only, every row rejected): nothing to audit.
NO_DATA = "no_data"

# --- codes: engines ----------------------------------------------------------
#: An engine produced no outcome, or more than one, for a record.
ENGINE_CONTRACT = "engine_contract"
#: The rules engine itself failed.
ENGINE_FAILURE = "engine_failure"


@dataclass(frozen=True, order=True)
class SourceLocation:
    """Where something sits in a file a user wrote: 1-based line and column."""

    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line and self.column:
            return f"{self.file}:{self.line}:{self.column}"
        if self.line:
            return f"{self.file}:{self.line}"
        return self.file

    def to_dict(self) -> dict:
        return {"file": self.file, "line": self.line, "column": self.column}


@dataclass(frozen=True)
class Diagnostic:
    """One problem found in user input, with a stable code and a location."""

    code: str
    message: str
    location: SourceLocation | None = None
    clause: str | None = None
    hint: str | None = None
    severity: Severity = "error"
    source_line: str | None = field(default=None, compare=False)

    def sort_key(self) -> tuple:
        loc = self.location or SourceLocation("")
        return (loc.file, loc.line, loc.column, self.code, self.message)

    def render(self, lang: str | None = None) -> str:
        """Render as ``path:line:col: code: message`` plus caret, clause and hint lines, in ``lang``
        (default: the current language, perbup_rules.i18n); codes stay as they are in every language."""
        from .i18n import t, tr

        head = f"{self.location}: " if self.location else ""
        sev = "" if self.severity == "error" else t(f"diag.severity.{self.severity}", lang) + ": "
        lines = [f"{head}{sev}{self.code}: {tr(self.message, lang)}"]
        if self.source_line is not None and self.location and self.location.column:
            lines.append("    " + self.source_line.rstrip("\n"))
            lines.append("    " + " " * (self.location.column - 1) + "^")
        if self.clause:
            lines.append("    " + t("diag.in_clause", lang, clause=self.clause))
        if self.hint:
            lines.append("    " + t("diag.hint", lang, hint=tr(self.hint, lang)))
        return "\n".join(lines)

    def to_dict(self, lang: str | None = None) -> dict:
        """JSON-ready; ``message`` and ``hint`` in ``lang`` (default: the current language), and
        ``message_id``, the catalogue id of the message (null for a message not yet in it)."""
        from .i18n import tr

        return {
            "code": self.code,
            "severity": self.severity,
            "message": tr(self.message, lang),
            "message_id": getattr(self.message, "msgid", None),
            "location": self.location.to_dict() if self.location else None,
            "clause": self.clause,
            "hint": tr(self.hint, lang),
        }

    def __str__(self) -> str:
        return self.render()


def sort_diagnostics(diags: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Sort by file, line, column, then code; drop exact repeats."""
    seen: set = set()
    out = []
    for d in sorted(diags, key=Diagnostic.sort_key):
        key = (d.code, d.message, d.location, d.clause)
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out


class PerbupError(Exception):
    """Base class of every error this library raises on purpose."""

    code: str = "perbup_error"


class _DiagnosticsError(PerbupError):
    def __init__(self, diagnostics: Iterable[Diagnostic], limit: int | None = None):
        self.diagnostics: list[Diagnostic] = sort_diagnostics(diagnostics)
        self.limit = limit
        super().__init__(self._render())

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    def _render(self) -> str:
        shown = self.diagnostics if self.limit is None else self.diagnostics[: self.limit]
        from .i18n import t

        n = len(self.diagnostics)
        head = t("diag.errors_one") if n == 1 else t("diag.errors_many", count=n)
        body = "\n".join(d.render() for d in shown)
        more = "" if len(shown) == n else "\n" + t("diag.more", count=n - len(shown))
        return f"{head}\n{body}{more}"


class InvalidRulesError(_DiagnosticsError, ValueError):
    """The rule files have problems; ``diagnostics`` lists every one, sorted by location."""

    code = "invalid_rules"


class DataError(_DiagnosticsError, ValueError):
    """An input file cannot be read at all (rows that are merely bad are rejected, not raised)."""

    code = "invalid_data"


class UsageError(PerbupError, ValueError):
    """An argument given to the API or the CLI is wrong."""

    code = "usage"


class EngineError(PerbupError, RuntimeError):
    """A rules engine failed, or broke its contract (no outcome, two outcomes)."""

    def __init__(self, message: str, code: str = ENGINE_FAILURE):
        self.code = code
        super().__init__(message)


class RecordError(PerbupError, ValueError):
    """A record built in code breaks the canonical contract (``Purchase(stage="Awarded")``).

    ``code`` is the data code the loader would give the same cell (``unknown_code``,
    ``bad_value``, ``required_value``, ``negative_value``; ``unknown_field`` for a
    mapping key that looks like a misspelt column); ``record`` the type (``Purchase``),
    ``field`` the field, ``value`` what was given.
    """

    def __init__(self, record: str, field: str | None, code: str, reason: str, value: object = None):
        self.record = record
        self.field = field
        self.code = code
        self.reason = reason
        self.value = value
        where = f"{record}.{field}" if field else record
        super().__init__(f"{where}: {code}: {reason}")

    def to_dict(self) -> dict:
        return {"code": self.code, "record": self.record, "field": self.field, "message": self.reason}
