"""Reading in a child process: same tables, same refusals, and budgets that stop it."""

import os
import time

import pytest

from ptce_geo.registry import RegistryError, read_registry
from ptce_geo.registry.isolated import ReadJob, read_isolated
from tests.data import hostile

CSV = "Identifiant;Structure;Ville\nP1;Pôle A;Troyes\nP2;Pôle B;Mureaux\n".encode()


def test_read_once_then_validate_with_any_mapping():
    raw = read_registry(CSV, poles_name="p.csv")
    assert raw.unmatched() == {"poles": (["nom"], ["Identifiant", "Structure", "Ville"])}
    with pytest.raises(RegistryError):
        raw.validate()
    reg = raw.validate({"poles": {"Structure": "nom"}})
    assert reg.poles["nom"].tolist() == ["Pôle A", "Pôle B"]
    assert list(raw.tables["poles"].columns) == ["Identifiant", "Structure", "Ville"]  # untouched


def test_the_child_gives_the_same_tables():
    raw = read_isolated(CSV, "p.csv")
    expected = read_registry(CSV, poles_name="p.csv")
    assert raw.tables["poles"].equals(expected.tables["poles"]) and raw.source == "p.csv"


def test_the_child_passes_refusals_and_settings_on(monkeypatch):
    with pytest.raises(RegistryError) as info:
        read_isolated(hostile.xlsx_declared_dimension(), "h.xlsx")
    assert "A1:XFD1048576" in info.value.issues[0].message
    monkeypatch.setenv("PTCE_MAX_ROWS", "1")
    with pytest.raises(RegistryError) as info:
        read_isolated(CSV, "p.csv")
    assert "limite de 1" in info.value.issues[0].message


def test_time_budget_stops_the_child():
    job = ReadJob(hostile.csv_many_rows(200_000), "big.csv", timeout=0.3)
    with pytest.raises(RegistryError) as info:
        while job.result(wait=0.05) is None:
            pass
    assert "dépassé 0.3 s" in info.value.issues[0].message
    assert job.proc.poll() is not None and not job.folder.exists()


def test_memory_budget_stops_the_child(monkeypatch):
    monkeypatch.setenv("PTCE_MAX_ROWS", "1000000")
    with pytest.raises(RegistryError) as info:
        read_isolated(hostile.csv_many_rows(600_000), "big.csv", memory_mb=40)
    assert "Mo de mémoire" in info.value.issues[0].message


def test_cancel_stops_the_child_and_removes_its_folder():
    job = ReadJob(hostile.csv_many_rows(600_000), "big.csv")
    time.sleep(0.2)
    job.cancel()
    assert job.proc.poll() is not None and not job.folder.exists()
    with pytest.raises(ProcessLookupError):
        os.kill(job.proc.pid, 0)
