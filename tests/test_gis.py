"""GIS extracts read back with pyogrio (GDAL, what QGIS uses): layers, CRS,
counts equal to the CSV extracts of the same view, valid geometries, short
field names, full-resolution boundaries."""

import csv
import io
import sqlite3
import zipfile

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely

from ptce_geo import coverage, export, gis

WITHIN = ("departement", "35")


def _csv_rows(frame) -> int:
    """Rows of the French Excel CSV extract of ``frame`` (what the Données page downloads)."""
    text = export.to_csv_bytes(export.public_columns(frame)).decode("utf-8-sig")
    return len(list(csv.reader(io.StringIO(text), delimiter=";"))) - 1


@pytest.fixture(scope="module")
def view(territories, demo):
    """The L6 view of Ille-et-Vilaine: poles seated there, their supports, coverage inside it."""
    filters = coverage.Filters(leviers=("L6",))
    poles = coverage.filter_poles(demo.poles, demo.soutiens, filters)
    poles = poles[poles["departement_code"] == WITHIN[1]]
    supports = demo.soutiens[demo.soutiens["_valide"] & demo.soutiens["pole_id"].isin(set(poles["id"]))]
    epci = coverage.coverage_table(territories, poles, "epci", within=WITHIN)
    communes = coverage.coverage_table(territories, poles, "commune", within=WITHIN)
    return poles, supports, epci, communes


@pytest.fixture(scope="module")
def gpkg(territories, view, tmp_path_factory):
    path = tmp_path_factory.mktemp("sig") / "vue.gpkg"
    gis.write_gpkg(gis.view_layers(territories, *view), path)
    return path


def test_geopackage_layers_crs_and_counts_equal_the_csv_extracts(gpkg, view):
    poles, supports, epci, communes = view
    assert len(poles) > 0 and len(supports) > 0 and len(epci) > 5 and len(communes) > 100
    layers = dict(pyogrio.list_layers(gpkg))
    assert layers == {"poles": "Point", "soutiens": None, "couverture_epci": "MultiPolygon",
                      "couverture_communes": "MultiPolygon", "champs": None}
    expected = {"poles": _csv_rows(poles), "soutiens": _csv_rows(supports),
                "couverture_epci": _csv_rows(epci), "couverture_communes": _csv_rows(communes)}
    for name, count in expected.items():
        info = pyogrio.read_info(gpkg, layer=name)
        assert info["features"] == count, name
        if name != "soutiens":
            assert info["crs"] == "EPSG:4326"
            frame = pyogrio.read_dataframe(gpkg, layer=name)
            assert shapely.is_valid(frame.geometry.to_numpy()).all() and frame.geometry.notna().all()


def test_field_names_are_short_ascii_and_documented(gpkg):
    champs = pyogrio.read_dataframe(gpkg, layer="champs")
    for name in gis.LAYERS:
        fields = list(pyogrio.read_info(gpkg, layer=name)["fields"])
        assert all(f.isascii() and len(f) <= 10 and f == f.lower() for f in fields), fields
        documented = champs[champs["couche"] == name]
        assert list(documented["champ"]) == fields
        assert documented["description"].str.len().gt(0).all()
    assert {"couvert", "nb_siege", "nb_perim", "proche_nom", "dist_km", "population"} <= set(
        pyogrio.read_info(gpkg, layer="couverture_epci")["fields"])


def test_values_read_back_as_written(gpkg, view):
    poles, supports, epci, _ = view
    back = pyogrio.read_dataframe(gpkg, layer="couverture_epci").set_index("code")
    source = epci.set_index("code")
    assert back["couvert"].dtype == bool
    assert (back["couvert"] == source.loc[back.index, "couvert"]).all()
    assert (back["population"] == source.loc[back.index, "population"]).all()
    assert back.loc[source.index[0], "nom"] == source.iloc[0]["nom"]  # accents kept (UTF-8)
    points = pyogrio.read_dataframe(gpkg, layer="poles").set_index("id")
    first = poles.iloc[0]
    assert points.loc[first["id"], "nom"] == first["nom"]
    assert points.loc[first["id"], "epci_siren"] == first["epci_siren"]
    assert points.geometry[first["id"]].x == pytest.approx(first["point_lon"])
    assert points["nb_sout"].sum() == len(supports)
    assert points["leviers"].str.contains("L6").all()  # every pole passed the L6 filter
    assert points["site_web"].isna().all() or (points["site_web"] != "").all()  # empty text is NULL


def test_descriptions_say_full_resolution_boundaries(gpkg):
    with sqlite3.connect(gpkg) as db:
        described = dict(db.execute("select table_name, description from gpkg_contents"))
        kinds = dict(db.execute("select table_name, data_type from gpkg_contents"))
        assert db.execute("pragma application_id").fetchone()[0] == 0x47504B47  # 'GPKG'
        assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
    assert kinds == {"poles": "features", "couverture_epci": "features", "couverture_communes": "features",
                     "soutiens": "attributes", "champs": "attributes"}
    for name in ("couverture_epci", "couverture_communes"):
        assert "sans la simplification" in described[name] and "COG" in described[name]
    assert described["poles"] and described["soutiens"]


def test_boundaries_are_the_full_resolution_layers(gpkg, territories):
    back = pyogrio.read_dataframe(gpkg, layer="couverture_epci")
    full = territories.epci.set_index("code").loc[back["code"], "geometry"]
    display = territories.display["epci"].set_index("code").loc[back["code"], "geometry"]
    vertices = shapely.get_num_coordinates(back.geometry.to_numpy()).sum()
    assert vertices == shapely.get_num_coordinates(full.to_numpy()).sum()
    assert vertices > 2 * shapely.get_num_coordinates(display.to_numpy()).sum()


def test_lambert93_on_request(territories, view, tmp_path):
    path = gis.write_gpkg(gis.view_layers(territories, *view, crs="EPSG:2154"), tmp_path / "l93.gpkg")
    for name in ("poles", "couverture_epci", "couverture_communes"):
        assert pyogrio.read_info(path, layer=name)["crs"] == "EPSG:2154"
    communes = pyogrio.read_dataframe(path, layer="couverture_communes")
    minx, miny, maxx, maxy = communes.total_bounds
    assert 200_000 < minx < maxx < 500_000 and 6_650_000 < miny < maxy < 6_900_000  # Ille-et-Vilaine, metres
    assert shapely.is_valid(communes.geometry.to_numpy()).all()
    # the areas in metres agree with the source polygons projected independently
    source = territories.communes.set_index("code").loc[communes["code"]].to_crs(2154)
    assert communes.area.sum() == pytest.approx(source.area.sum(), rel=1e-6)


def test_invalid_polygons_are_made_valid():
    bowtie = shapely.Polygon([(0, 0), (1, 1), (1, 0), (0, 1), (0, 0)])

    class Shapes:
        def layer(self, niveau):
            return gpd.GeoDataFrame({"code": ["X"]}, geometry=[bowtie], crs=4326)

    table = pd.DataFrame({"code": ["X"], "nom": ["Nœud"], "population": [10], "couvert": [False]})
    layer = gis.coverage_layer(Shapes(), table, "epci")
    geom = layer.frame.geometry.iloc[0]
    assert not bowtie.is_valid and geom.is_valid and geom.geom_type == "MultiPolygon"
    assert geom.area == pytest.approx(0.5)


def test_geojson_zip_holds_one_file_per_layer(territories, view, tmp_path):
    layers = gis.view_layers(territories, *view)
    data = gis.geojson_zip_bytes(layers, "leviers : L6")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        assert names == [f"{n}.geojson" for n in gis.LAYERS] + ["LISEZMOI.txt"]
        readme = archive.read("LISEZMOI.txt").decode("utf-8")
        assert "leviers : L6" in readme and "EPSG:4326" in readme and "dist_km" in readme
        archive.extractall(tmp_path)
    for layer in layers:
        info = pyogrio.read_info(tmp_path / f"{layer.name}.geojson")
        assert info["features"] == len(layer.frame)
        if layer.spatial:
            assert info["crs"] == "EPSG:4326"
            frame = pyogrio.read_dataframe(tmp_path / f"{layer.name}.geojson")
            assert shapely.is_valid(frame.geometry.to_numpy()).all()


def test_write_chooses_the_container_by_extension(territories, view, tmp_path):
    layers = gis.view_layers(territories, *view, crs="2154")
    message = gis.write(layers, tmp_path / "vue.geojson")
    assert "couche poles" in message and "--couche" in message
    assert pyogrio.read_info(tmp_path / "vue.geojson")["features"] == len(view[0])
    assert pyogrio.read_info(tmp_path / "vue.geojson")["crs"] == "EPSG:2154"
    gis.write(layers, tmp_path / "epci.geojson", layer="couverture_epci")
    assert pyogrio.read_info(tmp_path / "epci.geojson")["geometry_type"] == "MultiPolygon"
    with pytest.raises(gis.GisError, match="couche inconnue"):
        gis.write(layers, tmp_path / "x.geojson", layer="pôles")
    with pytest.raises(gis.GisError, match="extension"):
        gis.write(layers, tmp_path / "x.shp")


def test_short_names_and_crs_codes():
    assert gis.short_name("departement_nom") == "dep_nom"
    assert gis.short_name("Année de création du pôle") == "annee_de_c"
    assert gis.short_name("distance_km", {"dist_km"}) == "dist_km2"
    assert all(len(short) <= 10 and short.isascii() for short, _ in gis.FIELDS.values())
    assert gis.crs_code("EPSG:2154") == gis.crs_code(2154) == gis.crs_code("lambert93") == "2154"
    assert gis.crs_code(None) == "4326"
    with pytest.raises(gis.GisError, match="EPSG:4326 ou EPSG:2154"):
        gis.crs_code("3857")


def test_national_view_covers_every_territory(territories, demo, tmp_path):
    poles = coverage.filter_poles(demo.poles, demo.soutiens, coverage.Filters())
    supports = demo.soutiens[demo.soutiens["_valide"]]
    layers = gis.view_layers(territories, poles, supports, coverage.coverage_table(territories, poles, "epci"),
                             coverage.coverage_table(territories, poles, "commune"))
    path = gis.write_gpkg(layers, tmp_path / "france.gpkg")
    assert pyogrio.read_info(path, layer="couverture_communes")["features"] == len(territories.communes)
    assert pyogrio.read_info(path, layer="couverture_epci")["features"] == len(territories.epci)
    assert pyogrio.read_info(path, layer="poles")["features"] == len(poles)


def test_every_short_field_name_is_documented_in_the_readme():
    from ptce_geo import paths
    readme = (paths.ROOT / "README.md").read_text(encoding="utf-8")
    missing = [short for short, _ in gis.FIELDS.values() if f"`{short}`" not in readme]
    assert missing == []
    assert all(f"`{name}`" in readme for name in gis.LAYERS) and "?vue=integration" in readme
