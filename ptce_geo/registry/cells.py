"""What every reader shares: sheet names, cell values as text, unique headers."""

from __future__ import annotations

import math
import re
from datetime import date, datetime

from .model import AVERTISSEMENT, Issue

_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")

SHEET_NAMES = {
    "poles": {"poles", "pole", "ptce", "registre", "liste_des_poles", "les_poles"},
    "soutiens": {"soutiens", "soutien", "supports", "aides", "financements", "soutiens_des_collectivites"},
}
#: Sheets a template may carry beside the data; never reported as unread.
SKIPPED_SHEETS = {"lisez_moi", "aide", "notice", "vocabulaire"}


def cell_text(value: object) -> str:
    """A spreadsheet or JSON value as the text a technician typed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def unique_headers(header: list[str], issues: list[Issue] | None = None, table: str = "poles") -> list[str]:
    """Headers made unique: a blank one becomes ``colonne_N``, a repeated one ``nom_2``, ``nom_3``…
    never the name of another column; each renaming is reported in ``issues`` if given."""
    names = [_CONTROLS.sub("", str(h)).strip() or f"colonne_{i + 1}" for i, h in enumerate(header)]
    taken = set(names)
    seen: set[str] = set()
    out = []
    for i, h in enumerate(names):
        if h in seen:
            k = 2
            while f"{h}_{k}" in taken:
                k += 1
            new = f"{h}_{k}"
            taken.add(new)
            if issues is not None:
                issues.append(Issue(AVERTISSEMENT, table, 1, h, h,
                                    f"plusieurs colonnes s'appellent « {h} » : la colonne n° {i + 1} est lue sous "
                                    f"le nom « {new} »",
                                    "donnez un nom différent à chaque colonne"))
            h = new
        seen.add(h)
        out.append(h)
    return out
