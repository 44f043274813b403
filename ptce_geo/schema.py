"""The registry format as Table Schema (frictionless) and as fill-in templates.

``python -m ptce_geo template`` writes ``geodata/schema/*.json`` and
``geodata/modele/*``; a test checks that the committed files match this code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import vocab
from .registry import ALIASES, POLE_COLUMNS, SOUTIEN_COLUMNS

LIST_NOTE = "Plusieurs valeurs séparées par « | »."


def _vocab_note(kind: str, before: str = "") -> str:
    """The codes with their French labels; the reader also accepts the labels."""
    pairs = " ; ".join(f"{code} = {label}" for code, label in vocab.VOCABULARIES[kind].items())
    return (f"{before}Codes : {pairs}. À l'import, le libellé est accepté aussi (majuscules, accents, "
            "féminin ou pluriel indifférents) et ramené au code.")


def _enum_list_pattern(codes) -> str:
    alt = "|".join(codes)
    return f"^({alt})(\\|({alt}))*$"


POLE_FIELDS = {
    "id": ("string", "Identifiant", "Identifiant unique du pôle (relie les soutiens).", {"required": True, "unique": True}),
    "nom": ("string", "Nom du pôle", "Nom usuel du PTCE.", {"required": True}),
    "commune_insee": ("string", "Code INSEE de la commune du siège",
                      "5 caractères, ex. 01001 ou 2A004 (texte, jamais un nombre).",
                      {"pattern": "^(\\d{5}|2[AB]\\d{3})$"}),
    "commune": ("string", "Commune du siège", "Nom de la commune (à défaut de code INSEE).", {}),
    "departement": ("string", "Département", "Code (01, 2A, 974) ou nom du département, pour lever les homonymies.", {}),
    "code_postal": ("string", "Code postal", "5 chiffres.", {"pattern": "^\\d{5}$"}),
    "latitude": ("number", "Latitude", "Degrés décimaux WGS84 (EPSG:4326).", {"minimum": -90, "maximum": 90}),
    "longitude": ("number", "Longitude", "Degrés décimaux WGS84 (EPSG:4326).", {"minimum": -180, "maximum": 180}),
    "typologie": ("string", "Typologie", _vocab_note("typologie"), {"enum": list(vocab.TYPOLOGIES)}),
    "secteurs": ("string", "Secteurs d'activité", _vocab_note("secteur", LIST_NOTE + " "), {"pattern": _enum_list_pattern(vocab.SECTEURS)}),
    "stade": ("string", "Stade de développement", _vocab_note("stade"), {"enum": list(vocab.STADES)}),
    "annee_creation": ("integer", "Année de création", "", {"minimum": 1900}),
    "nb_membres": ("integer", "Nombre de structures membres", "", {"minimum": 0}),
    "emplois": ("number", "Emplois directs", "", {"minimum": 0}),
    "perimetre": ("string", "Périmètre d'action",
                  "Codes de territoires : commune INSEE (5 caractères), EPCI SIREN (9 chiffres), "
                  "département (2 ou 3 caractères). " + LIST_NOTE, {}),
    "porteur": ("string", "Structure porteuse", "", {}),
    "site_web": ("string", "Site web", "", {}),
    "date_maj": ("date", "Date de mise à jour",
                 "AAAA-MM-JJ. À l'import, une date jour/mois/année (02/10/2025, 2/10/25) est acceptée "
                 "et ramenée à ce format.", {}),
    "source": ("string", "Source de l'information", "", {}),
}

SOUTIEN_FIELDS = {
    "pole_id": ("string", "Identifiant du pôle", "Doit exister dans la table des pôles.", {"required": True}),
    "collectivite_niveau": ("string", "Niveau de la collectivité", _vocab_note("niveau"), {"required": True, "enum": list(vocab.NIVEAUX)}),
    "collectivite_code": ("string", "Code de la collectivité",
                          "Commune : INSEE ; EPCI : SIREN ; département : code ; région : code INSEE.", {}),
    "collectivite_nom": ("string", "Nom de la collectivité", "", {}),
    "forme": ("string", "Forme du soutien", _vocab_note("forme"), {"enum": list(vocab.FORMES)}),
    "leviers": ("string", "Leviers mobilisés", _vocab_note("levier", "L1 à L8. " + LIST_NOTE + " "), {"pattern": _enum_list_pattern(vocab.LEVIERS)}),
    "annee": ("integer", "Année", "", {"minimum": 1990}),
    "montant_eur": ("number", "Montant (euros)", "", {"minimum": 0}),
}

EXAMPLE_POLE = {"id": "P001", "nom": "Pôle exemple (à remplacer)", "commune_insee": "69123",
                "commune": "Lyon", "departement": "69", "code_postal": "", "latitude": "", "longitude": "",
                "typologie": "mutualisation", "secteurs": "eco_activites|emploi_insertion",
                "stade": "developpement", "annee_creation": "2018", "nb_membres": "15", "emplois": "100",
                "perimetre": "200046977", "porteur": "", "site_web": "", "date_maj": "2025-01-31",
                "source": ""}
EXAMPLE_SOUTIEN = {"pole_id": "P001", "collectivite_niveau": "epci", "collectivite_code": "200046977",
                   "collectivite_nom": "Métropole de Lyon", "forme": "locaux_foncier", "leviers": "L6",
                   "annee": "2024", "montant_eur": ""}


#: A coded field's vocabulary: its codes and their French labels.
CODED = {"typologie": vocab.TYPOLOGIES, "stade": vocab.STADES, "secteurs": vocab.SECTEURS,
         "collectivite_niveau": vocab.NIVEAUX, "forme": vocab.FORMES, "leviers": vocab.LEVIERS}
#: Coded fields that take several codes separated by « | ».
MULTIPLE = {"secteurs", "leviers"}


@dataclass(frozen=True)
class FormField:
    """One field of an edit form, as the registry format defines it."""
    name: str
    label: str                      # the field's title, with « * » when required
    help: str                       # its description (empty for a coded field: the choices say it)
    choices: dict[str, str] | None  # code -> French label, for a coded field
    multiple: bool = False          # several codes, joined by « | »

    def shown(self, code: str) -> str:
        """How a choice reads in the form: its French label (a lever with its code), « — » for none."""
        if not code:
            return "—"
        return vocab.levier_label(code) if self.name == "leviers" else self.choices.get(code, code)

    def chosen(self, cell: str) -> list[str]:
        """The codes of a stored cell that the form can offer (those still in the vocabulary)."""
        return [code for code in cell.split("|") if code in (self.choices or {})]


def form_fields(table: str, skip: tuple[str, ...] = ()) -> list[FormField]:
    """The fields of ``table`` (``poles`` or ``soutiens``) in the format's order, but ``skip``."""
    fields = []
    for entry in table_schema(table)["fields"]:
        name = entry["name"]
        if name in skip:
            continue
        required = entry.get("constraints", {}).get("required", False)
        choices = CODED.get(name)
        fields.append(FormField(name, entry["title"] + (" *" if required else ""),
                                "" if choices else entry.get("description", ""), choices, name in MULTIPLE))
    return fields


def table_schema(table: str) -> dict:
    fields_def = POLE_FIELDS if table == "poles" else SOUTIEN_FIELDS
    order = POLE_COLUMNS if table == "poles" else SOUTIEN_COLUMNS
    fields = []
    for name in order:
        ftype, title, description, constraints = fields_def[name]
        entry = {"name": name, "type": ftype, "title": title}
        if description:
            entry["description"] = description
        if constraints:
            entry["constraints"] = constraints
        aliases = ALIASES[table].get(name)
        if aliases:
            entry["x-alias"] = aliases
        fields.append(entry)
    schema = {"$schema": "https://specs.frictionlessdata.io/schemas/table-schema.json",
              "name": table, "title": "Pôles (PTCE)" if table == "poles" else "Soutiens des collectivités",
              "fields": fields, "missingValues": [""]}
    if table == "poles":
        schema["primaryKey"] = "id"
    else:
        schema["foreignKeys"] = [{"fields": "pole_id", "reference": {"resource": "poles", "fields": "id"}}]
    return schema


def datapackage() -> dict:
    return {"name": "registre-ptce", "title": "Registre des pôles territoriaux de coopération économique",
            "resources": [{"name": t, "path": f"{t}.csv", "profile": "tabular-data-resource",
                           "format": "csv", "encoding": "utf-8", "schema": f"schema/{t}.schema.json"}
                          for t in ("poles", "soutiens")]}


def _vocabulary_sheet() -> pd.DataFrame:
    rows = []
    for kind, values in vocab.VOCABULARIES.items():
        for code, label in values.items():
            rows.append({"liste": kind, "code": code, "libellé": label})
    return pd.DataFrame(rows)


def write_all(root: Path) -> list[Path]:
    """Write schemas, data package and templates under ``root`` (``geodata``)."""
    root = Path(root)
    schema_dir, model_dir = root / "schema", root / "modele"
    schema_dir.mkdir(parents=True, exist_ok=True)
    model_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for table in ("poles", "soutiens"):
        path = schema_dir / f"{table}.schema.json"
        path.write_text(json.dumps(table_schema(table), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        written.append(path)
    path = schema_dir / "datapackage.json"
    path.write_text(json.dumps(datapackage(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    written.append(path)
    poles = pd.DataFrame([EXAMPLE_POLE], columns=POLE_COLUMNS)
    soutiens = pd.DataFrame([EXAMPLE_SOUTIEN], columns=SOUTIEN_COLUMNS)
    for name, frame in (("poles", poles), ("soutiens", soutiens)):
        path = model_dir / f"{name}.csv"
        frame.to_csv(path, index=False, encoding="utf-8")
        written.append(path)
    path = model_dir / "registre_modele.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        poles.to_excel(writer, sheet_name="poles", index=False)
        soutiens.to_excel(writer, sheet_name="soutiens", index=False)
        _vocabulary_sheet().to_excel(writer, sheet_name="vocabulaire", index=False)
    written.append(path)
    return written
