"""Two replicas behind nginx (deploy/nginx.conf) on a shared PostgreSQL, in Chromium:
a session keeps its replica, an edit on one replica reaches a session on the other, and a
killed replica's users go on working on the other with nothing lost."""

import contextlib
import csv
import io
import re
import time
import uuid

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from deploy import cluster
from ptce_geo.store import Store, User, accounts, importing

from .conftest import OFFLINE, open_data_page, poles_uploader
from .test_edition import _edit, _main, _sign_in
from .test_pages import SMALL

PASSWORD = "mot-de-passe-editeur"
EDITOR = "edith@cress.test"


@pytest.fixture(scope="module")
def topology(postgres_url, territories, gazetteer, demo):
    """nginx + two replicas on a fresh PostGIS database holding the demo registry and an editor."""
    name = f"r_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as db:
        db.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    fresh = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with fresh.connect() as db:
        db.execute(sa.text("CREATE EXTENSION IF NOT EXISTS postgis"))
    fresh.dispose()
    store = Store(url, territories, gazetteer)
    importing.seed(store, demo)
    accounts.add_user(store.engine, None, "admin@cress.test", "administrateur", PASSWORD, bootstrap=True)
    accounts.add_user(store.engine, User("admin@cress.test", "administrateur"), EDITOR, "editeur", PASSWORD)
    try:
        with cluster.running(2, database_url=url, env=OFFLINE) as c:
            yield c, store
    finally:
        store.engine.dispose()
        with admin.connect() as db:
            db.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _route(context) -> str:
    return next(c["value"] for c in context.cookies() if c["name"] == "ptce_route")


def _context_on(browser, c, index: int):
    """A browser context whose route cookie leads nginx to replica ``index``."""
    for _ in range(20):
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        assert context.request.get(f"{c.url}/_stcore/health").ok
        if c.replica_of(_route(context)) == index:
            return context
        context.close()
    raise AssertionError(f"aucun cookie de route ne mène à la réplique {index}")


def _open(context, url, ready="[data-testid=stMetric]"):
    page = context.new_page()
    page.goto(url)
    expect(page.locator(ready).first).to_be_visible(timeout=90_000)
    return page


def _save_pole(page, name):
    _main(page).get_by_label("Nom du pôle *", exact=True).fill(name)
    _main(page).get_by_label("Commune du siège", exact=True).fill("Mureaux")
    _main(page).get_by_label("Département", exact=True).fill("78")
    page.get_by_role("button", name="Enregistrer le pôle").click()
    expect(page.get_by_text(f"Pôle « {name} » enregistré.")).to_be_visible(timeout=60_000)


def _served_by(c, context) -> set:
    return set(c.served_by(_route(context)))


def test_the_proxy_sets_the_headers(topology):
    c, _ = topology
    import urllib.request
    with urllib.request.urlopen(c.url + "/") as answer:
        assert answer.headers["Content-Security-Policy"].startswith("frame-ancestors 'self';")
        assert answer.headers["X-Frame-Options"] == "SAMEORIGIN"
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert "ptce_route=" in answer.headers["Set-Cookie"]
    with urllib.request.urlopen(c.url + "/?vue=integration") as answer:
        assert answer.headers["X-Frame-Options"] is None  # the embeddable view


def test_the_proxy_lets_browsers_keep_versioned_boundary_files(topology, territories):
    """A boundary file's address holds its data version: through nginx, browsers keep it a
    year (a repeat visit fetches no boundary again), and it keeps the security headers."""
    c, _ = topology
    import urllib.request
    from ptce_geo import maps, paths
    address = maps.BoundaryFiles(territories, paths.ROOT / "dashboard" / "static" / "geo").communes("44")
    with urllib.request.urlopen(c.url + address) as answer:
        assert "max-age=31536000" in answer.headers["Cache-Control"]
        # the headers only nginx adds are still there (a location's add_header would have dropped them)
        assert answer.headers["Content-Security-Policy"].startswith("frame-ancestors")
        assert answer.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert "camera=()" in answer.headers["Permissions-Policy"]
        assert answer.read().startswith(b"{")
    with urllib.request.urlopen(c.url + "/") as answer:  # the page itself is not kept
        assert "max-age=31536000" not in (answer.headers["Cache-Control"] or "")


def test_the_proxy_compresses_streamlit_s_bundle(topology):
    """Streamlit sends its JavaScript uncompressed; through nginx a first visit gets it gzipped."""
    c, _ = topology
    import gzip
    import urllib.request
    with urllib.request.urlopen(c.url + "/") as answer:
        scripts = re.findall(r'src="\.?/?(static/js/[^"]+\.js)"', answer.read().decode())
    assert scripts, "la page ne charge aucun script de Streamlit"
    asked = urllib.request.Request(f"{c.url}/{scripts[0]}", headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(asked) as answer:
        assert answer.headers["Content-Encoding"] == "gzip"
        sent = answer.read()
    plain = gzip.decompress(sent)
    assert plain.lstrip()[:1] not in (b"<", b"")  # JavaScript, not an error page
    assert len(sent) * 2.5 < len(plain), (len(sent), len(plain))


def test_a_session_keeps_its_replica_upload_then_download(browser, topology):
    c, _ = topology
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    try:
        page = context.new_page()
        open_data_page(page, f"{c.url}/donnees")
        poles_uploader(page).locator("input[type=file]").set_input_files(
            files=[{"name": "mon_registre.csv", "mimeType": "text/csv", "buffer": SMALL}])
        expect(page.get_by_text(re.compile("Registre importé « mon_registre.csv » : 3 pôles"))).to_be_visible(
            timeout=60_000)
        with page.expect_download() as info:
            page.get_by_role("button", name=re.compile(r"^Pôles \(2\)")).click()
        rows = list(csv.DictReader(io.StringIO(open(info.value.path(), "rb").read().decode("utf-8-sig")),
                                   delimiter=";"))
        assert {r["Identifiant"] for r in rows} == {"T1", "T2"}  # French headers by default
        assert len(_served_by(c, context)) == 1  # page, websocket, upload and download: one replica
    finally:
        context.close()


def test_an_edit_on_one_replica_is_seen_on_the_other(browser, topology):
    c, store = topology
    editor_ctx, viewer_ctx = _context_on(browser, c, 0), _context_on(browser, c, 1)
    try:
        viewer = _open(viewer_ctx, c.url)
        before = len(store.rows()[0])
        expect(viewer.locator("[data-testid=stMetric]").filter(has_text="Pôles affichés")).to_contain_text(
            str(before))
        editor = _open(editor_ctx, c.url)
        _sign_in(editor, EDITOR)
        _edit(editor)
        _save_pole(editor, "Pôle vu partout")
        viewer.reload()  # the viewer's next action, on the other replica
        expect(viewer.locator("[data-testid=stMetric]").filter(has_text="Pôles affichés")).to_contain_text(
            str(before + 1), timeout=60_000)
        assert _served_by(c, editor_ctx) == {0}
        assert _served_by(c, viewer_ctx) == {1}, (
            [line for line in c.access_log.read_text().splitlines() if line.startswith(_route(viewer_ctx))],
            (c.access_log.parent / "error.log").read_text()[-3000:])
    finally:
        editor_ctx.close()
        viewer_ctx.close()


def test_a_killed_replica_s_users_go_on_on_the_other(browser, topology):
    c, store = topology
    context = _context_on(browser, c, 0)
    try:
        page = _open(context, c.url)
        _sign_in(page, EDITOR)
        _edit(page)
        _save_pole(page, "Pôle d'avant la panne")
        page.locator("[data-testid=stSidebarNav] a").filter(has_text="Carte des pôles").click()
        expect(page.get_by_text("Couleur des EPCI")).to_be_visible(timeout=60_000)
        c.replicas[0].kill()
        # the Streamlit client reconnects by itself, through nginx, to the other replica. It
        # believes its session resumed, so the page stays as the dead replica drew it (still
        # « Connecté : … ») until the user's next action, which the new session runs there.
        deadline = time.monotonic() + 240  # the client retries with a growing delay (up to a minute)
        while 1 not in _served_by(c, context) and time.monotonic() < deadline:
            time.sleep(1)
        assert 1 in _served_by(c, context), "le navigateur ne s'est pas reconnecté à l'autre réplique"
        # a local sign-in lived in the old session: the new one shows the sign-in form again. The
        # click is repeated while the client is still between two connections (it is then lost).
        sign_in_form = page.locator("[data-testid=stSidebar]").get_by_text("Connexion des éditeurs")
        for _ in range(12):
            page.locator("[data-testid=stSidebarNav] a").filter(has_text="Carte des pôles").click()
            with contextlib.suppress(AssertionError):
                expect(sign_in_form).to_be_visible(timeout=10_000)
                break
        expect(sign_in_form).to_be_visible(timeout=1)
        expect(page.locator("[data-testid=stMetric]").filter(has_text="Pôles affichés")).to_contain_text(
            str(len(store.rows()[0])), timeout=90_000)
        _sign_in(page, EDITOR)
        _edit(page)
        _save_pole(page, "Pôle d'après la panne")
        names = {p["nom"] for p in store.rows()[0]}
        assert {"Pôle d'avant la panne", "Pôle d'après la panne"} <= names
    finally:
        context.close()
