"""folium map builders (no streamlit here) and the offline map assets.

Leaflet and its marker-cluster plugin are served by the app itself:
:func:`install_assets` copies them from the XStatic packages installed from
PyPI, and every map built here points at those copies instead of public CDNs.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import shutil
import tempfile
import threading
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import shapely.geometry
import xyzservices
from branca.element import Element, MacroElement
from jinja2 import Template

from . import formats, vocab
from .memo import SharedResults
from .text import split_list

#: What maps draw from the same objects again and again (a view's poles and supports, a display
#: layer), worked out once: pages are drawn again at each rerun of every session.
DRAWN = SharedResults(size=64)

#: URL prefix under which Streamlit serves ``dashboard/static``.
STATIC_ROOT = "/app/static"
STATIC_URL = f"{STATIC_ROOT}/vendor"
#: Version of the boundary files' encoding (read by ``assets/ptce_map.js``): part of their URLs.
GEOMETRY_FORMAT = 1
#: Coordinates of the boundary files are integers in 1/SCALE degree (about 10 m).
SCALE = 10_000  # 10 ** territories.DISPLAY_DECIMALS
ASSETS_DIR = Path(__file__).resolve().parent / "assets"
POLE_COLOR = "#762a83"
CONTEXT_POLE_COLOR = "#9e9e9e"

BASEMAPS = {
    "osm": ("OpenStreetMap", "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
            "© les contributeurs d'OpenStreetMap"),
    "ign": ("Plan IGN", "https://data.geopf.fr/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
            "&LAYER=GEOGRAPHICALGRIDSYSTEMS.PLANIGNV2&STYLE=normal&FORMAT=image/png"
            "&TILEMATRIXSET=PM&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}", "© IGN – Géoplateforme"),
    "aucun": ("Aucun fond (hors ligne)", None, None),
}

COVERED_COLOR = "#1b7837"      # green: covered
UNCOVERED_COLOR = "#fdb863"    # light orange: zone blanche; apart from the green and from the purple
#                                of the poles under deuteranopia and protanopia too (tests/test_maps.py)
COUNT_COLORS = ["#f7f7f7", "#d1e5f0", "#92c5de", "#4393c3", "#2166ac"]  # 0, 1, 2, 3-4, 5+
DISTANCE_BINS = [(0, 5, "#2166ac"), (5, 15, "#67a9cf"), (15, 30, "#d1e5f0"), (30, 60, "#fddbc7"),
                 (60, 1e9, "#b2182b")]


def _script_parts() -> list[Path]:
    import xstatic.pkg.leaflet as lf
    import xstatic.pkg.leaflet_markercluster as mc
    return [Path(lf.BASE_DIR) / "leaflet.js", Path(mc.BASE_DIR) / "leaflet.markercluster.js",
            ASSETS_DIR / "ptce_map.js"]


@functools.lru_cache(maxsize=1)
def script_bytes() -> bytes:
    """Leaflet, its marker-cluster plugin and ``ptce_map.js`` in one script: the map's frame
    loads its scripts one after the other, so one file saves two round trips."""
    return b"\n;\n".join(p.read_bytes() for p in _script_parts()) + b"\n"


@functools.lru_cache(maxsize=1)
def script_name() -> str:
    """``ptce_map-<hash of its content>.js`` (:func:`script_bytes`): a changed script gets
    a new URL, so browsers never run a stale copy from their cache."""
    return f"ptce_map-{hashlib.sha256(script_bytes()).hexdigest()[:12]}.js"


def _asset_sources() -> dict[str, Path]:
    import xstatic.pkg.leaflet as lf
    import xstatic.pkg.leaflet_markercluster as mc
    return {
        "leaflet.js": Path(lf.BASE_DIR) / "leaflet.js",
        "leaflet.css": Path(lf.BASE_DIR) / "leaflet.css",
        "images": Path(lf.BASE_DIR) / "images",
        "leaflet.markercluster.js": Path(mc.BASE_DIR) / "leaflet.markercluster.js",
        "MarkerCluster.css": Path(mc.BASE_DIR) / "MarkerCluster.css",
        "MarkerCluster.Default.css": Path(mc.BASE_DIR) / "MarkerCluster.Default.css",
    }


def install_assets(target: Path) -> list[Path]:
    """Copy the map's scripts and stylesheets from the installed XStatic packages, and
    write the map's one script (:func:`script_name`)."""
    target = Path(target)
    target.mkdir(parents=True, exist_ok=True)
    script = target / script_name()
    if not script.exists() or script.read_bytes() != script_bytes():
        # written aside, then renamed: a replica starting beside another never serves half a file
        with tempfile.NamedTemporaryFile(dir=target, suffix=".part", delete=False) as part:
            part.write(script_bytes())
        os.replace(part.name, script)
    written = [script]
    for name, source in _asset_sources().items():
        dest = target / name
        if source.is_dir():
            shutil.copytree(source, dest, dirs_exist_ok=True)
        elif not dest.exists() or dest.read_bytes() != source.read_bytes():
            shutil.copyfile(source, dest)
        written.append(dest)
    return written


def _local_assets(m: folium.Map, cluster: bool = False) -> None:
    """Scripts and stylesheets from the app's static files (no CDN): one script (Leaflet,
    the marker-cluster plugin, ``ptce_map.js``), Leaflet's stylesheet and the marker-cluster
    ones when ``cluster``. Nothing of ours uses jQuery, which folium lists by default."""
    m.default_js = [("ptce_map", f"{STATIC_URL}/{script_name()}")]
    m.default_css = [("leaflet_css", f"{STATIC_URL}/leaflet.css")]
    if cluster:
        m.default_css += [("markerclustercss", f"{STATIC_URL}/MarkerCluster.css"),
                          ("markerclusterdefaultcss", f"{STATIC_URL}/MarkerCluster.Default.css")]


# ---------------------------------------------------------------------------
# Boundaries as static, versioned files; per-view properties sent with the page


def _ring(coords) -> list[int]:
    q = np.round(np.asarray(coords)[:, :2] * SCALE).astype(np.int64)
    q[1:] = np.diff(q, axis=0)
    return q.ravel().tolist()


def encode_geometry(geom) -> list:
    """A (multi)polygon as lists of rings of delta-encoded integer coordinates,
    decoded by ``ptceMap`` in the browser."""
    if geom is None or geom.is_empty:
        return []
    polys = shapely.get_parts(geom)
    return [[_ring(p.exterior.coords)] + [_ring(r.coords) for r in p.interiors]
            for p in polys if shapely.get_type_id(p) == 3]


def boundary_payload(layer: gpd.GeoDataFrame) -> dict:
    """The content of a boundary file: codes, escaped names, population, geometry."""
    return {"scale": SCALE, "codes": layer["code"].tolist(), "nom": [esc(n) for n in layer["nom"]],
            "population": [int(p) for p in layer["population"].fillna(0)],
            "geoms": [encode_geometry(g) for g in layer.geometry]}


def _script_json(value) -> str:
    """JSON for a script: compact, with ``</`` broken up. Our elements put it in the page
    as text (:class:`_ScriptElement`); user text in it went through :func:`esc` anyway."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).replace("</", "<\\/")


class BoundaryFiles:
    """Display boundaries written once as static JSON files that the app serves
    and browsers cache: a URL holds the boundary data version, so a new version
    gets new URLs. One file for the EPCI, one per département for the communes.

    ``directory`` is the app's static folder, served at ``url`` (Streamlit
    serves ``<app>/static`` at ``/app/static``).
    """

    def __init__(self, territories, directory: Path, url: str = f"{STATIC_ROOT}/geo"):
        from .territories import CACHE_FORMAT
        version = re.sub(r"[^A-Za-z0-9.]+", "-", f"{territories.version}-c{CACHE_FORMAT}-g{GEOMETRY_FORMAT}")
        self.territories = territories
        self.directory = Path(directory) / version
        self.url = f"{url}/{version}"
        self._lock = threading.Lock()

    def _file(self, name: str, layer) -> str:
        path = self.directory / name
        with self._lock:
            if not path.exists():
                self.directory.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-")
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    handle.write(_script_json(boundary_payload(layer())))
                os.replace(tmp, path)
        return f"{self.url}/{name}"

    def epci(self) -> str:
        """URL of the EPCI boundaries (national maps)."""
        return self._file("epci.json", lambda: self.territories.display["epci"])

    def communes(self, departement: str) -> str:
        """URL of the commune boundaries of a département (territory maps)."""
        if not re.fullmatch(r"[0-9AB]{2,3}", str(departement)):
            raise ValueError(f"code de département invalide : {departement!r}")
        layer = self.territories.display["communes"]
        return self._file(f"communes-{departement}.json",
                          lambda: layer[layer["departement_code"] == departement])


class _Raw(Element):
    """Text put in the page as it is. branca compiles the text of a ``folium.Element``, and the
    output of every ``MacroElement``, as a Jinja template and renders it again: here nothing in
    the text is ever read as a template, and no time goes into compiling it (the view's data
    runs to hundreds of kilobytes)."""

    def __init__(self, text: str):
        super().__init__()
        self.text = text

    def render(self, **kwargs) -> str:
        return self.text


class _ScriptElement(MacroElement):
    """A map element whose ``script`` macro output goes into the page as text (:class:`_Raw`)."""

    def render(self, **kwargs) -> None:
        script = self._template.module.__dict__["script"]
        self.get_root().script.add_child(_Raw(script(self, kwargs)), name=self.get_name())
        for child in self._children.values():
            child.render(**kwargs)


class _MapCall(_ScriptElement):
    """A call of one of ``ptce_map.js``'s functions (:attr:`function`) on the map it is added
    to, with ``data``: script text (:func:`_script_json`, or GeoJSON of our own geometry)."""

    function = ""
    _template = Template("""
        {% macro script(this, kwargs) %}
        ptceMap.{{ this.function }}({{ this._parent.get_name() }}, {{ this.data }});
        {% endmacro %}""")

    def __init__(self, data: str):
        super().__init__()
        self._name = "Ptce" + self.function.capitalize()
        self.data = data


class _View(_MapCall):
    """Draws boundaries (files or inline payloads) coloured with per-view properties."""

    function = "draw"

    def __init__(self, data: dict):
        super().__init__(_script_json(data))


class _Script(_ScriptElement):
    """A map-level script (scale, quick views, popup placement)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function (map) { {{ this.code }} })({{ this._parent.get_name() }});
        {% endmacro %}""")

    def __init__(self, code: str):
        super().__init__()
        self._name = "PtceScript"
        self.code = code


def _view_data(sources: list, codes, fill, palette, labels, columns, style=None) -> dict:
    return {"files": sources, "codes": list(codes), "fill": [int(i) for i in fill], "palette": palette,
            "labels": [esc(label) for label in labels], "columns": columns, "style": style or {}}


def _enum(values: pd.Series) -> dict:
    """A column of repeated texts as a list of escaped labels and an index per row."""
    codes, uniques = pd.factorize(values.fillna("").astype(str))
    return {"enum": [esc(u) for u in uniques], "index": codes.tolist()}


def _km(values: pd.Series) -> dict:
    return {"km": [None if v != v else round(float(v), 1) for v in values]}


#: CSS of the pole markers and clusters: purple, never the green or the orange
#: of « couvert » / « zone blanche »; poles outside a territory in grey.
MARKER_CSS = f"""<style>
.leaflet-control-attribution a {{ text-decoration: underline; }}
@media (max-width: 480px) {{
  /* a phone: a smaller legend, an attribution that wraps instead of covering the scale */
  #legende {{ font-size:10px !important; padding:4px 6px !important; left:8px !important; bottom:36px !important; }}
  #legende span {{ width:10px !important; height:10px !important; margin-right:4px !important; }}
  .leaflet-control-attribution {{ font-size:9px; max-width:55%; }}
}}
.ptce-molette {{ position:absolute; left:50%; top:50%; transform:translate(-50%,-50%); z-index:1000;
  background:rgba(0,0,0,.75); color:#fff; padding:8px 14px; border-radius:4px; font:14px sans-serif;
  pointer-events:none; transition:opacity .3s; }}
.ptce-pole {{ width:14px; height:14px; border-radius:50%; background:{POLE_COLOR}; border:1.5px solid #222;
  box-sizing:border-box; }}
.ptce-groupe {{ width:22px; height:22px; border-radius:50%; background:{POLE_COLOR};
  border:4px solid rgba(118,42,131,.3); box-sizing:border-box; }}
.ptce-pole.ptce-contexte {{ background:{CONTEXT_POLE_COLOR}; border-color:#666; opacity:.75; }}
.leaflet-marker-icon:focus-visible .ptce-pole {{ outline:3px solid #ffbf47; outline-offset:2px; }}
.ptce-sr {{ position:absolute; width:1px; height:1px; overflow:hidden; clip:rect(0 0 0 0); white-space:nowrap; }}
.marker-cluster-small, .marker-cluster-medium, .marker-cluster-large {{ background-color:rgba(118,42,131,.3); }}
.marker-cluster-small div, .marker-cluster-medium div, .marker-cluster-large div {{
  background-color:{POLE_COLOR}; color:#fff; font-weight:bold; }}
.marker-cluster.ptce-contexte {{ background-color:rgba(158,158,158,.3); }}
.marker-cluster.ptce-contexte div {{ background-color:rgba(120,120,120,.6); color:#fff; }}
.ptce-tip table {{ font:12px sans-serif; border-collapse:collapse; }}
.ptce-tip th {{ font-weight:bold; padding:0 6px 0 0; text-align:left; }}
.ptce-vues {{ background:#fff; border:1px solid #999; border-radius:4px; padding:4px; font:12px sans-serif; }}
.ptce-vues button {{ display:block; width:100%; margin:2px 0; font:12px sans-serif; cursor:pointer; }}
</style>"""

#: Quick views: metropolitan France and each overseas région (« DROM »), by région code.
QUICK_VIEWS = {"metro": "Métropole", "01": "Guadeloupe", "02": "Martinique", "03": "Guyane",
               "04": "La Réunion", "06": "Mayotte"}

#: Scale in kilometres only (Leaflet's default also shows miles).
_SCALE_KM = "L.control.scale({metric: true, imperial: false}).addTo(map);"


def base_map(basemap: str = "osm", bounds=None) -> folium.Map:
    """An empty map of France with the chosen basemap (``osm``, ``ign`` or ``aucun``),
    a scale in km, and purple pole markers and clusters. The mouse wheel zooms it once it
    has been clicked (a page scrolled past the map keeps scrolling)."""
    name, url, attribution = BASEMAPS.get(basemap, BASEMAPS["osm"])
    m = folium.Map(location=[46.6, 2.4], zoom_start=6, tiles=None, max_zoom=18, min_zoom=3,
                   control_scale=False, prefer_canvas=True)
    # without a tile layer Leaflet has no maxZoom, and the marker clusters need one
    m.options["maxZoom"] = 18
    m.options["minZoom"] = 2
    if url:  # given as a provider: folium would otherwise look the URL up among all known providers
        folium.TileLayer(_tile_provider(name, url, attribution), name=name, attr=attribution, max_zoom=18).add_to(m)
    if bounds is not None:
        m.fit_bounds(bounds)
    m.get_root().header.add_child(_Raw(MARKER_CSS))
    _Script(_SCALE_KM + "ptceMap.clearOfLegend(map); ptceMap.wheelOnClick(map);").add_to(m)
    return m


def france_map(basemap: str, epci_display: gpd.GeoDataFrame, bounds=None) -> folium.Map:
    """:func:`base_map` showing the whole of metropolitan France, Corsica included (or
    ``bounds``), with the quick-view buttons. Its zoom goes by quarter steps: at whole steps
    France is either cut (zoom 6 in a 620-pixel frame) or a small shape in the middle (zoom 5)."""
    views = quick_views(epci_display)
    m = base_map(basemap, bounds=bounds if bounds is not None else views.get("metro"))
    m.options["zoomSnap"] = 0.25
    add_quick_views(m, views)
    return m


@functools.lru_cache(maxsize=None)
def _tile_provider(name: str, url: str, attribution: str) -> xyzservices.TileProvider:
    return xyzservices.TileProvider(name=name, url=url, attribution=attribution)


def quick_views(layer: gpd.GeoDataFrame, region_col: str = "region_code") -> dict[str, list]:
    """Bounds ([[south, west], [north, east]]) of metropolitan France and of each
    overseas région present in ``layer``, for the quick-view buttons (worked out once
    per layer)."""
    return DRAWN.get(layer, ("quick_views", region_col), lambda: _quick_views(layer, region_col))


def _quick_views(layer: gpd.GeoDataFrame, region_col: str) -> dict[str, list]:
    groups = layer[region_col].where(layer[region_col].isin(QUICK_VIEWS), "metro")
    out = {}
    for key in QUICK_VIEWS:
        part = layer[groups == key]
        if len(part):
            minx, miny, maxx, maxy = part.total_bounds
            out[key] = [[round(miny, 3), round(minx, 3)], [round(maxy, 3), round(maxx, 3)]]
    return out


def add_quick_views(m: folium.Map, views: dict[str, list]) -> None:
    """Buttons (top right) that show metropolitan France or an overseas région."""
    if len(views) < 2:
        return
    buttons = [[esc(QUICK_VIEWS[k]), b] for k, b in views.items()]
    _Script(f"""
        var views = {_script_json(buttons)};
        var box = L.control({{position: "topright"}});
        box.onAdd = function () {{
          var div = L.DomUtil.create("div", "ptce-vues");
          div.setAttribute("role", "group");
          div.setAttribute("aria-label", "Vues rapides : métropole et outre-mer");
          views.forEach(function (v) {{
            var b = L.DomUtil.create("button", "", div);
            b.type = "button"; b.innerHTML = v[0];
            L.DomEvent.on(b, "click", function (e) {{ L.DomEvent.stop(e); map.fitBounds(v[1]); }});
          }});
          L.DomEvent.disableClickPropagation(div);
          return div;
        }};
        box.addTo(map);""").add_to(m)


def fit_points(m: folium.Map, lat, lon, max_zoom: int = 11) -> None:
    """Show every point: fit the map to them once it has its size (a map drawn in
    a hidden or resizing frame would otherwise keep the zoom of an empty box)."""
    if not len(lat):
        return
    bounds = [[float(min(lat)), float(min(lon))], [float(max(lat)), float(max(lon))]]
    _Script(f"""
        var b = L.latLngBounds({_script_json(bounds)});
        function fit() {{ map.invalidateSize(); map.fitBounds(b, {{padding: [24, 24], maxZoom: {int(max_zoom)}}}); }}
        fit(); setTimeout(fit, 300);
        map.once("resize", fit);""").add_to(m)


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
    - Jinja: branca renders an element's script and then parses the result
      again as a template, so ``{{ … }}`` in a pole's name would run on the
      server. Our own elements are spared that second pass (:class:`_Raw`);
      as a second guard, ``{``, ``}``, ``%`` and ``#`` become entities, which the
      browser shows as the characters themselves and Jinja reads as plain text.
    """
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value).translate(_INERT)


def fiche_links(pole) -> str:
    """Links from a pole's popup to the fiches of its EPCI and commune (the app's
    query-string URLs), opened in the whole window, not in the map's frame."""
    links = []
    for level, key, label in (("epci", "epci_siren", "Fiche de son EPCI"),
                              ("commune", "commune_insee", "Fiche de sa commune")):
        code = str(pole.get(key) or "")
        if re.fullmatch(r"[0-9AB]{5}|[0-9]{9}", code):
            links.append(f"<a href='/fiche_territoire?{level}={code}' target='_top'>{label}</a>")
    return " · ".join(links)


def pole_popup(pole, supports: pd.DataFrame, fiche: bool = True) -> str:
    """Popup HTML: name, commune, typology, stage, sectors, supports by lever and
    level, and links to the fiches of its territories."""
    return _popup(pole, list(zip(supports["leviers"], supports["collectivite_niveau"])), fiche)


def _popup(pole, supports: list[tuple[str, str]], fiche: bool = True) -> str:
    """:func:`pole_popup` from the pole's supports as (levers, level) pairs."""
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
        for levers, level in supports:
            for lever in split_list(levers) or ["—"]:
                by_lever.setdefault(lever, set()).add(vocab.label("niveau", level))
        items = "".join(f"<li>{esc(vocab.levier_label(k))} : {esc(', '.join(sorted(v)))}</li>"
                        for k, v in sorted(by_lever.items()))
        lines.append(f"Soutiens ({formats.integer(len(supports))}) :<ul style='margin:0;padding-left:1.2em'>{items}</ul>")
    else:
        lines.append("Aucun soutien de collectivité renseigné")
    links = fiche_links(pole) if fiche else ""
    if links:
        lines.append(links)
    return "<br>".join(lines)


def distance_color(km: float) -> str:
    if km != km:  # NaN: no pole at all
        return "#999999"
    return next(color for low, high, color in DISTANCE_BINS if low <= km < high)


def legend_html(title: str, items: list[tuple[str, str]], poles: list[tuple[str, str]] | None = None) -> str:
    """The legend: coloured boxes (``items``), then the pole symbols (``poles``:
    (css class, label) pairs, shown as round markers)."""
    rows = "".join(f"<div><span style='display:inline-block;width:14px;height:14px;background:{c};"
                   f"border:1px solid #555;margin-right:6px;vertical-align:middle'></span>{esc(label)}</div>"
                   for c, label in items)
    for css, label in poles if poles is not None else POLE_LEGEND:
        rows += (f"<div style='margin-top:3px'><span class='{css}' style='display:inline-block;vertical-align:middle;"
                 f"margin-right:6px'></span>{esc(label)}</div>")
    return (f"<div id='legende' style='position:absolute;bottom:42px;left:12px;z-index:1000;background:white;"
            f"padding:8px 10px;border:1px solid #999;border-radius:4px;font:12px sans-serif'>"
            f"<b>{esc(title)}</b>{rows}</div>")


#: Pole symbols of the legend: one pole, a group of poles (clusters show their count).
POLE_LEGEND = [("ptce-pole", "pôle"), ("ptce-groupe", "groupe de pôles (nombre au centre)")]
CONTEXT_LEGEND = [("ptce-pole ptce-contexte", "pôle hors du territoire (regroupés)")]


class _Poles(_MapCall):
    """Pole markers drawn by ``ptceMap.poles`` from one compact list."""

    function = "poles"


class _Outline(_MapCall):
    """A territory's contour drawn by ``ptceMap.outline``: a line that leaves the mouse to the
    communes under it."""

    function = "outline"


def add_poles(m, poles: pd.DataFrame, supports: pd.DataFrame, cluster: bool = True, context: bool = False,
              among: pd.DataFrame | None = None):
    """Poles as round markers that a keyboard reaches (Tab, then Enter opens the
    popup), clustered when zoomed out, with escaped tooltips and popups.
    ``context``: poles outside the chosen territory, lighter and always clustered.
    ``among``: a table the poles are rows of (France's filtered poles, shared by the views
    cut from it): the markers are written once for it, and each map picks its own.
    Returns whether the markers are clustered (the page then loads the plugin)."""
    clustered = bool(cluster or context)
    _Poles(_pole_items(poles, supports, clustered, bool(context), among)).add_to(m)
    return clustered


#: What a pole's popup shows of its row (:func:`_popup`)
POPUP_COLUMNS = ("id", "nom", "commune_nom", "departement_code", "typologie", "stade", "secteurs", "epci_siren",
                 "commune_insee")


def _pole_items(poles: pd.DataFrame, supports: pd.DataFrame, clustered: bool, context: bool,
                among: pd.DataFrame | None = None) -> str:
    """The markers' data for ``ptceMap.poles``, as script text: each pole's marker, written
    once for the table it is a row of (``among``, or ``poles`` themselves)."""
    source = poles if among is None else among
    entries, position = DRAWN.get((source, supports), "pole entries", lambda: _pole_entries(source, supports))
    if source is not poles:
        rows = [position.get(i) for i in poles["id"]]
        if position.get(None) is not None or None in rows:  # repeated ids, or a pole from elsewhere
            entries, rows = _pole_entries(poles, supports)[0], range(len(poles))
        entries = [entries[r] for r in rows]
    return f'{{"items":[{",".join(entries)}],"cluster":{json.dumps(clustered)},"context":{json.dumps(context)}}}'


def _pole_entries(poles: pd.DataFrame, supports: pd.DataFrame) -> tuple[list[str], dict]:
    """Each pole's marker as script text (:func:`_script_json`), in row order, and each
    row's position by pole id (under ``None`` when an id is repeated). A pole's popup is
    written once for a table of supports (the views of a registry draw the same poles again
    and again), found by what it shows of the pole."""
    def group() -> dict[str, list]:
        grouped: dict[str, list] = {}  # one pass over the supports, no frame per pole
        for pid, levers, level in zip(supports["pole_id"], supports["leviers"], supports["collectivite_niveau"]):
            grouped.setdefault(pid, []).append((levers, level))
        return grouped
    grouped = DRAWN.get(supports, "supports by pole", group)
    popups = DRAWN.get(supports, "popups", dict)  # shared: a popup is the same for any session
    entries = []
    # only the columns a marker shows, read column by column (a frame's rows as dicts, with
    # all of a registry's columns, cost more than everything else here)
    columns = [c for c in (*POPUP_COLUMNS, "point_lat", "point_lon") if c in poles]
    for values in zip(*(poles[c].to_numpy(dtype=object) for c in columns)):
        p = dict(zip(columns, values))
        shown = tuple((type(v).__name__, str(v)) for v in (p.get(c) for c in POPUP_COLUMNS))
        if shown not in popups:
            popups[shown] = _popup(p, grouped.get(p["id"], []))
        entries.append(_script_json([round(float(p["point_lat"]), 5), round(float(p["point_lon"]), 5),
                                     esc(p["nom"]), popups[shown]]))
    ids = poles["id"].tolist() if "id" in poles else []
    position = dict(zip(ids, range(len(ids))))
    if len(position) < len(ids):
        position[None] = -1
    return entries, position


def release(m: Element) -> None:
    """Undo the links between a drawn map's elements (or a layer's) (each child points to its parent,
    each parent holds its children), so the map and its view data are freed as soon as the
    page lets go of it, by reference counting, without waiting for a full collection of
    the garbage collector (the dashboard turns Streamlit's post-run collection off)."""
    stack = [m.get_root()]
    while stack:
        element = stack.pop()
        children = getattr(element, "_children", None)
        if children:
            stack.extend(children.values())
            children.clear()
        element._parent = None


def national_map(epci_display: gpd.GeoDataFrame, epci_table: pd.DataFrame, poles: pd.DataFrame,
                 supports: pd.DataFrame, mode: str = "couverture", basemap: str = "osm",
                 boundaries: BoundaryFiles | None = None) -> folium.Map:
    """EPCI coloured by coverage (``couverture``) or pole count (``nombre``), plus the poles.

    Public API: the whole national map as one :class:`folium.Map`. Without
    ``boundaries`` the EPCI boundaries are inside the page (a standalone
    ``national_map(...).save("carte.html")``, next to the app's static files);
    the benchmarks measure its size. The dashboard uses :func:`national_layers`.
    """
    m, layers = national_layers(epci_display, epci_table, poles, supports, mode, basemap, boundaries)
    layers.add_to(m)
    return m


def _epci_source(epci_display: gpd.GeoDataFrame, boundaries: BoundaryFiles | None):
    return boundaries.epci() if boundaries is not None else boundary_payload(epci_display)


def national_layers(epci_display: gpd.GeoDataFrame, epci_table: pd.DataFrame, poles: pd.DataFrame,
                    supports: pd.DataFrame, mode: str = "couverture", basemap: str = "osm",
                    boundaries: BoundaryFiles | None = None) -> tuple[folium.Map, folium.FeatureGroup]:
    """The national map split in two: a base (basemap, legend, quick views,
    assets) that only changes with ``mode`` or ``basemap``, and the layers that
    follow the filters (EPCI colours, poles). The dashboard hands the layers to
    ``st_folium`` as ``feature_group_to_add``, so a filter change redraws them
    without reloading the map (zoom and position are kept).

    With ``boundaries``, the EPCI boundaries are a static file the browser
    caches; the layers only carry each EPCI's colour and tooltip values."""
    table = epci_table.set_index("code")
    codes = epci_display["code"]
    nb = codes.map(table["nb_poles_siege"]).fillna(0).astype(int)
    couvert = codes.map(table["couvert"]).fillna(False).astype(bool)
    if mode == "nombre":
        palette = COUNT_COLORS
        fill = nb.map(lambda n: 0 if n == 0 else 1 if n == 1 else 2 if n == 2 else 3 if n <= 4 else 4)
        legend = legend_html("Pôles ayant leur siège dans l'EPCI",
                             [(COUNT_COLORS[0], "0"), (COUNT_COLORS[1], "1"), (COUNT_COLORS[2], "2"),
                              (COUNT_COLORS[3], "3 ou 4"), (COUNT_COLORS[4], "5 et plus")])
    else:
        palette = [UNCOVERED_COLOR, COVERED_COLOR]
        fill = couvert.astype(int)
        legend = legend_html("EPCI", [(COVERED_COLOR, "couvert par un pôle"),
                                      (UNCOVERED_COLOR, "zone blanche (aucun pôle)")])
    m = france_map(basemap, epci_display)
    layers = folium.FeatureGroup(name="Couverture et pôles")
    _View(_view_data([_epci_source(epci_display, boundaries)], codes, fill, palette,
                     ["EPCI", "Population", "Pôles (siège)", "Couverture"],
                     ["nom", "population", {"values": nb.tolist()},
                      {"enum": ["non couvert", "couvert"], "index": couvert.astype(int).tolist()}])).add_to(layers)
    cluster = add_poles(layers, poles, supports)
    m.get_root().html.add_child(_Raw(legend))
    _local_assets(m, cluster)
    return m, layers


def territory_map(communes: gpd.GeoDataFrame, commune_table: pd.DataFrame, outline, poles: pd.DataFrame,
                  supports: pd.DataFrame, basemap: str = "osm", context_poles: pd.DataFrame | None = None,
                  boundaries: BoundaryFiles | None = None, display: gpd.GeoDataFrame | None = None,
                  among: pd.DataFrame | None = None) -> folium.Map:
    """A territory's communes coloured by distance to the nearest pole, outlined.

    ``communes``: the territory's communes (full layer rows: their codes and
    départements); ``commune_table``: their coverage table (distances computed
    on the full-resolution geometry); ``outline``: the territory's contour, or
    ``None`` for the union of the drawn communes. ``poles`` are the territory's poles, drawn
    plainly; ``context_poles`` (poles outside it) are drawn lighter and clustered.
    The commune boundaries come from ``boundaries`` (static files, one per
    département, cached by the browser) or, without it, inline from ``display``
    (the commune display layer) or, lacking both, from ``communes`` themselves.
    The outline does not catch the mouse: the communes keep their tooltips. ``among``: the
    table both kinds of poles are rows of (France's filtered poles; see :func:`add_poles`).
    """
    table = commune_table.set_index("code")
    codes = communes["code"]
    distance = codes.map(table["distance_km"])
    fill = distance.map(lambda d: len(DISTANCE_BINS) if d != d else
                        next(i for i, (low, high, _) in enumerate(DISTANCE_BINS) if low <= d < high))
    palette = [c for _, _, c in DISTANCE_BINS] + ["#999999"]
    if boundaries is not None:
        display = boundaries.territories.display["communes"]
    layer = display if display is not None else communes
    shapes = None
    if boundaries is not None:
        sources = [boundaries.communes(d) for d in sorted(communes["departement_code"].dropna().unique())]
    else:
        shapes = layer[layer["code"].isin(set(codes))]
        sources = [boundary_payload(shapes if "population" in shapes else shapes.assign(population=0))]
    if outline is None:  # the union of the drawn communes: it follows their simplified edges exactly
        shape = DRAWN.get(layer, ("outline", tuple(sorted(codes))), lambda: shapely.to_geojson(
            contour(layer[layer["code"].isin(set(codes))] if shapes is None else shapes,
                    commune_points(display) if display is not None else None)))
    else:
        shape = shapely.to_geojson(shapely.union_all(outline.geometry.to_numpy()))
    minx, miny, maxx, maxy = communes.total_bounds
    m = base_map(basemap, bounds=[[miny, minx], [maxy, maxx]])
    _View(_view_data(sources, codes, fill, palette,
                     ["Commune", "Distance au pôle le plus proche", "Pôle le plus proche"],
                     ["nom", _km(distance), _enum(codes.map(table["pole_proche_nom"]))],
                     style={"color": "#666", "weight": 0.3, "fillOpacity": 0.6})).add_to(m)
    _Outline(shape).add_to(m)
    cluster = False
    if context_poles is not None and len(context_poles):
        cluster = add_poles(m, context_poles, supports, context=True, among=among)
    add_poles(m, poles, supports, cluster=False, among=among)
    m.get_root().html.add_child(_Raw(legend_html(
        "Distance au pôle le plus proche", [(c, f"{lo:g} à {formats.km(hi, 0)}" if hi < 1e9
                                             else f"{formats.km(lo, 0)} et plus")
                                            for lo, hi, c in DISTANCE_BINS],
        poles=POLE_LEGEND[:1] + (CONTEXT_LEGEND if cluster else []))))
    _local_assets(m, cluster)
    return m


def contour(shapes: gpd.GeoDataFrame, inside_points: tuple | None = None):
    """The outline of a territory drawn from its (simplified) communes: their union, whose
    holes are kept only where another commune lies (an enclave, such as the Enclave des
    Papes in the Drôme). The other holes are gaps between the communes' edges, left by the
    simplification or in the source data, drawn as black specks: they are filled.
    ``inside_points`` = (lon, lat) arrays of a point in each commune of France (without them,
    every hole is filled)."""
    geometries = shapes.geometry.to_numpy()
    try:
        union = shapely.coverage_union_all(geometries)  # fast, for communes that only touch
    except shapely.errors.GEOSException:  # full-resolution communes that overlap a little (a région's)
        union = shapely.union_all(geometries)

    def enclave(ring) -> bool:
        if inside_points is None:
            return False
        hole = shapely.Polygon(ring)
        lon, lat = inside_points
        near = (lon >= hole.bounds[0]) & (lon <= hole.bounds[2]) & (lat >= hole.bounds[1]) & (lat <= hole.bounds[3])
        return bool(near.any() and shapely.contains_xy(hole, lon[near], lat[near]).any())

    parts = [shapely.Polygon(p.exterior, [r for r in p.interiors if enclave(r)])
             for p in shapely.get_parts(union) if isinstance(p, shapely.Polygon)]
    return parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)


def commune_points(layer: gpd.GeoDataFrame) -> tuple:
    """A point inside each commune of ``layer`` (lon, lat arrays), worked out once per layer."""
    def points():
        shapes = layer.geometry.to_numpy()
        shapes = shapes[~shapely.is_missing(shapes) & ~shapely.is_empty(shapes)]  # a commune without a shape
        inside = shapely.point_on_surface(shapes)
        return shapely.get_x(inside), shapely.get_y(inside)
    return DRAWN.get(layer, "points on surface", points)


def split_poles(poles: pd.DataFrame, territories, territory: tuple[str, str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(poles of the territory, the others): a pole belongs to it when its seat is
    there or its perimeter reaches one of the territory's communes. The others
    are drawn as context on a territory map (:func:`territory_map`)."""
    from . import coverage, levels
    level, code = territory
    seated = poles[levels.get(level).pole_column].astype(str).eq(code)
    members = set(territories.commune_attributes_in(level, code)["code"])
    reach = coverage.perimeter_reach(poles[~seated], territories)
    reaching = poles["id"].isin(reach.loc[reach["commune"].isin(members), "pole_id"])
    inside = seated | reaching
    return poles[inside], poles[~inside]


def gaps_map(epci_display: gpd.GeoDataFrame, gaps: pd.DataFrame, poles: pd.DataFrame, supports: pd.DataFrame,
             basemap: str = "osm", boundaries: BoundaryFiles | None = None, around=None) -> folium.Map:
    """Uncovered EPCI only, ranked, with the poles; opened on the EPCI ``around`` (a
    territory's codes, uncovered or not) or on metropolitan France."""
    info = gaps.set_index("code")
    codes = epci_display["code"][epci_display["code"].isin(info.index)]
    bounds = None
    if around is not None:
        west, south, east, north = epci_display[epci_display["code"].isin(set(around))].total_bounds
        bounds = [[south, west], [north, east]]
    m = france_map(basemap, epci_display, bounds)
    if len(codes):
        _View(_view_data([_epci_source(epci_display, boundaries)], codes, [0] * len(codes), [UNCOVERED_COLOR],
                         ["Rang", "EPCI", "Population"],
                         [{"values": [int(r) for r in codes.map(info["rang"])]}, "nom", "population"],
                         style={"fillOpacity": 0.6})).add_to(m)
    cluster = add_poles(m, poles, supports)
    m.get_root().html.add_child(_Raw(legend_html("EPCI", [(UNCOVERED_COLOR, "zone blanche")])))
    _local_assets(m, cluster)
    return m


def preview_map(poles: pd.DataFrame, supports: pd.DataFrame, basemap: str = "osm") -> folium.Map:
    """A small map of freshly located poles, fitted to show every one of them."""
    m = base_map(basemap)
    fit_points(m, poles["point_lat"].to_numpy(), poles["point_lon"].to_numpy())
    cluster = add_poles(m, poles, supports)
    _local_assets(m, cluster)
    return m
