"""Start the dashboard with the project's settings: ``python -m dashboard.serve [streamlit options]``.

Streamlit's own upload limit (``server.maxUploadSize``, whole megabytes) is
set from ``PTCE_MAX_UPLOAD_MB``, so the browser refuses what the core would
refuse.

The browser tests and the benchmarks start the app with :func:`running` (a
server on a free loopback port, stopped afterwards) and Chromium with
:func:`chromium_options`: one launcher for both.
"""

from __future__ import annotations

import contextlib
import math
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Iterator

from ptce_geo import paths, settings

#: A map's frame, as a browser finds it. Its title is the map's own (« Carte des … »,
#: RGAA 2.1); the frame sits in the container :func:`dashboard.common.folium_map` keys
#: ``cadre_<key>``. Shared by the browser tests and the benchmarks.
MAP_FRAME = "[class*=st-key-cadre_carte] iframe"
#: Chromium flags for a headless browser in a container or CI: no sandbox
#: (no user namespaces there), no GPU, and none of Chrome's own traffic.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def command(*options: str) -> list[str]:
    """The command line that runs the app, with ``options`` passed to Streamlit."""
    upload_mb = max(1, math.ceil(settings.max_upload_mb()))
    return [sys.executable, "-m", "dashboard.launch", "run", str(paths.ROOT / "dashboard" / "app.py"),
            "--server.maxUploadSize", str(upload_mb), *options]


def main(argv: list[str] | None = None) -> None:
    argv = command(*(sys.argv[1:] if argv is None else argv))
    os.chdir(paths.ROOT)
    os.execv(argv[0], argv)


# ---------------------------------------------------------------------------
# A server for tests and benchmarks


class ServerError(RuntimeError):
    """The app did not start (the message ends with the server's output)."""


class AppURL(str):
    """The base URL of a running app, ``http://127.0.0.1:PORT``, carrying the server's process id."""

    pid: int

    def __new__(cls, url: str, pid: int):
        obj = super().__new__(cls, url)
        obj.pid = pid
        return obj


def free_port() -> int:
    """A TCP port that is free on the loopback interface right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
            return answer.read() == b"ok"
    except OSError:
        return False


@contextlib.contextmanager
def running(env: dict[str, str] | None = None, timeout: float = 120, options: list[str] | tuple[str, ...] = (),
            port: int | None = None) -> Iterator[AppURL]:
    """The app on a free loopback port, from ``python -m dashboard.serve`` as
    ``scripts/run.sh`` starts it; yields its URL once ``/_stcore/health``
    answers, and stops the server on exit.

    ``options`` go to Streamlit (``--secrets.files``…); ``port`` is chosen when
    another party must know it in advance (an identity provider's redirect).
    ``env`` adds to this process's environment: the server reads its settings
    (``PTCE_POLES``, ``PTCE_FOND_DE_CARTE``…) from there. Raises
    :class:`ServerError` if the server exits or stays silent for ``timeout`` s.
    """
    port = port or free_port()
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen([sys.executable, "-m", "dashboard.serve", "--server.port", str(port),
                             "--server.address", "127.0.0.1", "--server.headless", "true", *options],
                            cwd=paths.ROOT, env={**os.environ, **(env or {})}, stdout=log, stderr=subprocess.STDOUT)
    url = AppURL(f"http://127.0.0.1:{port}", proc.pid)
    try:
        deadline = time.monotonic() + timeout
        while not _healthy(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                output = log.read().decode(errors="replace")[-2000:]
                why = f"s'est arrêté (code {proc.returncode})" if proc.returncode is not None \
                    else f"ne répond pas après {timeout:.0f} s"
                raise ServerError(f"le serveur Streamlit {why} :\n{output}")
            time.sleep(0.3)
        yield url
    finally:
        stop(proc)
        log.close()


def stop(proc: subprocess.Popen, timeout: float = 20) -> None:
    """Ask a child process to stop; kill it if it has not within ``timeout`` seconds."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def chromium_options() -> dict:
    """Keyword arguments for Playwright's ``chromium.launch`` (sync or async API):
    Debian's ``chromium`` and :data:`CHROMIUM_ARGS`."""
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(executable).exists():
        raise FileNotFoundError("chromium est introuvable : installez le paquet Debian « chromium » "
                                "(scripts/test.sh le fait)")
    return {"executable_path": executable, "args": CHROMIUM_ARGS}


if __name__ == "__main__":
    main()
