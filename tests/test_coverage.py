"""Filters and coverage: the logic on the hand-drawn map of ``conftest.tiny_territories``,
and what only the national boundaries can show at the end."""

import math

import pandas as pd

import pytest

from ptce_geo import coverage as cv
from ptce_geo.registry import load_registry
from ptce_geo.spatial import locate_registry

from .tiny import TINY_EPCI


def _ids(frame):
    return set(frame["id"])


def _only(reg, *ids):
    return reg.poles[reg.poles["id"].isin(ids)]


def great_circle_km(lon1, lat1, lon2, lat2):
    """Haversine, written out independently of the k-d tree in ``coverage``."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * cv.EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def townhall_km(territories, a, b):
    com = territories.commune_index()
    return great_circle_km(com.at[a, "mairie_lon"], com.at[a, "mairie_lat"],
                           com.at[b, "mairie_lon"], com.at[b, "mairie_lat"])


# ---------------------------------------------------------------------------
# Filters


def test_support_filters_combine_on_the_same_row(tiny_registry):
    reg = tiny_registry
    f = cv.Filters(leviers=("L6",), niveaux=("epci",))
    assert _ids(cv.filter_poles(reg.poles, reg.soutiens, f)) == {"A", "B"}
    f = cv.Filters(leviers=("L6",), formes=("locaux_foncier",))
    # B has L6 (visibilite) and locaux_foncier (L1) but never on the same support
    assert _ids(cv.filter_poles(reg.poles, reg.soutiens, f)) == {"A"}
    f = cv.Filters(leviers=("L1", "L8"))  # values of one criterion are alternatives
    assert _ids(cv.filter_poles(reg.poles, reg.soutiens, f)) == {"B", "C"}
    assert _ids(cv.filter_poles(reg.poles, reg.soutiens, cv.Filters())) == {"A", "B", "C"}


def test_territory_filter_follows_the_seat(tiny_registry):
    reg = tiny_registry
    by_epci = cv.filter_poles(reg.poles, reg.soutiens, cv.Filters(territoire=("epci", TINY_EPCI[0])))
    assert _ids(by_epci) == {"A", "B"}
    by_commune = cv.filter_poles(reg.poles, reg.soutiens, cv.Filters(territoire=("commune", "01003")))
    assert _ids(by_commune) == {"C"}  # B's perimeter reaches Cercy, but its seat is elsewhere


def test_invalid_or_unlocated_poles_never_pass(tiny_registry):
    reg = tiny_registry
    poles = reg.poles.copy()
    poles.loc[poles["id"] == "A", "_valide"] = False
    poles.loc[poles["id"] == "B", "commune_insee"] = ""
    assert _ids(cv.filter_poles(poles, reg.soutiens, cv.Filters())) == {"C"}


# ---------------------------------------------------------------------------
# Coverage


def test_perimeter_reach_of_an_epci_a_departement_and_a_commune(tiny, tiny_registry):
    reach = cv.perimeter_reach(tiny_registry.poles, tiny)
    assert set(map(tuple, reach.to_numpy())) == {("B", "01003"), ("C", "01001")}
    reach = cv.perimeter_reach(tiny_registry.poles.assign(perimetre="01"), tiny)
    assert len(reach) == 9  # each pole reaches the three communes of its département


def test_commune_coverage_by_seat_and_perimeter(tiny, tiny_registry):
    table = cv.coverage_table(tiny, _only(tiny_registry, "B"), "commune").set_index("code")
    assert table.loc["01002", "nb_poles_siege"] == 1 and table.loc["01002", "couvert"]
    # B's perimeter is Cercy's EPCI: Cercy is covered without a seat
    assert table.loc["01003", "nb_poles_siege"] == 0 and table.loc["01003", "nb_poles_perimetre"] == 1
    assert table.loc["01003", "couvert"]
    # Ancy shares B's EPCI but is neither its seat nor in its perimeter
    assert not table.loc["01001", "couvert"]


def test_epci_coverage_counts_each_pole_once(tiny, tiny_registry):
    table = cv.coverage_table(tiny, tiny_registry.poles, "epci").set_index("code")
    first, second = table.loc[TINY_EPCI[0]], table.loc[TINY_EPCI[1]]
    assert first["nb_poles_siege"] == 2 and first["nb_poles_perimetre"] == 1  # A, B; C reaches Ancy
    assert second["nb_poles_siege"] == 1 and second["nb_poles_perimetre"] == 1  # C; B reaches Cercy
    assert table["couvert"].all()
    assert table["population"].sum() == tiny.communes["population"].sum()


def test_commune_distances_are_great_circle_km_from_the_town_hall(tiny, tiny_registry):
    table = cv.coverage_table(tiny, _only(tiny_registry, "A"), "commune").set_index("code")
    assert table.loc["01001", "distance_km"] == 0
    for code in ("01002", "01003"):
        assert table.loc[code, "pole_proche_id"] == "A" and not table.loc[code, "couvert"]
        assert table.loc[code, "distance_km"] == pytest.approx(townhall_km(tiny, "01001", code), abs=0.05)
    assert table.loc["01003", "distance_km"] > table.loc["01002", "distance_km"]


def test_a_territory_is_as_far_as_its_nearest_town_hall(tiny, tiny_registry):
    table = cv.coverage_table(tiny, _only(tiny_registry, "C"), "epci").set_index("code")
    # from C (Cercy) to the Ancy-Bercy EPCI: Bercy's town hall is the nearer one
    assert table.loc[TINY_EPCI[0], "distance_km"] == pytest.approx(townhall_km(tiny, "01003", "01002"), abs=0.05)
    assert table.loc[TINY_EPCI[0], "pole_proche_nom"] == "Pôle C"
    assert table.loc[TINY_EPCI[1], "distance_km"] == 0


def test_zones_blanches_ranked_by_population(tiny, tiny_registry):
    gaps = cv.zones_blanches(tiny, _only(tiny_registry, "A"), "commune")
    # Bercy (1 000 inhabitants) before Cercy (30), whatever their codes' order
    assert gaps["code"].tolist() == ["01002", "01003"] and gaps["rang"].tolist() == [1, 2]
    assert (~gaps["couvert"]).all() and (gaps["pole_proche_nom"] == "Pôle A").all()
    assert {"departement_nom", "region_nom", "distance_km"} <= set(gaps.columns)


def test_within_keeps_the_rows_inside_a_territory(tiny, tiny_registry):
    inside = cv.coverage_table(tiny, tiny_registry.poles, "commune", within=("epci", TINY_EPCI[0]))
    assert inside["code"].tolist() == ["01001", "01002"]


def test_several_levels_in_one_pass_agree_with_one_level_at_a_time(tiny, tiny_registry):
    poles = _only(tiny_registry, "A", "C")
    tables = cv.coverage_tables(tiny, poles)
    for niveau, table in tables.items():
        assert table.equals(cv.coverage_table(tiny, poles, niveau)), niveau


def test_no_pole_means_nothing_covered(tiny, tiny_registry):
    table = cv.coverage_table(tiny, tiny_registry.poles.iloc[0:0], "commune")
    assert not table["couvert"].any() and table["distance_km"].isna().all()
    assert (table["pole_proche_id"] == "").all()


def test_summary(tiny, tiny_registry):
    table = cv.coverage_table(tiny, _only(tiny_registry, "A"), "epci")
    s = cv.summarize(table, 1)
    assert (s.poles, s.territoires_couverts, s.territoires) == (1, 1, 2)
    cercy = tiny.communes.set_index("code").at["01003", "population"]
    assert s.population_non_couverte == cercy and s.population_totale == tiny.communes["population"].sum()
    assert s.part_population_non_couverte == pytest.approx(cercy / s.population_totale)


def test_unknown_level_is_a_clear_error(tiny, tiny_registry):
    with pytest.raises(ValueError, match="niveau de territoire inconnu : « canton »"):
        cv.coverage_table(tiny, tiny_registry.poles, "canton")


# ---------------------------------------------------------------------------
# National data: real geography, real counts


@pytest.fixture(scope="module")
def national(territories, gazetteer, tmp_path_factory):
    d = tmp_path_factory.mktemp("national")
    (d / "p.csv").write_text("id,nom,commune_insee,perimetre\n"
                             "A,Pôle A,01053,\n"          # Bourg-en-Bresse, no perimeter
                             "B,Pôle B,69123,2A\n", encoding="utf-8")  # Lyon, reaching Corse-du-Sud
    return locate_registry(load_registry(d / "p.csv"), territories, gazetteer)


def test_national_distances_and_a_departement_perimeter(territories, national):
    table = cv.coverage_table(territories, national.poles, "commune").set_index("code")
    # Mâcon's town hall to Bourg-en-Bresse's: about 34 km as the crow flies
    assert 30 < table.loc["71270", "distance_km"] < 40 and table.loc["71270", "pole_proche_id"] == "A"
    assert table.loc["2A004", "couvert"]  # Ajaccio, reached by B's perimeter across the sea
    epci = cv.coverage_table(territories, national.poles, "epci")
    corse_sud = epci[epci["departement_code"] == "2A"]
    assert len(corse_sud) > 0 and corse_sud["couvert"].all()


def test_the_largest_zone_blanche_is_the_grand_paris(territories, national):
    gaps = cv.zones_blanches(territories, national.poles, "epci")
    assert gaps.loc[0, "code"] == "200054781"  # Métropole du Grand Paris
    assert gaps["population"].is_monotonic_decreasing


def test_coverage_at_every_level_of_the_cog(territories, demo):
    poles = cv.filter_poles(demo.poles, demo.soutiens, cv.Filters())
    for niveau, n in (("commune", 34875), ("epci", 1253), ("departement", 101), ("region", 18)):
        assert len(cv.coverage_table(territories, poles, niveau)) == n
    inside = cv.coverage_table(territories, poles, "commune", within=("departement", "01"))
    assert len(inside) == (territories.communes["departement_code"] == "01").sum()
    # communes outside any EPCI (islands) count at commune level, not in EPCI totals
    epci = cv.coverage_table(territories, poles, "epci")
    com = territories.communes
    assert epci["population"].sum() == com.loc[com["epci_siren"].notna(), "population"].sum()


def test_a_territorys_table_is_the_national_table_cut_to_it(territories, demo):
    """A territory's table is built from its own rows only; it must say what the national
    table says of them, including an EPCI that crosses the territory's border (its
    nearest pole is sought from all of its communes, inside or not)."""
    poles = cv.filter_poles(demo.poles, demo.soutiens, cv.Filters(leviers=("L3",)))
    status = cv.commune_status(territories, poles)
    com = territories.communes
    spans = com.groupby("epci_siren")["departement_code"].nunique()
    crossing = spans[spans > 1].index[0]
    departement = com.loc[com["epci_siren"] == crossing, "departement_code"].iloc[0]
    checked = 0
    for within, niveaux in ((("region", "84"), ("commune", "epci", "departement")),
                            (("departement", departement), ("commune", "epci")),
                            (("epci", crossing), ("commune",)), (("commune", "01053"), ("commune",))):
        for niveau in niveaux:
            whole = cv.coverage_table(territories, poles, niveau, status=status)
            expected = cv.restrict(whole, territories, niveau, within).reset_index(drop=True)
            got = cv.coverage_table(territories, poles, niveau, within=within, status=status)
            pd.testing.assert_frame_equal(got, expected, obj=f"{niveau} dans {within}")
            checked += len(got)
        if within[0] == "departement":
            assert crossing in set(got["code"])  # the EPCI across the border is in the table
    assert checked > 4000


def test_file_names_carry_the_filters_and_never_collide():
    assert cv.Filters().slug() == ""
    assert cv.Filters(leviers=("L6", "L7"), annees=(2020, 2022)).slug() == "leviers-L6-L7_annees-2020-2022"
    many = cv.Filters(formes=("subvention_fonctionnement", "subvention_investissement", "poste_coordination"))
    other = cv.Filters(formes=("subvention_fonctionnement", "subvention_investissement"), leviers=("L1",))
    assert many.slug().startswith("filtres-") and len(many.slug()) <= 48
    slugs = [many.slug(), other.slug(), cv.Filters(leviers=("L1",)).slug(), cv.Filters(leviers=("L1", "L6")).slug()]
    assert len(set(slugs)) == len(slugs)
    from ptce_geo import vocab
    every = cv.Filters(leviers=tuple(vocab.LEVIERS), annees=(2015, 2024))  # every lever: said in one word
    assert every.slug() == "leviers-8sur8_annees-2015-2024" != cv.Filters(annees=(2015, 2024)).slug()
    assert every.describe().startswith("leviers : les 8 cochés ;")


def test_a_territory_without_rows_at_a_level_still_has_text_columns(territories, demo):
    """Ouessant belongs to no EPCI: its table by EPCI has no row, with the same column types
    as any other (a GeoPackage layer's fields are typed from them)."""
    poles = cv.filter_poles(demo.poles, demo.soutiens, cv.Filters())
    empty = cv.coverage_table(territories, poles, "epci", within=("commune", "29155"))
    full = cv.coverage_table(territories, poles, "epci")
    assert empty.empty and list(empty.columns) == list(full.columns)
    assert (empty.dtypes == full.dtypes).all()
