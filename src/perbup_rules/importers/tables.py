"""Tables as a header plus a lazy stream of numbered rows, from CSV files or Excel sheets.

Row numbers follow the spreadsheet convention: the header is row 1, the first
data row is row 2, and a CSV record spanning several physical lines (a quoted
field with line breaks) is still one row. Entirely blank rows carry no record:
they are skipped but still numbered, so row numbers match what a spreadsheet
program shows.

Encoding: CSV files must be UTF-8, with or without a BOM. A file that is not
valid UTF-8 is refused as a whole with the line of the first bad byte, rather
than guessed as cp1252: cp1252 decodes any byte sequence, so a wrong guess
would silently change supplier names that are used as evidence.
"""

from __future__ import annotations

import codecs
import csv
import functools
import hashlib
import re
import zipfile
from pathlib import Path
from typing import Iterator, Sequence

from .. import errors
from ..errors import DataError, Diagnostic, SourceLocation
from ..i18n import msg

_SEPARATORS = re.compile(r"[\s_-]+")


@functools.lru_cache(maxsize=4096)
def column_key(name: str) -> str:
    """An export column's name as the LKPP importers compare it: lower case, each run of spaces,
    hyphens and underscores one underscore (``Tahun Anggaran``, ``tahun-anggaran`` and
    ``TAHUN_ANGGARAN`` are all ``tahun_anggaran``; ``_event_date`` stays itself). A spreadsheet or
    portal that prettifies the API's headers is read as the API's own export."""
    return _SEPARATORS.sub("_", name.strip().lower())

Row = Sequence[object]

_CHUNK = 1 << 20


def data_error(code: str, message: str, file: str, line: int = 0, hint: str | None = None) -> DataError:
    """A DataError holding one located diagnostic."""
    return DataError([Diagnostic(code, message, SourceLocation(file, line), hint=hint)])


def file_sha256(path: Path) -> str:
    """The sha256 of a file's bytes, read in chunks.

    Raises:
        DataError: unreadable_input when the file cannot be opened or read.
    """
    h = hashlib.sha256()
    with open_binary(path, str(path)) as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def open_binary(path: Path, display: str):
    """Open a file for reading bytes; a missing or unreadable file is a DataError, not an OSError."""
    try:
        return open(path, "rb")
    except OSError as err:
        raise data_error(errors.UNREADABLE_INPUT, msg("diag.data.cannot_open", reason=err.strerror or str(err)), display) from None


def check_utf8(path: Path, display: str) -> str:
    """Check that a file is UTF-8 text and return its sha256, in one pass over the bytes.

    Raises:
        DataError: unreadable_input, located at the line of the first byte that is not UTF-8.
    """
    return scan_utf8(path, display)[0]


def scan_utf8(path: Path, display: str) -> tuple[str, int, bool]:
    """:func:`check_utf8`, with what the same pass counts: (sha256, how many LF bytes, whether
    the file ends with one)."""
    h = hashlib.sha256()
    last = b""
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    with open_binary(path, display) as fh:
        first = True
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
            if first and chunk[:2] in (b"\xff\xfe", b"\xfe\xff"):
                raise data_error(
                    errors.UNREADABLE_INPUT,
                    msg("diag.data.utf16"),
                    display,
                    1,
                    hint=msg("diag.hint.save_utf8"),
                )
            first = False
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as err:
                bad = chunk[err.start : err.start + 1] or b"?"
                raise data_error(
                    errors.UNREADABLE_INPUT,
                    msg("diag.data.not_utf8_byte", byte=f"0x{bad[0]:02X}"),
                    display,
                    line + chunk[: err.start].count(b"\n"),
                    hint=msg("diag.hint.save_utf8_noguess"),
                ) from None
            line += chunk.count(b"\n")
            last = chunk[-1:]
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise data_error(
                errors.UNREADABLE_INPUT, msg("diag.data.utf8_cut"), display, line
            ) from None
    return h.hexdigest(), line - 1, last == b"\n"


def _is_blank(cells: Row) -> bool:
    for c in cells:
        if c is None:
            continue
        if not isinstance(c, str) or c.strip():
            return False
    return True


class CsvTable:
    """One CSV file: ``header``, ``sha256`` and a lazy ``rows()`` stream; close it when done."""

    def __init__(self, path: Path, display: str):
        self.path = path
        self.file = display
        #: the LF bytes of the file and whether it ends with one, counted as it was checked
        self.sha256, self.newlines, self.ends_with_newline = scan_utf8(path, display)
        self._fh = open(path, encoding="utf-8-sig", newline="")
        try:
            self.delimiter = _sniff_delimiter(self._fh.readline())
            self._fh.seek(0)  # utf-8-sig drops the BOM again after seeking to the start
            self._reader = csv.reader(self._fh, delimiter=self.delimiter)
            self.header: list[str] | None = self._next()
        except BaseException:
            self._fh.close()
            raise

    def _next(self) -> list[str] | None:
        try:
            return next(self._reader)
        except StopIteration:
            return None
        except csv.Error as err:
            raise data_error(errors.UNREADABLE_INPUT, msg("diag.data.csv_parse", detail=str(err)), self.file, self._reader.line_num) from None

    def rows(self) -> Iterator[tuple[int, Row]]:
        """Yield (row number, cells) for each non-blank record after the header."""
        row = 1
        while (cells := self._next()) is not None:
            row += 1
            if cells and not _is_blank(cells):
                yield row, cells

    def fresh_rows(self) -> Iterator[tuple[int, Row]]:
        """rows() again from the start, on a handle of its own (a pre-scan before the real read)."""
        with open(self.path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh, delimiter=self.delimiter)
            try:
                next(reader, None)
                row = 1
                for cells in reader:
                    row += 1
                    if cells and not _is_blank(cells):
                        yield row, cells
            except csv.Error as err:
                raise data_error(errors.UNREADABLE_INPUT, f"CSV cannot be parsed: {err}", self.file, reader.line_num) from None

    def close(self) -> None:
        self._fh.close()

    def __enter__(self) -> "CsvTable":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _sniff_delimiter(first_line: str) -> str:
    # Excel in an Indonesian locale writes ';'-separated CSV (the comma is the
    # decimal mark there); the header line tells which one this file uses.
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


class XlsxBook:
    """An Excel workbook opened read-only; ``table(name)`` gives a sheet as a table."""

    def __init__(self, path: Path, display: str):
        import openpyxl  # imported here: only workbook users pay for it

        self.path = path
        self.file = display
        self.sha256 = file_sha256(path)
        try:
            self._wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except (zipfile.BadZipFile, OSError, KeyError, ValueError, TypeError, IndexError, AttributeError) as err:
            # openpyxl reports a damaged or non-xlsx file through many exception
            # types; all mean the same thing to the user.
            raise data_error(
                errors.UNREADABLE_INPUT, msg("diag.data.bad_xlsx", detail=f"{type(err).__name__}: {err}"), display
            ) from None
        except Exception as err:  # noqa: BLE001 - e.g. openpyxl InvalidFileException, XML parse errors
            raise data_error(errors.UNREADABLE_INPUT, msg("diag.data.bad_xlsx", detail=type(err).__name__), display) from None

    @property
    def sheet_names(self) -> list[str]:
        return list(self._wb.sheetnames)

    def table(self, name: str) -> "XlsxTable | None":
        """The sheet called ``name`` (case-insensitive), or None."""
        for sheet in self._wb.sheetnames:
            if sheet.strip().lower() == name:
                return XlsxTable(self._wb[sheet], f"{self.file}[{sheet}]")
        return None

    def headed_sheets(self) -> list[tuple[str, "XlsxTable"]]:
        """(name, table) of each sheet whose first row has a cell that is not blank: the sheets
        that hold a table (an LKPP export saved from Excel is read from the only one)."""
        out = []
        for sheet in self._wb.sheetnames:
            table = XlsxTable(self._wb[sheet], f"{self.file}[{sheet}]")
            if table.header is not None and any(h.strip() for h in table.header):
                out.append((sheet, table))
        return out

    def close(self) -> None:
        self._wb.close()

    def __enter__(self) -> "XlsxBook":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class XlsxTable:
    """One worksheet: ``header`` and a lazy ``rows()`` stream of native cell values."""

    def __init__(self, ws, display: str):
        self.file = display
        self._ws = ws
        # Some writers store a wrong sheet size; without this, read-only mode
        # would silently stop at the stored size.
        ws.reset_dimensions()
        self._it = self._iter()
        first = next(self._it, None)
        self.header: list[str] | None = None if first is None else ["" if c is None else str(c) for c in first]

    def _iter(self) -> Iterator[tuple]:
        try:
            yield from self._ws.iter_rows(values_only=True)
        except Exception as err:  # noqa: BLE001 - damaged sheet XML surfaces as varied exceptions
            raise data_error(errors.UNREADABLE_INPUT, msg("diag.data.bad_sheet", detail=type(err).__name__), self.file) from None

    def fresh_rows(self) -> Iterator[tuple[int, Row]]:
        """rows() again from the start (read-only sheets parse their XML anew on each pass)."""
        it = self._iter()
        next(it, None)
        for row, cells in enumerate(it, start=2):
            if not _is_blank(cells):
                yield row, cells

    def rows(self) -> Iterator[tuple[int, Row]]:
        """Yield (row number, cells) for each non-blank row after the header."""
        for row, cells in enumerate(self._it, start=2):
            if not _is_blank(cells):
                yield row, cells
