import csv
import io
import subprocess
import sys

import pytest

from ptce_geo import paths
from ptce_geo.__main__ import main
from ptce_geo.text import thousands


def run(*args):
    return subprocess.run([sys.executable, "-m", "ptce_geo", *map(str, args)], capture_output=True,
                          text=True, cwd=paths.ROOT, timeout=300)


def test_validate_demo_is_clean():
    result = run("validate", paths.DEMO_POLES, "--soutiens", paths.DEMO_SOUTIENS)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "150 pôles lus" in result.stdout and "0 erreur," in result.stdout


def test_checking_a_file_does_not_load_the_database_layer_or_the_dashboard():
    """``validate`` reads, checks and locates a file: it loads neither the shared registry's
    database layer nor the dashboard's libraries (they made every check about 100 MB and
    0.5 s heavier)."""
    probe = ("import sys; from ptce_geo.__main__ import main; "
             f"code = main(['validate', {str(paths.DEMO_POLES)!r}]); "
             "print(code, sorted(m for m in ('sqlalchemy', 'alembic', 'argon2', 'streamlit', 'folium', 'plotly') "
             "if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=paths.ROOT,
                            timeout=300)
    assert result.stdout.strip().splitlines()[-1] == "0 []", result.stdout + result.stderr


@pytest.mark.parametrize("content, code", [
    ("", 1),
    ("id;ville\nP1;Lyon\n", 1),
    ("id,nom,stade\nP1,A,bientôt\n", 1),
    ("id,nom,commune_insee\nP1,A,1001\n", 0),  # a warning only
])
def test_validate_exit_codes_and_no_traceback(write, content, code):
    result = run("validate", write("p.csv", content))
    assert result.returncode == code
    assert "Traceback" not in result.stdout + result.stderr
    assert ("ERREUR" in result.stdout + result.stderr) == (code == 1)


def test_usage_error_is_exit_2():
    assert run("coverage", "--levier", "L9", "-o", "x.csv").returncode == 2
    assert run("frobnicate").returncode == 2


def test_locate_writes_resolved_territories(write, tmp_path):
    out = tmp_path / "out.csv"
    result = run("locate", write("p.csv", "id;nom;ville;dep\nP1;A;Mureaux;78\nP2;B;Nulle-Part;\n"), "-o", out)
    assert result.returncode == 1  # P2 cannot be located
    rows = list(csv.DictReader(io.StringIO(out.read_bytes().decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 2  # nothing dropped
    assert rows[0]["commune_insee"] == "78440" and rows[0]["epci_siren"] and rows[0]["region_code"] == "11"
    assert rows[1]["statut"].startswith("non localisé")
    for col in ("commune_nom", "epci_nom", "departement_code"):
        assert col in rows[0]


def test_coverage_with_filters(tmp_path):
    out = tmp_path / "cov.csv"
    result = run("coverage", "--niveau", "commune", "--levier", "L6", "--collectivite", "epci",
                 "--format", "csv", "-o", out)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == 34875
    assert {"code", "nom", "population", "couvert", "distance_km"} <= set(rows[0])


def test_missing_file_is_a_clean_error(tmp_path):
    result = run("locate", tmp_path / "absent.csv", "-o", tmp_path / "x.csv")
    assert result.returncode == 1 and "n'existe pas" in result.stderr and "Traceback" not in result.stderr


def test_coverage_summary_line_and_zones_blanches(territories, tmp_path, capsys):
    out = tmp_path / "zb.csv"
    assert main(["coverage", "--levier", "L1", "--levier", "L6", "--zones-blanches", "--format", "csv",
                 "-o", str(out)]) == 0
    line = capsys.readouterr().out
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [int(r["rang"]) for r in rows] == list(range(1, len(rows) + 1))
    uncovered = sum(int(r["population"]) for r in rows)
    assert "pôles retenus (leviers : L1, L6)" in line
    assert f"territoires couverts (epci) ; {thousands(uncovered)} habitants hors couverture" in line
    assert f"{len(territories.epci) - len(rows)}/{len(territories.epci)} territoires couverts" in line


def test_coverage_by_support_years(demo, tmp_path, capsys):
    from ptce_geo import coverage
    expected = coverage.filter_poles(demo.poles, demo.soutiens, coverage.Filters(annees=(2019, 2021)))
    assert main(["coverage", "--annees", "2019-2021", "-o", str(tmp_path / "c.csv")]) == 0
    line = capsys.readouterr().out
    assert line.startswith(f"{len(expected)} pôles retenus") and "soutiens de 2019 à 2021" in line
    assert len(expected) < len(demo.poles)
    bad = run("coverage", "--annees", "vingt", "-o", tmp_path / "x.csv")
    assert bad.returncode == 2 and "années illisibles" in bad.stderr and "Traceback" not in bad.stderr


def test_diagnostic_command(demo, territories, tmp_path, capsys):
    from ptce_geo import diagnostic
    out, examples = tmp_path / "diag.csv", tmp_path / "ex.csv"
    assert main(["diagnostic", "--epci", "200071751", "-o", str(out), "--exemples", str(examples)]) == 0
    line = capsys.readouterr().out
    core = diagnostic.diagnose(territories, demo.poles, demo.soutiens, "epci", "200071751")
    assert core.summary() in line and "Bassin de Bourg-en-Bresse" in line
    rows = list(csv.DictReader(io.StringIO(out.read_bytes().decode("utf-8-sig")), delimiter=";"))
    assert [r["Levier"] for r in rows] == [f"L{i}" for i in range(1, 9)]
    assert [r["Utilisé ici"] for r in rows] == ["oui" if u else "non" for u in core.table["utilise"]]
    assert examples.exists()
    bad = run("diagnostic", "--epci", "123", "-o", tmp_path / "x.csv")
    assert bad.returncode == 1 and "inconnu" in bad.stderr and "Traceback" not in bad.stderr
    assert run("diagnostic", "-o", tmp_path / "x.csv").returncode == 2  # a territory is required


# ---------------------------------------------------------------------------
# GIS extracts: extrait, and --format gpkg|geojson on locate and coverage


def _csv_count(path):
    return len(list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig")), delimiter=";")))


def test_extrait_geopackage_has_the_layers_of_the_filtered_view(territories, tmp_path, capsys):
    import pyogrio
    out = tmp_path / "vue.gpkg"
    assert main(["extrait", "--levier", "L6", "--collectivite", "epci", "-o", str(out)]) == 0
    line = capsys.readouterr().out
    assert "pôles retenus (leviers : L6 ; collectivités : epci)" in line and "EPSG:4326" in line
    assert {name for name, _ in pyogrio.list_layers(out)} == {"poles", "soutiens", "couverture_epci",
                                                             "couverture_communes", "champs"}
    # the same filters through the CSV commands give the same counts
    cov = tmp_path / "cov.csv"
    assert main(["coverage", "--levier", "L6", "--collectivite", "epci", "-o", str(cov)]) == 0
    assert pyogrio.read_info(out, layer="couverture_epci")["features"] == _csv_count(cov) == len(territories.epci)
    points = pyogrio.read_dataframe(out, layer="poles")
    assert f"{len(points)} pôles retenus" in line and 0 < len(points) < 150
    supports = pyogrio.read_dataframe(out, layer="soutiens")
    assert set(supports["pole_id"]) <= set(points["id"]) and points["nb_sout"].sum() == len(supports)


def test_extrait_geojson_writes_one_layer_in_lambert93(tmp_path, capsys):
    import pyogrio
    out = tmp_path / "epci.geojson"
    assert main(["extrait", "--couche", "couverture_epci", "--crs", "EPSG:2154", "-o", str(out)]) == 0
    assert "un GeoJSON ne contient qu'une couche" in capsys.readouterr().out
    info = pyogrio.read_info(out)
    assert info["crs"] == "EPSG:2154" and info["geometry_type"] == "MultiPolygon" and info["features"] == 1253


def test_locate_and_coverage_accept_gis_formats(tmp_path):
    import pyogrio
    located = tmp_path / "poles.geojson"
    assert main(["locate", str(paths.DEMO_POLES), "--soutiens", str(paths.DEMO_SOUTIENS),
                 "--format", "geojson", "-o", str(located)]) == 0
    assert pyogrio.read_info(located)["features"] == 150 and pyogrio.read_info(located)["crs"] == "EPSG:4326"
    gaps = tmp_path / "zones.gpkg"
    csv_gaps = tmp_path / "zones.csv"
    for out in (gaps, csv_gaps):
        assert main(["coverage", "--niveau", "departement", "--levier", "L6", "--zones-blanches", "-o", str(out)]) == 0
    [(name, kind)] = pyogrio.list_layers(gaps)[:1]
    assert name == "couverture_departements" and kind == "MultiPolygon"
    back = pyogrio.read_dataframe(gaps, layer="couverture_departements")
    assert len(back) == _csv_count(csv_gaps) and list(back["rang"]) == list(range(1, len(back) + 1))


@pytest.mark.parametrize("args, says", [
    (["extrait", "-o", "vue.csv"], "s'écrit dans un fichier .gpkg"),
    (["extrait", "--crs", "3857", "-o", "vue.gpkg"], "EPSG:4326 ou EPSG:2154"),
    (["coverage", "--format", "gpkg", "-o", "c.csv"], "--format gpkg écrit un fichier .gpkg"),
    (["coverage", "--format", "excel", "-o", "c.gpkg"], "est un fichier SIG"),
    (["extrait", "--couche", "pôles", "-o", "vue.geojson"], "choix invalide"),
])
def test_gis_usage_errors_are_french_without_traceback(tmp_path, args, says):
    result = run(*[a if not a.startswith(("vue.", "c.")) else tmp_path / a for a in args])
    assert result.returncode == 2
    assert says in result.stderr and "erreur d'utilisation" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout and "choose" not in result.stderr
    assert not any(tmp_path.iterdir())  # nothing written
