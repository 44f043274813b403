import io
import re

import pandas as pd
import pytest

from ptce_geo.registry import MAX_CELL_CHARS, RegistryError, load_registry, parse_number, read_tables, user_header
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
    ("guillemet.csv", 'id;nom\nP1;"Pôle ouvert\nP2;Autre\n'.encode(), "guillemet non fermé"),
])
def test_unreadable_files_raise_a_french_error(write, name, content, words):
    with pytest.raises(RegistryError) as info:
        load_registry(write(name, content))
    assert words in info.value.issues[0].message or words in info.value.issues[0].correction
    # French alone: no Python exception name or English library message inside the sentence
    said = info.value.issues[0].message + " " + info.value.issues[0].correction
    assert not re.search(r"Error|BadZip|unexpected|expected|\bend of\b", said), said


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


# --- vocabulary: labels and their common forms ------------------------------------------------

@pytest.mark.parametrize("kind, written, code", [
    ("stade", "Consolidée", "consolide"), ("stade", "consolide", "consolide"), ("stade", "CONSOLIDÉ", "consolide"),
    ("stade", "consolidées", "consolide"), ("stade", "en développement", "developpement"),
    ("stade", "En-Développement", "developpement"), ("stade", "émergente", "emergent"),
    ("stade", "Inactive", "inactif"), ("typologie", "Filières", "filiere"),
    ("typologie", "multi activités", "multi_activites"), ("typologie", "Multi-activité", "multi_activites"),
    ("secteur", "Éco activité", "eco_activites"), ("secteur", "service à la personne", "services_personne"),
    ("secteur", "Culture, industries créatives", "culture"), ("niveau", "Départements", "departement"),
    ("niveau", "EPCI (intercommunalité)", "epci"), ("niveau", "Régions", "region"),
    ("forme", "Subventions de fonctionnement", "subvention_fonctionnement"),
    ("forme", "locaux, immobilier ou foncier", "locaux_foncier"), ("levier", "L6", "L6"), ("levier", "l6", "L6"),
    ("levier", "L 6", "L6"), ("levier", "Levier 6", "L6"), ("levier", "levier L6", "L6"),
    ("levier", "Aménagement, immobilier et foncier", "L6"), ("levier", "L6 — Aménagement, immobilier", "L6"),
])
def test_vocabulary_accepts_labels_and_their_common_forms(kind, written, code):
    from ptce_geo import vocab
    assert vocab.match(kind, written) == code


def test_labels_as_values_are_read_as_codes_in_every_vocabulary_column(write):
    poles = write("p.csv", "id;nom;commune_insee;typologie;stade;secteurs\n"
                           "P1;A;01001;Multi-activités;Consolidée;Éco-activités|Services à la personne\n"
                           "P2;B;01001;FILIÈRE;en développement;Numérique\n")
    soutiens = write("s.csv", "pole_id;collectivite_niveau;forme;leviers\n"
                              "P1;Département;Commande publique;l6|Coopération entre collectivités\n"
                              "P2;EPCI;Locaux, immobilier ou foncier;Levier 1\n")
    reg = load_registry(poles, soutiens)
    assert reg.is_valid and not reg.warnings, reg.report_text()
    assert reg.poles[["typologie", "stade", "secteurs"]].values.tolist() == [
        ["multi_activites", "consolide", "eco_activites|services_personne"],
        ["filiere", "developpement", "numerique"]]
    assert reg.soutiens[["collectivite_niveau", "forme", "leviers"]].values.tolist() == [
        ["departement", "commande_publique", "L6|L4"], ["epci", "locaux_foncier", "L1"]]


def test_unknown_values_list_the_accepted_labels_and_synonyms_are_reported_once(write):
    poles = write("p.csv", "id;nom;commune_insee;stade\nP1;A;01001;Bientôt\nP2;B;01001;mature\nP3;C;01001;Mature\n")
    soutiens = write("s.csv", "pole_id;collectivite_niveau;leviers\nP1;epci;L9\n")
    reg = load_registry(poles, soutiens)
    stade, lever = reg.errors
    assert (stade.ligne, stade.colonne, stade.valeur) == (2, "stade", "Bientôt")
    assert "« Consolidé »" in stade.correction and "« En développement »" in stade.correction
    assert (lever.colonne, lever.valeur) == ("leviers", "L9")
    assert "L6 « Aménagement, immobilier et foncier »" in lever.correction
    assert reg.poles["stade"].tolist() == ["", "consolide", "consolide"]
    guesses = [w for w in reg.warnings if w.colonne == "stade"]
    assert [(w.ligne, w.valeur) for w in guesses] == [(3, "mature"), (4, "Mature")]
    assert "lu comme « Consolidé »" in guesses[0].message


# --- dates ------------------------------------------------------------------------------------

@pytest.mark.parametrize("written, day", [
    ("02/10/2025", (2025, 10, 2)), ("2/10/25", (2025, 10, 2)), ("2025-06-30", (2025, 6, 30)),
    ("30.06.2025", (2025, 6, 30)), ("30-06-2025", (2025, 6, 30)), ("2025/06/30", (2025, 6, 30)),
    ("20250630", (2025, 6, 30)), ("2025-06-30 00:00:00", (2025, 6, 30)), ("2 octobre 2025", (2025, 10, 2)),
    ("1er oct. 2025", (2025, 10, 1)), ("45930", (2025, 9, 30)),
])
def test_dates_are_read_day_first(written, day):
    from datetime import date

    from ptce_geo.registry.dates import parse_date
    assert parse_date(written) == date(*day)


@pytest.mark.parametrize("written", ["hier", "2025", "31/02/2025", "13/13/2025", "202561", "2 brumaire 2025"])
def test_what_is_not_a_date_is_refused(written):
    from ptce_geo.registry.dates import parse_date
    with pytest.raises(ValueError):
        parse_date(written)


def test_mixed_date_formats_give_real_dates_and_the_real_latest(write):
    text = ("id;nom;commune_insee;date_maj\nP1;A;01001;30/06/2025\nP2;B;01001;02/10/2025\n"
            "P3;C;01001;2025-06-30\nP4;D;01001;le mois dernier\nP5;E;01001;2/1/99\nP6;F;01001;\n")
    reg = load_registry(write("p.csv", text))
    assert reg.poles["date_maj"].tolist() == ["2025-06-30", "2025-10-02", "2025-06-30", "le mois dernier",
                                              "1999-01-02", ""]
    [error] = reg.errors
    assert (error.ligne, error.colonne, error.valeur) == (5, "date_maj", "le mois dernier")
    assert "gardée telle quelle" in error.message and "02/10/2025" in error.correction
    assert reg.poles["_valide"].all()  # nothing lost: the row stays
    from datetime import date
    assert reg.latest_update() == date(2025, 10, 2)  # compared as text, 30/06/2025 would win


def test_a_date_in_the_future_is_reported_and_not_the_latest(write):
    from datetime import date, timedelta
    ahead = date.today() + timedelta(days=400)
    text = f"id;nom;commune_insee;date_maj\nP1;A;01001;{ahead:%d/%m/%Y}\nP2;B;01001;01/03/2024\n"
    reg = load_registry(write("p.csv", text))
    [error] = reg.errors
    assert error.ligne == 2 and "dans le futur" in error.message
    assert reg.latest_update() == date(2024, 3, 1)


def test_latest_update_of_a_registry_without_dates_is_none(write):
    assert load_registry(write("p.csv", "id;nom;commune_insee\nP1;A;01001\n")).latest_update() is None


# --- control characters (a NUL in an id) ------------------------------------------------------

def test_ids_that_differ_only_by_nul_are_duplicates_and_cells_lose_their_control_characters():
    """Found by the fuzz test: a UTF-16 file with NULs in its ids. pandas reads strings
    with NULs inconsistently (``is_unique`` False where ``duplicated`` finds none)."""
    data = "id;nom\nP\x001;A\nP1;B\n2A\x0001;C\x07\n2A\x00|x;D\n".encode("utf-16")
    reg = load_registry(data, poles_name="p.csv")
    assert reg.poles["id"].tolist() == ["P1", "P1", "2A01", "2A|x"]
    assert reg.poles["nom"].tolist() == ["A", "B", "C", "D"]
    assert reg.poles["_valide"].tolist() == [True, False, True, True]
    [duplicate] = reg.errors
    assert (duplicate.ligne, duplicate.colonne) == (3, "id") and "déjà utilisé à la ligne 2" in duplicate.message
    usable = reg.poles.loc[reg.poles["_valide"], "id"]
    assert usable.is_unique and not usable.str.contains("\x00").any()
    notes = [w for w in reg.warnings if "caractères de contrôle" in w.message]
    assert [(w.colonne, w.ligne) for w in notes] == [("id", 2), ("nom", 4)]
    assert "2 autre(s) ligne(s)" in notes[0].message


# --- column mapping ---------------------------------------------------------------------------

def test_column_mapping_questions_say_what_the_column_means_and_answers_are_remembered(write):
    from ptce_geo.registry import mapping, read_registry
    raw = read_registry(write("p.csv", "Structure;Lieu\nX;Troyes\n"),
                        write("s.csv", "Réf;Qui\nP0001;epci\n"))
    questions = mapping.questions(raw.unmatched())
    assert [(q.table, q.column, q.title) for q in questions] == [
        ("poles", "nom", "Nom du pôle"), ("soutiens", "pole_id", "Identifiant du pôle"),
        ("soutiens", "collectivite_niveau", "Niveau de la collectivité")]
    assert questions[0].label == "« Nom du pôle » : quelle colonne de votre fichier le contient ?"
    assert "fichier des soutiens" in questions[1].label and "nom" not in questions[0].label.split()
    nom, pole, level = questions
    # the same column twice is refused in words; an unanswered question is not a problem yet
    renames, problems = mapping.resolve({nom: "Structure", pole: "Qui", level: "Qui"})
    assert renames is None and "« Qui » est choisie à la fois pour « Identifiant du pôle »" in problems[0]
    assert mapping.resolve({nom: "Structure", pole: "", level: ""}) == (None, [])
    answers = {nom: "Structure", pole: "Réf", level: "Qui"}
    renames, problems = mapping.resolve(answers)
    assert problems == [] and renames == {"poles": {"Structure": "nom"},
                                          "soutiens": {"Réf": "pole_id", "Qui": "collectivite_niveau"}}
    reg = raw.validate(renames)
    assert reg.is_valid and reg.soutiens.loc[0, "collectivite_niveau"] == "epci"
    memory: dict = {}
    mapping.remember(memory, answers)
    again = mapping.questions(read_registry(write("p2.csv", "Structure;Lieu\nY;Reims\n")).unmatched())
    assert [mapping.recalled(memory, q) for q in again] == ["Structure"]
    other = mapping.questions(read_registry(write("p3.csv", "Structure;Ville\nY;Reims\n")).unmatched())
    assert [mapping.recalled(memory, q) for q in other] == [""]


def test_a_list_cell_without_pipes_keeps_labels_that_hold_a_comma(write):
    poles = write("p.csv", 'id,nom,commune_insee,secteurs\nP1,A,01001,"Emploi, insertion, Culture"\n')
    soutiens = write("s.csv", 'pole_id;collectivite_niveau;leviers\nP1;epci;Aménagement, immobilier et foncier, L1\n'
                              'P1;region;L1, L2\n')
    reg = load_registry(poles, soutiens)
    assert reg.is_valid and not reg.warnings, reg.report_text()
    assert reg.poles.loc[0, "secteurs"] == "emploi_insertion|culture"
    assert reg.soutiens["leviers"].tolist() == ["L6|L1", "L1|L2"]


def test_report_lists_issues_by_line_and_a_year_is_not_told_about_decimals(write):
    """The report reads down the file (the checks found lines 4, 3, 2: typology, stage, then
    latitude); a year's fix does not speak of decimal commas."""
    poles = write("poles.csv", HEADER + "P1,Pôle 1,01001,abc,4.9,filière,,\nP2,Pôle 2,01001,46.1,4.9,filière,"
                                        "bizarre,\nP3,Pôle 3,01001,46.1,4.9,inconnue,,\n")
    supports = write("soutiens.csv", "pole_id;collectivite_niveau;collectivite_code;leviers;annee\n"
                                     "P1;epci;200029999;L6;deux mille\nP9;epci;200029999;L6;2020\n")
    assert [i.ligne for i in load_registry(poles).issues] == [4, 3, 2]  # the checks' own order
    frame = load_registry(poles, supports).report_frame()
    for table in ("poles", "soutiens"):
        lines = [int(x) for x in frame.loc[frame["table"] == table, "ligne"] if x]
        assert lines == sorted(lines) and lines
    # the command line's report reads down the file too
    said = [line for line in load_registry(poles, supports).report_text().splitlines() if "poles, ligne" in line]
    lines = [int(line.split("ligne ")[1].split(",")[0]) for line in said]
    assert lines == [2, 3, 4]
    year = frame[frame["colonne"] == "annee"].iloc[0]
    assert "année" in year["message"] and "virgule" not in year["correction"]


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


def test_user_headers_are_shared_by_derived_tables_not_copied(demo):
    """pandas deep-copies a table's attrs into every table derived from it; the user's headers
    (for messages naming their columns) are read-only and shared, and survive a round trip
    through pickle (a worker process reads uploads)."""
    import copy
    import pickle
    headers = demo.poles.attrs["entetes"]
    derived = demo.poles[demo.poles["_valide"]].copy()
    assert derived.attrs["entetes"] is headers and user_header(derived, "nom") == headers["nom"]
    with pytest.raises(TypeError):
        headers["nom"] = "autre"
    again = pickle.loads(pickle.dumps(demo.poles))
    assert dict(again.attrs["entetes"]) == dict(headers)
    assert copy.copy(headers) == headers
