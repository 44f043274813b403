from ptce_geo import charts, vocab


def test_lever_by_level_heatmap_counts_each_lever_of_a_support(demo):
    supports = demo.soutiens[demo.soutiens["_valide"]]
    fig, data = charts.levers_by_level(supports)
    assert fig.layout.title.text == "Soutiens par levier et par niveau de collectivité"
    # the levers across, by their codes (full names in the hover label); every level labelled down the side
    assert fig.layout.xaxis.title.text == "Levier" and list(fig.layout.xaxis.ticktext) == list(vocab.LEVIERS)
    assert [y.replace("<br>", " ") for y in fig.data[0].y] == [vocab.label("niveau", c) for c in vocab.NIVEAUX]
    forms, _ = charts.levers_by_form(supports)  # more rows (forms than levels): a taller chart
    assert forms.layout.height > fig.layout.height
    assert list(data["levier"]) == list(vocab.LEVIERS)
    total = sum(len([x for x in cell.split("|") if x]) for cell in supports["leviers"])
    assert data.drop(columns=["levier", "libelle"]).to_numpy().sum() == total


def test_charts_follow_a_filter(demo):
    supports = demo.soutiens[demo.soutiens["_valide"]]
    only_l6 = supports[supports["leviers"].str.contains("L6")]
    _, all_data = charts.levers_by_form(supports)
    _, l6_data = charts.levers_by_form(only_l6)
    assert l6_data.drop(columns=["levier", "libelle"]).to_numpy().sum() < \
        all_data.drop(columns=["levier", "libelle"]).to_numpy().sum()


def test_region_and_stage_charts(territories, demo):
    fig, data = charts.levers_by_region(demo.soutiens, demo.poles, territories.names("region"))
    assert "Île-de-France" in set(data["region_nom"])
    fig, data = charts.poles_by_stage_and_typology(demo.poles)
    assert data["poles"].sum() == len(demo.poles)
    assert fig.layout.yaxis.title.text == "Nombre de pôles"
    assert all(trace.marker.color in charts.OKABE_ITO for trace in fig.data)


def test_empty_selection_gives_empty_but_valid_charts(demo):
    fig, data = charts.levers_by_level(demo.soutiens.iloc[0:0])
    assert data.drop(columns=["levier", "libelle"]).to_numpy().sum() == 0


def test_years_and_amounts(tiny, tmp_path):
    """Hand-counted on four supports: 2019 L6 1 000 €; 2021 L1|L6 600 €; 2021 L6 no amount; no year L8 50 €."""
    import pandas as pd
    supports = pd.DataFrame({"pole_id": ["A", "B", "B", "C"], "collectivite_niveau": ["epci", "region", "epci",
                                                                                          "commune"],
                             "forme": "", "leviers": ["L6", "L1|L6", "L6", "L8"],
                             "annee": pd.array([2019, 2021, 2021, None], dtype="Int64"),
                             "montant_eur": pd.array([1000, 600, None, 50], dtype="Float64")})
    fig, data = charts.supports_per_year_and_lever(supports)
    table = data.set_index("annee")
    assert list(table.index) == [2019, 2020, 2021]  # every year in between, even without support
    assert table.loc[2021, "L6"] == 2 and table.loc[2021, "L1"] == 1 and table.loc[2020].sum() == 0
    assert "L8" in table and table["L8"].sum() == 0  # no year: not drawn
    _, by_lever, without = charts.amounts(supports, "levier")
    euros = by_lever.set_index("levier")["montant_eur"]
    assert euros["L6"] == 1300 and euros["L1"] == 300 and euros["L8"] == 50 and without == 1
    assert euros.sum() == 1650  # shared between levers, never counted twice
    table, count, _ = charts.amount_totals(supports, "levier")  # the fiche's table, without a chart
    assert table.equals(by_lever) and count == without
    _, by_level, _ = charts.amounts(supports, "niveau")
    assert by_level.set_index("niveau").loc["region", "montant_eur"] == 600
    _, by_year, _ = charts.amounts(supports, "annee")
    assert by_year.set_index("annee")["montant_eur"].to_dict() == {2019: 1000, 2021: 600}
    for by in ("levier", "niveau", "annee"):  # nothing selected: empty but valid
        _, data, without = charts.amounts(supports.iloc[0:0], by)
        assert data["montant_eur"].sum() == 0 and without == 0


def test_poles_created_cumulative():
    import pandas as pd
    poles = pd.DataFrame({"annee_creation": pd.array([2015, 2017, 2017, None], dtype="Int64")})
    _, data, missing = charts.poles_created_per_year(poles)
    assert data["annee_creation"].tolist() == [2015, 2016, 2017]
    assert data["poles_cumul"].tolist() == [1, 1, 3] and missing == 1


def test_lever_share_charts(tiny, tiny_dated):
    from ptce_geo import diagnostic
    shares, by_year = diagnostic.national(tiny, tiny_dated.poles, tiny_dated.soutiens)
    fig, data = charts.lever_share_by_epci_type(shares)
    cells = dict(zip(fig.data[0].y, fig.data[0].z[:, list(fig.data[0].x).index("Communautés de communes")]))
    assert cells[vocab.levier_label("L6")] == 50 and cells[vocab.levier_label("L1")] == 100
    # the chart's file holds the percentages it shows, under headers that say so
    assert data.set_index("levier").loc["L6", "Communautés de communes (%)"] == 50
    fig, data = charts.lever_share_by_year(by_year)
    l8 = next(t for t in fig.data if t.name.startswith("L8"))
    assert dict(zip(l8.x, l8.y))[2023] == 50
    assert data.set_index("annee").loc[2023, "L8 (%)"] == 50


def test_amount_bars_are_labelled_flat(demo):
    """By lever, the codes under the bars (a slanted sentence per bar left the bars a strip);
    by level, names in short lines."""
    supports = demo.soutiens[demo.soutiens["_valide"]]
    fig, _, _ = charts.amounts(supports, "levier")
    assert list(fig.layout.xaxis.ticktext) == list(vocab.LEVIERS) and fig.layout.xaxis.tickangle == 0
    fig, _, _ = charts.amounts(supports, "niveau")
    assert all(len(t.split("<br>")) <= 3 and max(map(len, t.split("<br>"))) <= 18 for t in fig.layout.xaxis.ticktext)


def test_count_axes_step_by_1_2_or_5_times_a_power_of_ten():
    """« 0, 20, 40… », not « 0, 19, 38, 57… », and never more than about eight ticks."""
    assert [charts.count_step(n) for n in (1, 8, 9, 17, 40, 150, 1000)] == [1, 1, 2, 5, 5, 20, 200]


def test_every_chart_writes_numbers_the_french_way(territories, demo):
    supports = demo.soutiens[demo.soutiens["_valide"]]
    figures = [charts.levers_by_level(supports)[0], charts.levers_by_form(supports)[0],
               charts.levers_by_region(supports, demo.poles, territories.names("region"))[0],
               charts.poles_by_stage_and_typology(demo.poles)[0]]
    for fig in figures:
        # decimal comma, narrow no-break space between thousands
        assert fig.layout.separators == ",\u202f"
        for trace in fig.data:
            assert trace.hovertemplate and "<extra></extra>" in trace.hovertemplate
            assert ":,d}" in trace.hovertemplate  # counts with thousands separators
            assert "Soutiens" in trace.hovertemplate or "Nombre de pôles" in trace.hovertemplate


def test_year_count_and_amount_axes_read_the_french_way(demo):
    """Years are whole years (never « 2 020,5 »), counts whole numbers (never « 0,2 »),
    euros in full (never « 1.5M »), all with the French separators."""
    supports = demo.soutiens[demo.soutiens["_valide"]]
    created, _, _ = charts.poles_created_per_year(demo.poles)
    per_year, _ = charts.supports_per_year_and_lever(supports)
    by_year, _, _ = charts.amounts(supports, "annee")
    by_lever, _, _ = charts.amounts(supports, "levier")
    for fig in (created, per_year, by_year, by_lever):
        assert fig.layout.separators == ",\u202f"
    for fig in (created, per_year, by_year):
        assert fig.layout.xaxis.type == "category"
    for fig in (created, per_year):
        assert fig.layout.yaxis.tickformat == ",d" and fig.layout.yaxis.dtick >= 1
    for fig in (by_year, by_lever):
        assert fig.layout.yaxis.tickformat == ",.0f" and fig.layout.yaxis.exponentformat == "none"
    assert per_year.layout.yaxis.title.text == "Soutiens, par levier"
