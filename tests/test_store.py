"""The shared registry database: roles enforced by the core, version checks,
history and undo, imports all or nothing. Run on SQLite and on PostgreSQL."""

import pandas as pd
import pytest
import sqlalchemy as sa

from ptce_geo.registry import RegistryError, load_registry
from ptce_geo.spatial import locate_registry
from ptce_geo.store import AccessDenied, ConflictError, Store, User, importing
from ptce_geo.store.schema import changements

EDITOR = User("editrice@cress.test", "editeur")
OTHER = User("editeur2@cress.test", "editeur")
HOSTILE = ["<img src=x onerror=alert(1)>", "=HYPERLINK(\"http://x\")", "'); DROP TABLE poles;--",
           "Pôle {{ 7*7 }}"]


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'registre.sqlite3'}"
    return request.getfixturevalue("postgres_database")


@pytest.fixture
def store(database_url, territories, gazetteer, demo):
    store = Store(database_url, territories, gazetteer)
    importing.seed(store, demo)
    return store


def _changes(store) -> int:
    with store.engine.connect() as db:
        return db.execute(sa.select(sa.func.count()).select_from(changements)).scalar()


def test_a_new_database_holds_the_demo_registry_once(store, demo):
    reg = store.registry()
    assert len(reg.poles) == len(demo.poles) == 150 and len(reg.soutiens) == len(demo.soutiens)
    assert not reg.errors and store.is_demo()
    assert set(reg.poles["commune_insee"]) == set(demo.poles["commune_insee"])
    assert not importing.seed(store, demo)  # a second start seeds nothing
    assert len(store.registry(locate=False).poles) == 150


@pytest.mark.parametrize("who", [None, User.anonymous(), User("lectrice@cress.test", "lecteur")])
def test_writes_without_an_editor_are_refused_by_the_core(store, demo, who):
    before = (store.version(), _changes(store))
    pole = store.pole("DEMO-001")
    calls = [lambda: store.save_pole(who, {**pole, "nom": "pirate"}, pole["version"]),
             lambda: store.save_pole(who, {"nom": "Nouveau", "commune_insee": "01001"}),
             lambda: store.delete_pole(who, "DEMO-001", pole["version"]),
             lambda: store.save_support(who, {"pole_id": "DEMO-001", "collectivite_niveau": "epci"}),
             lambda: store.undo(who, 1),
             lambda: importing.apply_import(store, who, importing.plan_import(store, demo))]
    for call in calls:
        with pytest.raises(AccessDenied, match="réservé au rôle éditeur"):
            call()
    assert (store.version(), _changes(store)) == before
    assert store.pole("DEMO-001")["nom"] == pole["nom"]


def test_the_second_of_two_editors_is_told_and_nothing_is_lost(store):
    pole = store.pole("DEMO-002")
    first = store.save_pole(EDITOR, {**pole, "nom": "Nom choisi par la première"}, pole["version"])
    with pytest.raises(ConflictError, match="modifié par editrice@cress.test le"):
        store.save_pole(OTHER, {**pole, "porteur": "Porteur du second"}, pole["version"])
    now = store.pole("DEMO-002")
    assert now["nom"] == "Nom choisi par la première" and now["porteur"] == pole["porteur"]
    assert now["version"] == first.version == pole["version"] + 1 and now["modifie_par"] == EDITOR.email


def test_a_form_is_checked_like_a_file_row(store):
    with pytest.raises(RegistryError) as error:
        store.save_pole(EDITOR, {"nom": "Pôle", "commune": "Nulle-Part-sur-Mer", "stade": "adolescent"})
    text = "\n".join(i.as_text() for i in error.value.issues)
    assert "colonne « stade »" in text and "utilisez l'un des libellés « Émergent »" in text
    with pytest.raises(RegistryError, match="commune"):
        store.save_pole(EDITOR, {"nom": "Pôle", "commune": "Nulle-Part-sur-Mer"})
    with pytest.raises(RegistryError, match="nom du pôle manquant"):
        store.save_pole(EDITOR, {"nom": "", "commune_insee": "01001"})


def test_hostile_text_is_stored_as_text(store):
    for n, text in enumerate(HOSTILE):
        saved = store.save_pole(EDITOR, {"nom": text, "porteur": text, "commune_insee": "69123"})
        assert store.pole(saved.id)["nom"] == text
        store.save_support(EDITOR, {"pole_id": saved.id, "collectivite_niveau": "commune",
                                    "collectivite_nom": text, "leviers": "L1", "annee": 2020 + n})
    reg = store.registry()
    assert set(HOSTILE) <= set(reg.poles["nom"]) and set(HOSTILE) <= set(reg.soutiens["collectivite_nom"])
    assert len(reg.poles) == 150 + len(HOSTILE)


def test_delete_is_soft_and_undo_restores_pole_and_supports(store):
    supports = store.registry(locate=False).soutiens
    n_supports = int((supports["pole_id"] == "DEMO-003").sum())
    assert n_supports
    pole = store.pole("DEMO-003")
    deleted = store.delete_pole(EDITOR, "DEMO-003", pole["version"])
    reg = store.registry(locate=False)
    assert "DEMO-003" not in set(reg.poles["id"]) and "DEMO-003" not in set(reg.soutiens["pole_id"])
    assert store.pole("DEMO-003")["supprime"]  # still there, marked
    store.undo(OTHER, deleted.change)
    reg = store.registry(locate=False)
    assert "DEMO-003" in set(reg.poles["id"]) and int((reg.soutiens["pole_id"] == "DEMO-003").sum()) == n_supports
    history = store.history(pole_id="DEMO-003")
    assert list(history["action"][:n_supports + 1]) == ["annulation"] * (n_supports + 1)
    assert history["par"].iloc[0] == OTHER.email


def test_undo_is_refused_when_the_row_changed_since(store):
    pole = store.pole("DEMO-004")
    first = store.save_pole(EDITOR, {**pole, "nom": "Premier"}, pole["version"])
    store.save_pole(OTHER, {**store.pole("DEMO-004"), "nom": "Second"}, first.version)
    with pytest.raises(ConflictError, match="modifiée depuis .*editeur2@cress.test"):
        store.undo(EDITOR, first.change)
    assert store.pole("DEMO-004")["nom"] == "Second"


def test_history_keeps_before_and_after(store):
    pole = store.pole("DEMO-005")
    saved = store.save_pole(EDITOR, {**pole, "emplois": 42}, pole["version"])
    change = store.history(pole_id="DEMO-005").iloc[0]
    assert change["id"] == saved.change and change["par"] == EDITOR.email and change["action"] == "modification"
    assert change["avant"]["emplois"] == pole["emplois"] and change["apres"]["emplois"] == 42
    assert pd.Timestamp(change["le"]).year >= 2026


def _file(tmp_path, text, name="registre.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_file_without_ids_gets_stable_ids_and_reimports_unchanged(store, tmp_path, territories, gazetteer):
    path = _file(tmp_path, "Nom du pôle;Ville;Département\nPôle A;Mureaux;78\nPôle B;Troyes;10\n")

    def plan():
        return importing.plan_import(store, locate_registry(load_registry(path), territories, gazetteer))
    first = plan()
    assert first.counts()["ajouté"] == 2
    importing.apply_import(store, EDITOR, first)
    ids = set(store.registry(locate=False).poles["id"]) - {f"DEMO-{n:03d}" for n in range(1, 151)}
    assert len(ids) == 2 and all(i.startswith("P-") for i in ids)
    again = plan()
    assert again.counts() == {"ajouté": 0, "modifié": 0, "inchangé": 2, "refusé (erreur)": 0}
    version = store.version()
    importing.apply_import(store, EDITOR, again)
    assert store.version() == version and len(store.registry(locate=False).poles) == 152


def test_a_file_with_an_error_writes_nothing_unless_asked(store, tmp_path, territories, gazetteer):
    path = _file(tmp_path, "id;nom;commune_insee\nN1;Pôle bon;01001\nN2;Pôle mauvais;99999\n")
    plan = importing.plan_import(store, locate_registry(load_registry(path), territories, gazetteer))
    statuses = dict(zip(plan.lignes["id"], plan.lignes["statut"]))
    assert statuses == {"N1": "ajout", "N2": "erreur"}
    assert "INSEE" in plan.lignes.set_index("id").at["N2", "detail"]  # the reader's own message
    version = store.version()
    with pytest.raises(RegistryError):
        importing.apply_import(store, EDITOR, plan)
    assert store.version() == version and store.pole("N1") is None
    importing.apply_import(store, EDITOR, plan, only_valid=True)
    assert store.pole("N1") is not None and store.pole("N2") is None


def test_an_import_is_undone_as_a_whole(store, tmp_path, territories, gazetteer):
    path = _file(tmp_path, "id;nom;commune_insee\nI1;Un;01001\nI2;Deux;01004\n")
    plan = importing.plan_import(store, locate_registry(load_registry(path), territories, gazetteer))
    importing.apply_import(store, EDITOR, plan)
    assert store.pole("I1") and store.pole("I2")
    store.undo(EDITOR, int(store.history().iloc[0]["id"]))
    reg = store.registry(locate=False)
    assert not {"I1", "I2"} & set(reg.poles["id"]) and len(reg.poles) == 150


def test_a_preview_is_refused_if_the_registry_changed_since(store, tmp_path, territories, gazetteer):
    path = _file(tmp_path, "id;nom;commune_insee\nDEMO-006;Nom importé;01001\n")
    plan = importing.plan_import(store, locate_registry(load_registry(path), territories, gazetteer))
    pole = store.pole("DEMO-006")
    store.save_pole(OTHER, {**pole, "nom": "Changé entre-temps"}, pole["version"])
    with pytest.raises(ConflictError):
        importing.apply_import(store, EDITOR, plan)
    assert store.pole("DEMO-006")["nom"] == "Changé entre-temps"


def test_postgresql_poles_carry_a_postgis_point_for_qgis(postgres_database, territories, gazetteer, demo):
    store = Store(postgres_database, territories, gazetteer)
    importing.seed(store, demo)
    with store.engine.connect() as db:
        srid, n = db.execute(sa.text("SELECT min(ST_SRID(geom)), count(geom) FROM poles")).one()
        x, y = db.execute(sa.text("SELECT ST_X(geom), ST_Y(geom) FROM poles WHERE id = 'DEMO-001'")).one()
    pole = demo.poles.set_index("id").loc["DEMO-001"]
    assert srid == 4326 and n == 150
    assert (round(x, 5), round(y, 5)) == (round(pole["point_lon"], 5), round(pole["point_lat"], 5))


def test_history_filters_by_pole_user_and_date(store):
    from datetime import datetime, timedelta, timezone
    pole = store.pole("DEMO-007")
    store.save_pole(OTHER, {**pole, "nom": "Filtré"}, pole["version"])
    mine = store.history(par=OTHER.email)
    assert len(mine) == 1 and mine.iloc[0]["pole_id"] == "DEMO-007"
    assert set(store.history(pole_id="DEMO-007")["pole_id"]) == {"DEMO-007"}
    tomorrow = datetime.now(timezone.utc) + timedelta(days=1)
    assert store.history(depuis=tomorrow).empty and len(store.history(depuis=tomorrow - timedelta(days=2))) > 1


def test_the_registry_read_back_equals_a_fresh_validation(store):
    """Rows are validated when written; reading them back without validating again
    must give exactly the tables the file reader gives."""
    for n, text in enumerate(HOSTILE):
        saved = store.save_pole(EDITOR, {"nom": text, "commune_insee": "69123", "annee_creation": 2001 + n,
                                         "emplois": 2.5, "secteurs": "numerique|energie"})
        store.save_support(EDITOR, {"pole_id": saved.id, "collectivite_niveau": "epci",
                                    "collectivite_code": "200046977", "leviers": "L6", "montant_eur": "12 000,50"})
    store.delete_pole(EDITOR, "DEMO-009", store.pole("DEMO-009")["version"])
    fast, checked = store.registry(trust=True), store.registry(trust=False)
    assert not checked.issues
    pd.testing.assert_frame_equal(fast.poles, checked.poles)
    pd.testing.assert_frame_equal(fast.soutiens, checked.soutiens)
    assert fast.poles.attrs == checked.poles.attrs


def test_dates_in_mixed_formats_round_trip_as_real_dates(store, tmp_path, territories, gazetteer):
    """02/10/2025 and 2025-06-30 are stored as the reader writes them (AAAA-MM-JJ), read
    back the same trusted or validated again, and give the real latest update; a pole
    typed in the form with a French date is stored the same way, an unreadable one refused."""
    path = _file(tmp_path, "id;nom;commune_insee;date_maj\nD1;Un;01001;02/10/2025\nD2;Deux;01004;2025-06-30\n"
                           "D3;Trois;01053;2/10/24\n")
    plan = importing.plan_import(store, locate_registry(load_registry(path), territories, gazetteer))
    importing.apply_import(store, EDITOR, plan)
    assert [store.pole(i)["date_maj"] for i in ("D1", "D2", "D3")] == ["2025-10-02", "2025-06-30", "2024-10-02"]
    saved = store.save_pole(EDITOR, {"nom": "Quatre", "commune_insee": "69123", "date_maj": "1er mars 2025"})
    assert store.pole(saved.id)["date_maj"] == "2025-03-01"
    with pytest.raises(RegistryError, match="date lisible"):
        store.save_pole(EDITOR, {"nom": "Cinq", "commune_insee": "69123", "date_maj": "le mois dernier"})
    fast, checked = store.registry(trust=True), store.registry(trust=False)
    pd.testing.assert_frame_equal(fast.poles, checked.poles)
    from datetime import date
    assert fast.latest_update() == checked.latest_update() == date(2025, 10, 2)
    # the same file again: nothing to change (the dates compare equal once read)
    again = importing.plan_import(store, locate_registry(load_registry(path), territories, gazetteer))
    assert again.counts()["inchangé"] == 3


def test_the_editing_lists_and_history_read_as_an_editor_expects(store):
    """Poles by name whatever their case, collectivités by name, the history without its
    stored rows and with French dates (the editing page shows these as they are)."""
    from ptce_geo.store import records
    rows = [{"id": "P2", "nom": "béta"}, {"id": "P1", "nom": "Alpha"}, {"id": "P3", "nom": "Gamma"}]
    assert list(records.pole_names(rows).items()) == [("P1", "Alpha"), ("P2", "béta"), ("P3", "Gamma")]
    assert list(records.names_in_order({"b": "Zeta", "a": "Eta"})) == ["a", "b"]
    editor = User("editrice@cress.test", "editeur")
    store.save_pole(editor, {"nom": "Pôle du jour", "commune_insee": "01001"})
    shown = records.history_shown(store.history())
    assert not {"avant", "apres", "lot"} & set(shown.columns)
    assert shown["le"].iloc[0].count("/") == 2 and shown["par"].iloc[0] == "editrice@cress.test"
