"""The protocol-level load generator (benchmarks/load.py) speaks Streamlit's protocol:
two simulated sessions against the real app get the pages' elements back. Speed is
measured by ``python -m benchmarks``, not here."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest

from benchmarks import load
from tests.e2e.conftest import start_server


def test_it_refuses_anything_but_the_loopback():
    with pytest.raises(ValueError, match="machine locale"):
        load.Session("http://exemple.fr:8501")


def test_two_sessions_rerun_and_get_the_pages_back():
    with start_server() as url:
        async def scenario():
            s = load.Session(url)
            await s.open()
            try:
                run = await s.rerun()
                assert "Pôles affichés" in run.texts() and not run.errors()
                assert "fiche_territoire" in s.pages
                levers = list(s.widgets["f_leviers"].options)
                run = await s.rerun(widgets={"f_leviers": [levers[5]]})
                caption = next(t for t in run.texts() if t.startswith("France entière —"))  # the scope
                assert "leviers : L6" in caption
            finally:
                await s.close()
        # in a thread of its own: the browser tests' Playwright keeps an event loop in this one
        with ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, scenario()).result()
            result = pool.submit(asyncio.run, load.load(url, sessions=2, visits=1, pids=[url.pid],
                                                        deadline_s=120)).result()
    assert result.errors == []
    assert {k: len(v) for k, v in result.latencies.items()} == {k: 2 for k in load.INTERACTIONS}
    assert result.cpu_s > 0


GRENOBLE = "200040715"


def test_a_gis_file_survives_other_sessions_runs_until_it_is_fetched():
    """Staff prepare a GeoPackage while other users work: the file's address stays valid
    after other sessions' runs (Streamlit forgets a file made on click, with no session
    holding it, after two runs of any session)."""
    with start_server() as url:
        async def scenario():
            staff, other = load.Session(url), load.Session(url)
            await staff.open()
            await other.open()
            try:
                staff.query = f"epci={GRENOBLE}"
                run = await staff.rerun(page="donnees")
                if "sig_preparer" in staff.widgets:
                    run = await staff.rerun(page="donnees", widgets={"sig_preparer": True})
                button = next(b for b in run.of_type("download_button") if b.label.startswith("GeoPackage"))
                address = await staff.file_url(button)
                for _ in range(3):
                    await other.rerun()
                return await staff.download(address)
            finally:
                await staff.close()
                await other.close()
        with ThreadPoolExecutor(1) as pool:
            data = pool.submit(asyncio.run, scenario()).result()
    assert data.startswith(b"SQLite format 3")
