import csv
import io

import pandas as pd

from ptce_geo import export
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


def test_a_csv_is_written_cell_by_cell_as_each_cell_alone_would_be():
    """Columns are written a whole column at once where their type allows: every cell must
    still read as it does alone (numbers, booleans, blanks, formulas, nullable types)."""
    frame = pd.DataFrame({
        "entier": [1, -2, 30],
        "reel": [1.5, float("nan"), 2.0],
        "booleen": [True, False, True],
        "texte": ["=1+1", "Éa;b", "ok"],
        "mixte": ["x", None, 3.25],
        "entier_nul": pd.array([1, None, 3], dtype="Int64"),
        "booleen_nul": pd.array([True, None, False], dtype="boolean"),
        "grand": [10**15 + 0.5, 1e-7, -0.0],
    })
    for dialect, sep, decimal in (("excel", ";", ","), ("csv", ",", ".")):
        rows = list(csv.reader(io.StringIO(export.to_csv_text(frame, dialect)), delimiter=sep))
        assert rows[0] == list(frame.columns)
        expected = [[export._cell(v, decimal) for v in row] for row in frame.itertuples(index=False, name=None)]
        assert rows[1:] == expected
    assert rows[1][3] == "'=1+1" and rows[2][5] == "" and rows[1][2] == "oui"


def test_public_columns_keep_each_column_once():
    frame = pd.DataFrame([[1, 2, 3, 4]], columns=["_ligne", "a", "a", "_valide"])
    out = public_columns(frame)
    assert list(out.columns) == ["ligne", "a", "a"] and out.iloc[0].tolist() == [1, 2, 3]


def test_a_table_on_screen_is_neutralised_without_changing_the_callers_frame():
    clean = pd.DataFrame({"Pôle": ["Les Écossolies", "Évry solidaire"], "Distance (km)": [1.5, 2.0]})
    assert export.neutralise_frame(clean) is clean  # nothing to neutralise: not copied
    hostile = pd.DataFrame({"=Pôle": ["=1+1", "\u200b@SOMME(A1)", "＋1", "Évry", None],
                            "Rang": [1, 2, 3, 4, 5],
                            "Note": pd.array(["-2", "ok", None, "x", "y"], dtype="string")})
    before = hostile.copy()
    safe = export.neutralise_frame(hostile)
    assert list(safe.columns) == ["'=Pôle", "Rang", "Note"]
    assert safe["'=Pôle"].tolist()[:4] == ["'=1+1", "'@SOMME(A1)", "'＋1", "Évry"] and safe["'=Pôle"].isna().iloc[4]
    assert safe["Note"].tolist()[:2] == ["'-2", "ok"] and safe["Note"].dtype == "string"
    assert safe["Rang"].tolist() == [1, 2, 3, 4, 5]
    pd.testing.assert_frame_equal(hostile, before)  # the caller's table is untouched


def test_the_printed_table_writes_numbers_as_the_screen_does():
    """The fiche's print copy: a whole amount without « ,0 », decimals with a comma, shares in
    percent, text escaped."""
    frame = pd.DataFrame({"Montant (euros)": [10500.0, 47500.5], "Part": [0.127, 0.5], "Pôle": ["<b>A</b>", "B"]})
    printed = export.html_table(frame, percent_columns=("Part",))
    assert "<td>10\u202f500</td>" in printed and "<td>47\u202f500,5</td>" in printed
    assert "12,7\u00a0%" in printed and "&lt;b&gt;A&lt;/b&gt;" in printed
    # a distance keeps its decimal, as on screen
    assert "<td>46,0</td>" in export.html_table(pd.DataFrame({"Distance (km)": [46.0, 3.25]}))
    # a missing amount is a blank cell, whatever its kind of missing
    blank = export.html_table(pd.DataFrame({"Montant (euros)": pd.array([1.5, None], dtype="Float64")}))
    assert "<td></td>" in blank and "<td>1,5</td>" in blank
