"""Accessibility (RGAA 4.1) in a real Chromium: axe-core on every page, map frame
titles, the map-data links, and the validation report without « None ».

axe-core comes from the PyPI package ``axe-playwright-python`` (it ships
``axe.min.js``); it is injected into the page and into every frame (the maps are
frames), then run from the top document, which also audits the frames.
"""

from __future__ import annotations

import json

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, open_data_page, poles_uploader

#: What must never be found: axe's two highest impacts.
BLOCKING = ("critical", "serious")
EPCI_URL = "fiche_territoire?departement=01&epci=200071751"
REPORT = ("id;nom;commune_insee;stade\n"
          "P1;Pôle A;01053;bientôt\n"
          "P2;Pôle B;69123;\n").encode("cp1252")  # cp1252: a file-level warning (no row)


def settle(page, maps: int = 0) -> None:
    """Wait until the script has run and ``maps`` map frames have drawn."""
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=90_000)
    for i in range(maps):
        frame = page.frame_locator("[class*=st-key-cadre_carte] iframe").nth(i)
        frame.locator(".leaflet-container").first.wait_for(timeout=60_000)
    page.wait_for_timeout(300)
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=90_000)


def audit(page) -> list[dict]:
    """axe-core's violations on the page and its frames: id, impact, nodes (selectors)."""
    for frame in page.frames:
        try:
            frame.evaluate(AXE_SCRIPT)
        except Exception:  # a frame that went away meanwhile
            pass
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [" ".join(map(str, n["target"])) for n in v["nodes"]]} for v in result["violations"]]


_FIGURES: dict[str, list[dict]] = {}


def check(page, name: str) -> None:
    violations = audit(page)
    _FIGURES[name] = violations
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "axe.json").write_text(json.dumps(_FIGURES, ensure_ascii=False, indent=1), encoding="utf-8")
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert not blocking, f"{name} : " + "; ".join(f"{v['id']} ({v['impact']}) sur {v['nodes'][:5]}"
                                                    for v in blocking)


def _map_titles(page) -> list[str]:
    return page.locator("[class*=st-key-cadre_carte] iframe").evaluate_all("fs => fs.map(f => f.title)")


def _data_link(page) -> None:
    """The link before each map leads to the table with the same information."""
    link = page.get_by_role("link", name="Voir les données de la carte").first
    expect(link).to_be_visible()
    anchor = link.get_attribute("href").split("#")[1]
    assert page.locator(f"[id='{anchor}']").count() == 1


@pytest.mark.parametrize("name, path, maps", [
    ("carte", "", 1),
    ("zones_blanches", "zones_blanches", 1),
    ("fiche_territoire", EPCI_URL, 1),
    ("leviers", "leviers", 0),
    ("accessibilite", "accessibilite", 0),
])
def test_page_has_no_serious_accessibility_violation(page, app_url, name, path, maps):
    page.goto(f"{app_url}/{path}")
    settle(page, maps)
    if maps:
        titles = _map_titles(page)
        assert titles and all(t.startswith("Carte ") for t in titles), titles  # RGAA 2.1 / 2.2
        _data_link(page)
    if name == "fiche_territoire":
        expect(page.get_by_text("Communes du territoire")).to_be_visible()
    check(page, name)


def test_data_page_after_an_upload_and_its_report(page, app_url):
    open_data_page(page, f"{app_url}/donnees")
    poles_uploader(page).locator("input[type=file]").set_input_files(
        files=[{"name": "rapport.csv", "mimeType": "text/csv", "buffer": REPORT}])
    expect(page.get_by_text("Rapport de vérification")).to_be_visible(timeout=60_000)
    settle(page, 1)
    assert _map_titles(page) == ["Aperçu sur une carte des pôles localisés"]
    _data_link(page)
    # the report: a file-level issue has an empty « ligne » cell, never « None »
    grid = page.locator("[data-testid=stDataFrame]").first
    text = grid.inner_text()
    assert "None" not in text
    with page.expect_download() as info:
        page.get_by_role("button", name="Télécharger le rapport (CSV)").click()
    rows = open(info.value.path(), encoding="utf-8-sig").read().splitlines()
    assert rows[0].startswith("Niveau;Table;Ligne;")  # headers, as on screen
    lines = {r.split(";")[2] for r in rows[1:]}
    assert "" in lines and "2" in lines and "None" not in lines
    check(page, "donnees")
