"""Start the real app on a loopback port and drive Debian's chromium with Playwright."""

import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from ptce_geo import paths
from tests import oidc_provider

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = paths.ROOT / "test-artifacts"


LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run", "--disable-quic"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerURL(str):
    """The app's base URL, carrying the server's process id."""

    def __new__(cls, url: str, pid: int):
        obj = super().__new__(cls, url)
        obj.pid = pid
        return obj


def rss_mb(pid: int) -> float:
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@contextlib.contextmanager
def start_server(extra_env: dict | None = None, options: list[str] | tuple[str, ...] = (), port: int | None = None):
    """The real app on a loopback port (``port``, else a free one), with extra Streamlit
    ``options`` (``--secrets.files``…), stopped afterwards."""
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium est introuvable : installez le paquet Debian « chromium » (voir .ci/run)")
    port = port or free_port()
    env = {**os.environ, "PTCE_FOND_DE_CARTE": "aucun", **(extra_env or {})}
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(paths.ROOT / "dashboard" / "app.py"),
                             "--server.port", str(port), "--server.address", "127.0.0.1",
                             "--server.headless", "true", "--server.enableStaticServing", "true",
                             "--browser.gatherUsageStats", "false", *options],
                            cwd=paths.ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("le serveur Streamlit n'a pas démarré : " + proc.stdout.read().decode(errors="replace")[-2000:])
    try:
        yield ServerURL(url, proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture(scope="session")
def app_url():
    with start_server() as url:
        yield url


@pytest.fixture(scope="session")
def oidc():
    """A real OpenID Connect provider (tests/oidc/) whose client is the dashboard started by
    ``oidc_app_url`` on the port chosen here."""
    app_port = free_port()
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
        b = pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
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
