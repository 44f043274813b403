"""Territory portraits: the logic on the hand-drawn map (``tests/tiny.py``), one national check."""

import io
import zipfile

import pytest

from ptce_geo import coverage as cv
from ptce_geo import portrait

from .tiny import TINY_EPCI


@pytest.fixture(scope="module")
def poles(tiny_registry):
    return cv.filter_poles(tiny_registry.poles, tiny_registry.soutiens, cv.Filters())


def _build(tiny, tiny_registry, poles, niveau, code, **kw):
    return portrait.build(tiny, poles, tiny_registry.soutiens, niveau, code, **kw)


def test_portrait_of_an_epci(tiny, tiny_registry, poles):
    fiche = _build(tiny, tiny_registry, poles, "epci", TINY_EPCI[0])
    assert fiche.title == "EPCI : CC d'Ancy-Bercy"
    inside = tiny.communes[tiny.communes["epci_siren"] == TINY_EPCI[0]]
    assert fiche.population == inside["population"].sum()
    assert fiche.communes["code"].tolist() == inside["code"].tolist()
    assert set(fiche.poles_siege["id"]) == {"A", "B"}
    assert set(fiche.poles_perimetre["id"]) == {"C"}  # C's perimeter is Ancy; its seat is outside


def test_comparison_with_the_region_and_france(tiny, tiny_registry, poles):
    comp = _build(tiny, tiny_registry, poles, "commune", "01003").comparaison.set_index("territoire")
    # a commune compares with its EPCI first, then its région
    assert list(comp.index) == ["Ce territoire", "EPCI : CC de Cercy", "Région : Auvergne-Rhône-Alpes", "France"]
    assert comp.loc["Ce territoire", "poles_siege"] == 1 and comp.loc["France", "poles_siege"] == len(poles)
    assert comp.loc["France", "epci"] == len(tiny.epci)
    cercy = tiny.communes.set_index("code").at["01003", "population"]
    assert comp.loc["Ce territoire", "poles_pour_100k_hab"] == pytest.approx(100_000 / cercy, abs=0.01)
    region = _build(tiny, tiny_registry, poles, "region", "84").comparaison
    assert region["territoire"].tolist() == ["Ce territoire", "France"]  # no région above a région


def test_nearest_poles_outside_are_sorted_and_outside(tiny, tiny_registry, poles):
    near = _build(tiny, tiny_registry, poles, "commune", "01003").poles_proches
    assert near["id"].tolist() == ["B", "A"]  # Bercy is next door, Ancy one commune further
    assert near["distance_km"].is_monotonic_increasing and near["distance_km"].gt(0).all()
    assert _build(tiny, tiny_registry, poles, "commune", "01003", n_nearest=1).poles_proches["id"].tolist() == ["B"]
    assert _build(tiny, tiny_registry, poles, "region", "84").poles_proches.empty  # every pole is inside


def test_supports_in_the_territorys_scope(tiny, tiny_registry, poles):
    cercy = _build(tiny, tiny_registry, poles, "epci", TINY_EPCI[1]).soutiens
    # to its poles (C seated, B reaching it) or by its collectivités; not A's (outside, by another EPCI)
    assert set(cercy["pole_id"]) == {"B", "C"} and len(cercy) == 3
    alone = _build(tiny, tiny_registry, poles, "commune", "01003", filters=cv.Filters(leviers=("L8",))).soutiens
    assert list(zip(alone["pole_id"], alone["collectivite_niveau"])) == [("C", "commune")]
    region = _build(tiny, tiny_registry, poles, "region", "84").soutiens
    assert len(region) == len(tiny_registry.soutiens)  # every collectivity is inside the région
    counts = portrait.support_counts(region, "levier").set_index("code")["soutiens"]
    assert list(counts.index) == [f"L{i}" for i in range(1, 9)]
    assert counts[["L1", "L6", "L8"]].tolist() == [1, 2, 1] and counts.sum() == 4


def test_portrait_zip_holds_every_table(tiny, tiny_registry, poles):
    fiche = _build(tiny, tiny_registry, poles, "commune", "01001")
    archive = zipfile.ZipFile(io.BytesIO(fiche.zip_bytes("excel", ["Filtres actifs : aucun"])))
    assert {f"{name}.csv" for name in fiche.tables()} | {"lisez-moi.txt", "dictionnaire_des_colonnes.csv"} \
        == set(archive.namelist())
    communes = archive.read("communes.csv")
    assert communes.startswith(b"\xef\xbb\xbf") and "Territoire;Population".encode() in communes
    assert "Filtres actifs" in archive.read("lisez-moi.txt").decode()
    # the comparison as the fiche shows it: French headers, shares in percent
    comparison = archive.read("comparaison.csv").decode("utf-8-sig").splitlines()
    assert comparison[0].split(";") == ["Territoire", "Population", "Pôles (siège)", "Pôles pour 100 000 hab.",
                                        "EPCI couverts", "Nombre d'EPCI", "Part des EPCI couverts (%)"]
    share = fiche.comparaison["part_epci_couverts"].iloc[0]
    assert float(comparison[1].split(";")[-1].replace(",", ".")) == pytest.approx(round(share * 100, 1))
    codes = zipfile.ZipFile(io.BytesIO(fiche.zip_bytes("csv", [], codes=True)))
    assert codes.read("communes.csv").startswith(b"code,nom,population")
    # in codes the share stays from 0 to 1, and the dictionary says so
    described = codes.read("dictionnaire_des_colonnes.csv").decode()
    assert "part_epci_couverts,Part des EPCI couverts (de 0 à 1)" in described and "pourcentage" not in described


def test_verdict_answers_is_it_covered(tiny, tiny_registry, poles):
    assert _build(tiny, tiny_registry, poles, "epci", TINY_EPCI[1]).verdict().startswith("Votre EPCI est couvert")
    only_a = cv.Filters(leviers=("L6",), formes=("locaux_foncier",))  # A alone, in Ancy
    verdict = _build(tiny, tiny_registry, poles, "epci", TINY_EPCI[1], filters=only_a).verdict()
    assert verdict.startswith("Votre EPCI n'est pas couvert ; pôle le plus proche : Pôle A, à ")
    assert verdict.endswith(" km.") and "," in verdict.split("à ")[-1]
    dep = _build(tiny, tiny_registry, poles, "departement", "01", filters=only_a).verdict()
    assert dep.startswith("1 EPCI couvert sur 2") and "30 habitants vivent" in dep


def test_unknown_territory_is_a_clear_error(tiny, tiny_registry, poles):
    with pytest.raises(ValueError, match="inconnu"):
        _build(tiny, tiny_registry, poles, "epci", "123")


def test_portrait_of_a_real_epci_against_france(territories, demo):
    """National data: the COG's names and counts reach the portrait."""
    poles = cv.filter_poles(demo.poles, demo.soutiens, cv.Filters())
    fiche = portrait.build(territories, poles, demo.soutiens, "epci", "200071751")
    assert fiche.title == "EPCI : Communauté d'agglomération du Bassin de Bourg-en-Bresse"
    epci = territories.epci.set_index("code")
    assert len(fiche.communes) == epci.at["200071751", "nb_communes"]
    comp = fiche.comparaison.set_index("territoire")
    assert list(comp.index) == ["Ce territoire", "Région : Auvergne-Rhône-Alpes", "France"]
    assert comp.loc["France", "epci"] == len(epci)


def test_shared_comparison_rows_belong_to_each_territory(territories, demo):
    """The région and France rows of a fiche are shared by the fiches of the same filters: each
    fiche must still show its own région's figures (two EPCI in different régions, and a
    commune's EPCI row), as computed afresh."""
    from ptce_geo import scope
    filters = cv.Filters(leviers=("L2",))
    views = {code: scope.shared_apply(demo.poles, demo.soutiens, territories, filters, (level, code))
             for level, code in (("epci", "200071751"), ("epci", "246700488"), ("commune", "29019"))}
    france = next(iter(views.values())).for_france()
    epci_table = france.coverage("epci")
    seen_regions = set()
    for code, view in views.items():
        fiche = portrait.of_view(territories, view)
        rows = fiche.comparaison.set_index("territoire")
        communes = territories.communes_in(view.territory[0], code)
        region = communes["region_code"].iat[0]
        seen_regions.add(region)
        afresh = portrait._indicators(france.poles, epci_table, territories.communes_in("region", region))
        assert rows.loc[f"Région : {territories.names('region')[region]}"].to_dict() == afresh
        if view.territory[0] == "commune":
            epci = communes["epci_siren"].iat[0]
            afresh = portrait._indicators(france.poles, epci_table, territories.communes_in("epci", epci))
            assert rows.loc[f"EPCI : {territories.names('epci')[epci]}"].to_dict() == afresh
    assert len(seen_regions) == 3
