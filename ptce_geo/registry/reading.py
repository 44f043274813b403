"""Reading a registry file (CSV, XLSX, GeoJSON) into raw tables of strings.

Nothing is validated here beyond what it takes to read: encodings, delimiters,
quotes, sheets, limits on size. Every problem is an :class:`Issue`; a file
that cannot be read at all raises :class:`RegistryError`.
"""

from __future__ import annotations

import csv
import io
import json
import math
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO

import pandas as pd

from .. import settings
from ..text import slug
from .model import AVERTISSEMENT, ERREUR, LIST_SEPARATOR, Issue, RegistryError

SHEET_NAMES = {
    "poles": {"poles", "pole", "ptce", "registre", "liste_des_poles", "les_poles"},
    "soutiens": {"soutiens", "soutien", "supports", "aides", "financements", "soutiens_des_collectivites"},
}




Source = str | Path | bytes | BinaryIO


def _read_bytes(source: Source) -> tuple[bytes, str]:
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.exists():
            raise RegistryError([Issue.file(str(path),
                                       f"le fichier « {path} » n'existe pas",
                                       "vérifiez le chemin du fichier")])
        if path.is_dir():
            raise RegistryError([Issue.file(str(path),
                                       f"« {path} » est un dossier, pas un fichier",
                                       "indiquez le fichier CSV, XLSX ou GeoJSON du registre")])
        size = path.stat().st_size
        if size > settings.max_bytes():
            raise RegistryError([_too_big(size, path.name)])
        return path.read_bytes(), path.name
    if isinstance(source, bytes):
        return source, ""
    data = source.read()
    return data, getattr(source, "name", "")


def _too_big(size: int, name: str) -> Issue:
    return Issue.file(name,
                 f"le fichier fait {size / 1e6:.1f} Mo, au-delà de la limite de {settings.max_upload_mb():.0f} Mo",
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
            raise RegistryError([Issue.file(name,
                                       "fichier UTF-16 illisible (octets invalides)",
                                       "enregistrez le tableau en « CSV UTF-8 »")])
        issues.append(Issue.file(name,
                            "fichier encodé en UTF-16 : lu correctement",
                            "enregistrez de préférence en « CSV UTF-8 »", level=AVERTISSEMENT))
        return text
    if b"\x00" in data[:4096]:
        raise RegistryError([Issue.file(name,
                                   "le fichier contient des données binaires : ce n'est pas un CSV",
                                   "enregistrez le tableau au format CSV (séparateur ; ou ,) ou XLSX")])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        issues.append(Issue.file(name,
                            "fichier non UTF-8 : lu comme Windows-1252 (encodage d'Excel sous Windows)",
                            "vérifiez les accents ; enregistrez de préférence en « CSV UTF-8 »", level=AVERTISSEMENT))
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
        raise RegistryError([Issue.file(name,
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
        raise RegistryError([Issue.file(name, f"GeoJSON illisible ({exc})",
                                   "vérifiez que le fichier est un GeoJSON valide (FeatureCollection)")])
    features = doc.get("features") if isinstance(doc, dict) else None
    if not isinstance(features, list):
        raise RegistryError([Issue.file(name,
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
    if len(data) > settings.max_bytes():
        raise RegistryError([_too_big(len(data), name)])
    if not data.strip():
        raise RegistryError([Issue.file(name, "le fichier est vide",
                                   "ajoutez une ligne d'en-tête et une ligne par pôle (voir le modèle)")])
    suffix = Path(name).suffix.lower()
    if suffix == ".xls" or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise RegistryError([Issue.file(name,
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
        raise RegistryError([Issue.file(name, "le classeur ne contient aucune donnée",
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
            issues.append(Issue.file(first_title,
                                f"aucune feuille nommée « poles » : la feuille « {first_title} » est lue comme liste des pôles",
                                "nommez les feuilles « poles » et « soutiens »", level=AVERTISSEMENT))
    for title in sheets:
        if not any(sheets[title] is frame for frame in picked.values()) and slug(title) not in {"lisez_moi", "aide", "notice", "vocabulaire"}:
            issues.append(Issue.file(title,
                                f"la feuille « {title} » n'est pas lue",
                                "nommez les feuilles « poles » et « soutiens »", level=AVERTISSEMENT))
    return picked
