"""The table of territory levels: one definition that every layer and column follows."""

import pytest

from ptce_geo import coverage, levels, portrait


def test_each_level_names_a_layer_and_columns_that_exist(territories, demo):
    for level in levels.LEVELS.values():
        layer = territories.layer(level.code)
        assert len(layer) and "code" in layer
        assert level.commune_column in territories.communes
        assert level.pole_column in demo.poles
        # every commune's code at this level is a territory of the layer
        assert set(territories.communes[level.commune_column].dropna()) - {""} <= set(layer["code"])


@pytest.mark.parametrize("call", [
    lambda t, d: coverage.coverage_table(t, d.poles, "canton"),
    lambda t, d: portrait.build(t, d.poles, d.soutiens, "canton", "01"),
    lambda t, d: t.layer("canton"),
])
def test_an_unknown_level_lists_the_allowed_ones(territories, demo, call):
    with pytest.raises(ValueError, match="« canton ».*commune, epci, departement, region"):
        call(territories, demo)
