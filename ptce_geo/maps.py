"""folium map builders (no streamlit here) and the offline map assets.

Leaflet, its marker-cluster plugin and jQuery are served by the app itself:
:func:`install_assets` copies them from the XStatic packages installed from
PyPI, and every map built here points at those copies instead of public CDNs.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import folium
import geopandas as gpd
import pandas as pd
import shapely
import shapely.geometry
from folium.plugins import MarkerCluster

from . import formats, vocab
from .text import split_list

#: URL prefix under which Streamlit serves ``dashboard/static``.
STATIC_URL = "/app/static/vendor"

BASEMAPS = {
    "osm": ("OpenStreetMap", "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
            "© les contributeurs d'OpenStreetMap"),
    "ign": ("Plan IGN", "https://data.geopf.fr/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
            "&LAYER=GEOGRAPHICALGRIDSYSTEMS.PLANIGNV2&STYLE=normal&FORMAT=image/png"
            "&TILEMATRIXSET=PM&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}", "© IGN – Géoplateforme"),
    "aucun": ("Aucun fond (hors ligne)", None, None),
}

COVERED_COLOR = "#1b7837"      # green: covered
UNCOVERED_COLOR = "#d6604d"    # red-orange: zone blanche (distinct for colour-blind readers by lightness too)
COUNT_COLORS = ["#f7f7f7", "#d1e5f0", "#92c5de", "#4393c3", "#2166ac"]  # 0, 1, 2, 3-4, 5+
DISTANCE_BINS = [(0, 5, "#2166ac"), (5, 15, "#67a9cf"), (15, 30, "#d1e5f0"), (30, 60, "#fddbc7"),
                 (60, 1e9, "#b2182b")]


def _asset_sources() -> dict[str, Path]:
    import xstatic.pkg.jquery as jq
    import xstatic.pkg.leaflet as lf
    import xstatic.pkg.leaflet_markercluster as mc
    return {
        "leaflet.js": Path(lf.BASE_DIR) / "leaflet.js",
        "leaflet.css": Path(lf.BASE_DIR) / "leaflet.css",
        "images": Path(lf.BASE_DIR) / "images",
        "jquery.min.js": Path(jq.BASE_DIR) / "jquery.min.js",
        "leaflet.markercluster.js": Path(mc.BASE_DIR) / "leaflet.markercluster.js",
        "MarkerCluster.css": Path(mc.BASE_DIR) / "MarkerCluster.css",
        "MarkerCluster.Default.css": Path(mc.BASE_DIR) / "MarkerCluster.Default.css",
    }


def install_assets(target: Path) -> list[Path]:
    """Copy the map's scripts and stylesheets from the installed XStatic packages."""
    target = Path(target)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name, source in _asset_sources().items():
        dest = target / name
        if source.is_dir():
            shutil.copytree(source, dest, dirs_exist_ok=True)
        elif not dest.exists() or dest.stat().st_size != source.stat().st_size:
            shutil.copyfile(source, dest)
        written.append(dest)
    return written


def _compact_json() -> None:
    """Embed JSON without spaces: the EPCI layer is most of the page's weight.

    folium renders data with Jinja's ``tojson`` filter, whose ``json.dumps``
    arguments are a policy of the (shared) template environment.
    """
    env = folium.GeoJson._template.environment
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "separators": (",", ":")}


_GEOMETRY_CACHE: dict[int, tuple[gpd.GeoDataFrame, list[dict]]] = {}


def _geometries(layer: gpd.GeoDataFrame) -> list[dict]:
    """GeoJSON geometries of a (long-lived) display layer, computed once per layer."""
    hit = _GEOMETRY_CACHE.get(id(layer))
    if hit is None or hit[0] is not layer:
        hit = (layer, [shapely.geometry.mapping(g) for g in layer.geometry])
        _GEOMETRY_CACHE[id(layer)] = hit
    return hit[1]


def _geojson(layer: gpd.GeoDataFrame, properties: pd.DataFrame) -> dict:
    """A FeatureCollection of ``layer``'s geometries with ``properties`` (same row
    order), without the per-feature bounding boxes folium would add."""
    records = properties.to_dict("records")
    return {"type": "FeatureCollection",
            "features": [{"type": "Feature", "geometry": geom, "properties": props}
                         for geom, props in zip(_geometries(layer), records)]}


def _local_assets(m: folium.Map, cluster: MarkerCluster | None) -> None:
    m.default_js = [("leaflet", f"{STATIC_URL}/leaflet.js"), ("jquery", f"{STATIC_URL}/jquery.min.js")]
    m.default_css = [("leaflet_css", f"{STATIC_URL}/leaflet.css")]
    if cluster is not None:
        cluster.default_js = [("markerclusterjs", f"{STATIC_URL}/leaflet.markercluster.js")]
        cluster.default_css = [("markerclustercss", f"{STATIC_URL}/MarkerCluster.css"),
                               ("markerclusterdefaultcss", f"{STATIC_URL}/MarkerCluster.Default.css")]


def base_map(basemap: str = "osm", bounds=None) -> folium.Map:
    """An empty map of France with the chosen basemap (``osm``, ``ign`` or ``aucun``)."""
    name, url, attribution = BASEMAPS.get(basemap, BASEMAPS["osm"])
    m = folium.Map(location=[46.6, 2.4], zoom_start=6, tiles=None, max_zoom=18, min_zoom=3,
                   control_scale=True, prefer_canvas=True)
    # without a tile layer Leaflet has no maxZoom, and the marker clusters need one
    m.options["maxZoom"] = 18
    m.options["minZoom"] = 3
    if url:
        folium.TileLayer(url, name=name, attr=attribution, max_zoom=18).add_to(m)
    if bounds is not None:
        m.fit_bounds(bounds)
    return m


#: One pass over a user's text, so that no entity produced here is escaped again.
_INERT = str.maketrans({
    # HTML
    "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;",
    # JavaScript template literals (backquotes), in which folium places popups and tooltips
    "`": "&#96;", "$": "&#36;", "\\": "&#92;",
    # Jinja delimiters: branca re-reads each rendered script as template source
    "{": "&#123;", "}": "&#125;", "%": "&#37;", "#": "&#35;",
})


def esc(value: object) -> str:
    """Escape a value from a user's file for folium's popups, tooltips and legends.

    Three contexts meet there:

    - HTML: Leaflet inserts popups and tooltips as markup;
    - JavaScript template literals: folium wraps that markup in backquotes, so a
      backquote, ``${`` or a backslash would end the literal or run code;
    - Jinja: branca renders each element's script and then parses the result
      again as a template, so ``{{ … }}`` in a pole's name would run on the
      server. ``{``, ``}``, ``%`` and ``#`` become entities, which the browser
      shows as the characters themselves and Jinja reads as plain text.
    """
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value).translate(_INERT)


def pole_popup(pole, supports: pd.DataFrame) -> str:
    """Popup HTML: name, commune, typology, stage, sectors, supports by lever and level."""
    lines = [f"<b>{esc(pole['nom'])}</b>",
             f"{esc(pole.get('commune_nom', ''))} ({esc(pole.get('departement_code', ''))})"]
    if pole.get("typologie"):
        lines.append(f"Typologie : {esc(vocab.label('typologie', pole['typologie']))}")
    if pole.get("stade"):
        lines.append(f"Stade : {esc(vocab.label('stade', pole['stade']))}")
    sectors = [vocab.label("secteur", s) for s in split_list(pole.get("secteurs", ""))]
    if sectors:
        lines.append(f"Secteurs : {esc(', '.join(sectors))}")
    if len(supports):
        by_lever: dict[str, set] = {}
        for levers, level in zip(supports["leviers"], supports["collectivite_niveau"]):
            for lever in split_list(levers) or ["—"]:
                by_lever.setdefault(lever, set()).add(vocab.label("niveau", level))
        items = "".join(f"<li>{esc(vocab.levier_label(k))} : {esc(', '.join(sorted(v)))}</li>"
                        for k, v in sorted(by_lever.items()))
        lines.append(f"Soutiens ({formats.integer(len(supports))}) :<ul style='margin:0;padding-left:1.2em'>{items}</ul>")
    else:
        lines.append("Aucun soutien de collectivité renseigné")
    return "<br>".join(lines)


def _count_color(n: int) -> str:
    return COUNT_COLORS[0 if n == 0 else 1 if n == 1 else 2 if n == 2 else 3 if n <= 4 else 4]


def distance_color(km: float) -> str:
    if km != km:  # NaN: no pole at all
        return "#999999"
    return next(color for low, high, color in DISTANCE_BINS if low <= km < high)


def legend_html(title: str, items: list[tuple[str, str]]) -> str:
    rows = "".join(f"<div><span style='display:inline-block;width:14px;height:14px;background:{c};"
                   f"border:1px solid #555;margin-right:6px;vertical-align:middle'></span>{esc(label)}</div>"
                   for c, label in items)
    return (f"<div id='legende' style='position:absolute;bottom:52px;left:12px;z-index:1000;background:white;"
            f"padding:8px 10px;border:1px solid #999;border-radius:4px;font:12px sans-serif'>"
            f"<b>{esc(title)}</b>{rows}</div>")


def add_poles(m, poles: pd.DataFrame, supports: pd.DataFrame, cluster: bool = True):
    """Poles as circle markers (clustered when zoomed out), with escaped popups."""
    layer = MarkerCluster(name="Pôles", options={"disableClusteringAtZoom": 10}) if cluster \
        else folium.FeatureGroup(name="Pôles")
    grouped = {pid: df for pid, df in supports.groupby("pole_id")} if len(supports) else {}
    empty = supports.iloc[0:0]
    for pole in poles.to_dict("records"):
        folium.CircleMarker(
            location=[pole["point_lat"], pole["point_lon"]], radius=7, color="#222", weight=1,
            fill=True, fill_color="#762a83", fill_opacity=0.9,
            tooltip=esc(pole["nom"]),
            popup=folium.Popup(pole_popup(pole, grouped.get(pole["id"], empty)), max_width=360),
        ).add_to(layer)
    layer.add_to(m)
    return layer


def national_map(epci_display: gpd.GeoDataFrame, epci_table: pd.DataFrame, poles: pd.DataFrame,
                 supports: pd.DataFrame, mode: str = "couverture", basemap: str = "osm") -> folium.Map:
    """EPCI coloured by coverage (``couverture``) or pole count (``nombre``), plus the poles.

    Public API: the whole national map as one :class:`folium.Map`, for a
    standalone page (``national_map(...).save("carte.html")``); the benchmarks
    measure its size. The dashboard uses :func:`national_layers` instead.
    """
    m, layers = national_layers(epci_display, epci_table, poles, supports, mode, basemap)
    layers.add_to(m)
    return m


def national_layers(epci_display: gpd.GeoDataFrame, epci_table: pd.DataFrame, poles: pd.DataFrame,
                    supports: pd.DataFrame, mode: str = "couverture",
                    basemap: str = "osm") -> tuple[folium.Map, folium.FeatureGroup]:
    """The national map split in two: a base (basemap, legend, assets) that only
    changes with ``mode`` or ``basemap``, and the layers that follow the filters
    (EPCI colours, poles). The dashboard hands the layers to ``st_folium`` as
    ``feature_group_to_add``, so a filter change redraws them without
    reloading the map (zoom and position are kept)."""
    table = epci_table.set_index("code")
    layer = pd.DataFrame({"code": epci_display["code"].to_numpy()})
    layer["nom"] = layer["code"].map(table["nom"])
    layer["population"] = layer["code"].map(table["population"]).fillna(0).astype(int)
    layer["nb"] = layer["code"].map(table["nb_poles_siege"]).fillna(0).astype(int)
    layer["couvert"] = layer["code"].map(table["couvert"]).fillna(False).astype(bool)
    if mode == "nombre":
        layer["couleur"] = layer["nb"].map(_count_color)
        legend = legend_html("Pôles ayant leur siège dans l'EPCI",
                             [(COUNT_COLORS[0], "0"), (COUNT_COLORS[1], "1"), (COUNT_COLORS[2], "2"),
                              (COUNT_COLORS[3], "3 ou 4"), (COUNT_COLORS[4], "5 et plus")])
    else:
        layer["couleur"] = layer["couvert"].map({True: COVERED_COLOR, False: UNCOVERED_COLOR})
        legend = legend_html("EPCI", [(COVERED_COLOR, "couvert par un pôle"),
                                      (UNCOVERED_COLOR, "zone blanche (aucun pôle)")])
    layer["etat"] = layer["couvert"].map({True: "couvert", False: "non couvert"})
    layer["population_txt"] = layer["population"].map(formats.integer)
    layer["nom"] = layer["nom"].map(esc)
    m = base_map(basemap)
    layers = folium.FeatureGroup(name="Couverture et pôles")
    _compact_json()
    folium.GeoJson(
        _geojson(epci_display, layer[["code", "nom", "population_txt", "nb", "etat", "couleur"]]),
        name="EPCI",
        style_function=lambda f: {"fillColor": f["properties"]["couleur"], "color": "#555",
                                  "weight": 0.4, "fillOpacity": 0.55},
        highlight_function=lambda f: {"weight": 2, "color": "#000"},
        tooltip=folium.GeoJsonTooltip(fields=["nom", "population_txt", "nb", "etat"],
                                      aliases=["EPCI", "Population", "Pôles (siège)", "Couverture"]),
        smooth_factor=1.0,
    ).add_to(layers)
    cluster = add_poles(layers, poles, supports)
    m.get_root().html.add_child(folium.Element(legend))
    _local_assets(m, cluster)
    return m, layers


def territory_map(communes: gpd.GeoDataFrame, commune_table: pd.DataFrame, outline, poles: pd.DataFrame,
                  supports: pd.DataFrame, basemap: str = "osm") -> folium.Map:
    """A territory's communes coloured by distance to the nearest pole, outlined."""
    table = commune_table.set_index("code")
    layer = communes[["code", "nom", "geometry"]].copy()
    layer["distance"] = layer["code"].map(table["distance_km"])
    layer["couleur"] = layer["distance"].map(distance_color)
    layer["distance_txt"] = layer["distance"].map(lambda d: "—" if d != d else formats.km(d))
    layer["proche"] = layer["code"].map(table["pole_proche_nom"]).fillna("").map(esc)
    layer["nom"] = layer["nom"].map(esc)
    minx, miny, maxx, maxy = layer.total_bounds
    m = base_map(basemap, bounds=[[miny, minx], [maxy, maxx]])
    folium.GeoJson(
        layer[["code", "nom", "distance_txt", "proche", "couleur", "geometry"]], name="Communes",
        style_function=lambda f: {"fillColor": f["properties"]["couleur"], "color": "#666",
                                  "weight": 0.3, "fillOpacity": 0.6},
        tooltip=folium.GeoJsonTooltip(fields=["nom", "distance_txt", "proche"],
                                      aliases=["Commune", "Distance au pôle le plus proche", "Pôle"]),
    ).add_to(m)
    folium.GeoJson(outline, name="Contour",
                   style_function=lambda f: {"fill": False, "color": "#000", "weight": 3}).add_to(m)
    add_poles(m, poles, supports, cluster=False)
    m.get_root().html.add_child(folium.Element(legend_html(
        "Distance au pôle le plus proche", [(c, f"{lo:g} à {formats.km(hi, 0)}" if hi < 1e9
                                             else f"{formats.km(lo, 0)} et plus")
                                            for lo, hi, c in DISTANCE_BINS])))
    _local_assets(m, None)
    return m


def gaps_map(epci_display: gpd.GeoDataFrame, gaps: pd.DataFrame, poles: pd.DataFrame, supports: pd.DataFrame,
             basemap: str = "osm") -> folium.Map:
    """Uncovered EPCI only, ranked, with the poles."""
    info = gaps.set_index("code")
    layer = pd.DataFrame({"code": epci_display["code"].to_numpy()})
    layer["nom"] = layer["code"].map(info["nom"]).fillna("").map(esc)
    layer["rang"] = layer["code"].map(info["rang"])
    layer["population_txt"] = layer["code"].map(info["population"]).map(formats.integer)
    collection = _geojson(epci_display, layer)
    collection["features"] = [f for f, gap in zip(collection["features"], layer["rang"].notna()) if gap]
    m = base_map(basemap)
    _compact_json()
    if collection["features"]:
        folium.GeoJson(collection, name="Zones blanches",
                       style_function=lambda f: {"fillColor": UNCOVERED_COLOR, "color": "#555",
                                                 "weight": 0.4, "fillOpacity": 0.6},
                       tooltip=folium.GeoJsonTooltip(fields=["rang", "nom", "population_txt"],
                                                     aliases=["Rang", "EPCI", "Population"])).add_to(m)
    cluster = add_poles(m, poles, supports)
    m.get_root().html.add_child(folium.Element(legend_html("EPCI", [(UNCOVERED_COLOR, "zone blanche")])))
    _local_assets(m, cluster)
    return m


def preview_map(poles: pd.DataFrame, supports: pd.DataFrame, basemap: str = "osm") -> folium.Map:
    """A small map of freshly located poles, zoomed on them."""
    bounds = None
    if len(poles):
        bounds = [[poles["point_lat"].min(), poles["point_lon"].min()],
                  [poles["point_lat"].max(), poles["point_lon"].max()]]
    m = base_map(basemap, bounds=bounds)
    cluster = add_poles(m, poles, supports)
    _local_assets(m, cluster)
    return m
