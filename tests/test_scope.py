"""The scope of a view (filters plus territory), on the hand-drawn map of
``tests.tiny``, where every expected row can be worked out by hand, then on the
demo registry with the real boundaries."""

import pandas as pd
import pytest

from ptce_geo import scope
from ptce_geo.coverage import Filters

from .tiny import TINY_EPCI


@pytest.fixture(scope="module")
def reg(tiny_dated):
    return tiny_dated


def view(reg, tiny, territory=None, **filters):
    return scope.apply(reg.poles, reg.soutiens, tiny, Filters(**filters), territory)


def ids(frame):
    return set(frame["id"])


def support_rows(v):
    """Supports as their line number in the file (row 1 is the header)."""
    return set(v.supports["_ligne"] - 1)


def test_france_has_every_filtered_pole_and_matching_support(reg, tiny):
    v = view(reg, tiny)
    assert ids(v.poles) == {"A", "B", "C"} and v.context.empty
    assert support_rows(v) == {1, 2, 3, 4}
    v = view(reg, tiny, leviers=("L6",))
    assert ids(v.poles) == {"A", "B"}
    assert support_rows(v) == {1, 3}  # B's L1 support is not counted: the filter applies to support rows


def test_territory_keeps_poles_seated_or_reaching(reg, tiny):
    v = view(reg, tiny, ("epci", TINY_EPCI[1]))
    assert ids(v.seated) == {"C"} and ids(v.reaching) == {"B"} and ids(v.poles) == {"B", "C"}
    assert ids(v.context) == {"A"}  # drawn as context, never counted
    # supports to B or C, plus those given by Cercy's collectivités (the commune)
    assert support_rows(v) == {2, 3, 4}
    v = view(reg, tiny, ("epci", TINY_EPCI[0]))
    assert ids(v.seated) == {"A", "B"} and ids(v.reaching) == {"C"}


def test_filters_and_territory_together(reg, tiny):
    v = view(reg, tiny, ("commune", "01003"), leviers=("L6",))
    assert ids(v.poles) == {"B"}  # A and B pass L6; only B's perimeter reaches Cercy
    assert support_rows(v) == {3}


def test_year_range_selects_support_rows(reg, tiny):
    assert ids(view(reg, tiny, annees=(2019, 2019)).poles) == {"A"}
    v = view(reg, tiny, ("epci", TINY_EPCI[0]), annees=(2021, 2023))
    assert ids(v.seated) == {"B"} and ids(v.reaching) == {"C"}
    assert support_rows(v) == {2, 3, 4}
    # same row: B's L6 support is from 2022, so L6 in 2019-2021 keeps only A
    assert ids(view(reg, tiny, leviers=("L6",), annees=(2019, 2021)).poles) == {"A"}


def test_given_by_inside_or_containing(reg, tiny):
    supports = reg.soutiens
    inside = scope.given_by(supports, tiny, ("commune", "01001"))
    assert not inside.any()
    around = scope.given_by(supports, tiny, ("commune", "01001"), containing=True)
    assert set(supports.loc[around, "_ligne"] - 1) == {1, 2, 3}  # its EPCI and its région
    region = scope.given_by(supports, tiny, ("region", "84"))
    assert region.all()


def test_figures_count_the_territory_with_every_pole_of_france(reg, tiny):
    f = view(reg, tiny, ("epci", TINY_EPCI[1])).figures()
    assert f["niveau"] == "commune" and (f["territoires"], f["territoires_couverts"]) == (1, 1)
    assert f["poles_siege"] == 1 and f["poles_perimetre"] == 1 and f["population_non_couverte"] == 0
    # only A (2019): Cercy's EPCI has no pole; A, outside it, is still counted as its nearest pole
    v = view(reg, tiny, ("departement", "01"), annees=(2019, 2019))
    f = v.figures()
    assert f["niveau"] == "epci" and (f["territoires"], f["territoires_couverts"]) == (2, 1)
    assert f["population_non_couverte"] == 30
    cercy = v.coverage("commune").set_index("code").loc["01003"]
    assert not cercy["couvert"] and cercy["pole_proche_id"] == "A"


def test_supporters_by_name(reg, tiny):
    table = scope.supporters(view(reg, tiny))
    assert list(table["collectivite_code"]) == [TINY_EPCI[0], "01003", "84"]
    epci = table.iloc[0]
    assert epci["soutiens"] == 2 and epci["leviers"] == "L6" and epci["annees"] == "2019-2022"
    assert epci["montant_eur"] == 15000 and epci["soutiens_sans_montant"] == 0
    assert epci["poles"] == "Pôle A|Pôle B"
    region = table.set_index("collectivite_code").loc["84"]
    assert region["montant_eur"] is None or region["montant_eur"] != region["montant_eur"]
    assert region["soutiens_sans_montant"] == 1
    assert scope.supporters(view(reg, tiny, leviers=("L8",)))["collectivite_code"].tolist() == ["01003"]


def test_describe_says_the_scope_in_words(reg, tiny):
    text = view(reg, tiny, ("epci", TINY_EPCI[1]), leviers=("L6",), annees=(2020, 2024)).describe()
    assert "CC de Cercy" in text and "périmètre" in text and "de 2020 à 2024" in text
    assert "Aménagement" in text  # the lever's label, not only its code
    assert view(reg, tiny).describe().startswith("Pôles de toute la France")


def test_every_value_of_a_list_is_said_in_a_few_words():
    from ptce_geo import vocab
    every = scope.describe_filters(Filters(leviers=tuple(vocab.LEVIERS), formes=tuple(vocab.FORMES)))
    assert every == f"leviers : les 8 cochés ; formes : les {len(vocab.FORMES)} cochées"
    assert "tous" not in every.lower()  # « Tous » is the sidebar's word for no filter
    almost = scope.describe_filters(Filters(leviers=tuple(vocab.LEVIERS)[:7]))
    assert almost.count(" — ") == 7 and "tous" not in almost  # seven of eight: each is named


def test_unknown_territory_is_a_french_error(reg, tiny):
    with pytest.raises(ValueError, match="inconnu"):
        view(reg, tiny, ("epci", "999999999"))


def test_demo_departement_scope_is_consistent(demo, territories):
    """Loire-Atlantique with L6: every counted pole is in or reaches it, every
    support matches L6 and is given there or to its poles."""
    v = scope.apply(demo.poles, demo.soutiens, territories, Filters(leviers=("L6",)), ("departement", "44"))
    national = scope.apply(demo.poles, demo.soutiens, territories, Filters(leviers=("L6",)))
    assert set(v.poles["id"]) | set(v.context["id"]) == set(national.poles["id"])
    assert v.seated["departement_code"].eq("44").all()
    assert v.supports["leviers"].str.contains("L6").all()
    assert len(v.supports) < len(national.supports)
    com = territories.communes
    epci_inside = com.loc[com["departement_code"] == "44", "epci_siren"].nunique()
    assert v.figures()["territoires"] == epci_inside  # every EPCI with a commune in Loire-Atlantique


def test_for_france_equals_a_national_scope(reg, tiny):
    here = view(reg, tiny, ("epci", TINY_EPCI[1]), leviers=("L6",))
    france = view(reg, tiny, leviers=("L6",))
    assert here.for_france().figures() == france.figures()
    assert ids(here.for_france().poles) == ids(france.poles)


def test_coverage_asked_twice_is_the_same_and_a_page_cannot_spoil_it(reg, tiny):
    """A page asks a view for its coverage several times (figures, map, table): each
    answer is the coverage of the scope, even after a page edited an earlier one."""
    from ptce_geo import coverage
    here = view(reg, tiny, ("epci", TINY_EPCI[1]), leviers=("L6",))
    first = here.coverage("commune")
    first["couvert"] = ~first["couvert"]
    fresh = coverage.coverage_table(tiny, here.france, "commune", within=here.territory)
    pd.testing.assert_frame_equal(here.coverage("commune"), fresh)
    pd.testing.assert_frame_equal(here.for_france().coverage("epci"), coverage.coverage_table(tiny, here.france, "epci"))


def test_coverage_is_shared_between_views_of_the_same_poles_and_not_with_others(reg, tiny, monkeypatch):
    """Two sessions asking for the same view get one computation; other poles, or a poles'
    coordinates changed by an edit, get their own; a caller's change to its table stays its own."""
    from ptce_geo import coverage
    calls = []
    real = coverage.commune_status
    monkeypatch.setattr(coverage, "commune_status", lambda t, p, *a: calls.append(len(p)) or real(t, p, *a))
    monkeypatch.setattr(scope, "SHARED", scope.SharedResults(size=4))
    first = view(reg, tiny).coverage("epci")
    first.loc[:, "couvert"] = False  # the caller's copy
    again = view(reg, tiny).coverage("epci")
    assert len(calls) == 1 and again["couvert"].any()
    pd.testing.assert_frame_equal(again, view(reg, tiny).coverage("epci"))
    view(reg, tiny, leviers=("L6",)).coverage("epci")
    assert len(calls) == 2
    moved = reg.poles.copy()
    moved.loc[moved["id"] == "A", "point_lon"] += 1.0
    scope.apply(moved, reg.soutiens, tiny, Filters(), None).coverage("epci")
    assert len(calls) == 3
    view(reg, tiny).coverage("epci")  # 4 entries hold two views: France's made way for these two
    assert len(calls) == 4


def test_a_view_is_shared_by_the_same_registry_filters_and_territory_only(reg, tiny, monkeypatch):
    """A rerun or another session asking for the same view gets the same object, with the
    coverage it has already computed; another filter, territory or registry gets its own."""
    from ptce_geo import coverage
    calls = []
    real = coverage.coverage_table
    monkeypatch.setattr(coverage, "coverage_table", lambda *a, **k: calls.append(1) or real(*a, **k))
    territory = ("epci", TINY_EPCI[0])
    shared = scope.shared_apply(reg.poles, reg.soutiens, tiny, Filters(), territory)
    assert scope.shared_apply(reg.poles, reg.soutiens, tiny, Filters(), territory) is shared
    figures = shared.figures()
    figures["poles"] = -1  # the caller's copy
    assert shared.figures()["poles"] == len(shared.poles) and len(calls) == 1
    assert shared.for_france() is shared.for_france()
    assert scope.shared_apply(reg.poles, reg.soutiens, tiny, Filters(leviers=("L6",)), territory) is not shared
    assert scope.shared_apply(reg.poles, reg.soutiens, tiny, Filters(), None) is not shared
    other = reg.poles.copy()  # an upload of the same file is another registry
    assert scope.shared_apply(other, reg.soutiens, tiny, Filters(), territory) is not shared
    expected = scope.apply(reg.poles, reg.soutiens, tiny, Filters(), territory)
    assert ids(shared.poles) == ids(expected.poles) and support_rows(shared) == support_rows(expected)


def test_remembered_results_follow_their_holders(reg, tiny):
    """A result derived from a registry is computed once for it, again for another one."""
    made = []
    first = scope.remember((reg.poles, tiny), "compte", lambda: made.append(1) or len(reg.poles))
    assert scope.remember((reg.poles, tiny), "compte", lambda: made.append(1) or -1) == first
    other = reg.poles.iloc[:1]
    assert scope.remember((other, tiny), "compte", lambda: made.append(1) or len(other)) == 1
    assert len(made) == 2


def test_results_of_a_freed_registry_are_forgotten(reg, tiny):
    """A registry replaced after a save, or an upload its session dropped, is not kept alive by
    the results computed from it: they go at the next result kept."""
    import gc
    import weakref

    from ptce_geo.memo import SharedResults
    store = SharedResults(size=8)
    poles = reg.poles.copy()
    store.put((poles, tiny), "compte", len(poles))
    alive = weakref.ref(poles)
    assert store.peek((poles, tiny), "compte") == len(reg.poles)
    del poles
    gc.collect()
    assert alive() is None  # the store did not keep the registry
    store.put((reg.poles, tiny), "autre", 1)
    assert len(store) == 1


def test_a_territorys_view_cut_from_frances_is_the_view_built_alone(demo, territories, monkeypatch):
    """Territories' views are cut from France's view of the same filters (filtering and the
    perimeters' reach done once): each must hold exactly what a view built alone holds."""
    from ptce_geo import coverage
    calls = []
    real = coverage.perimeter_reach
    monkeypatch.setattr(coverage, "perimeter_reach", lambda p, t: calls.append(len(p)) or real(p, t))
    filters = Filters(leviers=("L3", "L6"))
    places = [("region", "84"), ("departement", "38"), ("epci", "200040715"), ("commune", "01053")]
    for territory in places:
        shared = scope.shared_apply(demo.poles, demo.soutiens, territories, filters, territory)
        monkeypatch.setattr(coverage, "perimeter_reach", real)
        alone = scope.apply(demo.poles, demo.soutiens, territories, filters, territory)
        monkeypatch.setattr(coverage, "perimeter_reach", lambda p, t: calls.append(len(p)) or real(p, t))
        for part in ("poles", "seated", "reaching", "context", "france", "supports"):
            pd.testing.assert_frame_equal(getattr(shared, part), getattr(alone, part), obj=f"{part} {territory}")
        pd.testing.assert_frame_equal(shared.coverage(), alone.coverage())
        assert shared.figures() == alone.figures()
    assert len(calls) == 1  # one reach for the four territories (and their coverage)


def test_a_territorys_table_reads_frances_figures_for_its_units(demo, territories, monkeypatch):
    """The EPCI, départements and régions of a territory's tables take their counts and
    nearest pole from France's figures for them, worked out once per set of filters: the
    same tables as computed from scratch, every level."""
    from ptce_geo import coverage
    worked = []
    real = coverage.unit_stats
    monkeypatch.setattr(coverage, "unit_stats", lambda *a: worked.append(a[2]) or real(*a))
    filters = Filters(leviers=("L4",))
    places = [("region", "53"), ("departement", "22"), ("departement", "29"), ("epci", "242900314")]
    cases = [(t, n) for t in places for n in ("epci", "departement", "region")]
    tables = {}
    for territory, niveau in cases:
        tables[territory, niveau] = scope.shared_apply(demo.poles, demo.soutiens, territories, filters,
                                                       territory).coverage(niveau)
    assert sorted(worked) == ["departement", "epci", "region"]  # once per level for the four territories
    monkeypatch.setattr(coverage, "unit_stats", real)
    for (territory, niveau), table in tables.items():
        france = scope.shared_apply(demo.poles, demo.soutiens, territories, filters).france
        fresh = coverage.coverage_table(territories, france, niveau, within=territory)
        pd.testing.assert_frame_equal(table, fresh, obj=f"{niveau} {territory}")
