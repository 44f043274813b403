"""Start the real app on a loopback port and drive Debian's chromium with Playwright."""

import pytest

from dashboard import serve
from ptce_geo import paths

ARTIFACTS = paths.ROOT / "test-artifacts"
#: The app without map tiles: the tests refuse every request that leaves the machine.
OFFLINE = {"PTCE_FOND_DE_CARTE": "aucun"}


def rss_mb(pid: int) -> float:
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def start_server(extra_env: dict | None = None):
    """The real app on a loopback port (a context manager), stopped afterwards."""
    return serve.running({**OFFLINE, **(extra_env or {})})


@pytest.fixture(scope="session")
def app_url():
    with start_server() as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        b = pw.chromium.launch(**serve.chromium_options())
        yield b
        b.close()


@pytest.fixture
def page(browser, app_url):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    external = []

    def route(r):
        # no third-party network: anything that is not the app itself is refused and recorded
        if r.request.url.startswith(app_url) or r.request.url.startswith(("data:", "about:", "blob:")):
            r.continue_()
        else:
            external.append(r.request.url)
            r.abort()
    context.route("**/*", route)
    p = context.new_page()
    p.external_requests = external
    yield p
    context.close()


@pytest.fixture
def shot():
    ARTIFACTS.mkdir(exist_ok=True)
    return lambda page, name: page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
