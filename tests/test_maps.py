import html

import pandas as pd
import pytest

from ptce_geo import coverage as cv
from ptce_geo import levels, maps, paths
from ptce_geo.registry import load_registry
from ptce_geo.spatial import locate_registry


def test_assets_are_installed_from_packages(tmp_path):
    written = maps.install_assets(tmp_path)
    names = {p.name for p in written}
    assert {"leaflet.js", "leaflet.css", "leaflet.markercluster.js", "jquery.min.js"} <= names
    assert (tmp_path / "leaflet.js").stat().st_size > 100_000


def test_national_map_uses_local_assets_and_has_a_legend(territories, demo):
    poles = cv.filter_poles(demo.poles, demo.soutiens, cv.Filters())
    table = cv.coverage_table(territories, poles, "epci")
    html = maps.national_map(territories.display["epci"], table, poles, demo.soutiens).get_root().render()
    assert "/app/static/vendor/leaflet.js" in html and "/app/static/vendor/leaflet.markercluster.js" in html
    assert "cdn" not in html.lower() and "bootstrap" not in html.lower()
    assert "zone blanche (aucun pôle)" in html
    assert '"maxZoom": 18' in html


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


def test_map_tooltips_and_legends_write_numbers_the_french_way(territories, demo):
    poles = cv.filter_poles(demo.poles, demo.soutiens, cv.Filters())
    table = cv.coverage_table(territories, poles, "epci")
    html = maps.national_map(territories.display["epci"], table, poles, demo.soutiens).get_root().render()
    biggest = int(table["population"].max())
    # narrow no-break space between thousands (written as a JSON escape inside the GeoJSON)
    assert f"{biggest:,}".replace(",", "\\u202f") in html or f"{biggest:,}".replace(",", "\u202f") in html
    assert f"{biggest:,}".replace(",", " ") not in html
    code = "200071751"
    communes = territories.communes[territories.communes[levels.get("epci").commune_column] == code]
    ctable = cv.coverage_table(territories, poles, "commune", within=("epci", code))
    outline = territories.layer("epci")
    outline = outline[outline["code"] == code][["geometry"]]
    html = maps.territory_map(communes, ctable, outline, poles, demo.soutiens).get_root().render()
    assert "5 à 15\u00a0km" in html and "60\u00a0km et plus" in html  # legend
    first = ctable["distance_km"].dropna().iloc[0]
    shown = f"{first:.1f}".replace(".", ",")  # tooltip: decimal comma
    assert shown + "\\u00a0km" in html or shown + "\u00a0km" in html
