"""The registry's vocabulary of tables, columns and problems.

:class:`Issue` is one problem in French (row, column, value, fix);
:class:`RegistryError` a file that cannot be read at all; :class:`Registry`
the validated tables with their issues.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from .. import formats
from . import dates

ERREUR = "erreur"
AVERTISSEMENT = "avertissement"

POLE_COLUMNS = ["id", "nom", "commune_insee", "commune", "departement", "code_postal",
                "latitude", "longitude", "typologie", "secteurs", "stade", "annee_creation",
                "nb_membres", "emplois", "perimetre", "porteur", "site_web", "date_maj", "source"]
SOUTIEN_COLUMNS = ["pole_id", "collectivite_niveau", "collectivite_code", "collectivite_nom",
                   "forme", "leviers", "annee", "montant_eur"]
REQUIRED = {"poles": ["nom"], "soutiens": ["pole_id", "collectivite_niveau"]}
LIST_SEPARATOR = "|"


@dataclass
class Issue:
    """One problem found in the registry, in French."""

    niveau: str          # "erreur" blocks, "avertissement" was fixed or is informative
    table: str           # "poles", "soutiens" or "fichier"
    ligne: int | None    # spreadsheet row (header = 1), None for the whole file
    colonne: str | None
    valeur: str
    message: str
    correction: str = ""

    def as_text(self) -> str:
        where = [self.table]
        if self.ligne is not None:
            where.append(f"ligne {self.ligne}")
        if self.colonne:
            where.append(f"colonne « {self.colonne} »")
        text = f"[{self.niveau.upper()}] {', '.join(where)} : {self.message}"
        if self.valeur:
            text += f" (valeur : « {_short(self.valeur)} »)"
        if self.correction:
            text += f". Correction : {self.correction}"
        return text

    @classmethod
    def file(cls, value: object, message: str, fix: str = "", level: str = ERREUR) -> "Issue":
        """A problem with the whole file (no row, no column)."""
        return cls(level, "fichier", None, None, "" if value is None else str(value), message, fix)


class RegistryError(Exception):
    """A file that cannot be read at all; carries its French issues."""

    def __init__(self, issues: list[Issue]):
        super().__init__("; ".join(i.message for i in issues))
        self.issues = issues


@dataclass
class Registry:
    """Validated poles and supports, with every issue found on the way."""

    poles: pd.DataFrame
    soutiens: pd.DataFrame
    issues: list[Issue] = field(default_factory=list)
    source: str = ""

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.niveau == ERREUR]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.niveau == AVERTISSEMENT]

    @property
    def is_valid(self) -> bool:
        return not self.errors

    def latest_update(self) -> date | None:
        """The latest ``date_maj`` of the usable poles, read as a date (``02/10/2025``
        is later than ``2025-06-30``), or None when no pole has a readable one."""
        if "date_maj" not in self.poles:
            return None
        usable = self.poles["_valide"].astype(bool) if "_valide" in self.poles else slice(None)
        return dates.latest(self.poles.loc[usable, "date_maj"].tolist())

    def report_frame(self) -> pd.DataFrame:
        """The issues as a table (for display and download)."""
        return report_frame(self.issues)

    def report_text(self) -> str:
        """A French report: a summary line, then one line per issue."""
        n_ok = int(self.poles["_valide"].sum()) if "_valide" in self.poles else len(self.poles)
        lines = [f"{self.source or 'Registre'} : {formats.count(len(self.poles), 'pôle lu', 'pôles lus')} "
                 f"({formats.integer(n_ok)} utilisable{'s' if n_ok > 1 else ''}), "
                 f"{formats.count(len(self.soutiens), 'soutien', 'soutiens')} ; "
                 f"{formats.count(len(self.errors), 'erreur', 'erreurs')}, "
                 f"{formats.count(len(self.warnings), 'avertissement', 'avertissements')}."]
        latest = self.latest_update()
        if latest is not None:
            lines[0] += f" Dernière mise à jour d'un pôle : {dates.french(latest)}."
        lines += [i.as_text() for i in in_file_order(self.issues)]
        return "\n".join(lines)


def report_frame(issues: list[Issue]) -> pd.DataFrame:
    """Issues as a table (for display and download), one row each, in file order
    (:func:`in_file_order`). ``ligne`` is text: the row
    number, or an empty cell for an issue about the whole file (never ``None``)."""
    return pd.DataFrame([{"niveau": i.niveau, "table": i.table, "ligne": "" if i.ligne is None else str(i.ligne),
                          "colonne": i.colonne or "", "valeur": _short(i.valeur),
                          "message": i.message, "correction": i.correction}
                         for i in in_file_order(issues)],
                        columns=["niveau", "table", "ligne", "colonne", "valeur", "message", "correction"])


def in_file_order(issues: list[Issue]) -> list[Issue]:
    """Issues by table (in the order they were found), then by line, the whole file's first:
    a report that reads down the file, on screen, in its CSV and on the command line."""
    tables = list(dict.fromkeys(i.table for i in issues))
    return sorted(issues, key=lambda i: (tables.index(i.table), i.ligne or 0))


def _short(value: object, limit: int = 80) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
