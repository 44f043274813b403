import html
import json
import re

import pandas as pd
import pytest
import shapely

from ptce_geo import coverage as cv
from ptce_geo import levels, maps, paths
from ptce_geo.registry import load_registry
from ptce_geo.spatial import locate_registry


def test_assets_are_installed_from_packages(tmp_path):
    written = maps.install_assets(tmp_path)
    names = {p.name for p in written}
    assert {"leaflet.js", "leaflet.css", "leaflet.markercluster.js"} <= names
    assert (tmp_path / "leaflet.js").stat().st_size > 100_000
    # the map script is named after its content: a new version gets a new URL
    assert maps.script_name() in names and re.fullmatch(r"ptce_map-[0-9a-f]{12}\.js", maps.script_name())
    # one script: Leaflet, then the marker-cluster plugin, then ours
    script = (tmp_path / maps.script_name()).read_bytes()
    leaflet, cluster = (tmp_path / "leaflet.js").read_bytes(), (tmp_path / "leaflet.markercluster.js").read_bytes()
    ours = (maps.ASSETS_DIR / "ptce_map.js").read_bytes()
    assert script.index(leaflet) < script.index(cluster) < script.index(ours)


def test_national_map_uses_local_assets_and_has_a_legend(territories, demo):
    poles = cv.filter_poles(demo.poles, demo.soutiens, cv.Filters())
    table = cv.coverage_table(territories, poles, "epci")
    html = maps.national_map(territories.display["epci"], table, poles, demo.soutiens).get_root().render()
    assert f"/app/static/vendor/{maps.script_name()}" in html and "MarkerCluster.css" in html
    assert "cdn" not in html.lower() and "bootstrap" not in html.lower()
    assert "zone blanche (aucun pôle)" in html
    assert '"maxZoom": 18' in html
    # the first view holds metropolitan France from Dunkirk to Corsica's south tip (41.4° N),
    # with zoom steps fine enough to fill the frame (at zoom 6 Corsica was cut off)
    (south, west), (north, east) = json.loads(re.search(r"fitBounds\(\s*(\[\[.*?\]\])", html, re.S).group(1))
    assert south < 41.4 and north > 51 and west < -4.7 and east > 9.5
    assert '"zoomSnap": 0.25' in html


def test_a_sent_map_is_freed_without_the_garbage_collector(territories, demo):
    """The dashboard turns Streamlit's collection after each run off: a map it has sent
    (its view data included) must go as soon as the page lets go of it."""
    import gc
    import weakref
    poles = cv.filter_poles(demo.poles, demo.soutiens, cv.Filters())
    table = cv.coverage_table(territories, poles, "epci")
    m, layers = maps.national_layers(territories.display["epci"], table, poles, demo.soutiens)
    m.get_root().render()
    refs = [weakref.ref(m), weakref.ref(layers), weakref.ref(next(iter(layers._children.values())))]
    gc.disable()
    try:
        maps.release(m)
        maps.release(layers)
        del m, layers
        assert [r() for r in refs] == [None, None, None]
    finally:
        gc.enable()


def test_user_text_is_escaped_in_popups(demo):
    pole = demo.poles.iloc[0].copy()
    pole["nom"] = "<img src=x onerror=alert(1)>"
    html = maps.pole_popup(pole, demo.soutiens.iloc[0:0])
    assert "<img" not in html and "&lt;img" in html


def test_distance_colours():
    assert maps.distance_color(2) != maps.distance_color(80)
    assert maps.distance_color(float("nan")) == "#999999"


def test_popup_groups_supports_by_lever_and_level(demo):
    pole = demo.poles.iloc[0]
    supports = pd.DataFrame({"pole_id": [pole["id"]] * 2, "collectivite_niveau": ["epci", "region"],
                             "leviers": ["L6", "L6|L1"], "forme": ["", ""]})
    html = maps.pole_popup(pole, supports)
    assert "L6 — Aménagement, immobilier et foncier : EPCI (intercommunalité), Région" in html


CORPUS = paths.ROOT / "tests" / "data" / "corpus"


@pytest.fixture(scope="module")
def jinja(territories, gazetteer):
    reg = load_registry(CORPUS / "jinja_hostile.csv", CORPUS / "jinja_hostile_soutiens.csv")
    return locate_registry(reg, territories, gazetteer)


def _every_map(territories, reg):
    """Each map the dashboard draws, as its pages build them, on ``reg``."""
    poles = cv.filter_poles(reg.poles, reg.soutiens, cv.Filters())
    epci = territories.display["epci"]
    table = cv.coverage_table(territories, poles, "epci")
    yield "carte nationale", maps.national_map(epci, table, poles, reg.soutiens)
    yield "zones blanches", maps.gaps_map(epci, cv.zones_blanches(territories, poles), poles, reg.soutiens)
    yield "aperçu de l'import", maps.preview_map(poles, reg.soutiens)
    for level, code in (("departement", "75"), ("region", "84")):
        communes = territories.communes[territories.communes[levels.get(level).commune_column] == code]
        outline = territories.layer(level)
        yield f"territoire {level} {code}", maps.territory_map(
            communes, cv.coverage_table(territories, poles, "commune", within=(level, code)),
            outline[outline["code"] == code][["geometry"]], poles, reg.soutiens)


def test_jinja_in_user_text_is_shown_never_run(territories, jinja, tmp_path, monkeypatch):
    """A pole named ``{{ … }}`` must not run on the server when a map renders
    (folium re-reads rendered scripts as templates), and must show as written."""
    marker = tmp_path / "marqueur"
    monkeypatch.setenv("PTCE_TEST_MARKER", str(marker))
    names = list(jinja.poles["nom"])
    assert len(names) == 5 and jinja.poles["_valide"].all()
    for label, m in _every_map(territories, jinja):
        rendered = m.get_root().render()
        assert not marker.exists(), f"{label} : un gabarit du registre a été exécuté"
        # what the browser shows: JSON's \u0026 and HTML entities decoded
        shown = html.unescape(rendered.replace("\\u0026", "&"))
        assert "Pôle 49" not in shown and "Pôle {{ 7*7 }}" in shown, label
        if "territoire" not in label:  # on a territory map, only the nearest poles are named
            assert all(name in shown for name in names), label


def test_escaped_text_reads_back_as_written():
    for text in ("a<b>&\"'", "{% raw %} #{x} 100 %", "${x}`\\", "{{ 7*7 }}"):
        out = maps.esc(text)
        assert not set(out) & set("<>\"'`${}%\\") and "{" not in out
        assert html.unescape(out) == text


# ---------------------------------------------------------------------------
# Boundaries as static files, per-view properties with the page


def _decode(ring: list[int]) -> list[tuple[float, float]]:
    x = y = 0
    out = []
    for dx, dy in zip(ring[::2], ring[1::2]):
        x += dx
        y += dy
        out.append((x / maps.SCALE, y / maps.SCALE))
    return out


def test_boundary_files_are_versioned_and_decode_to_the_display_layer(territories, tmp_path):
    files = maps.BoundaryFiles(territories, tmp_path)
    url = files.communes("67")
    assert url.startswith("/app/static/geo/") and territories.version in url and url.endswith("/communes-67.json")
    path = tmp_path / url.removeprefix("/app/static/geo/")
    payload = json.loads(path.read_text(encoding="utf-8"))
    display = territories.display["communes"]
    bas_rhin = display[display["departement_code"] == "67"]
    assert payload["codes"] == bas_rhin["code"].tolist()
    # the first commune's outer ring comes back within the rounding (about 10 m)
    first = bas_rhin.geometry.iloc[0]
    polygon = first if first.geom_type == "Polygon" else list(first.geoms)[0]
    decoded = _decode(payload["geoms"][0][0][0])
    assert len(decoded) == len(polygon.exterior.coords)
    assert max(abs(a - b) for p, q in zip(decoded, polygon.exterior.coords) for a, b in zip(p, q)) <= 0.5 / maps.SCALE
    # written once: a second call reuses the file
    mtime = path.stat().st_mtime_ns
    assert files.communes("67") == url and path.stat().st_mtime_ns == mtime
    with pytest.raises(ValueError):
        files.communes("../../etc")


def _grand_est(territories, demo, boundaries=None):
    poles = cv.filter_poles(demo.poles, demo.soutiens, cv.Filters())
    communes = territories.communes[territories.communes["region_code"] == "44"]
    table = cv.coverage_table(territories, poles, "commune", within=("region", "44"))
    inside, context = maps.split_poles(poles, territories, ("region", "44"))
    m = maps.territory_map(communes, table, None, inside, demo.soutiens, context_poles=context,
                           boundaries=boundaries)
    return m.get_root().render(), inside, context


def test_territory_map_sends_colours_not_boundaries(territories, demo, tmp_path):
    """Grand Est (5,100 communes): the page carries the files' URLs and each
    commune's distance, not its contour; the files hold the contours."""
    rendered, inside, context = _grand_est(territories, demo, maps.BoundaryFiles(territories, tmp_path))
    assert rendered.count("/communes-") == 10  # the ten départements of Grand Est
    assert len(rendered.encode()) < 400_000
    inline, _, _ = _grand_est(territories, demo)
    assert len(inline.encode()) > len(rendered.encode()) + 500_000


def _poles_data(rendered: str) -> list[dict]:
    """The pole lists a rendered map hands to ``ptceMap.poles``."""
    decoder = json.JSONDecoder()
    return [decoder.raw_decode(chunk.split(", ", 1)[1])[0] for chunk in rendered.split("ptceMap.poles(")[1:]]


def test_territory_poles_and_context_poles(territories, demo):
    rendered, inside, context = _grand_est(territories, demo)
    assert len(inside) and len(context) and len(inside) + len(context) == cv.filter_poles(
        demo.poles, demo.soutiens, cv.Filters()).shape[0]
    assert (inside["region_code"] == "44").mean() > 0.8
    # the others are there as context: lighter markers, in their own grey clusters
    drawn = {d["context"]: d for d in _poles_data(rendered)}
    assert len(drawn[False]["items"]) == len(inside) and not drawn[False]["cluster"]
    assert len(drawn[True]["items"]) == len(context) and drawn[True]["cluster"]
    assert "pôle hors du territoire (regroupés)" in rendered
    script = (maps.ASSETS_DIR / "ptce_map.js").read_text(encoding="utf-8")
    assert 'data.context ? " ptce-contexte"' in script and ".ptce-pole.ptce-contexte" in maps.MARKER_CSS


def test_territory_outline_leaves_the_mouse_to_the_communes(territories, demo):
    rendered, _, _ = _grand_est(territories, demo)
    shape = json.loads(rendered.split("ptceMap.outline(", 1)[1].split(", ", 1)[1].split(");", 1)[0])
    assert shape["type"] in ("Polygon", "MultiPolygon")
    script = (maps.ASSETS_DIR / "ptce_map.js").read_text(encoding="utf-8")
    drawn = script[script.index("function outline("):]
    drawn = drawn[:drawn.index(".addTo(target)")]
    assert "interactive: false" in drawn and "fill: false" in drawn


def test_a_territory_outline_has_no_specks_but_keeps_its_enclaves(territories):
    """Gaps between communes' edges (from the simplification, or in the source data) were
    drawn as black specks inside an outline; they are filled. Real enclaves stay holes."""
    import shapely
    display = territories.display["communes"]
    points = maps.commune_points(display)

    def holes_km2(level, code):
        codes = set(territories.communes_in(level, code)["code"])
        outline = maps.contour(display[display["code"].isin(codes)], points)
        # square degrees to km² at 46° N
        return sorted(shapely.Polygon(r).area * 111.2 ** 2 * 0.695 for p in shapely.get_parts(outline)
                      for r in p.interiors)

    # before: 9 holes in the Grand Est (6 under 0.001 km², 3 of 9 to 20 km² that no commune fills)
    assert holes_km2("region", "44") == []
    drome = holes_km2("departement", "26")
    assert len(drome) == 1 and drome[0] > 100  # the Enclave des Papes (Vaucluse), about 120 km²
    # an enclave of another région stays: the Enclave des Papes in Auvergne-Rhône-Alpes
    assert any(h > 100 for h in holes_km2("region", "84"))


def test_scale_in_km_only_and_quick_views_for_overseas(territories, demo):
    poles = cv.filter_poles(demo.poles, demo.soutiens, cv.Filters())
    table = cv.coverage_table(territories, poles, "epci")
    rendered = maps.national_map(territories.display["epci"], table, poles, demo.soutiens).get_root().render()
    assert "imperial: false" in rendered and "L.control.scale()" not in rendered
    for name in ("Métropole", "Guadeloupe", "Martinique", "Guyane", "La Réunion", "Mayotte"):
        assert name in rendered
    views = maps.quick_views(territories.display["epci"])
    (south, west), (north, east) = views["04"]
    assert -21.5 < south < north < -20.8 and 55.1 < west < east < 56  # La Réunion


def test_pole_popup_links_to_its_fiches(demo):
    pole = demo.poles[demo.poles["epci_siren"].astype(str).str.len() == 9].iloc[0]
    html_ = maps.pole_popup(pole, demo.soutiens.iloc[0:0])
    assert f"href='/fiche_territoire?epci={pole['epci_siren']}' target='_top'" in html_
    assert f"/fiche_territoire?commune={pole['commune_insee']}" in html_
    hostile = pole.copy()
    hostile["epci_siren"] = "' onmouseover='alert(1)"
    assert "onmouseover" not in maps.pole_popup(hostile, demo.soutiens.iloc[0:0])


def test_pole_markers_are_reachable_by_keyboard_and_named(demo):
    m = maps.preview_map(demo.poles.head(3), demo.soutiens)
    items = _poles_data(m.get_root().render())[0]["items"]
    assert [i[2] for i in items] == [maps.esc(n) for n in demo.poles.head(3)["nom"]]
    script = (maps.ASSETS_DIR / "ptce_map.js").read_text(encoding="utf-8")
    assert "keyboard: true" in script and "<span class='ptce-sr'>Pôle " in script


def test_markers_picked_from_frances_poles_are_the_poles_own(territories, demo, monkeypatch):
    """A territory's markers are written once for France's poles and picked by id: the
    same markers, in the same order, as written for the territory's poles alone."""
    france = cv.filter_poles(demo.poles, demo.soutiens, cv.Filters())
    inside, context = maps.split_poles(france, territories, ("departement", "44"))
    for poles, is_context in ((inside, False), (context, True), (context.iloc[::-1], True)):
        picked = json.loads(maps._pole_items(poles, demo.soutiens, True, is_context, among=france))
        alone = json.loads(maps._pole_items(poles, demo.soutiens, True, is_context))
        assert picked == alone and len(picked["items"]) == len(poles)
        assert [i[2] for i in picked["items"]] == [maps.esc(n) for n in poles["nom"]]
    # two territories' maps write France's markers once, then only pick theirs
    written = []
    real = maps._pole_entries
    monkeypatch.setattr(maps, "_pole_entries", lambda poles, supports: written.append(len(poles)) or real(poles, supports))
    fresh = france.copy()  # markers not written yet for this table
    for code in ("44", "35"):
        inside, context = maps.split_poles(fresh, territories, ("departement", code))
        maps.territory_map(territories.communes_in("departement", code), cv.coverage_table(
            territories, fresh, "commune", within=("departement", code)), None, inside, demo.soutiens,
            context_poles=context, among=fresh)
    assert written == [len(fresh)]
    monkeypatch.undo()
    # a table with a repeated id, or a pole that is not among them: written for the poles themselves
    twice = pd.concat([france, france.head(1).assign(nom="Autre nom")])
    other = inside.head(2).assign(id=["X1", "X2"], nom=["Pôle X1", "Pôle X2"])
    for among, poles in ((twice, twice.head(1)), (france, other)):
        names = [i[2] for i in json.loads(maps._pole_items(poles, demo.soutiens, True, False, among=among))["items"]]
        assert names == [maps.esc(n) for n in poles["nom"]]


def test_a_popup_written_for_one_map_follows_the_poles_row_in_the_next(demo):
    """Popups are written once per table of supports and found again by what they show:
    a pole edited since (a new name, another stage) gets a new popup, the others the same."""
    supports = demo.soutiens[demo.soutiens["_valide"].astype(bool)]
    poles = demo.poles[demo.poles["_valide"].astype(bool)].head(6)
    first = _poles_data(maps.preview_map(poles, supports).get_root().render())[0]["items"]
    edited = poles.copy()
    edited.iloc[2, edited.columns.get_loc("nom")] = "Pôle renommé <b>"
    edited.iloc[3, edited.columns.get_loc("stade")] = "inactif" if poles.iloc[3]["stade"] != "inactif" else "emergent"
    again = _poles_data(maps.preview_map(edited, supports).get_root().render())[0]["items"]
    assert "Pôle renommé &lt;b&gt;" in again[2][3] and "Pôle renommé" not in first[2][3]
    assert again[3][3] != first[3][3]
    assert [i[3] for k, i in enumerate(again) if k not in (2, 3)] == [i[3] for k, i in enumerate(first) if k not in (2, 3)]
    # the same popups as written afresh
    assert again[2][3] == maps.pole_popup(edited.iloc[2], supports[supports["pole_id"] == edited.iloc[2]["id"]])


def test_preview_fits_every_pole(demo):
    poles = demo.poles.head(12)
    rendered = maps.preview_map(poles, demo.soutiens).get_root().render()
    bounds = json.loads(rendered.split("L.latLngBounds(", 1)[1].split(")", 1)[0])
    (south, west), (north, east) = bounds
    assert south == poles["point_lat"].min() and north == poles["point_lat"].max()
    assert west == poles["point_lon"].min() and east == poles["point_lon"].max()


def test_map_tooltips_and_legends_write_numbers_the_french_way(territories, demo):
    """Legends are written here; tooltip numbers are written by ptce_map.js in the
    browser (French grouping, decimal comma), from the raw values sent per view."""
    poles = cv.filter_poles(demo.poles, demo.soutiens, cv.Filters())
    code = "200071751"
    communes = territories.communes[territories.communes[levels.get("epci").commune_column] == code]
    ctable = cv.coverage_table(territories, poles, "commune", within=("epci", code))
    html = maps.territory_map(communes, ctable, None, poles, demo.soutiens).get_root().render()
    assert "5 à 15\u00a0km" in html and "60\u00a0km et plus" in html  # legend
    script = (maps.ASSETS_DIR / "ptce_map.js").read_text(encoding="utf-8")
    assert 'toLocaleString("fr-FR")' in script and 'toFixed(1).replace(".", ",") + " km"' in script


def test_map_colours_stay_apart_for_colour_blind_readers():
    """Covered / uncovered fills, and the poles and their clusters on either fill,
    simulated for full deuteranopia and protanopia (Machado et al. 2009, through
    colorspacious): their CAM02-UCS difference stays at or above 20, about ten
    times the smallest difference a reader notices."""
    import itertools

    import numpy as np
    from colorspacious import cspace_convert, deltaE

    def seen(hex_colour, cvd):
        rgb = np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)]) / 255
        if cvd is None:
            return rgb
        return np.clip(cspace_convert(rgb, {"name": "sRGB1+CVD", "cvd_type": cvd, "severity": 100}, "sRGB1"), 0, 1)

    colours = {"couvert": maps.COVERED_COLOR, "zone blanche": maps.UNCOVERED_COLOR, "pôle": maps.POLE_COLOR}
    assert f"background-color:{maps.POLE_COLOR}" in maps.MARKER_CSS  # clusters wear the poles' colour
    for cvd in (None, "deuteranomaly", "protanomaly"):
        for (a, ca), (b, cb) in itertools.combinations(colours.items(), 2):
            difference = float(deltaE(seen(ca, cvd), seen(cb, cvd), input_space="sRGB1"))
            assert difference >= 20, f"{a} / {b} trop proches ({cvd or 'vision normale'}) : {difference:.1f}"


def test_legend_symbols_are_drawn_by_their_own_classes():
    """Each pole symbol of the legend is a span with one style attribute, drawn by a class of
    the map's stylesheet. (The group symbol brought its size in a first style attribute; the
    browser dropped the second, with ``display:inline-block``: an inline span, drawn as an oval.)"""
    legend = maps.legend_html("Couverture", [("#fff", "couvert")], poles=maps.POLE_LEGEND + maps.CONTEXT_LEGEND)
    spans = re.findall(r"<span[^>]*>", legend)
    assert len(spans) == 1 + len(maps.POLE_LEGEND) + len(maps.CONTEXT_LEGEND)
    assert all(s.count("style=") == 1 and s.count("class=") <= 1 for s in spans)
    for css, _ in maps.POLE_LEGEND + maps.CONTEXT_LEGEND:
        assert re.fullmatch(r"[a-z-]+( [a-z-]+)?", css)
        assert f".{css.replace(' ', '.')} {{" in maps.MARKER_CSS


def test_an_outline_of_full_resolution_communes_that_overlap_is_drawn(territories):
    """Without the display layer (the library used on its own), a région's full-resolution
    communes overlap here and there, which the fast coverage union refuses: the outline is
    still drawn, whole."""
    communes = territories.communes_in("region", "84")  # Auvergne-Rhône-Alpes
    shape = maps.contour(communes)
    assert not shape.is_empty and shape.is_valid
    union = shapely.union_all(communes.geometry.to_numpy()).area
    assert union <= shape.area < union * 1.01  # the région, its gaps filled (no display points: every hole)
    assert all(len(p.interiors) == 0 for p in shapely.get_parts(shape))
