"""Map interactions in a real Chromium: tooltips on territory maps, the preview
that shows every imported pole, pole markers by keyboard, popups clear of the legend."""

import re

import shapely
from playwright.sync_api import expect

from ptce_geo import coverage as cv
from tests.e2e.conftest import MAP_FRAME, open_data_page, poles_uploader

MAP = MAP_FRAME  # the map frames, by their container (their title is the map's own)
DRAWN = ".leaflet-container[data-ptce-features]"


def _map_frame(page, drawn: bool = True):
    """The page's map frame, once its boundaries are drawn (``drawn``) or its map made."""
    page.frame_locator(MAP).first.locator(DRAWN if drawn else ".leaflet-container").first.wait_for(timeout=120_000)
    return next(f for f in page.frames if "streamlit_folium" in f.url and not f.is_detached())


def test_hovering_a_commune_of_a_territory_map_shows_its_tooltip(page, app_url, territories, demo, shot):
    """Lozère: the commune farthest from any pole (no marker over it) is hovered
    at a point inside its drawn contour; its tooltip names it and gives its distance."""
    poles = cv.filter_poles(demo.poles, demo.soutiens, cv.Filters())
    table = cv.coverage_table(territories, poles, "commune", within=("departement", "48"))
    far = table.sort_values("distance_km").iloc[-1]
    display = territories.display["communes"]
    inside = shapely.point_on_surface(display.loc[display["code"] == far["code"], "geometry"].iloc[0])
    page.goto(f"{app_url}/?departement=48")
    page.wait_for_url("**region=76**", timeout=60_000)  # the cascade names the parent région, then reruns
    tooltip = page.frame_locator(MAP).first.locator(".leaflet-tooltip").filter(has_text=far["nom"])
    container = page.frame_locator(MAP).first.locator(".leaflet-container").first
    under = None
    for _ in range(10):  # a loaded machine may still lay the page out (late rerun): hover again
        frame = _map_frame(page)
        # the point in the map's own coordinates: Playwright scrolls the map into view and moves there
        x, y = frame.evaluate("([lat, lon]) => { const p = map_div.latLngToContainerPoint([lat, lon]);"
                              " return [p.x, p.y]; }", [inside.y, inside.x])
        container.hover(position={"x": x - 30, "y": y - 30})
        container.hover(position={"x": x, "y": y})
        page.wait_for_timeout(500)
        if tooltip.count():
            break
        under = frame.evaluate("([x, y]) => { const e = document.elementFromPoint(x, y);"
                               " return e && e.outerHTML.slice(0, 200); }", [x, y])
        page.wait_for_timeout(1000)
    if not tooltip.count():
        shot(page, "carte_territoire_infobulle_absente")
    expect(tooltip.first, f"sous le pointeur : {under}").to_be_visible(timeout=10_000)
    text = tooltip.first.inner_text()
    assert "Distance au pôle le plus proche" in text
    assert f"{far['distance_km']:.1f} km".replace(".", ",") in text
    shot(page, "carte_territoire_infobulle")


def test_data_page_preview_shows_every_located_pole(page, app_url):
    """Poles from Brest to Nice, Lille to Perpignan: the preview's bounds hold them all."""
    content = ("id;nom;commune;departement\n"
               "A;Pôle A;Brest;29\nB;Pôle B;Nice;06\nC;Pôle C;Lille;59\nD;Pôle D;Perpignan;66\n"
               "E;Pôle E;Strasbourg;67\nF;Pôle F;Bayonne;64\n").encode("utf-8")
    open_data_page(page, f"{app_url}/donnees")
    poles_uploader(page).locator("input[type=file]").set_input_files(
        files=[{"name": "six_poles.csv", "mimeType": "text/csv", "buffer": content}])
    expect(page.get_by_text("Aperçu des pôles localisés")).to_be_visible(timeout=60_000)
    frame = _map_frame(page, drawn=False)
    page.locator(MAP).first.scroll_into_view_if_needed()
    page.wait_for_timeout(800)  # the fit runs again once the frame has its size
    seen = frame.evaluate("""() => { const b = map_div.getBounds(); let n = 0, ok = 0;
        map_div.eachLayer(g => { if (g instanceof L.MarkerClusterGroup)
          g.getLayers().forEach(m => { n++; if (b.contains(m.getLatLng())) ok++; }); });
        return {n: n, ok: ok, zoom: map_div.getZoom()}; }""")
    assert seen["n"] == 6 and seen["ok"] == 6, seen
    assert 4 <= seen["zoom"] <= 7, seen  # France seen whole, not the world


def test_pole_markers_by_keyboard_and_popup_clear_of_the_legend(page, app_url):
    """Paris: Tab reaches a pole, Enter opens its popup, which links to its
    fiches and does not open under the legend."""
    page.goto(f"{app_url}/?departement=75")
    frame = _map_frame(page)
    page.locator(MAP).first.scroll_into_view_if_needed()
    markers = page.frame_locator(MAP).first.locator(".leaflet-marker-icon[tabindex='0']")
    assert markers.count() > 0
    # bring the first pole under the legend, where its popup would open beneath it
    frame.evaluate("""() => { const icon = document.querySelector(".leaflet-marker-icon[tabindex='0']");
        const r = icon.getBoundingClientRect(), l = document.getElementById('legende').getBoundingClientRect();
        map_div.panBy([(r.left + r.right) / 2 - (l.left + l.right) / 2, (r.top + r.bottom) / 2 - l.top - 10],
                      {animate: false}); }""")
    markers.first.focus()
    focused = frame.evaluate("() => document.activeElement.className")
    assert "leaflet-marker-icon" in focused
    assert re.search(r"Pôle ", frame.evaluate("() => document.activeElement.textContent"))
    page.keyboard.press("Enter")
    popup = page.frame_locator(MAP).first.locator(".leaflet-popup-content")
    expect(popup).to_be_visible(timeout=10_000)
    link = popup.locator("a[href^='/fiche_territoire?epci=']")
    expect(link).to_have_attribute("target", "_top")
    page.wait_for_timeout(600)  # the map pans the popup clear of the legend
    a = page.frame_locator(MAP).first.locator("#legende").bounding_box()
    b = page.frame_locator(MAP).first.locator(".leaflet-popup").bounding_box()
    overlap = not (b["x"] + b["width"] <= a["x"] or a["x"] + a["width"] <= b["x"]
                   or b["y"] + b["height"] <= a["y"] or a["y"] + a["height"] <= b["y"])
    assert not overlap, (a, b)


def test_the_wheel_scrolls_the_page_until_the_map_is_clicked(page, app_url):
    """A wheel turned over the national map before it is clicked does not zoom it (the page
    scrolls on; a hint says how to zoom); once the map is clicked, the wheel zooms it.
    (The wheel events are dispatched in the map's frame: headless Chromium does not route
    Playwright's wheel into a component's frame.)"""
    page.goto(app_url)
    frame = _map_frame(page)
    container = page.frame_locator(MAP).first.locator(".leaflet-container").first
    wheel = """() => { const c = map_div.getContainer(), r = c.getBoundingClientRect();
        c.dispatchEvent(new WheelEvent('wheel', {deltaY: -500, deltaMode: 0, bubbles: true, cancelable: true,
                                                 clientX: r.left + 200, clientY: r.top + 300})); }"""
    zoom = frame.evaluate("() => map_div.getZoom()")
    assert frame.evaluate("() => map_div.scrollWheelZoom.enabled()") is False
    frame.evaluate(wheel)
    page.wait_for_timeout(800)
    assert frame.evaluate("() => map_div.getZoom()") == zoom
    expect(page.frame_locator(MAP).first.locator(".ptce-molette")).to_have_text(
        "Cliquez sur la carte pour zoomer avec la molette")
    container.click(position={"x": 20, "y": 300})  # away from the legend and the buttons
    assert frame.evaluate("() => map_div.scrollWheelZoom.enabled()") is True
    frame.evaluate(wheel)
    page.wait_for_timeout(800)
    assert frame.evaluate("() => map_div.getZoom()") > zoom
