import io
import zipfile

import pytest

from ptce_geo import coverage as cv
from ptce_geo import portrait


@pytest.fixture(scope="module")
def poles(demo):
    return cv.filter_poles(demo.poles, demo.soutiens, cv.Filters())


def test_portrait_of_an_epci(territories, demo, poles):
    fiche = portrait.build(territories, poles, demo.soutiens, "epci", "200071751")
    assert fiche.title == "EPCI : Communauté d'agglomération du Bassin de Bourg-en-Bresse"
    assert fiche.population == territories.epci.set_index("code").at["200071751", "population"]
    assert len(fiche.communes) == territories.epci.set_index("code").at["200071751", "nb_communes"]
    comp = fiche.comparaison.set_index("territoire")
    assert list(comp.index) == ["Ce territoire", "Région : Auvergne-Rhône-Alpes", "France"]
    assert comp.loc["France", "poles_siege"] == len(poles)
    assert comp.loc["France", "epci"] == 1253


def test_nearest_poles_outside_are_sorted_and_outside(territories, demo, poles):
    fiche = portrait.build(territories, poles, demo.soutiens, "departement", "23")  # Creuse
    near = fiche.poles_proches
    assert len(near) == 5 and near["distance_km"].is_monotonic_increasing
    assert not near["departement_code"].eq("23").any()


def test_supports_of_the_territorys_collectivities(territories, demo, poles):
    fiche = portrait.build(territories, poles, demo.soutiens, "region", "84")
    s = fiche.soutiens
    assert len(s) > 0
    inside_deps = set(territories.departements.query("region_code == '84'")["code"])
    for level, code in zip(s["collectivite_niveau"], s["collectivite_code"]):
        if level == "departement":
            assert code in inside_deps
        if level == "region":
            assert code == "84"
    counts = portrait.support_counts(s, "levier")
    assert list(counts["code"]) == [f"L{i}" for i in range(1, 9)]
    assert counts["soutiens"].sum() >= len(s)


def test_portrait_zip_holds_every_table(territories, demo, poles):
    fiche = portrait.build(territories, poles, demo.soutiens, "commune", "75056")
    archive = zipfile.ZipFile(io.BytesIO(fiche.zip_bytes("excel", ["Filtres actifs : aucun"])))
    names = set(archive.namelist())
    assert {"communes.csv", "soutiens.csv", "comparaison.csv", "lisez-moi.txt"} <= names
    assert archive.read("communes.csv").startswith(b"\xef\xbb\xbf")
    assert "Filtres actifs" in archive.read("lisez-moi.txt").decode()


def test_unknown_territory_is_a_clear_error(territories, demo, poles):
    with pytest.raises(ValueError, match="code inconnu"):
        portrait.build(territories, poles, demo.soutiens, "epci", "123")
