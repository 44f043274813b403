"""The dashboard in a real Chromium, with every non-local request refused."""

import csv
import io
import re
import time

from tests.e2e.conftest import MAP_FRAME as MAP


def _open(page, app_url, path=""):
    page.goto(f"{app_url}/{path}")
    page.wait_for_selector("[data-testid=stApp]")
    page.wait_for_selector(MAP, timeout=90_000)
    frame = page.frame_locator(MAP).first
    # polygons are drawn on a canvas (prefer_canvas), markers as clusters or circles
    frame.locator("canvas.leaflet-zoom-animated").first.wait_for(timeout=60_000)
    frame.locator(".marker-cluster, .leaflet-interactive").first.wait_for(timeout=60_000)
    return frame


def _shown(page) -> int:
    metric = page.locator("[data-testid=stMetric]").filter(has_text="Pôles affichés")
    return int(re.search(r"(\d+)\s*$", metric.inner_text().strip()).group(1))


def test_map_renders_polygons_and_markers_offline(page, app_url, shot):
    frame = _open(page, app_url)
    assert frame.locator(".marker-cluster").count() > 5  # clustered poles over France
    # the EPCI layer was painted: the canvas has coloured pixels
    painted = frame.locator("canvas.leaflet-zoom-animated").first.evaluate(
        "c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
        " let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n; }")
    assert painted > 10_000
    assert frame.locator("#legende").is_visible()
    shot(page, "carte")
    assert page.external_requests == []


def _map_frame(page):
    return next(f for f in page.frames if "streamlit_folium" in f.url)


def _clusters(page) -> list[str]:
    return sorted(_map_frame(page).locator(".marker-cluster").all_inner_texts())


def test_choosing_a_lever_changes_the_poles_shown(page, app_url):
    _open(page, app_url)
    before = _shown(page)
    _map_frame(page).evaluate("() => { window.__same_map = true; }")
    clusters_before = _clusters(page)
    t0 = time.perf_counter()
    page.locator("[data-testid=stSidebar] [data-testid=stMultiSelect]").first.click()
    page.get_by_role("option", name=re.compile("^L6")).click()
    page.keyboard.press("Escape")
    page.wait_for_function("(b) => { const m=[...document.querySelectorAll('[data-testid=stMetric]')]"
                           ".find(e => e.innerText.includes('Pôles affichés'));"
                           " return m && !m.innerText.trim().endsWith(String(b)); }", arg=before, timeout=30_000)
    after = _shown(page)
    print(f"\n1 session : du clic sur le levier à la page à jour, {time.perf_counter() - t0:.2f} s")
    assert 0 < after < before
    # the markers changed inside the same map: it was not reloaded (zoom and position kept)
    page.wait_for_function("""(before) => {
        const f = [...document.querySelectorAll('iframe')].find(i => (i.src || '').includes('streamlit_folium'));
        const doc = f && f.contentDocument;
        if (!doc) return false;
        const now = [...doc.querySelectorAll('.marker-cluster')].map(e => e.innerText).sort().join('|');
        return now.length > 0 && now !== before; }""", arg="|".join(clusters_before), timeout=30_000)
    assert _map_frame(page).evaluate("() => window.__same_map === true")
    assert "leviers=L6" in page.url  # the link reproduces the view


def test_url_reproduces_a_filtered_view(page, app_url):
    _open(page, app_url, "?leviers=L6&niveaux=epci")
    filtered = _shown(page)
    assert filtered < 150


def test_zones_blanches_download_is_french_excel(page, app_url, shot):
    _open(page, app_url, "zones_blanches")
    shot(page, "zones_blanches")
    with page.expect_download() as info:
        page.get_by_role("button", name="Télécharger le tableau (CSV)").click()
    data = open(info.value.path(), "rb").read()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Rang", "EPCI", "Type d'EPCI", "Population"]  # the table's columns, in French
    assert rows[1][0] == "1" and len(rows) > 100
    shown = page.locator("[data-testid=stMetric]").filter(has_text="EPCI non couverts").inner_text()
    assert shown.strip().endswith(str(len(rows) - 1))
