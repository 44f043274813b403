"""Text normalisation shared by header matching, vocabulary and geocoding."""

from __future__ import annotations

import re
import unicodedata

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def strip_accents(value: str) -> str:
    """Return ``value`` without diacritics (``Émergent`` -> ``Emergent``)."""
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
