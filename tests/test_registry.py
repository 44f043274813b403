import io

import pandas as pd
import pytest

from ptce_geo.registry import MAX_CELL_CHARS, RegistryError, load_registry, parse_number, read_tables
from ptce_geo.text import thousands

HEADER = "id,nom,commune_insee,latitude,longitude,typologie,stade,secteurs\n"


def test_demo_registry_is_valid(demo):
    assert demo.is_valid, demo.report_text()
    assert len(demo.poles) == 150


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
@pytest.mark.parametrize("sep", [",", ";"])
def test_csv_in_every_encoding_and_separator(write, encoding, sep):
    text = HEADER.replace(",", sep) + sep.join(["P1", "Pôle Émeraude", "01001", "46,15" if sep == ";" else "46.15",
                                                 "4,92" if sep == ";" else "4.92", "filière", "Émergent",
                                                 "éco-activités|Insertion"]) + "\n"
    reg = load_registry(write("poles.csv", text, encoding=encoding))
    row = reg.poles.iloc[0]
    assert row["nom"] == "Pôle Émeraude"
    assert row["typologie"] == "filiere" and row["stade"] == "emergent"
    assert row["secteurs"] == "eco_activites|emploi_insertion"
    assert row["latitude"] == pytest.approx(46.15)
    assert reg.is_valid, reg.report_text()
    if encoding == "cp1252":
        assert any("Windows-1252" in i.message for i in reg.warnings)


def test_headers_match_with_aliases_case_and_accents(write):
    text = "Identifiant;Nom du pôle;Ville;Département;Code Postal;LAT;Lng\nA;Un pôle;Lyon;69;69001;45,76;4,83\n"
    reg = load_registry(write("p.csv", text))
    row = reg.poles.iloc[0]
    assert (row["id"], row["commune"], row["departement"], row["code_postal"]) == ("A", "Lyon", "69", "69001")
    assert row["longitude"] == pytest.approx(4.83)


def test_vocabulary_errors_name_row_column_value_and_fix(write):
    text = HEADER + "P1,A,01001,,,galaxie,emergent,\nP2,B,01001,,,filiere,bientôt,\n"
    reg = load_registry(write("p.csv", text))
    errors = reg.errors
    assert len(errors) == 2
    first, second = errors
    assert (first.ligne, first.colonne, first.valeur) == (2, "typologie", "galaxie")
    assert "mutualisation" in first.correction
    assert (second.ligne, second.colonne, second.valeur) == (3, "stade", "bientôt")
    # the rows are kept, only the bad cell is emptied
    assert reg.poles["_valide"].all()
    assert reg.poles.loc[0, "typologie"] == ""


def test_duplicate_ids_and_missing_names_are_listed_not_dropped(write):
    text = "id,nom,commune_insee\nP1,A,01001\nP1,B,01002\nP3,,01004\n"
    reg = load_registry(write("p.csv", text))
    assert len(reg.poles) == 3
    assert reg.poles["_valide"].tolist() == [True, False, False]
    messages = " ".join(i.message for i in reg.errors)
    assert "ligne 2" in messages and "nom du pôle manquant" in messages


def test_supports_are_validated_and_linked_to_poles(write):
    poles = write("p.csv", "id,nom,commune_insee\nP1,A,01001\n")
    soutiens = write("s.csv", "id pôle;niveau;forme;leviers;montant\n"
                              "P1;Intercommunalité;locaux;l6|L7;12 000,50 €\n"
                              "P9;epci;locaux_foncier;L6;\n"
                              "P1;ministère;ingenierie;L8;\n"
                              "P1;region;ingenierie;L9;\n")
    reg = load_registry(poles, soutiens)
    s = reg.soutiens
    assert s.loc[0, "collectivite_niveau"] == "epci" and s.loc[0, "forme"] == "locaux_foncier"
    assert s.loc[0, "leviers"] == "L6|L7" and s.loc[0, "montant_eur"] == pytest.approx(12000.5)
    assert s["_valide"].tolist() == [True, False, False, True]
    cols = {(i.ligne, i.colonne) for i in reg.errors}
    assert {(3, "id pôle"), (4, "niveau"), (5, "leviers")} <= cols


def test_xlsx_with_two_sheets(tmp_path):
    path = tmp_path / "registre.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"id": ["P1"], "nom": ["A"], "code insee": [1001]}).to_excel(writer, sheet_name="Pôles", index=False)
        pd.DataFrame({"pole_id": ["P1"], "collectivite_niveau": ["EPCI"], "leviers": ["L6"]}).to_excel(
            writer, sheet_name="Soutiens", index=False)
    reg = load_registry(path)
    assert reg.poles.loc[0, "commune_insee"] == "1001"  # a number in Excel, fixed when located
    assert reg.soutiens.loc[0, "collectivite_niveau"] == "epci"


def test_geojson_points(write):
    doc = ('{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"G1","nom":"Geo"},'
           '"geometry":{"type":"Point","coordinates":[2.35,48.85]}}]}')
    reg = load_registry(write("p.geojson", doc))
    assert reg.poles.loc[0, "latitude"] == pytest.approx(48.85)
    assert reg.poles.loc[0, "longitude"] == pytest.approx(2.35)


@pytest.mark.parametrize("name, content, words", [
    ("vide.csv", b"", "vide"),
    ("binaire.csv", b"\x00\x01\x02\x03PNG\x00\x00", "binaires"),
    ("sans_nom.csv", "id;ville\nP1;Lyon\n".encode(), "colonne obligatoire « nom »"),
    ("vieux.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, ".xlsx"),
    ("casse.xlsx", b"PK\x03\x04garbage", "XLSX illisible"),
    ("faux.geojson", b"{not json", "GeoJSON illisible"),
])
def test_unreadable_files_raise_a_french_error(write, name, content, words):
    with pytest.raises(RegistryError) as info:
        load_registry(write(name, content))
    assert words in info.value.issues[0].message or words in info.value.issues[0].correction


def test_utf16_is_read(write):
    reg = load_registry(write("p.csv", "id\tnom\nP1\tÉté\n".encode("utf-16")))
    assert reg.poles.loc[0, "nom"] == "Été"


def test_row_with_extra_values_is_reported(write):
    reg = load_registry(write("p.csv", "id,nom\nP1,A,surplus\n"))
    assert any(i.ligne == 2 and "2 colonnes" in i.message for i in reg.errors)


def test_numbers_with_comma_and_bad_numbers(write):
    assert parse_number("1 234,5") == 1234.5
    assert parse_number("1.234,5") == 1234.5
    assert parse_number("12 000 €") == 12000
    with pytest.raises(ValueError):
        parse_number("nan")
    reg = load_registry(write("p.csv", "id,nom,nb_membres,annee_creation\nP1,A,douze,1850\n"))
    assert {i.colonne for i in reg.errors} == {"nb_membres", "annee_creation"}


def test_no_id_column_gets_generated_ids(write):
    reg = load_registry(write("p.csv", "nom,ville\nA,Lyon\nB,Troyes\n"))
    assert reg.poles["id"].tolist() == ["P0001", "P0002"]
    assert reg.is_valid


def test_read_tables_picks_poles_sheet_from_bytes():
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer) as writer:
        pd.DataFrame({"x": [1]}).to_excel(writer, sheet_name="Notes", index=False)
        pd.DataFrame({"nom": ["A"]}).to_excel(writer, sheet_name="poles", index=False)
    tables, _ = read_tables(buffer.getvalue(), "r.xlsx")
    assert list(tables["poles"].columns) == ["nom"]


def test_user_column_mapping(write):
    path = write("p.csv", "Structure;Lieu\nX;Troyes\n")
    with pytest.raises(RegistryError):
        load_registry(path)
    reg = load_registry(path, renames={"poles": {"Structure": "nom", "Lieu": "commune"}})
    assert reg.poles.loc[0, "nom"] == "X" and reg.poles.loc[0, "commune"] == "Troyes"


def test_a_byte_order_mark_inside_the_file_is_dropped(write):
    """Two exports pasted together leave a BOM at the start of a line."""
    path = write("colles.csv", "\ufeffid;nom;commune_insee\nP1;A;01001\n\ufeffP2;B\ufeff;\ufeff01004\n")
    reg = load_registry(path)
    assert not reg.errors
    assert list(reg.poles["id"]) == ["P1", "P2"] and list(reg.poles["commune_insee"]) == ["01001", "01004"]
    assert reg.poles["nom"].iloc[1] == "B"


def test_an_over_long_cell_is_emptied_with_its_size_in_words(write):
    reg = load_registry(write("p.csv", "id,nom,porteur\nP1,A," + "x" * (MAX_CELL_CHARS + 1) + "\n"))
    issue = next(i for i in reg.errors if i.colonne == "porteur")
    assert issue.message == (f"cellule de {thousands(MAX_CELL_CHARS + 1)} caractères, au-delà de "
                             f"{thousands(MAX_CELL_CHARS)} : elle est vidée")
    assert " caractères, au-delà de " in issue.message  # the sentence keeps its comma
    assert reg.poles.loc[0, "porteur"] == ""


# -- limits applied while reading (hostile files; see tests/data/hostile.py) ----------------

def _refusal(data: bytes, name: str) -> str:
    with pytest.raises(RegistryError) as info:
        load_registry(data, poles_name=name)
    issue = info.value.issues[0]
    assert issue.message and issue.correction
    return issue.message


def test_csv_header_wider_than_the_column_limit_is_refused_before_reading():
    assert "au-delà de la limite de 200" in _refusal(("nom" + ";" * 300 + "\nA\n").encode(), "p.csv")


def test_csv_reading_stops_at_the_row_limit(monkeypatch):
    monkeypatch.setenv("PTCE_MAX_ROWS", "10")
    message = _refusal(("nom\n" + "A\n" * 10_000).encode(), "p.csv")
    assert "plus de 10 lignes" in message and "limite de 10" in message


def test_csv_cells_are_limited(monkeypatch):
    monkeypatch.setenv("PTCE_MAX_ROWS", "100")  # 2,000 cells
    header = ";".join(["nom"] + [f"c{i}" for i in range(59)])
    message = _refusal((header + "\n" + ("A" + ";x" * 59 + "\n") * 40).encode(), "p.csv")
    assert "cellules" in message and "2 000" in message


def test_duplicate_headers_become_unique_with_a_warning(write):
    reg = load_registry(write("p.csv", "nom;note;note;note_2\nA;1;2;3\n"))
    assert {"note", "note_3", "note_2"} <= set(reg.poles.columns)
    warning = next(i for i in reg.warnings if "plusieurs colonnes" in i.message)
    assert (warning.ligne, warning.colonne) == (1, "note") and "note_3" in warning.message


def test_xlsx_dates_booleans_rich_text_and_phonetic_runs():
    from tests.data.hostile import _SHEET_HEAD, xlsx_parts
    shared = ('<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
              '<si><t>nom</t></si><si><r><t>Pôle </t></r><r><rPr><b/></rPr><t>Émeraude</t></r>'
              '<rPh><t>ぽーる</t></rPh></si></sst>')
    sheet = (f'{_SHEET_HEAD}<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c>'
             '<c r="B1" t="inlineStr"><is><t>actif</t></is></c><c r="C1" t="str"><v>note</v></c></row>'
             '<row r="3"><c r="A3" t="s"><v>1</v></c><c r="B3" t="b"><v>1</v></c>'
             '<c r="C3"><f>1+1</f><v>2</v></c></row></sheetData></worksheet>')
    tables, issues = read_tables(xlsx_parts(sheet, shared), "r.xlsx")
    frame = tables["poles"]
    assert list(frame.columns) == ["nom", "actif", "note"]
    assert frame.iloc[0].tolist() == ["Pôle Émeraude", "oui", "2"]
    assert issues == []


def test_xlsx_text_in_a_number_cell_is_kept_and_named():
    from tests.data.hostile import xlsx_text_in_number_cell
    reg = load_registry(xlsx_text_in_number_cell(), poles_name="r.xlsx")
    note = next(i for i in reg.warnings if "typée nombre" in i.message)
    assert (note.ligne, note.colonne, note.valeur) == (2, "nb_membres", "douze") and "C2" in note.message
    assert any(i.colonne == "nb_membres" for i in reg.errors)  # then validated as any bad number


@pytest.mark.parametrize("maker, words", [
    ("xlsx_declared_dimension", "déclare la plage A1:XFD1048576"),
    ("xlsx_wide_row", "dernière colonne d'Excel"),
    ("geojson_nested", "niveaux"),
    ("geojson_sparse_keys", "cellules"),
])
def test_hostile_files_are_refused_quickly(maker, words):
    import time

    from tests.data import hostile
    data = getattr(hostile, maker)()
    started = time.process_time()
    message = _refusal(data, "h.geojson" if "geojson" in maker else "h.xlsx")
    assert words in message
    assert time.process_time() - started < 5


def test_xlsx_shared_string_longer_than_excel_allows_is_refused():
    from tests.data.hostile import xlsx_huge_shared_string
    assert "32 767 caractères" in _refusal(xlsx_huge_shared_string(100_000), "h.xlsx")


def test_xlsx_part_unpacking_beyond_the_limit_is_refused(monkeypatch):
    from tests.data.hostile import xlsx_huge_sheet
    monkeypatch.setenv("PTCE_MAX_UPLOAD_MB", "0.1")
    assert "se décompresse en" in _refusal(xlsx_huge_sheet(2_000_000), "h.xlsx")


def test_xlsx_with_too_many_parts_or_a_dtd_is_refused(monkeypatch):
    import zipfile

    from ptce_geo.registry import limits
    from tests.data.hostile import _SHEET_HEAD, xlsx_parts
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for i in range(30):
            archive.writestr(f"x{i}.xml", "<a/>")
    monkeypatch.setattr(limits, "MAX_ZIP_MEMBERS", 20)
    assert "30 parties" in _refusal(buffer.getvalue(), "h.xlsx")
    bomb = ('<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
            + _SHEET_HEAD[_SHEET_HEAD.index("<worksheet"):] + "<sheetData/></worksheet>")
    assert "DTD" in _refusal(xlsx_parts(bomb), "h.xlsx")


def test_geojson_with_more_containers_than_rows_allow_is_refused_before_parsing(monkeypatch):
    from tests.data.hostile import geojson_empty_objects
    monkeypatch.setenv("PTCE_MAX_ROWS", "100")
    assert "objets et listes" in _refusal(geojson_empty_objects(5_000), "h.geojson")


def test_geojson_object_properties_are_kept_whole_and_utf16_is_read():
    import json
    long = {"adresse": "x" * 500}
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"nom": "Pôle", "détail": long}, "geometry": None}]}
    reg = load_registry(json.dumps(doc).encode("utf-16"), poles_name="p.geojson")
    assert json.loads(reg.poles.loc[0, "détail"]) == long


def test_report_rows_of_a_file_level_issue_have_an_empty_line_cell(write):
    # cp1252 gives a file-level warning (ligne None); an unknown stage gives a row-level one
    text = HEADER + "P1,Pôle,01001,46.1,4.9,filière,bizarre,\n"
    reg = load_registry(write("poles.csv", text, encoding="cp1252"))
    frame = reg.report_frame()
    assert "" in set(frame["ligne"]) and "2" in set(frame["ligne"])
    assert not frame["ligne"].isna().any() and "None" not in set(frame["ligne"])
    import csv
    from ptce_geo import export
    rows = list(csv.DictReader(io.StringIO(export.to_csv_text(frame)), delimiter=";"))
    assert sorted({r["ligne"] for r in rows}) == ["", "2"]
