"""Validating the poles and soutiens tables: values parsed, vocabulary matched,
every problem reported with its row, column, value and fix."""

from __future__ import annotations

import math
import re
from datetime import date

import numpy as np
import pandas as pd

from .. import settings, vocab
from ..export import neutralise
from ..text import is_blank, split_list, thousands
from .headers import ALIASES, Headers, map_headers, missing_required, user_header
from .model import AVERTISSEMENT, ERREUR, LIST_SEPARATOR, POLE_COLUMNS, SOUTIEN_COLUMNS, Issue, RegistryError
from . import dates
from .cells import unique_headers

#: A cell longer than this is refused (a pasted document, a broken export).
MAX_CELL_CHARS = 10_000

#: Characters no registry cell holds (tab, line feed and carriage return are kept):
#: NUL and other C0 controls, DEL and the C1 controls.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

_NUMBER_JUNK = re.compile(r"[\s\u00a0\u202f€]|eur(os?)?$", re.IGNORECASE)


def parse_number(value: object) -> float | None:
    """``"12 000,50 €"`` -> 12000.5; ``"1.234,5"`` -> 1234.5; raises ValueError."""
    text = _NUMBER_JUNK.sub("", str(value).strip())
    if not text:
        return None
    if "," in text and "." in text:
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    else:
        text = text.replace(",", ".")
    number = float(text)
    if math.isnan(number) or math.isinf(number):
        raise ValueError("not finite")
    return number


class _Checker:
    """Collects issues while cleaning one table.

    Rows are addressed by position (the frame has a RangeIndex); validity is kept
    in an array and written back by :meth:`done`: one pandas write per column,
    not one per cell (a cell write costs about 80 µs, 100,000 rows × 3 columns 24 s).
    """

    def __init__(self, table: str, frame: pd.DataFrame):
        self.table = table
        self.frame = frame
        self.issues: list[Issue] = []
        self.lines = frame["_ligne"].to_numpy()
        self.valid = frame["_valide"].to_numpy(dtype=bool, copy=True)

    def add(self, level: str, row: int, column: str | None, value: object, message: str, fix: str = ""):
        self.issues.append(Issue(level, self.table, int(self.lines[row]), user_header(self.frame, column),
                                 "" if is_blank(value) else str(value), message, fix))

    def reject(self, row: int, column: str | None, value: object, message: str, fix: str):
        self.valid[row] = False
        self.add(ERREUR, row, column, value, message + " ; la ligne est écartée de l'analyse", fix)

    def done(self) -> None:
        self.frame["_valide"] = self.valid

    def vocab(self, column: str, kind: str, multiple: bool = False):
        if column not in self.frame:
            return
        out = []
        guessed: dict[str, list] = {}  # a synonym -> (code, rows where it was read)
        seen: dict[str, tuple] = {}  # a registry repeats the same few values: each is read once
        for row, value in enumerate(self.frame[column].tolist()):
            if is_blank(value):
                out.append("")
                continue
            if value not in seen:
                parts = _vocab_parts(kind, value) if multiple else [str(value).strip()]
                codes, bad, guesses = [], [], []
                for part in parts:
                    code = vocab.match(kind, part)
                    (codes.append(code) if code else bad.append(part))
                    if code and vocab.is_synonym(kind, part, code):
                        guesses.append((part, code))
                codes = list(dict.fromkeys(codes))
                seen[value] = (LIST_SEPARATOR.join(codes) if multiple else (codes[0] if codes else ""), bad, guesses)
            cell, bad, guesses = seen[value]
            out.append(cell)
            for part, code in guesses:
                guessed.setdefault(part, [code, []])[1].append(row)
            for part in bad:
                self.add(ERREUR, row, column, part, f"valeur inconnue pour « {column} »",
                         f"utilisez {vocab.accepted(kind)}")
        self.frame[column] = pd.Series(out, index=self.frame.index, dtype=object)
        self.synonyms(column, kind, guessed)

    def synonyms(self, column: str, kind: str, guessed: dict[str, list]) -> None:
        """One warning per value read through a synonym (« mature » as « Consolidé »), at its first row."""
        for value, (code, rows) in guessed.items():
            others = f" (et {len(rows) - 1} autre(s) ligne(s))" if len(rows) > 1 else ""
            self.add(AVERTISSEMENT, rows[0], column, value,
                     f"« {value} » est lu comme « {vocab.label(kind, code)} » (code {code}){others}",
                     f"si ce n'est pas le sens voulu, corrigez la valeur : {vocab.accepted(kind)}")

    def date(self, column: str):
        """Dates read day first (02/10/2025) or year first (2025-10-02), written back as
        ``AAAA-MM-JJ``; a cell that is not a date is reported and kept as typed."""
        if column not in self.frame:
            return
        out, today, seen = [], date.today(), {}
        fix = ("écrivez la date sous la forme jour/mois/année, par exemple 02/10/2025 (ou 2025-10-02), "
               "ou laissez la case vide")
        for row, value in enumerate(self.frame[column].tolist()):
            try:
                if value not in seen:  # the same few dates on many rows: each read once
                    seen[value] = dates.parse_date(value)
                day = seen[value]
            except (ValueError, OverflowError):
                self.add(ERREUR, row, column, value,
                         f"« {column} » n'est pas une date lisible : la valeur est gardée telle quelle", fix)
                out.append(value)
                continue
            if day is not None and day > today:
                self.add(ERREUR, row, column, value,
                         f"« {column} » est dans le futur ({dates.french(day)}, lu jour/mois/année)",
                         "corrigez la date : une mise à jour ne peut pas être postérieure à aujourd'hui ; "
                         "écrivez-la sous la forme jour/mois/année, par exemple 02/10/2025")
            out.append("" if day is None else dates.iso(day))
        self.frame[column] = pd.Series(out, index=self.frame.index, dtype=object)

    def number(self, column: str, integer: bool = False, low: float | None = None, high: float | None = None,
               what: str = "un nombre"):
        if column not in self.frame:
            return
        out = []
        for row, value in enumerate(self.frame[column].tolist()):
            if is_blank(value):
                out.append(None)
                continue
            try:
                number = parse_number(value)
                if integer and number is not None and not float(number).is_integer():
                    raise ValueError
                if number is not None and ((low is not None and number < low) or (high is not None and number > high)):
                    raise ValueError
            except (ValueError, OverflowError):
                bounds = ""
                if low is not None and high is not None:
                    bounds = f" entre {low:g} et {high:g}"
                elif low is not None:
                    bounds = f" supérieur ou égal à {low:g}"
                decimals = "" if integer else " (virgule ou point décimal acceptés)"
                self.add(ERREUR, row, column, value, f"« {column} » doit être {what}{bounds}",
                         f"saisissez {what}{bounds}{decimals} ou laissez la case vide")
                out.append(None)
                continue
            out.append(int(number) if integer and number is not None else number)
        self.frame[column] = pd.array(out, dtype="Int64" if integer else "Float64")


def _vocab_parts(kind: str, value: object) -> list[str]:
    """The values of a list cell. Without ``|``, the cell may be split on ``;`` or ``,``,
    and a label may hold a comma (« Emploi, insertion », « Aménagement, immobilier et
    foncier »): neighbours that together make a term are kept together."""
    parts = split_list(value)
    if "|" in str(value):
        return parts
    out, i = [], 0
    while i < len(parts):
        # a label holds at most two commas: look at most three parts ahead (a cell of
        # thousands of commas stays linear)
        j = next((j for j in range(min(len(parts), i + 4), i + 1, -1)
                  if vocab.match(kind, ", ".join(parts[i:j]))), i + 1)
        out.append(", ".join(parts[i:j]))
        i = j
    return out


def _clean_column(column: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Text of one column: None as "", BOMs and control characters dropped, spaces trimmed,
    protected formulas unprotected; with the rows where control characters were found."""
    text = column.map(lambda v: "" if v is None else v if isinstance(v, str) else str(v))
    controls = np.zeros(len(text), dtype=bool)
    if CONTROL_CHARS.search("\n".join(text.tolist())):  # one search per column; rows only when found
        controls = text.str.contains(CONTROL_CHARS).to_numpy(dtype=bool)
        text = text.str.replace(CONTROL_CHARS, "", regex=True)
    text = text.str.replace("\ufeff", "", regex=False).str.strip()
    protected = text.str.startswith("'")
    if protected.any():
        text[protected] = text[protected].map(_unprotect)
    return text.astype(object), controls


def _report_controls(found: dict[str, np.ndarray], frame: pd.DataFrame, table: str, issues: list[Issue]) -> None:
    """One warning per column where invisible control characters were removed (a NUL
    of a badly converted UTF-16 file makes two ids differ that look alike)."""
    for column, mask in found.items():
        rows = np.flatnonzero(mask)
        if len(rows):
            others = f" (et {len(rows) - 1} autre(s) ligne(s))" if len(rows) > 1 else ""
            issues.append(Issue(AVERTISSEMENT, table, int(frame["_ligne"].iloc[rows[0]]), user_header(frame, column),
                                frame[column].iloc[rows[0]],
                                "caractères de contrôle invisibles (NUL…) retirés de la cellule" + others,
                                "vérifiez la valeur ; enregistrez le fichier en « CSV UTF-8 » depuis le tableur"))


def _unprotect(value: str) -> str:
    return value[1:] if value.startswith("'") and neutralise(value[1:]) != value[1:] else value


def _prepare(frame: pd.DataFrame, table: str, name: str,
             renames: dict[str, str] | None = None) -> tuple[pd.DataFrame, dict[str, str], list[Issue]]:
    if renames:  # the user's own column mapping comes first
        frame = frame.rename(columns={k: v for k, v in renames.items() if k in frame.columns and v})
    headers, issues = map_headers(frame.columns, table)
    if len(frame) > settings.max_rows():
        raise RegistryError([Issue(ERREUR, table, None, None, name,
                                   f"{len(frame)} lignes, au-delà de la limite de {settings.max_rows()}",
                                   "découpez le registre ou augmentez PTCE_MAX_ROWS")])
    missing = missing_required(headers, table)
    if missing:
        found = ", ".join(f"« {c} »" for c in frame.columns) or "aucune"
        raise RegistryError(issues + [Issue(
            ERREUR, table, 1, c, "", f"colonne obligatoire « {c} » introuvable (colonnes lues : {found})",
            f"ajoutez une colonne « {c} » ou renommez la colonne correspondante "
            f"(noms acceptés : {', '.join([c] + ALIASES[table][c][:6])})") for c in missing])
    if table == "poles" and len(frame) == 0:
        raise RegistryError(issues + [Issue(
            ERREUR, table, None, None, name, "le fichier ne contient que la ligne d'en-tête, aucun pôle",
            "ajoutez une ligne par pôle sous l'en-tête")])
    canonical = POLE_COLUMNS if table == "poles" else SOUTIEN_COLUMNS
    # a column left under its own name must not collide with a recognised one
    # (``commune_`` recognised as ``commune``, and a second column ``commune``)
    taken = set(headers.values()) | set(canonical)
    frame = frame.copy()
    frame.columns = unique_headers([headers[c] if c in headers else
                                    (f"{c} (doublon)" if c in taken else c) for c in frame.columns], issues, table)
    for col in canonical:
        if col not in frame:
            frame[col] = ""
    # a byte-order mark inside the file (two exports pasted together) is invisible: drop it;
    # a formula our extracts neutralised (« '=… ») reads back as written
    controls = {}
    for col in frame.columns:
        frame[col], controls[col] = _clean_column(frame[col])
    frame.insert(0, "_ligne", range(2, len(frame) + 2))
    frame["_valide"] = True
    chosen = {v: k for k, v in (renames or {}).items() if v}
    # canonical -> the header as the user wrote it (through their own mapping if any)
    frame.attrs["entetes"] = Headers({v: chosen.get(k, k) for k, v in headers.items()})
    _report_controls(controls, frame, table, issues)
    for col in frame.columns.drop(["_ligne", "_valide"]):
        too_long = frame[col].str.len() > MAX_CELL_CHARS
        for row in frame.index[too_long]:
            issues.append(Issue(ERREUR, table, int(frame.at[row, "_ligne"]), user_header(frame, col),
                                frame.at[row, col][:60],
                                f"cellule de {thousands(len(frame.at[row, col]))} caractères, au-delà de "
                                f"{thousands(MAX_CELL_CHARS)} : elle est vidée",
                                "vérifiez l'export : une cellule ne devrait contenir qu'une valeur courte"))
            frame.at[row, col] = ""
    extras = [c for c in frame.columns if c not in canonical and c not in ("_ligne", "_valide")]
    entetes = frame.attrs["entetes"]
    frame = frame[["_ligne"] + canonical + extras + ["_valide"]].reset_index(drop=True)
    frame.attrs["entetes"] = entetes
    return frame, headers, issues


def validate_poles(frame: pd.DataFrame, name: str = "",
                   renames: dict[str, str] | None = None) -> tuple[pd.DataFrame, list[Issue]]:
    """Clean the poles table; see the module docstring for the rules."""
    frame, headers, issues = _prepare(frame, "poles", name, renames)
    check = _Checker("poles", frame)
    if "id" not in headers.values():
        frame["id"] = [f"P{n:04d}" for n in range(1, len(frame) + 1)]
        issues.append(Issue(AVERTISSEMENT, "poles", 1, "id", "",
                            "pas de colonne « id » : identifiants P0001, P0002… attribués dans l'ordre des lignes",
                            "ajoutez une colonne « id » pour relier des soutiens aux pôles"))
    names, ids = frame["nom"].tolist(), frame["id"].tolist()
    for row in range(len(frame)):
        if not names[row]:
            check.reject(row, "nom", "", "nom du pôle manquant", "saisissez le nom du pôle")
        if not ids[row]:
            check.reject(row, "id", "", "identifiant manquant", "donnez à chaque pôle un identifiant unique")
    dup = (frame["id"].ne("") & frame["id"].duplicated(keep="first")).to_numpy()
    first_line = frame.drop_duplicates("id").set_index("id")["_ligne"].to_dict()
    for row in np.flatnonzero(dup):
        check.reject(row, "id", ids[row], f"identifiant déjà utilisé à la ligne {first_line[ids[row]]}",
                     "donnez à chaque pôle un identifiant unique")
    check.vocab("typologie", "typologie")
    check.vocab("stade", "stade")
    check.vocab("secteurs", "secteur", multiple=True)
    # ranges are checked when locating, where a hint can say what went wrong
    check.number("latitude", what="une latitude en degrés décimaux (WGS84)")
    check.number("longitude", what="une longitude en degrés décimaux (WGS84)")
    check.number("annee_creation", integer=True, low=1900, high=date.today().year + 1, what="une année")
    check.number("nb_membres", integer=True, low=0, what="un nombre entier")
    check.number("emplois", low=0, what="un nombre")
    check.date("date_maj")
    check.done()
    return frame, issues + check.issues


def validate_soutiens(frame: pd.DataFrame, pole_ids: set[str], name: str = "",
                      renames: dict[str, str] | None = None) -> tuple[pd.DataFrame, list[Issue]]:
    """Clean the supports table; rows naming an unknown pole are rejected."""
    frame, headers, issues = _prepare(frame, "soutiens", name, renames)
    check = _Checker("soutiens", frame)
    levels = []
    guessed: dict[str, list] = {}
    for row, (pid, level) in enumerate(zip(frame["pole_id"].tolist(), frame["collectivite_niveau"].tolist())):
        if not pid:
            check.reject(row, "pole_id", "", "identifiant de pôle manquant",
                         "indiquez l'identifiant (colonne id des pôles) du pôle soutenu")
        elif pid not in pole_ids:
            check.reject(row, "pole_id", pid, "aucun pôle valide ne porte cet identifiant",
                         "corrigez l'identifiant ou ajoutez le pôle à la table des pôles")
        code = vocab.match("niveau", level)
        levels.append(code or "")
        if not code:
            check.reject(row, "collectivite_niveau", level,
                         "niveau de collectivité manquant" if not level else "niveau de collectivité inconnu",
                         f"utilisez {vocab.accepted('niveau')}")
        elif vocab.is_synonym("niveau", level, code):
            guessed.setdefault(level, [code, []])[1].append(row)
    frame["collectivite_niveau"] = pd.Series(levels, index=frame.index, dtype=object)
    check.synonyms("collectivite_niveau", "niveau", guessed)
    check.vocab("forme", "forme")
    check.vocab("leviers", "levier", multiple=True)
    check.number("annee", integer=True, low=1990, high=date.today().year + 1, what="une année")
    check.number("montant_eur", low=0, what="un montant en euros")
    check.done()
    return frame, issues + check.issues


def empty_soutiens() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in ["_ligne"] + SOUTIEN_COLUMNS})
    frame["_valide"] = pd.Series(dtype=bool)
    return frame
