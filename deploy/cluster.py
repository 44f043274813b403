"""The compose topology with plain processes, on loopback: PostgreSQL + PostGIS,
several Streamlit replicas and nginx with ``deploy/nginx.conf``.

``python -m deploy.cluster [--replicas 2] [--port 8080]`` starts everything and waits
(Ctrl-C stops it all); the browser tests and the benchmarks use :func:`running`.

- PostgreSQL: a throw-away cluster (``tests/postgres.py``: ``initdb`` + ``postgres``
  from Debian's ``postgresql-15-postgis-3``, as an unprivileged user when run as root),
  unless a database URL is given;
- the database is migrated and seeded once (``python -m ptce_geo db init``) before the
  replicas start, as compose's ``migrate`` service does;
- each replica is ``python -m dashboard.serve`` (as ``scripts/run.sh``) on its own port,
  all with the same ``server.cookieSecret`` so that a browser moved to another replica
  keeps a valid XSRF cookie (uploads) and sign-in cookie;
- nginx (Debian package ``nginx``) runs in the foreground from a temporary prefix with
  ``deploy/nginx.conf``, where only ports and paths are substituted.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from dashboard import serve
from ptce_geo import paths, settings

NGINX_CONF = paths.ROOT / "deploy" / "nginx.conf"
_PLACEHOLDER = re.compile(r"\$\{(PTCE_[A-Z0-9_]+)\}")


class ClusterError(RuntimeError):
    """A part of the topology would not start (the message says which and why)."""


def render(template: str, values: dict[str, str]) -> str:
    """``template`` with each ``${PTCE_…}`` replaced, as the nginx image's envsubst does
    (nginx's own ``$variables`` are left alone). Raises if one has no value."""
    missing = sorted({m for m in _PLACEHOLDER.findall(template) if m not in values})
    if missing:
        raise ClusterError(f"valeur manquante pour {', '.join(missing)} dans {NGINX_CONF.name}")
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], template)


def nginx_binary() -> str:
    found = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(found).exists():
        raise ClusterError("nginx est introuvable : installez le paquet Debian « nginx » (scripts/test.sh le fait)")
    return found


@dataclass
class Replica:
    url: serve.AppURL

    @property
    def pid(self) -> int:
        return self.url.pid

    def kill(self) -> None:
        """Kill the process at once (SIGKILL), as a crash would."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)


@dataclass
class Cluster:
    url: str                      # nginx, the only address users need
    database_url: str
    replicas: list[Replica] = field(default_factory=list)
    nginx_pid: int = 0
    access_log: Path | None = None

    def served_by(self, route: str) -> list[int]:
        """Indexes of the replicas that answered the browser whose route cookie is ``route``,
        one per request, in the order of nginx's access log."""
        addresses = [r.url.split("//", 1)[1] for r in self.replicas]
        served = []
        for line in self.access_log.read_text(errors="replace").splitlines():
            fields = line.split("|")
            if len(fields) >= 2 and fields[0] == route:
                # "a, b" when nginx found the first replica gone and moved on to the next
                last = fields[1].split(",")[-1].strip()
                if last in addresses:
                    served.append(addresses.index(last))
        return served

    def replica_of(self, route: str) -> int | None:
        """Index of the replica that last served the browser whose route cookie is ``route``
        (from nginx's access log), or None if it has not been served yet."""
        served = self.served_by(route)
        return served[-1] if served else None


def _wait_http(url: str, proc: subprocess.Popen, log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ClusterError("nginx s'est arrêté au démarrage :\n" + log.read_text(errors="replace")[-2000:])
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise ClusterError("nginx ne répond pas :\n" + log.read_text(errors="replace")[-2000:])


@contextlib.contextmanager
def nginx(servers: list[str], port: int | None = None,
          frame_ancestors: str = "") -> Iterator[tuple[str, int, Path]]:
    """nginx in front of ``servers`` ("127.0.0.1:PORT"), with deploy/nginx.conf; yields
    (its URL, its master's pid, its access log) and stops it afterwards. The access log
    says which replica served each request, by route cookie: ``route|upstream|status|method|path``
    (``|``-separated: the upstream is ``a, b`` when nginx moved on to another replica)."""
    binary = nginx_binary()
    port = port or serve.free_port()
    prefix = Path(tempfile.mkdtemp(prefix="ptce-nginx-"))
    os.chmod(prefix, 0o755)  # the workers (user nobody when started by root) read and write below
    proc = None
    try:
        (prefix / "temp").mkdir(mode=0o777)
        site = render(NGINX_CONF.read_text(encoding="utf-8"), {
            "PTCE_APP_SERVERS": "\n    ".join(f"server {s} max_fails=3 fail_timeout=10s;" for s in servers),
            "PTCE_LISTEN": f"127.0.0.1:{port}",
            "PTCE_FRAME_ANCESTORS": frame_ancestors,
            "PTCE_MAX_UPLOAD_MB": str(max(1, round(settings.max_upload_mb()))),
            "PTCE_NGINX_TEMP": str(prefix / "temp"),
        })
        (prefix / "ptce.conf").write_text(site, encoding="utf-8")
        log = prefix / "error.log"
        (prefix / "nginx.conf").write_text(
            "daemon off;\nworker_processes 1;\n"
            f"pid {prefix / 'nginx.pid'};\nerror_log {log} warn;\n"
            "events { worker_connections 2048; }\n"
            "http {\n    default_type application/octet-stream;\n"
            "    log_format ptce '$ptce_route|$upstream_addr|$status|$request_method|$uri';\n"
            f"    access_log {prefix / 'access.log'} ptce;\n"
            f"    include /etc/nginx/mime.types;\n    include {prefix / 'ptce.conf'};\n}}\n", encoding="utf-8")
        check = subprocess.run([binary, "-t", "-q", "-p", str(prefix), "-c", str(prefix / "nginx.conf"),
                                "-e", str(log)], capture_output=True, text=True)
        if check.returncode != 0:
            raise ClusterError("la configuration nginx est refusée :\n" + check.stderr[-2000:])
        proc = subprocess.Popen(["setpriv", "--pdeathsig", "SIGTERM", "--", binary, "-p", str(prefix), "-c",
                                 str(prefix / "nginx.conf"), "-e", str(log)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        _wait_http(url + "/nginx-health", proc, log)
        yield url, proc.pid, prefix / "access.log"
    finally:
        if proc is not None:
            serve.stop(proc)  # SIGTERM: nginx's fast shutdown
        shutil.rmtree(prefix, ignore_errors=True)


def _init_database(url: str) -> None:
    done = subprocess.run([sys.executable, "-m", "ptce_geo", "db", "init"], cwd=paths.ROOT,
                          env={**os.environ, "PTCE_DATABASE_URL": url}, capture_output=True, text=True)
    if done.returncode != 0:
        raise ClusterError("la base n'a pas pu être initialisée :\n" + (done.stdout + done.stderr)[-2000:])


def _start_replicas(stack: contextlib.ExitStack, env: dict[str, str], n: int) -> list[serve.AppURL]:
    """Start ``n`` replicas at once (each loads the boundaries: in parallel it is faster);
    each started one is stopped by ``stack``, even if another failed."""
    from concurrent.futures import ThreadPoolExecutor
    managers = [serve.running(env) for _ in range(n)]
    with ThreadPoolExecutor(n) as pool:
        futures = [pool.submit(m.__enter__) for m in managers]
    urls, errors = [], []
    for manager, future in zip(managers, futures):
        try:
            urls.append(future.result())
            stack.push(manager.__exit__)
        except Exception as exc:  # noqa: BLE001 - raised below, once the others are registered
            errors.append(exc)
    if errors:
        raise ClusterError(f"une réplique n'a pas démarré : {errors[0]}") from errors[0]
    return urls


@contextlib.contextmanager
def running(replicas: int = 2, database_url: str | None = None, env: dict[str, str] | None = None,
            port: int | None = None, frame_ancestors: str = "") -> Iterator[Cluster]:
    """The whole topology; yields a :class:`Cluster` once nginx and every replica answer,
    and stops everything afterwards (replicas, nginx, the database if started here)."""
    with contextlib.ExitStack() as stack:
        if database_url is None:
            from tests import postgres  # the same throw-away cluster as the tests
            try:
                database_url = stack.enter_context(postgres.cluster())
            except postgres.PostgresUnavailable as exc:
                raise ClusterError(str(exc)) from exc
        _init_database(database_url)
        shared = {"PTCE_DATABASE_URL": database_url, "STREAMLIT_SERVER_COOKIE_SECRET": secrets.token_urlsafe(32),
                  **(env or {})}
        apps = [Replica(url) for url in _start_replicas(stack, shared, replicas)]
        url, pid, log = stack.enter_context(nginx([r.url.split("//", 1)[1] for r in apps], port, frame_ancestors))
        yield Cluster(url, database_url, apps, pid, log)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.cluster",
                                     description="PostgreSQL, plusieurs processus Streamlit et nginx, sur 127.0.0.1.")
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--port", type=int, default=8080, help="port de nginx")
    parser.add_argument("--base", help="URL SQLAlchemy d'une base existante (sinon une base jetable)")
    parser.add_argument("--integration", default="", help="sites autorisés à intégrer la vue carte (frame-ancestors)")
    args = parser.parse_args(argv)
    try:
        with running(args.replicas, args.base, port=args.port, frame_ancestors=args.integration) as c:
            print(f"Tableau de bord : {c.url}  (répliques : {', '.join(r.url for r in c.replicas)})", flush=True)
            print("Ctrl-C pour tout arrêter.", flush=True)
            with contextlib.suppress(KeyboardInterrupt):
                while True:
                    time.sleep(3600)
    except ClusterError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
