"""Issue « the chosen territory scopes every page »: for a few filter and
territory combinations, each page's counts equal the core's
(:func:`ptce_geo.scope.apply`). st_folium is patched (AppTest cannot draw
components); the maps are tested in a real browser."""

import pytest
import streamlit_folium
from streamlit.testing.v1 import AppTest

from ptce_geo import coverage, paths, scope
from ptce_geo.coverage import Filters

PAGES = paths.ROOT / "dashboard" / "pages"

CASES = [
    ({"departement": "44", "leviers": "L6"}, Filters(leviers=("L6",)), ("departement", "44")),
    ({"region": "84", "annees": "2019-2022"}, Filters(annees=(2019, 2022)), ("region", "84")),
    ({"epci": "200040715", "niveaux": "epci"}, Filters(niveaux=("epci",)), ("epci", "200040715")),
    ({"leviers": "L1,L2"}, Filters(leviers=("L1", "L2")), None),
]


@pytest.fixture(autouse=True)
def no_component(monkeypatch):
    monkeypatch.setattr(streamlit_folium, "st_folium", lambda m, **kw: None)


def run(page, params):
    at = AppTest.from_file(str(PAGES / page), default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def digits(text) -> int:
    return int("".join(ch for ch in str(text) if ch.isdigit()))


@pytest.mark.parametrize("params,filters,territory", CASES, ids=lambda c: str(c)[:30])
def test_every_page_counts_what_the_core_counts(params, filters, territory, demo, territories):
    core = scope.apply(demo.poles, demo.soutiens, territories, filters, territory)
    figures = core.figures()
    assert figures["poles"] < len(demo.poles)  # each case really narrows the view

    at = run("carte.py", params)
    metrics = {m.label: m.value for m in at.metric}
    if territory:
        assert digits(metrics["Pôles ayant leur siège ici"]) == figures["poles_siege"]
        assert digits(metrics["Pôles d'ailleurs dont le périmètre l'atteint"]) == figures["poles_perimetre"]
        unit = "EPCI couverts" if figures["niveau"] == "epci" else "Communes couvertes"
        covered = metrics[unit].replace("\u202f", "").replace(" ", "").split("/")
        assert [int(x) for x in covered] == [figures["territoires_couverts"], figures["territoires"]]
        assert any("France entière avec les mêmes filtres" in c.value for c in at.caption)
    else:
        assert digits(metrics["Pôles affichés"]) == figures["poles"]
    uncovered = next(v for k, v in metrics.items() if k.startswith("Habitants"))
    assert digits(uncovered) == figures["population_non_couverte"]

    at = run("leviers.py", params)
    counts = next(c.value for c in at.caption if "soutiens retenus" in c.value)
    assert counts.startswith(f"{len(core.poles)} pôles et {len(core.supports)} soutiens")

    at = run("donnees.py", params)
    buttons = [b.proto.label.replace("\u202f", "") for b in at.get("download_button")]
    assert f"Pôles ({len(core.poles)})" in buttons and f"Soutiens ({len(core.supports)})" in buttons
    coverage_button = next(b for b in buttons if b.startswith("Couverture par"))
    assert f"({len(core.coverage())} lignes)" in coverage_button  # the territory's own sub-level by default

    at = run("zones_blanches.py", params)
    gaps = coverage.rank_uncovered(core.coverage("epci"))
    assert digits(next(m.value for m in at.metric if m.label == "EPCI non couverts")) == len(gaps)
    assert len(at.dataframe[0].value) == len(gaps)

    if territory:
        at = run("fiche_territoire.py", params)
        metrics = {m.label: m.value for m in at.metric}
        assert digits(metrics["Pôles ayant leur siège ici"]) == figures["poles_siege"]
