import pandas as pd

from ptce_geo import coverage as cv
from ptce_geo import maps


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
