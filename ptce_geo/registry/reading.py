"""Reading a registry file (CSV, XLSX, GeoJSON) into raw tables of strings.

Nothing is validated here beyond what it takes to read: encodings, delimiters,
quotes, sheets, limits on size. Every problem is an :class:`Issue`; a file
that cannot be read at all raises :class:`RegistryError`.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd

from .. import settings
from . import limits
from .cells import SHEET_NAMES, cell_text, unique_headers
from .model import AVERTISSEMENT, ERREUR, LIST_SEPARATOR, Issue, RegistryError

__all__ = ["SHEET_NAMES", "Source", "read_tables"]

# kept for the modules that imported them from here
_cell_text = cell_text
_unique_headers = unique_headers

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


_NOT_BLANK = re.compile(r"\S")


def _first_line(text: str) -> str:
    """The first non-blank line (ended by ``\\n`` or ``\\r``), found without splitting the whole text."""
    found = _NOT_BLANK.search(text)
    if not found:
        return ""
    at = found.start()
    start = max(text.rfind("\n", 0, at), text.rfind("\r", 0, at)) + 1
    ends = [i for i in (text.find("\n", at), text.find("\r", at)) if i >= 0]
    return text[start:min(ends) if ends else len(text)]


def _sniff_delimiter(first: str) -> str:
    counts = {d: first.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _read_csv_text(text: str, name: str, table: str, issues: list[Issue]) -> pd.DataFrame:
    csv.field_size_limit(50 * 1024 * 1024)
    first = _first_line(text)
    delimiter = _sniff_delimiter(first)
    if first.count(delimiter) + 1 > limits.MAX_COLUMNS:  # refused before a single row is split
        raise limits.too_many_columns(table, limits.fmt(first.count(delimiter) + 1), "la ligne d'en-tête", row=1)
    max_rows, max_cells = settings.max_rows() + 1, limits.max_cells()
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[list[str]] = []
    width = 0
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if not rows:
                width = len(row)
                if width > limits.MAX_COLUMNS:
                    raise limits.too_many_columns(table, limits.fmt(width), "la ligne d'en-tête", row=1)
            elif len(row) != width:
                if len(row) > width:
                    extra = [c for c in row[width:] if c.strip()]
                    if extra:
                        issues.append(Issue(ERREUR, table, len(rows) + 1, None, delimiter.join(extra[:10]),
                                            f"la ligne a {len(row)} valeurs pour {width} colonnes ; "
                                            "les valeurs en trop sont ignorées",
                                            "retirez le séparateur en trop ou mettez la valeur entre guillemets"))
                    row = row[:width]
                else:
                    row = row + [""] * (width - len(row))
            rows.append(row)
            if len(rows) > max_rows:
                raise limits.too_many_rows(table, name)
            if (len(rows) - 1) * width > max_cells:
                raise limits.too_many_cells(table, len(rows) - 1, width)
    except csv.Error:
        start = text.count("\n", 0, _line_offset(text, reader.line_num)) + 1 if rows else 1
        raise RegistryError([Issue(ERREUR, table, start, None, name,
                                   f"CSV illisible vers la ligne {reader.line_num} : guillemet non fermé ou mal placé",
                                   "fermez le guillemet (\") ouvert sur cette ligne, ou enregistrez le fichier "
                                   "depuis le tableur en CSV")])
    if not rows:
        raise RegistryError([Issue(ERREUR, table, None, None, name, "le fichier est vide",
                                   "ajoutez une ligne d'en-tête et une ligne par pôle (voir le modèle)")])
    return pd.DataFrame(rows[1:], columns=unique_headers(rows[0], issues, table), dtype=object)


def _line_offset(text: str, line: int) -> int:
    """Character offset of the start of 1-based ``line``."""
    offset = 0
    for _ in range(max(line - 1, 0)):
        found = text.find("\n", offset)
        if found < 0:
            break
        offset = found + 1
    return offset


_JSON_START = re.compile(rb"\s*[{\[]")
_ESCAPES = re.compile(rb'\\\\|\\"')
_STRINGS = re.compile(rb'"[^"]*"')
_STEP = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")
_NOT_BRACKET = bytes(set(range(256)) - set(b"[]{}"))
_GEOJSON_FIX = "vérifiez que le fichier est un GeoJSON valide (FeatureCollection de points)"


def _json_shape(data: bytes, name: str) -> None:
    """Count a JSON document's containers, texts and depth before parsing it, and refuse
    one that would cost more memory than the registry it can hold (linear time, bytes only)."""
    skeleton, texts = _STRINGS.subn(b"", _ESCAPES.sub(b"", data))
    containers = max(skeleton.count(b"{") + skeleton.count(b"["), skeleton.count(b"}") + skeleton.count(b"]"))
    max_containers = limits.JSON_CONTAINERS_PER_ROW * settings.max_rows()
    max_texts = limits.JSON_TEXTS_PER_CELL * limits.max_cells()
    if containers > max_containers or texts > max_texts:
        what = (f"{limits.fmt(containers)} objets et listes" if containers > max_containers
                else f"{limits.fmt(texts)} textes")
        raise limits.refuse("fichier", f"le GeoJSON contient {what}, bien plus qu'un registre de "
                                       f"{limits.fmt(settings.max_rows())} pôles : il n'est pas lu",
                            "exportez seulement les pôles, en FeatureCollection de points, ou découpez le fichier",
                            value=name)
    steps = np.frombuffer(skeleton.translate(_STEP, _NOT_BRACKET), dtype=np.int8)  # +1 opens, -1 closes
    if len(steps):
        depth = int(np.cumsum(steps, dtype=np.int32).max())
        if depth > limits.MAX_JSON_DEPTH:
            raise limits.refuse("fichier", f"le GeoJSON imbrique {limits.fmt(depth)} niveaux d'objets ou de listes, "
                                           f"au-delà de la limite de {limits.MAX_JSON_DEPTH}",
                                "un registre de pôles n'a besoin que de quelques niveaux : exportez les pôles en "
                                "FeatureCollection de points aux propriétés simples", value=name)


def _kind(value: object) -> str:
    return {str: "un texte", int: "un nombre", float: "un nombre", bool: "un booléen", list: "une liste",
            type(None): "vide (null)"}.get(type(value), type(value).__name__)


def _read_geojson(data: bytes, text: str, name: str, issues: list[Issue]) -> pd.DataFrame:
    ascii_compatible = _JSON_START.match(data) and b"\x00" not in data[:4096]  # not UTF-16
    _json_shape(data if ascii_compatible else text.encode("utf-8"), name)
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise RegistryError([Issue.file(name, f"GeoJSON illisible ({exc})", _GEOJSON_FIX)])
    except RecursionError:
        raise limits.refuse("fichier", "le GeoJSON est imbriqué trop profondément pour être lu",
                            _GEOJSON_FIX, value=name)
    features = doc.get("features") if isinstance(doc, dict) else None
    if not isinstance(features, list):
        raise RegistryError([Issue.file(name,
                                   "le GeoJSON n'a pas de liste « features »",
                                   "exportez les pôles en FeatureCollection de points")])
    if len(features) > settings.max_rows():
        raise limits.refuse("poles", f"{limits.fmt(len(features))} objets dans « features », au-delà de la limite "
                                     f"de {settings.max_rows()} lignes",
                            "découpez le registre ou augmentez PTCE_MAX_ROWS", value=name)
    records = []
    keys: dict[str, None] = {}
    for n, feature in enumerate(features):
        line = n + 2  # as the reports number the rows: feature n° 1 is row 2
        record: dict[str, str] = {}
        records.append(record)
        if not isinstance(feature, dict):
            issues.append(Issue(ERREUR, "poles", line, None, _json_text(feature),
                                f"l'élément n° {n + 1} de « features » est {_kind(feature)}, pas un objet "
                                "GeoJSON « Feature » : la ligne est vide",
                                "chaque élément de « features » doit être un objet "
                                '{"type": "Feature", "properties": {…}, "geometry": {…}}'))
            continue
        props = feature.get("properties")
        geom = feature.get("geometry")
        if props is None:
            props = {}
        elif not isinstance(props, dict):
            issues.append(Issue(ERREUR, "poles", line, "properties", _json_text(props),
                                f"les « properties » de l'objet n° {n + 1} sont {_kind(props)}, pas un objet : "
                                "la ligne est vide",
                                'écrivez les propriétés en objet : "properties": {"nom": "…", "commune": "…"}'))
            props = {}
        if geom is not None and not isinstance(geom, dict):
            issues.append(Issue(ERREUR, "poles", line, "geometry", _json_text(geom),
                                f"la « geometry » de l'objet n° {n + 1} est {_kind(geom)}, pas un objet GeoJSON : "
                                "elle est ignorée",
                                'écrivez un point GeoJSON : "geometry": {"type": "Point", "coordinates": '
                                "[longitude, latitude]}, ou indiquez la commune dans les propriétés"))
            geom = None
        props = dict(props)
        geom = geom or {}
        coords = geom.get("coordinates")
        if geom.get("type") == "Point" and isinstance(coords, list) and len(coords) >= 2:
            props.setdefault("longitude", coords[0])
            props.setdefault("latitude", coords[1])
        elif geom:
            props.setdefault("_geometrie", str(geom.get("type")))
        for key, value in props.items():
            if key not in keys:
                keys[key] = None
                if len(keys) > limits.MAX_COLUMNS:
                    raise limits.too_many_columns("poles", f"plus de {limits.MAX_COLUMNS}",
                                                  f"le GeoJSON a {len(keys)} propriétés différentes dès l'objet "
                                                  f"n° {n + 1} (nouvelle propriété « {key[:40]} ») : il",
                                                  row=line, column=key[:40])
                if len(features) * len(keys) > limits.max_cells():
                    raise limits.too_many_cells("poles", len(features), len(keys))
            record[key] = json.dumps(value) if isinstance(value, dict) else (
                LIST_SEPARATOR.join(map(str, value)) if isinstance(value, list) else cell_text(value))
    frame = pd.DataFrame(records, columns=list(keys) or None, dtype=object).fillna("")
    if "_geometrie" in frame:
        frame = frame.rename(columns={"_geometrie": "geometrie_non_ponctuelle"})
    return frame


def _json_text(value: object) -> str:
    """A JSON value, shortened, for the value column of a report."""
    return json.dumps(value, ensure_ascii=False)[:200]


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
        from .xlsx import read_xlsx
        return read_xlsx(data, name)
    text = _decode(data, name, issues)
    if suffix in (".geojson", ".json") or text.lstrip().startswith("{"):
        return {"poles": _read_geojson(data, text, name, issues)}, issues
    return {"poles": _read_csv_text(text, name, "poles", issues)}, issues
