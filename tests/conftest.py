"""Shared fixtures: the real boundaries (built once into the cache), the demo registry,
a hand-drawn map of three communes for the logic tests, and a throw-away PostgreSQL +
PostGIS server (tests/postgres.py)."""

import pytest

from ptce_geo import paths
from ptce_geo.geocode import Gazetteer
from ptce_geo.registry import load_registry
from ptce_geo.spatial import locate_registry
from ptce_geo.territories import get_territories
from tests import postgres


def pytest_configure(config):
    """Every test, and every server a test starts, uses a throw-away registry database
    (never the developer's ``data/``), unless a test names its own."""
    import os
    import tempfile
    folder = tempfile.mkdtemp(prefix="ptce-tests-")
    config._ptce_db_dir = folder
    os.environ["PTCE_DATABASE_URL"] = f"sqlite:///{folder}/registre.sqlite3"


def pytest_unconfigure(config):
    import shutil
    shutil.rmtree(getattr(config, "_ptce_db_dir", ""), ignore_errors=True)

from .tiny import TINY_EPCI, tiny_territories


@pytest.fixture(autouse=True)
def fresh_shared_results(monkeypatch):
    """Each test starts with no coverage result or view kept by an earlier one (a server
    process starts with none): a test that breaks a computation sees it run."""
    from dashboard import common
    from ptce_geo import maps, scope
    for module, name in ((scope, "SHARED"), (scope, "VIEWS"), (scope, "REGISTRY_PARTS"), (maps, "DRAWN"),
                         (common, "MAP_ARGS"), (common, "GIS_FILES")):
        monkeypatch.setattr(module, name, scope.SharedResults(size=getattr(module, name).size))


@pytest.fixture(scope="session")
def territories():
    return get_territories()


@pytest.fixture(scope="session")
def gazetteer(territories):
    return Gazetteer(territories)


@pytest.fixture(scope="session")
def demo(territories, gazetteer):
    return locate_registry(load_registry(paths.DEMO_POLES, paths.DEMO_SOUTIENS), territories, gazetteer)


@pytest.fixture
def write(tmp_path):
    """Write text or bytes to a file in tmp_path and return its path."""
    def _write(name, content, encoding="utf-8"):
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding=encoding)
        return path
    return _write


@pytest.fixture(scope="session")
def postgres_url():
    """SQLAlchemy URL of a fresh PostGIS database on a cluster started for this test session
    (loopback only), stopped and deleted at the end."""
    try:
        with postgres.cluster() as url:
            yield url
    except postgres.PostgresUnavailable as exc:
        pytest.fail(str(exc))


@pytest.fixture
def postgres_database(postgres_url):
    """A fresh database on the shared PostgreSQL server (one per test)."""
    import uuid

    import sqlalchemy as sa
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as db:
        db.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield sa.make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as db:
        db.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def tiny():
    return tiny_territories()


@pytest.fixture(scope="session")
def tiny_registry(tiny, tmp_path_factory):
    """Three poles, one seated in each commune, located on the tiny map.

    A: seat Ancy, no perimeter; B: seat Bercy, perimeter the EPCI of Cercy;
    C: seat Cercy, perimeter the commune of Ancy. Supports: A is helped by its
    EPCI on L6 (premises); B by the région on L1 (premises) and by its EPCI on
    L6 (visibility); C by its commune on L8.
    """
    d = tmp_path_factory.mktemp("tiny")
    (d / "p.csv").write_text("id,nom,commune_insee,perimetre\n"
                             "A,Pôle A,01001,\n"
                             f"B,Pôle B,01002,{TINY_EPCI[1]}\n"
                             "C,Pôle C,01003,01001\n", encoding="utf-8")
    (d / "s.csv").write_text("pole_id,collectivite_niveau,collectivite_code,forme,leviers\n"
                             f"A,epci,{TINY_EPCI[0]},locaux_foncier,L6\n"
                             "B,region,84,locaux_foncier,L1\n"
                             f"B,epci,{TINY_EPCI[0]},visibilite,L6\n"
                             "C,commune,01003,ingenierie,L8\n", encoding="utf-8")
    reg = locate_registry(load_registry(d / "p.csv", d / "s.csv"), tiny, Gazetteer(tiny))
    assert not reg.errors, reg.report_text()
    return reg


@pytest.fixture(scope="session")
def tiny_dated(tiny, tmp_path_factory):
    """The poles of ``tiny_registry`` (A in Ancy; B in Bercy reaching Cercy's EPCI;
    C in Cercy reaching Ancy), with years and amounts on their four supports:
    1. A by EPCI 1, L6, 2019, 10 000 €   2. B by the région, L1, 2021, no amount
    3. B by EPCI 1, L6, 2022, 5 000 €     4. C by the commune of Cercy, L8, 2023, 2 000 €"""
    d = tmp_path_factory.mktemp("scope")
    (d / "p.csv").write_text("id,nom,commune_insee,perimetre\nA,Pôle A,01001,\n"
                             f"B,Pôle B,01002,{TINY_EPCI[1]}\nC,Pôle C,01003,01001\n", encoding="utf-8")
    (d / "s.csv").write_text(
        "pole_id,collectivite_niveau,collectivite_code,collectivite_nom,forme,leviers,annee,montant_eur\n"
        f"A,epci,{TINY_EPCI[0]},CC d'Ancy-Bercy,locaux_foncier,L6,2019,10000\n"
        "B,region,84,Région Auvergne-Rhône-Alpes,locaux_foncier,L1,2021,\n"
        f"B,epci,{TINY_EPCI[0]},CC d'Ancy-Bercy,visibilite,L6,2022,5000\n"
        "C,commune,01003,Cercy,ingenierie,L8,2023,2000\n", encoding="utf-8")
    located = locate_registry(load_registry(d / "p.csv", d / "s.csv"), tiny, Gazetteer(tiny))
    assert not located.errors, located.report_text()
    return located
