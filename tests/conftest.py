"""Shared fixtures: the real boundaries (built once into the cache), the demo
registry, and a hand-drawn map of three communes for the logic tests."""

import pytest

from ptce_geo import paths
from ptce_geo.geocode import Gazetteer
from ptce_geo.registry import load_registry
from ptce_geo.spatial import locate_registry
from ptce_geo.territories import get_territories

from .tiny import TINY_EPCI, tiny_territories


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
