"""Rows of the shared registry as the file reader sees them, and back.

The database keeps each pole and support with the cleaned values the reader
produces. To show the registry, the rows are turned back into the reader's
raw tables and go through the same validation and location as a file, so a
database and a file always mean the same thing.
"""

from __future__ import annotations

import hashlib
import math

import pandas as pd

from ..registry import POLE_COLUMNS, SOUTIEN_COLUMNS, Issue, Registry, RegistryError, ERREUR
from ..registry.headers import Headers
from ..registry.validation import empty_soutiens, validate_poles, validate_soutiens
from ..text import slug
from . import schema

POLE_FIELDS = [c for c in POLE_COLUMNS if c != "id"]
SOUTIEN_FIELDS = list(SOUTIEN_COLUMNS)


def text(value: object) -> str:
    """A stored value as the reader's raw text (``2015``, ``45.76``, ``""``)."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def stored(column: str, value: object, numbers: dict) -> object:
    """A cleaned registry value as the database keeps it (None for an empty number)."""
    if column in numbers:
        return None if text(value) == "" else (int(value) if numbers[column] is schema.sa.Integer else float(value))
    return text(value)


def stable_id(nom: str, commune_insee: str) -> str:
    """The id of a pole that came without one: the same name and commune, the same id."""
    digest = hashlib.sha1(f"{slug(nom)}|{commune_insee}".encode()).hexdigest()[:10]
    return f"P-{digest}"


def raw_tables(poles: list[dict], soutiens: list[dict]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Database rows as the reader's raw tables of text (poles with ``id``,
    supports with ``_id``, their database id, kept as an extra column)."""
    pole_frame = pd.DataFrame([{c: text(r.get(c)) for c in POLE_COLUMNS} for r in poles], columns=POLE_COLUMNS,
                              dtype=object)
    support_frame = pd.DataFrame([{"id_soutien": text(r.get("id")), **{c: text(r.get(c)) for c in SOUTIEN_FIELDS}}
                                  for r in soutiens], columns=["id_soutien"] + SOUTIEN_FIELDS, dtype=object)
    return pole_frame, support_frame


def registry_from_rows(poles: list[dict], soutiens: list[dict], source: str) -> Registry:
    """The rows through the reader's validation: a Registry like a file's."""
    pole_frame, support_frame = raw_tables(poles, soutiens)
    if pole_frame.empty:  # a new database is valid, unlike a file with only its header
        shape, _ = validate_poles(pd.DataFrame([{"id": "_", "nom": "_"}], dtype=object), source)
        return Registry(poles=shape.iloc[0:0], soutiens=empty_soutiens(), source=source)
    checked_poles, issues = validate_poles(pole_frame, source)
    valid_ids = set(checked_poles.loc[checked_poles["_valide"].astype(bool), "id"])
    checked_supports, more = validate_soutiens(support_frame, valid_ids, source)
    return Registry(poles=checked_poles, soutiens=checked_supports, issues=issues + more, source=source)


def trusted_registry(poles: pd.DataFrame, soutiens: pd.DataFrame, source: str) -> Registry:
    """Database rows as the reader returns a valid file, without validating them again:
    every row was validated when it was written (``Store.registry(trust=False)`` checks
    again, and a test holds the two equal)."""
    def table(rows: pd.DataFrame, columns: list[str], numbers: dict, extra: dict) -> pd.DataFrame:
        frame = pd.DataFrame({"_ligne": range(2, len(rows) + 2)})
        for column in columns:
            if column in numbers:
                kind = "Int64" if numbers[column] is schema.sa.Integer else "Float64"
                frame[column] = pd.array(rows[column].to_numpy(dtype=float), dtype=kind)
            else:
                frame[column] = rows[column].fillna("").astype(str).to_numpy(dtype=object)
        for column, values in extra.items():
            frame[column] = values
        frame["_valide"] = True
        frame.attrs["entetes"] = Headers({c: c for c in columns})
        return frame
    pole_frame = table(poles, POLE_COLUMNS, schema.POLE_NUMBERS, {})
    support_frame = table(soutiens, SOUTIEN_COLUMNS, schema.SOUTIEN_NUMBERS,
                          {"id_soutien": [text(i) for i in soutiens["id"]]})
    return Registry(poles=pole_frame, soutiens=support_frame, issues=[], source=source)


def one_pole(values: dict, pole_id: str) -> tuple[pd.DataFrame, list[Issue]]:
    """One pole typed in a form, checked like a file's row (row 2, under the header)."""
    frame = pd.DataFrame([{"id": pole_id, **{c: text(values.get(c, "")) for c in POLE_FIELDS}}], dtype=object)
    return validate_poles(frame, "formulaire")


def one_support(values: dict, pole_ids: set[str]) -> tuple[pd.DataFrame, list[Issue]]:
    frame = pd.DataFrame([{c: text(values.get(c, "")) for c in SOUTIEN_FIELDS}], dtype=object)
    return validate_soutiens(frame, pole_ids, "formulaire")


def blocking(issues: list[Issue]) -> None:
    """Raise the French errors of a form or an import, if any."""
    errors = [i for i in issues if i.niveau == ERREUR]
    if errors:
        raise RegistryError(errors)


# ---------------------------------------------------------------------------
# What the editing page lists and shows


def names_in_order(names: dict[str, str], case: bool = True) -> dict[str, str]:
    """``names`` (id or code -> name) in the order of the names, letter case aside unless
    ``case``: the editor's lists of poles and of collectivités."""
    return dict(sorted(names.items(), key=lambda item: item[1] if case else item[1].lower()))


def pole_names(pole_rows: list[dict]) -> dict[str, str]:
    """Pole id -> name, by name (letter case aside)."""
    return names_in_order({r["id"]: r["nom"] for r in pole_rows}, case=False)


def history_shown(history: pd.DataFrame) -> pd.DataFrame:
    """The history as an editor reads it: without the stored before/after rows and the batch,
    the time as « jj/mm/aaaa hh:mm »."""
    return history.drop(columns=["avant", "apres", "lot"]).assign(
        le=history["le"].map(lambda t: f"{t:%d/%m/%Y %H:%M}" if t is not None else ""))
