"""Portrait, levers and data pages in a real Chromium, no network."""

import csv
import io
import re
import subprocess

from playwright.sync_api import expect

from ptce_geo import diagnostic, portrait
from tests.e2e.conftest import MAP_FRAME, open_data_page, poles_uploader


EPCI_URL = "fiche_territoire?departement=01&epci=200071751"


def _wait_app(page):
    page.wait_for_selector("[data-testid=stApp]")
    page.wait_for_selector("[data-testid=stSidebar]")


def _squash(text: str) -> str:
    """Text without any space or hyphenation, to compare a table cell with PDF text that wraps."""
    return re.sub(r"[\s\u00a0\u202f\u00ad-]", "", text)


def _pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "fiche.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_portrait_of_an_epci_and_its_print_view(page, app_url, shot, tmp_path, territories, demo):
    page.goto(f"{app_url}/{EPCI_URL}")
    _wait_app(page)
    expect(page.get_by_text("EPCI : Communauté d'agglomération du Bassin de Bourg-en-Bresse")).to_be_visible(timeout=60_000)
    expect(page.locator("[data-testid=stMetric]").filter(has_text="Population")).to_contain_text("132 380", timeout=60_000)
    page.wait_for_selector(MAP_FRAME, timeout=60_000)
    expect(page.get_by_text("Télécharger les tableaux de la fiche")).to_be_visible(timeout=60_000)  # the whole page
    shot(page, "fiche_territoire")
    page.emulate_media(media="print")
    assert not page.locator("[data-testid=stSidebar]").is_visible()
    assert not page.locator("[data-testid=stRadio]").first.is_visible()  # no controls on paper
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    assert page.external_requests == []
    text = _pdf_text(pdf, tmp_path)
    assert _squash("Votre EPCI") in _squash(text)  # the verdict opens the fiche
    fiche = portrait.build(territories, demo.poles, demo.soutiens, "epci", "200071751")
    communes = fiche.communes
    missing = [value for value in (
        list(communes["nom"]) + [f"{p:,}".replace(",", "\u202f") for p in communes["population"]]
        + [f"{d:.1f}".replace(".", ",") for d in communes["distance_km"]]
        + list(fiche.poles_proches["nom"]) + [f"{d:.1f}".replace(".", ",") for d in fiche.poles_proches["distance_km"]]
        + list(fiche.comparaison["territoire"])
        + [f"{p:,}".replace(",", "\u202f") for p in fiche.comparaison["population"]])
        if _squash(value) not in _squash(text)]
    assert not missing, f"absent du PDF : {missing[:10]}"
    # the lever diagnostic is printed too: every lever, and whether it is used here
    diag = diagnostic.diagnose(territories, demo.poles, demo.soutiens, "epci", "200071751")
    assert _squash("Diagnostic des leviers") in _squash(text)
    absent = [label for label in diag.table["libelle"] if _squash(label) not in _squash(text)]
    assert not absent, f"leviers absents du PDF : {absent}"


def test_a_chart_follows_the_lever_filter(page, app_url, shot):
    page.goto(f"{app_url}/leviers")
    _wait_app(page)
    caption = page.get_by_text(re.compile(r"^\d+ pôles et \d+ soutiens retenus"))
    expect(caption).to_contain_text("150 pôles", timeout=60_000)
    # the charts are drawn one after the other: wait for them all, not for the first one
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length >= 9", timeout=60_000)
    page.locator("[data-testid=stSidebar] [data-testid=stMultiSelect]").first.click()
    page.get_by_role("option", name=re.compile("^L6")).click()
    page.keyboard.press("Escape")
    expect(caption).not_to_contain_text("150 pôles", timeout=30_000)
    expect(page.get_by_text(re.compile("leviers : L6 — Aménagement"))).to_be_visible()
    shot(page, "leviers")


def _upload(page, app_url, content: bytes, name: str):
    open_data_page(page, f"{app_url}/donnees")
    poles_uploader(page).locator("input[type=file]").set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": content}])


SMALL = ("Identifiant;Nom du pôle;Ville;Département\n"
         "T1;Pôle test Mureaux;Mureaux;78\n"
         "T2;Pôle test Troyes;Troyes;10\n"
         "T3;Pôle test introuvable;Nulle-Part-sur-Mer;\n").encode("utf-8")


def test_upload_then_extract(page, app_url, shot):
    _upload(page, app_url, SMALL, "mon_registre.csv")
    expect(page.get_by_text(re.compile("Registre importé « mon_registre.csv » : 3 pôles, dont 2 localisés"))).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Rapport de vérification")).to_be_visible()
    shot(page, "donnees_import")
    with page.expect_download() as info:
        page.get_by_role("button", name=re.compile(r"^Pôles \(2\)")).click()
    data = open(info.value.path(), "rb").read()
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert {r["Identifiant"] for r in rows} == {"T1", "T2"}  # French headers by default
    assert {r["Code INSEE de la commune du siège"] for r in rows} == {"78440", "10387"}


def test_an_upload_stays_in_its_browser_session(browser, app_url):
    first = browser.new_context()
    second = browser.new_context()
    try:
        p1 = first.new_page()
        _upload(p1, app_url, SMALL, "secret.csv")
        expect(p1.get_by_text(re.compile("Registre importé « secret.csv »"))).to_be_visible(timeout=60_000)
        p2 = second.new_page()
        p2.goto(f"{app_url}/")
        _wait_app(p2)
        expect(p2.locator("[data-testid=stMetric]").filter(has_text="Pôles affichés")).to_contain_text("150", timeout=60_000)
        assert p2.get_by_text("secret.csv").count() == 0
        assert p2.get_by_text("démonstration").count() > 0
    finally:
        first.close()
        second.close()


def test_column_mapping_step(page, app_url):
    content = "Structure;Commune du siège\nX;Troyes\n".encode("utf-8")
    _upload(page, app_url, content, "colonnes.csv")
    warning = page.get_by_text("Certaines colonnes obligatoires n'ont pas été reconnues")
    expect(warning).to_be_visible(timeout=60_000)
    page.get_by_role("combobox", name="« Nom du pôle » : quelle colonne de votre fichier le contient ?").click()
    page.get_by_role("option", name="Structure").click()
    expect(page.get_by_text(re.compile("Registre importé « colonnes.csv » : 1 pôle, dont 1 localisé"))).to_be_visible(timeout=60_000)
    expect(warning).to_have_count(0)  # answered: the warning is gone


def test_a_page_address_runs_the_app_navigation(page, app_url):
    """Opening a page by its own address (a shared link) goes through app.py: the
    sidebar lists the pages by their French titles, never the file names."""
    page.goto(f"{app_url}/zones_blanches")
    nav = page.locator("[data-testid=stSidebarNav]")
    expect(nav).to_contain_text("Carte des pôles", timeout=90_000)
    expect(page.get_by_text("Zones blanches : EPCI sans pôle")).to_be_visible(timeout=60_000)
    assert "integration" not in nav.inner_text() and "zones blanches" not in nav.inner_text()
