"""French number formats (ptce_geo.formats)."""

import math

import pandas as pd
import pytest

from ptce_geo import formats

NNBSP, NBSP = "\u202f", "\u00a0"


def test_integers_have_narrow_no_break_thousands():
    assert formats.integer(444533) == f"444{NNBSP}533"
    assert formats.integer(51_081_498) == f"51{NNBSP}081{NNBSP}498"
    assert formats.integer(999) == "999"
    assert formats.integer(-1234) == f"-1{NNBSP}234"
    assert formats.integer(12.6) == "13"


def test_fast_integers_equal_babel():
    from babel.numbers import format_decimal
    for n in (0, 7, 999, 1000, 65_432, 444_533, 51_081_498, -1234, 10**12):
        assert formats.integer(n) == format_decimal(n, format="#,##0", locale="fr_FR")


def test_decimals_use_a_comma():
    assert formats.decimal(0.14) == "0,1"
    assert formats.decimal(0.14, 2) == "0,14"
    assert formats.decimal(6.0) == "6,0"
    assert formats.decimal(2.5, 2, exact=False) == "2,5"
    assert formats.decimal(1234.5) == f"1{NNBSP}234,5"


def test_percent_km_and_euros_keep_their_unit_attached():
    assert formats.percent(0.127) == f"12,7{NBSP}%"
    assert formats.percent(1) == f"100,0{NBSP}%"
    assert formats.percent(0.5, digits=0) == f"50{NBSP}%"
    assert formats.km(6.72) == f"6,7{NBSP}km"
    assert formats.euros(1234.6) == f"1{NNBSP}235{NBSP}€"
    assert formats.euros(25000) == f"25{NNBSP}000{NBSP}€"


@pytest.mark.parametrize("missing", [None, float("nan"), pd.NA, math.nan])
def test_missing_values_are_blank_not_none(missing):
    for fmt in (formats.integer, formats.decimal, formats.percent, formats.km, formats.euros):
        assert fmt(missing) == ""


def test_column_formatters_pick_a_format_per_column():
    frame = pd.DataFrame({
        "Population": [444533, 1200], "Distance (km)": [6.72, float("nan")],
        "Part des EPCI couverts": [0.127, 0.5], "Pôles pour 100 000 hab.": [2.346, 0.0],
        "Couverte": [True, False], "Commune": ["Bourg", "Ars"], "nb": [3.0, float("nan")],
        "ratio": [0.3, 0.4], "Part des EPCI couverts (%)": [12.7, 50.0]})
    shown = formats.french_frame(frame, percent_columns=["ratio"])
    assert shown["Population"].tolist() == [f"444{NNBSP}533", f"1{NNBSP}200"]
    assert shown["Distance (km)"].tolist() == ["6,7", ""]
    assert shown["Part des EPCI couverts"].tolist() == [f"12,7{NBSP}%", f"50,0{NBSP}%"]
    assert shown["Pôles pour 100 000 hab."].tolist() == ["2,35", "0"]
    assert shown["nb"].tolist() == ["3", ""]
    assert shown["ratio"].tolist() == [f"30,0{NBSP}%", f"40,0{NBSP}%"]
    # a header that says « (%) » holds percentages already (as in the extracts): not multiplied again
    assert shown["Part des EPCI couverts (%)"].tolist() == ["12,7", "50,0"]
    # booleans and text untouched; the original frame keeps its numbers (for sorting)
    assert shown["Couverte"].tolist() == [True, False]
    assert shown["Commune"].tolist() == ["Bourg", "Ars"]
    assert frame["Population"].dtype.kind == "i"
    assert "Couverte" not in formats.column_formatters(frame)


def test_no_english_number_survives_a_french_frame():
    frame = pd.DataFrame({"Population": [444533], "Part": [0.14]})
    assert formats.french_frame(frame, percent_columns=["Part"]).iloc[0].tolist() == [f"444{NNBSP}533", f"14,0{NBSP}%"]


def test_counts_agree_with_their_number_as_in_french():
    assert formats.count(0, "EPCI non couvert", "EPCI non couverts") == "0 EPCI non couvert"
    assert formats.count(1, "commune couverte", "communes couvertes") == "1 commune couverte"
    assert formats.count(17, "EPCI non couvert", "EPCI non couverts") == "17 EPCI non couverts"
    assert formats.count(1500, "soutien", "soutiens") == "1\u202f500 soutiens"
