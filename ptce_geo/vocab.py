"""Domain vocabulary: codes and French labels, with forgiving matching.

Every controlled list is a mapping ``code -> French label``. :func:`match`
turns what a person typed (any case, with or without accents, the label
instead of the code, a known synonym) into the code, or ``None``.
"""

from __future__ import annotations

import functools
import re

from .text import slug

#: What a territory's lever diagnostic compares it with (:mod:`ptce_geo.diagnostic`).
COMPARISONS = {"pairs": "territoires comparables", "region": "toute la région", "france": "France"}

#: The eight levers of local-authority support (RTES study on PTCE).
LEVIERS = {
    "L1": "Pédagogie et visibilité de l'ESS",
    "L2": "Inscription dans les cadres contractuels et les schémas",
    "L3": "Transversalité à l'intérieur de la collectivité",
    "L4": "Coopération entre collectivités",
    "L5": "Concertation territoriale avec les réseaux de l'ESS",
    "L6": "Aménagement, immobilier et foncier",
    "L7": "Emploi, coordination et R&D dans la durée",
    "L8": "Accompagnement : compétences internes et ingénierie externe (DLA, agences)",
}

#: What each lever means in practice for a collectivité (our summary, for the lever diagnostic).
LEVIER_PRATIQUE = {
    "L1": "Faire connaître l'ESS et le pôle : communication de la collectivité, événements, mois de l'ESS, "
          "présence des élus, reconnaissance publique du PTCE.",
    "L2": "Inscrire le pôle dans les documents et dispositifs de la collectivité : contrat de territoire, "
          "schéma régional de développement économique (SRDEII), projet de territoire, conventions pluriannuelles.",
    "L3": "Faire travailler ensemble les services et les délégations (économie, emploi, social, environnement, "
          "achats) autour du pôle, avec un élu ou un agent référent.",
    "L4": "Coordonner les soutiens entre communes, EPCI, département et région : cofinancements, comités de "
          "suivi communs, partage des rôles.",
    "L5": "Associer les réseaux de l'ESS (CRESS, réseaux locaux) et les acteurs du territoire aux décisions : "
          "instances de concertation, diagnostics partagés.",
    "L6": "Mettre à disposition des locaux, du foncier ou un bâtiment, porter ou faciliter un projet immobilier "
          "(tiers-lieu, pépinière, site mutualisé).",
    "L7": "Financer dans la durée la coordination du pôle (poste d'animateur), l'emploi et les travaux de "
          "recherche et développement, au-delà d'un appel à projets.",
    "L8": "Accompagner le pôle avec les compétences de la collectivité ou une ingénierie externe : dispositif "
          "local d'accompagnement (DLA), agences de développement, études.",
}

NIVEAUX = {
    "commune": "Commune",
    "epci": "EPCI (intercommunalité)",
    "departement": "Département",
    "region": "Région",
    "autre": "Autre (Pays/PETR, PNR, syndicat mixte)",
}

FORMES = {
    "subvention_fonctionnement": "Subvention de fonctionnement",
    "subvention_investissement": "Subvention d'investissement",
    "poste_coordination": "Financement d'un poste de coordination",
    "locaux_foncier": "Locaux, immobilier ou foncier",
    "commande_publique": "Commande publique",
    "ingenierie": "Ingénierie, accompagnement",
    "gouvernance": "Participation à la gouvernance (membre, sociétaire de SCIC)",
    "contractualisation": "Contractualisation (contrat, convention, schéma)",
    "visibilite": "Visibilité, communication",
    "concertation": "Concertation, animation territoriale",
}

TYPOLOGIES = {
    "mutualisation": "Mutualisation",
    "filiere": "Filière",
    "multi_activites": "Multi-activités",
}

STADES = {
    "emergent": "Émergent",
    "developpement": "En développement",
    "consolide": "Consolidé",
    "inactif": "Inactif",
}

SECTEURS = {
    "eco_activites": "Éco-activités",
    "emploi_insertion": "Emploi, insertion",
    "alimentation_agriculture": "Alimentation, agriculture",
    "culture": "Culture, industries créatives",
    "services_entreprises": "Services aux entreprises",
    "services_personne": "Services à la personne",
    "mobilite": "Mobilité",
    "energie": "Énergie",
    "numerique": "Numérique",
    "batiment": "Bâtiment",
    "textile": "Textile",
    "tourisme": "Tourisme",
    "autre": "Autre",
}

#: Extra spellings people use, as slugs -> code.
_SYNONYMS = {
    "niveau": {
        "ville": "commune", "mairie": "commune", "municipalite": "commune",
        "intercommunalite": "epci", "interco": "epci", "communaute_de_communes": "epci",
        "cc": "epci", "ca": "epci", "cu": "epci", "communaute_d_agglomeration": "epci",
        "communaute_urbaine": "epci", "metropole": "epci", "agglomeration": "epci",
        "agglo": "epci", "conseil_departemental": "departement", "cd": "departement",
        "conseil_regional": "region", "cr": "region", "pays": "autre", "petr": "autre",
        "pnr": "autre", "parc_naturel_regional": "autre", "syndicat_mixte": "autre",
    },
    "forme": {
        "subvention": "subvention_fonctionnement", "fonctionnement": "subvention_fonctionnement",
        "investissement": "subvention_investissement", "poste": "poste_coordination",
        "coordination": "poste_coordination", "locaux": "locaux_foncier",
        "foncier": "locaux_foncier", "immobilier": "locaux_foncier",
        "marche_public": "commande_publique", "achat_public": "commande_publique",
        "accompagnement": "ingenierie", "scic": "gouvernance", "societariat": "gouvernance",
        "contrat": "contractualisation", "convention": "contractualisation",
        "communication": "visibilite", "animation": "concertation",
    },
    "typologie": {"multiactivites": "multi_activites", "multi_activite": "multi_activites",
                  "filieres": "filiere", "mutualisations": "mutualisation"},
    "stade": {"en_emergence": "emergent", "emergence": "emergent",
              "en_developpement": "developpement", "consolidation": "consolide",
              "en_consolidation": "consolide", "mature": "consolide", "arrete": "inactif",
              "en_sommeil": "inactif"},
    "secteur": {"environnement": "eco_activites", "ecologie": "eco_activites",
                "insertion": "emploi_insertion", "emploi": "emploi_insertion",
                "iae": "emploi_insertion", "alimentation": "alimentation_agriculture",
                "agriculture": "alimentation_agriculture", "circuits_courts": "alimentation_agriculture",
                "industries_creatives": "culture", "services_a_la_personne": "services_personne",
                "services_aux_entreprises": "services_entreprises", "sante": "services_personne",
                "transport": "mobilite", "energies": "energie", "btp": "batiment",
                "habitat": "batiment", "reemploi": "eco_activites", "recyclage": "eco_activites"},
}

VOCABULARIES = {"levier": LEVIERS, "niveau": NIVEAUX, "forme": FORMES,
                "typologie": TYPOLOGIES, "stade": STADES, "secteur": SECTEURS}

_LEVER_RE = re.compile(r"^(?:levier_?)?(?:l_?)?([1-8])$")
_LEVER_PREFIX_RE = re.compile(r"^(?:levier_?)?(?:l_?)?([1-8])_")
_ANOTHER_LEVER_RE = re.compile(r"(?:^|_)(?:levier_?)?(?:l_?)?[1-8](?:_|$)")

#: The column of each vocabulary, as the reports name it.
COLUMNS = {"levier": "leviers", "niveau": "collectivite_niveau", "forme": "forme",
           "typologie": "typologie", "stade": "stade", "secteur": "secteurs"}


def _stem(word: str) -> str:
    """One word without its French gender and number endings: ``consolidees``,
    ``consolidee``, ``consolides`` and ``consolide`` all give ``consolid``;
    ``inactive`` and ``inactifs`` give ``inactif``."""
    if len(word) > 3 and word[-1] in "sx":
        word = word[:-1]
    while len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    if word.endswith("iv"):
        word = word[:-1] + "f"
    return word


def loose(value: object) -> str:
    """The key two spellings of one term share: case, accents, spaces, hyphens,
    apostrophes, gender and number aside (``« Consolidée »`` and ``consolide``,
    ``« Multi-activités »`` and ``multiactivite``)."""
    return "".join(_stem(w) for w in slug(value).split("_") if w)


def _index(kind: str) -> dict[str, str]:
    vocab = VOCABULARIES[kind]
    index: dict[str, str] = {}
    for code, label in vocab.items():
        index[slug(code)] = code
        index[slug(label)] = code
    index.update(_SYNONYMS.get(kind, {}))
    return index


def _loose_index(kind: str) -> dict[str, str]:
    index: dict[str, str] = {}
    for key, code in _index(kind).items():
        found = index.setdefault(loose(key), code)
        if found != code:  # two terms that look alike once endings are dropped: a bug in the lists
            raise ValueError(f"{kind}: « {key} » et « {found} » se confondent")
    return index


_INDEXES = {kind: _index(kind) for kind in VOCABULARIES}
_LOOSE = {kind: _loose_index(kind) for kind in VOCABULARIES}


@functools.lru_cache(maxsize=8192)  # a registry repeats the same few values in every row
def match(kind: str, value: object) -> str | None:
    """The code of ``value`` in vocabulary ``kind``, or None when unknown.

    The code, the French label or a known synonym, in any case, with or without
    accents, spaces, hyphens, and in the feminine or plural:

    >>> match("stade", "Émergent")
    'emergent'
    >>> match("stade", "Consolidée")
    'consolide'
    >>> match("stade", "en développement")
    'developpement'
    >>> match("levier", "l6")
    'L6'
    >>> match("levier", "Aménagement, immobilier et foncier")
    'L6'
    """
    key = slug(value)
    if not key:
        return None
    if kind == "levier":
        found = _LEVER_RE.match(key)
        if found:
            return f"L{found.group(1)}"
        # "L6 - Aménagement…", "Levier 6 : …"
        prefix = _LEVER_PREFIX_RE.match(key)
        if prefix and not _ANOTHER_LEVER_RE.search(key[prefix.end():]):  # not "L1, L2"
            return f"L{prefix.group(1)}"
    if kind == "niveau" and key.startswith(("communaute_", "metropole")):
        return "epci"
    return _INDEXES[kind].get(key) or _LOOSE[kind].get(loose(key))


@functools.lru_cache(maxsize=8192)
def is_synonym(kind: str, value: object, code: str) -> bool:
    """True when ``value`` was read as ``code`` through a synonym (``mature`` for
    ``consolide``, ``CC`` for ``epci``), not as a spelling of its code or label:
    worth telling the user, who may have meant something else."""
    key = loose(value)
    if kind == "levier" and (_LEVER_RE.match(slug(value)) or _LEVER_PREFIX_RE.match(slug(value))):
        return False
    return key not in (loose(code), loose(VOCABULARIES[kind].get(code, code)))


def expected(kind: str) -> str:
    """The accepted codes of a vocabulary, comma-separated."""
    return ", ".join(VOCABULARIES[kind])


def accepted(kind: str) -> str:
    """A French sentence listing what a cell of this vocabulary may hold: the labels
    (as users write them), then the codes (the registry format)."""
    if kind == "levier":
        return ("un levier de L1 à L8, par son code ou son libellé : "
                + " ; ".join(f"{c} « {lab} »" for c, lab in LEVIERS.items()))
    vocab = VOCABULARIES[kind]
    return ("l'un des libellés " + ", ".join(f"« {lab} »" for lab in vocab.values())
            + " (ou son code : " + ", ".join(vocab) + ")")


def every(kind: str, values) -> bool:
    """Whether ``values`` are all of a vocabulary's codes (a filter that keeps every value,
    which is not the same as no filter: rows without any value are left out)."""
    return len(values) > 1 and set(values) == set(VOCABULARIES[kind])


def every_said(kind: str) -> str:
    """A filter keeping every value, in words: « les 8 cochés » (never « tous », which the
    sidebar uses for an empty list, no filter at all)."""
    n = len(VOCABULARIES[kind])
    return f"les {n} cochés" if kind in ("levier", "secteur", "stade") else f"les {n} cochées"


def label(kind: str, code: str) -> str:
    """French label of a code (the code itself when unknown)."""
    return VOCABULARIES[kind].get(code, code)


def levier_label(code: str) -> str:
    """``"L6 — Aménagement, immobilier et foncier"``."""
    return f"{code} — {LEVIERS[code]}" if code in LEVIERS else code
