from ptce_geo import charts, vocab


def test_lever_by_level_heatmap_counts_each_lever_of_a_support(demo):
    supports = demo.soutiens[demo.soutiens["_valide"]]
    fig, data = charts.levers_by_level(supports)
    assert fig.layout.title.text == "Soutiens par levier et par niveau de collectivité"
    assert fig.layout.xaxis.title.text == "Niveau de collectivité"
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
    assert "Île-de-France" in set(data["region"])
    fig, data = charts.poles_by_stage_and_typology(demo.poles)
    assert data["poles"].sum() == len(demo.poles)
    assert fig.layout.yaxis.title.text == "Nombre de pôles"
    assert all(trace.marker.color in charts.OKABE_ITO for trace in fig.data)


def test_empty_selection_gives_empty_but_valid_charts(demo):
    fig, data = charts.levers_by_level(demo.soutiens.iloc[0:0])
    assert data.drop(columns=["levier", "libelle"]).to_numpy().sum() == 0


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
