"""Full-size hostile files (tests/data/hostile.py) through the command line, in a child
process under an address-space limit: each is refused with a French message, quickly and
within a few hundred MB. Loose bounds; the precise figures are `python -m benchmarks`'s."""

import pytest

from benchmarks.hostile import measure
from tests.data import hostile

#: name -> (maker, words of the message). The 1 GB-text case is built at 300 MB here (the
#: refusal is the same: the part unpacks beyond the limit), to keep the test short.
CASES = {
    "xlsx_dimension_geante": (hostile.xlsx_declared_dimension, "A1:XFD1048576"),
    "xlsx_chaine_300mo": (lambda: hostile.xlsx_huge_shared_string(300_000_000), "se décompresse en 300 Mo"),
    "xlsx_ligne_large": (hostile.xlsx_wide_row, "dernière colonne d'Excel"),
    "xlsx_1m_lignes": (hostile.xlsx_many_rows, "plus de 100000 lignes"),
    "geojson_cles_20k": (hostile.geojson_sparse_keys, "cellules"),
    "geojson_imbrique": (hostile.geojson_nested, "niveaux"),
    "geojson_objets_vides": (hostile.geojson_empty_objects, "objets et listes"),
    "csv_separateurs_5mo": (lambda: hostile.csv_separators(5_000_000), "5 000 002 colonnes"),
    "csv_700k_lignes": (hostile.csv_many_rows, "plus de 100000 lignes"),
}


@pytest.mark.parametrize("name", CASES)
def test_full_size_hostile_file_is_refused_cheaply(name, tmp_path):
    maker, words = CASES[name]
    path = tmp_path / name
    path.write_bytes(maker())
    result = measure(path, limit_mb=1500, timeout=90)
    assert not result["timeout"] and not result["memory_error"] and not result["traceback"], result
    assert result["code"] == 1 and words in result["message"], result
    assert result["peak_mb"] < 450, result  # the interpreter alone is about 130 MB
    assert result["cpu_s"] < 20, result
