"""Limits that apply while a file is being read, so that a small hostile file
is refused early instead of exhausting memory or CPU.

They derive from the two settings ``PTCE_MAX_ROWS`` and ``PTCE_MAX_UPLOAD_MB``
(read at call time) and from fixed bounds no registry comes near:

- columns: 200 (the registry has 27 columns in two tables);
- cells (rows × columns of one table): 20 per allowed row, 2,000,000 by default;
- XLSX: each part of the archive unpacks to at most 10 times the upload limit,
  a text holds at most 32,767 characters (Excel's own limit), the shared
  strings hold at most 4 characters per allowed byte, an archive holds at most
  10,000 parts, and all parts together hold at most 3 XML elements per cell;
- JSON: nesting at most 64 levels, at most 10 containers (objects, lists) per
  allowed row and 2 texts per allowed cell, parsed only after these counts.
"""

from __future__ import annotations

from .. import settings
from .model import ERREUR, Issue, RegistryError

MAX_COLUMNS = 200
CELLS_PER_ROW = 20
EXCEL_MAX_CHARS = 32_767
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384
MAX_ZIP_MEMBERS = 10_000
UNPACK_RATIO = 10
SHARED_CHARS_PER_BYTE = 4
XML_ELEMENTS_PER_CELL = 3
MAX_JSON_DEPTH = 64
JSON_CONTAINERS_PER_ROW = 10
JSON_TEXTS_PER_CELL = 2


def max_cells() -> int:
    return CELLS_PER_ROW * settings.max_rows()


def max_unpacked_bytes() -> int:
    """Largest size one part of an XLSX archive may unpack to."""
    return UNPACK_RATIO * settings.max_bytes()


def max_shared_chars() -> int:
    return SHARED_CHARS_PER_BYTE * settings.max_bytes()


def max_xml_elements() -> int:
    return XML_ELEMENTS_PER_CELL * max_cells() + 2 * EXCEL_MAX_ROWS


def fmt(n: int) -> str:
    """``2000000`` -> ``"2 000 000"`` (French thousands separator)."""
    return f"{n:,}".replace(",", " ")


def refuse(table: str, message: str, fix: str, row: int | None = None, column: str | None = None,
           value: object = "") -> RegistryError:
    """The :class:`RegistryError` for a limit crossed while reading."""
    return RegistryError([Issue(ERREUR, table, row, column, "" if value is None else str(value), message, fix)])


def too_many_rows(table: str, name: str) -> RegistryError:
    limit = settings.max_rows()
    return refuse(table, f"plus de {limit} lignes, au-delà de la limite de {limit} : la lecture est arrêtée",
                  "découpez le registre ou augmentez PTCE_MAX_ROWS", value=name)


def too_many_columns(table: str, count: int | str, where: str, row: int | None = None,
                     column: str | None = None) -> RegistryError:
    return refuse(table, f"{where} compte {count} colonnes, au-delà de la limite de {MAX_COLUMNS}",
                  "supprimez les colonnes vides ou inutiles (séparateurs en trop en fin de ligne, "
                  "colonnes sans en-tête) puis enregistrez à nouveau", row=row, column=column)


def too_many_cells(table: str, rows: int, columns: int) -> RegistryError:
    return refuse(table, f"{fmt(rows)} lignes × {columns} colonnes = {fmt(rows * columns)} cellules, au-delà de "
                         f"la limite de {fmt(max_cells())} cellules par table",
                  "supprimez les colonnes inutiles ou découpez le registre (la limite suit PTCE_MAX_ROWS)")
