"""Shared fixtures: the real boundaries (built once into the cache) and the demo registry."""

import pytest

from ptce_geo import paths
from ptce_geo.geocode import Gazetteer
from ptce_geo.registry import load_registry
from ptce_geo.spatial import locate_registry
from ptce_geo.territories import get_territories


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
