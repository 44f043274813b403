"""Performance suite: ``python -m benchmarks [--quick] [--json OUT.json]``.

Prints a table of figures against their targets and writes them as JSON with
a description of the machine. Every ratio is measured within the same run;
figures are medians of several repetitions (fewer with ``--quick``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks import gis as gis_bench
from benchmarks import hostile, mapweight
from benchmarks import load as load_bench
from benchmarks import store as store_bench
from dashboard import serve
from ptce_geo import coverage as cv
from ptce_geo import maps, paths, territories as terr_mod
from ptce_geo.registry import load_registry
from ptce_geo.spatial import communes_at, locate_registry

TARGETS = {  # key: (comparison, target)
    "gis_gpkg_france_s": ("<=", 10),
    "gis_geojson_zip_france_s": ("<=", 30),
    "territories_cold_build_s": ("<=", 30),
    "territories_warm_load_s": ("<=", 0.5),
    "national_map_html_bytes": ("<=", 1_500_000),
    "national_map_vs_explore_ratio": (">=", 8),
    "display_layers_coverage_valid": ("==", True),
    "sjoin_1m_points_s": ("<=", 3),
    "locate_all_townhalls_s": ("<=", 10),
    "coverage_recompute_ms": ("<=", 150),
    "map_page_first_run_s": ("<=", 2),
    "map_page_rerun_s": ("<=", 0.5),
    "browser_time_to_map_s": ("<=", 4),
    "server_rss_mb_1_session": ("<=", 800),
    "server_rss_mb_10_sessions": ("<=", 1000),
    "hostile_refusal_worst_cpu_s": ("<=", 12),
    "hostile_refusal_peak_mb": ("<=", 300),
    "hostile_all_refused_in_french": ("==", True),
    "unknown_communes_100k_cpu_s": ("<=", 15),
    "server_cpu_ms_per_interaction": ("<=", 50),
    # map weight (issues 11 and 13): our bytes = websocket + /app/static, on the wire
    "map_france_first_our_bytes": ("<=", 500_000),
    "map_france_repeat_our_bytes": ("<=", 100_000),
    "map_france_filter_change_bytes": ("<=", 30_000),
    "map_france_first_time_to_map_s": ("<=", 3.2),
    "map_france_first_time_to_map_4mbit_s": ("<=", 8),
    "map_france_repeat_time_to_map_4mbit_s": ("<=", 4),
    "map_france_build_s": ("<=", 0.5),
    "map_grand_est_first_our_bytes": ("<=", 1_000_000),
    "map_grand_est_repeat_our_bytes": ("<=", 400_000),
    "map_grand_est_first_time_to_map_s": ("<=", 3),
    "map_grand_est_first_time_to_map_4mbit_s": ("<=", 10),
    "map_grand_est_repeat_time_to_map_4mbit_s": ("<=", 6),
    "map_grand_est_build_s": ("<=", 0.5),
    # the same views through the deployment's nginx, which compresses Streamlit's bundle
    "nginx_map_france_first_time_to_map_s": ("<=", 3.2),
    "nginx_map_france_first_time_to_map_4mbit_s": ("<=", 8),
    "nginx_map_france_repeat_time_to_map_4mbit_s": ("<=", 4),
    "nginx_map_grand_est_first_time_to_map_s": ("<=", 3),
    "nginx_map_grand_est_first_time_to_map_4mbit_s": ("<=", 10),
    "nginx_map_grand_est_repeat_time_to_map_4mbit_s": ("<=", 6),
}
#: Reported without a target (benchmarks/load.py).
LOAD_KEYS = ("server_cpu_ms_per_run_seen_view", "server_cpu_ms_per_run_seen_view_departement",
             "interactions_per_s_1_process", "p95_ms_50_sessions_1_process", "interactions_per_s_2_replicas",
             "p95_ms_50_sessions_2_replicas", "replicas_scale_factor")
#: Not a refusal: 100,000 rows read, validated and located, each with its error.
UNKNOWN_COMMUNES = "csv_communes_inconnues_100k"


def timed(fn, repeat: int) -> tuple[float, object]:
    """Median wall time of ``repeat`` calls, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def machine() -> dict:
    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem = ""
    try:
        mem = next(line.split(":", 1)[1].strip() for line in open("/proc/meminfo") if line.startswith("MemTotal"))
    except (OSError, StopIteration):
        pass
    return {"platform": platform.platform(), "python": platform.python_version(), "cpus": os.cpu_count(),
            "cpu_model": cpu, "memory": mem, "date": time.strftime("%Y-%m-%dT%H:%M:%S")}


def demo_registry(territories):
    return locate_registry(load_registry(paths.DEMO_POLES, paths.DEMO_SOUTIENS), territories)


def random_points_in_france(territories, n: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """``n`` uniform points inside metropolitan France (rejection sampling)."""
    import shapely
    rng = np.random.default_rng(seed)
    metro = territories.regions[~territories.regions["code"].isin(["01", "02", "03", "04", "06"])]
    shape = shapely.union_all(metro.geometry.to_numpy())
    shapely.prepare(shape)
    xmin, ymin, xmax, ymax = shape.bounds
    lon, lat = [], []
    while sum(len(a) for a in lon) < n:
        x = rng.uniform(xmin, xmax, n)
        y = rng.uniform(ymin, ymax, n)
        keep = shapely.contains_xy(shape, x, y)
        lon.append(x[keep])
        lat.append(y[keep])
    return np.concatenate(lon)[:n], np.concatenate(lat)[:n]


def random_poles(territories, n: int, seed: int = 2) -> pd.DataFrame:
    """``n`` located poles at random town halls, for scaling measurements."""
    rng = np.random.default_rng(seed)
    com = territories.communes.sample(n, replace=True, random_state=seed)
    return pd.DataFrame({"id": [f"R{i}" for i in range(n)], "nom": "x", "perimetre": "",
                         "commune_insee": com["code"].to_numpy(), "epci_siren": com["epci_siren"].fillna("").to_numpy(),
                         "departement_code": com["departement_code"].to_numpy(),
                         "region_code": com["region_code"].to_numpy(),
                         "point_lon": com["mairie_lon"].to_numpy() + rng.normal(0, 0.001, n),
                         "point_lat": com["mairie_lat"].to_numpy() + rng.normal(0, 0.001, n)})


def recompute(territories, poles, soutiens, filters):
    selected = cv.filter_poles(poles, soutiens, filters)
    cv.coverage_tables(territories, selected, ("epci", "commune"))


# ---------------------------------------------------------------------------
# UI measurements


def apptest_map_page() -> tuple[float, float]:
    import streamlit_folium
    from streamlit.testing.v1 import AppTest
    streamlit_folium.st_folium = lambda m, **kw: None
    at = AppTest.from_file(str(paths.ROOT / "dashboard" / "pages" / "carte.py"), default_timeout=120)
    t0 = time.perf_counter()
    at.run()
    first = time.perf_counter() - t0
    reruns = []
    for levers in (["L6"], ["L1"], ["L6", "L7"], []):
        at.sidebar.multiselect[0].set_value(levers)
        t0 = time.perf_counter()
        at.run()
        reruns.append(time.perf_counter() - t0)
    if at.exception:
        raise RuntimeError(at.exception)
    return first, statistics.median(reruns)


def _rss_mb(pid: int) -> float:
    total = 0.0
    pids = [pid]
    try:  # the server and any child it started
        out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
        pids += [int(p) for p in out]
    except OSError:
        pass
    for p in pids:
        try:
            for line in open(f"/proc/{p}/status"):
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
        except OSError:
            pass
    return total


def browser_figures(repeat: int) -> dict:
    from playwright.sync_api import sync_playwright
    with serve.running({"PTCE_FOND_DE_CARTE": "aucun"}) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(**serve.chromium_options())

        def open_map(context):
            page = context.new_page()
            t0 = time.perf_counter()
            page.goto(url)
            mapweight.wait_for_map(page, national=True)  # EPCI drawn, poles clustered
            return time.perf_counter() - t0, page

        warm = browser.new_context()
        open_map(warm)  # warms the server's caches (boundaries, registry)
        times = []
        for _ in range(repeat):
            ctx = browser.new_context()
            elapsed, _page = open_map(ctx)
            times.append(elapsed)
            ctx.close()
        rss_1 = _rss_mb(url.pid)
        contexts = [warm] + [browser.new_context() for _ in range(9)]
        for ctx in contexts[1:]:
            open_map(ctx)
        rss_10 = _rss_mb(url.pid)
        for ctx in contexts:
            ctx.close()
        print("Poids des cartes (France, Grand Est), liaison lente émulée…", file=sys.stderr)
        weights = mapweight.browser_figures(url, browser)
        print("Les mêmes cartes derrière nginx (deploy/nginx.conf, une réplique)…", file=sys.stderr)
        weights.update(_behind_nginx(browser))
        browser.close()
    return {"browser_time_to_map_s": statistics.median(times), "server_rss_mb_1_session": rss_1,
            "server_rss_mb_10_sessions": rss_10, **weights}


def _behind_nginx(browser) -> dict:
    """The map views' figures through the deployment's nginx (which compresses Streamlit's
    bundle), in front of one replica on a throw-away SQLite registry: keys ``nginx_map_…``."""
    from deploy import cluster
    with tempfile.TemporaryDirectory() as tmp, \
            cluster.running(1, database_url=f"sqlite:///{tmp}/registre.sqlite3",
                            env={"PTCE_FOND_DE_CARTE": "aucun"}) as c:
        return {f"nginx_{key}": value for key, value in mapweight.browser_figures(c.url, browser).items()}


# ---------------------------------------------------------------------------


def map_builds(territories, reg, rep: int) -> dict:
    """Server time to build a map view as the map page does (coverage, layers,
    rendering), boundary files already written; the one-time writing of the
    files; and what compressing one map message costs the server."""
    from ptce_geo import levels
    out = {}
    directory = Path(tempfile.mkdtemp(prefix="ptce-geo-"))
    try:
        files = maps.BoundaryFiles(territories, directory)
        t0 = time.perf_counter()
        files.epci()
        for dep in territories.departements["code"]:
            files.communes(dep)
        out["boundary_files_write_s"] = time.perf_counter() - t0
        out["boundary_files_bytes"] = sum(p.stat().st_size for p in directory.rglob("*.json"))

        def france():
            poles = cv.filter_poles(reg.poles, reg.soutiens, cv.Filters())
            table = cv.coverage_table(territories, poles, "epci")
            m, layers = maps.national_layers(territories.display["epci"], table, poles, reg.soutiens,
                                             boundaries=files)
            layers.add_to(m)
            return m.get_root().render()

        def region(code="44"):
            poles = cv.filter_poles(reg.poles, reg.soutiens, cv.Filters())
            communes = territories.communes[territories.communes[levels.get("region").commune_column] == code]
            table = cv.coverage_table(territories, poles, "commune", within=("region", code))
            inside, context = maps.split_poles(poles, territories, ("region", code))
            return maps.territory_map(communes, table, None, inside, reg.soutiens, context_poles=context,
                                      boundaries=files).get_root().render()

        out["map_france_build_s"], page_fr = timed(france, 3 * rep)
        out["map_grand_est_build_s"], page_ge = timed(region, 3 * rep)
        out["map_france_page_bytes"] = len(page_fr.encode())
        out["map_grand_est_page_bytes"] = len(page_ge.encode())
        deflate = mapweight.deflate_cost(page_ge.encode())
        out["ws_deflate_grand_est_message_cpu_ms"] = deflate["cpu_ms"]
        out["ws_deflate_grand_est_message_ratio"] = deflate["bytes"] / deflate["compressed_bytes"]
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    return out


def hostile_figures() -> dict:
    """Each full-size hostile file through ``validate`` in a child process (see benchmarks/hostile.py)."""
    files = hostile.run(progress=lambda m: print(m, file=sys.stderr))
    refusals = {k: v for k, v in files.items() if k != UNKNOWN_COMMUNES}
    worst = max(refusals, key=lambda k: refusals[k]["cpu_s"])
    return {"hostile_files": files,
            "hostile_refusal_worst_cpu_s": refusals[worst]["cpu_s"],
            "hostile_refusal_worst_s": max(v["s"] for v in refusals.values()),
            "hostile_refusal_worst_file": worst,
            "hostile_refusal_peak_mb": max(v["peak_mb"] for v in refusals.values()),
            "hostile_all_refused_in_french": all(v["code"] == 1 and not (v["traceback"] or v["timeout"]
                                                                          or v["memory_error"])
                                                 for v in files.values()),
            "unknown_communes_100k_cpu_s": files[UNKNOWN_COMMUNES]["cpu_s"],
            "unknown_communes_100k_s": files[UNKNOWN_COMMUNES]["s"]}


def run(quick: bool, skip_browser: bool, skip_hostile: bool = False, skip_load: bool = False) -> dict:
    rep = 1 if quick else 3
    out: dict = {"machine": machine(), "quick": quick}
    # the pages read the shared registry: a throw-away database, never the user's data/
    os.environ["PTCE_DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='ptce-bench-')}/registre.sqlite3"
    if not skip_hostile:
        print("Fichiers hostiles…", file=sys.stderr)
        out.update(hostile_figures())
    tmp = Path(tempfile.mkdtemp(prefix="ptce-bench-"))
    try:
        print("Construction à froid du cache des contours…", file=sys.stderr)
        out["territories_cold_build_s"], _ = timed(
            lambda: terr_mod.ensure_cache(lambda m: print("  " + m, file=sys.stderr), force=True, root=tmp), rep)
        out["territories_warm_load_s"], territories = timed(lambda: terr_mod.load_territories(root=tmp), 5)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    import shapely
    out["display_layers_coverage_valid"] = all(
        bool(shapely.coverage_is_valid(territories.display[k].geometry.to_numpy()))
        for k in ("communes", "epci", "departements", "regions"))

    reg = demo_registry(territories)
    poles = cv.filter_poles(reg.poles, reg.soutiens, cv.Filters())
    epci_table = cv.coverage_table(territories, poles, "epci")
    html = maps.national_map(territories.display["epci"], epci_table, poles, reg.soutiens).get_root().render()
    out["national_map_html_bytes"] = len(html.encode("utf-8"))
    baseline = territories.epci.explore().get_root().render()
    out["explore_baseline_html_bytes"] = len(baseline.encode("utf-8"))
    out["national_map_vs_explore_ratio"] = out["explore_baseline_html_bytes"] / out["national_map_html_bytes"]

    out.update(map_builds(territories, reg, rep))

    lon, lat = random_points_in_france(territories, 1_000_000)
    elapsed, _ = timed(lambda: communes_at(territories, lon, lat), rep)
    out["sjoin_1m_points_s"] = elapsed * (1_000_000 / len(lon))
    out["sjoin_points_measured"] = len(lon)

    com = territories.communes
    csv_bytes = pd.DataFrame({"id": com["code"], "nom": "Mairie " + com["nom"],
                              "latitude": com["mairie_lat"], "longitude": com["mairie_lon"]}).to_csv(index=False).encode()
    out["locate_all_townhalls_s"], located = timed(
        lambda: locate_registry(load_registry(csv_bytes, poles_name="mairies.csv"), territories), rep)
    out["locate_townhalls_in_own_commune"] = float((located.poles["commune_insee"] == located.poles["id"]).mean())

    filters = [cv.Filters(leviers=("L6",)), cv.Filters(leviers=("L6",), niveaux=("epci",)), cv.Filters()]
    times = []
    for _ in range(3 * rep):
        for f in filters:
            t0 = time.perf_counter()
            recompute(territories, reg.poles, reg.soutiens, f)
            times.append(time.perf_counter() - t0)
    out["coverage_recompute_ms"] = statistics.median(times) * 1000

    scaling = {}
    for n in (100, 10_000):
        many = random_poles(territories, n)
        t, _ = timed(lambda: cv.coverage_tables(territories, many, ("epci", "commune")), rep)
        scaling[str(n)] = t * 1000
    out["coverage_ms_by_poles"] = scaling

    print("Registre partagé (base SQLite)…", file=sys.stderr)
    out.update(store_bench.figures(territories))
    print("Exports SIG (France entière)…", file=sys.stderr)
    out.update(gis_bench.figures(territories))
    first, rerun = apptest_map_page()
    out["map_page_first_run_s"], out["map_page_rerun_s"] = first, rerun
    out["db_map_page_rerun_s"] = rerun  # the map page reads the shared database (no PTCE_POLES)

    if not skip_browser:
        out.update(browser_figures(1 if quick else 3))
    if not skip_load:
        print("Charge au niveau du protocole (1 processus, puis 2 répliques derrière nginx)…", file=sys.stderr)
        out.update(load_bench.figures(sessions=20 if quick else 50, deadline_s=30 if quick else 60))
    return out


def _fmt(value) -> str:
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float):
        return f"{value:,.3f}".replace(",", " ")
    if isinstance(value, int):
        return f"{value:,}".replace(",", " ")
    return str(value)


def report(figures: dict) -> str:
    lines = [f"{'mesure':46} {'valeur':>14}  {'cible':>12}  statut", "-" * 84]
    for key, (op, target) in TARGETS.items():
        if key not in figures:
            lines.append(f"{key:46} {'(non mesuré)':>14}  {op} {_fmt(target):>9}")
            continue
        value = figures[key]
        ok = {"<=": value <= target, ">=": value >= target, "==": value == target}[op]
        lines.append(f"{key:46} {_fmt(value):>14}  {op} {_fmt(target):>9}  {'OK' if ok else 'HORS CIBLE'}")
    lines.append(f"{'explore_baseline_html_bytes':46} {_fmt(figures['explore_baseline_html_bytes']):>14}  (référence)")
    for key in LOAD_KEYS:
        if key in figures:
            lines.append(f"{key:46} {_fmt(figures[key]):>14}")
    for n, ms in figures.get("coverage_ms_by_poles", {}).items():
        lines.append(f"{'coverage_ms (' + n + ' pôles)':46} {_fmt(ms):>14}")
    for name, f in figures.get("hostile_files", {}).items():
        lines.append(f"{'  ' + name:46} {_fmt(f['cpu_s']):>10} s CPU {_fmt(f['s']):>8} s {f['peak_mb']:>5} Mo")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description="Mesures de performance.")
    parser.add_argument("--quick", action="store_true", help="une seule répétition des mesures longues")
    parser.add_argument("--json", help="écrire les mesures dans ce fichier JSON")
    parser.add_argument("--sans-navigateur", action="store_true", help="ne pas lancer Chromium")
    parser.add_argument("--sans-hostiles", action="store_true", help="ne pas mesurer les fichiers hostiles")
    parser.add_argument("--sans-charge", action="store_true", help="ne pas lancer la charge (benchmarks/load.py)")
    args = parser.parse_args(argv)
    figures = run(args.quick, args.sans_navigateur, args.sans_hostiles, args.sans_charge)
    print(report(figures))
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2, ensure_ascii=False, default=float), encoding="utf-8")
        print(f"Écrit : {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
