import json

import pandas as pd

from ptce_geo import paths, schema, vocab
from ptce_geo.registry import load_registry


def test_committed_schema_and_templates_match_the_code(tmp_path):
    written = schema.write_all(tmp_path)
    for path in written:
        committed = paths.GEODATA / path.relative_to(tmp_path)
        assert committed.exists(), f"{committed} manque : lancez python -m ptce_geo template"
        if path.suffix in (".json", ".csv"):
            assert committed.read_text(encoding="utf-8") == path.read_text(encoding="utf-8"), committed
        else:
            for sheet in ("poles", "soutiens", "vocabulaire"):
                pd.testing.assert_frame_equal(pd.read_excel(committed, sheet_name=sheet, dtype=str),
                                              pd.read_excel(path, sheet_name=sheet, dtype=str))


def test_table_schema_lists_vocabulary():
    poles = json.loads((paths.SCHEMA_DIR / "poles.schema.json").read_text(encoding="utf-8"))
    fields = {f["name"]: f for f in poles["fields"]}
    assert fields["id"]["constraints"]["required"] and poles["primaryKey"] == "id"
    assert fields["stade"]["constraints"]["enum"] == list(vocab.STADES)
    soutiens = json.loads((paths.SCHEMA_DIR / "soutiens.schema.json").read_text(encoding="utf-8"))
    assert soutiens["foreignKeys"][0]["reference"]["resource"] == "poles"


def test_template_is_a_valid_registry():
    reg = load_registry(paths.TEMPLATE_DIR / "registre_modele.xlsx")
    assert reg.is_valid and len(reg.poles) == 1 and len(reg.soutiens) == 1


def test_the_edit_form_has_every_field_of_the_format_with_its_french_title():
    """The « Édition » form is drawn from these: a column added to the format appears in it."""
    fields = schema.form_fields("poles", skip=("id",))
    assert [f.name for f in fields] == [f["name"] for f in schema.table_schema("poles")["fields"]][1:]
    by_name = {f.name: f for f in fields}
    assert by_name["nom"].label == "Nom du pôle *" and by_name["commune"].label == "Commune du siège"
    assert by_name["latitude"].help == "Degrés décimaux WGS84 (EPSG:4326)." and by_name["latitude"].choices is None
    assert by_name["stade"].choices == vocab.STADES and not by_name["stade"].multiple
    assert by_name["secteurs"].choices == vocab.SECTEURS and by_name["secteurs"].multiple
    supports = {f.name: f for f in schema.form_fields("soutiens")}
    assert supports["leviers"].multiple and supports["leviers"].choices == vocab.LEVIERS
    assert supports["collectivite_niveau"].label == "Niveau de la collectivité *"
    assert supports["montant_eur"].label == "Montant (euros)"
    assert supports["leviers"].shown("L6") == vocab.levier_label("L6") and by_name["stade"].shown("") == "—"
    assert by_name["secteurs"].chosen("culture|ancien_code|mobilite") == ["culture", "mobilite"]
