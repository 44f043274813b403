"""Hostile text and the integrity of users' files."""

import csv
import hashlib
import io
import re
import subprocess
import sys

import pandas as pd
import pytest
import streamlit_folium
from streamlit.testing.v1 import AppTest

from ptce_geo import coverage as cv
from ptce_geo import export, paths, portrait
from ptce_geo.registry import load_registry
from ptce_geo.spatial import locate_registry

CORPUS = paths.ROOT / "tests" / "data" / "corpus"
FORMULA = re.compile(r"^[=+\-@\t\r]")


def test_no_user_data_through_unsafe_html_pickle_or_eval():
    sources = list((paths.ROOT / "ptce_geo").glob("*.py")) + list((paths.ROOT / "dashboard").rglob("*.py"))
    for path in sources:
        text = path.read_text(encoding="utf-8")
        assert "unsafe_allow_html" not in text, path
        assert not re.search(r"\b(pickle|marshal)\b", text), path
        assert not re.search(r"(?<![\w.])(eval|exec)\(", text), path


def _cells(data: bytes):
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


@pytest.fixture(scope="module")
def formulas(territories, gazetteer):
    return locate_registry(load_registry(CORPUS / "formules.csv"), territories, gazetteer)


def test_every_extract_neutralises_formulas_and_keeps_numbers(territories, formulas):
    poles = cv.filter_poles(formulas.poles, formulas.soutiens, cv.Filters())
    extracts = {
        "poles": export.public_columns(formulas.poles),
        "communes": cv.coverage_table(territories, poles, "commune", within=("departement", "01")),
        "epci": cv.coverage_table(territories, poles, "epci"),
        "zones": cv.zones_blanches(territories, poles),
        "rapport": formulas.report_frame(),
    }
    fiche = portrait.build(territories, poles, formulas.soutiens, "departement", "01")
    extracts.update({f"fiche_{k}": export.public_columns(v) for k, v in fiche.tables().items()})
    seen_user_formula = False
    for name, frame in extracts.items():
        rows = _cells(export.to_csv_bytes(frame, "excel"))
        for row in rows[1:]:
            for cell in row:
                assert not FORMULA.match(cell) or re.fullmatch(r"-?\d+(,\d+)?", cell), (name, cell)
                seen_user_formula |= cell.startswith("'=") or cell.startswith("'@")
        if "distance_km" in frame.columns and len(frame):
            col = rows[0].index("distance_km")
            assert all(re.fullmatch(r"\d+(,\d+)?", r[col]) for r in rows[1:] if r[col]), name
    assert seen_user_formula


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_registry_files_are_never_modified(tmp_path, monkeypatch):
    poles, soutiens = CORPUS / "soutien_pole_inconnu.csv", CORPUS / "soutien_pole_inconnu_soutiens.csv"
    before = (_digest(poles), _digest(soutiens), poles.stat().st_mtime_ns)
    for args in (["validate", poles, "--soutiens", soutiens],
                 ["locate", poles, "--soutiens", soutiens, "-o", tmp_path / "o.csv"],
                 ["coverage", "--poles", poles, "--soutiens", soutiens, "-o", tmp_path / "c.csv"]):
        subprocess.run([sys.executable, "-m", "ptce_geo", *map(str, args)], cwd=paths.ROOT,
                       capture_output=True, timeout=300)
    monkeypatch.setenv("PTCE_POLES", str(poles))
    monkeypatch.setenv("PTCE_SOUTIENS", str(soutiens))
    monkeypatch.setattr(streamlit_folium, "st_folium", lambda m, **kw: None)
    at = AppTest.from_file(str(paths.ROOT / "dashboard" / "app.py"), default_timeout=120).run()
    assert not at.exception
    assert (_digest(poles), _digest(soutiens), poles.stat().st_mtime_ns) == before


def test_markdown_in_file_names_is_inert():
    from dashboard.common import md
    text = "![x](http://example.invalid/a.png) **gras** $x$ :material/home: www.example.org `code`"
    shown = md(text)
    # one code span whose fence is longer than any backtick run inside: nothing in it is markdown
    assert shown == f"`` {text} ``"
    assert md("a\n\n# titre") == "` a # titre `" and md("") == ""


def test_tables_on_screen_are_formula_safe(monkeypatch):
    """Streamlit's table toolbar downloads cells as shown: they must be neutralised too."""
    monkeypatch.setenv("PTCE_POLES", str(CORPUS / "formules.csv"))
    monkeypatch.setattr(streamlit_folium, "st_folium", lambda m, **kw: None)
    at = AppTest.from_file(str(paths.ROOT / "dashboard" / "app.py"), default_timeout=120)
    at.query_params["departement"] = "01"
    at.run()
    cells, neutralised = 0, 0
    for page in ("pages/donnees.py", "pages/zones_blanches.py", "pages/fiche_territoire.py"):
        at.switch_page(page).run()
        assert not at.exception, page
        for table in at.dataframe:
            frame = table.value
            for value in [*frame.columns, *frame.to_numpy().ravel()]:
                if isinstance(value, str):
                    cells += 1
                    assert not FORMULA.match(value), (page, value)
                    neutralised += value.startswith("'")
    assert cells and neutralised  # the hostile names and report values were there, neutralised


@pytest.mark.parametrize("hidden", ["\u200b=1+1", "\ufeff@SOMME(A1)", "＝HYPERLINK(\"x\")", "－2+3", "＋1"])
def test_formulas_hidden_behind_invisible_or_full_width_signs(hidden):
    cell = _cells(export.to_csv_bytes(pd.DataFrame({"nom": [hidden]}), "excel"))[1][0]
    assert cell.startswith("'") and "\u200b" not in cell and "\ufeff" not in cell
