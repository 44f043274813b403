"""How the dashboard sends maps (dashboard/common.py): a map drawn again from the same
objects is sent as it was, without being built again; outside a script run (bare mode),
with ``st_folium``'s last step, the component, replaced by a recorder."""

import folium
import pytest

from dashboard import common
from ptce_geo import scope


@pytest.fixture
def component(monkeypatch):
    sent = []
    monkeypatch.setattr(common, "_component", lambda **kwargs: sent.append(kwargs))
    monkeypatch.setattr(common, "MAP_ARGS", scope.SharedResults(size=4))
    return sent


def test_a_map_drawn_from_the_same_objects_is_sent_again_without_being_built(component):
    built = []

    def draw(name):
        built.append(name)
        m = folium.Map(location=[45.2, 5.7], zoom_start=9, tiles=None)
        folium.Marker([45.19, 5.72], tooltip=name).add_to(m)
        return m

    view, other = object(), object()
    common.send_map(lambda: draw("Grenoble"), "carte_test", 400, same_as=((view,), ("territoire", "osm")))
    common.send_map(lambda: draw("Grenoble"), "carte_test", 400, same_as=((view,), ("territoire", "osm")))
    assert built == ["Grenoble"] and len(component) == 2
    assert component[1] == component[0] and "Grenoble" in component[0]["script"]
    common.send_map(lambda: draw("Voiron"), "carte_test", 400, same_as=((other,), ("territoire", "osm")))
    common.send_map(lambda: draw("Vienne"), "carte_test", 400, same_as=((view,), ("territoire", "ign")))
    common.send_map(lambda: draw("Autre"), "carte_test", 400)  # nothing named: built every time
    common.send_map(lambda: draw("Autre"), "carte_test", 400)
    assert built == ["Grenoble", "Voiron", "Vienne", "Autre", "Autre"]
    assert "Voiron" in component[2]["script"] and "Vienne" in component[3]["script"]


def test_a_map_whose_layers_change_keeps_them_apart(component):
    """The national map: a base and layers swapped inside the mounted map; sent again, the
    layers come back with it, and the widget's default value is a session's own copy."""
    built = []

    def draw():
        built.append(1)
        base = folium.Map(location=[46.6, 2.4], zoom_start=6, tiles=None)
        layers = folium.FeatureGroup(name="Couverture et pôles")
        folium.Marker([45.19, 5.72], tooltip="Pôle de Grenoble").add_to(layers)
        return base, layers

    view = object()
    common.send_map(draw, "carte_nationale", 600, same_as=((view,), ("national",)))
    assert "Pôle de Grenoble" in component[0]["feature_group"]
    assert "Pôle de Grenoble" not in component[0]["script"]
    common.send_map(draw, "carte_nationale", 600, same_as=((view,), ("national",)))
    assert len(built) == 1 and component[1]["feature_group"] == component[0]["feature_group"]
    assert component[1]["default"] == component[0]["default"] and component[1]["default"] is not component[0]["default"]


def test_a_maps_key_is_made_fit_for_its_frames_css_class(component):
    """A key with a space or brackets (once a tuple's text) would break the selector that gives
    the frame its title: the container gets a key of letters, digits and ``_``."""
    assert common.frame_key("carte_zb_('epci', '200071751')") == "carte_zb___epci____200071751__"
    assert common.frame_key("carte_departement_2A") == "carte_departement_2A"  # a clean key is kept as it is

    def draw():
        return folium.Map(location=[45.2, 5.7], zoom_start=9, tiles=None)
    # the map is sent under the cleaned key (st_folium's key is a hash of the script and the key)
    common.send_map(draw, "carte_zb_('epci', '200071751')", 400)
    common.send_map(draw, "carte_zb___epci____200071751__", 400)
    common.send_map(draw, "carte_zb_autre", 400)
    assert component[0]["key"] == component[1]["key"] != component[2]["key"]


def test_our_maps_are_sent_as_a_full_render_would_send_them(component, territories, demo, tmp_path):
    """``send_map`` skips st_folium's first render of the whole page: for each kind of map the
    dashboard draws, the browser gets the same script, header and page as with it."""
    import re

    import streamlit_folium

    from ptce_geo import coverage as cv
    from ptce_geo import maps

    files = maps.BoundaryFiles(territories, tmp_path)
    france = scope.shared_apply(demo.poles, demo.soutiens, territories, cv.Filters())
    dep = france.within(("departement", "44"))
    gaps = cv.rank_uncovered(dep.coverage("epci"))
    drawings = {
        "territoire": lambda: maps.territory_map(territories.communes_in("departement", "44"), dep.coverage("commune"),
                                                 None, dep.poles, demo.soutiens, context_poles=dep.context,
                                                 boundaries=files, among=dep.france),
        "national": lambda: maps.national_layers(territories.display["epci"], france.coverage("epci"), france.poles,
                                                 demo.soutiens, boundaries=files),
        "zones blanches": lambda: maps.gaps_map(territories.display["epci"], gaps, dep.poles, demo.soutiens,
                                                boundaries=files, around=dep.coverage("epci")["code"]),
        "aperçu": lambda: maps.preview_map(france.poles.head(20), demo.soutiens, basemap="aucun"),
    }

    def same(kwargs):  # element ids are drawn at random for each map
        return {k: re.sub(r"_[0-9a-f]{32}", "_ID", str(v)) for k, v in kwargs.items() if k != "on_change"}

    for name, draw in drawings.items():
        common.send_map(draw, f"carte_{len(component)}", 500)
        drawn = draw()
        m, layers = drawn if isinstance(drawn, tuple) else (drawn, None)
        streamlit_folium.st_folium(m, height=500, use_container_width=True, returned_objects=[],
                                   key=f"carte_{len(component) - 1}", render=True,
                                   **({"feature_group_to_add": layers} if layers is not None else {}))
        assert same(component[-2]) == same(component[-1]), name
        assert component[-2]["key"] == component[-1]["key"], name  # the hash of the script: the same map
