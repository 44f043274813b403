"""One AppTest smoke test per page.

st_folium is a custom component, which AppTest cannot render: it is patched
to record the folium map it receives, and the map itself is tested in a real
browser (tests/e2e).
"""

import re
from pathlib import Path

import pytest
import streamlit_folium
from streamlit.testing.v1 import AppTest

from ptce_geo import coverage as cv
from ptce_geo import maps, paths, vocab

APP = str(paths.ROOT / "dashboard" / "app.py")


@pytest.fixture
def maps_drawn(monkeypatch):
    drawn = []
    monkeypatch.setattr(streamlit_folium, "st_folium", lambda m, **kw: drawn.append(m.get_root().render()))
    return drawn


def _metrics(at):
    return {m.label: m.value for m in at.metric}


def test_map_page_shows_figures_filters_and_a_map(maps_drawn):
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception
    assert at.title[0].value == "Pôles territoriaux de coopération économique"
    assert any("démonstration" in w.value for w in at.warning)  # fictional registry notice
    labels = [m.label for m in at.sidebar.multiselect]
    assert labels[:3] == ["Leviers", "Niveau de la collectivité qui soutient", "Forme du soutien"]
    assert _metrics(at)["Pôles affichés"] == "150"
    html = maps_drawn[-1]
    assert f"/app/static/vendor/{maps.script_name()}" in html and "cdn.jsdelivr" not in html
    # a lever filter changes the count
    at.sidebar.multiselect[0].set_value(["L6"]).run()
    assert int(_metrics(at)["Pôles affichés"]) < 150
    assert at.query_params["leviers"] in ("L6", ["L6"])


def test_map_data_table_comes_when_asked_and_follows_the_filters(maps_drawn, demo, territories):
    """The map's table (every EPCI drawn) is sent once the user turns its switch on;
    it then holds what the map colours, and follows a lever filter."""
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not any("EPCI" in d.value.columns for d in at.dataframe)  # not sent with every rerun
    at.toggle(key="voir_donnees-carte").set_value(True).run()
    epci = next(d.value for d in at.dataframe if "EPCI" in d.value.columns)
    assert len(epci) == len(territories.epci)
    at.sidebar.multiselect[0].set_value(["L6"]).run()
    epci = next(d.value for d in at.dataframe if "EPCI" in d.value.columns)
    poles = cv.filter_poles(demo.poles, demo.soutiens, cv.Filters(leviers=("L6",)))
    expected = cv.coverage_table(territories, poles, "epci")
    assert int(epci["Couvert"].sum()) == int(expected["couvert"].sum()) < len(territories.epci)


def test_map_page_zooms_to_a_selected_epci(maps_drawn):
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.sidebar.selectbox(key="f_departement").set_value("01").run()
    at.sidebar.selectbox(key="f_epci").set_value("200071751").run()
    assert not at.exception
    assert "Bourg" in at.header[0].value
    assert at.query_params["epci"] in ("200071751", ["200071751"])


def test_filters_come_from_the_url(maps_drawn, demo):
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["leviers"] = "L6"
    at.query_params["niveaux"] = "epci"
    at.run()
    assert not at.exception
    assert at.sidebar.multiselect[0].value == ["L6"]
    assert at.sidebar.multiselect[1].value == ["epci"]
    # the page shows the poles of those filters, not the whole registry
    expected = cv.filter_poles(demo.poles, demo.soutiens, cv.Filters(leviers=("L6",), niveaux=("epci",)))
    assert _metrics(at)["Pôles affichés"] == str(len(expected)) != str(len(demo.poles))


def test_zones_blanches_page(maps_drawn):
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("pages/zones_blanches.py").run()
    assert not at.exception
    assert at.title[0].value.startswith("Zones blanches")
    n = int(_metrics(at)["EPCI non couverts"])
    assert n > 100 and len(at.dataframe[0].value) == n
    # a long table: French text (« 1 385 927 »), in the order of the ranking
    population = at.dataframe[0].value["Population"].str.replace("\u202f", "").astype(int)
    assert population.is_monotonic_decreasing and at.dataframe[0].value["Population"].iloc[0].count("\u202f") >= 1


def test_another_registry_file_replaces_the_demo(monkeypatch, maps_drawn):
    monkeypatch.setenv("PTCE_POLES", str(paths.TEMPLATE_DIR / "registre_modele.xlsx"))
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception
    assert _metrics(at)["Pôles affichés"] == "1"
    assert not any("démonstration" in w.value for w in at.warning)
    from dashboard.common import md
    assert any(md("registre_modele.xlsx") in c.value for c in at.caption)  # shown, markdown-escaped


def _page(name):
    return str(paths.ROOT / "dashboard" / "pages" / name)


def test_fiche_territoire_of_an_epci(maps_drawn):
    at = AppTest.from_file(_page("fiche_territoire.py"), default_timeout=120)
    at.query_params["departement"] = "01"
    at.query_params["epci"] = "200071751"
    at.run()
    assert not at.exception
    assert at.header[0].value == "EPCI : Communauté d'agglomération du Bassin de Bourg-en-Bresse"
    metrics = _metrics(at)
    assert metrics["Population"] == "132\u202f380"  # French thousands: narrow no-break space
    comparison = at.dataframe[0].value
    assert list(comparison["Territoire"])[-1] == "France" and len(comparison) == 3
    assert any("Extraction du" in c.value and "Périmètre" in c.value for c in at.caption)
    # every frame has a title for screen readers: the map's, and the print button's
    titles = [e.proto.body for e in at.get("html") if "__ptceFrameTitles" in e.proto.body]
    assert any(".st-key-imprimer iframe" in t and "Bouton d'impression de la fiche" in t for t in titles)
    assert any("Carte des communes du territoire \\u00ab EPCI : " in t for t in titles)  # as a JSON string


def test_fiche_territoire_asks_for_a_territory(maps_drawn):
    at = AppTest.from_file(_page("fiche_territoire.py"), default_timeout=120).run()
    assert not at.exception and "Choisissez un territoire" in at.info[-1].value


def test_levers_page_follows_the_lever_filter(maps_drawn):
    at = AppTest.from_file(_page("leviers.py"), default_timeout=120).run()
    assert not at.exception
    keys = [chart.key for chart in at.get("plotly_chart")]
    assert {"chart_niveau", "chart_annee", "chart_montant_levier", "chart_creation"} <= set(keys)
    counts = next(c.value for c in at.caption if "soutiens retenus" in c.value)
    at.sidebar.multiselect[0].set_value(["L6"]).run()
    after = next(c.value for c in at.caption if "soutiens retenus" in c.value)
    assert counts.startswith("150 pôles") and after != counts
    assert any("Aménagement, immobilier et foncier" in c.value for c in at.caption)  # the scope, in words


def test_data_page_offers_extracts_and_templates(maps_drawn):
    at = AppTest.from_file(_page("donnees.py"), default_timeout=120).run()
    assert not at.exception
    assert [h.value for h in at.header][:2] == ["1. Importer un registre", "2. Télécharger"]


def test_an_unexpected_error_is_a_french_message_not_a_traceback(maps_drawn, monkeypatch, caplog):
    from ptce_geo import coverage

    def broken(*args, **kwargs):
        raise RuntimeError("/srv/secret/chemin interne")
    monkeypatch.setattr(coverage, "coverage_table", broken)
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception
    message = at.error[0].value
    assert "erreur inattendue" in message and "référence" in message
    assert "/srv/secret" not in message and "RuntimeError" not in message
    reference = message.split("référence ")[1].split()[0]
    assert any(reference in r.getMessage() and r.exc_info for r in caplog.records)  # the trace is logged


def test_a_configured_registry_that_cannot_be_read_says_why(maps_drawn, monkeypatch, tmp_path):
    bad = tmp_path / "registre.csv"
    bad.write_text("identifiant;ville\nP1;Lyon\n", encoding="utf-8")
    monkeypatch.setenv("PTCE_POLES", str(bad))
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception
    shown = at.error[0].value
    assert "« ` registre.csv ` » ne peut pas être lu" in shown and str(tmp_path) not in shown
    report = at.dataframe[0].value
    assert list(report["Colonne"]) == ["nom"] and "ajoutez une colonne « nom »" in report["Correction"].iloc[0]


def test_a_repeated_filter_in_the_url_counts_once(maps_drawn):
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["leviers"] = ",".join(["L1"] * 3333 + ["L6", "L1"])
    at.run()
    assert not at.exception
    assert at.sidebar.multiselect[0].value == ["L1", "L6"]
    assert at.query_params["leviers"] in ("L1,L6", ["L1,L6"])


def test_registry_errors_point_to_the_page_with_the_report(monkeypatch, maps_drawn, tmp_path):
    bad = tmp_path / "registre.csv"
    bad.write_text("id,nom,commune_insee,stade\nP1,Pôle A,01053,bientôt\nP2,Pôle B,69123,\n", encoding="utf-8")
    monkeypatch.setenv("PTCE_POLES", str(bad))
    at = AppTest.from_file(APP, default_timeout=120).run()
    notice = next(i.value for i in at.info if "erreur" in i.value)
    named = notice.split("page « ")[1].split(" »")[0]
    # follow the notice: the navigation page of that title must show the report
    pages = dict(re.findall(r'st\.Page\(PAGES_DIR / "(\w+\.py)", title="([^"]+)"', Path(APP).read_text()))
    target = {title: file for file, title in pages.items()}[named]
    at.switch_page(f"pages/{target}").run()
    assert not at.exception
    assert "Rapport de vérification" in [s.value for s in at.subheader]


def test_year_slider_filters_and_goes_to_the_url(maps_drawn, demo):
    at = AppTest.from_file(APP, default_timeout=120).run()
    slider = at.sidebar.slider(key="f_annees")
    low, high = slider.value
    assert (low, high) == (int(demo.soutiens["annee"].min()), int(demo.soutiens["annee"].max()))
    assert "annees" not in at.query_params  # the full range is no filter
    slider.set_value((2020, 2021)).run()
    assert at.query_params["annees"] in ("2020-2021", ["2020-2021"])
    expected = cv.filter_poles(demo.poles, demo.soutiens, cv.Filters(annees=(2020, 2021)))
    assert _metrics(at)["Pôles affichés"] == str(len(expected)) != str(len(demo.poles))


def test_zones_blanches_map_opens_on_the_territory(maps_drawn):
    at = AppTest.from_file(_page("zones_blanches.py"), default_timeout=120)
    at.query_params["departement"] = "44"
    at.run()
    assert not at.exception
    html = maps_drawn[-1]
    bounds = re.search(r"fitBounds\(\s*\[\[([-\d.]+),\s*([-\d.]+)\],\s*\[([-\d.]+),\s*([-\d.]+)\]\]", html)
    south, west, north, east = map(float, bounds.groups())
    assert 46.8 < south < north < 47.9 and -2.7 < west < east < -0.9  # Loire-Atlantique, not France


def test_epci_search_without_accents(maps_drawn, territories):
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.sidebar.text_input(key="f_epci_q").input("pontchateau").run()
    assert not at.exception
    chosen = at.sidebar.selectbox(key="f_epci").value
    assert "Pontchâteau" in territories.names("epci")[chosen]
    assert any("Pontchâteau" in h.value for h in at.header)  # the map zooms on it
    at.sidebar.text_input(key="f_epci_q").input("zzzz").run()
    assert any("Aucun EPCI ne correspond" in c.value for c in at.sidebar.caption)


@pytest.mark.parametrize("params", [{"epci": "200071751"}, {"departement": "44"}, {"region": "84"}])
def test_fiche_lever_diagnostic(maps_drawn, params, demo, territories):
    from ptce_geo import diagnostic
    at = AppTest.from_file(_page("fiche_territoire.py"), default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception
    assert "Diagnostic des leviers" in [s.value for s in at.subheader]
    (level, code), = params.items()
    core = diagnostic.diagnose(territories, demo.poles, demo.soutiens, level, code)
    # what the comparison rests on, then what « utilisé ici » counts (the région's supports too)
    assert any(c.value == f"{core.summary()} {diagnostic.used(level)}" for c in at.caption)
    table = next(d.value for d in at.dataframe if "Utilisé ici" in d.value.columns)
    assert list(table["Utilisé ici"]) == list(core.table["utilise"])
    assert list(table["Nombre de soutiens"]) == list(core.table["soutiens"])
    assert len(at.expander) >= len(core.missing())
    # a missing lever's examples are drawn when its box is opened, not before
    examples = [d for d in at.dataframe if "Fiche du territoire" in d.value.columns]
    assert examples == [] and not any("Exemples chez" in c.value for c in at.caption)
    for first in core.missing()["levier"].head(1):  # a région may use every lever
        at.session_state[f"diag_ouvert_{first}"] = True
        at.run()
        shown = [d.value for d in at.dataframe if "Fiche du territoire" in d.value.columns]
        expected = core.examples[core.examples["levier"] == first]
        assert len(shown) == (1 if len(expected) else 0)
        if len(expected):
            assert list(shown[0]["Pôle"]) == list(expected["pole"])
    at.radio(key="diag_mode").set_value("france").run()
    france = diagnostic.diagnose(territories, demo.poles, demo.soutiens, level, code, mode="france")
    assert any(c.value == f"{france.summary()} {diagnostic.used(level)}" for c in at.caption)


class _Upload:
    """What st.file_uploader returns, for AppTest (which cannot drive the uploader)."""

    def __init__(self, name: str, text: str):
        self.name, self._data = name, text.encode("utf-8")

    def getvalue(self) -> bytes:
        return self._data


def test_column_mapping_is_asked_in_words_and_remembered_for_the_session(monkeypatch, maps_drawn):
    import streamlit

    current = {"file": _Upload("colonnes.csv", "Structure;Commune du siège\nX;Troyes\n")}
    monkeypatch.setattr(streamlit, "file_uploader",
                        lambda label, *a, key=None, **kw: current["file"] if key == "upload_poles" else None)

    def asked(at):
        return [w.value for w in at.warning if "colonnes obligatoires" in w.value]

    at = AppTest.from_file(_page("donnees.py"), default_timeout=120)
    at.query_params["leviers"] = "L6"
    at.run()
    assert not at.exception
    assert asked(at)
    # while the question is open the sidebar's filters stay there, and stay set after a rerun
    at.run()
    assert at.sidebar.multiselect(key="f_leviers").value == ["L6"]
    [question] = [s for s in at.selectbox if "Nom du pôle" in s.label]
    assert question.label == "« Nom du pôle » : quelle colonne de votre fichier le contient ?"
    assert "Structure" in question.options and "colonne qui contient" not in question.label
    question.set_value("Structure").run()
    assert not at.exception
    assert not asked(at)  # answered: the warning is gone
    assert any("Registre importé « ` colonnes.csv ` » : 1 pôle, dont 1 localisé" in s.value for s in at.success)
    assert any("` Structure ` pour « Nom du pôle »" in c.value for c in at.caption)
    assert at.sidebar.multiselect(key="f_leviers").value == ["L6"]  # the filter went through the question

    # the file removed (its questions are no longer drawn, Streamlit forgets their widgets),
    # then the same columns again (another file, same header): read at once, nothing asked
    current["file"] = None
    at.run()
    current["file"] = _Upload("colonnes_v2.csv", "Structure;Commune du siège\nY;Reims\nZ;Troyes\n")
    at.run()
    assert not at.exception and not asked(at)
    assert list(at.session_state["registre_importe"].poles["nom"]) == ["Y", "Z"]

    # other columns: asked again
    current["file"] = _Upload("autres.csv", "Structure;Lieu\nW;Troyes\n")
    at.run()
    assert not at.exception and asked(at)


def test_header_shows_the_real_latest_update(monkeypatch, maps_drawn, tmp_path):
    """Dates in mixed formats: compared as text, « 30/06/2025 » would beat « 02/10/2025 »."""
    mixed = tmp_path / "registre.csv"
    mixed.write_text("id,nom,commune_insee,date_maj\nP1,Pôle A,01053,30/06/2025\nP2,Pôle B,69123,02/10/2025\n"
                     "P3,Pôle C,44109,2025-06-30\n", encoding="utf-8")
    monkeypatch.setenv("PTCE_POLES", str(mixed))
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception
    line = next(c.value for c in at.caption if "Registre :" in c.value)
    assert "mis à jour le 02/10/2025" in line


def test_a_column_chosen_twice_is_refused_and_its_name_shown_as_written(monkeypatch, maps_drawn):
    import streamlit

    files = {"upload_poles": _Upload("poles.csv", "id;nom;commune_insee\nP1;A;01001\n"),
             "upload_soutiens": _Upload("soutiens.csv", "**[lien](javascript:alert(1))**;Qui\nP1;epci\n")}
    monkeypatch.setattr(streamlit, "file_uploader", lambda label, *a, key=None, **kw: files.get(key))
    at = AppTest.from_file(_page("donnees.py"), default_timeout=120).run()
    hostile = "**[lien](javascript:alert(1))**"
    pole, level = [s for s in at.selectbox if "fichier des soutiens" in s.label]
    assert "Identifiant du pôle" in pole.label and "Niveau de la collectivité" in level.label
    pole.set_value(hostile)
    level.set_value(hostile).run()
    assert not at.exception
    [error] = [e.value for e in at.error if "choisie à la fois" in e.value]
    assert f"` {hostile} `" in error  # in a code span: shown as written, never a link
    level.set_value("Qui").run()
    assert not at.exception and not [e for e in at.error if "choisie à la fois" in e.value]
    assert list(at.session_state["registre_importe"].soutiens["collectivite_niveau"]) == ["epci"]


def test_accessibility_statement_page(maps_drawn, monkeypatch):
    monkeypatch.setenv("PTCE_CONTACT_ACCESSIBILITE", "accessibilite@exemple.fr")
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("pages/accessibilite.py").run()
    assert not at.exception
    assert at.title[0].value == "Déclaration d'accessibilité"
    text = "\n".join(m.value for m in at.markdown)
    headers = [h.value for h in at.header]
    for part in ("État de conformité", "Contenus non accessibles", "Retour d'information et contact",
                 "Voies de recours"):
        assert part in headers
    assert "partiellement conforme" in text and "RGAA" in text
    assert "« Upload »" in text and "20MB per file" in text and "Défenseur des droits" in text  # Streamlit's English, recourse
    assert "accessibilite@exemple.fr" in text


def _tables_script():
    import pandas as pd

    from dashboard import common
    common.table(pd.DataFrame({"Commune": [], "Population": []}))
    common.table(pd.DataFrame({"Commune": ["Bourg", None], "Population": [444533, 12],
                               "Part": [0.127, None]}), percent=("Part",))
    common.table(pd.DataFrame({"Commune": ["X"] * 1000, "Population": range(1000, 2000)}).assign(
        Distance=2.5).iloc[:, [0, 1, 2]].rename(columns={"Distance": "Distance (km)"}).head(1000).pipe(
        lambda f: pd.concat([f, f.assign(Commune="Y")])))  # a long table: 6,000 cells


def test_tables_are_french_and_an_empty_one_says_so():
    at = AppTest.from_function(_tables_script, default_timeout=60).run()
    assert not at.exception
    assert [c.value for c in at.caption] == ["Aucune ligne à afficher."]  # not Streamlit's « empty »
    assert len(at.dataframe) == 2
    long = at.dataframe[1].value  # French text, sent without the Styler's cost
    assert long["Population"].iloc[0] == "1\u202f000" and long["Distance (km)"].iloc[0] == "2,5"
    shown = at.dataframe[0].proto
    assert shown.HasField("placeholder") and shown.placeholder == ""  # a missing value is blank, not « None »
    # what the grid draws (the Styler's display values), while the data stay numbers for sorting
    import pyarrow as pa
    display = pa.ipc.open_stream(shown.arrow_data.styler.display_values).read_all().to_pandas()
    assert display.loc[0, "Population"] == "444\u202f533" and display.loc[0, "Part"] == "12,7\u00a0%"
    assert display.loc[1, "Part"] == ""
    assert at.dataframe[0].value["Population"].tolist() == [444533, 12]


def test_choosing_every_lever_says_why_poles_go(maps_drawn, demo):
    """« Select all » on the levers keeps only poles with a support on a lever, which
    « Tous » does not: the sidebar says so, with the way back."""
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert _metrics(at)["Pôles affichés"] == "150"
    assert not any("sont écartés" in c.value for c in at.sidebar.caption)
    at.sidebar.multiselect(key="f_leviers").set_value(list(vocab.LEVIERS)).run()
    shown = int(_metrics(at)["Pôles affichés"])
    with_lever = cv.filter_poles(demo.poles, demo.soutiens, cv.Filters(leviers=tuple(vocab.LEVIERS)))
    assert shown == len(with_lever) < 150
    [said] = [c.value for c in at.sidebar.caption if "sont écartés" in c.value]
    assert "sans soutien sur un levier" in said and "Videz la liste" in said
