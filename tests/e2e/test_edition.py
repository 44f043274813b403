"""The shared registry in the browser: an editor's save seen by an anonymous visitor,
two editors on one pole, undo."""

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from ptce_geo import scope
from ptce_geo.coverage import Filters
from ptce_geo.store import Store, User, accounts, importing

from .conftest import start_server

PASSWORD = "mot-de-passe-editeur"
EDITORS = ("edith@cress.test", "eloi@cress.test")


@pytest.fixture(scope="module")
def shared(tmp_path_factory, territories, gazetteer, demo):
    """A server on its own database (the demo registry), with two editor accounts."""
    url = f"sqlite:///{tmp_path_factory.mktemp('partage') / 'registre.sqlite3'}"
    store = Store(url, territories, gazetteer)
    importing.seed(store, demo)
    accounts.add_user(store.engine, None, "admin@cress.test", "administrateur", PASSWORD, bootstrap=True)
    admin = User("admin@cress.test", "administrateur")
    for email in EDITORS:
        accounts.add_user(store.engine, admin, email, "editeur", PASSWORD)
    with start_server({"PTCE_DATABASE_URL": url}) as app:
        yield app, store


def _page(browser, app):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.goto(app)
    page.wait_for_selector("[data-testid=stMetric]", timeout=90_000)
    return context, page


def _sign_in(page, email, password=PASSWORD):
    sidebar = page.locator("[data-testid=stSidebar]")
    sidebar.get_by_text("Connexion des éditeurs").click()
    sidebar.get_by_label("Adresse e-mail").fill(email)
    sidebar.get_by_label("Mot de passe").fill(password)
    sidebar.get_by_role("button", name="Se connecter").click()


def _edit(page):
    page.locator("[data-testid=stSidebarNav] a").filter(has_text="Édition").click()
    expect(page.get_by_role("heading", name="Édition du registre partagé")).to_be_visible(timeout=60_000)


def _main(page):
    return page.locator("[data-testid=stMain]")


def _choose(page, label, text):
    """Pick the option containing ``text`` in a long select box (typing filters it)."""
    _main(page).get_by_label(label, exact=True).click()
    page.keyboard.type(text)
    page.get_by_role("option", name=re.compile(re.escape(text))).first.click()


def _count(page) -> str:
    return page.locator("[data-testid=stMetric]").filter(has_text="Pôles affichés").inner_text()


def test_a_wrong_password_is_refused_and_a_visitor_sees_no_editing(browser, shared):
    app, _ = shared
    context, page = _page(browser, app)
    try:
        assert page.locator("[data-testid=stSidebarNav] a").filter(has_text="Édition").count() == 0
        _sign_in(page, EDITORS[0], "pas le bon mot de passe")
        expect(page.get_by_text("adresse ou mot de passe incorrect")).to_be_visible(timeout=30_000)
        assert page.locator("[data-testid=stSidebarNav] a").filter(has_text="Édition").count() == 0
        # the page's own address, without an editor's account: told in French, never « Page not found »
        page.goto(f"{app}/edition")
        expect(page.get_by_text("Cette page est réservée aux éditeurs connectés")).to_be_visible(timeout=60_000)
        assert page.get_by_text("Page not found").count() == 0
        assert page.locator("[data-testid=stSidebarNav] a").filter(has_text="Édition").count() == 0
    finally:
        context.close()


def test_a_saved_pole_and_support_reach_an_anonymous_visitor(browser, shared, territories):
    app, store = shared
    editor_ctx, editor = _page(browser, app)
    visitor_ctx, visitor = _page(browser, app)
    try:
        assert "150" in _count(visitor)
        _sign_in(editor, EDITORS[0])
        _edit(editor)
        _main(editor).get_by_label("Nom du pôle *", exact=True).fill("Pôle des <Mureaux> =1+1")
        _main(editor).get_by_label("Commune du siège", exact=True).fill("Mureaux")
        _main(editor).get_by_label("Département", exact=True).fill("78")
        editor.get_by_role("button", name="Enregistrer le pôle").click()
        expect(editor.get_by_text("Pôle « Pôle des <Mureaux> =1+1 » enregistré.")).to_be_visible(timeout=60_000)
        new = next(p for p in store.rows()[0] if p["nom"] == "Pôle des <Mureaux> =1+1")
        editor.get_by_role("tab", name="Soutiens").click()
        _choose(editor, "Pôle soutenu", new["id"])
        editor.get_by_role("button", name="Ajouter le soutien").click()
        expect(editor.get_by_text("Soutien ajouté.")).to_be_visible(timeout=60_000)
        assert [s["pole_id"] for s in store.rows()[1]].count(new["id"]) == 1
        # the anonymous visitor, on another session, sees it at the next interaction
        visitor.reload()
        expect(visitor.locator("[data-testid=stMetric]").filter(has_text="Pôles affichés")).to_contain_text(
            "151", timeout=60_000)
        visitor.goto(f"{app}/donnees?departement=78")
        with visitor.expect_download() as info:
            visitor.get_by_role("button", name=re.compile(r"^Pôles \(")).click()
        rows = list(csv.DictReader(io.StringIO(open(info.value.path(), "rb").read().decode("utf-8-sig")),
                                   delimiter=";"))
        mine = [r for r in rows if r["Identifiant"] == new["id"]]
        assert len(mine) == 1 and mine[0]["Nom du pôle"] == "Pôle des <Mureaux> =1+1"
        assert mine[0]["Code INSEE de la commune du siège"] == "78440"
        # the extract follows the chosen territory: its poles are those the core puts in its scope
        reg = store.registry()
        in_scope = scope.apply(reg.poles, reg.soutiens, territories, Filters(), ("departement", "78"))
        assert {r["Identifiant"] for r in rows} == set(in_scope.poles["id"])
        assert len(rows) < int((reg.poles["_valide"]).sum())
    finally:
        editor_ctx.close()
        visitor_ctx.close()


def test_two_editors_on_one_pole_then_undo(browser, shared):
    app, store = shared
    before = store.pole("DEMO-020")
    contexts = []
    try:
        pages = []
        for email in EDITORS:
            context, page = _page(browser, app)
            contexts.append(context)
            _sign_in(page, email)
            _edit(page)
            _choose(page, "Pôle", "DEMO-020")
            # the run that opens the pole has finished: its delete button is drawn, the previous form is gone
            expect(_main(page).get_by_role("button", name=re.compile("Supprimer ce pôle"))).to_be_visible(timeout=30_000)
            name = _main(page).get_by_label("Nom du pôle *", exact=True)
            expect(name).to_have_count(1, timeout=30_000)
            expect(name).to_have_value(before["nom"], timeout=30_000)
            pages.append(page)
        first, second = pages
        _main(first).get_by_label("Nom du pôle *", exact=True).fill("Nom d'Edith")
        first.get_by_role("button", name="Enregistrer le pôle").click()
        expect(first.get_by_text("enregistré")).to_be_visible(timeout=60_000)
        _main(second).get_by_label("Nom du pôle *", exact=True).fill("Nom d'Eloi")
        second.get_by_role("button", name="Enregistrer le pôle").click()
        expect(second.get_by_text(re.compile("modifié par edith@cress.test"))).to_be_visible(timeout=60_000)
        assert store.pole("DEMO-020")["nom"] == "Nom d'Edith"
        # undo from the history restores the name as it was
        change = int(store.history(pole_id="DEMO-020").iloc[0]["id"])
        second.get_by_role("tab", name="Historique").click()
        _main(second).get_by_label("Numéro de la modification à annuler").fill(str(change))
        second.get_by_role("button", name="Annuler cette modification").click()
        expect(second.get_by_text(f"Modification n° {change} annulée.")).to_be_visible(timeout=60_000)
        assert store.pole("DEMO-020")["nom"] == before["nom"]
        assert store.history(pole_id="DEMO-020").iloc[0]["par"] == EDITORS[1]
    finally:
        for context in contexts:
            context.close()
