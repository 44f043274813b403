"""Figures of the GIS exports (ptce_geo/gis.py), France entière on the demo registry:

- ``gis_layers_france_s``: building the four layers (coverage by EPCI and commune, joins
  to the full-resolution boundaries, validity check);
- ``gis_gpkg_france_s`` / ``gis_gpkg_france_mb``: writing the GeoPackage (what the
  Données page's button builds on click), and its size;
- ``gis_geojson_zip_france_s`` / ``gis_geojson_zip_france_mb``: the ZIP of one GeoJSON per layer;
- ``gis_gpkg_lambert93_s``: the GeoPackage in EPSG:2154 (layers reprojected).

One run each (these are seconds, not milliseconds). Runnable alone: ``python -m benchmarks.gis``.
"""

from __future__ import annotations

import json
import time

from ptce_geo import coverage as cv
from ptce_geo import gis, paths
from ptce_geo.registry import load_registry
from ptce_geo.spatial import locate_registry


def figures(territories) -> dict:
    reg = locate_registry(load_registry(paths.DEMO_POLES, paths.DEMO_SOUTIENS), territories)
    poles = cv.filter_poles(reg.poles, reg.soutiens, cv.Filters())
    supports = reg.soutiens[reg.soutiens["_valide"]]
    out = {}
    t0 = time.perf_counter()
    tables = cv.coverage_tables(territories, poles, ("epci", "commune"))
    layers = gis.view_layers(territories, poles, supports, tables["epci"], tables["commune"])
    out["gis_layers_france_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    data = gis.gpkg_bytes(layers)
    out["gis_gpkg_france_s"] = time.perf_counter() - t0
    out["gis_gpkg_france_mb"] = round(len(data) / 1e6, 1)
    t0 = time.perf_counter()
    data = gis.geojson_zip_bytes(layers)
    out["gis_geojson_zip_france_s"] = time.perf_counter() - t0
    out["gis_geojson_zip_france_mb"] = round(len(data) / 1e6, 1)
    t0 = time.perf_counter()
    gis.gpkg_bytes(gis.view_layers(territories, poles, supports, tables["epci"], tables["commune"], "2154"))
    out["gis_gpkg_lambert93_s"] = time.perf_counter() - t0
    return out


if __name__ == "__main__":
    from ptce_geo.territories import get_territories
    print(json.dumps(figures(get_territories()), indent=1))
