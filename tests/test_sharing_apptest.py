"""AppTest of sharing a view: the sidebar cascade shows a territory's parents, the link
of the view and its embed snippet, the warning for an imported registry, the map-only
embed view (``?vue=integration``) and the « Exports SIG » block of the Données page.
The map itself is checked in a real browser (tests/e2e/test_sharing.py)."""

import html
import re

import pytest
import streamlit_folium
from streamlit.testing.v1 import AppTest

from ptce_geo import coverage as cv
from ptce_geo import paths

APP = str(paths.ROOT / "dashboard" / "app.py")
GRENOBLE = "200040715"  # Grenoble-Alpes-Métropole: Isère (38), Auvergne-Rhône-Alpes (84)


@pytest.fixture
def maps_drawn(monkeypatch):
    drawn = []
    monkeypatch.setattr(streamlit_folium, "st_folium", lambda m, **kw: drawn.append(m.get_root().render()))
    return drawn


def _app(**params):
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def _shown(at, key):
    """The option a sidebar selectbox shows (its formatted label)."""
    box = at.sidebar.selectbox(key=key)
    return box.format_func(box.value)


def test_an_epci_in_the_url_shows_its_region_and_departement(maps_drawn):
    at = _app(epci=GRENOBLE)
    assert not at.exception
    assert _shown(at, "f_region") == "Auvergne-Rhône-Alpes" != "Toute la France"
    assert _shown(at, "f_departement") == "38 – Isère"
    assert _shown(at, "f_epci") == "Grenoble-Alpes-Métropole"
    assert any("Grenoble" in h.value for h in at.header)  # the map is the EPCI's
    assert at.query_params["region"] in ("84", ["84"]) and at.query_params["departement"] in ("38", ["38"])


def test_a_commune_in_the_url_shows_its_epci_departement_and_region(maps_drawn):
    at = _app(commune="44109")  # Nantes
    assert not at.exception
    assert _shown(at, "f_region") == "Pays de la Loire" and _shown(at, "f_departement") == "44 – Loire-Atlantique"
    assert _shown(at, "f_epci") == "Nantes Métropole"
    assert any(h.value == "Commune : Nantes" for h in at.header)


def test_choosing_an_epci_in_the_sidebar_selects_its_parents(maps_drawn):
    at = _app()
    assert _shown(at, "f_region") == "Toute la France"
    # France's EPCI list opens once narrowed: it is not sent with every rerun
    assert at.sidebar.selectbox(key="f_epci").options == ["Tous"]
    assert any("la recherche ci-dessus" in c.value for c in at.sidebar.caption)
    at.sidebar.text_input(key="f_epci_q").input("grenoble alpes").run()
    assert not at.exception
    assert _shown(at, "f_region") == "Auvergne-Rhône-Alpes" and _shown(at, "f_departement") == "38 – Isère"
    assert _shown(at, "f_epci") == "Grenoble-Alpes-Métropole"  # one answer: chosen, with its parents
    at.sidebar.text_input(key="f_epci_q").input("").run()
    at.sidebar.selectbox(key="f_departement").set_value("").run()
    at.sidebar.selectbox(key="f_region").set_value("84").run()
    assert "Grenoble-Alpes-Métropole" in at.sidebar.selectbox(key="f_epci").options  # the région's EPCI
    at.sidebar.selectbox(key="f_epci").set_value("200069110").run()  # Grand Chambéry (Savoie), chosen in its région
    assert _shown(at, "f_departement") == "73 – Savoie"


def test_the_link_of_the_view_and_its_embed_snippet(maps_drawn):
    at = _app(leviers="L6", epci=GRENOBLE)
    assert not at.exception
    fields = {}
    for element in at.sidebar.get("html"):
        found = re.search(r'id="(ptce-[a-z]+)"[^>]*(?:value="([^"]*)"|>([^<]*)</textarea>)', element.proto.body)
        if found:
            fields[found.group(1)] = html.unescape(found.group(2) or found.group(3))
    link, snippet = fields["ptce-lien"], fields["ptce-integration"]
    assert "leviers=L6" in link and f"epci={GRENOBLE}" in link and "vue=" not in link
    assert snippet.startswith("<iframe src=") and "vue=integration" in snippet and "title=" in snippet
    assert "leviers=L6" in snippet and f"epci={GRENOBLE}" in snippet
    assert not any("importé" in w.value for w in at.sidebar.info)  # the shared registry: no caution


def _share_fields(at) -> dict:
    fields = {}
    for element in at.sidebar.get("html"):
        found = re.search(r'id="(ptce-[a-z]+)"[^>]*(?:value="([^"]*)"|>([^<]*)</textarea>)', element.proto.body)
        if found:
            fields[found.group(1)] = html.unescape(found.group(2) or found.group(3))
    return fields


def test_a_shared_link_shows_the_same_basemap_and_colours(maps_drawn):
    """The basemap and the map's colour mode go into the link and come back from it, on
    the map page and in the embed view."""
    at = _app(leviers="L6")
    at.radio(key="mode_couleur").set_value("nombre").run()
    at.sidebar.selectbox(key="f_fond").set_value("ign").run()
    assert not at.exception
    link, snippet = _share_fields(at)["ptce-lien"], _share_fields(at)["ptce-integration"]
    for text in (link, snippet):
        assert "couleur=nombre" in text and "fond=ign" in text and "leviers=L6" in text
    query = dict(pair.split("=", 1) for pair in link.split("?", 1)[1].split("&"))
    maps_drawn.clear()
    opened = _app(**query)
    assert not opened.exception
    assert opened.radio(key="mode_couleur").value == "nombre"
    assert opened.sidebar.selectbox(key="f_fond").value == "ign"
    assert "Pôles ayant leur siège dans l&#x27;EPCI" in maps_drawn[-1] and "data.geopf.fr" in maps_drawn[-1]
    # another page, then back to the map: the colours stay, in the view and in its link (the
    # browser's address loses its query when the page changes: the session keeps the mode)
    for page in ("pages/zones_blanches.py", "pages/carte.py"):
        opened.query_params.clear()
        opened.switch_page(page).run()
        opened.run()  # a second run there: the map's widgets are gone from the session
    assert "couleur=nombre" in _share_fields(opened)["ptce-lien"]
    assert opened.radio(key="mode_couleur").value == "nombre"
    # back to the default colours: the link says nothing of them
    opened.radio(key="mode_couleur").set_value("couverture").run()
    assert "couleur=" not in _share_fields(opened)["ptce-lien"]
    maps_drawn.clear()
    embed = _app(vue="integration", **query)
    assert not embed.exception and "Pôles ayant leur siège dans l&#x27;EPCI" in maps_drawn[0]
    assert "data.geopf.fr" in maps_drawn[0]


def test_unknown_filter_values_in_a_link_are_said_not_dropped_silently(maps_drawn):
    """A link edited by hand, or from an older version: unknown levers, unreadable years,
    an unknown basemap or colour mode are left out, each with a French warning naming it;
    what is known is kept."""
    at = _app(leviers="L6,L99", formes="poste_coordination,tresor", annees="20x4", fond="satellite", couleur="rouge")
    assert not at.exception
    warnings = [w.value for w in at.sidebar.warning]
    assert any(w.startswith("Leviers :") and "L99" in w and "L6" not in w for w in warnings)
    assert any(w.startswith("Forme du soutien :") and "tresor" in w for w in warnings)
    assert any(w.startswith("Années") and "20x4" in w and "2019-2024" in w for w in warnings)
    assert any(w.startswith("Fond de carte") and "satellite" in w and "« ign » (Plan IGN)" in w for w in warnings)
    assert any(w.startswith("Mode de couleur de la carte") and "rouge" in w for w in warnings)
    assert at.sidebar.multiselect(key="f_leviers").value == ["L6"]
    assert at.radio(key="mode_couleur").value == "couverture"
    at.run()  # said once, when the link is opened
    assert not any("L99" in w.value for w in at.sidebar.warning)


def test_an_imported_registry_is_warned_where_the_link_is_copied(maps_drawn, demo):
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["registre_importe"] = demo
    at.run()
    assert not at.exception
    [warning] = [w.value for w in at.sidebar.info if "importé" in w.value]
    assert "pas sur votre fichier" in warning and "registre partagé" in warning
    at.switch_page("pages/donnees.py").run()
    assert any("pas sur votre fichier" in w.value for w in at.info)  # and on the Données page


def test_embed_view_is_the_map_with_its_legend_and_a_source_line(maps_drawn, demo):
    at = _app(vue="integration", leviers="L6")
    assert not at.exception
    assert not at.title and not at.sidebar.multiselect and not at.sidebar.selectbox  # no header, no sidebar
    assert len(maps_drawn) == 1
    html = maps_drawn[0]
    assert "legende" in html and "couvert par un pôle" in html
    expected = cv.filter_poles(demo.poles, demo.soutiens, cv.Filters(leviers=("L6",)))
    [source] = [c.value for c in at.caption]
    assert source.startswith("Source : tableau de bord des PTCE") and "leviers : L6" in source
    assert "France entière" in source and "fictifs" in source
    assert 0 < len(expected) < len(demo.poles)


def test_embed_view_of_a_territory(maps_drawn):
    at = _app(vue="integration", epci=GRENOBLE)
    assert not at.exception and len(maps_drawn) == 1
    assert "EPCI : Grenoble-Alpes-Métropole" in at.caption[0].value
    assert "distance" in maps_drawn[0].lower()


def test_data_page_has_gis_exports_with_a_crs_choice(maps_drawn):
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("pages/donnees.py").run()
    assert not at.exception
    assert any(s.value == "Exports SIG (QGIS)" for s in at.subheader)
    crs = at.radio(key="sig_crs")
    assert crs.value == "4326" and crs.options == ["WGS 84 (EPSG:4326, longitude/latitude)",
                                                   "Lambert-93 (EPSG:2154, mètres)"]
    labels = [b.label for b in at.get("download_button")]
    assert not any(label.startswith(("GeoPackage", "GeoJSON")) for label in labels)  # prepared on demand
    at.button(key="sig_preparer").click().run()
    labels = [b.label for b in at.get("download_button")]
    assert "GeoPackage (.gpkg, toutes les couches)" in labels and "GeoJSON (ZIP, un fichier par couche)" in labels
    at.radio(key="sig_crs").set_value("2154").run()  # another file: to be prepared again
    assert not any(b.label.startswith("GeoPackage") for b in at.get("download_button"))
    at.sidebar.multiselect(key="f_leviers").set_value(["L6"]).run()  # the file's name says its filters
    assert any("ptce_sig_leviers-L6_2154.gpkg" in c.value for c in at.caption)


def test_hostile_codes_in_the_address_are_left_out_and_said(maps_drawn):
    """A shared link edited by hand: an unknown EPCI code (here made to close a field and add
    a script) is left out with a French warning, the page still opens, and the share fields
    hold only what the sidebar accepted, escaped."""
    at = _app(leviers='L6,"><img src=x onerror=alert(1)>', epci=f'{GRENOBLE}"><script>alert(2)</script>')
    assert not at.exception
    [warning] = [w.value for w in at.sidebar.warning if "code inconnu" in w.value]
    assert warning.startswith("EPCI « ` 200040715") and "laissé de côté" in warning  # as inline code: text
    bodies = [e.proto.body for e in at.sidebar.get("html") if "ptce-copie" in e.proto.body]
    assert len(bodies) == 2
    for body in bodies:
        field = body.split("<script>")[0]  # the field, before our own script
        assert "leviers=L6" in field and "<img" not in field and "alert(" not in field
    assert _metrics_caption(at).startswith("France entière")


def _metrics_caption(at):
    return next(c.value for c in at.caption if c.value.startswith(("France entière", "EPCI")))


def test_an_epci_found_by_search_can_be_let_go(maps_drawn):
    """After a search chose an EPCI, « Tous » frees it, and « Toute la France » as région
    brings France back, with the search text still there."""
    at = _app()
    at.sidebar.text_input(key="f_epci_q").input("strasbourg").run()
    assert _shown(at, "f_epci") == "Eurométropole de Strasbourg"
    at.sidebar.selectbox(key="f_epci").set_value("").run()
    assert _shown(at, "f_epci") == "Tous" and _shown(at, "f_departement") == "67 – Bas-Rhin"
    at.sidebar.selectbox(key="f_region").set_value("").run()
    assert not at.exception
    assert (_shown(at, "f_region"), _shown(at, "f_departement"), _shown(at, "f_epci")) == (
        "Toute la France", "Tous", "Tous")
    assert any(m.label == "Pôles affichés" for m in at.metric)  # France's figures again
