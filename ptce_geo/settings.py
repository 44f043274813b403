"""Every setting the project reads from the environment, in one place.

Each is read when asked for, never at import time, so a test or a long-lived
process sees the current value. :data:`SETTINGS` documents them all; the
README's table must list each one (``tests/test_settings.py`` checks it).
"""

from __future__ import annotations

import os
from pathlib import Path

from . import paths


class SettingError(ValueError):
    """A setting with a value that cannot be used; the message is in French."""


#: name -> (default, what it sets), in French as in the README.
SETTINGS = {
    "PTCE_POLES": ("registre de démonstration", "fichier des pôles affiché par le tableau de bord"),
    "PTCE_SOUTIENS": ("", "fichier des soutiens, si les pôles n'en contiennent pas"),
    "PTCE_FOND_DE_CARTE": ("osm", "fond de carte : osm, ign ou aucun"),
    "PTCE_CACHE_DIR": ("geodata/cache/", "dossier du cache des contours"),
    "PTCE_MAX_ROWS": ("100000", "nombre maximal de lignes d'un registre"),
    "PTCE_MAX_UPLOAD_MB": ("20", "taille maximale d'un registre, en Mo"),
    "PTCE_DEBUG": ("", "afficher la trace Python d'une erreur interne (ligne de commande)"),
    "PTCE_DATABASE_URL": ("data/ptce.sqlite3", "base du registre partagé (SQLite ou postgresql+psycopg://…)"),
    "PTCE_SESSION_HEURES": ("8", "durée d'une connexion par compte local, en heures"),
    "PTCE_CONTACT_ACCESSIBILITE": ("", "adresse (courriel ou page web) où signaler un défaut d'accessibilité, "
                                       "citée par la déclaration d'accessibilité"),
}


def _raw(name: str) -> str:
    return os.environ.get(name, "").strip()


def _number(name: str, default: float) -> float:
    raw = _raw(name)
    if not raw:
        return default
    try:
        value = float(raw.replace(",", "."))
    except ValueError:
        value = -1
    if not value > 0:
        raise SettingError(f"{name}={raw!r} : un nombre positif est attendu (par défaut {default:g})")
    return value


def max_rows() -> int:
    return int(_number("PTCE_MAX_ROWS", 100_000))


def max_upload_mb() -> float:
    return _number("PTCE_MAX_UPLOAD_MB", 20)


def max_bytes() -> int:
    return int(max_upload_mb() * 1024 * 1024)


def registry_files() -> tuple[str | None, str | None]:
    """The configured registry (poles, soutiens); ``(None, None)`` for the demo."""
    return _raw("PTCE_POLES") or None, _raw("PTCE_SOUTIENS") or None


def basemap(choices) -> str:
    """The configured basemap if it is one of ``choices``, else ``osm``."""
    value = _raw("PTCE_FOND_DE_CARTE") or "osm"
    return value if value in choices else "osm"


def cache_dir() -> Path:
    return Path(_raw("PTCE_CACHE_DIR") or paths.GEODATA / "cache")


def debug() -> bool:
    return bool(_raw("PTCE_DEBUG"))


def database_url() -> str:
    """The shared registry's database: ``PTCE_DATABASE_URL``, else a SQLite file in ``data/``."""
    return _raw("PTCE_DATABASE_URL") or f"sqlite:///{paths.ROOT / 'data' / 'ptce.sqlite3'}"


def accessibility_contact() -> str:
    """Where users report an accessibility problem (an e-mail or a web page), or ``""``."""
    return _raw("PTCE_CONTACT_ACCESSIBILITE")


def session_hours() -> float:
    return _number("PTCE_SESSION_HEURES", 8)
