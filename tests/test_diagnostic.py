"""Lever diagnostic, worked out by hand on the tiny map (``conftest.tiny_dated``):

supports 1. A by EPCI 1 (Ancy-Bercy), L6, 2019, 10 000 €; 2. B by the région, L1, 2021;
3. B by EPCI 1, L6, 2022, 5 000 €; 4. C by the commune of Cercy (EPCI 2), L8, 2023, 2 000 €.
The région's support counts for both EPCI (it contains them); Cercy's for EPCI 2 only."""

import math

import pytest

from ptce_geo import diagnostic
from ptce_geo.coverage import Filters

from .tiny import TINY_EPCI


def diag(reg, tiny, code=TINY_EPCI[0], **kw):
    return diagnostic.diagnose(tiny, reg.poles, reg.soutiens, "epci", code, **kw)


def test_what_the_territorys_collectivites_use(tiny_dated, tiny):
    table = diag(tiny_dated, tiny).table.set_index("levier")
    assert list(table.index[table["utilise"]]) == ["L1", "L6"]
    l6 = table.loc["L6"]
    assert (l6["soutiens"], l6["poles"], l6["annees"], l6["montant_eur"]) == (2, 2, "2019-2022", 15000)
    assert table.loc["L1", "annees"] == "2021" and math.isnan(table.loc["L1", "montant_eur"])
    assert table.loc["L8", "soutiens"] == 0  # Cercy's support is not given in EPCI 1
    cercy = diag(tiny_dated, tiny, TINY_EPCI[1]).table.set_index("levier")
    assert list(cercy.index[cercy["utilise"]]) == ["L1", "L8"]


def test_shares_among_comparable_territories(tiny_dated, tiny):
    d = diag(tiny_dated, tiny, min_peers=1)
    assert d.n_peers == 1 and d.n_peers_with_data == 1  # the other CC under 15 000 inhabitants
    assert "communautés de communes ayant moins de 15" in d.comparison
    share = d.table.set_index("levier")["part_pairs"]
    assert share["L1"] == 1 and share["L8"] == 1 and share["L6"] == 0
    missing = d.missing()
    assert missing["levier"].iloc[0] == "L8"  # not used here, used by every peer: listed first
    example = d.examples[d.examples["levier"] == "L8"].iloc[0]
    assert (example["pole"], example["territoire"], example["forme"]) == ("Pôle C", "CC de Cercy", "Ingénierie, accompagnement")
    assert example["fiche"] == f"fiche_territoire?epci={TINY_EPCI[1]}"
    assert missing["en_pratique"].str.len().gt(40).all()  # what the lever means, in words


def test_too_few_peers_gives_no_share(tiny_dated, tiny):
    d = diag(tiny_dated, tiny)  # 1 peer with data < 5
    assert not d.enough and d.table["part_pairs"].isna().all()
    assert "trop peu pour comparer" in d.summary()


def test_filters_apply(tiny_dated, tiny):
    d = diag(tiny_dated, tiny, filters=Filters(annees=(2022, 2023)))
    table = d.table.set_index("levier")
    assert list(table.index[table["utilise"]]) == ["L6"] and table.loc["L6", "soutiens"] == 1


def test_national_shares_by_type_and_year(tiny_dated, tiny):
    shares, by_year = diagnostic.national(tiny, tiny_dated.poles, tiny_dated.soutiens)
    cc = shares.set_index("levier")["CC"]
    assert (cc["L1"], cc["L6"], cc["L8"], cc["L2"]) == (1, 0.5, 0.5, 0)
    years = by_year.set_index("annee")
    assert years.loc[2021, "L1"] == 1 and years.loc[2019, "L6"] == 0.5 and years.loc[2023, "L8"] == 0.5


def test_comparison_choices_and_errors(territories, demo):
    d = diagnostic.diagnose(territories, demo.poles, demo.soutiens, "epci", "200071751")
    assert d.comparison.startswith("les communautés d'agglomération ayant")
    epci = territories.epci.set_index("code")
    me = epci.loc["200071751"]
    low, high = diagnostic.band("epci", me["population"])
    expected = epci[(epci["type"] == me["type"]) & epci["population"].between(low, high - 1)].index
    assert d.n_peers == len(expected) - 1
    region = diagnostic.diagnose(territories, demo.poles, demo.soutiens, "epci", "200071751", mode="region")
    assert region.n_peers == (epci["region_code"] == me["region_code"]).sum() - 1
    dep = diagnostic.diagnose(territories, demo.poles, demo.soutiens, "departement", "44")
    assert dep.comparison.startswith("les départements ayant") and dep.enough
    with pytest.raises(ValueError, match="EPCI, un département ou une région"):
        diagnostic.diagnose(territories, demo.poles, demo.soutiens, "commune", "44109")
    with pytest.raises(ValueError, match="inconnu"):
        diagnostic.diagnose(territories, demo.poles, demo.soutiens, "epci", "123")
