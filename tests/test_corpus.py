"""Every file of the bad-file corpus (tests/data) through the command line."""

import json
import traceback

import pytest

from ptce_geo import paths
from ptce_geo.__main__ import main

DATA = paths.ROOT / "tests" / "data"
CASES = json.loads((DATA / "corpus.json").read_text(encoding="utf-8"))


def test_corpus_is_large_enough_and_documented():
    assert len(CASES) >= 40
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    assert all(f"`{c['fichier']}" in readme for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=[c["fichier"] for c in CASES])
def test_cli_validate(case, capsys, monkeypatch):
    for name, value in case["env"].items():
        monkeypatch.setenv(name, value)
    args = ["validate", str(DATA / "corpus" / case["fichier"])]
    if "soutiens" in case:
        args += ["--soutiens", str(DATA / "corpus" / case["soutiens"])]
    try:
        code = main(args)
    except BaseException:  # noqa: BLE001 - the point is that nothing escapes
        pytest.fail("exception non rattrapée :\n" + traceback.format_exc())
    out = capsys.readouterr()
    text = out.out + out.err
    assert code == case["code"], text
    assert "Traceback" not in text and "Erreur interne" not in text
    for word in case["mots"]:
        assert word in text, f"« {word} » absent du rapport :\n{text[:3000]}"
    if case["code"] == 1:
        assert "[ERREUR]" in text


def test_valid_rows_survive_invalid_ones(tmp_path):
    """Nothing lost: the located extract keeps every row, valid ones located."""
    out = tmp_path / "out.csv"
    assert main(["locate", str(DATA / "corpus" / "insee_inconnu.csv"), "-o", str(out)]) == 1
    text = out.read_bytes().decode("utf-8-sig")
    assert text.count("\r\n") == 3  # header + both rows, none dropped
