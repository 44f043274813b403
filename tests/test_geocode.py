import pytest

from ptce_geo.geocode import name_key


@pytest.mark.parametrize("typed, expected", [
    ("Mureaux", "78440"), ("les mureaux", "78440"), ("LES-MUREAUX", "78440"),
    ("Paris 18e", "75056"), ("Marseille 13e arrondissement", "13055"), ("Lyon 3ème", "69123"),
    ("Troyes", "10387"), ("l'abergement clemenciat", "01001"),
])
def test_loosely_written_names_resolve(gazetteer, typed, expected):
    assert gazetteer.by_name(typed).code == expected


@pytest.mark.parametrize("typed, dep, expected", [
    ("St-Denis", "93", "93066"), ("Saint Denis", "La Réunion", "97411"), ("st denis", "974", "97411"),
    ("Ste-Anastasie", "Cantal", "15171"), ("Ajaccio", "2a", "2A004"), ("Bourg en Bresse", "1", "01053"),
])
def test_names_with_a_departement_as_code_or_name(gazetteer, typed, dep, expected):
    assert gazetteer.by_name(typed, departement=dep).code == expected


def test_ambiguous_name_lists_candidates_and_never_guesses(gazetteer):
    match = gazetteer.by_name("Saint-Denis")
    assert match.code is None and match.statut == "ambigu"
    assert {"93066", "97411"} <= set(match.candidats)
    assert "plusieurs communes" in match.message and "93066" in match.message


def test_unknown_name_suggests_close_names(gazetteer):
    match = gazetteer.by_name("Boulogne-Billancour")
    assert match.code is None and match.statut == "inconnu"
    assert "92012" in match.candidats
    assert "Vouliez-vous dire" in match.message


def test_postal_code_narrows_a_name(gazetteer):
    assert gazetteer.by_name("Boulogne-Billancourt", code_postal="92100").code == "92012"
    assert gazetteer.by_name("Saint-Denis", code_postal="93200").code == "93066"
    assert gazetteer.by_postal("01400").statut == "ambigu"


def test_old_name_of_a_merged_commune_resolves_with_a_warning(gazetteer):
    match = gazetteer.by_name("Bellegarde-sur-Valserine")
    assert match.code == "01033"  # Valserhône
    assert "ancienne commune" in match.warning


def test_insee_codes(gazetteer):
    assert gazetteer.by_insee("1001").code == "01001"
    assert "zéro initial" in gazetteer.by_insee("1001").warning
    assert gazetteer.by_insee("1001.0").code == "01001"
    assert gazetteer.by_insee("2a004").code == "2A004"
    assert gazetteer.by_insee("49040").code == "49126"
    assert gazetteer.by_insee("99999").statut == "insee_inconnu"
    assert gazetteer.by_insee("abc").statut == "insee_invalide"


def test_departement_codes_and_names(gazetteer):
    assert gazetteer.departement("1") == "01"
    assert gazetteer.departement("Côtes-d'Armor") == "22"
    assert gazetteer.departement("cotes d armor") == "22"
    assert gazetteer.departement("2B") == "2B"
    assert gazetteer.departement("Narnia") is None


def test_name_key_forgives_case_accents_articles_and_abbreviations():
    assert name_key("Les Mureaux") == name_key("mureaux")
    assert name_key("St-Étienne") == name_key("saint etienne")
    assert name_key("Paris 18e Arrondissement") == "paris"
    assert name_key("Lyon CEDEX 03") == "lyon"


def test_search_by_postal_prefix_and_name(gazetteer):
    assert "75056" in gazetteer.search("75018")
    assert gazetteer.search("Mureaux")[0] == "78440"
