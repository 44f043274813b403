"""Text normalisation shared by header matching, vocabulary, geocoding and list cells."""

from __future__ import annotations

import re
import unicodedata

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def strip_accents(value: str) -> str:
    """Return ``value`` without diacritics (``Émergent`` -> ``Emergent``)."""
    if value.isascii():
        return value
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def slug(value: object, sep: str = "_") -> str:
    """Lower-case, accent-free identifier: ``"Nom du pôle"`` -> ``"nom_du_pole"``."""
    if value is None:
        return ""
    text = strip_accents(str(value)).lower().replace("œ", "oe").replace("æ", "ae")
    return _NON_ALNUM.sub(sep, text).strip(sep)


def is_blank(value: object) -> bool:
    """True for None, NaN and strings made only of white space."""
    if value is None:
        return True
    if isinstance(value, float) and value != value:  # NaN
        return True
    return isinstance(value, str) and not value.strip()


def thousands(number: int) -> str:
    """An integer with French thousands separators: ``1234567`` -> ``"1 234 567"``."""
    return f"{number:,}".replace(",", " ")


def split_list(value: object) -> list[str]:
    """Split a list cell on ``|`` (also ``;`` and ``,`` when no ``|`` is used)."""
    text = "" if is_blank(value) else str(value)
    if not text.strip():
        return []
    sep = "|" if "|" in text else (";" if ";" in text else ",")
    return [part.strip() for part in text.split(sep) if part.strip()]
