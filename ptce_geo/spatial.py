"""Locate poles and attach their commune, EPCI, département and région.

A pole is located by, in order: latitude/longitude (a geopandas spatial join
into the communes); its INSEE code; postal code + commune name; commune name
+ département; commune name alone when unambiguous; a postal code serving a
single commune. A pole located through its commune is placed at the town hall.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .geocode import Gazetteer
from .registry import AVERTISSEMENT, ERREUR, LIST_SEPARATOR, Issue, Registry, user_header
from .text import split_list
from .territories import Territories
from .text import is_blank

#: A point outside every commune but this close (degrees, about 3 km) to one
#: is given to it with a warning: harbours, beaches, generalised coastlines.
NEAR_COAST_DEG = 0.03
#: Points joined per chunk (bounded memory, two chunks at a time).
JOIN_CHUNK = 250_000
#: « Vouliez-vous dire » suggestions cost 30 to 200 ms per unknown commune: they are
#: computed for this many unknown communes, and within this much CPU time (seconds);
#: the others are reported on their own lines without suggestion, and counted once.
MAX_SUGGESTIONS = 20
SUGGESTION_BUDGET_S = 1.0

#: Bounding boxes (lon min, lat min, lon max, lat max) of France's territories.
FRANCE_BOXES = {
    "France métropolitaine": (-5.6, 41.2, 9.8, 51.2),
    "Guadeloupe": (-61.9, 15.8, -60.9, 16.6),
    "Martinique": (-61.3, 14.3, -60.7, 14.95),
    "Guyane": (-54.7, 2.0, -51.5, 5.9),
    "La Réunion": (55.1, -21.5, 55.9, -20.8),
    "Mayotte": (44.9, -13.1, 45.4, -12.5),
}

METHODES = {
    "coordonnees": "coordonnées",
    "insee": "code INSEE",
    "code_postal_commune": "code postal et nom de commune",
    "commune_departement": "nom de commune et département",
    "commune": "nom de commune",
    "code_postal": "code postal",
}

def in_france(lon: float, lat: float) -> bool:
    return any(x0 <= lon <= x1 and y0 <= lat <= y1 for x0, y0, x1, y1 in FRANCE_BOXES.values())


def coordinate_hint(lat: float, lon: float) -> str:
    """Why a coordinate pair is not in France, and how to fix it."""
    if in_france(lat, lon):
        return "latitude et longitude semblent inversées : échangez les deux colonnes"
    if 50_000 <= abs(lon) <= 1_300_000 and 6_000_000 <= abs(lat) <= 7_200_000 or \
       50_000 <= abs(lat) <= 1_300_000 and 6_000_000 <= abs(lon) <= 7_200_000:
        return ("ces valeurs ressemblent à du Lambert-93 (EPSG:2154, en mètres) : "
                "convertissez-les en degrés WGS84, ou laissez les cases vides et indiquez le code INSEE")
    if abs(lat) > 90 or abs(lon) > 180:
        return "une latitude est comprise entre -90 et 90 et une longitude entre -180 et 180 (degrés décimaux WGS84)"
    return "vérifiez le signe (ouest = longitude négative) et l'unité (degrés décimaux WGS84)"


def _commune_layer(territories: Territories) -> gpd.GeoDataFrame:
    """Communes with a contour of their own, positionally indexed (cached)."""
    com = territories.communes
    return territories.cached("commune_layer", lambda: com.loc[~com["contour_approche"],
                                                                ["code", "geometry"]].reset_index(drop=True))


def communes_at(territories: Territories, lon: np.ndarray, lat: np.ndarray,
                prefer: np.ndarray | None = None) -> np.ndarray:
    """INSEE code of the commune under each point (None outside), by a spatial join.

    The join runs polygons-contain-points, so that each commune polygon is
    prepared once and tested against the points its box holds. Where communes
    overlap slightly, ``prefer`` (declared codes) wins.
    """
    layer = _commune_layer(territories)
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)

    def join(start: int) -> tuple[np.ndarray, np.ndarray]:
        stop = min(start + JOIN_CHUNK, len(lon))
        points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon[start:stop], lat[start:stop]), crs=4326)
        joined = gpd.sjoin(layer, points, how="inner", predicate="contains")
        return joined["index_right"].to_numpy() + start, joined.index.to_numpy()

    # large inputs in chunks on two threads (shapely releases the GIL in its loops)
    with ThreadPoolExecutor(max_workers=2) as pool:
        parts = list(pool.map(join, range(0, max(len(lon), 1), JOIN_CHUNK)))
    point = np.concatenate([p for p, _ in parts])
    found = layer["code"].to_numpy()[np.concatenate([c for _, c in parts])]
    preferred = (found == prefer[point]) if prefer is not None else np.zeros(len(point), dtype=bool)
    order = np.lexsort((~preferred, point))
    first_point, first_at = np.unique(point[order], return_index=True)
    codes = np.full(len(lon), None, dtype=object)
    codes[first_point] = found[order][first_at]
    # Points just off a generalised coastline: the nearest commune, if close.
    missing = np.flatnonzero(pd.isna(codes) & np.isfinite(lon) & np.isfinite(lat))
    if len(missing):
        tree = shapely.STRtree(layer.geometry.to_numpy())
        idx = tree.query_nearest(shapely.points(lon[missing], lat[missing]), max_distance=NEAR_COAST_DEG)
        for src, dst in zip(idx[0], idx[1]):
            if codes[missing[src]] is None:
                codes[missing[src]] = layer["code"].iat[dst]
    return codes


_PLACE_COLUMNS = ("commune_insee", "commune", "departement", "code_postal")


def _declared(row: dict, gaz: Gazetteer) -> str | None:
    if row["commune_insee"]:
        return gaz.by_insee(row["commune_insee"]).code
    if row["commune"]:
        return gaz.by_name(row["commune"], row["departement"] or None, row["code_postal"] or None,
                           suggest=False).code
    return None


class _Located:
    """What locating finds for each pole (arrays in the table's row order), and the issues."""

    def __init__(self, poles: pd.DataFrame):
        n = len(poles)
        self.poles = poles
        self.code = np.full(n, None, dtype=object)
        self.methode = np.full(n, "", dtype=object)
        self.reason = np.full(n, "", dtype=object)
        self.point_lon = np.full(n, np.nan)
        self.point_lat = np.full(n, np.nan)
        self.off_declared = np.zeros(n, dtype=bool)  # a point outside the commune the row names
        self.valid = poles["_valide"].to_numpy(dtype=bool)
        self.places = {c: poles[c].to_numpy() for c in _PLACE_COLUMNS}
        self.issues: list[Issue] = []
        self._lines = poles["_ligne"].to_numpy()
        self._headers: dict = {}

    def place(self, pos: int) -> dict:
        """The place columns of one row (much cheaper than ``poles.iloc[pos]``)."""
        return {c: self.places[c][pos] for c in _PLACE_COLUMNS}

    def header(self, column: str) -> str:
        """The user's own header of a column (worked out once)."""
        if column not in self._headers:
            self._headers[column] = user_header(self.poles, column)
        return self._headers[column]

    def issue(self, level, pos, column, value, message, fix=""):
        self.issues.append(Issue(level, "poles", int(self._lines[pos]), self.header(column),
                                 "" if is_blank(value) else str(value), message, fix))


def _coordinates(found: _Located, refused: set = frozenset()) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Checks first: latitude and longitude parsed; a half pair is reported, unless the
    missing half is a cell already refused (``refused``: (line, header) of the reading's
    errors). Returns (lat, lon, has_both)."""
    lat = pd.to_numeric(found.poles["latitude"], errors="coerce").astype(float).to_numpy()
    lon = pd.to_numeric(found.poles["longitude"], errors="coerce").astype(float).to_numpy()
    has_lat, has_lon = np.isfinite(lat), np.isfinite(lon)
    for pos in np.flatnonzero(has_lat ^ has_lon):
        col = "longitude" if has_lat[pos] else "latitude"
        if (int(found._lines[pos]), found.header(col)) in refused:
            continue
        found.issue(ERREUR, pos, col, "", "coordonnée incomplète : latitude et longitude vont ensemble",
                    f"renseignez la {col} ou videz les deux cases")
    return lat, lon, has_lat & has_lon


def _by_coordinates(found: _Located, territories: Territories, gaz: Gazetteer, lat, lon, has_xy) -> None:
    """Poles with coordinates, all at once: a spatial join into the communes."""
    with_xy = np.flatnonzero(has_xy & found.valid)
    if not len(with_xy):
        return
    places = found.places
    declared = np.array([_declared(found.place(p), gaz) if places["commune_insee"][p] or places["commune"][p]
                         else None for p in range(len(found.code))], dtype=object)
    communes = communes_at(territories, lon[with_xy], lat[with_xy], prefer=declared[with_xy])
    for pos, com in zip(with_xy, communes):
        if com is None:
            found.issue(ERREUR, pos, "latitude", f"{lat[pos]}, {lon[pos]}",
                        "les coordonnées ne tombent dans aucune commune française", coordinate_hint(lat[pos], lon[pos]))
            continue
        found.code[pos], found.methode[pos] = com, "coordonnees"
        found.point_lon[pos], found.point_lat[pos] = lon[pos], lat[pos]
        if declared[pos] is not None and declared[pos] != com:
            found.off_declared[pos] = True
            column = "commune_insee" if places["commune_insee"][pos] else "commune"
            found.issue(AVERTISSEMENT, pos, column, places[column][pos],
                        f"le point tombe dans {gaz.describe(com)}, pas dans la commune déclarée "
                        f"{gaz.describe(declared[pos])}", "vérifiez les coordonnées ou la commune")


class _Suggestions:
    """« Vouliez-vous dire » for the first unknown communes, within a CPU budget."""

    def __init__(self):
        self.given = self.skipped = 0
        self.spent = 0.0

    def allowed(self) -> bool:
        return self.given < MAX_SUGGESTIONS and self.spent < SUGGESTION_BUDGET_S

    def summary(self, poles: pd.DataFrame) -> list[Issue]:
        if not self.skipped:
            return []
        return [Issue(AVERTISSEMENT, "poles", None, user_header(poles, "commune"), "",
                      (f"{self.skipped} autres communes inconnues sont signalées chacune sur sa ligne, "
                       if self.skipped > 1 else "1 autre commune inconnue est signalée sur sa ligne, ") +
                      f"sans suggestion « Vouliez-vous dire » : les suggestions ne sont cherchées que pour "
                      f"les {self.given} premières",
                      "corrigez d'abord les premières (les mêmes fautes reviennent souvent), ou indiquez le "
                      "code INSEE des communes")]


def _by_name(gaz: Gazetteer, row: dict, suggestions: _Suggestions):
    """The commune of a row by its name (with postal code or département when given)."""
    suggest = suggestions.allowed()
    started = time.thread_time() if suggest else 0.0
    if row["code_postal"]:
        match, how = gaz.by_name(row["commune"], code_postal=row["code_postal"],
                                 suggest=suggest and not row["departement"]), "code_postal_commune"
        if match.code is None and row["departement"]:
            match, how = gaz.by_name(row["commune"], departement=row["departement"],
                                     suggest=suggest), "commune_departement"
    elif row["departement"]:
        match, how = gaz.by_name(row["commune"], departement=row["departement"], suggest=suggest), \
            "commune_departement"
    else:
        match, how = gaz.by_name(row["commune"], suggest=suggest), "commune"
    if match.statut == "inconnu":
        suggestions.given += suggest
        suggestions.skipped += not suggest
    if suggest:
        suggestions.spent += time.thread_time() - started
    return match, how


def _by_codes_and_names(found: _Located, gaz: Gazetteer, index: pd.DataFrame, has_xy) -> list[Issue]:
    """The poles not placed by coordinates, row by row: INSEE code, then name, then postal code.
    A pole found through its commune is placed at the town hall."""
    suggestions = _Suggestions()
    for pos in np.flatnonzero(found.valid & pd.isna(found.code)):
        row = found.place(pos)
        match, how, column = None, "", None
        if row["commune_insee"]:
            match, how, column = gaz.by_insee(row["commune_insee"]), "insee", "commune_insee"
            if match.code is None and row["commune"]:
                found.issue(ERREUR, pos, column, row["commune_insee"], match.message,
                            "corrigez le code INSEE (la commune est cherchée par son nom en attendant)")
                match = None
        if match is None and row["commune"]:
            column = "commune"
            match, how = _by_name(gaz, row, suggestions)
        if match is None and row["code_postal"]:
            match, how, column = gaz.by_postal(row["code_postal"]), "code_postal", "code_postal"
        if match is None:
            if not has_xy[pos]:
                found.reason[pos] = "aucune localisation (ni coordonnées, ni code INSEE, ni commune)"
                found.issue(ERREUR, pos, "commune", "", "pôle impossible à localiser : " + found.reason[pos],
                            "renseignez le code INSEE, ou la commune (avec son département ou son code postal), "
                            "ou la latitude et la longitude")
            else:
                found.reason[pos] = "coordonnées hors de France"
            continue
        if match.code is None:
            found.reason[pos] = match.message
            fix = ("précisez avec le code INSEE, le code postal ou le département" if match.statut == "ambigu"
                   else "corrigez la valeur ou indiquez le code INSEE")
            found.issue(ERREUR, pos, column, row[column], match.message, fix)
            continue
        if match.warning:
            found.issue(AVERTISSEMENT, pos, column, row[column], match.warning,
                        "corrigez la valeur dans le fichier source")
        _check_departement(found, gaz, index, pos, row, match.code)
        found.code[pos], found.methode[pos] = match.code, how
        found.point_lon[pos] = index.at[match.code, "mairie_lon"]
        found.point_lat[pos] = index.at[match.code, "mairie_lat"]
    return suggestions.summary(found.poles)


def _check_departement(found: _Located, gaz: Gazetteer, index: pd.DataFrame, pos: int, row: dict, code: str) -> None:
    """A département given on the row that is not the one of the commune found (by its INSEE
    code, or by a name the département did not decide): a warning, the commune is kept."""
    given = row["departement"]
    if not given:
        return
    actual = index.at[code, "departement_code"]
    wanted = gaz.departement(given)
    if wanted is None:
        found.issue(AVERTISSEMENT, pos, "departement", given, f"département inconnu : « {given} »",
                    "indiquez un code (01, 2A, 974) ou un nom de département, ou videz la case")
    elif wanted != actual:
        found.issue(AVERTISSEMENT, pos, "departement", given,
                    f"le département indiqué ({wanted}) n'est pas celui de la commune trouvée, "
                    f"{index.at[code, 'nom']} ({actual} – {index.at[code, 'departement_nom']})",
                    "corrigez le département ou la commune : le pôle est placé dans la commune trouvée")


def _attach_territories(found: _Located, index: pd.DataFrame) -> pd.DataFrame:
    """The poles with their commune, EPCI, département, région, point and statut."""
    poles, code = found.poles, found.code
    located = pd.notna(code)
    info = index.reindex([c if c is not None else "" for c in code])
    changed = located & (poles["commune_insee"].to_numpy() != code) & (poles["commune_insee"] != "").to_numpy()
    if changed.any():
        poles["commune_insee_source"] = poles["commune_insee"]
    poles["commune_insee"] = [c or "" for c in code]
    for column in ("nom", "epci_siren", "epci_nom", "departement_code", "departement_nom", "region_code",
                   "region_nom"):
        poles["commune_nom" if column == "nom" else column] = info[column].fillna("").to_numpy()
    poles["point_lat"] = np.round(found.point_lat, 6)
    poles["point_lon"] = np.round(found.point_lon, 6)
    poles["methode"] = found.methode
    poles["hors_commune_declaree"] = found.off_declared
    poles["statut"] = ["écarté : ligne invalide (voir le rapport)" if not ok
                       else f"localisé par {METHODES[how]}" if here
                       else f"non localisé : {why or 'voir le rapport'}"
                       for ok, here, how, why in zip(found.valid, located, found.methode, found.reason)]
    return poles


def locate_registry(registry: Registry, territories: Territories, gaz: Gazetteer | None = None) -> Registry:
    """A copy of ``registry`` whose poles carry their territories and a statut.

    Checks first (coordinates that come in pairs), then one way of locating
    after another (coordinates, then codes and names), then the territories
    attached; perimeters and supports' collectivity codes are checked last.
    """
    gaz = gaz or Gazetteer(territories)
    index = territories.commune_index()
    found = _Located(registry.poles.copy())
    # a coordinate the reading refused is reported once, as not a number, not again as half a pair
    refused = {(i.ligne, i.colonne) for i in registry.issues if i.table == "poles" and i.niveau == ERREUR}
    lat, lon, has_xy = _coordinates(found, refused)
    _by_coordinates(found, territories, gaz, lat, lon, has_xy)
    summary = _by_codes_and_names(found, gaz, index, has_xy)
    poles = _attach_territories(found, index)
    issues = found.issues + summary + _check_perimeters(poles, territories, gaz)
    soutiens, more = _check_support_codes(registry.soutiens.copy(), territories, gaz)
    return replace(registry, poles=poles, soutiens=soutiens, issues=registry.issues + issues + more)


def _check_perimeters(poles: pd.DataFrame, territories: Territories, gaz: Gazetteer) -> list[Issue]:
    """Normalise ``perimetre`` codes; report the unknown ones."""
    issues = []
    epci = set(territories.epci["code"])
    for pos, value in enumerate(poles["perimetre"]):
        parts = split_list(value)
        if not parts:
            continue
        kept = []
        for part in parts:
            text = part.strip().upper()
            if text.endswith(".0"):
                text = text[:-2]
            if text.isdigit() and len(text) == 9:
                ok = text in epci
                norm = text
            elif len(text) in (4, 5):
                match = gaz.by_insee(text)
                ok, norm = match.code is not None, match.code
            else:
                norm = gaz.departement(text)
                ok = norm is not None
            if ok:
                kept.append(norm)
            else:
                issues.append(Issue(ERREUR, "poles", int(poles["_ligne"].iat[pos]),
                                    user_header(poles, "perimetre"), part,
                                    "code de territoire inconnu dans le périmètre ; il est ignoré",
                                    "utilisez des codes INSEE de commune (5 caractères), des SIREN d'EPCI "
                                    "(9 chiffres) ou des codes de département (2 ou 3 caractères), séparés par |"))
        poles.iat[pos, poles.columns.get_loc("perimetre")] = LIST_SEPARATOR.join(dict.fromkeys(kept))
    return issues


def _check_support_codes(soutiens: pd.DataFrame, territories: Territories, gaz: Gazetteer):
    """Normalise the collectivities' codes; report (and empty) the unknown ones.
    Each distinct (level, code) pair is looked up once."""
    issues = []
    if soutiens.empty:
        return soutiens, issues
    epci = set(territories.epci["code"])
    regions = set(territories.regions["code"])

    def normal(level: str, raw: str) -> str | None:
        if level == "commune":
            return gaz.by_insee(raw).code
        if level == "epci":
            return raw if raw in epci else None
        if level == "departement":
            return gaz.departement(raw)
        return raw.zfill(2) if raw.zfill(2) in regions else None

    expected = {"commune": "un code INSEE de commune", "epci": "un SIREN d'EPCI (9 chiffres)",
                "departement": "un code de département", "region": "un code de région INSEE (ex. 84)"}
    seen: dict[tuple[str, str], str | None] = {}
    levels_, codes, lines = (soutiens["collectivite_niveau"].to_numpy(), soutiens["collectivite_code"].to_numpy(),
                             soutiens["_ligne"].to_numpy())
    out = codes.copy()
    for pos, (level, value) in enumerate(zip(levels_, codes)):
        raw = str(value).strip()
        if not raw or level in ("", "autre"):
            continue
        key = (level, raw)
        if key not in seen:
            seen[key] = normal(level, raw)
        norm = seen[key]
        if norm is None:
            issues.append(Issue(ERREUR, "soutiens", int(lines[pos]), user_header(soutiens, "collectivite_code"), raw,
                                f"code inconnu pour une collectivité de niveau « {level} »",
                                f"indiquez {expected[level]}, ou laissez la case vide"))
        out[pos] = norm or ""
    soutiens["collectivite_code"] = out
    return soutiens, issues


def pole_points(registry: Registry) -> gpd.GeoDataFrame:
    """The valid, located poles as points (EPSG:4326).

    Public API for scripts and notebooks (``pole_points(reg).to_file("poles.gpkg")``);
    the dashboard and the command line do not use it.
    """
    poles = registry.poles
    keep = poles["_valide"].astype(bool) & poles["commune_insee"].ne("")
    sub = poles[keep]
    return gpd.GeoDataFrame(sub, geometry=gpd.points_from_xy(sub["point_lon"], sub["point_lat"]), crs=4326)
