"""Dates as people write them in a French registry, read day first.

``02/10/2025`` is the 2nd of October; ``2025-06-30`` (ISO, year first) and
``2025-06-30 00:00:00`` (a spreadsheet's date cell) are read as written;
``2/10/25`` is 2025; ``2 octobre 2025`` and ``1er oct. 2025`` are read too.
Anything else is not a date: :func:`parse_date` raises ``ValueError`` and the
reader reports it, keeping the text as typed.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from ..text import slug

#: ISO order, year first: 2025-06-30, 2025/06/30, 2025.06.30, 20250630, with a time after it or not.
_YEAR_FIRST = re.compile(r"^(\d{4})(?:([-/.])(\d{1,2})\2(\d{1,2})|(\d{2})(\d{2}))"
                         r"(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:z|[+-]\d{2}:?\d{2})?)?$")
#: French order, day first: 02/10/2025, 2/10/25, 02-10-2025, 02.10.2025.
_DAY_FIRST = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})(?: \d{1,2}[:h]\d{2}(?::\d{2})?)?$")
_WORDS = re.compile(r"^(\d{1,2})(?:er)?_([a-z]+)_(\d{4})$")
_MONTHS = {"janvier": 1, "janv": 1, "jan": 1, "fevrier": 2, "fevr": 2, "fev": 2, "mars": 3, "mar": 3,
           "avril": 4, "avr": 4, "mai": 5, "juin": 6, "juillet": 7, "juil": 7, "aout": 8, "septembre": 9,
           "sept": 9, "sep": 9, "octobre": 10, "oct": 10, "novembre": 11, "nov": 11, "decembre": 12, "dec": 12}
#: Excel's day 0 (its serial numbers count days from here, 1900 leap-year bug included).
_EXCEL_EPOCH = date(1899, 12, 30)


def _year(text: str) -> int:
    """A year of two digits is this century's, unless that puts it more than a year ahead."""
    year = int(text)
    if len(text) == 2:
        year += 2000 if 2000 + year <= date.today().year + 1 else 1900
    return year


def parse_date(value: object) -> date | None:
    """``"02/10/2025"`` -> 2 October 2025 (day first); None for a blank cell;
    ``ValueError`` for text that is not a date (or an impossible one, 31/02/2025).

    >>> parse_date("2/10/25"), parse_date("2025-06-30")
    (datetime.date(2025, 10, 2), datetime.date(2025, 6, 30))
    """
    if isinstance(value, date):
        return value
    text = "" if value is None else " ".join(str(value).split()).lower()
    if not text:
        return None
    if found := _YEAR_FIRST.match(text):
        year, _, month, day, month8, day8 = found.groups()
        return date(int(year), int(month or month8), int(day or day8))
    if found := _DAY_FIRST.match(text):
        day, month, year = found.groups()
        return date(_year(year), int(month), int(day))
    if found := _WORDS.match(slug(text)):
        day, month, year = found.groups()
        if month not in _MONTHS:
            raise ValueError(f"mois inconnu : {month}")
        return date(int(year), _MONTHS[month], int(day))
    if re.fullmatch(r"\d{5}(?:\.0+)?", text):  # a date cell exported as Excel's day number
        serial = int(float(text))
        if 10_000 <= serial <= 80_000:  # 1927 to 2119
            return _EXCEL_EPOCH + timedelta(days=serial)
    raise ValueError(f"date illisible : {text}")


def iso(day: date) -> str:
    """The registry format: ``2025-10-02``."""
    return day.isoformat()


def french(day: date) -> str:
    """As a French reader writes it: ``02/10/2025``."""
    return day.strftime("%d/%m/%Y")


def latest(values) -> date | None:
    """The latest readable date among ``values`` that is not in the future (a future
    date is a typing error, reported by the reader), or None."""
    today = date.today()
    best = None
    for value in values:
        try:
            day = parse_date(value)
        except (ValueError, OverflowError):
            continue
        if day is not None and day <= today and (best is None or day > best):
            best = day
    return best
