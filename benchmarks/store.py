"""Figures of the shared registry database (SQLite, in a temporary folder).

- ``db_import_10k_s``: importing 10,000 poles and 50,000 supports from files (read,
  locate, preview, write);
- ``db_load_10k_s``: reading them back as the dashboard does (validated and located);
- ``db_save_visible_s``: from an editor's save in one connection to the new registry in
  another (a second process would do the same: version check, then reload), on the demo;
- ``db_version_check_ms``: what every rerun pays to know whether the registry changed.

Runnable alone: ``python -m benchmarks.store``.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

from ptce_geo import paths
from ptce_geo.geocode import Gazetteer
from ptce_geo.registry import load_registry
from ptce_geo.spatial import locate_registry
from ptce_geo.store import Store, User, importing

EDITOR = User("bench@ptce.test", "editeur")


def _files(territories, folder: Path, n_poles: int, n_supports: int) -> tuple[Path, Path]:
    codes = territories.communes["code"].sample(n_poles, random_state=3, replace=n_poles > len(territories.communes))
    poles = folder / "poles.csv"
    poles.write_text("id;nom;commune_insee;stade\n" + "".join(
        f"B{i};Pôle de mesure {i};{c};emergent\n" for i, c in enumerate(codes)), encoding="utf-8")
    supports = folder / "soutiens.csv"
    supports.write_text("pole_id;collectivite_niveau;leviers;annee;montant_eur\n" + "".join(
        f"B{i % n_poles};epci;L1|L6;{2015 + i % 10};{1000 + i}\n" for i in range(n_supports)), encoding="utf-8")
    return poles, supports


def figures(territories, n_poles: int = 10_000, n_supports: int = 50_000) -> dict:
    gaz = Gazetteer(territories)
    out: dict = {}
    with tempfile.TemporaryDirectory(prefix="ptce-bench-db-") as tmp:
        folder = Path(tmp)
        poles, supports = _files(territories, folder, n_poles, n_supports)
        big = Store(f"sqlite:///{folder / 'grand.sqlite3'}", territories, gaz)
        t0 = time.perf_counter()
        plan = importing.plan_import(big, locate_registry(load_registry(poles, supports), territories, gaz))
        importing.apply_import(big, EDITOR, plan)
        out["db_import_10k_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        loaded = big.registry()
        out["db_load_10k_s"] = time.perf_counter() - t0
        out["db_load_10k_rows"] = [len(loaded.poles), len(loaded.soutiens)]

        url = f"sqlite:///{folder / 'demo.sqlite3'}"
        writer, reader = Store(url, territories, gaz), Store(url, territories, gaz)
        importing.seed(writer, locate_registry(load_registry(paths.DEMO_POLES, paths.DEMO_SOUTIENS), territories, gaz))
        seen = reader.version()
        reader.registry()
        pole = writer.pole("DEMO-001")
        t0 = time.perf_counter()
        writer.save_pole(EDITOR, {**pole, "nom": "Nom mesuré"}, pole["version"])
        assert reader.version() != seen
        assert "Nom mesuré" in set(reader.registry().poles["nom"])
        out["db_save_visible_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        for _ in range(100):
            reader.version()
        out["db_version_check_ms"] = (time.perf_counter() - t0) * 10
    return out


if __name__ == "__main__":
    from ptce_geo.territories import get_territories
    print(json.dumps(figures(get_territories()), indent=1))
