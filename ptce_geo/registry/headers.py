"""Matching a file's headers to the registry's columns (case, accents, aliases)."""

from __future__ import annotations

from typing import Iterable

import pandas as pd

from ..text import slug
from .model import AVERTISSEMENT, POLE_COLUMNS, REQUIRED, SOUTIEN_COLUMNS, Issue

#: Header aliases, as slugs (see :func:`ptce_geo.text.slug`).
ALIASES = {
    "poles": {
        "id": ["identifiant", "id_pole", "code_pole", "ref", "reference", "numero", "n", "no", "num"],
        "nom": ["nom_du_pole", "nom_pole", "pole", "ptce", "nom_du_ptce", "nom_ptce", "raison_sociale",
                "denomination", "intitule", "name", "libelle"],
        "commune_insee": ["code_insee", "insee", "code_commune", "cog", "code_commune_insee", "codgeo",
                          "insee_commune", "code_insee_commune"],
        "commune": ["ville", "nom_commune", "localite", "municipalite", "commune_siege", "ville_siege",
                    "nom_de_la_commune", "city", "commune_du_siege", "ville_du_siege"],
        "departement": ["dep", "dept", "departement_code", "code_departement", "num_departement",
                        "departement_siege", "dpt"],
        "code_postal": ["cp", "postal", "code_postale", "zip", "codepostal"],
        "latitude": ["lat", "y", "y_wgs84", "lat_wgs84"],
        "longitude": ["lon", "lng", "long", "x", "x_wgs84", "lon_wgs84"],
        "typologie": ["type", "type_de_pole", "type_pole", "typologie_du_pole"],
        "secteurs": ["secteur", "secteur_d_activite", "secteurs_d_activite", "domaines", "domaine",
                     "filieres", "thematiques", "thematique"],
        "stade": ["etape", "stade_de_developpement", "maturite", "etat", "phase"],
        "annee_creation": ["annee", "annee_de_creation", "creation", "date_creation", "date_de_creation"],
        "nb_membres": ["membres", "nombre_de_membres", "nb_structures", "nombre_membres", "structures_membres"],
        "emplois": ["nb_emplois", "emplois_directs", "etp", "nombre_d_emplois"],
        "perimetre": ["perimetre_d_action", "territoire", "territoires", "perimetre_codes", "zone_d_action"],
        "porteur": ["structure_porteuse", "porteur_du_pole", "structure_support"],
        "site_web": ["site", "url", "site_internet", "web", "website"],
        "date_maj": ["mise_a_jour", "maj", "date_de_mise_a_jour", "derniere_mise_a_jour"],
        "source": ["sources", "origine"],
    },
    "soutiens": {
        "pole_id": ["id_pole", "pole", "identifiant_pole", "ptce_id", "code_pole", "id_du_pole", "ref_pole"],
        "collectivite_niveau": ["niveau", "niveau_collectivite", "type_collectivite", "echelon",
                                "type_de_collectivite", "niveau_de_collectivite"],
        "collectivite_code": ["code_collectivite", "code_territoire", "siren", "code_insee_collectivite"],
        "collectivite_nom": ["collectivite", "nom_collectivite", "nom_de_la_collectivite"],
        "forme": ["forme_soutien", "type_soutien", "type_de_soutien", "nature", "forme_du_soutien", "nature_du_soutien"],
        "leviers": ["levier", "leviers_mobilises", "levier_mobilise"],
        "annee": ["annee_soutien", "date", "exercice"],
        "montant_eur": ["montant", "montant_euros", "montant_en_euros", "montant_eur_ttc", "montant_ht"],
    },
}


def map_headers(columns: Iterable[str], table: str) -> tuple[dict[str, str], list[Issue]]:
    """Map original headers to canonical names. Unknown headers are kept as is."""
    canonical = POLE_COLUMNS if table == "poles" else SOUTIEN_COLUMNS
    aliases = ALIASES[table]
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    issues: list[Issue] = []
    columns = list(columns)
    # exact names first, then aliases
    for col in columns:
        key = slug(col)
        if key in canonical and key not in taken:
            mapping[col] = key
            taken.add(key)
    for col in columns:
        if col in mapping:
            continue
        key = slug(col)
        target = next((c for c in canonical if key in aliases.get(c, []) and c not in taken), None)
        if target:
            mapping[col] = target
            taken.add(target)
        elif key in canonical or any(key in a for a in aliases.values()):
            issues.append(Issue(AVERTISSEMENT, table, 1, col, col,
                                "colonne en double : une autre colonne porte déjà ce sens, celle-ci est conservée telle quelle",
                                "supprimez ou renommez l'une des deux colonnes"))
    return mapping, issues


class Headers(dict):
    """The headers as the user wrote them, by canonical column, kept in a table's ``attrs``.
    Read-only, so shared rather than copied: pandas deep-copies a frame's ``attrs`` into
    every frame derived from it (each filter, selection, copy), which cost more than some
    of the operations themselves."""

    def __deepcopy__(self, memo):
        return self

    def __reduce__(self):  # pickled (to or from a worker process) as a plain mapping
        return (Headers, (dict(self),))

    def _read_only(self, *args, **kwargs):
        raise TypeError("les en-têtes d'un tableau ne se modifient pas")

    __setitem__ = __delitem__ = update = pop = popitem = clear = setdefault = __ior__ = _read_only


def user_header(frame: pd.DataFrame, canonical: str | None) -> str | None:
    """The header the user wrote for a canonical column of a validated table."""
    return frame.attrs.get("entetes", {}).get(canonical, canonical) if canonical else canonical


def missing_required(mapping: dict[str, str], table: str) -> list[str]:
    return [c for c in REQUIRED[table] if c not in mapping.values()]
