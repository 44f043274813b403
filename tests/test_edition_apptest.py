"""The « Édition » page through AppTest: sign-in, a pole and a support saved, refusals shown."""

import pytest
import streamlit_folium
from streamlit.testing.v1 import AppTest

from ptce_geo import paths
from ptce_geo.store import Store, accounts

APP = str(paths.ROOT / "dashboard" / "app.py")
PASSWORD = "mot-de-passe-de-test"


@pytest.fixture
def shared(monkeypatch, tmp_path):
    url = f"sqlite:///{tmp_path / 'registre.sqlite3'}"
    monkeypatch.setenv("PTCE_DATABASE_URL", url)
    monkeypatch.setattr(streamlit_folium, "st_folium", lambda m, **kw: None)
    store = Store(url)
    accounts.add_user(store.engine, None, "admin@cress.test", "administrateur", PASSWORD, bootstrap=True)
    accounts.add_user(store.engine, accounts.User("admin@cress.test", "administrateur"), "lecteur@cress.test",
                      "lecteur", PASSWORD)
    return store


def _sign_in(at, email, password):
    at.text_input(key="login_email").input(email)
    at.text_input(key="login_password").input(password)
    next(b for b in at.button if b.label == "Se connecter").click().run()
    return at


def _field(at, label):
    return next(t for t in at.text_input if t.label == label)


def _edit_page_shown(at) -> bool:
    try:
        at.switch_page("pages/edition.py").run()
    except Exception:  # noqa: BLE001 - the page is hidden, never missing: kept should that change
        return False
    return any(t.value == "Édition du registre partagé" for t in at.title) and not at.info  # not refused


def test_an_anonymous_visitor_or_a_reader_has_no_edit_page(shared):
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception and not _edit_page_shown(at)
    # a link to the page is answered in French, with where to sign in (not Streamlit's « Page not found »)
    assert "connectez-vous dans la barre latérale" in at.info[0].value
    assert at.sidebar.text_input(key="login_email") is not None and not at.exception
    at = _sign_in(AppTest.from_file(APP, default_timeout=120).run(), "lecteur@cress.test", PASSWORD)
    assert any("Connecté : lecteur@cress.test" in t.value for t in at.sidebar.text)
    assert not _edit_page_shown(at)
    assert "votre compte peut consulter le registre, pas le modifier" in at.info[0].value


def test_a_wrong_password_is_refused(shared):
    at = _sign_in(AppTest.from_file(APP, default_timeout=120).run(), "admin@cress.test", "pas le bon")
    assert "adresse ou mot de passe incorrect" in at.error[0].value
    assert not any("Connecté" in t.value for t in at.sidebar.text)


def test_an_editor_saves_a_pole_and_a_support(shared):
    at = _sign_in(AppTest.from_file(APP, default_timeout=120).run(), "admin@cress.test", PASSWORD)
    assert _edit_page_shown(at) and not at.exception
    _field(at, "Nom du pôle *").input("Pôle <b>créé</b> =1+1")
    _field(at, "Commune du siège").input("Mureaux")
    _field(at, "Département").input("78")
    next(b for b in at.button if b.label == "Enregistrer le pôle").click().run()
    assert not at.exception and "enregistré" in at.success[0].value
    created = [p for p in shared.rows()[0] if p["nom"] == "Pôle <b>créé</b> =1+1"]
    assert len(created) == 1 and created[0]["commune_insee"] == "78440"
    assert created[0]["modifie_par"] == "admin@cress.test"
    # a commune that does not exist: the reader's message, nothing written
    _field(at, "Nom du pôle *").input("Pôle fantôme")
    _field(at, "Commune du siège").input("Nulle-Part-sur-Mer")
    next(b for b in at.button if b.label == "Enregistrer le pôle").click().run()
    assert "Enregistrement refusé" in at.error[0].value and not at.exception
    assert not [p for p in shared.rows()[0] if p["nom"] == "Pôle fantôme"]


def test_hostile_text_in_edit_messages_is_shown_as_written(shared):
    """A pole's name is quoted in the confirmation and in a refusal: never as markdown."""
    at = _sign_in(AppTest.from_file(APP, default_timeout=120).run(), "admin@cress.test", PASSWORD)
    _edit_page_shown(at)
    name = "**gras** [lien](javascript:alert(1)) :material/home: {{ 7*7 }} %{x} =1+1"
    _field(at, "Nom du pôle *").input(name)
    _field(at, "Code INSEE de la commune du siège").input("01001")
    next(b for b in at.button if b.label == "Enregistrer le pôle").click().run()
    assert at.success[0].value == f"Pôle « ` {name} ` » enregistré."  # one code span: nothing rendered
    saved = next(p for p in shared.rows()[0] if p["nom"] == name)
    # the same id again: the refusal quotes it inside a code span
    _field(at, "Nom du pôle *").input(name)
    next(b for b in at.button if b.label == "Enregistrer le pôle").click().run()
    refusal = at.error[0].value
    assert saved["id"] in refusal and refusal.startswith("Enregistrement refusé : `")
