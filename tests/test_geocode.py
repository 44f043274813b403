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


def test_suggestions_are_bounded_and_every_unknown_commune_is_reported(territories, gazetteer):
    """2,000 unknown communes: suggestions for the first ones only, one summary line,
    and each row still has its own error (nothing dropped)."""
    import time

    from ptce_geo.registry import load_registry
    from ptce_geo.spatial import MAX_SUGGESTIONS, locate_registry
    text = "id;nom;commune\n" + "".join(f"P{i};Pôle {i};Ville-Imaginaire-{i:06d}\n" for i in range(2000))
    reg = load_registry(text.encode(), poles_name="inconnues.csv")
    started = time.process_time()
    located = locate_registry(reg, territories, gazetteer)
    assert time.process_time() - started < 10  # 2,000 suggestions took 77 s
    unknown = [i for i in located.errors if i.message.startswith("aucune commune nommée")]
    assert len(unknown) == 2000 and {i.ligne for i in unknown} == set(range(2, 2002))
    summary = [i for i in located.warnings if "autres communes inconnues sont signalées" in i.message]
    assert len(summary) == 1 and summary[0].colonne == "commune"
    assert int(summary[0].message.split()[0]) >= 2000 - MAX_SUGGESTIONS


def test_a_misspelling_is_suggested_once(gazetteer):
    first = gazetteer.by_name("Boulogne-Billancour")
    assert "Vouliez-vous dire" in first.message and "92012" in first.candidats
    assert gazetteer.by_name("Boulogne-Billancour", suggest=False).candidats == []
    assert gazetteer.suggest("boulogne billancour") == first.candidats


def test_search_names_ignores_accents_case_and_hyphens(territories):
    from ptce_geo.geocode import search_names
    epci = territories.names("epci")
    found = search_names(epci, "pontchateau")
    assert found and all("Pontchâteau" in epci[c] for c in found)
    assert set(search_names(epci, "PAYS DE PONTCHÂTEAU")) <= set(found)
    assert search_names(epci, "bourg en bresse")[0] == "200071751"
    assert search_names(epci, "200071751") == ["200071751"]  # a SIREN
    assert "200071751" in search_names(epci, "2000717")  # or its start
    assert search_names(epci, "zzz introuvable") == []
