"""French headers and values for extracts, and the column dictionary."""

from ptce_geo import export, labels, scope
from ptce_geo.coverage import Filters


def test_every_extract_column_has_a_unique_french_header(demo, territories):
    view = scope.apply(demo.poles, demo.soutiens, territories, Filters())
    for frame in (export.public_columns(view.poles), export.public_columns(view.supports),
                  view.coverage("epci"), view.coverage("commune"), scope.supporters(view)):
        shown = labels.readable(frame)
        assert shown.columns.is_unique, list(shown.columns)
        internal = [c for c in frame.columns if labels.header(c, labels._fields_of(frame)) == c]
        assert not internal, f"colonnes sans libellé : {internal}"


def test_values_become_labels(demo):
    supports = export.public_columns(demo.soutiens).head(20)
    shown = labels.readable(supports)
    row = shown.iloc[0]
    assert row["Niveau de la collectivité"] in ("EPCI (intercommunalité)", "Commune", "Région", "Département",
                                                "Autre (Pays/PETR, PNR, syndicat mixte)")
    multi = supports[supports["leviers"].str.contains("|", regex=False)].index[0]
    text = shown.loc[multi, "Leviers mobilisés"]
    assert "|" not in text and " ; " in text and "—" in text  # « L3 — Transversalité… ; L2 — … »
    assert "collectivite_niveau" not in shown.columns


def test_coverage_headers_name_territories(territories, demo):
    table = scope.apply(demo.poles, demo.soutiens, territories, Filters()).coverage("epci")
    shown = labels.readable(table)
    assert "Territoire" in shown.columns and "Couvert" in shown.columns
    assert "Distance au pôle le plus proche (km)" in shown.columns


def test_dictionary_explains_each_column(demo):
    poles = export.public_columns(demo.poles)
    book = labels.dictionary(poles)
    assert list(book["Colonne (code)"]) == list(poles.columns)
    assert book.set_index("Colonne (code)").loc["commune_insee", "Description"].startswith("5 caractères")
