"""Portrait, levers and data pages in a real Chromium, no network."""

import csv
import io
import re

from playwright.sync_api import expect

from tests.e2e.conftest import MAP_FRAME


EPCI_URL = "fiche_territoire?departement=01&epci=200071751"


def _wait_app(page):
    page.wait_for_selector("[data-testid=stApp]")
    page.wait_for_selector("[data-testid=stSidebar]")


def test_portrait_of_an_epci_and_its_print_view(page, app_url, shot):
    page.goto(f"{app_url}/{EPCI_URL}")
    _wait_app(page)
    expect(page.get_by_text("EPCI : Communauté d'agglomération du Bassin de Bourg-en-Bresse")).to_be_visible(timeout=60_000)
    expect(page.locator("[data-testid=stMetric]").filter(has_text="Population")).to_contain_text("132 380")
    page.wait_for_selector(MAP_FRAME, timeout=60_000)
    shot(page, "fiche_territoire")
    page.emulate_media(media="print")
    assert not page.locator("[data-testid=stSidebar]").is_visible()
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    assert page.external_requests == []


def test_a_chart_follows_the_lever_filter(page, app_url, shot):
    page.goto(f"{app_url}/leviers")
    _wait_app(page)
    caption = page.get_by_text(re.compile(r"^\d+ pôles et \d+ soutiens retenus"))
    expect(caption).to_contain_text("150 pôles", timeout=60_000)
    page.wait_for_selector(".js-plotly-plot", timeout=60_000)
    assert page.locator(".js-plotly-plot").count() == 4
    page.locator("[data-testid=stSidebar] [data-testid=stMultiSelect]").first.click()
    page.get_by_role("option", name=re.compile("^L6")).click()
    page.keyboard.press("Escape")
    expect(caption).to_contain_text("leviers : L6", timeout=30_000)
    assert "150 pôles" not in caption.inner_text()
    shot(page, "leviers")


def _upload(page, app_url, content: bytes, name: str):
    page.goto(f"{app_url}/donnees")
    _wait_app(page)
    page.locator("[data-testid=stFileUploader] input[type=file]").first.set_input_files(
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
        page.get_by_role("button", name=re.compile(r"^Pôles filtrés \(2\)")).click()
    data = open(info.value.path(), "rb").read()
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert {r["id"] for r in rows} == {"T1", "T2"}
    assert {r["commune_insee"] for r in rows} == {"78440", "10387"}


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
    expect(page.get_by_text("Certaines colonnes obligatoires ne sont pas reconnues")).to_be_visible(timeout=60_000)
    page.get_by_label("Table « poles » : colonne qui contient « nom »").click()
    page.get_by_role("option", name="Structure").click()
    expect(page.get_by_text(re.compile("Registre importé « colonnes.csv » : 1 pôles, dont 1 localisés"))).to_be_visible(timeout=60_000)
