"""Start the real app on a loopback port and drive Debian's chromium with Playwright."""

import secrets
from urllib.parse import urlsplit

import pytest

from dashboard import serve
from ptce_geo import paths
from tests import oidc_provider

ARTIFACTS = paths.ROOT / "test-artifacts"
MAP_FRAME = serve.MAP_FRAME
#: The app without map tiles: the tests refuse every request that leaves the machine.
OFFLINE = {"PTCE_FOND_DE_CARTE": "aucun"}


def open_data_page(page, url: str) -> None:
    """Open the Données page at ``url`` and wait for its first run to be over. A file set
    on an uploader while the page is still being laid out can land in the element React
    then reuses for the other uploader (seen in CI: a poles file in the supports one)."""
    page.goto(url)
    page.get_by_role("heading", name="Modèle et schéma").wait_for(timeout=90_000)
    page.locator("[data-testid=stApp][data-test-script-state=notRunning]").wait_for(timeout=90_000)


def poles_uploader(page):
    """The Données page's poles uploader, found by its label (not by its rank)."""
    import re
    return page.get_by_role("region", name=re.compile(r"^Pôles \("))


def rss_mb(pid: int) -> float:
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def start_server(extra_env: dict | None = None, options: list[str] | tuple[str, ...] = (), port: int | None = None):
    """The real app on a loopback port (``port``, else a free one), with extra Streamlit
    ``options`` (``--secrets.files``…): a context manager, stopped afterwards."""
    return serve.running({**OFFLINE, **(extra_env or {})}, options=options, port=port)


@pytest.fixture(scope="session")
def app_url():
    with start_server() as url:
        yield url


@pytest.fixture(scope="session")
def oidc():
    """A real OpenID Connect provider (tests/oidc/) whose client is the dashboard started by
    ``oidc_app_url`` on the port chosen here."""
    app_port = serve.free_port()
    try:
        with oidc_provider.provider(f"http://127.0.0.1:{app_port}/oauth2callback") as op:
            yield op
    except oidc_provider.ProviderUnavailable as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="session")
def oidc_app_url(oidc, tmp_path_factory):
    """The dashboard with sign-in configured for the ``oidc`` provider (``[auth]`` secrets
    in a file of its own, passed with ``--secrets.files``)."""
    secrets_file = tmp_path_factory.mktemp("oidc") / "secrets.toml"
    secrets_file.write_text(oidc.secrets_toml(cookie_secret=secrets.token_urlsafe(32)), encoding="utf-8")
    with start_server(options=["--secrets.files", str(secrets_file)], port=urlsplit(oidc.redirect_uri).port) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        b = pw.chromium.launch(**serve.chromium_options())
        yield b
        b.close()


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def local_only(context, *servers: str) -> list[str]:
    """Let ``context`` reach only these servers (exact origins): any other request is
    refused and recorded in the returned list."""
    allowed = {_origin(u) for u in servers}
    refused: list[str] = []

    def route(r):
        url = r.request.url
        if url.startswith(("data:", "about:", "blob:")) or _origin(url) in allowed:
            r.continue_()
        else:
            refused.append(url)
            r.abort()
    context.route("**/*", route)
    return refused


@pytest.fixture
def page(browser, app_url):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    external = local_only(context, app_url)  # no third-party network
    p = context.new_page()
    p.external_requests = external
    yield p
    context.close()


@pytest.fixture
def shot():
    ARTIFACTS.mkdir(exist_ok=True)
    return lambda page, name: page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
