import pandas as pd

from ptce_geo import demo, paths, vocab


def test_committed_demo_is_what_the_seeded_generator_makes(territories):
    poles, soutiens = demo.generate(territories)
    committed = pd.read_csv(paths.DEMO_POLES, dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(committed, poles.astype(str))
    assert len(soutiens) == len(pd.read_csv(paths.DEMO_SOUTIENS, dtype=str))


def test_demo_spans_france_levers_levels_and_forms(demo):
    poles, soutiens = demo.poles, demo.soutiens
    assert 140 <= len(poles) <= 160
    assert "fictif" in " ".join(poles["nom"]) and poles["nom"].str.contains("fictif").all()
    assert set(poles["region_code"]) >= {"01", "02", "03", "04", "06"}  # overseas too
    assert poles["region_code"].nunique() == 18
    levers = set("|".join(soutiens["leviers"]).split("|"))
    assert levers == set(vocab.LEVIERS)
    assert set(soutiens["collectivite_niveau"]) == set(vocab.NIVEAUX)
    assert set(soutiens["forme"]) == set(vocab.FORMES)
    assert 200 <= len(soutiens) <= 500


def test_demo_leaves_whole_departements_without_pole(territories, demo):
    empty = set(territories.departements["code"]) - set(demo.poles["departement_code"])
    assert len(empty) >= 10
    # rural poles exist: some seats in communes under 2,000 inhabitants
    pop = territories.commune_index()["population"]
    assert (demo.poles["commune_insee"].map(pop) < 2000).sum() >= 5
