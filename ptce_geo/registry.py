"""Read and validate a registry of poles and supports (CSV, XLSX, GeoJSON).

Two tables (see ``geodata/schema``): ``poles`` and ``soutiens``. Headers
are matched case- and accent-insensitively, with aliases. Every problem
becomes an :class:`Issue` naming the row (as numbered in a spreadsheet: the
header is row 1), the column, the value and the fix, in French. Nothing is
dropped silently: a row with a blocking error stays in the table with
``_valide = False`` and its issue listed; a bad cell is emptied and reported.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO, Iterable

import pandas as pd

from . import vocab
from .text import is_blank, slug

ERREUR = "erreur"
AVERTISSEMENT = "avertissement"

POLE_COLUMNS = ["id", "nom", "commune_insee", "commune", "departement", "code_postal",
                "latitude", "longitude", "typologie", "secteurs", "stade", "annee_creation",
                "nb_membres", "emplois", "perimetre", "porteur", "site_web", "date_maj", "source"]
SOUTIEN_COLUMNS = ["pole_id", "collectivite_niveau", "collectivite_code", "collectivite_nom",
                   "forme", "leviers", "annee", "montant_eur"]
REQUIRED = {"poles": ["nom"], "soutiens": ["pole_id", "collectivite_niveau"]}
LIST_SEPARATOR = "|"

#: Header aliases, as slugs (see :func:`ptce_geo.text.slug`).
ALIASES = {
    "poles": {
        "id": ["identifiant", "id_pole", "code_pole", "ref", "reference", "numero", "n", "no", "num"],
        "nom": ["nom_du_pole", "nom_pole", "pole", "ptce", "nom_du_ptce", "nom_ptce", "raison_sociale",
                "denomination", "intitule", "name", "libelle"],
        "commune_insee": ["code_insee", "insee", "code_commune", "cog", "code_commune_insee", "codgeo",
                          "insee_commune", "code_insee_commune"],
        "commune": ["ville", "nom_commune", "localite", "municipalite", "commune_siege", "ville_siege",
                    "nom_de_la_commune", "city", "commune_du_siege", "ville_du_siege"],
        "departement": ["dep", "dept", "departement_code", "code_departement", "num_departement",
                        "departement_siege", "dpt"],
        "code_postal": ["cp", "postal", "code_postale", "zip", "codepostal"],
        "latitude": ["lat", "y", "y_wgs84", "lat_wgs84"],
        "longitude": ["lon", "lng", "long", "x", "x_wgs84", "lon_wgs84"],
        "typologie": ["type", "type_de_pole", "type_pole", "typologie_du_pole"],
        "secteurs": ["secteur", "secteur_d_activite", "secteurs_d_activite", "domaines", "domaine",
                     "filieres", "thematiques", "thematique"],
        "stade": ["etape", "stade_de_developpement", "maturite", "etat", "phase"],
        "annee_creation": ["annee", "annee_de_creation", "creation", "date_creation", "date_de_creation"],
        "nb_membres": ["membres", "nombre_de_membres", "nb_structures", "nombre_membres", "structures_membres"],
        "emplois": ["nb_emplois", "emplois_directs", "etp", "nombre_d_emplois"],
        "perimetre": ["perimetre_d_action", "territoire", "territoires", "perimetre_codes", "zone_d_action"],
        "porteur": ["structure_porteuse", "porteur_du_pole", "structure_support"],
        "site_web": ["site", "url", "site_internet", "web", "website"],
        "date_maj": ["mise_a_jour", "maj", "date_de_mise_a_jour", "derniere_mise_a_jour"],
        "source": ["sources", "origine"],
    },
    "soutiens": {
        "pole_id": ["id_pole", "pole", "identifiant_pole", "ptce_id", "code_pole", "id_du_pole", "ref_pole"],
        "collectivite_niveau": ["niveau", "niveau_collectivite", "type_collectivite", "echelon",
                                "type_de_collectivite", "niveau_de_collectivite"],
        "collectivite_code": ["code_collectivite", "code_territoire", "siren", "code_insee_collectivite"],
        "collectivite_nom": ["collectivite", "nom_collectivite", "nom_de_la_collectivite"],
        "forme": ["forme_soutien", "type_soutien", "type_de_soutien", "nature", "forme_du_soutien", "nature_du_soutien"],
        "leviers": ["levier", "leviers_mobilises", "levier_mobilise"],
        "annee": ["annee_soutien", "date", "exercice"],
        "montant_eur": ["montant", "montant_euros", "montant_en_euros", "montant_eur_ttc", "montant_ht"],
    },
}

SHEET_NAMES = {
    "poles": {"poles", "pole", "ptce", "registre", "liste_des_poles", "les_poles"},
    "soutiens": {"soutiens", "soutien", "supports", "aides", "financements", "soutiens_des_collectivites"},
}

#: Settings for the limits on what a user can load.
MAX_ROWS = int(os.environ.get("PTCE_MAX_ROWS", "100000"))
MAX_BYTES = int(float(os.environ.get("PTCE_MAX_UPLOAD_MB", "20")) * 1024 * 1024)
#: A cell longer than this is refused (a pasted document, a broken export).
MAX_CELL_CHARS = 10_000


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

    def report_frame(self) -> pd.DataFrame:
        """The issues as a table (for display and download)."""
        return pd.DataFrame([{"niveau": i.niveau, "table": i.table, "ligne": i.ligne,
                              "colonne": i.colonne or "", "valeur": _short(i.valeur),
                              "message": i.message, "correction": i.correction}
                             for i in self.issues],
                            columns=["niveau", "table", "ligne", "colonne", "valeur", "message", "correction"])

    def report_text(self) -> str:
        """A French report: a summary line, then one line per issue."""
        n_ok = int(self.poles["_valide"].sum()) if "_valide" in self.poles else len(self.poles)
        lines = [f"{self.source or 'Registre'} : {len(self.poles)} pôles lus ({n_ok} utilisables), "
                 f"{len(self.soutiens)} soutiens ; {len(self.errors)} erreur(s), "
                 f"{len(self.warnings)} avertissement(s)."]
        lines += [i.as_text() for i in self.issues]
        return "\n".join(lines)


def _short(value: object, limit: int = 80) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---------------------------------------------------------------------------
# Reading files into raw tables of strings


Source = str | Path | bytes | BinaryIO


def _read_bytes(source: Source) -> tuple[bytes, str]:
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.exists():
            raise RegistryError([Issue(ERREUR, "fichier", None, None, str(path),
                                       f"le fichier « {path} » n'existe pas",
                                       "vérifiez le chemin du fichier")])
        if path.is_dir():
            raise RegistryError([Issue(ERREUR, "fichier", None, None, str(path),
                                       f"« {path} » est un dossier, pas un fichier",
                                       "indiquez le fichier CSV, XLSX ou GeoJSON du registre")])
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise RegistryError([_too_big(size, path.name)])
        return path.read_bytes(), path.name
    if isinstance(source, bytes):
        return source, ""
    data = source.read()
    return data, getattr(source, "name", "")


def _too_big(size: int, name: str) -> Issue:
    return Issue(ERREUR, "fichier", None, None, name,
                 f"le fichier fait {size / 1e6:.1f} Mo, au-delà de la limite de {MAX_BYTES / 1e6:.0f} Mo",
                 "découpez le registre ou augmentez PTCE_MAX_UPLOAD_MB")


def _looks_utf16(data: bytes) -> str | None:
    """``utf-16-le`` / ``utf-16-be`` for BOM-less UTF-16 text (every other byte zero)."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def _decode(data: bytes, name: str, issues: list[Issue]) -> str:
    utf16 = "utf-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else _looks_utf16(data)
    if utf16:
        try:
            text = data.decode(utf16)
        except UnicodeDecodeError:
            raise RegistryError([Issue(ERREUR, "fichier", None, None, name,
                                       "fichier UTF-16 illisible (octets invalides)",
                                       "enregistrez le tableau en « CSV UTF-8 »")])
        issues.append(Issue(AVERTISSEMENT, "fichier", None, None, name,
                            "fichier encodé en UTF-16 : lu correctement",
                            "enregistrez de préférence en « CSV UTF-8 »"))
        return text
    if b"\x00" in data[:4096]:
        raise RegistryError([Issue(ERREUR, "fichier", None, None, name,
                                   "le fichier contient des données binaires : ce n'est pas un CSV",
                                   "enregistrez le tableau au format CSV (séparateur ; ou ,) ou XLSX")])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        issues.append(Issue(AVERTISSEMENT, "fichier", None, None, name,
                            "fichier non UTF-8 : lu comme Windows-1252 (encodage d'Excel sous Windows)",
                            "vérifiez les accents ; enregistrez de préférence en « CSV UTF-8 »"))
        return data.decode("cp1252", errors="replace")


def _sniff_delimiter(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _read_csv_text(text: str, name: str, table: str, issues: list[Issue]) -> pd.DataFrame:
    csv.field_size_limit(50 * 1024 * 1024)
    delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows = []
    try:
        for row in reader:
            rows.append(row)
    except csv.Error as exc:
        start = text.count("\n", 0, _line_offset(text, reader.line_num)) + 1 if rows else 1
        raise RegistryError([Issue(ERREUR, table, start, None, name,
                                   f"CSV illisible vers la ligne {reader.line_num} : guillemet non fermé ou mal placé "
                                   f"({exc})",
                                   "fermez le guillemet (\") ouvert sur cette ligne, ou enregistrez le fichier "
                                   "depuis le tableur en CSV")])
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        raise RegistryError([Issue(ERREUR, table, None, None, name, "le fichier est vide",
                                   "ajoutez une ligne d'en-tête et une ligne par pôle (voir le modèle)")])
    header, body = rows[0], rows[1:]
    width = len(header)
    fixed = []
    for offset, row in enumerate(body):
        if len(row) > width:
            extra = [c for c in row[width:] if c.strip()]
            if extra:
                issues.append(Issue(ERREUR, table, offset + 2, None, delimiter.join(extra),
                                    f"la ligne a {len(row)} valeurs pour {width} colonnes ; "
                                    "les valeurs en trop sont ignorées",
                                    "retirez le séparateur en trop ou mettez la valeur entre guillemets"))
            row = row[:width]
        fixed.append(row + [""] * (width - len(row)))
    frame = pd.DataFrame(fixed, columns=_unique_headers(header), dtype=object)
    return frame


def _line_offset(text: str, line: int) -> int:
    """Character offset of the start of 1-based ``line``."""
    offset = 0
    for _ in range(max(line - 1, 0)):
        found = text.find("\n", offset)
        if found < 0:
            break
        offset = found + 1
    return offset


def _unique_headers(header: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, h in enumerate(header):
        h = str(h).strip() or f"colonne_{i + 1}"
        if h in seen:
            seen[h] += 1
            h = f"{h}_{seen[h]}"
        else:
            seen[h] = 1
        out.append(h)
    return out


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _read_xlsx(data: bytes, name: str) -> dict[str, pd.DataFrame]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise RegistryError([Issue(ERREUR, "fichier", None, None, name,
                                   f"classeur XLSX illisible ({type(exc).__name__})",
                                   "ouvrez-le dans Excel ou LibreOffice et enregistrez-le à nouveau en .xlsx")])
    sheets = {}
    for sheet in book.worksheets:
        rows = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        rows = [r for r in rows if any(c.strip() for c in r)]
        if not rows:
            continue
        header = _unique_headers(rows[0])
        width = len(header)
        body = [(r + [""] * width)[:width] for r in rows[1:]]
        sheets[sheet.title] = pd.DataFrame(body, columns=header, dtype=object)
    book.close()
    return sheets


def _read_geojson(text: str, name: str) -> pd.DataFrame:
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise RegistryError([Issue(ERREUR, "fichier", None, None, name, f"GeoJSON illisible ({exc})",
                                   "vérifiez que le fichier est un GeoJSON valide (FeatureCollection)")])
    features = doc.get("features") if isinstance(doc, dict) else None
    if not isinstance(features, list):
        raise RegistryError([Issue(ERREUR, "fichier", None, None, name,
                                   "le GeoJSON n'a pas de liste « features »",
                                   "exportez les pôles en FeatureCollection de points")])
    records = []
    for feature in features:
        props = dict((feature or {}).get("properties") or {})
        geom = (feature or {}).get("geometry") or {}
        if geom.get("type") == "Point" and isinstance(geom.get("coordinates"), list) and len(geom["coordinates"]) >= 2:
            props.setdefault("longitude", geom["coordinates"][0])
            props.setdefault("latitude", geom["coordinates"][1])
        elif geom:
            props.setdefault("_geometrie", str(geom.get("type")))
        records.append({k: _cell_text(v) if not isinstance(v, (list, dict)) else
                        (LIST_SEPARATOR.join(map(str, v)) if isinstance(v, list) else json.dumps(v))
                        for k, v in props.items()})
    frame = pd.DataFrame(records, dtype=object).fillna("")
    if "_geometrie" in frame:
        frame = frame.rename(columns={"_geometrie": "geometrie_non_ponctuelle"})
    return frame


def read_tables(source: Source, name: str = "") -> tuple[dict[str, pd.DataFrame], list[Issue]]:
    """Read a file into raw string tables: ``{"poles": df, "soutiens": df?}``.

    Raises :class:`RegistryError` when nothing can be read.
    """
    data, found_name = _read_bytes(source)
    name = name or found_name or "fichier"
    issues: list[Issue] = []
    if len(data) > MAX_BYTES:
        raise RegistryError([_too_big(len(data), name)])
    if not data.strip():
        raise RegistryError([Issue(ERREUR, "fichier", None, None, name, "le fichier est vide",
                                   "ajoutez une ligne d'en-tête et une ligne par pôle (voir le modèle)")])
    suffix = Path(name).suffix.lower()
    if suffix == ".xls" or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise RegistryError([Issue(ERREUR, "fichier", None, None, name,
                                   "ancien format Excel (.xls) non pris en charge",
                                   "enregistrez le classeur au format .xlsx ou en CSV UTF-8")])
    if suffix in (".xlsx", ".xlsm") or data.startswith(b"PK"):
        sheets = _read_xlsx(data, name)
        return _pick_sheets(sheets, name, issues), issues
    text = _decode(data, name, issues)
    if suffix in (".geojson", ".json") or text.lstrip().startswith("{"):
        return {"poles": _read_geojson(text, name)}, issues
    return {"poles": _read_csv_text(text, name, "poles", issues)}, issues


def _pick_sheets(sheets: dict[str, pd.DataFrame], name: str, issues: list[Issue]) -> dict[str, pd.DataFrame]:
    if not sheets:
        raise RegistryError([Issue(ERREUR, "fichier", None, None, name, "le classeur ne contient aucune donnée",
                                   "remplissez la feuille « poles » (voir le modèle)")])
    picked: dict[str, pd.DataFrame] = {}
    for title, frame in sheets.items():
        for table, names in SHEET_NAMES.items():
            if slug(title) in names and table not in picked:
                picked[table] = frame
    if "poles" not in picked:
        first_title = next(iter(sheets))
        picked["poles"] = sheets[first_title]
        if len(sheets) > 1:
            issues.append(Issue(AVERTISSEMENT, "fichier", None, None, first_title,
                                f"aucune feuille nommée « poles » : la feuille « {first_title} » est lue comme liste des pôles",
                                "nommez les feuilles « poles » et « soutiens »"))
    for title in sheets:
        if not any(sheets[title] is frame for frame in picked.values()) and slug(title) not in {"lisez_moi", "aide", "notice", "vocabulaire"}:
            issues.append(Issue(AVERTISSEMENT, "fichier", None, None, title,
                                f"la feuille « {title} » n'est pas lue",
                                "nommez les feuilles « poles » et « soutiens »"))
    return picked


# ---------------------------------------------------------------------------
# Header mapping


def map_headers(columns: Iterable[str], table: str) -> tuple[dict[str, str], list[Issue]]:
    """Map original headers to canonical names. Unknown headers are kept as is."""
    canonical = POLE_COLUMNS if table == "poles" else SOUTIEN_COLUMNS
    aliases = ALIASES[table]
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    issues: list[Issue] = []
    columns = list(columns)
    # exact names first, then aliases
    for col in columns:
        key = slug(col)
        if key in canonical and key not in taken:
            mapping[col] = key
            taken.add(key)
    for col in columns:
        if col in mapping:
            continue
        key = slug(col)
        target = next((c for c in canonical if key in aliases.get(c, []) and c not in taken), None)
        if target:
            mapping[col] = target
            taken.add(target)
        elif key in canonical or any(key in a for a in aliases.values()):
            issues.append(Issue(AVERTISSEMENT, table, 1, col, col,
                                "colonne en double : une autre colonne porte déjà ce sens, celle-ci est conservée telle quelle",
                                "supprimez ou renommez l'une des deux colonnes"))
    return mapping, issues


def user_header(frame: pd.DataFrame, canonical: str | None) -> str | None:
    """The header the user wrote for a canonical column of a validated table."""
    return frame.attrs.get("entetes", {}).get(canonical, canonical) if canonical else canonical


def missing_required(mapping: dict[str, str], table: str) -> list[str]:
    return [c for c in REQUIRED[table] if c not in mapping.values()]


def unmatched_required(source: Source, name: str = "", soutiens: Source | None = None,
                       soutiens_name: str = "") -> dict[str, tuple[list[str], list[str]]]:
    """For a column-mapping step: ``{table: (missing required columns, the file's columns)}``."""
    tables, _ = read_tables(source, name)
    if soutiens is not None:
        extra, _ = read_tables(soutiens, soutiens_name)
        tables["soutiens"] = extra.get("soutiens", extra["poles"])
    out = {}
    for table, frame in tables.items():
        mapping, _ = map_headers(frame.columns, table)
        missing = missing_required(mapping, table)
        if missing:
            out[table] = (missing, list(frame.columns))
    return out


# ---------------------------------------------------------------------------
# Value parsing

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


def split_list(value: object) -> list[str]:
    """Split a list cell on ``|`` (also ``;`` and ``,`` when no ``|`` is used)."""
    text = "" if is_blank(value) else str(value)
    if not text.strip():
        return []
    sep = "|" if "|" in text else (";" if ";" in text else ",")
    return [part.strip() for part in text.split(sep) if part.strip()]


class _Checker:
    """Collects issues while cleaning one table."""

    def __init__(self, table: str, frame: pd.DataFrame):
        self.table = table
        self.frame = frame
        self.issues: list[Issue] = []

    def add(self, level: str, row: int, column: str | None, value: object, message: str, fix: str = ""):
        self.issues.append(Issue(level, self.table, int(self.frame.at[row, "_ligne"]),
                                 user_header(self.frame, column),
                                 "" if is_blank(value) else str(value), message, fix))

    def reject(self, row: int, column: str | None, value: object, message: str, fix: str):
        self.frame.at[row, "_valide"] = False
        self.add(ERREUR, row, column, value, message + " ; la ligne est écartée de l'analyse", fix)

    def vocab(self, column: str, kind: str, multiple: bool = False):
        if column not in self.frame:
            return
        for row, value in self.frame[column].items():
            if is_blank(value):
                self.frame.at[row, column] = ""
                continue
            parts = split_list(value) if multiple else [str(value).strip()]
            codes, bad = [], []
            for part in parts:
                code = vocab.match(kind, part)
                (codes.append(code) if code else bad.append(part))
            codes = list(dict.fromkeys(codes))
            self.frame.at[row, column] = LIST_SEPARATOR.join(codes) if multiple else (codes[0] if codes else "")
            for part in bad:
                self.add(ERREUR, row, column, part, f"valeur inconnue pour « {column} »",
                         f"utilisez l'une des valeurs : {vocab.expected(kind)}")

    def number(self, column: str, integer: bool = False, low: float | None = None, high: float | None = None,
               what: str = "un nombre"):
        if column not in self.frame:
            return
        out = []
        for row, value in self.frame[column].items():
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
                self.add(ERREUR, row, column, value, f"« {column} » doit être {what}{bounds}",
                         f"saisissez {what}{bounds} (virgule ou point décimal acceptés) ou laissez la case vide")
                out.append(None)
                continue
            out.append(int(number) if integer and number is not None else number)
        self.frame[column] = pd.array(out, dtype="Int64" if integer else "Float64")


def _prepare(frame: pd.DataFrame, table: str, name: str,
             renames: dict[str, str] | None = None) -> tuple[pd.DataFrame, dict[str, str], list[Issue]]:
    if renames:  # the user's own column mapping comes first
        frame = frame.rename(columns={k: v for k, v in renames.items() if k in frame.columns and v})
    headers, issues = map_headers(frame.columns, table)
    if len(frame) > MAX_ROWS:
        raise RegistryError([Issue(ERREUR, table, None, None, name,
                                   f"{len(frame)} lignes, au-delà de la limite de {MAX_ROWS}",
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
    frame.columns = _unique_headers([headers[c] if c in headers else
                                     (f"{c} (doublon)" if c in taken else c) for c in frame.columns])
    for col in canonical:
        if col not in frame:
            frame[col] = ""
    frame = frame.map(lambda v: "" if v is None else str(v).strip())
    frame.insert(0, "_ligne", range(2, len(frame) + 2))
    frame["_valide"] = True
    chosen = {v: k for k, v in (renames or {}).items() if v}
    # canonical -> the header as the user wrote it (through their own mapping if any)
    frame.attrs["entetes"] = {v: chosen.get(k, k) for k, v in headers.items()}
    for col in frame.columns.drop(["_ligne", "_valide"]):
        too_long = frame[col].str.len() > MAX_CELL_CHARS
        for row in frame.index[too_long]:
            issues.append(Issue(ERREUR, table, int(frame.at[row, "_ligne"]), user_header(frame, col),
                                frame.at[row, col][:60],
                                f"cellule de {len(frame.at[row, col]):,} caractères, au-delà de {MAX_CELL_CHARS:,} : "
                                "elle est vidée".replace(",", " "),
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
    for row in frame.index:
        if not frame.at[row, "nom"]:
            check.reject(row, "nom", "", "nom du pôle manquant", "saisissez le nom du pôle")
        if not frame.at[row, "id"]:
            check.reject(row, "id", "", "identifiant manquant", "donnez à chaque pôle un identifiant unique")
    dup = frame["id"].ne("") & frame["id"].duplicated(keep="first")
    first_line = frame.drop_duplicates("id").set_index("id")["_ligne"]
    for row in frame.index[dup]:
        check.reject(row, "id", frame.at[row, "id"],
                     f"identifiant déjà utilisé à la ligne {first_line[frame.at[row, 'id']]}",
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
    return frame, issues + check.issues


def validate_soutiens(frame: pd.DataFrame, pole_ids: set[str], name: str = "",
                      renames: dict[str, str] | None = None) -> tuple[pd.DataFrame, list[Issue]]:
    """Clean the supports table; rows naming an unknown pole are rejected."""
    frame, headers, issues = _prepare(frame, "soutiens", name, renames)
    check = _Checker("soutiens", frame)
    for row in frame.index:
        pid = frame.at[row, "pole_id"]
        if not pid:
            check.reject(row, "pole_id", "", "identifiant de pôle manquant",
                         "indiquez l'identifiant (colonne id des pôles) du pôle soutenu")
        elif pid not in pole_ids:
            check.reject(row, "pole_id", pid, "aucun pôle valide ne porte cet identifiant",
                         "corrigez l'identifiant ou ajoutez le pôle à la table des pôles")
        level = frame.at[row, "collectivite_niveau"]
        code = vocab.match("niveau", level)
        if code:
            frame.at[row, "collectivite_niveau"] = code
        else:
            check.reject(row, "collectivite_niveau", level,
                         "niveau de collectivité manquant" if not level else "niveau de collectivité inconnu",
                         f"utilisez l'une des valeurs : {vocab.expected('niveau')}")
            frame.at[row, "collectivite_niveau"] = ""
    check.vocab("forme", "forme")
    check.vocab("leviers", "levier", multiple=True)
    check.number("annee", integer=True, low=1990, high=date.today().year + 1, what="une année")
    check.number("montant_eur", low=0, what="un montant en euros")
    return frame, issues + check.issues


def empty_soutiens() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in ["_ligne"] + SOUTIEN_COLUMNS})
    frame["_valide"] = pd.Series(dtype=bool)
    return frame


def load_registry(poles: Source, soutiens: Source | None = None,
                  poles_name: str = "", soutiens_name: str = "",
                  renames: dict[str, dict[str, str]] | None = None) -> Registry:
    """Read and validate a registry. Raises :class:`RegistryError` only when
    a file cannot be read at all (no table, missing required column).

    ``renames`` = ``{"poles": {"Their header": "nom"}, "soutiens": {...}}`` is a
    column mapping chosen by the user, applied before header matching.
    """
    renames = renames or {}
    tables, issues = read_tables(poles, poles_name)
    name = poles_name or (Path(poles).name if isinstance(poles, (str, Path)) else "registre")
    if soutiens is not None:
        extra, more = read_tables(soutiens, soutiens_name)
        issues += more
        if "soutiens" in tables:
            issues.append(Issue(AVERTISSEMENT, "fichier", None, None, "",
                                "le classeur des pôles contient aussi une feuille « soutiens » : "
                                "c'est le fichier de soutiens fourni à part qui est utilisé",
                                "ne fournissez qu'une seule source de soutiens"))
        tables["soutiens"] = extra.get("soutiens", extra["poles"])
    poles_frame, more = validate_poles(tables["poles"], name, renames.get("poles"))
    issues += more
    valid_ids = set(poles_frame.loc[poles_frame["_valide"], "id"])
    if "soutiens" in tables:
        soutiens_frame, more = validate_soutiens(tables["soutiens"], valid_ids, name, renames.get("soutiens"))
        issues += more
    else:
        soutiens_frame = empty_soutiens()
    return Registry(poles=poles_frame, soutiens=soutiens_frame, issues=issues, source=name)
