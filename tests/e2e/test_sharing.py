"""Sharing a view in a real Chromium: the GeoPackage downloaded from the Données page and
read back, the link of the view, and the map-only view inside a collectivité's iframe."""

import re

import pyogrio
import shapely
from playwright.sync_api import expect

GRENOBLE = "200040715"  # Grenoble-Alpes-Métropole, 49 communes


def _wait_app(page):
    page.wait_for_selector("[data-testid=stApp]")
    page.wait_for_selector("[data-testid=stSidebar]")


def _prepare_gis(page):
    page.get_by_role("button", name="Préparer les fichiers SIG").click()
    expect(page.get_by_role("button", name=re.compile("^GeoPackage"))).to_be_visible(timeout=120_000)


def _download(page, name, tmp_path):
    with page.expect_download(timeout=120_000) as info:
        page.get_by_role("button", name=name).click()
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    return target


def test_geopackage_downloaded_from_the_data_page_reads_back(page, app_url, tmp_path, territories, shot):
    page.goto(f"{app_url}/donnees?epci={GRENOBLE}")
    _wait_app(page)
    expect(page.get_by_text("Exports SIG (QGIS)")).to_be_visible(timeout=180_000)
    poles_button = page.get_by_role("button", name=re.compile(r"^Pôles \(\d+\)"))
    n_poles = int(re.search(r"\((\d+)\)", poles_button.inner_text()).group(1))
    _prepare_gis(page)
    shot(page, "donnees_exports_sig")
    path = _download(page, re.compile("^GeoPackage"), tmp_path)
    assert path.name == f"ptce_sig_epci_{GRENOBLE}_4326.gpkg"
    layers = dict(pyogrio.list_layers(path))
    assert layers["poles"] == "Point" and layers["couverture_communes"] == "MultiPolygon"
    assert "soutiens" in layers and "couverture_epci" in layers
    communes = pyogrio.read_dataframe(path, layer="couverture_communes")
    inside = territories.communes[territories.communes["epci_siren"] == GRENOBLE]
    assert sorted(communes["code"]) == sorted(inside["code"]) and len(communes) == 49
    assert pyogrio.read_info(path, layer="couverture_communes")["crs"] == "EPSG:4326"
    assert shapely.is_valid(communes.geometry.to_numpy()).all()
    assert list(pyogrio.read_dataframe(path, layer="couverture_epci")["code"]) == [GRENOBLE]
    assert pyogrio.read_info(path, layer="poles")["features"] == n_poles  # as the CSV extract's button says

    page.get_by_text("Lambert-93 (EPSG:2154, mètres)").click()
    # the page says which file the buttons now give, once it has rerun with the new CRS
    expect(page.get_by_text(re.compile(r"^Fichiers : .*_2154\.gpkg"))).to_be_visible(timeout=120_000)
    _prepare_gis(page)
    path = _download(page, re.compile("^GeoPackage"), tmp_path)
    assert path.name.endswith("_2154.gpkg")
    assert pyogrio.read_info(path, layer="couverture_communes")["crs"] == "EPSG:2154"
    assert page.external_requests == []


def test_the_copied_link_reopens_the_view_with_its_parents(page, app_url):
    page.goto(f"{app_url}/zones_blanches?leviers=L6&epci={GRENOBLE}")
    _wait_app(page)
    sidebar = page.locator("[data-testid=stSidebar]")
    region = sidebar.get_by_role("combobox", name="Région")
    expect(region).to_have_value("Auvergne-Rhône-Alpes", timeout=180_000)  # not « Toute la France »
    expect(sidebar.get_by_role("combobox", name="Département")).to_have_value("38 – Isère")
    sidebar.get_by_text("Copier le lien de cette vue").click()
    field = sidebar.get_by_label("Lien de cette vue", exact=False)
    link = field.input_value().strip()
    assert link.startswith(f"{app_url}/zones_blanches?") and f"epci={GRENOBLE}" in link and "leviers=L6" in link
    snippet = sidebar.get_by_label("Carte seule", exact=False).input_value()
    assert f'src="{app_url}/?vue=integration&amp;' in snippet and f"epci={GRENOBLE}" in snippet  # the app's root
    # the « Copier » button puts the link in the clipboard and says so
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=app_url)
    sidebar.get_by_role("button", name="Copier le lien", exact=True).click()
    expect(sidebar.get_by_role("status").filter(has_text="Copié.")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == link
    page.goto("about:blank")
    page.goto(link)
    _wait_app(page)
    expect(sidebar.get_by_role("combobox", name="EPCI")).to_have_value("Grenoble-Alpes-Métropole", timeout=60_000)
    expect(region).to_have_value("Auvergne-Rhône-Alpes")
    expect(page.get_by_role("heading", name=re.compile("^Zones blanches"))).to_be_visible()


def test_embed_view_inside_an_iframe_shows_only_the_map(page, app_url, shot):
    page.goto(f"{app_url}/?epci={GRENOBLE}")
    _wait_app(page)
    sidebar = page.locator("[data-testid=stSidebar]")
    sidebar.get_by_text("Copier le lien de cette vue").click()
    snippet = sidebar.get_by_label("Carte seule", exact=False).input_value().strip()
    assert snippet.startswith(f'<iframe src="{app_url}/?vue=integration') and "title=" in snippet
    # a collectivité's page holding the snippet as given
    page.set_content(f"<html><body><h1>Site de la collectivité</h1>{snippet}</body></html>")
    frame = page.frame_locator("iframe[title^='Carte des pôles']")
    expect(frame.get_by_text(re.compile("^Source : tableau de bord des PTCE"))).to_be_visible(timeout=90_000)
    expect(frame.get_by_text("EPCI : Grenoble-Alpes-Métropole", exact=False)).to_be_visible()
    assert frame.locator("[data-testid=stSidebar]").count() == 0
    assert not frame.locator("[data-testid=stHeader]").is_visible()
    assert frame.locator("h1").count() == 0  # no page title inside the embed
    leaflet = frame.frame_locator(".st-key-cadre_carte_integration iframe")  # titled for screen readers
    expect(leaflet.locator("#legende")).to_be_visible(timeout=60_000)
    leaflet.locator("canvas.leaflet-zoom-animated").first.wait_for(timeout=60_000)  # the communes, drawn
    shot(page, "integration_iframe")
    assert page.external_requests == []
