"""The four territory levels, defined once: code, French labels, layer, columns.

A level names where a pole sits and what a coverage table counts. (The levels
of the collectivities that give a support, ``autre`` included, are a
vocabulary of the registry: :data:`ptce_geo.vocab.NIVEAUX`.)
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Level:
    code: str            # as in URLs, the command line and the extracts
    label: str           # at the start of a line: « Département : Isère »
    in_text: str         # inside a sentence: « couverture par département »
    layer: str           # attribute of Territories holding the full-resolution layer
    commune_column: str  # column of the communes layer holding this level's code
    pole_column: str     # column of a located pole holding the code of its seat


LEVELS = {level.code: level for level in (
    Level("commune", "Commune", "commune", "communes", "code", "commune_insee"),
    Level("epci", "EPCI", "EPCI", "epci", "epci_siren", "epci_siren"),
    Level("departement", "Département", "département", "departements", "departement_code", "departement_code"),
    Level("region", "Région", "région", "regions", "region_code", "region_code"),
)}
#: The level codes, from the smallest territory to the largest.
CODES = tuple(LEVELS)


def get(code: str) -> Level:
    """The level named ``code``; a French error listing the allowed codes otherwise."""
    try:
        return LEVELS[code]
    except (KeyError, TypeError):
        raise ValueError(f"niveau de territoire inconnu : « {code} » (attendu : {', '.join(CODES)})") from None
