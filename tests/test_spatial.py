import pytest

from ptce_geo.registry import load_registry
from ptce_geo.spatial import locate_registry, pole_points


def _locate(write, territories, gazetteer, text, name="p.csv"):
    return locate_registry(load_registry(write(name, text)), territories, gazetteer)


def test_loosely_written_spreadsheet_of_real_poles(write, territories, gazetteer):
    text = ("Nom du pôle;Ville;Département\n"
            "Pôle Sud Archer;romans sur isere;Drôme\n"
            "Le Damier;Clermont Ferrand;63\n"
            "TETRIS;GRASSE;06\n"
            "Ecopôle alimentaire;Audruicq;Pas-de-Calais\n"
            "Pôle Saint-Denis;St Denis;93\n"
            "Pôle sans département;Saint-Denis;\n"
            "Pôle inventé;Villeneuve-sur-Nulle-Part;\n")
    reg = _locate(write, territories, gazetteer, text)
    got = dict(zip(reg.poles["nom"], reg.poles["commune_insee"]))
    assert got["Pôle Sud Archer"] == "26281"
    assert got["Le Damier"] == "63113"
    assert got["TETRIS"] == "06069"
    assert got["Ecopôle alimentaire"] == "62057"
    assert got["Pôle Saint-Denis"] == "93066"
    # ambiguous and unknown: not located, reported with candidates
    assert got["Pôle sans département"] == "" and got["Pôle inventé"] == ""
    errors = {i.ligne: i for i in reg.errors}
    assert "plusieurs communes" in errors[7].message and "93066" in errors[7].message
    assert errors[8].colonne == "Ville"
    statut = dict(zip(reg.poles["nom"], reg.poles["statut"]))
    assert statut["Pôle inventé"].startswith("non localisé")


def test_territories_are_attached(write, territories, gazetteer):
    reg = _locate(write, territories, gazetteer, "id,nom,commune_insee\nP1,A,1053\n")
    row = reg.poles.iloc[0]
    assert row["commune_insee"] == "01053" and row["commune_nom"] == "Bourg-en-Bresse"
    assert row["epci_siren"] == "200071751" and row["departement_code"] == "01" and row["region_code"] == "84"
    assert any("zéro initial" in w.message for w in reg.warnings)


def test_coordinates_outside_declared_commune_are_flagged(write, territories, gazetteer):
    # a point in Lyon declared in Bourg-en-Bresse
    reg = _locate(write, territories, gazetteer, "id,nom,commune_insee,latitude,longitude\nP1,A,01053,45.764,4.8357\n")
    row = reg.poles.iloc[0]
    assert row["commune_insee"] == "69123" and row["methode"] == "coordonnees"
    assert bool(row["hors_commune_declaree"])
    assert any("pas dans la commune déclarée" in w.message for w in reg.warnings)


@pytest.mark.parametrize("lat, lon, hint", [
    ("2.35", "48.85", "inversées"),
    ("6862000", "652000", "Lambert-93"),
    ("40.7", "-74.0", "degrés décimaux"),
])
def test_coordinates_outside_france_get_a_hint(write, territories, gazetteer, lat, lon, hint):
    reg = _locate(write, territories, gazetteer, f"id,nom,latitude,longitude\nP1,A,{lat},{lon}\n")
    assert reg.poles.loc[0, "commune_insee"] == ""
    assert any(hint in i.correction for i in reg.errors)


def test_bad_coordinates_fall_back_to_the_commune(write, territories, gazetteer):
    reg = _locate(write, territories, gazetteer, "id,nom,commune_insee,latitude,longitude\nP1,A,69123,2.35,48.85\n")
    assert reg.poles.loc[0, "commune_insee"] == "69123" and reg.poles.loc[0, "methode"] == "insee"
    assert not reg.is_valid  # the bad coordinates stay reported


def test_a_coordinate_that_is_not_a_number_is_reported_once(write, territories, gazetteer):
    """« abc » as latitude: one error (not a number), not a second one asking for the latitude
    as if the cell were empty; an empty latitude still gets its half-pair error."""
    reg = _locate(write, territories, gazetteer, "id,nom,commune_insee,latitude,longitude\n"
                                                 "P1,A,44109,abc,-1.55\nP2,B,35238,,-1.68\n")
    latitude = [(i.ligne, i.message) for i in reg.issues if i.colonne == "latitude"]
    assert [line for line, _ in latitude] == [2, 3]
    assert "incomplète" not in latitude[0][1] and "incomplète" in latitude[1][1]
    assert reg.poles.loc[0, "commune_insee"] == "44109"  # the pole is still placed in its commune


def test_a_departement_that_is_not_the_commune_s_is_said(write, territories, gazetteer):
    """Le Lorrain (97214, Martinique) given with « 2A »: a warning naming both départements;
    the pole stays in the commune its INSEE code names. A matching département says nothing."""
    reg = _locate(write, territories, gazetteer, "id,nom,commune_insee,departement\n"
                                                 "P1,A,97214,2A\nP2,B,97214,972\nP3,C,97214,Martinique\n")
    said = [i for i in reg.issues if i.colonne == "departement"]
    assert [i.ligne for i in said] == [2]
    assert "(2A)" in said[0].message and "Le Lorrain (972 – Martinique)" in said[0].message
    assert list(reg.poles["commune_insee"]) == ["97214"] * 3


def test_overseas_poles(write, territories, gazetteer):
    reg = _locate(write, territories, gazetteer, "id,nom,latitude,longitude\nP1,A,-20.8789,55.4481\nP2,B,-12.78,45.23\n")
    assert reg.poles["departement_code"].tolist() == ["974", "976"]


def test_perimeter_codes_are_checked(write, territories, gazetteer):
    reg = _locate(write, territories, gazetteer, "id,nom,commune_insee,perimetre\nP1,A,01053,200071751|1001|2A|XYZ\n")
    assert reg.poles.loc[0, "perimetre"] == "200071751|01001|2A"
    assert any(i.colonne == "perimetre" and i.valeur == "XYZ" for i in reg.errors)


def test_pole_points(demo):
    points = pole_points(demo)
    assert len(points) == 150 and points.crs.to_epsg() == 4326
    assert points.geometry.x.between(-62, 56).all()
