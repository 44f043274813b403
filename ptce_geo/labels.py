"""Extracts a director can read: French column headers and values, and a
dictionary that explains each column.

The registry's own columns take their title and description from the Table
Schema (:mod:`ptce_geo.schema`); the columns the dashboard adds (territories,
coverage, supporters) are described here. Codes stay available for re-import:
:func:`readable` is applied only when the user asks for labels (the default).
"""

from __future__ import annotations

import io
import zipfile

import pandas as pd

from . import export, vocab
from .schema import POLE_FIELDS, SOUTIEN_FIELDS
from .text import split_list

_ADDED = {
    "ligne": ("Ligne du fichier", "Numéro de la ligne dans le fichier d'origine (en-tête = ligne 1)."),
    "commune_nom": ("Commune du siège (COG)", "Nom officiel de la commune où le pôle a été localisé."),
    "epci_siren": ("SIREN de l'EPCI", "EPCI à fiscalité propre de la commune du siège (COG 2025)."),
    "epci_nom": ("EPCI", "Nom de l'EPCI à fiscalité propre."),
    "departement_code": ("Code du département", "Code INSEE du département."),
    "departement_nom": ("Département (COG)", "Nom officiel du département."),
    "region_code": ("Code de la région", "Code INSEE de la région."),
    "region_nom": ("Région", "Nom de la région."),
    "point_lat": ("Latitude du point", "Latitude du point affiché (WGS84) : coordonnées fournies ou mairie."),
    "point_lon": ("Longitude du point", "Longitude du point affiché (WGS84)."),
    "methode": ("Méthode de localisation", "Comment la commune a été trouvée (code INSEE, nom, code postal, "
                "coordonnées…)."),
    "hors_commune_declaree": ("Coordonnées hors de la commune déclarée",
                              "oui : les coordonnées tombent dans une autre commune que celle indiquée."),
    "statut": ("Statut", "Localisé, ou raison pour laquelle le pôle n'est pas sur la carte."),
    "type": ("Type d'EPCI", "CC, CA, CU ou métropole (ME)."),
    "population": ("Population", "Population municipale (INSEE, millésime du COG)."),
    "couvert": ("Couvert", "oui : un pôle retenu y a son siège ou son périmètre l'atteint."),
    "nb_poles_siege": ("Pôles (siège)", "Nombre de pôles retenus ayant leur siège dans le territoire."),
    "nb_poles_perimetre": ("Pôles (périmètre)", "Nombre de pôles retenus dont le périmètre atteint le territoire."),
    "distance_km": ("Distance au pôle le plus proche (km)",
                    "Distance à vol d'oiseau entre la mairie (la plus proche) et le pôle retenu le plus proche."),
    "pole_proche_id": ("Identifiant du pôle le plus proche", ""),
    "pole_proche_nom": ("Pôle le plus proche", ""),
    "nb_communes": ("Nombre de communes", ""),
    "rang": ("Rang", "Rang parmi les territoires non couverts, du plus peuplé au moins peuplé."),
    "soutiens": ("Nombre de soutiens", "Soutiens retenus donnés par cette collectivité."),
    "formes": ("Formes de soutien", ""),
    "annees": ("Années", "Première et dernière année des soutiens."),
    "soutiens_sans_montant": ("Soutiens sans montant", "Soutiens dont le montant n'est pas renseigné."),
    "poles": ("Pôles soutenus", ""),
    "levier": ("Levier", "Code du levier (L1 à L8, étude RTES)."),
    "libelle": ("Libellé", ""),
    "utilise": ("Utilisé ici", "oui : au moins un soutien retenu d'une collectivité du territoire, ou d'une "
                "collectivité qui le contient, mobilise ce levier (quel que soit le pôle soutenu)."),
    "pairs_utilisant": ("Territoires comparables qui l'utilisent", ""),
    "pairs_avec_donnees": ("Territoires comparables avec des soutiens", "Territoires comparables ayant au moins un "
                           "soutien dans le registre : la base de la part."),
    "poles_crees": ("Pôles créés dans l'année", "Pôles retenus dont l'année de création est celle de la ligne."),
    "poles_cumul": ("Total cumulé de pôles", "Pôles retenus créés cette année-là ou avant."),
    "en_pratique": ("En pratique", "Ce que le levier recouvre pour une collectivité."),
    "pole": ("Pôle", ""),
    "commune_du_pole": ("Commune du pôle", ""),
    "territoire": ("Territoire comparable", ""),
    "territoire_code": ("Code du territoire comparable", ""),
    "collectivite": ("Collectivité qui soutient", ""),
    "fiche": ("Fiche du territoire", "Adresse relative de la fiche dans le tableau de bord."),
    "id_soutien": ("Identifiant du soutien", "Identifiant du soutien dans le registre partagé (sa ligne en "
                   "base) ; vide pour un fichier importé."),
}

#: In a coverage table, ``code`` and ``nom`` name a territory, not a pole.
_TERRITORY = {
    "code": ("Code du territoire", "INSEE (commune, département, région) ou SIREN (EPCI)."),
    "nom": ("Territoire", "Nom officiel du territoire (COG)."),
    # a fiche's comparison: the territory, its département, its région, France
    "territoire": ("Territoire", "Le territoire de la fiche, puis les territoires qui le contiennent."),
    "poles_siege": ("Pôles (siège)", "Nombre de pôles retenus ayant leur siège dans le territoire."),
    "poles_pour_100k_hab": ("Pôles pour 100 000 hab.", "Pôles ayant leur siège dans le territoire, pour "
                            "100 000 habitants."),
    "epci_couverts": ("EPCI couverts", "EPCI du territoire où un pôle retenu a son siège ou que son périmètre "
                      "atteint."),
    "epci": ("Nombre d'EPCI", "Nombre d'EPCI du territoire."),
}

#: Shares (0 to 1) written as percentages, as the pages show them: « 12,7 », not « 0,127 ».
_PERCENT = {"part_epci_couverts": ("Part des EPCI couverts (%)", "EPCI couverts sur l'ensemble des EPCI du "
                                   "territoire, en pourcentage."),
            "part_pairs": ("Part des territoires comparables (%)", "Part des territoires comparables (avec des "
                           "soutiens) dont les collectivités utilisent ce levier, en pourcentage ; vide quand ils "
                           "sont trop peu nombreux.")}
#: The same columns in the registry's format (codes, for re-import): shares from 0 to 1, as computed.
_SHARES = {code: (header.replace("(%)", "(de 0 à 1)"), text.replace("en pourcentage", "de 0 à 1"))
           for code, (header, text) in _PERCENT.items()}

#: Columns whose cells hold codes of a vocabulary (one code, or several separated by « | »).
_VALUES = {"typologie": "typologie", "secteurs": "secteur", "stade": "stade", "forme": "forme",
           "formes": "forme", "leviers": "levier", "collectivite_niveau": "niveau"}


def _fields() -> dict[str, tuple[str, str]]:
    fields = {name: (spec[1], spec[2]) for name, spec in {**POLE_FIELDS, **SOUTIEN_FIELDS}.items()}
    return {**fields, **_ADDED, **_PERCENT}


FIELDS = _fields()


def _fields_of(frame: pd.DataFrame) -> dict[str, tuple[str, str]]:
    territory_table = "couvert" in frame or ("population" in frame and "pole_id" not in frame)
    return {**FIELDS, **_TERRITORY} if territory_table else FIELDS


def header(column: str, fields: dict | None = None) -> str:
    """The French header of a column (the column itself when unknown)."""
    return (fields or FIELDS).get(column, (column, ""))[0]


def _value(kind: str, cell: object) -> object:
    if not isinstance(cell, str) or not cell:
        return cell
    codes = split_list(cell)
    return " ; ".join(vocab.levier_label(c) if kind == "levier" else vocab.label(kind, c) for c in codes)


def readable(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with French headers and vocabulary labels instead of codes."""
    out = frame.copy()
    for column, kind in _VALUES.items():
        if column in out:
            out[column] = out[column].map(lambda cell, k=kind: _value(k, cell))
    if "poles" in out:
        out["poles"] = out["poles"].map(lambda c: " ; ".join(split_list(c)) if isinstance(c, str) else c)
    for column in _PERCENT:
        if column in out:
            out[column] = (pd.to_numeric(out[column], errors="coerce") * 100).round(1)
    fields = _fields_of(frame)
    out.columns = [header(c, fields) for c in out.columns]  # a copy already: no second one
    return out


def dictionary(*frames: pd.DataFrame, codes: bool = False) -> pd.DataFrame:
    """One row per column of ``frames``: code (as in the registry format), French
    header, description. ``codes``: the files hold codes and raw values (shares from 0 to 1)."""
    rows = {}
    for frame in frames:
        fields = {**_fields_of(frame), **_SHARES} if codes else _fields_of(frame)
        for column in frame.columns:
            spec = fields.get(column, (column, ""))
            rows.setdefault((column, spec[0]), spec[1])
    return pd.DataFrame([{"Colonne (code)": c, "En-tête": h, "Description": d} for (c, h), d in rows.items()])


def table(frame: pd.DataFrame, codes: bool = False) -> pd.DataFrame:
    """What an extract holds: the public columns, with French headers and labels
    unless ``codes`` (the registry format, for re-import)."""
    public = export.public_columns(frame)
    return public if codes else readable(public)


def csv_bytes(frame: pd.DataFrame, dialect: str = "excel", codes: bool = False) -> bytes:
    """One extract as a CSV file."""
    return export.to_csv_bytes(table(frame, codes), dialect)


def zip_bytes(tables: dict[str, pd.DataFrame], readme: list[str], dialect: str = "excel",
              codes: bool = False) -> bytes:
    """Several extracts in one ZIP, with the column dictionary and a plain-text
    ``lisez-moi.txt`` (``readme`` lines: title, scope, date, source)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        publics = [export.public_columns(f) for f in tables.values()]  # each table's columns, chosen once
        for name, public in zip(tables, publics):
            archive.writestr(f"{name}.csv", export.to_csv_bytes(public if codes else readable(public), dialect))
        archive.writestr("dictionnaire_des_colonnes.csv", export.to_csv_bytes(dictionary(*publics, codes=codes), dialect))
        notes = readme + ["", "En-têtes : " + ("codes du registre (format de réimport)" if codes
                                               else "libellés en français (codes : voir dictionnaire_des_colonnes.csv)")]
        archive.writestr("lisez-moi.txt", "\r\n".join(notes) + "\r\n")
    return buffer.getvalue()
