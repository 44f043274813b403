"""CSV extracts that open cleanly in French Excel.

Two dialects: ``excel`` (``;`` separator, UTF-8 with BOM, decimal comma) and
``csv`` (``,``, UTF-8, decimal point). Text cells that a spreadsheet would run
as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return) are neutralised with a leading apostrophe; numbers stay numbers.
"""

from __future__ import annotations

import csv
import html
import io
import math
import unicodedata

import pandas as pd

from . import formats

DIALECTS = ("excel", "csv")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
#: Invisible characters a spreadsheet skips before it reads a formula.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"


def neutralise(value: str) -> str:
    """``"=SOMME(A1)"`` -> ``"'=SOMME(A1)"``; other text unchanged.

    A formula hidden behind invisible characters (zero-width space, BOM) or
    written with full-width signs (``＝``, ``＋``, ``－``, ``＠``) is caught too:
    the invisible prefix is dropped and the apostrophe added.
    """
    if not value or (value[0] <= "\x7f" and value[0] not in _FORMULA_START):
        return value  # the usual case: plain text (an ASCII start is neither invisible nor full-width)
    visible = value.lstrip(_INVISIBLE)
    if unicodedata.normalize("NFKC", visible[:1]).startswith(_FORMULA_START):
        return "'" + visible
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its text cells and headers neutralised: what a table shows on screen is
    then safe to copy or download as it is. A frame with nothing to neutralise (the usual
    case) is returned as it is, not copied: it is read, never changed."""
    columns = [neutralise(c) if isinstance(c, str) else c for c in frame.columns]
    changed = {}
    for position, (_, column) in enumerate(frame.items()):
        if not (column.dtype == object or pd.api.types.is_string_dtype(column.dtype)):
            continue
        values = column.tolist()
        safe = [neutralise(v) if isinstance(v, str) else v for v in values]
        if any(a is not b for a, b in zip(safe, values)):
            changed[position] = pd.Series(safe, index=column.index, dtype=column.dtype, name=column.name)
    if not changed and columns == list(frame.columns):
        return frame
    out = frame.copy(deep=False)
    for position, column in changed.items():
        out.isetitem(position, column)
    out.columns = columns
    return out


def _format_number(value: float, decimal: str) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = repr(float(value))
    if "e" in text:
        text = f"{value:.10f}".rstrip("0").rstrip(".")
    return text.replace(".", decimal)


def _cell(value: object, decimal: str) -> str:
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalar
        value = value.item()
        if isinstance(value, bool):
            return "oui" if value else "non"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return ""
        return _format_number(value, decimal)
    return neutralise(str(value))


def to_csv_text(frame: pd.DataFrame, dialect: str = "excel") -> str:
    """The extract as text (without BOM)."""
    if dialect not in DIALECTS:
        raise ValueError(f"format inconnu : {dialect} (attendu : {', '.join(DIALECTS)})")
    sep, decimal = (";", ",") if dialect == "excel" else (",", ".")
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([neutralise(str(c)) for c in frame.columns])
    writer.writerows(zip(*(_cells(column, decimal) for _, column in frame.items())))
    return buffer.getvalue()


def _cells(column: pd.Series, decimal: str) -> list[str]:
    """A column's cells as :func:`_cell` writes them, a whole column at once where its type
    allows (whole numbers, booleans, text)."""
    dtype = column.dtype
    if dtype.kind in "iu" and not isinstance(dtype, pd.api.extensions.ExtensionDtype):
        return [str(v) for v in column.tolist()]
    if dtype.kind == "b" and not isinstance(dtype, pd.api.extensions.ExtensionDtype):
        return ["oui" if v else "non" for v in column.tolist()]
    values = column.tolist()  # numpy scalars become Python values
    if all(type(v) is str for v in values):
        return [neutralise(v) for v in values]
    return [_cell(v, decimal) for v in values]


def to_csv_bytes(frame: pd.DataFrame, dialect: str = "excel") -> bytes:
    """The extract as bytes: UTF-8 with BOM for ``excel``, plain UTF-8 for ``csv``."""
    text = to_csv_text(frame, dialect)
    return ((BOM if dialect == "excel" else "") + text).encode("utf-8")


def write_csv(frame: pd.DataFrame, path, dialect: str = "excel") -> None:
    with open(path, "wb") as handle:
        handle.write(to_csv_bytes(frame, dialect))


def public_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop internal columns (``_valide``…) but keep the spreadsheet row as ``ligne``."""
    keep = [c == "_ligne" or not (str(c).startswith("_") or c == "geometry") for c in frame.columns]
    out = frame.loc[:, keep]  # a new table (columns of the same name each once): headers set in place
    out.columns = ["ligne" if c == "_ligne" else c for c in out.columns]
    return out


def _print_cell(value: object, percent: bool, shown=None) -> str:
    """One printed cell: blank when missing, « oui »/« non », else ``shown`` (the screen's
    format of its column) or a French number."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return "oui" if value else "non"
    if shown is not None:
        return shown(value)
    if percent and isinstance(value, (int, float)):
        return f"{value * 100:.1f}".replace(".", ",") + "\u00a0%"
    if isinstance(value, int) or (hasattr(value, "dtype") and getattr(value, "dtype").kind in "iu"):
        return f"{int(value):,}".replace(",", "\u202f")
    if isinstance(value, float):
        text = f"{value:,.2f}".rstrip("0")
        return (text + "0" if text.endswith(".") else text).replace(",", "\u202f").replace(".", ",")
    return str(value)


def html_table(frame: pd.DataFrame, percent_columns=()) -> str:
    """A static HTML table of every row and column, for print: text escaped,
    numbers in French (« 132 380 », « 6,7 », « 12,7 % »)."""
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    # the screen's number formats, column by column (a whole amount « 10 500 », a distance « 46,0 »)
    screen = formats.column_formatters(frame, percent_columns) if frame.columns.is_unique else {}
    rows = []
    for row in frame.itertuples(index=False, name=None):
        cells = (html.escape(_print_cell(v.item() if hasattr(v, "item") and not isinstance(v, str) else v,
                                         c in percent_columns, screen.get(c))) for c, v in zip(frame.columns, row))
        rows.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
