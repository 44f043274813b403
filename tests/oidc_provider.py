"""A real OpenID Connect provider for the tests (``tests/oidc/provider.js``, npm package
``oidc-provider``), on a free loopback port, stopped afterwards.

``scripts/test.sh`` runs ``npm ci`` in ``tests/oidc/`` once. The provider knows one
client, the dashboard, whose redirect URI is given by the caller; its sign-in page
takes an e-mail address as login (see the script's header for the accounts).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from dashboard import serve

OIDC_DIR = Path(__file__).resolve().parent / "oidc"


class ProviderUnavailable(RuntimeError):
    """node, the npm packages or the provider itself are missing or would not start."""


@dataclass(frozen=True)
class Provider:
    issuer: str
    client_id: str
    client_secret: str
    redirect_uri: str

    @property
    def metadata_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def secrets_toml(self, cookie_secret: str) -> str:
        """The dashboard's ``[auth]`` section for this provider."""
        return (f'[auth]\nredirect_uri = "{self.redirect_uri}"\ncookie_secret = "{cookie_secret}"\n'
                f'client_id = "{self.client_id}"\nclient_secret = "{self.client_secret}"\n'
                f'server_metadata_url = "{self.metadata_url}"\n')


def _free_port(avoid: int | None) -> int:
    """A free loopback port, other than ``avoid`` (the app's, chosen but not yet taken)."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port != avoid:
            return port


@contextlib.contextmanager
def provider(redirect_uri: str):
    """Start the provider for a client redirecting to ``redirect_uri``; yield a :class:`Provider`."""
    node = shutil.which("node")
    if node is None:
        raise ProviderUnavailable("node est introuvable : installez Node.js 20 ou plus récent")
    if not (OIDC_DIR / "node_modules" / "oidc-provider").is_dir():
        raise ProviderUnavailable("le paquet npm oidc-provider manque : lancez « npm ci » dans tests/oidc "
                                  "(scripts/test.sh le fait)")
    port = _free_port(avoid=urlsplit(redirect_uri).port)
    op = Provider(f"http://127.0.0.1:{port}", "ptce-tableau-de-bord", secrets.token_urlsafe(24), redirect_uri)
    env = {**os.environ, "OIDC_PORT": str(port), "OIDC_CLIENT_ID": op.client_id,
           "OIDC_CLIENT_SECRET": op.client_secret, "OIDC_REDIRECT_URI": redirect_uri}
    # setpriv --pdeathsig: the provider stops if the test process dies without cleaning up
    argv = [node, "provider.js"]
    if shutil.which("setpriv"):
        argv = ["setpriv", "--pdeathsig", "SIGTERM", "--", *argv]
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(argv, cwd=OIDC_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)

        def output() -> str:
            log.seek(0)
            return log.read().decode(errors="replace")[-2000:]
        try:
            deadline = time.monotonic() + 30
            while True:
                if proc.poll() is not None:
                    raise ProviderUnavailable("le fournisseur OpenID Connect s'est arrêté :\n" + output())
                try:
                    with urllib.request.urlopen(op.metadata_url, timeout=2) as response:
                        if response.status == 200:
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise ProviderUnavailable("le fournisseur OpenID Connect n'a pas démarré :\n" + output())
                time.sleep(0.1)
            yield op
        finally:
            serve.stop(proc, timeout=10)
