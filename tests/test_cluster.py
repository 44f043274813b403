"""deploy/: the nginx file is complete for both its users (compose.yaml and deploy/cluster.py),
and nginx accepts it."""

import re
import subprocess

import pytest

from deploy import cluster
from ptce_geo import paths

PLACEHOLDERS = set(re.findall(r"\$\{(PTCE_[A-Z0-9_]+)\}", cluster.NGINX_CONF.read_text(encoding="utf-8")))


def test_compose_gives_nginx_every_placeholder_and_the_replicas_one_secret():
    compose = (paths.ROOT / "compose.yaml").read_text(encoding="utf-8")
    nginx = compose[compose.index("\n  nginx:"):]
    assert PLACEHOLDERS and all(f"{name}:" in nginx for name in PLACEHOLDERS), PLACEHOLDERS
    assert "./deploy/nginx.conf:/etc/nginx/templates/default.conf.template" in nginx
    assert "STREAMLIT_SERVER_COOKIE_SECRET:" in compose


def test_a_missing_value_is_named():
    with pytest.raises(cluster.ClusterError, match="PTCE_LISTEN"):
        cluster.render("listen ${PTCE_LISTEN}; proxy_set_header Host $http_host;", {})
    assert cluster.render("listen ${PTCE_LISTEN}; $http_host", {"PTCE_LISTEN": "80"}) == "listen 80; $http_host"


def test_nginx_accepts_the_file(tmp_path):
    site = cluster.render(cluster.NGINX_CONF.read_text(encoding="utf-8"), {
        "PTCE_APP_SERVERS": "server 127.0.0.1:1 max_fails=3 fail_timeout=10s;", "PTCE_LISTEN": "127.0.0.1:1",
        "PTCE_FRAME_ANCESTORS": "https://www.exemple.fr", "PTCE_MAX_UPLOAD_MB": "20",
        "PTCE_NGINX_TEMP": str(tmp_path)})
    (tmp_path / "site.conf").write_text(site, encoding="utf-8")
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log; events {{}}\n"
        f"http {{ include {tmp_path}/site.conf; }}\n", encoding="utf-8")
    done = subprocess.run([cluster.nginx_binary(), "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"),
                           "-e", str(tmp_path / "error.log")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_the_image_carries_the_settings_and_lets_the_app_write_where_it_writes():
    """The container runs as a non-root user from /app: it needs Streamlit's settings (static
    serving of the boundary files) and write access to the folders the app fills at run time."""
    from dashboard import common
    docker = (paths.ROOT / "Dockerfile").read_text(encoding="utf-8")
    copied = {line.split()[1] for line in docker.splitlines() if line.startswith("COPY ")}
    assert {"ptce_geo", "dashboard", "geodata", ".streamlit"} <= copied
    ignored = (paths.ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert ".streamlit" not in ignored and ".streamlit/config.toml" not in ignored
    user = re.search(r"^USER (\S+)", docker, re.M).group(1)
    owned = re.search(rf"chown -R {user}:{user} ([^\n\\]+)", docker).group(1).split()
    for written in (common.STATIC_ROOT, paths.ROOT / "data"):
        assert f"/app/{written.relative_to(paths.ROOT)}" in owned, written
