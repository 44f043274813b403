"""Tables on screen (dashboard/common.py): every header stays readable."""

import numpy as np
import pandas as pd

from dashboard import common


def test_a_column_is_as_wide_as_its_header_or_its_longest_cell_up_to_a_limit():
    frame = pd.DataFrame({"Distance (km)": [1.5, np.nan, 12.25], "Pôle": ["A", None, "B"],
                          "Commune": ["Saint-Martin-de-Belleville", "Ay", pd.NA],
                          "Texte": ["x" * 120, "y", "z"], "Nombre": pd.array([1, None, 3], dtype="Int64")})
    widths = common._column_widths(frame)
    assert widths["Distance (km)"] > widths["Pôle"]  # the header counts, not « 1.5 »
    assert widths["Commune"] > widths["Distance (km)"]  # 26 characters of a commune's name
    forty = common._column_widths(pd.DataFrame({"T": ["x" * 40]}))["T"]
    assert widths["Texte"] == forty  # longer text wraps or is cut at 40 characters, not 120 characters wide
    assert widths["Pôle"] == 60  # a short header and short cells: the narrowest column
    assert widths["Nombre"] == common._column_widths(pd.DataFrame({"Nombre": []}))["Nombre"]  # its header decides
    assert common._column_widths(frame.rename(columns={"Pôle": "Commune"})) == {}  # repeated names: the grid decides
