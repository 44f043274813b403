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


def locate_registry(registry: Registry, territories: Territories, gaz: Gazetteer | None = None) -> Registry:
    """A copy of ``registry`` whose poles carry their territories and a statut."""
    gaz = gaz or Gazetteer(territories)
    poles = registry.poles.copy()
    issues: list[Issue] = []
    n = len(poles)
    index = territories.commune_index()

    lines = poles["_ligne"].to_numpy()
    headers: dict = {}

    def issue(level, pos, column, value, message, fix=""):
        if column not in headers:
            headers[column] = user_header(poles, column)
        issues.append(Issue(level, "poles", int(lines[pos]), headers[column],
                            "" if is_blank(value) else str(value), message, fix))

    code = np.full(n, None, dtype=object)
    methode = np.full(n, "", dtype=object)
    reason = np.full(n, "", dtype=object)
    point_lon = np.full(n, np.nan)
    point_lat = np.full(n, np.nan)
    valid = poles["_valide"].to_numpy(dtype=bool)
    places = {c: poles[c].to_numpy() for c in _PLACE_COLUMNS}

    def place(pos: int) -> dict:
        """The place columns of one row (much cheaper than ``poles.iloc[pos]``)."""
        return {c: places[c][pos] for c in _PLACE_COLUMNS}

    # 1. coordinates, all at once
    lat = pd.to_numeric(poles["latitude"], errors="coerce").astype(float).to_numpy()
    lon = pd.to_numeric(poles["longitude"], errors="coerce").astype(float).to_numpy()
    has_lat, has_lon = np.isfinite(lat), np.isfinite(lon)
    for pos in np.flatnonzero(has_lat ^ has_lon):
        col = "longitude" if has_lat[pos] else "latitude"
        issue(ERREUR, pos, col, "", "coordonnée incomplète : latitude et longitude vont ensemble",
              f"renseignez la {col} ou videz les deux cases")
    with_xy = np.flatnonzero(has_lat & has_lon & valid)
    if len(with_xy):
        declared = np.array([_declared(place(p), gaz) if places["commune_insee"][p] or places["commune"][p]
                             else None for p in range(n)], dtype=object)
        found = communes_at(territories, lon[with_xy], lat[with_xy], prefer=declared[with_xy])
        for pos, com in zip(with_xy, found):
            if com is None:
                issue(ERREUR, pos, "latitude", f"{lat[pos]}, {lon[pos]}",
                      "les coordonnées ne tombent dans aucune commune française",
                      coordinate_hint(lat[pos], lon[pos]))
                continue
            code[pos], methode[pos] = com, "coordonnees"
            point_lon[pos], point_lat[pos] = lon[pos], lat[pos]
            if declared[pos] is not None and declared[pos] != com:
                issue(AVERTISSEMENT, pos, "commune_insee" if poles["commune_insee"].iat[pos] else "commune",
                      poles["commune_insee"].iat[pos] or poles["commune"].iat[pos],
                      f"le point tombe dans {gaz.describe(com)}, pas dans la commune déclarée "
                      f"{gaz.describe(declared[pos])}",
                      "vérifiez les coordonnées ou la commune")

    # 2. codes and names, row by row, for the rest
    suggested = unsuggested = 0
    spent = 0.0
    for pos in np.flatnonzero(valid & pd.isna(code)):
        row = place(pos)
        suggest = suggested < MAX_SUGGESTIONS and spent < SUGGESTION_BUDGET_S
        started = time.thread_time() if suggest else 0.0
        match, how, column = None, "", None
        if row["commune_insee"]:
            match, how, column = gaz.by_insee(row["commune_insee"]), "insee", "commune_insee"
            if match.code is None and row["commune"]:
                issue(ERREUR, pos, column, row["commune_insee"], match.message,
                      "corrigez le code INSEE (la commune est cherchée par son nom en attendant)")
                match = None
        if match is None and row["commune"]:
            column = "commune"
            if row["code_postal"]:
                match, how = gaz.by_name(row["commune"], code_postal=row["code_postal"],
                                         suggest=suggest and not row["departement"]), "code_postal_commune"
                if match.code is None and row["departement"]:
                    match, how = gaz.by_name(row["commune"], departement=row["departement"],
                                             suggest=suggest), "commune_departement"
            elif row["departement"]:
                match, how = gaz.by_name(row["commune"], departement=row["departement"],
                                         suggest=suggest), "commune_departement"
            else:
                match, how = gaz.by_name(row["commune"], suggest=suggest), "commune"
            if match.statut == "inconnu":
                suggested += suggest
                unsuggested += not suggest
            if suggest:
                spent += time.thread_time() - started
        if match is None and row["code_postal"]:
            match, how, column = gaz.by_postal(row["code_postal"]), "code_postal", "code_postal"
        if match is None:
            if not (has_lat[pos] and has_lon[pos]):
                reason[pos] = "aucune localisation (ni coordonnées, ni code INSEE, ni commune)"
                issue(ERREUR, pos, "commune", "", "pôle impossible à localiser : " + reason[pos],
                      "renseignez le code INSEE, ou la commune (avec son département ou son code postal), "
                      "ou la latitude et la longitude")
            else:
                reason[pos] = "coordonnées hors de France"
            continue
        if match.code is None:
            reason[pos] = match.message
            fix = ("précisez avec le code INSEE, le code postal ou le département" if match.statut == "ambigu"
                   else "corrigez la valeur ou indiquez le code INSEE")
            issue(ERREUR, pos, column, row[column], match.message, fix)
            continue
        if match.warning:
            issue(AVERTISSEMENT, pos, column, row[column], match.warning, "corrigez la valeur dans le fichier source")
        code[pos], methode[pos] = match.code, how
        point_lon[pos] = index.at[match.code, "mairie_lon"]
        point_lat[pos] = index.at[match.code, "mairie_lat"]

    if unsuggested:
        issues.append(Issue(AVERTISSEMENT, "poles", None, user_header(poles, "commune"), "",
                            f"{unsuggested} autre(s) commune(s) inconnue(s) sont signalées chacune sur sa ligne, "
                            f"sans suggestion « Vouliez-vous dire » : les suggestions ne sont cherchées que pour "
                            f"les {suggested} premières",
                            "corrigez d'abord les premières (les mêmes fautes reviennent souvent), ou indiquez le "
                            "code INSEE des communes"))

    # 3. territories from the commune
    located = pd.notna(code)
    info = index.reindex([c if c is not None else "" for c in code])
    if "commune_insee" in poles:
        changed = located & (poles["commune_insee"].to_numpy() != code) & (poles["commune_insee"] != "").to_numpy()
        if changed.any():
            poles["commune_insee_source"] = poles["commune_insee"]
    poles["commune_insee"] = [c or "" for c in code]
    poles["commune_nom"] = info["nom"].fillna("").to_numpy()
    poles["epci_siren"] = info["epci_siren"].fillna("").to_numpy()
    poles["epci_nom"] = info["epci_nom"].fillna("").to_numpy()
    poles["departement_code"] = info["departement_code"].fillna("").to_numpy()
    poles["departement_nom"] = info["departement_nom"].fillna("").to_numpy()
    poles["region_code"] = info["region_code"].fillna("").to_numpy()
    poles["region_nom"] = info["region_nom"].fillna("").to_numpy()
    poles["point_lat"] = np.round(point_lat, 6)
    poles["point_lon"] = np.round(point_lon, 6)
    poles["methode"] = methode
    poles["hors_commune_declaree"] = False
    statut = []
    for pos in range(n):
        if not valid[pos]:
            statut.append("écarté : ligne invalide (voir le rapport)")
        elif located[pos]:
            statut.append(f"localisé par {METHODES[methode[pos]]}")
        else:
            statut.append(f"non localisé : {reason[pos] or 'voir le rapport'}")
    poles["statut"] = statut
    flagged = {i.ligne for i in issues if "pas dans la commune déclarée" in i.message}
    poles["hors_commune_declaree"] = poles["_ligne"].isin(flagged)

    issues += _check_perimeters(poles, territories, gaz)
    soutiens, more = _check_support_codes(registry.soutiens.copy(), territories, gaz)
    issues += more
    return replace(registry, poles=poles, soutiens=soutiens, issues=registry.issues + issues)


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
    issues = []
    if soutiens.empty:
        return soutiens, issues
    epci = set(territories.epci["code"])
    regions = set(territories.regions["code"])
    for pos in range(len(soutiens)):
        level = soutiens["collectivite_niveau"].iat[pos]
        raw = str(soutiens["collectivite_code"].iat[pos]).strip()
        if not raw or level in ("", "autre"):
            continue
        if level == "commune":
            norm = gaz.by_insee(raw).code
        elif level == "epci":
            norm = raw if raw in epci else None
        elif level == "departement":
            norm = gaz.departement(raw)
        else:
            norm = raw.zfill(2) if raw.zfill(2) in regions else None
        if norm is None:
            expected = {"commune": "un code INSEE de commune", "epci": "un SIREN d'EPCI (9 chiffres)",
                        "departement": "un code de département", "region": "un code de région INSEE (ex. 84)"}[level]
            issues.append(Issue(ERREUR, "soutiens", int(soutiens["_ligne"].iat[pos]),
                                user_header(soutiens, "collectivite_code"), raw,
                                f"code inconnu pour une collectivité de niveau « {level} »",
                                f"indiquez {expected}, ou laissez la case vide"))
            soutiens.iat[pos, soutiens.columns.get_loc("collectivite_code")] = ""
        else:
            soutiens.iat[pos, soutiens.columns.get_loc("collectivite_code")] = norm
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
