"""Settings: read at call time, documented in the README, refused with a French message."""

import re

import pytest

from dashboard import serve
from ptce_geo import paths, settings


def test_every_setting_is_in_the_readme_table():
    readme = (paths.ROOT / "README.md").read_text(encoding="utf-8")
    table = [line for line in readme.splitlines() if line.startswith("| `PTCE_")]
    documented = set(re.findall(r"`(PTCE_[A-Z_]+)`", "\n".join(table)))
    assert documented == set(settings.SETTINGS), documented ^ set(settings.SETTINGS)


def test_every_setting_read_in_the_code_is_declared():
    read = set()
    for path in list((paths.ROOT / "ptce_geo").rglob("*.py")) + list((paths.ROOT / "dashboard").rglob("*.py")):
        read |= set(re.findall(r"\"(PTCE_[A-Z_]+)\"", path.read_text(encoding="utf-8")))
    assert read <= set(settings.SETTINGS), read - set(settings.SETTINGS)


def test_settings_are_read_when_asked(monkeypatch):
    monkeypatch.setenv("PTCE_MAX_ROWS", "1000")
    assert settings.max_rows() == 1000
    monkeypatch.setenv("PTCE_MAX_ROWS", "2000")
    assert settings.max_rows() == 2000
    monkeypatch.delenv("PTCE_MAX_ROWS")
    assert settings.max_rows() == 100_000


def test_a_bad_setting_names_itself(monkeypatch):
    monkeypatch.setenv("PTCE_MAX_UPLOAD_MB", "beaucoup")
    with pytest.raises(settings.SettingError, match="PTCE_MAX_UPLOAD_MB.*nombre positif"):
        settings.max_bytes()


def test_streamlit_upload_limit_follows_the_setting(monkeypatch):
    monkeypatch.setenv("PTCE_MAX_UPLOAD_MB", "2,5")
    argv = serve.command()
    assert argv[argv.index("--server.maxUploadSize") + 1] == "3"


def test_a_server_with_a_bad_setting_stops_with_its_name():
    with pytest.raises(serve.ServerError, match="PTCE_MAX_UPLOAD_MB"):
        with serve.running({"PTCE_MAX_UPLOAD_MB": "beaucoup"}, timeout=60):
            pass
