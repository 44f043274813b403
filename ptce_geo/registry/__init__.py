"""Read and validate a registry of poles and supports (CSV, XLSX, GeoJSON).

Two tables (see ``geodata/schema``): ``poles`` and ``soutiens``. Headers
are matched case- and accent-insensitively, with aliases. Every problem
becomes an :class:`Issue` naming the row (as numbered in a spreadsheet: the
header is row 1), the column, the value and the fix, in French. Nothing is
dropped silently: a row with a blocking error stays in the table with
``_valide = False`` and its issue listed; a bad cell is emptied and reported.

The work is split the way it happens: :mod:`.reading` (bytes to raw tables),
:mod:`.headers` (headers to columns), :mod:`.validation` (values checked);
:mod:`.model` holds the tables' columns and the issue types. The public names
are re-exported here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..text import split_list
from .headers import ALIASES, map_headers, missing_required, user_header
from .model import (AVERTISSEMENT, ERREUR, LIST_SEPARATOR, POLE_COLUMNS, REQUIRED, SOUTIEN_COLUMNS, Issue,
                    Registry, RegistryError, report_frame)
from .reading import SHEET_NAMES, Source, read_tables
from .validation import MAX_CELL_CHARS, empty_soutiens, parse_number, validate_poles, validate_soutiens

__all__ = ["ALIASES", "AVERTISSEMENT", "ERREUR", "LIST_SEPARATOR", "MAX_CELL_CHARS", "POLE_COLUMNS", "REQUIRED",
           "SHEET_NAMES", "SOUTIEN_COLUMNS", "Issue", "RawRegistry", "Registry", "RegistryError", "Source",
           "empty_soutiens", "load_registry", "map_headers", "missing_required", "parse_number", "read_registry",
           "read_tables", "report_frame", "split_list",
           "unmatched_required", "user_header", "validate_poles", "validate_soutiens"]


@dataclass
class RawRegistry:
    """A registry read but not validated yet: parsed once, then checked against a column
    mapping as many times as the user changes it (see :func:`read_registry`)."""

    tables: dict[str, pd.DataFrame]
    issues: list[Issue] = field(default_factory=list)
    source: str = ""

    def unmatched(self) -> dict[str, tuple[list[str], list[str]]]:
        """For a column-mapping step: ``{table: (missing required columns, the file's columns)}``."""
        out = {}
        for table, frame in self.tables.items():
            mapping, _ = map_headers(frame.columns, table)
            missing = missing_required(mapping, table)
            if missing:
                out[table] = (missing, list(frame.columns))
        return out

    def validate(self, renames: dict[str, dict[str, str]] | None = None) -> Registry:
        """Validate the tables (the raw ones are left untouched). ``renames`` =
        ``{"poles": {"Their header": "nom"}, "soutiens": {...}}`` is a column mapping
        chosen by the user, applied before header matching."""
        renames = renames or {}
        issues = list(self.issues)
        poles_frame, more = validate_poles(self.tables["poles"], self.source, renames.get("poles"))
        issues += more
        valid_ids = set(poles_frame.loc[poles_frame["_valide"], "id"])
        if "soutiens" in self.tables:
            soutiens_frame, more = validate_soutiens(self.tables["soutiens"], valid_ids, self.source,
                                                     renames.get("soutiens"))
            issues += more
        else:
            soutiens_frame = empty_soutiens()
        return Registry(poles=poles_frame, soutiens=soutiens_frame, issues=issues, source=self.source)


def read_registry(poles: Source, soutiens: Source | None = None,
                  poles_name: str = "", soutiens_name: str = "") -> RawRegistry:
    """Read the file(s) of a registry into raw tables, with every limit applied while
    reading. Raises :class:`RegistryError` when a file cannot be read at all."""
    tables, issues = read_tables(poles, poles_name)
    name = poles_name or (Path(poles).name if isinstance(poles, (str, Path)) else "registre")
    if soutiens is not None:
        extra, more = read_tables(soutiens, soutiens_name)
        issues += more
        if "soutiens" in tables:
            issues.append(Issue.file("",
                                "le classeur des pôles contient aussi une feuille « soutiens » : "
                                "c'est le fichier de soutiens fourni à part qui est utilisé",
                                "ne fournissez qu'une seule source de soutiens", level=AVERTISSEMENT))
        tables["soutiens"] = extra.get("soutiens", extra["poles"])
    return RawRegistry(tables=tables, issues=issues, source=name)


def unmatched_required(source: Source, name: str = "", soutiens: Source | None = None,
                       soutiens_name: str = "") -> dict[str, tuple[list[str], list[str]]]:
    """For a column-mapping step: ``{table: (missing required columns, the file's columns)}``.
    Reads the file: when the registry is then loaded, prefer ``read_registry(...).unmatched()``
    followed by ``.validate(renames)``, which reads it once."""
    return read_registry(source, soutiens, name, soutiens_name).unmatched()


def load_registry(poles: Source, soutiens: Source | None = None,
                  poles_name: str = "", soutiens_name: str = "",
                  renames: dict[str, dict[str, str]] | None = None) -> Registry:
    """Read and validate a registry. Raises :class:`RegistryError` only when
    a file cannot be read at all (no table, missing required column).

    ``renames`` = ``{"poles": {"Their header": "nom"}, "soutiens": {...}}`` is a
    column mapping chosen by the user, applied before header matching.
    """
    return read_registry(poles, soutiens, poles_name, soutiens_name).validate(renames)
