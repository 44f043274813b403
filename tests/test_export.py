import csv
import io

import pandas as pd

from ptce_geo.export import neutralise, public_columns, to_csv_bytes


def _read_as_french_excel(data: bytes):
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def test_french_excel_dialect_keeps_accents_and_uses_decimal_comma():
    frame = pd.DataFrame({"nom": ["Pôle Été"], "distance_km": [12.5], "population": [1200], "couvert": [True]})
    rows = _read_as_french_excel(to_csv_bytes(frame))
    assert rows[0] == ["nom", "distance_km", "population", "couvert"]
    assert rows[1] == ["Pôle Été", "12,5", "1200", "oui"]


def test_formulas_are_neutralised_and_numbers_stay_numbers():
    frame = pd.DataFrame({"nom": ["=HYPERLINK(\"x\")", "+33 1", "-2", "@SUM(A1)", "\tTab", "\rCR", "ok"],
                          "montant": [-5.5, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0]})
    rows = _read_as_french_excel(to_csv_bytes(frame))
    names = [r[0] for r in rows[1:]]
    assert all(n.startswith("'") for n in names[:6]) and names[6] == "ok"
    assert rows[1][1] == "-5,5"  # a negative number is not text


def test_standard_dialect():
    frame = pd.DataFrame({"a": [1.25], "b": ["x,y"]})
    data = to_csv_bytes(frame, "csv")
    assert not data.startswith(b"\xef\xbb\xbf")
    assert data.decode() == 'a,b\r\n1.25,"x,y"\r\n'


def test_missing_values_are_empty_cells():
    frame = pd.DataFrame({"a": pd.array([None, 2], dtype="Int64"), "b": [float("nan"), 1.5]})
    rows = _read_as_french_excel(to_csv_bytes(frame))
    assert rows[1] == ["", ""] and rows[2] == ["2", "1,5"]


def test_neutralise():
    assert neutralise("=1+1") == "'=1+1" and neutralise("Lyon") == "Lyon"


def test_public_columns_hide_internals(demo):
    cols = public_columns(demo.poles).columns
    assert "ligne" in cols and "_valide" not in cols
