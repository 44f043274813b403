import pytest

from ptce_geo import coverage as cv
from ptce_geo.registry import load_registry
from ptce_geo.spatial import locate_registry


@pytest.fixture(scope="module")
def small(territories, gazetteer, tmp_path_factory):
    d = tmp_path_factory.mktemp("small")
    (d / "p.csv").write_text("id,nom,commune_insee,perimetre\n"
                             "A,Pôle A,01053,\n"          # Bourg-en-Bresse, no perimeter
                             "B,Pôle B,69123,2A\n"        # Lyon, reaching Corse-du-Sud
                             "C,Pôle C,10387,200071751\n", encoding="utf-8")  # Troyes, reaching CA Bourg
    (d / "s.csv").write_text("pole_id,collectivite_niveau,forme,leviers\n"
                             "A,epci,locaux_foncier,L6\n"
                             "B,region,locaux_foncier,L1\n"
                             "B,epci,visibilite,L6\n"
                             "C,commune,ingenierie,L8\n", encoding="utf-8")
    return locate_registry(load_registry(d / "p.csv", d / "s.csv"), territories, gazetteer)


def test_support_filters_combine_on_the_same_row(small):
    f = cv.Filters(leviers=("L6",), niveaux=("epci",))
    assert set(cv.filter_poles(small.poles, small.soutiens, f)["id"]) == {"A", "B"}
    f = cv.Filters(leviers=("L6",), formes=("locaux_foncier",))
    # B has L6 (visibilite) and locaux_foncier (L1) but never on the same support
    assert set(cv.filter_poles(small.poles, small.soutiens, f)["id"]) == {"A"}
    f = cv.Filters(leviers=("L1", "L8"))
    assert set(cv.filter_poles(small.poles, small.soutiens, f)["id"]) == {"B", "C"}
    assert len(cv.filter_poles(small.poles, small.soutiens, cv.Filters())) == 3


def test_territory_filter(small):
    f = cv.Filters(territoire=("region", "84"))
    assert set(cv.filter_poles(small.poles, small.soutiens, f)["id"]) == {"A", "B"}


def test_epci_coverage_by_seat_and_perimeter(territories, small):
    table = cv.coverage_table(territories, small.poles, "epci").set_index("code")
    bourg = table.loc["200071751"]
    assert bourg["nb_poles_siege"] == 1 and bourg["nb_poles_perimetre"] == 1 and bourg["couvert"]
    assert table.loc["200046977", "couvert"]  # Métropole de Lyon, seat of B
    # B's perimeter (Corse-du-Sud) covers every EPCI of 2A
    corse_sud = table[table["departement_code"] == "2A"]
    assert len(corse_sud) > 0 and corse_sud["couvert"].all()
    assert table["couvert"].sum() == 3 + len(corse_sud)
    assert table["population"].sum() == territories.communes["population"].sum() - \
        territories.communes.loc[territories.communes["epci_siren"].isna(), "population"].sum()


def test_commune_distances_are_great_circle_km(territories, small):
    table = cv.coverage_table(territories, small.poles, "commune").set_index("code")
    assert table.loc["01053", "distance_km"] == 0
    assert table.loc["01053", "pole_proche_id"] == "A"
    # Mâcon's town hall to Bourg-en-Bresse's: about 34 km as the crow flies
    assert 30 < table.loc["71270", "distance_km"] < 40
    assert table.loc["71270", "pole_proche_id"] == "A"
    assert not table.loc["71270", "couvert"]
    assert table.loc["2A004", "couvert"]  # Ajaccio, reached by B's perimeter


def test_zones_blanches_ranked_by_population(territories, small):
    gaps = cv.zones_blanches(territories, small.poles, "epci")
    assert (~gaps["couvert"]).all()
    assert gaps["population"].is_monotonic_decreasing
    assert gaps.loc[0, "code"] == "200054781"  # Métropole du Grand Paris
    assert gaps["rang"].tolist()[:3] == [1, 2, 3]
    assert {"pole_proche_nom", "distance_km", "departement_nom", "region_nom"} <= set(gaps.columns)


def test_coverage_at_every_level_and_within(territories, demo):
    poles = cv.filter_poles(demo.poles, demo.soutiens, cv.Filters())
    for niveau, n in (("commune", 34875), ("epci", 1253), ("departement", 101), ("region", 18)):
        table = cv.coverage_table(territories, poles, niveau)
        assert len(table) == n
        assert {"code", "nom", "population", "couvert"} <= set(table.columns)
    inside = cv.coverage_table(territories, poles, "commune", within=("departement", "01"))
    assert inside["code"].str.startswith("01").all() and len(inside) == (territories.communes["departement_code"] == "01").sum()


def test_no_pole_means_nothing_covered(territories, demo):
    empty = demo.poles.iloc[0:0]
    table = cv.coverage_table(territories, empty, "commune")
    assert not table["couvert"].any() and table["distance_km"].isna().all()


def test_summary(territories, small):
    table = cv.coverage_table(territories, small.poles, "epci")
    s = cv.summarize(table, 3)
    assert s.territoires == 1253 and s.territoires_couverts == table["couvert"].sum()
    assert s.population_non_couverte == table.loc[~table["couvert"], "population"].sum()
