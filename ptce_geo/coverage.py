"""Filters on poles and supports, and coverage tables by territory.

A territory is *covered* when a pole that passes the filters has its seat
there, or lists in its ``perimetre`` the territory, one of its communes, its
EPCI or its département. Communes also get the distance to the nearest such
pole (great-circle, from the town hall).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from . import levels, vocab
from .text import split_list
from .territories import Territories

EARTH_RADIUS_KM = 6371.0088


#: The list filters: field of :class:`Filters`, French title, vocabulary kind (:mod:`ptce_geo.vocab`)
LIST_FILTERS = (("leviers", "leviers", "levier"), ("niveaux", "collectivités", "niveau"),
                ("formes", "formes", "forme"), ("secteurs", "secteurs", "secteur"), ("stades", "stades", "stade"),
                ("typologies", "typologies", "typologie"))


@dataclass(frozen=True)
class Filters:
    """What the user selected. Empty tuples select everything.

    ``leviers``, ``niveaux``, ``formes`` and ``annees`` apply to supports and
    combine on the same support row: a pole passes "L6 by an EPCI" only if one
    of its supports is both L6 and from an EPCI. Within one criterion, values
    are alternatives. ``annees`` is an inclusive range of support years (a
    support without a year is then left out). ``territoire`` is ``(niveau,
    code)`` of the pole's seat; the dashboard's territory scope, which also
    counts poles whose perimeter reaches a territory, is :mod:`ptce_geo.scope`.
    """

    leviers: tuple[str, ...] = ()
    niveaux: tuple[str, ...] = ()
    formes: tuple[str, ...] = ()
    secteurs: tuple[str, ...] = ()
    stades: tuple[str, ...] = ()
    typologies: tuple[str, ...] = ()
    annees: tuple[int, int] | None = None
    territoire: tuple[str, str] | None = None

    @property
    def on_supports(self) -> bool:
        return bool(self.leviers or self.niveaux or self.formes or self.annees)

    def lists(self) -> list[tuple[str, str, str, tuple[str, ...]]]:
        """The list filters that hold values: (field, French title, vocabulary kind, values)."""
        return [(name, title, kind, getattr(self, name)) for name, title, kind in LIST_FILTERS if getattr(self, name)]

    def list_phrases(self, word=None) -> list[str]:
        """« leviers : L1, L6 » for each list filter that holds values (``word(kind, code)``
        says a value; its code without it), « leviers : les 8 cochés » for one that holds
        every value (too long to spell out on a page or in a file's header)."""
        return [f"{title} : " + (vocab.every_said(kind) if vocab.every(kind, values)
                                 else ", ".join(word(kind, v) if word else v for v in values))
                for _, title, kind, values in self.lists()]

    def describe(self) -> str:
        """French one-line summary, for extracts and printouts."""
        parts = self.list_phrases()
        if self.annees:
            start, end = self.annees
            parts.append(f"soutiens de {start}" if start == end else f"soutiens de {start} à {end}")
        if self.territoire:
            parts.append(f"territoire : {self.territoire[0]} {self.territoire[1]}")
        return " ; ".join(parts) or "aucun filtre"

    def slug(self, limit: int = 48) -> str:
        """The filters for a file name (``leviers-L6-L7_annees-2020-2022``), empty when there are
        none; beyond ``limit`` characters, ``filtres-`` and a short digest of them. Two sets of
        filters of one view get different names (the seat filter ``territoire`` is not in it:
        file names carry the view's territory themselves)."""
        parts = []
        for name, _, kind, values in self.lists():
            n = len(set(values))  # every value: « leviers-8sur8 », not eight codes
            parts.append(f"{name}-{n}sur{n}" if vocab.every(kind, values) else f"{name}-{'-'.join(values)}")
        if self.annees:
            parts.append(f"annees-{self.annees[0]}-{self.annees[1]}")
        text = "_".join(parts)
        if len(text) > limit:
            text = "filtres-" + hashlib.blake2b(text.encode(), digest_size=4).hexdigest()
        return re.sub(r"[^0-9A-Za-z_-]", "", text)


def _has_any(cell: str, wanted: tuple[str, ...]) -> bool:
    return bool(set(split_list(cell)) & set(wanted))


def matching_supports(soutiens: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """Valid support rows that satisfy the lever / level / form filters together."""
    rows = soutiens[soutiens["_valide"].astype(bool)] if "_valide" in soutiens else soutiens
    mask = pd.Series(True, index=rows.index)
    if filters.leviers:
        mask &= rows["leviers"].map(lambda c: _has_any(c, filters.leviers))
    if filters.niveaux:
        mask &= rows["collectivite_niveau"].isin(filters.niveaux)
    if filters.formes:
        mask &= rows["forme"].isin(filters.formes)
    if filters.annees:
        start, end = filters.annees
        years = pd.to_numeric(rows["annee"], errors="coerce")
        mask &= (years >= start).fillna(False) & (years <= end).fillna(False)
    return rows[mask]


def parse_years(text: str) -> tuple[int, int]:
    """``"2019-2024"`` or ``"2021"`` -> an inclusive range; a French error otherwise."""
    parts = [p.strip() for p in str(text).replace("–", "-").split("-")]
    try:
        years = [int(p) for p in parts]
    except ValueError:
        years = []
    if len(years) not in (1, 2) or not all(1900 <= y <= 2100 for y in years):
        raise ValueError(f"années illisibles : « {text} » (attendu : une année, ex. 2021, "
                         "ou une période, ex. 2019-2024)")
    start, end = years[0], years[-1]
    return (start, end) if start <= end else (end, start)


def filter_poles(poles: pd.DataFrame, soutiens: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """Located, valid poles that pass ``filters``."""
    keep = poles["_valide"].astype(bool) & poles["commune_insee"].ne("")
    if filters.on_supports:
        ids = set(matching_supports(soutiens, filters)["pole_id"])
        keep &= poles["id"].isin(ids)
    if filters.secteurs:
        keep &= poles["secteurs"].map(lambda c: _has_any(c, filters.secteurs))
    if filters.stades:
        keep &= poles["stade"].isin(filters.stades)
    if filters.typologies:
        keep &= poles["typologie"].isin(filters.typologies)
    if filters.territoire:
        niveau, code = filters.territoire
        keep &= poles[levels.get(niveau).pole_column].eq(code)
    return poles[keep]


# ---------------------------------------------------------------------------
# Reach of perimeters


def _members(territories: Territories) -> dict[str, pd.Series]:
    com = territories.communes
    return territories.cached("members", lambda: {
        "epci": com.groupby("epci_siren")["code"].agg(list),
        "departement": com.groupby("departement_code")["code"].agg(list),
    })


def perimeter_reach(poles: pd.DataFrame, territories: Territories) -> pd.DataFrame:
    """Pairs (pole_id, commune code) for every commune a pole's perimeter reaches."""
    members = _members(territories)
    index = territories.commune_index().index
    pairs = []
    for pid, cell in zip(poles["id"], poles["perimetre"]):
        for code in split_list(cell):
            if len(code) == 9 and code in members["epci"].index:
                pairs += [(pid, c) for c in members["epci"][code]]
            elif code in members["departement"].index:
                pairs += [(pid, c) for c in members["departement"][code]]
            elif code in index:
                pairs.append((pid, code))
    return pd.DataFrame(pairs, columns=["pole_id", "commune"]).drop_duplicates()


# ---------------------------------------------------------------------------
# Distances


def _unit_vectors(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    lon_r, lat_r = np.radians(lon), np.radians(lat)
    return np.column_stack([np.cos(lat_r) * np.cos(lon_r), np.cos(lat_r) * np.sin(lon_r), np.sin(lat_r)])


def nearest(from_lon, from_lat, to_lon, to_lat):
    """For each origin, (index of the nearest target, great-circle km).

    A k-d tree on unit vectors: the chord is monotonic in the arc, so the
    nearest by chord is the nearest on the sphere.
    """
    return _nearest(_unit_vectors(np.asarray(from_lon, float), np.asarray(from_lat, float)), to_lon, to_lat)


def _nearest(origins: np.ndarray, to_lon, to_lat):
    """:func:`nearest` from origins already given as unit vectors."""
    if len(to_lon) == 0:
        return np.full(len(origins), -1), np.full(len(origins), np.nan)
    tree = cKDTree(_unit_vectors(np.asarray(to_lon, float), np.asarray(to_lat, float)))
    chord, idx = tree.query(origins)
    km = 2 * EARTH_RADIUS_KM * np.arcsin(np.clip(chord / 2, 0, 1))
    return idx, km


# ---------------------------------------------------------------------------
# Coverage tables


def commune_status(territories: Territories, poles: pd.DataFrame,
                   reach: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One row per commune (seat count, reach count, distance to the nearest
    pole), and the perimeter reach pairs it was computed from (``reach``, when
    already known: :func:`perimeter_reach` of the same ``poles``)."""
    com = territories.communes
    out = pd.DataFrame({"code": com["code"].to_numpy()})
    seats = poles.groupby("commune_insee").size()
    out["nb_poles_siege"] = out["code"].map(seats).fillna(0).astype(int)
    reach = perimeter_reach(poles, territories) if reach is None else reach
    per = reach.groupby("commune").size()
    out["nb_poles_perimetre"] = out["code"].map(per).fillna(0).astype(int)
    townhalls = territories.cached("townhall_vectors", lambda: _unit_vectors(com["mairie_lon"].to_numpy(float),
                                                                           com["mairie_lat"].to_numpy(float)))
    idx, km = _nearest(townhalls, poles["point_lon"].to_numpy(), poles["point_lat"].to_numpy())
    has = idx >= 0
    ids = poles["id"].to_numpy()
    names = poles["nom"].to_numpy()
    out["distance_km"] = np.round(km, 1)
    out["pole_proche_id"] = np.where(has, ids[np.clip(idx, 0, max(len(ids) - 1, 0))] if len(ids) else "", "")
    out["pole_proche_nom"] = np.where(has, names[np.clip(idx, 0, max(len(ids) - 1, 0))] if len(ids) else "", "")
    return out, reach


def coverage_tables(territories: Territories, poles: pd.DataFrame,
                    niveaux=levels.CODES) -> dict[str, pd.DataFrame]:
    """Coverage tables of several levels, sharing one pass over the communes.

    Public API for scripts that want several levels at once (the benchmarks
    time it); each table equals :func:`coverage_table` for its level. The
    dashboard, which draws one level per page, calls :func:`coverage_table`.
    """
    status = commune_status(territories, poles)
    return {niveau: coverage_table(territories, poles, niveau, status=status) for niveau in niveaux}


def unit_stats(territories: Territories, poles: pd.DataFrame, niveau: str,
               status: tuple[pd.DataFrame, pd.DataFrame]) -> dict:
    """For every EPCI, département or région (``niveau``) of France: its poles with a seat
    (``seats``) and with a perimeter reaching it (``reach``), by code, and its nearest pole
    (``best``: distance_km, pole_proche_id, pole_proche_nom by code), from all of its
    communes. ``status``: :func:`commune_status` of the same ``poles``. The same for any
    territory's table (:func:`coverage_table`), so worked out once per set of poles."""
    key = levels.get(niveau).commune_column
    com = territories.communes
    status, reach = status
    seats = poles.groupby(levels.get(niveau).pole_column).size()
    # a Series, not a dict: mapping with a dict first turns its 35,000 keys into a Series
    unit_of = territories.cached(("unit_of_series", key),
                                 lambda: pd.Series(com[key].to_numpy(), index=com["code"].to_numpy()))
    reach_units = reach.assign(unit=reach["commune"].map(unit_of))
    per = reach_units.dropna(subset=["unit"]).drop_duplicates(["pole_id", "unit"]).groupby("unit").size()
    rows = np.arange(len(com))
    units = com[key].to_numpy()
    distances = status["distance_km"].to_numpy()
    valid = pd.notna(units) & np.isfinite(distances)
    best_rows = pd.Series(distances[valid], index=rows[valid]).groupby(units[valid], sort=False).idxmin()
    best = pd.DataFrame({column: status[column].to_numpy()[best_rows.to_numpy()]
                         for column in ("distance_km", "pole_proche_id", "pole_proche_nom")}, index=best_rows.index)
    return {"seats": seats, "reach": per, "best": best}


#: What « couvert » means, in the words the pages and extracts use.
COVERED = ("Couvert : une commune l'est quand un pôle retenu y a son siège ou que son périmètre l'atteint ; "
           "un EPCI, un département ou une région l'est dès qu'une de ses communes l'est.")


def coverage_table(territories: Territories, poles: pd.DataFrame, niveau: str,
                   within: tuple[str, str] | None = None,
                   status: tuple[pd.DataFrame, pd.DataFrame] | None = None,
                   units: dict | None = None) -> pd.DataFrame:
    """Coverage by ``niveau`` for the (already filtered) located ``poles``.

    Columns: code, nom, population, nb_poles_siege, nb_poles_perimetre,
    couvert, distance_km, pole_proche_id, pole_proche_nom, plus the parent
    territories. For EPCI, départements and régions the distance is the
    smallest distance from one of their town halls. ``within`` = (niveau,
    code) keeps only the rows inside that territory.
    """
    levels.get(niveau)  # an unknown level: a French error, before any work
    status, reach = status if status is not None else commune_status(territories, poles)
    static = _static_frame(territories, niveau)
    if within and niveau == "commune":  # only the rows inside: the static frame is in layer order
        static = static.iloc[territories.commune_rows(*within)]
    elif within:  # a territory's table is built from its own rows
        static = static[static["code"].isin(_inside(territories, niveau, within))]
    if niveau == "commune":
        # status rows follow the communes' order, as the static frame's
        rows = static.index.to_numpy()
        table = static.copy()
        for col in status.columns.drop("code"):
            table[col] = status[col].to_numpy()[rows]
    else:
        table = static.copy()
        units = units if units is not None else unit_stats(territories, poles, niveau, (status, reach))
        table["nb_poles_siege"] = table["code"].map(units["seats"]).fillna(0).astype(int)
        table["nb_poles_perimetre"] = table["code"].map(units["reach"]).fillna(0).astype(int)
        # each unit's nearest pole, from all of its communes (inside the territory or not)
        best = units["best"]
        table["distance_km"] = table["code"].map(best["distance_km"])
        for column in ("pole_proche_id", "pole_proche_nom"):  # text, even in a table without rows
            table[column] = table["code"].map(best[column]).fillna("").astype(object)
    table["couvert"] = (table["nb_poles_siege"] > 0) | (table["nb_poles_perimetre"] > 0)
    first = ["code", "nom", "type", "population", "couvert", "nb_poles_siege", "nb_poles_perimetre",
             "distance_km", "pole_proche_id", "pole_proche_nom"]
    ordered = [c for c in first if c in table] + [c for c in table if c not in first]
    table = table[ordered]
    return table.reset_index(drop=True)


def _static_frame(territories: Territories, niveau: str) -> pd.DataFrame:
    """The columns of a coverage table that do not depend on the poles (cached)."""
    def build():
        if niveau == "commune":
            return pd.DataFrame(territories.communes.drop(columns="geometry"))[
                ["code", "nom", "population", "epci_siren", "epci_nom", "departement_code",
                 "departement_nom", "region_code", "region_nom"]].reset_index(drop=True)
        cols = {"epci": ["code", "nom", "type", "population", "nb_communes", "departement_code", "region_code"],
                "departement": ["code", "nom", "population", "nb_communes", "region_code"],
                "region": ["code", "nom", "population", "nb_communes"]}[niveau]
        table = pd.DataFrame(territories.layer(niveau).drop(columns="geometry"))[cols].reset_index(drop=True)
        for col, level in (("departement_code", "departement"), ("region_code", "region")):
            if col in table:
                table[col.replace("_code", "_nom")] = table[col].map(territories.names(level))
        return table
    return territories.cached(("static", niveau), build)


def _inside(territories: Territories, niveau: str, within: tuple[str, str]) -> np.ndarray:
    """The codes of the ``niveau`` territories with a commune inside territory ``within``."""
    communes = territories.commune_attributes_in(*within)
    return communes[levels.get(niveau).commune_column].dropna().unique()


def restrict(table: pd.DataFrame, territories: Territories, niveau: str, within: tuple[str, str]) -> pd.DataFrame:
    """Rows of a coverage table lying inside territory ``within``."""
    return table[table["code"].isin(_inside(territories, niveau, within))]


def zones_blanches(territories: Territories, poles: pd.DataFrame, niveau: str = "epci",
                   within: tuple[str, str] | None = None) -> pd.DataFrame:
    """Uncovered territories ranked by population (largest first), with rank."""
    return rank_uncovered(coverage_table(territories, poles, niveau, within))


def rank_uncovered(table: pd.DataFrame) -> pd.DataFrame:
    """The uncovered rows of a coverage table, largest population first, with ``rang``."""
    gaps = table[~table["couvert"]].sort_values(["population", "code"], ascending=[False, True])
    gaps.insert(0, "rang", range(1, len(gaps) + 1))
    return gaps.reset_index(drop=True)


@dataclass
class Summary:
    """Key figures of a view."""

    poles: int
    territoires_couverts: int
    territoires: int
    population_non_couverte: int
    population_totale: int

    @property
    def part_population_non_couverte(self) -> float:
        return self.population_non_couverte / self.population_totale if self.population_totale else 0.0


def summarize(table: pd.DataFrame, n_poles: int) -> Summary:
    return Summary(poles=n_poles, territoires_couverts=int(table["couvert"].sum()), territoires=len(table),
                   population_non_couverte=int(table.loc[~table["couvert"], "population"].sum()),
                   population_totale=int(table["population"].sum()))
