"""A streaming XLSX reader whose limits apply while it reads.

openpyxl materialises what a sheet declares (``<dimension ref="A1:XFD1048576">``
becomes a billion empty cells), keeps every shared string whole (a 1 MB
archive may unpack to one 1 GB string) and builds each ``<row>`` as a tree
before looking at it. Here the archive's parts are decompressed chunk by chunk
and fed to expat; every count is checked as it grows (see :mod:`.limits`), so a
hostile workbook is refused after a bounded amount of work and memory, with a
French message naming the sheet, the cell and the fix.

Only values are read (formulas give their cached result, as with openpyxl's
``data_only=True``); numbers in a date format become dates, as in openpyxl.

The module is longer than the others because it is one parser: the archive,
the shared strings, the styles and the sheet are read by callbacks that share
the same budget, and splitting them would spread that budget over modules.
"""

from __future__ import annotations

import io
import posixpath
import re
import struct
import zipfile
import zlib
from typing import Callable
from xml.parsers import expat

import pandas as pd

from openpyxl.styles.numbers import builtin_format_code, is_date_format, is_timedelta_format
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, from_excel, from_ISO8601

from .. import settings
from ..text import slug
from . import limits
from .model import AVERTISSEMENT, Issue, RegistryError
from .cells import SHEET_NAMES, SKIPPED_SHEETS, cell_text, unique_headers

_REL_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
_CHUNK = 1 << 16
_CELL_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d{1,7})$")


class _Stop(Exception):
    """Raised inside a handler to end a parse early (not an error)."""


class _Counter:
    """Elements seen in one part, against what is left of the workbook's budget."""

    n = 0
    limit = 0


_DIGITS = "0123456789"
_COLUMNS: dict[str, int] = {}  # "AB" -> 28, filled as met


def _column_of(ref: str) -> int:
    """Column number of a cell reference (``"AB12"`` -> 28); 0 if it is not one."""
    letters = ref.rstrip(_DIGITS)
    col = _COLUMNS.get(letters)
    if col is None:
        match = _CELL_REF.match(ref)
        if not match:
            return 0
        col = column_index(match.group(1))
        if len(_COLUMNS) < 20_000:
            _COLUMNS[letters] = col
    return col


def _unreadable(name: str, why: str, fix: str = "ouvrez-le dans Excel ou LibreOffice et enregistrez-le à nouveau "
                                                  "en .xlsx") -> RegistryError:
    return RegistryError([Issue.file(name, f"classeur XLSX illisible ({why})", fix)])


def column_index(letters: str) -> int:
    """``"A"`` -> 1, ``"XFD"`` -> 16384."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def column_letters(index: int) -> str:
    out = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        out = chr(65 + rest) + out
    return out


def _check_central_directory(data: bytes, name: str) -> None:
    """Refuse an archive that announces too many parts before zipfile lists them all."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if end < 0 or len(data) < end + 22:
        return  # zipfile will say it is not an archive
    entries, cd_size = struct.unpack("<HI", data[end + 10:end + 16])
    locator = end - 20
    if locator >= 0 and data[locator:locator + 4] == b"PK\x06\x07":  # ZIP64: the real counts are elsewhere
        offset = struct.unpack("<Q", data[locator + 8:locator + 16])[0]
        if offset + 56 <= len(data) and data[offset:offset + 4] == b"PK\x06\x06":
            entries, cd_size = struct.unpack("<QQ", data[offset + 32:offset + 48])
    if entries > limits.MAX_ZIP_MEMBERS or cd_size > limits.MAX_ZIP_MEMBERS * 1024:
        raise limits.refuse("fichier", f"l'archive XLSX annonce {limits.fmt(entries)} parties, au-delà de la "
                                       f"limite de {limits.fmt(limits.MAX_ZIP_MEMBERS)}",
                            "ouvrez le classeur dans Excel ou LibreOffice et enregistrez-le à nouveau en .xlsx",
                            value=name)


class Workbook:
    """One XLSX archive: its sheets by title, read on demand under a shared budget."""

    def __init__(self, data: bytes, name: str):
        self.name = name
        self.elements = 0
        self.issues: list[Issue] = []
        _check_central_directory(data, name)
        try:
            self.archive = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError, struct.error):
            raise _unreadable(name, "ce n'est pas une archive XLSX valide : fichier endommagé, tronqué ou d'un "
                                    "autre format renommé en .xlsx")
        if len(self.archive.infolist()) > limits.MAX_ZIP_MEMBERS:
            raise _unreadable(name, f"{len(self.archive.infolist())} parties dans l'archive")
        self.parts = {info.filename.lstrip("/"): info for info in self.archive.infolist()}
        root = self._relationships("_rels/.rels")
        book_path = next((target for kind, target in root.values() if kind == "officeDocument"), "xl/workbook.xml")
        if book_path not in self.parts:
            raise _unreadable(name, "pas de classeur dans l'archive")
        sheets, self.date1904 = self._workbook(book_path)
        rels = self._relationships(posixpath.join(posixpath.dirname(book_path), "_rels",
                                                  posixpath.basename(book_path) + ".rels"), book_path)
        self.sheets: dict[str, str] = {}
        for title, rid in sheets:
            kind, target = rels.get(rid, ("", ""))
            if kind == "worksheet" and target in self.parts:
                self.sheets[title] = target
        shared = next((t for k, t in rels.values() if k == "sharedStrings"), None)
        styles = next((t for k, t in rels.values() if k == "styles"), None)
        self._shared_path = shared if shared in self.parts else None
        self._shared: list[str] | None = None
        self.date_styles, self.timedelta_styles = self._styles(styles) if styles in self.parts else (set(), set())
        self._frames: dict[str, pd.DataFrame | None] = {}
        self._filled: dict[str, bool] = {}

    # -- parsing, with the limits ---------------------------------------------
    def _parse(self, path: str, start: Callable, end: Callable | None = None, text: Callable | None = None,
               counter=None) -> None:
        """Stream one part of the archive through expat.

        Every element counts against the workbook's budget: ``counter`` (an object with
        ``n`` and ``limit``, checked by its own ``start``) for the hot paths, otherwise
        ``start`` is wrapped. Tags reach the handlers without their namespace prefix."""
        info = self.parts[path]
        cap = limits.max_unpacked_bytes()
        if info.file_size > cap:
            raise limits.refuse("fichier", f"la partie « {path} » du classeur se décompresse en "
                                           f"{limits.fmt(round(info.file_size / 1e6))} Mo, au-delà de la limite de "
                                           f"{limits.fmt(round(cap / 1e6))} Mo",
                                "ce classeur n'a pas été enregistré par un tableur : ouvrez-le dans Excel ou "
                                "LibreOffice, supprimez les lignes et colonnes vides, et enregistrez-le à nouveau",
                                value=self.name)
        parser = expat.ParserCreate()
        parser.buffer_text = True
        parser.buffer_size = _CHUNK
        if counter is None:
            counter = _Counter()
            inner = start

            def start(tag, attrs):
                counter.n += 1
                if counter.n > counter.limit:
                    raise self.over_budget()
                inner(tag, attrs)
        counter.n, counter.limit = 0, limits.max_xml_elements() - self.elements

        def first(tag, attrs):
            """The first element tells whether tags carry a prefix (``<x:row>``): rare, and slower."""
            if ":" in tag:
                local: dict[str, str] = {}

                def strip(t):
                    name = local.get(t)
                    if name is None:
                        name = local[t] = t.rpartition(":")[2]
                    return name
                parser.StartElementHandler = lambda t, a: start(strip(t), a)
                if end is not None:
                    parser.EndElementHandler = lambda t: end(strip(t))
            else:
                parser.StartElementHandler = start
                if end is not None:
                    parser.EndElementHandler = end
            parser.StartElementHandler(tag, attrs)

        def no_dtd(*_args):
            raise _unreadable(self.name, f"déclaration DTD ou entité dans « {path} »")

        parser.StartElementHandler = first
        if text is not None:
            parser.CharacterDataHandler = text
        parser.StartDoctypeDeclHandler = no_dtd
        parser.EntityDeclHandler = no_dtd
        read = 0
        try:
            with self.archive.open(info) as stream:
                while True:
                    chunk = stream.read(_CHUNK)
                    if not chunk:
                        break
                    read += len(chunk)
                    if read > cap:  # zipfile stops at the declared size; this does not rely on it
                        raise _unreadable(self.name, f"« {path} » plus grand que déclaré")
                    parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except _Stop:
            pass
        except expat.ExpatError as exc:
            raise _unreadable(self.name, f"XML invalide dans « {path} », ligne {exc.lineno}")
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError):
            raise _unreadable(self.name, f"partie « {path} » endommagée")
        except NotImplementedError:
            raise _unreadable(self.name, "méthode de compression non prise en charge")
        except RuntimeError as exc:  # zipfile: encrypted member
            if "encrypted" in str(exc) or "password" in str(exc):
                raise _unreadable(self.name, "classeur protégé par un mot de passe",
                                  "enregistrez-le sans mot de passe, ou en CSV UTF-8")
            raise
        finally:
            self.elements += counter.n

    def over_budget(self) -> RegistryError:
        budget = limits.max_xml_elements()
        return limits.refuse("fichier", f"le classeur contient plus de {limits.fmt(budget)} éléments XML, au-delà "
                                        "de ce qu'un registre de cette taille peut contenir",
                             "supprimez les lignes, colonnes et feuilles inutiles, ou découpez le registre",
                             value=self.name)

    def _relationships(self, path: str, owner: str = "") -> dict[str, tuple[str, str]]:
        """``{id: (short type, target part)}`` of a ``.rels`` part (empty if absent)."""
        rels: dict[str, tuple[str, str]] = {}
        if path not in self.parts:
            return rels
        base = posixpath.dirname(owner)

        def start(tag, attrs):
            if tag == "Relationship" and attrs.get("TargetMode") != "External":
                target = attrs.get("Target", "")
                target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                    posixpath.join(base, target))
                rels[attrs.get("Id", "")] = (attrs.get("Type", "").rpartition("/")[2], target)
        self._parse(path, start)
        return rels

    def _workbook(self, path: str) -> tuple[list[tuple[str, str]], bool]:
        sheets: list[tuple[str, str]] = []
        flags = {"1904": False}

        def start(tag, attrs):
            if tag == "sheet":
                rid = next((v for k, v in attrs.items() if k.rpartition(":")[2] == "id" and k != "sheetId"), "")
                sheets.append((attrs.get("name", f"Feuille {len(sheets) + 1}"), rid))
            elif tag == "workbookPr":
                flags["1904"] = attrs.get("date1904", "0").lower() in ("1", "true")
        self._parse(path, start)
        return sheets, flags["1904"]

    def _styles(self, path: str) -> tuple[set[int], set[int]]:
        """Indexes of the cell formats that show dates, and durations (as openpyxl decides)."""
        custom: dict[int, str] = {}
        xf_formats: list[int] = []
        where = {"cellXfs": False}

        def start(tag, attrs):
            if tag == "numFmt":
                try:
                    custom[int(attrs.get("numFmtId", "-1"))] = attrs.get("formatCode", "")
                except ValueError:
                    pass
            elif tag == "cellXfs":
                where["cellXfs"] = True
            elif tag == "xf" and where["cellXfs"]:
                try:
                    xf_formats.append(int(attrs.get("numFmtId", "0")))
                except ValueError:
                    xf_formats.append(0)

        def end(tag):
            if tag == "cellXfs":
                where["cellXfs"] = False
        self._parse(path, start, end)
        dates, durations = set(), set()
        for index, fmt_id in enumerate(xf_formats):
            fmt = custom[fmt_id] if fmt_id in custom else builtin_format_code(fmt_id)
            if is_date_format(fmt):
                dates.add(index)
            if is_timedelta_format(fmt):
                durations.add(index)
        return dates, durations

    def shared_strings(self) -> list[str]:
        if self._shared is None:
            self._shared = []
            if self._shared_path is not None:
                reader = _SharedStrings(self)
                self._parse(self._shared_path, reader.start, reader.end, reader.text, counter=reader)
                self._shared = reader.strings
        return self._shared

    # -- sheets ----------------------------------------------------------------
    def has_data(self, title: str) -> bool:
        """Whether the sheet has one non-blank cell (the scan stops at the first one)."""
        if title in self._frames:
            return self._frames[title] is not None
        if title not in self._filled:
            found: list = []
            _SheetReader(self, title, "fichier", found.append, scan=True).run()
            self._filled[title] = bool(found)
        return self._filled[title]

    def frame(self, title: str, table: str) -> pd.DataFrame | None:
        """The sheet as a table of strings (first non-blank row = headers); None when blank."""
        if title not in self._frames:
            rows: list[dict[int, str]] = []
            _SheetReader(self, title, table, rows.append).run()
            self._frames[title] = self._table(title, table, rows) if rows else None
        return self._frames[title]

    def _check_dimension(self, title: str, table: str, ref: str) -> None:
        """Refuse a sheet that declares more rows or columns than the limits allow."""
        match = _CELL_REF.match(ref.split(":")[-1])
        if not match:
            return
        cols, rows = column_index(match.group(1)), int(match.group(2))
        max_rows = settings.max_rows() + 1
        if rows > max_rows or cols > limits.MAX_COLUMNS:
            raise limits.refuse(table, f"la feuille « {title} » déclare la plage {ref} ({limits.fmt(rows)} lignes, "
                                       f"{limits.fmt(cols)} colonnes), au-delà des limites ({limits.fmt(max_rows)} "
                                       f"lignes avec l'en-tête, {limits.MAX_COLUMNS} colonnes)",
                                "supprimez les lignes et les colonnes vides au-delà des données (sélectionnez-les, "
                                "clic droit, Supprimer), enregistrez, puis importez à nouveau ; pour un registre plus "
                                "grand, découpez-le ou augmentez PTCE_MAX_ROWS", value=ref)

    def _table(self, title: str, table: str, rows: list[dict[int, str]]) -> pd.DataFrame:
        width = max(max(row) for row in rows)
        if (len(rows) - 1) * width > limits.max_cells():
            raise limits.too_many_cells(table, len(rows) - 1, width)
        header = unique_headers([rows[0].get(c, "") for c in range(1, width + 1)], self.issues, table)
        body = [[row.get(c, "") for c in range(1, width + 1)] for row in rows[1:]]
        return pd.DataFrame(body, columns=header, dtype=object)


class _SharedStrings(_Counter):
    """The expat handlers of the shared strings: each text at most 32,767 characters (Excel's
    limit), all of them at most 4 characters per allowed byte, at most one per allowed cell."""

    def __init__(self, book: Workbook):
        self.book = book
        self.strings: list[str] = []
        self.parts: list[str] = []
        self.length = self.total = self.phonetic = 0
        self.capture = False
        self.max_total, self.max_count = limits.max_shared_chars(), limits.max_cells()

    def start(self, tag: str, attrs: dict) -> None:
        self.n += 1
        if self.n > self.limit:
            raise self.book.over_budget()
        if tag == "t":
            self.capture = not self.phonetic
        elif tag == "si":
            self.parts, self.length = [], 0
        elif tag == "rPh":
            self.phonetic += 1

    def end(self, tag: str) -> None:
        if tag == "t":
            self.capture = False
        elif tag == "si":
            self.strings.append("".join(self.parts).replace("x005F_", ""))
            if len(self.strings) > self.max_count:
                raise limits.refuse("fichier", f"le classeur contient plus de {limits.fmt(self.max_count)} textes",
                                    "découpez le registre", value=self.book.name)
        elif tag == "rPh":
            self.phonetic -= 1

    def text(self, data: str) -> None:
        if not self.capture:
            return
        self.length += len(data)
        self.total += len(data)
        if self.length > limits.EXCEL_MAX_CHARS:
            raise limits.refuse("fichier", f"le texte n° {len(self.strings) + 1} du classeur dépasse "
                                           f"{limits.fmt(limits.EXCEL_MAX_CHARS)} caractères, la limite d'Excel pour "
                                           "une cellule : la lecture est arrêtée",
                                "ce classeur n'a pas été enregistré par un tableur : ouvrez-le dans Excel ou "
                                "LibreOffice, corrigez la cellule trop longue et enregistrez-le à nouveau",
                                value=self.book.name)
        if self.total > self.max_total:
            raise limits.refuse("fichier", f"les textes du classeur dépassent {limits.fmt(self.max_total)} caractères "
                                           "au total, au-delà de la limite",
                                "découpez le registre ou augmentez PTCE_MAX_UPLOAD_MB", value=self.book.name)
        self.parts.append(data)


class _SheetReader(_Counter):
    """The expat handlers of one sheet: non-blank rows go to ``emit`` as ``{column: text}``.

    This is the hot path (about 1 µs an element): handlers test the commonest tags
    first, and column letters and style numbers are looked up in caches."""

    def __init__(self, book: Workbook, title: str, table: str, emit: Callable, scan: bool = False):
        self.book, self.title, self.table, self.emit, self.scan = book, title, table, emit, scan
        self.strings = book.shared_strings()
        self.max_rows = settings.max_rows() + 1  # with the header row
        self.max_cells = limits.max_cells()
        self.row = self.col = self.kept = self.stored = 0
        self.cells: dict[int, str] = {}
        self.header: dict[int, str] = {}
        self.kind, self.style = "n", -1
        self.styles: dict[str, int] = {}
        self.raw = ""
        self.capture = self.inline = self.has_value = False
        self.phonetic = 0

    def run(self) -> None:
        self.book._parse(self.book.sheets[self.title], self.start, self.end, self.text, counter=self)

    def where(self, col: int) -> tuple[int, str]:
        """(row as the reports number it, column as the user named it) of a cell of the current row."""
        if not self.kept:
            return 1, column_letters(col)
        return self.kept + 1, self.header.get(col) or column_letters(col)

    def cell(self, col: int | None = None) -> str:
        return f"{column_letters(col or self.col)}{self.row}"

    def note(self, value: str, message: str, fix: str) -> None:
        row, column = self.where(self.col)
        self.book.issues.append(Issue(AVERTISSEMENT, self.table, row, column, value,
                                      f"cellule {self.cell()} de la feuille « {self.title} » : {message}", fix))

    def start(self, tag: str, attrs: dict) -> None:
        self.n += 1
        if self.n > self.limit:
            raise self.book.over_budget()
        if tag == "c":
            ref = attrs.get("r")
            self.col = (_column_of(ref) or self.col + 1) if ref else self.col + 1
            if self.col > limits.EXCEL_MAX_COLUMNS:
                raise limits.refuse(self.table, f"la ligne {self.row} de la feuille « {self.title} » a une cellule "
                                                f"au-delà de la dernière colonne d'Excel "
                                                f"(XFD, {limits.fmt(limits.EXCEL_MAX_COLUMNS)} colonnes)",
                                    "ce classeur n'a pas été enregistré par un tableur : ouvrez-le dans Excel ou "
                                    "LibreOffice et enregistrez-le à nouveau", value=self.book.name)
            self.kind = attrs.get("t", "n")
            style = attrs.get("s")
            if style:
                number = self.styles.get(style)
                if number is None:
                    number = self.styles[style] = int(style) if style.isdigit() and len(style) < 9 else -1
                self.style = number
            else:
                self.style = -1
            self.raw, self.has_value, self.inline = "", False, False
        elif tag == "v":
            self.capture = self.has_value = True
        elif tag == "row":
            number = attrs.get("r", "")
            self.row = int(number) if number.isdigit() and len(number) < 9 else self.row + 1
            if self.row > limits.EXCEL_MAX_ROWS:
                raise limits.refuse(self.table, f"ligne {limits.fmt(self.row)} dans la feuille « {self.title} », "
                                                f"au-delà de la dernière ligne d'Excel "
                                                f"({limits.fmt(limits.EXCEL_MAX_ROWS)})",
                                    "ouvrez le classeur dans Excel ou LibreOffice et enregistrez-le à nouveau",
                                    value=self.book.name)
            self.col, self.cells = 0, {}
        elif tag == "is":
            self.inline = self.has_value = True
        elif tag == "t":
            self.capture = self.inline and not self.phonetic
        elif tag == "rPh":
            self.phonetic += 1
        elif tag == "dimension" and not self.scan:
            self.book._check_dimension(self.title, self.table, attrs.get("ref", ""))

    def end(self, tag: str) -> None:
        if tag == "v" or tag == "t":
            self.capture = False
        elif tag == "c":
            if self.has_value:
                value = self.value()
                if value and not value.isspace():
                    if self.col > limits.MAX_COLUMNS:
                        row, _ = self.where(self.col)
                        raise limits.too_many_columns(
                            self.table, f"plus de {limits.MAX_COLUMNS}",
                            f"la feuille « {self.title} » a une valeur dans la cellule {self.cell()} : elle",
                            row=row, column=column_letters(self.col))
                    self.cells[self.col] = value
            self.capture = self.inline = False
        elif tag == "row":
            cells = self.cells
            if cells:
                self.kept += 1
                self.stored += len(cells)
                if self.kept == 1:
                    self.header = cells
                if self.kept > self.max_rows:
                    raise limits.too_many_rows(self.table, self.book.name)
                if self.stored > self.max_cells:
                    raise limits.refuse(self.table, f"plus de {limits.fmt(self.max_cells)} cellules remplies dans "
                                                    f"la feuille « {self.title} », au-delà de la limite",
                                        "supprimez les colonnes inutiles ou découpez le registre",
                                        value=self.book.name)
                self.emit(cells)
                if self.scan:
                    raise _Stop
            self.cells = {}
        elif tag == "rPh":
            self.phonetic -= 1
        elif tag == "sheetData":
            raise _Stop  # nothing after the data is needed

    def text(self, data: str) -> None:
        if self.capture:
            raw = self.raw + data if self.raw else data
            if len(raw) > limits.EXCEL_MAX_CHARS:
                row, column = self.where(self.col)
                raise limits.refuse(self.table, f"la cellule {self.cell()} de la feuille « {self.title} » dépasse "
                                                f"{limits.fmt(limits.EXCEL_MAX_CHARS)} caractères, la limite d'Excel "
                                                "pour une cellule : la lecture est arrêtée",
                                    "ce classeur n'a pas été enregistré par un tableur : corrigez la cellule et "
                                    "enregistrez-le à nouveau depuis Excel ou LibreOffice", row=row, column=column)
            self.raw = raw

    def value(self) -> str:
        """The current cell's value as text, converted as openpyxl would (dates, booleans, numbers)."""
        raw = self.raw
        kind = self.kind
        if self.inline or kind in ("str", "inlineStr", "e"):
            return raw
        if kind == "s":
            try:
                if raw.startswith("-"):
                    raise IndexError
                return self.strings[int(raw)]
            except (ValueError, IndexError):
                self.note(raw, "elle renvoie à un texte partagé qui n'existe pas : elle est lue vide",
                          "ouvrez le classeur dans Excel ou LibreOffice et enregistrez-le à nouveau")
                return ""
        if kind == "b":
            flag = raw.strip().lower()
            if flag in ("1", "true"):
                return "oui"
            if flag in ("0", "false"):
                return "non"
            self.note(raw, "typée booléen mais ne contient ni 0 ni 1 : elle est lue comme texte",
                      "saisissez la valeur à nouveau dans le tableur")
            return raw
        if kind == "d":
            try:
                return cell_text(from_ISO8601(raw.strip()))
            except (ValueError, TypeError, OverflowError, AttributeError):
                self.note(raw, "typée date mais ne contient pas une date : elle est lue comme texte",
                          "saisissez la date à nouveau dans le tableur (JJ/MM/AAAA)")
                return raw
        text = raw.strip()
        if not text:
            return ""
        if (text.isdigit() and text.isascii() and len(text) < 16 and (text[0] != "0" or len(text) == 1)
                and self.style not in self.book.date_styles):
            return text  # a whole number, already written as cell_text(int(text)) would
        try:
            number = float(text) if ("." in text or "e" in text or "E" in text) else int(text)
        except ValueError:
            self.note(raw, "typée nombre mais contient du texte : elle est lue comme texte",
                      "dans le tableur, mettez la cellule au format Texte (ou Nombre selon la colonne) et "
                      "saisissez la valeur à nouveau")
            return raw
        if self.style in self.book.date_styles:
            try:
                return cell_text(from_excel(number, MAC_EPOCH if self.book.date1904 else WINDOWS_EPOCH,
                                            timedelta=self.style in self.book.timedelta_styles))
            except (OverflowError, ValueError):
                self.note(raw, "au format date, mais le nombre est hors des dates possibles : il est lu tel quel",
                          "corrigez la date dans le tableur")
        return cell_text(number)


def read_xlsx(data: bytes, name: str) -> tuple[dict[str, pd.DataFrame], list[Issue]]:
    """The ``poles`` (and ``soutiens``) tables of a workbook, chosen by sheet name."""
    book = Workbook(data, name)
    issues = book.issues
    picked: dict[str, tuple[str, pd.DataFrame]] = {}
    for title in book.sheets:
        for table, names in SHEET_NAMES.items():
            if slug(title) in names and table not in picked:
                frame = book.frame(title, table)
                if frame is not None:
                    picked[table] = (title, frame)
    if "poles" not in picked:
        filled = [title for title in book.sheets if book.has_data(title)]
        if not filled:
            raise RegistryError([Issue.file(name, "le classeur ne contient aucune donnée",
                                            "remplissez la feuille « poles » (voir le modèle)")])
        first = filled[0]
        picked["poles"] = (first, book.frame(first, "poles"))
        if len(filled) > 1:
            issues.append(Issue.file(first, f"aucune feuille nommée « poles » : la feuille « {first} » est lue comme "
                                            "liste des pôles",
                                     "nommez les feuilles « poles » et « soutiens »", level=AVERTISSEMENT))
    used = {title for title, _ in picked.values()}
    for title in book.sheets:
        if title not in used and slug(title) not in SKIPPED_SHEETS and book.has_data(title):
            issues.append(Issue.file(title, f"la feuille « {title} » n'est pas lue",
                                     "nommez les feuilles « poles » et « soutiens »", level=AVERTISSEMENT))
    return {table: frame for table, (_, frame) in picked.items()}, issues
