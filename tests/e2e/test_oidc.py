"""Sign-in with OpenID Connect, end to end: the dashboard (st.login), a real provider
started by the test (tests/oidc/, npm oidc-provider) and Chromium. Nothing is patched:
the browser follows the redirects, signs in at the provider and comes back."""

import pytest
from playwright.sync_api import expect

from .conftest import local_only

SIDEBAR = "[data-testid=stSidebar]"
EMAIL = "agent.territorial@collectivite.example.fr"


@pytest.fixture
def visitor(browser, oidc, oidc_app_url):
    """A new browser (no cookies) that may reach the dashboard and the provider, nothing else."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    external = local_only(context, oidc_app_url, oidc.issuer)
    page = context.new_page()
    page.external_requests = external
    yield page
    context.close()


def _open(page, url):
    page.goto(url)
    expect(page.locator(SIDEBAR).get_by_text("Filtres", exact=True)).to_be_visible(timeout=90_000)
    return page.locator(SIDEBAR)


def _sign_in(page, sidebar, issuer, app_url, login):
    sidebar.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{issuer}/interaction/**", timeout=30_000)  # the provider's own sign-in page
    page.get_by_label("Adresse e-mail").fill(login)
    page.get_by_role("button", name="Continuer").click()
    page.wait_for_url(f"{app_url}/**", timeout=30_000)  # back on the dashboard


def test_sign_in_at_the_provider_then_sign_out(visitor, oidc, oidc_app_url, shot):
    page = visitor
    sidebar = _open(page, oidc_app_url)
    # before signing in: today's dashboard, and the way to sign in
    expect(page.locator("[data-testid=stMetric]").filter(has_text="Pôles affichés")).to_be_visible(timeout=60_000)
    expect(sidebar.get_by_text("Connecté")).to_have_count(0)

    _sign_in(page, sidebar, oidc.issuer, oidc_app_url, EMAIL)
    expect(sidebar.get_by_text(f"Connecté : {EMAIL}", exact=True)).to_be_visible(timeout=60_000)
    expect(sidebar.get_by_role("button", name="Se connecter")).to_have_count(0)
    expect(sidebar.get_by_role("button", name="Se déconnecter")).to_be_visible()
    shot(page, "connexion-oidc")

    # a page reload keeps the user signed in (the identity cookie, not the websocket session)
    sidebar = _open(page, oidc_app_url)
    expect(sidebar.get_by_text(f"Connecté : {EMAIL}", exact=True)).to_be_visible(timeout=60_000)

    sidebar.get_by_role("button", name="Se déconnecter").click()
    # Streamlit ends the session at the provider too (end_session_endpoint), which asks first
    page.wait_for_url(f"{oidc.issuer}/session/end**", timeout=30_000)
    page.get_by_role("button", name="Oui, me déconnecter").click()
    page.wait_for_url(f"{oidc_app_url}/**", timeout=30_000)
    expect(sidebar.get_by_role("button", name="Se connecter")).to_be_visible(timeout=60_000)
    expect(sidebar.get_by_text("Connecté")).to_have_count(0)
    # and a reload does not bring the identity back
    sidebar = _open(page, oidc_app_url)
    expect(sidebar.get_by_role("button", name="Se connecter")).to_be_visible(timeout=60_000)
    expect(sidebar.get_by_text("Connecté")).to_have_count(0)
    assert page.external_requests == []


def test_an_address_the_provider_has_not_verified_is_not_used(visitor, oidc, oidc_app_url):
    page = visitor
    sidebar = _open(page, oidc_app_url)
    _sign_in(page, sidebar, oidc.issuer, oidc_app_url, f"unverified:{EMAIL}")
    expect(sidebar.get_by_text("n'a pas transmis d'adresse e-mail vérifiée")).to_be_visible(timeout=60_000)
    expect(sidebar.get_by_text(EMAIL)).to_have_count(0)
    expect(sidebar.get_by_role("button", name="Se déconnecter")).to_be_visible()
    assert page.external_requests == []


def test_without_auth_settings_there_is_no_sign_in(page, app_url):
    sidebar = _open(page, app_url)
    expect(page.locator("[data-testid=stMetric]").filter(has_text="Pôles affichés")).to_be_visible(timeout=60_000)
    expect(sidebar.get_by_role("button", name="Se connecter")).to_have_count(0)
    expect(sidebar.get_by_text("Connecté")).to_have_count(0)
