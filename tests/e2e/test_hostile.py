"""Hostile text, the bad-file corpus on the data page, and several users at once."""

import asyncio
import json
import re
import statistics
import threading
import time

import pytest
from playwright.async_api import TimeoutError as PlaywrightTimeout
from playwright.async_api import async_playwright
from playwright.async_api import expect as async_expect
from playwright.sync_api import expect

from dashboard import serve
from ptce_geo import paths

from .conftest import MAP_FRAME, open_data_page, poles_uploader, rss_mb, start_server

DATA = paths.ROOT / "tests" / "data"
CASES = json.loads((DATA / "corpus.json").read_text(encoding="utf-8"))
MAP = MAP_FRAME
OPEN_ALL = """() => { let n = 0;
  for (const key of Object.keys(window)) {
    const m = window[key];
    if (key.startsWith('map_') && m && m.eachLayer) {
      m.eachLayer(l => {
        if (l.getPopup && l.getPopup()) { l.openPopup(); n++; }
        if (l.getTooltip && l.getTooltip()) { l.openTooltip(); n++; }
      });
    }
  }
  return n; }"""


@pytest.fixture(scope="module")
def hostile_url():
    """A second server whose configured registry is the hostile one."""
    env = {"PTCE_POLES": str(DATA / "corpus" / "html_hostile.csv")}
    with start_server(env) as url:
        yield url


def _watch(context):
    """Record dialogs and console errors; pages flag themselves if a payload ran."""
    events = []
    context.on("dialog", lambda d: (events.append(f"dialog: {d.message}"), d.dismiss()))
    return events


def _pwned(page) -> bool:
    return any(frame.evaluate("() => !!window.__pwned") for frame in page.frames)


def test_hostile_registry_runs_no_script(browser, hostile_url, shot):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    events = _watch(context)
    page = context.new_page()
    try:
        for path in ("", "zones_blanches", "leviers", "donnees", "fiche_territoire?departement=75&commune=75056"):
            page.goto(f"{hostile_url}/{path}")
            page.wait_for_selector("[data-testid=stApp]")
            page.wait_for_timeout(2500)
            assert not _pwned(page), path
        # open every popup and tooltip of the map: the poles' names are the payloads
        page.goto(f"{hostile_url}/?departement=75")
        page.frame_locator(MAP).first.locator("canvas.leaflet-zoom-animated").first.wait_for(timeout=60_000)
        map_frame = next(f for f in page.frames if "streamlit_folium" in f.url)
        opened = map_frame.evaluate(OPEN_ALL)
        page.wait_for_timeout(1500)
        assert opened > 0
        shot(page, "registre_hostile")
        assert not _pwned(page)
        assert events == []
    finally:
        context.close()


SUCCESS = "[data-testid=stAlertContentSuccess]"
PROBLEM = "[data-testid=stAlertContentError], [data-testid=stAlertContentWarning]"
NO_ERROR = re.compile(r"soutiens? ; 0 erreur")


def _upload(uploader, name):
    uploader.locator("input[type=file]").set_input_files(files=[{
        "name": name, "mimeType": "application/octet-stream", "buffer": (DATA / "corpus" / name).read_bytes()}])


def test_every_corpus_file_on_the_data_page(page, app_url):
    """Every file uploaded in turn. Each upload starts from a page with no error
    or warning on it (a fresh session after an error, a warning, a refused file
    or a supports file), so only this upload can answer: a success naming the
    file, or an error or warning. Once its run is over, the page must show no
    exception and agree with the command line's exit code."""
    poles_box = poles_uploader(page)
    soutiens_box = page.get_by_role("region", name=re.compile(r"^Soutiens \("))
    problem = page.locator(PROBLEM)
    fresh_page_needed = True
    for case in CASES:
        name = case["fichier"]
        if fresh_page_needed:
            open_data_page(page, f"{app_url}/donnees")
        page.locator("[data-testid=stApp][data-test-script-state=notRunning]").wait_for(timeout=60_000)
        expect(problem).to_have_count(0)
        fresh_page_needed = True
        _upload(poles_box, name)
        expect(soutiens_box.locator("[data-testid=stFileChip]")).to_have_count(0)
        accepted = poles_box.locator("input[type=file]").get_attribute("accept").split(",")
        if "." + name.rsplit(".", 1)[-1] not in accepted:
            # refused by the uploader in the browser, never sent to the server
            chip = poles_box.locator("[data-testid=stFileChip]").filter(has_text=name)
            expect(chip.locator("[data-testid=stFileChipIconError]")).to_be_visible()
            continue
        success = page.locator(SUCCESS).filter(has_text=name)
        expect(success.or_(problem).first).to_be_visible(timeout=60_000)
        if "soutiens" in case and problem.count() == 0:
            _upload(soutiens_box, case["soutiens"])
            with_supports = success.filter(has_text=re.compile(r"[1-9]\d* soutiens?\b"))
            expect(with_supports.or_(problem).first).to_be_visible(timeout=60_000)
        page.locator("[data-testid=stApp][data-test-script-state=notRunning]").wait_for(timeout=60_000)
        assert page.locator("[data-testid=stException]").count() == 0, name
        assert "Traceback" not in page.locator("[data-testid=stMain]").inner_text(), name
        # the next file may replace this one in the same session only after a plain success
        fresh_page_needed = problem.count() > 0 or "soutiens" in case
        if case["env"]:  # limits set for the command line only: this server keeps its defaults
            continue
        clean = problem.count() == 0 and success.filter(has_text=NO_ERROR).count() == 1
        assert clean == (case["code"] == 0), f"{name} : la page et la ligne de commande ne disent pas la même chose"


def test_two_users_do_not_share_filters_or_uploads(browser, app_url):
    first, second = browser.new_context(), browser.new_context()
    try:
        p1 = first.new_page()
        p1.goto(f"{app_url}/?leviers=L6")
        expect(p1.locator("[data-testid=stMetric]").filter(has_text="Pôles affichés")).not_to_contain_text(
            "150", timeout=60_000)
        p2 = second.new_page()
        p2.goto(app_url)
        expect(p2.locator("[data-testid=stMetric]").filter(has_text="Pôles affichés")).to_contain_text(
            "150", timeout=60_000)
        assert "leviers" not in p2.url
    finally:
        first.close()
        second.close()


async def _choose_lever(page, lever: str) -> None:
    """Open the levers list once the page is idle and pick ``lever``, as a user would; a list
    that a rerun of the page closed before it showed is opened again (up to 5 times)."""
    idle = page.locator("[data-testid=stApp][data-test-script-state=notRunning]")
    for _ in range(5):
        await idle.wait_for(timeout=120_000)
        await page.locator("[data-testid=stSidebar] [data-testid=stMultiSelect] input").first.click()
        try:
            await page.get_by_role("option", name=re.compile(f"^{lever} ")).click(timeout=20_000)
        except PlaywrightTimeout:
            await page.keyboard.press("Escape")
            continue
        await page.keyboard.press("Escape")
        return
    raise AssertionError(f"la liste des leviers ne s'est pas ouverte pour {lever}")


def test_ten_sessions_changing_filters(app_url, demo):
    """10 concurrent browser sessions on one server change the lever filter for a
    bounded time; each change must show the count the core computes."""
    from ptce_geo import coverage as cv
    levers = ["L6", "L1", "L7", "L2"]
    expected = [len(cv.filter_poles(demo.poles, demo.soutiens, cv.Filters(leviers=tuple(levers[:i + 1]))))
                for i in range(len(levers))]
    durations, errors = [], []

    async def session(browser, n):
        context = await browser.new_context(viewport={"width": 1300, "height": 900})
        page = await context.new_page()
        page.set_default_timeout(120_000)  # ten sessions and Chromium share two cores
        try:
            await page.goto(app_url)
            metric = page.locator("[data-testid=stMetric]").filter(has_text="Pôles affichés")
            await metric.wait_for(timeout=120_000)
            for lever, count in zip(levers, expected):
                t0 = time.perf_counter()
                await _choose_lever(page, lever)
                await async_expect(metric).to_contain_text(str(count), timeout=120_000)
                durations.append(time.perf_counter() - t0)
                if await page.locator("[data-testid=stException]").count():
                    raise AssertionError("exception affichée")
        except Exception as exc:  # collected, asserted below
            errors.append(f"session {n}: {type(exc).__name__}: {str(exc)[:300]}")
        finally:
            await context.close()

    rss = {}

    async def main():
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(**serve.chromium_options())
            warm = await browser.new_page()  # the server loads boundaries and registry once
            await warm.goto(app_url)
            await warm.locator("[data-testid=stMetric]").first.wait_for(timeout=120_000)
            await warm.close()
            rss["before"] = rss_mb(app_url.pid)
            await asyncio.wait_for(asyncio.gather(*(session(browser, n) for n in range(10))), timeout=420)
            await browser.close()

    # the sync Playwright of the other tests owns this thread's event loop: run beside it
    runner = threading.Thread(target=lambda: asyncio.run(main()))
    runner.start()
    runner.join(timeout=480)
    time.sleep(3)  # sessions end when their pages close
    rss_before, rss_after = rss["before"], rss_mb(app_url.pid)
    assert not errors, errors
    assert len(durations) == 40
    p95 = statistics.quantiles(durations, n=20)[18]
    print(f"\n10 sessions simultanées : {len(durations)} changements de filtre ; du clic à la page à jour, "
          f"médiane {statistics.median(durations):.2f} s, p95 {p95:.2f} s ; mémoire du serveur "
          f"{rss_before:.0f} Mo avant, {rss_after:.0f} Mo après")
    assert rss_after - rss_before < 400  # bounded growth (Streamlit keeps recent map messages in its cache)


# Every popup and tooltip text of every map in the frame, as the browser shows it:
# clustered markers included, GeoJSON tooltips evaluated for each feature.
READ_ALL = """() => {
  const texts = [], seen = new Set();
  const shown = (content, layer) => {
    if (typeof content === 'function') content = content(layer);
    if (content instanceof Element) return content.textContent;
    const t = document.createElement('template');
    t.innerHTML = String(content);
    return t.content.textContent;
  };
  const visit = (l, tooltipOf) => {
    if (seen.has(L.stamp(l))) return;
    seen.add(L.stamp(l));
    if (l.getPopup && l.getPopup()) texts.push(shown(l.getPopup().getContent(), l));
    const tip = (l.getTooltip && l.getTooltip()) || tooltipOf;
    if (l.getLayers) { l.getLayers().forEach(child => visit(child, tip)); }
    else if (tip) { texts.push(shown(tip.getContent(), l)); }
  };
  for (const key of Object.keys(window)) {
    const m = window[key];
    if (key.startsWith('map_') && m && m.eachLayer) m.eachLayer(l => visit(l, null));
  }
  return texts; }"""
JINJA = DATA / "corpus" / "jinja_hostile.csv"
JINJA_SUPPORTS = DATA / "corpus" / "jinja_hostile_soutiens.csv"


@pytest.fixture(scope="module")
def marker(tmp_path_factory):
    """The folder that the corpus' J4 payload creates if a template ever runs."""
    return tmp_path_factory.mktemp("jinja") / "marqueur"


@pytest.fixture(scope="module")
def jinja_url(marker):
    env = {"PTCE_POLES": str(JINJA), "PTCE_SOUTIENS": str(JINJA_SUPPORTS), "PTCE_TEST_MARKER": str(marker)}
    with start_server(env) as url:
        yield url


def _map_texts(page, showing: str = "") -> str:
    """Wait for the page's map (the one whose texts include ``showing``), then
    return the text of all its popups and tooltips."""
    page.frame_locator(MAP).first.locator(".leaflet-container").first.wait_for(timeout=90_000)
    deadline = time.time() + 60
    while time.time() < deadline:  # after in-app navigation the previous page's frame may linger
        for frame in page.frames:
            if "streamlit_folium" in frame.url and not frame.is_detached():
                try:
                    texts = frame.evaluate(READ_ALL)
                except Exception:  # noqa: BLE001 - a frame detached while we read it
                    continue
                if texts and showing in "\n".join(texts):
                    return "\n".join(texts)
        page.wait_for_timeout(500)
    raise AssertionError("aucune carte avec des fenêtres ou des infobulles")


def _no_error(page, where):
    assert page.locator("[data-testid=stException]").count() == 0, where
    assert "Traceback" not in page.locator("[data-testid=stMain]").inner_text(), where


def test_jinja_in_the_configured_registry_is_shown_never_run(browser, jinja_url, marker, shot):
    names = [line.split(";")[1] for line in JINJA.read_text(encoding="utf-8").splitlines()[1:]]
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        for path, expected in (("", names), ("zones_blanches", names),
                               ("?departement=75", names[:2]), ("fiche_territoire?departement=13", names[3:4]),
                               ("fiche_territoire?departement=31", names[4:])):
            page.goto(f"{jinja_url}/{path}")
            page.wait_for_selector("[data-testid=stApp]")
            text = _map_texts(page)
            for name in expected:
                assert name in text, (path, name)
            assert "Pôle 49" not in text, path
            _no_error(page, path)
        for path in ("leviers", "donnees"):
            page.goto(f"{jinja_url}/{path}")
            page.wait_for_selector("[data-testid=stMain]")
            page.wait_for_timeout(3000)
            _no_error(page, path)
        page.goto(f"{jinja_url}/?departement=75")
        page.frame_locator(MAP).first.locator(".leaflet-container").first.wait_for(timeout=90_000)
        next(f for f in page.frames if "streamlit_folium" in f.url).evaluate(OPEN_ALL)
        page.wait_for_timeout(1000)
        shot(page, "registre_jinja")
        assert not marker.exists(), "un gabarit Jinja du registre a été exécuté sur le serveur"
    finally:
        context.close()


def test_jinja_in_an_upload_is_shown_never_run(browser, jinja_url, marker):
    """The uploaded registry feeds the preview map, then every map of the session."""
    content = JINJA.read_text(encoding="utf-8").replace("Pôle {{", "Pôle importé {{").encode("utf-8")
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        open_data_page(page, f"{jinja_url}/donnees")
        poles_uploader(page).locator("input[type=file]").set_input_files(
            files=[{"name": "www.exemple.org {{ 7*7 }}.csv", "mimeType": "text/csv", "buffer": content}])
        expect(page.get_by_text("Aperçu des pôles localisés")).to_be_visible(timeout=60_000)
        # the file name is shown as written, as plain text: no template, no link
        success = page.locator("[data-testid=stAlertContentSuccess]")
        assert "www.exemple.org {{ 7*7 }}.csv" in success.inner_text()
        assert page.locator("[data-testid=stMain] a[href*=exemple]").count() == 0
        assert "Pôle importé {{ 7*7 }}" in _map_texts(page)
        _no_error(page, "donnees")
        # in-app navigation keeps the session, hence the upload
        page.locator("[data-testid=stSidebarNav] a").filter(has_text="Zones blanches").click()
        expect(page.locator("[data-testid=stMain]").get_by_text("Registre importé", exact=False).first).to_be_visible(timeout=60_000)
        text = _map_texts(page, showing="Rang")  # the zones blanches map, not the preview left behind
        assert "Pôle importé {{ 7*7 }}" in text and "Pôle 49" not in text
        _no_error(page, "zones_blanches")
        assert not marker.exists(), "un gabarit Jinja de l'import a été exécuté sur le serveur"
    finally:
        context.close()


GRID = "Array.from(document.querySelectorAll('[data-testid=stDataFrame] table td')).map(e => e.textContent)"


def _page_text(page) -> str:
    """What the page says: its text, and the cells of its tables (drawn on a canvas, with an
    accessible copy in the page once drawn)."""
    if page.locator("[data-testid=stDataFrame]").count():
        page.wait_for_function(f"() => {GRID}.length > 0", timeout=30_000)
    return page.locator("[data-testid=stMain]").inner_text() + "\n" + "\n".join(page.evaluate(f"() => {GRID}"))


HOSTILE = [c for c in CASES if c.get("classe") and not c["env"]]


@pytest.mark.parametrize("case", HOSTILE, ids=[c["fichier"] for c in HOSTILE])
def test_hostile_corpus_file_gets_its_message_on_the_data_page(browser, app_url, case):
    """Each hostile file of the corpus, in a fresh session: the words the command line prints
    are on the page too (in the report table, or in the downloadable report)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    try:
        open_data_page(page, f"{app_url}/donnees")
        poles_uploader(page).locator("input[type=file]").set_input_files(
            files=[{"name": case["fichier"], "mimeType": "application/octet-stream",
                    "buffer": (DATA / "corpus" / case["fichier"]).read_bytes()}])
        expect(page.locator("[data-testid=stAlertContentSuccess], [data-testid=stAlertContentError]").first
               ).to_be_visible(timeout=60_000)
        page.wait_for_timeout(1000)
        _no_error(page, case["fichier"])
        text = _page_text(page)
        report = page.get_by_role("button", name="Télécharger le rapport (CSV)")
        if any(word not in text for word in case["mots"]) and report.count():
            with page.expect_download() as info:
                report.click()
            text += open(info.value.path(), "rb").read().decode("utf-8-sig")
        for word in case["mots"]:
            assert word in text, f"{case['fichier']} : « {word} » absent de la page"
    finally:
        context.close()


def test_a_second_session_gets_its_map_while_a_hostile_file_is_refused(browser, app_url):
    """One session uploads the 1,000,000-row workbook (17 MB; read in a child process, refused at
    the row limit); meanwhile another session opens the map. The refusal comes with its French
    message, and the map does not wait for it."""
    from tests.data import hostile
    data = hostile.xlsx_many_rows(1_000_000)
    first, second = browser.new_context(), browser.new_context()
    try:
        p1 = first.new_page()
        open_data_page(p1, f"{app_url}/donnees")
        p2 = second.new_page()
        p2.goto(app_url)  # the map page loads once before the upload starts
        p2.frame_locator(MAP).first.locator("canvas.leaflet-zoom-animated").first.wait_for(timeout=90_000)
        rss_before = rss_mb(app_url.pid)
        poles_uploader(p1).locator("input[type=file]").set_input_files(
            files=[{"name": "un_million.xlsx", "mimeType": "application/octet-stream", "buffer": data}])
        expect(p1.get_by_text("Lecture du fichier")).to_be_visible(timeout=60_000)  # the reading has started
        started = time.perf_counter()
        p2.reload()
        p2.frame_locator(MAP).first.locator("canvas.leaflet-zoom-animated").first.wait_for(timeout=60_000)
        map_s = time.perf_counter() - started
        reading = p1.get_by_text("Lecture du fichier").count() > 0
        expect(p1.locator("[data-testid=stAlertContentError]")).to_be_visible(timeout=120_000)
        refused_s = time.perf_counter() - started
        p1.wait_for_timeout(1000)
        text = _page_text(p1)
        assert "plus de 100000 lignes" in text and "Traceback" not in text, text[-3000:]
        rss_after = rss_mb(app_url.pid)
        print(f"\ncarte de l'autre session : {map_s:.1f} s (lecture encore en cours : {reading}) ; refus du "
              f"classeur d'un million de lignes : {refused_s:.1f} s après le début de la lecture ; mémoire du "
              f"serveur : {rss_before:.0f} Mo avant, {rss_after:.0f} Mo après")
        assert map_s < 20
        assert rss_after - rss_before < 250  # the file (17 MB) is kept by the uploader; its reading is not
    finally:
        first.close()
        second.close()
